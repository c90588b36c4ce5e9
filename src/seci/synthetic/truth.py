"""What was planted, in a form tests and ``ground_truth.json`` share.

Rates are probability points (−0.08 = 8 pp lower). FCR effects act on
``resolved_first_contact``; the training effect on the satisfied share (satisfaction 4–5 among
answered surveys). Weeks start on Monday; ``week_index`` 0 is the week of ``start``.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from seci.synthetic.effects import (
    BetterAgentTruth,
    ComplaintSpikeTruth,
    LongCallsTruth,
    LuckyAgentTruth,
    TeamGapTruth,
    TrainingTruth,
    UnstableAgentTruth,
)

_BUILT_IN: dict[str, type[Any]] = {
    "team_gap": TeamGapTruth, "complaint_spike": ComplaintSpikeTruth,
    "lucky_agent": LuckyAgentTruth, "better_agent": BetterAgentTruth,
    "unstable_agent": UnstableAgentTruth, "long_calls": LongCallsTruth,
    "training": TrainingTruth,
}


@dataclass(frozen=True)
class GroundTruth:
    seed: int
    start: date
    end: date  # last day with calls
    week_starts: tuple[date, ...]
    base_calls: int  # calls before effects added any
    total_calls: int  # distinct call_ids (re-exports not counted)
    baseline_fcr: float  # expected FCR with no effects (used to size them)
    baseline_complaint_rate: float
    stage_rule: str = "新员工 < 180 days ≤ 成长期 < 540 days ≤ 成熟期 (tenure on the snapshot day)"
    team_gap: TeamGapTruth | None = None
    complaint_spike: ComplaintSpikeTruth | None = None
    lucky_agent: LuckyAgentTruth | None = None
    better_agent: BetterAgentTruth | None = None
    unstable_agent: UnstableAgentTruth | None = None
    long_calls: LongCallsTruth | None = None
    training: TrainingTruth | None = None
    extensions: dict[str, Any] = field(default_factory=dict)  # truths of extra effects

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: dates as ISO strings, tuples as lists."""
        return typing.cast(dict[str, Any], _plain(dataclasses.asdict(self)))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GroundTruth:
        """Read back what ``to_dict`` wrote (``ground_truth.json``)."""
        values: dict[str, Any] = {}
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            if f.name not in data:
                continue
            raw = data[f.name]
            if f.name in _BUILT_IN:
                values[f.name] = None if raw is None else _build(_BUILT_IN[f.name], raw)
            else:
                values[f.name] = _convert(hints[f.name], raw)
        return cls(**values)


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _plain(dataclasses.asdict(value))
    return value


def _build(cls: type[Any], data: dict[str, Any]) -> Any:
    hints = typing.get_type_hints(cls)
    return cls(**{f.name: _convert(hints[f.name], data[f.name])
                  for f in dataclasses.fields(cls) if f.name in data})


def _convert(hint: Any, raw: Any) -> Any:
    if hint is date:
        return date.fromisoformat(raw)
    origin = typing.get_origin(hint)
    if origin is tuple:
        inner = typing.get_args(hint)[0]
        return tuple(_convert(inner, v) for v in raw)
    return raw
