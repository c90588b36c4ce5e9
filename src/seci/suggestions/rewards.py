"""Points for an adopted suggestion, in the contribution ledger of the tacit pipeline
(``seci.tacit.incentives.award_points``: idempotent per source, reason code
``suggestion_adopted``, amount from the configurable points table).

An anonymous suggestion earns no points: a ledger line "suggestion #12" in the author's
points history would name the author to everyone who may read it. Its 花红 and 红花 still
reach the author through the department that pays them.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.suggestions.models import Suggestion
from seci.tacit import incentives

POINTS_REASON = "suggestion_adopted"
POINTS_SOURCE = "suggestion"


def award_adoption_points(session: Session, *, suggestion: Suggestion, actor: User) -> None:
    """Credit the author's points for an adopted suggestion (once; none when anonymous)."""
    if suggestion.anonymous:
        return
    incentives.award_points(session, user_id=suggestion.author_id, reason_code=POINTS_REASON,
                            source_type=POINTS_SOURCE, source_id=suggestion.id, actor=actor)
