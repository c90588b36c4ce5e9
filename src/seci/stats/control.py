"""Shewhart control charts, after Montgomery, *Introduction to Statistical Quality Control*
(chapters 6 and 7): p, np, c and u charts for attributes, individuals and moving range
(I-MR) and X̄-S for measurements.

Every chart takes an optional `baseline` (Montgomery's phase I): the points whose data
estimate the centre line and sigma — a `range` or `slice` of indexes, or one bool per
point; None means all points. The limits are then applied to every point. Each point i
gets its own centre line CLᵢ, sigma σᵢ and limits CLᵢ ± 3σᵢ (the lower one floored at 0
for counts, rates and spreads), since subgroup sizes may vary. Points without data
(n = 0, or n < 2 for X̄-S) are None throughout and never divide by zero. A baseline
without data gives a chart whose `center` and limits are all None and which flags nothing.
Special causes are looked for with `seci.stats.rules` on zᵢ = (xᵢ − CLᵢ)/σᵢ.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from seci.stats.rules import BEYOND_LIMITS, WESTERN_ELECTRIC, special_causes, standardize
from seci.stats.summaries import Sample

Baseline = range | slice | Sequence[bool] | None

SIGMA_LIMITS = 3.0
# Moving ranges of two: the mean of |X₁ − X₂| for unit-variance normals is d₂ = 2/√π
# (≈ 1.128) and its sd d₃ = √(2 − 4/π) (≈ 0.853); D₄ = 1 + 3d₃/d₂ ≈ 3.267, D₃ = 0.
D2_MOVING_RANGE = 2 / math.sqrt(math.pi)
D3_MOVING_RANGE = math.sqrt(2 - 4 / math.pi)
D4_MOVING_RANGE = 1 + SIGMA_LIMITS * D3_MOVING_RANGE / D2_MOVING_RANGE


@dataclass(frozen=True)
class ControlChart:
    """One chart: what is plotted, its limits point by point, and the special causes.

    `chart` is a code: p, np, c, u, individuals, moving_range, xbar, s.
    `center` is the estimated parameter and centre line (p̄, c̄, ū, x̄, MR̄, x̿, s̄); the np
    chart's centre line nᵢp̄ moves with nᵢ, so there `center` is p̄ and `centers` holds the
    per-point lines. Lists have one entry per input point; None where a point has no data.
    `violations` maps each rule code checked to the indexes completing a violation.
    """

    chart: str
    center: float | None
    values: list[float | None]
    centers: list[float | None]
    sigmas: list[float | None]
    lower: list[float | None]
    upper: list[float | None]
    baseline: list[bool]
    violations: dict[str, list[int]]

    @property
    def z_scores(self) -> list[float | None]:
        """zᵢ = (xᵢ − CLᵢ)/σᵢ, the series the rules read."""
        return standardize(self.values, self.centers, self.sigmas)

    @property
    def signals(self) -> list[int]:
        """Every index flagged by any rule, ascending."""
        return sorted({i for indexes in self.violations.values() for i in indexes})


@dataclass(frozen=True)
class IndividualsMovingRangeChart:
    """The I-MR pair: the individual values and their moving ranges of two."""

    individuals: ControlChart
    moving_range: ControlChart


@dataclass(frozen=True)
class XbarSChart:
    """The X̄-S pair. `subgroup_size` is the common n when every usable subgroup has the
    same size (constant-n formulas), None when sizes vary (variable-size formulas)."""

    xbar: ControlChart
    s: ControlChart
    subgroup_size: int | None


def c4(n: int) -> float:
    """c₄(n) = √(2/(n − 1)) · Γ(n/2) / Γ((n − 1)/2), so that E[s] = c₄σ for n normal
    values; computed with log-gamma, exact for any n ≥ 2 (c₄(5) = 0.9400)."""
    if n < 2:
        raise ValueError("c4 needs a subgroup of at least 2")
    return math.sqrt(2 / (n - 1)) * math.exp(math.lgamma(n / 2) - math.lgamma((n - 1) / 2))


def a3(n: int) -> float:
    """A₃(n) = 3 / (c₄√n): X̄ limits x̿ ± A₃s̄ (A₃(5) = 1.427)."""
    return SIGMA_LIMITS / (c4(n) * math.sqrt(n))


def b3(n: int) -> float:
    """B₃(n) = max(0, 1 − 3√(1 − c₄²)/c₄): S chart LCL = B₃s̄ (B₃(10) = 0.284)."""
    k = c4(n)
    return max(0.0, 1 - SIGMA_LIMITS * math.sqrt(1 - k * k) / k)


def b4(n: int) -> float:
    """B₄(n) = 1 + 3√(1 − c₄²)/c₄: S chart UCL = B₄s̄ (B₄(5) = 2.089)."""
    k = c4(n)
    return 1 + SIGMA_LIMITS * math.sqrt(1 - k * k) / k


def baseline_mask(baseline: Baseline, length: int) -> list[bool]:
    """One bool per point: in the baseline or not. None → every point; a range or slice →
    those indexes (a range must stay within 0…length − 1); bools → as given (same length).
    ValueError on an empty baseline of a non-empty series."""
    if baseline is None:
        mask = [True] * length
    elif isinstance(baseline, slice | range):
        indexes = range(length)[baseline] if isinstance(baseline, slice) else baseline
        if any(not 0 <= i < length for i in indexes):
            raise ValueError(f"baseline {baseline} reaches outside the {length} points")
        chosen = set(indexes)
        mask = [i in chosen for i in range(length)]
    else:
        mask = [bool(flag) for flag in baseline]
        if len(mask) != length:
            raise ValueError(f"the baseline mask has {len(mask)} entries for {length} points")
    if length and not any(mask):
        raise ValueError("the baseline holds no points")
    return mask


def p_chart(nonconforming: Sequence[int], sizes: Sequence[int] | int, *,
            baseline: Baseline = None, rules: Sequence[str] = WESTERN_ELECTRIC
            ) -> ControlChart:
    """Fraction nonconforming (Montgomery ch. 7), subgroup sizes constant or varying.

    pᵢ = xᵢ/nᵢ;  p̄ = Σ_baseline xᵢ / Σ_baseline nᵢ;  σᵢ = √(p̄(1 − p̄)/nᵢ);
    UCLᵢ = p̄ + 3σᵢ,  LCLᵢ = max(0, p̄ − 3σᵢ). Points with nᵢ = 0 are None.
    """
    counts, ns = _counts_and_sizes(nonconforming, sizes)
    mask = baseline_mask(baseline, len(counts))
    p_bar = _ratio_over(counts, ns, mask)
    values = [x / n if n else None for x, n in zip(counts, ns, strict=True)]
    sigmas = [math.sqrt(p_bar * (1 - p_bar) / n) if p_bar is not None and n else None
              for n in ns]
    centers = [p_bar if n else None for n in ns]
    return _chart("p", p_bar, values, centers, sigmas, mask, rules)


def np_chart(nonconforming: Sequence[int], sizes: Sequence[int] | int, *,
             baseline: Baseline = None, rules: Sequence[str] = WESTERN_ELECTRIC
             ) -> ControlChart:
    """Number nonconforming (Montgomery ch. 7): plots xᵢ against CLᵢ = nᵢp̄ with
    σᵢ = √(nᵢp̄(1 − p̄)), LCLᵢ floored at 0; p̄ as for the p chart. `center` is p̄."""
    counts, ns = _counts_and_sizes(nonconforming, sizes)
    mask = baseline_mask(baseline, len(counts))
    p_bar = _ratio_over(counts, ns, mask)
    values: list[float | None] = [float(x) if n else None for x, n in zip(counts, ns,
                                                                          strict=True)]
    sigmas = [math.sqrt(n * p_bar * (1 - p_bar)) if p_bar is not None and n else None
              for n in ns]
    centers = [n * p_bar if p_bar is not None and n else None for n in ns]
    return _chart("np", p_bar, values, centers, sigmas, mask, rules)


def c_chart(counts: Sequence[int], *, baseline: Baseline = None,
            rules: Sequence[str] = WESTERN_ELECTRIC) -> ControlChart:
    """Nonconformities per inspection unit of constant size (Montgomery ch. 7).

    c̄ = mean of the baseline counts;  σ = √c̄;  UCL = c̄ + 3√c̄,  LCL = max(0, c̄ − 3√c̄).
    """
    if any(c < 0 for c in counts):
        raise ValueError("counts cannot be negative")
    mask = baseline_mask(baseline, len(counts))
    chosen = [c for c, inside in zip(counts, mask, strict=True) if inside]
    c_bar = sum(chosen) / len(chosen) if chosen else None
    values: list[float | None] = [float(c) for c in counts]
    sigmas = [math.sqrt(c_bar) if c_bar is not None else None for _ in counts]
    return _chart("c", c_bar, values, [c_bar] * len(counts), sigmas, mask, rules)


def u_chart(counts: Sequence[int], units: Sequence[float] | float, *,
            baseline: Baseline = None, rules: Sequence[str] = WESTERN_ELECTRIC
            ) -> ControlChart:
    """Nonconformities per unit, number of units varying (Montgomery ch. 7).

    uᵢ = cᵢ/nᵢ;  ū = Σ_baseline cᵢ / Σ_baseline nᵢ;  σᵢ = √(ū/nᵢ);
    UCLᵢ = ū + 3σᵢ,  LCLᵢ = max(0, ū − 3σᵢ). Units may be fractional (hours, thousands of
    calls); points with nᵢ = 0 are None.
    """
    ns = [float(units)] * len(counts) if isinstance(units, int | float) else list(units)
    if len(ns) != len(counts):
        raise ValueError("counts and units need the same length")
    if any(c < 0 for c in counts) or any(n < 0 for n in ns):
        raise ValueError("counts and units cannot be negative")
    mask = baseline_mask(baseline, len(counts))
    u_bar = _ratio_over(counts, ns, mask)
    values = [c / n if n else None for c, n in zip(counts, ns, strict=True)]
    sigmas = [math.sqrt(u_bar / n) if u_bar is not None and n else None for n in ns]
    centers = [u_bar if n else None for n in ns]
    return _chart("u", u_bar, values, centers, sigmas, mask, rules)


def individuals_moving_range_chart(
    values: Sequence[float | None], *, baseline: Baseline = None,
    rules: Sequence[str] = WESTERN_ELECTRIC, range_rules: Sequence[str] = BEYOND_LIMITS,
) -> IndividualsMovingRangeChart:
    """Individuals and moving range (Montgomery ch. 6).

    MRᵢ = |xᵢ − xᵢ₋₁| (with the previous value present; None values are skipped);
    x̄ = mean of the baseline values;  MR̄ = mean of the moving ranges whose two points are
    both in the baseline;  σ = MR̄/d₂, d₂ = 2/√π ≈ 1.128.
    I chart: x̄ ± 3MR̄/d₂.  MR chart: CL = MR̄, UCL = D₄MR̄ ≈ 3.267MR̄, LCL = 0
    (σ_MR = d₃MR̄/d₂, d₃ ≈ 0.853). Only the beyond-limits rule runs on the MR chart by
    default: successive moving ranges share a point, so run rules would over-signal.
    The baseline needs two successive values (one moving range); without, no limits.
    """
    mask = baseline_mask(baseline, len(values))
    ranges: list[float | None] = []
    range_mask: list[bool] = []
    previous: int | None = None
    for i, x in enumerate(values):
        if x is None or previous is None:
            ranges.append(None)
            range_mask.append(False)
        else:
            prior = values[previous]
            assert prior is not None
            ranges.append(abs(x - prior))
            range_mask.append(mask[i] and mask[previous])
        if x is not None:
            previous = i
    chosen = [x for x, inside in zip(values, mask, strict=True) if inside and x is not None]
    chosen_ranges = [r for r, inside in zip(ranges, range_mask, strict=True)
                     if inside and r is not None]
    mean = math.fsum(chosen) / len(chosen) if chosen else None
    mr_bar = math.fsum(chosen_ranges) / len(chosen_ranges) if chosen_ranges else None
    sigma = mr_bar / D2_MOVING_RANGE if mr_bar is not None else None
    individuals = _chart(
        "individuals", mean if sigma is not None else None, list(values),
        [mean if x is not None and sigma is not None else None for x in values],
        [sigma if x is not None else None for x in values], mask, rules, floor=None)
    range_sigma = sigma * D3_MOVING_RANGE if sigma is not None else None
    moving_range = _chart(
        "moving_range", mr_bar, ranges, [mr_bar if r is not None else None for r in ranges],
        [range_sigma if r is not None else None for r in ranges], range_mask, range_rules)
    return IndividualsMovingRangeChart(individuals, moving_range)


def xbar_s_chart(subgroups: Sequence[Sample], *, baseline: Baseline = None,
                 rules: Sequence[str] = WESTERN_ELECTRIC,
                 spread_rules: Sequence[str] = BEYOND_LIMITS) -> XbarSChart:
    """X̄ and S charts from subgroup summaries (mean, sd, n) (Montgomery ch. 6).

    Subgroups with n < 2 have no sd and are None on both charts (chart single values
    with the I-MR chart). With k baseline subgroups:
      constant n:  x̿ = Σx̄ᵢ/k,  s̄ = Σsᵢ/k;
      varying n:   x̿ = Σnᵢx̄ᵢ/Σnᵢ,  s̄ = √(Σ(nᵢ − 1)sᵢ² / Σ(nᵢ − 1));
    then for every point, with its own nᵢ:
      X̄ chart:  x̿ ± A₃(nᵢ)s̄            (σᵢ = s̄ / (c₄(nᵢ)√nᵢ));
      S chart:  CL = s̄, UCL = B₄(nᵢ)s̄, LCL = B₃(nᵢ)s̄  (σᵢ = s̄√(1 − c₄(nᵢ)²)/c₄(nᵢ)).
    "Constant n" means every usable subgroup of the series has the same n. Only the
    beyond-limits rule runs on the S chart by default (`spread_rules`).
    """
    if any(g.n < 0 or g.sd < 0 for g in subgroups):
        raise ValueError("subgroup sizes and standard deviations cannot be negative")
    mask = baseline_mask(baseline, len(subgroups))
    usable = [g.n >= 2 for g in subgroups]
    sizes = {g.n for g, ok in zip(subgroups, usable, strict=True) if ok}
    subgroup_size = next(iter(sizes)) if len(sizes) == 1 else None
    chosen = [g for g, ok, inside in zip(subgroups, usable, mask, strict=True)
              if ok and inside]
    grand_mean: float | None = None
    s_bar: float | None = None
    if chosen:
        grand_mean = math.fsum(g.n * g.mean for g in chosen) / sum(g.n for g in chosen)
        if subgroup_size is not None:
            s_bar = math.fsum(g.sd for g in chosen) / len(chosen)
        else:
            s_bar = math.sqrt(math.fsum((g.n - 1) * g.sd ** 2 for g in chosen)
                              / sum(g.n - 1 for g in chosen))
    means: list[float | None] = []
    sds: list[float | None] = []
    xbar_centers: list[float | None] = []
    xbar_sigmas: list[float | None] = []
    s_centers: list[float | None] = []
    s_sigmas: list[float | None] = []
    for g, ok in zip(subgroups, usable, strict=True):
        means.append(g.mean if ok else None)
        sds.append(g.sd if ok else None)
        if ok and grand_mean is not None and s_bar is not None:
            k = c4(g.n)
            xbar_centers.append(grand_mean)
            xbar_sigmas.append(s_bar / (k * math.sqrt(g.n)))
            s_centers.append(s_bar)
            s_sigmas.append(s_bar * math.sqrt(1 - k * k) / k)
        else:
            for column in (xbar_centers, xbar_sigmas, s_centers, s_sigmas):
                column.append(None)
    xbar = _chart("xbar", grand_mean, means, xbar_centers, xbar_sigmas, mask, rules,
                  floor=None)
    s = _chart("s", s_bar, sds, s_centers, s_sigmas, mask, spread_rules)
    return XbarSChart(xbar, s, subgroup_size)


def _counts_and_sizes(nonconforming: Sequence[int], sizes: Sequence[int] | int
                      ) -> tuple[list[int], list[int]]:
    ns = [sizes] * len(nonconforming) if isinstance(sizes, int) else list(sizes)
    if len(ns) != len(nonconforming):
        raise ValueError("nonconforming and sizes need the same length")
    if any(n < 0 or not 0 <= x <= n for x, n in zip(nonconforming, ns, strict=True)):
        raise ValueError("each subgroup needs 0 ≤ nonconforming ≤ n")
    return list(nonconforming), ns


def _ratio_over(counts: Sequence[int], sizes: Sequence[float], mask: Sequence[bool]
                ) -> float | None:
    """Σ counts / Σ sizes over the baseline; None when the baseline has no size."""
    total = sum(n for n, inside in zip(sizes, mask, strict=True) if inside)
    if not total:
        return None
    return sum(c for c, inside in zip(counts, mask, strict=True) if inside) / total


def _chart(code: str, center: float | None, values: list[float | None],
           centers: list[float | None], sigmas: list[float | None], mask: list[bool],
           rules: Sequence[str], *, floor: float | None = 0.0) -> ControlChart:
    upper: list[float | None] = []
    lower: list[float | None] = []
    for cl, sigma in zip(centers, sigmas, strict=True):
        if cl is None or sigma is None:
            upper.append(None)
            lower.append(None)
            continue
        upper.append(cl + SIGMA_LIMITS * sigma)
        low = cl - SIGMA_LIMITS * sigma
        lower.append(max(floor, low) if floor is not None else low)
    violations = special_causes(standardize(values, centers, sigmas), rules)
    return ControlChart(code, center, values, centers, sigmas, lower, upper, mask, violations)
