"""What an audit entry's object is called, and whether its reader may open it.

Apart from ``service`` because it reads the other domains (articles, users, suggestions,
notices …), which all write to the trail through ``service.record``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import Queue, User
from seci.accounts.roles import Perm
from seci.audit.models import AuditEvent
from seci.audit.service import require_audit_reader
from seci.knowledge.access import in_scope, module_scope
from seci.knowledge.models import Article
from seci.knowledge.modules import module_names_by_id, path_label
from seci.linkage.access import may_see
from seci.linkage.models import Notice
from seci.suggestions.access import may_read
from seci.suggestions.models import Suggestion
from seci.tacit.models import Contribution


@dataclass(frozen=True)
class AuditObject:
    """``name`` is empty when the object is gone or has no name; ``openable`` says the
    reader may open its page."""

    name: str
    openable: bool = False
    code: str = ""  # an identifier shown beside the name (a user's login name)


ObjectKey = tuple[str, str]


def _ids(keys: Iterable[ObjectKey], kind: str) -> list[int]:
    return [int(i) for t, i in keys if t == kind and i.isdigit()]


def describe_objects(session: Session, *, actor: User, events: Iterable[AuditEvent]
                     ) -> dict[ObjectKey, AuditObject]:
    """Names (and openability) of the entries' objects, and of their actors as
    ``("user", id)``, in a few queries for a page of entries."""
    require_audit_reader(actor)
    keys: set[ObjectKey] = set()
    for event in events:
        if event.entity_id is not None:
            keys.add((event.entity_type, event.entity_id))
        if event.actor_id is not None:
            keys.add(("user", str(event.actor_id)))
    found: dict[ObjectKey, AuditObject] = {}
    found |= _users(session, actor, _ids(keys, "user"))
    found |= _articles(session, actor, _ids(keys, "article"))
    found |= _modules(session, actor, _ids(keys, "module"))
    found |= _queues(session, actor, _ids(keys, "queue"))
    found |= _titled(session, actor, keys)
    return found


def _users(session: Session, actor: User, ids: list[int]) -> dict[ObjectKey, AuditObject]:
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.display_name, User.username)
                           .where(User.id.in_(ids)))
    may_open = actor.can(Perm.USER_MANAGE)
    return {("user", str(i)): AuditObject(name or username, may_open, username)
            for i, name, username in rows}


def _articles(session: Session, actor: User, ids: list[int]) -> dict[ObjectKey, AuditObject]:
    if not ids:
        return {}
    scope = module_scope(session, actor)
    rows = session.execute(select(Article.id, Article.code, Article.module_id)
                           .where(Article.id.in_(ids)))
    return {("article", str(i)): AuditObject(code, in_scope(scope, module_id))
            for i, code, module_id in rows}


def _modules(session: Session, actor: User, ids: list[int]) -> dict[ObjectKey, AuditObject]:
    if not ids:
        return {}
    modules = module_names_by_id(session)
    may_open = actor.can(Perm.MODULE_MANAGE)
    return {("module", str(i)): AuditObject(path_label(modules, i), may_open)
            for i in ids if i in modules}


def _queues(session: Session, actor: User, ids: list[int]) -> dict[ObjectKey, AuditObject]:
    if not ids:
        return {}
    rows = session.execute(select(Queue.id, Queue.code).where(Queue.id.in_(ids)))
    may_open = actor.can(Perm.QUEUE_MANAGE)
    return {("queue", str(i)): AuditObject(code, may_open) for i, code in rows}


def _titled(session: Session, actor: User, keys: set[ObjectKey]
            ) -> dict[ObjectKey, AuditObject]:
    """Contributions (open to every member of staff), suggestions and notices."""
    found: dict[ObjectKey, AuditObject] = {}
    by_kind: dict[str, list[int]] = defaultdict(list)
    for kind in ("contribution", "suggestion", "notice"):
        by_kind[kind] = _ids(keys, kind)
    if by_kind["contribution"]:
        for i, title in session.execute(select(Contribution.id, Contribution.title).where(
                Contribution.id.in_(by_kind["contribution"]))):
            found[("contribution", str(i))] = AuditObject(title, True)
    if by_kind["suggestion"]:
        for suggestion in session.scalars(select(Suggestion).where(
                Suggestion.id.in_(by_kind["suggestion"]))):
            found[("suggestion", str(suggestion.id))] = AuditObject(
                suggestion.title, may_read(actor, suggestion))
    if by_kind["notice"]:
        for notice in session.scalars(select(Notice).where(
                Notice.id.in_(by_kind["notice"]))):
            found[("notice", str(notice.id))] = AuditObject(notice.title, may_see(actor, notice))
    return found
