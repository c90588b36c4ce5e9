"""Points for an adopted suggestion in the contribution ledger of the tacit pipeline.

Agreed hook, deliberately a no-op on this branch: the ledger
(``seci.tacit.incentives.award_points``, idempotent per source, reason code
``suggestion_adopted``) lives on the pipeline's branch. At the merge this function's body
becomes::

    incentives.award_points(session, user_id=suggestion.author_id,
                            reason_code="suggestion_adopted", source_type="suggestion",
                            source_id=suggestion.id, actor=actor)

Everything else already calls it at the right moment (when a suggestion is adopted), so
the merge changes this one body and its test.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.suggestions.models import Suggestion

POINTS_REASON = "suggestion_adopted"
POINTS_SOURCE = "suggestion"


def award_adoption_points(session: Session, *, suggestion: Suggestion, actor: User) -> None:
    """Credit the author's points for an adopted suggestion (no-op until the ledger merges)."""
    del session, suggestion, actor  # used once the ledger exists (see the module docstring)
