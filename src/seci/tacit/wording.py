"""An evaluation's result in plain words: "提升0.56个百分点, p=0.03, 显著"."""

from __future__ import annotations

from seci.core.i18n import N_, gettext
from seci.tacit.evaluation import MetricResult
from seci.tacit.metrics import METRICS, MetricKind

TEST_NAMES: dict[str, str] = {
    "two_proportion_z": N_("two-proportion z-test"),
    "did_z": N_("difference-in-differences z-test"),
    "welch_t": N_("Welch t-test"),
    "did_welch_t": N_("difference-in-differences Welch t-test"),
}
COMPARISONS: dict[str, str] = {
    "did": N_("trial team before/after against the comparison team"),
    "before_after": N_("trial team before and after"),
    "versus": N_("trial team against the comparison team, after"),
}


def format_p(p: float) -> str:
    """Two significant decimals, as reports write them; tiny values as p<0.001."""
    if p < 0.001:
        return "p<0.001"
    return f"p={p:.3f}" if p < 0.01 else f"p={p:.2f}"


def describe(result: MetricResult) -> str:
    """E.g. '提升0.56个百分点, p=0.03, 显著' or 'decreased by 12.5 s, p=0.21, not
    significant'."""
    metric = METRICS[result.metric]
    effect = result.result.effect
    if metric.kind == MetricKind.PROPORTION:
        template = N_("up {value} percentage points") if effect >= 0 \
            else N_("down {value} percentage points")
        change = gettext(template, value=f"{abs(effect) * 100:.2f}")
    else:
        template = N_("up {value} {unit}") if effect >= 0 else N_("down {value} {unit}")
        change = gettext(template, value=f"{abs(effect):.1f}", unit=gettext(metric.unit))
    verdict = gettext(N_("significant")) if result.result.significant \
        else gettext(N_("not significant"))
    return f"{change}, {format_p(result.result.p_value)}, {verdict}"


def name_of_test(result: MetricResult) -> str:
    return gettext(TEST_NAMES[result.result.test])


def comparison_name(result: MetricResult) -> str:
    return gettext(COMPARISONS[result.comparison])


def row_prefix(row: int) -> str:
    """'Row 3: ' — row 0 is the file's header."""
    return gettext(N_("Header: ")) if row == 0 else gettext(N_("Row {row}: "), row=row)
