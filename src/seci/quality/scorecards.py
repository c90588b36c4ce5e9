"""Scorecards (质检评分表): create, edit until first used, copy as new, retire.

A scorecard is a list of items, each worth some points, some of them critical (致命项:
failing one fails the call and sets its total to 0), and a pass mark in % of the
points. Once a call has been scored with it, it no longer changes, so that scores stay
comparable; a changed scorecard is a copy, and the old one is retired.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.audit.service import record
from seci.core.errors import FieldErrors
from seci.quality.access import require_manage, require_read_scorecards
from seci.quality.errors import ScorecardInUse, ScorecardNotFound, ScorecardRetired
from seci.quality.models import QaScore, Scorecard, ScorecardItem

MAX_NAME = 120
MAX_DESCRIPTION = 2000
MAX_ITEMS = 40
MAX_ITEM_POINTS = 1000
DEFAULT_PASS_MARK = 80.0


@dataclass(frozen=True)
class ItemSpec:
    name: str
    max_points: int
    critical: bool = False
    description: str = ""


@dataclass(frozen=True)
class ScorecardSpec:
    """What a QA manager enters for a scorecard (also what the API and forms pass)."""

    name: str
    items: Sequence[ItemSpec]
    pass_mark: float = DEFAULT_PASS_MARK
    description: str = ""


def default_scorecard_spec() -> ScorecardSpec:
    """A scorecard for a Chinese telecom hotline: eight items worth 100 points, the two
    that can hurt a customer most critical, pass mark 80 %. (The names are data: a centre
    renames them as it likes.)"""
    return ScorecardSpec(
        name="热线通话质检标准",
        description="通用热线质检评分表：满分 100 分，80 分合格；致命项不合格则整通电话记 0 分。",
        pass_mark=DEFAULT_PASS_MARK,
        items=(
            ItemSpec("开场白规范", 10, description="使用标准开场白，报工号，语气热情。"),
            ItemSpec("身份核验", 10, description="办理涉及账户的业务前按规定核验机主身份。"),
            ItemSpec("需求理解准确", 15, description="耐心倾听，复述确认客户诉求，不答非所问。"),
            ItemSpec("业务解答准确", 25, critical=True,
                     description="资费、政策、办理方式解答正确完整；错误解答为致命项。"),
            ItemSpec("服务态度", 15, critical=True,
                     description="不推诿、不顶撞、不嘲讽客户；态度恶劣为致命项。"),
            ItemSpec("礼貌用语", 10, description="规范使用“您好”“请”“谢谢”等礼貌用语。"),
            ItemSpec("结束语规范", 5, description="确认是否还有其他需要，使用标准结束语。"),
            ItemSpec("工单/备注规范", 10, description="按要求填写工单或来电备注，内容准确完整。"),
        ),
    )


def _text_problems(field: str, value: str, limit: int, *, required: bool
                   ) -> list[dict[str, Any]]:
    if required and not value.strip():
        return [{"field": field, "code": "required", "value": ""}]
    if len(value) > limit:
        return [{"field": field, "code": "too_long", "value": "", "max": limit}]
    return []


def spec_problems(spec: ScorecardSpec) -> list[dict[str, Any]]:
    """Field-level problems of a scorecard; item fields are named items.<n>.<field>
    (n from 0) and carry ``item`` (n + 1) for people."""
    problems = _text_problems("name", spec.name, MAX_NAME, required=True)
    problems += _text_problems("description", spec.description, MAX_DESCRIPTION,
                               required=False)
    if not 0 <= spec.pass_mark <= 100:
        problems.append({"field": "pass_mark", "code": "out_of_range",
                         "value": spec.pass_mark, "min": 0, "max": 100})
    if not spec.items:
        problems.append({"field": "items", "code": "required", "value": ""})
    elif len(spec.items) > MAX_ITEMS:
        problems.append({"field": "items", "code": "too_many", "value": "", "max": MAX_ITEMS})
    seen: dict[str, int] = {}
    for index, item in enumerate(spec.items):
        prefix = f"items.{index}."
        for problem in (_text_problems(prefix + "name", item.name, MAX_NAME, required=True)
                        + _text_problems(prefix + "description", item.description,
                                         MAX_DESCRIPTION, required=False)):
            problems.append(problem | {"item": index + 1})
        if not 1 <= item.max_points <= MAX_ITEM_POINTS:
            problems.append({"field": prefix + "max_points", "code": "out_of_range",
                             "value": item.max_points, "min": 1, "max": MAX_ITEM_POINTS,
                             "item": index + 1})
        key = " ".join(item.name.split())
        if key and key in seen:
            problems.append({"field": prefix + "name", "code": "duplicate_figure",
                             "value": key, "first_row": seen[key] + 1, "item": index + 1})
        seen.setdefault(key, index)
    return problems


def _items(spec: ScorecardSpec) -> list[ScorecardItem]:
    return [ScorecardItem(position=index, name=" ".join(item.name.split()),
                          description=item.description.strip(), max_points=item.max_points,
                          critical=item.critical)
            for index, item in enumerate(spec.items)]


def _summary(card: Scorecard) -> dict[str, Any]:
    return {"name": card.name, "pass_mark": card.pass_mark, "active": card.active,
            "items": [[i.name, i.max_points, i.critical] for i in card.items]}


# --- reading -----------------------------------------------------------------------------


def get_scorecard(session: Session, *, scorecard_id: int) -> Scorecard:
    """A scorecard by id, for code that has already checked who asks (scores, samples)."""
    card = session.get(Scorecard, scorecard_id)
    if card is None:
        raise ScorecardNotFound(scorecard=scorecard_id)
    return card


def read_scorecard(session: Session, *, actor: User, scorecard_id: int) -> Scorecard:
    """A scorecard for inspectors and QA managers."""
    require_read_scorecards(actor)
    return get_scorecard(session, scorecard_id=scorecard_id)


def list_scorecards(session: Session, *, actor: User, active_only: bool = False
                    ) -> list[Scorecard]:
    """Active ones first, newest first."""
    require_read_scorecards(actor)
    query = select(Scorecard)
    if active_only:
        query = query.where(Scorecard.active.is_(True))
    return list(session.scalars(query.order_by(Scorecard.active.desc(), Scorecard.id.desc())))


def scorecard_in_use(session: Session, *, scorecard_id: int) -> bool:
    """Whether any call has been scored with the scorecard (then it is frozen)."""
    return bool(session.scalar(select(exists().where(QaScore.scorecard_id == scorecard_id))))


def usable_scorecard(session: Session, *, scorecard_id: int) -> Scorecard:
    """An active scorecard, for new samples and scores."""
    card = get_scorecard(session, scorecard_id=scorecard_id)
    if not card.active:
        raise ScorecardRetired()
    return card


# --- writing -----------------------------------------------------------------------------


def create_scorecard(session: Session, *, actor: User, spec: ScorecardSpec) -> Scorecard:
    """A new, active scorecard (QA managers)."""
    require_manage(actor)
    if problems := spec_problems(spec):
        raise FieldErrors(problems)
    card = Scorecard(name=" ".join(spec.name.split()), description=spec.description.strip(),
                     pass_mark=float(spec.pass_mark), active=True, created_by_id=actor.id,
                     items=_items(spec))
    session.add(card)
    session.flush()
    record(session, actor=actor, action="qa.scorecard_create", entity_type="qa_scorecard",
           entity_id=card.id, summary=card.name, after=_summary(card))
    return card


def update_scorecard(session: Session, *, actor: User, scorecard_id: int,
                     spec: ScorecardSpec) -> Scorecard:
    """Change a scorecard that no call has been scored with yet (else 409)."""
    require_manage(actor)
    card = get_scorecard(session, scorecard_id=scorecard_id)
    if scorecard_in_use(session, scorecard_id=scorecard_id):
        raise ScorecardInUse()
    if problems := spec_problems(spec):
        raise FieldErrors(problems)
    before = _summary(card)
    card.name = " ".join(spec.name.split())
    card.description = spec.description.strip()
    card.pass_mark = float(spec.pass_mark)
    card.items = _items(spec)
    session.flush()
    record(session, actor=actor, action="qa.scorecard_update", entity_type="qa_scorecard",
           entity_id=card.id, summary=card.name, before=before, after=_summary(card))
    return card


def copy_scorecard(session: Session, *, actor: User, scorecard_id: int,
                   name: str | None = None) -> Scorecard:
    """An editable, active copy of a scorecard (the way to change one in use)."""
    require_manage(actor)
    source = get_scorecard(session, scorecard_id=scorecard_id)
    spec = ScorecardSpec(
        name=name if name is not None else source.name, description=source.description,
        pass_mark=source.pass_mark,
        items=[ItemSpec(name=i.name, max_points=i.max_points, critical=i.critical,
                        description=i.description) for i in source.items])
    if problems := spec_problems(spec):
        raise FieldErrors(problems)
    card = Scorecard(name=" ".join(spec.name.split()), description=spec.description,
                     pass_mark=spec.pass_mark, active=True, created_by_id=actor.id,
                     items=_items(spec))
    session.add(card)
    session.flush()
    record(session, actor=actor, action="qa.scorecard_copy", entity_type="qa_scorecard",
           entity_id=card.id, summary=card.name, before={"copied_from": source.id},
           after=_summary(card))
    return card


def set_scorecard_active(session: Session, *, actor: User, scorecard_id: int,
                         active: bool) -> Scorecard:
    """Retire a scorecard (no new samples or scores with it) or bring it back."""
    require_manage(actor)
    card = get_scorecard(session, scorecard_id=scorecard_id)
    if card.active != active:
        card.active = active
        session.flush()
        record(session, actor=actor,
               action="qa.scorecard_restore" if active else "qa.scorecard_retire",
               entity_type="qa_scorecard", entity_id=card.id, summary=card.name,
               before={"active": not active}, after={"active": active})
    return card


def retire_scorecard(session: Session, *, actor: User, scorecard_id: int) -> Scorecard:
    """No new samples or scores with this scorecard; its scores stay as they are."""
    return set_scorecard_active(session, actor=actor, scorecard_id=scorecard_id, active=False)


def ensure_default_scorecard(session: Session, *, actor: User) -> Scorecard:
    """The default scorecard, created once (for the demo loader and a new centre)."""
    spec = default_scorecard_spec()
    existing = session.scalar(select(Scorecard).where(Scorecard.name == spec.name)
                              .order_by(Scorecard.id))
    return existing or create_scorecard(session, actor=actor, spec=spec)
