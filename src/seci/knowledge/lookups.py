"""Names for ids (modules, queues, users) gathered once per request for display."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import Queue, User
from seci.accounts.service import users_by_id
from seci.core.errors import FieldErrors
from seci.knowledge.models import Module
from seci.knowledge.modules import breadcrumb, module_names_by_id, path_label


@dataclass(frozen=True)
class Lookups:
    modules: dict[int, Module]
    queues: dict[int, Queue]
    users: dict[int, User]

    def module_path(self, module_id: int) -> str:
        return path_label(self.modules, module_id)

    def crumbs(self, module_id: int) -> list[Module]:
        return breadcrumb(self.modules, module_id)

    def queue_codes(self, queue_ids: Iterable[int]) -> list[str]:
        return [self.queues[q].code for q in sorted(queue_ids) if q in self.queues]

    def user_name(self, user_id: int | None) -> str | None:
        if user_id is None:
            return None
        user = self.users.get(user_id)
        return user.display_name if user else None


def load_lookups(session: Session, user_ids: Iterable[int | None] = ()) -> Lookups:
    return Lookups(
        modules=module_names_by_id(session),
        queues={q.id: q for q in session.scalars(select(Queue))},
        users=users_by_id(session, (u for u in user_ids if u is not None)),
    )


def queue_ids_for_codes(session: Session, codes: Iterable[str]) -> list[int]:
    """Resolve queue codes; unknown ones are reported as field errors."""
    known = {q.code: q.id for q in session.scalars(select(Queue))}
    wanted = [code.strip() for code in codes if code.strip()]
    unknown = [code for code in wanted if code not in known]
    if unknown:
        raise FieldErrors([{"field": "queues", "code": "unknown_queue", "value": code}
                           for code in unknown])
    return sorted({known[code] for code in wanted})
