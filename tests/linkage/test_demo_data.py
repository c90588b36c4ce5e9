"""The demo shows suggestions in every state and one post-linkage chain run end to end."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.service import system_actor
from seci.demo.loader import load_demo
from seci.linkage import chain, flags
from seci.linkage.models import Notice
from seci.suggestions.models import Suggestion, SuggestionStatus


def test_demo_has_suggestions_in_every_state_and_a_full_chain(db: Session) -> None:
    load_demo(db)
    states = set(db.scalars(select(Suggestion.status)))
    assert states == {s.value for s in SuggestionStatus}
    assert db.scalar(select(Suggestion.id).where(Suggestion.anonymous.is_(True)))
    chains = {c.notice.title: c for c in chain.all_chains(db)}
    full = chains["关于推出5G畅享58元套餐的业务通告"]
    assert full.complete
    notice = db.scalars(select(Notice).where(Notice.id == full.notice.id)).one()
    assert len(flags.call_flags(db, notice_id=notice.id, actor=system_actor())) == 1
    assert any(not c.complete and c.overdue for c in chains.values())
