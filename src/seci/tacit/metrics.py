"""The metrics an evaluation compares, and which way is better."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from seci.core.i18n import N_


class MetricKind(StrEnum):
    PROPORTION = "proportion"  # successes of n
    MEAN = "mean"  # mean and standard deviation of n


@dataclass(frozen=True)
class Metric:
    code: str
    kind: MetricKind
    higher_is_better: bool
    unit: str = ""  # of a mean, e.g. seconds (a catalog message)


METRICS: dict[str, Metric] = {
    m.code: m for m in (
        Metric("fcr", MetricKind.PROPORTION, True),  # 一次解决率
        Metric("satisfaction", MetricKind.PROPORTION, True),  # 满意率
        Metric("repeat_complaints", MetricKind.PROPORTION, False),  # 重复投诉率
        Metric("handling_time", MetricKind.MEAN, False, N_("s")),  # 平均处理时长
    )
}
TEAM_ROLES = ("trial", "comparison")
PHASES = ("before", "after")
