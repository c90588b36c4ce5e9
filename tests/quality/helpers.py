"""Building blocks for the QA tests: calls imported through the call domain's importer,
roster links between agent ids and logins, a small scorecard."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.quality.models import Scorecard
from seci.quality.sampling import SampleRequest
from seci.quality.scorecards import ItemSpec, ScorecardSpec, create_scorecard
from seci.quality.scoring import Marks
from seci.roster.models import RosterAgent
from tests.calls.helpers import call, run_import, write_jsonl
from tests.factories import World

_files = itertools.count()
SEPTEMBER = (date(2026, 9, 1), date(2026, 9, 30))


def import_calls(db: Session, world: World, tmp_path: Path,
                 records: list[dict[str, Any]]) -> None:
    """Import hand-made calls (see tests/calls/helpers.call) as the analyst would."""
    path = write_jsonl(tmp_path / f"qa-calls-{next(_files)}.jsonl", records)
    run_import(db, world, path)
    db.commit()


def calls_of(prefix: str, count: int, **overrides: Any) -> list[dict[str, Any]]:
    return [call(f"{prefix}{i:04d}", **overrides) for i in range(count)]


def link_agent(db: Session, agent_id: str, user: User | None, *, team: str = "A组",
               name: str = "张小云") -> RosterAgent:
    """The roster row that says who agent ``agent_id`` is."""
    agent = RosterAgent(agent_id=agent_id, name=name, team=team, hired_on=date(2025, 3, 1),
                        stage="mature", user_id=user.id if user else None)
    db.add(agent)
    db.commit()
    return agent


def small_scorecard(db: Session, world: World, *, pass_mark: float = 80.0) -> Scorecard:
    """Items worth 5, 10 and 15 points (30 in all); the 15-point one is critical."""
    card = create_scorecard(db, actor=world["manager"], spec=ScorecardSpec(
        name="测试评分表", pass_mark=pass_mark, items=[
            ItemSpec("开场白规范", 5), ItemSpec("需求理解准确", 10),
            ItemSpec("业务解答准确", 15, critical=True)]))
    db.commit()
    return card


def marks(card: Scorecard, points: list[int], failed: list[int] | None = None) -> Marks:
    """Marks by item position: points[i] for the i-th item; failed lists positions."""
    return Marks(points={item.id: p for item, p in zip(card.items, points, strict=True)},
                 failed_items=[card.items[i].id for i in failed or []])


def request(card: Scorecard, **overrides: Any) -> SampleRequest:
    values: dict[str, Any] = {"start": SEPTEMBER[0], "end": SEPTEMBER[1], "size": 10,
                              "scorecard_id": card.id, "seed": 42}
    values.update(overrides)
    return SampleRequest(**values)
