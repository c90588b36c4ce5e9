"""Synonym groups managers add to the shipped table (检索 > 同义词), effective without restart.

The shipped table (``data/synonyms.txt``) is the base; managers' rules come after it, so a
rule may take a variant over to another canonical term. Every write takes the next
``revision``; each server process applies the rules again when it sees a higher one (see
``SearchEngine.sync``), which re-tokenises the knowledge base in the background.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.audit.service import record
from seci.core.errors import Conflict, FieldErrors, NotFound, PermissionDenied
from seci.core.i18n import N_
from seci.retrieval.models import SynonymRule
from seci.retrieval.text import SynonymGroup, normalize, seed_synonyms

MAX_TERM = 40
MAX_VARIANTS = 50
_SEPARATORS = re.compile(r"[|,，、;；\s]+")


class StaleSynonymRule(Conflict):
    code = "stale_synonym_rule"
    message = N_("Someone else changed this synonym group meanwhile; reload and try again.")


@dataclass(frozen=True)
class RuleInput:
    canonical: str
    variants: list[str]
    note: str = ""


def split_terms(text: str) -> list[str]:
    """Variants as typed in one field: separated by '|', commas, 、 or spaces."""
    return [t for t in _SEPARATORS.split(text or "") if t]


def _need_manage(actor: User) -> None:
    if not actor.can(Perm.SYNONYMS_MANAGE):
        raise PermissionDenied()


def _clean(session: Session, data: RuleInput, rule_id: int | None) -> RuleInput:
    """Normalised terms, or FieldErrors naming every problem."""
    canonical = normalize(data.canonical)
    variants = list(dict.fromkeys(normalize(v) for v in data.variants if normalize(v)))
    variants = [v for v in variants if v != canonical]
    problems: list[dict[str, object]] = []
    if not canonical:
        problems.append({"field": "canonical", "code": "required"})
    elif len(canonical) > MAX_TERM:
        problems.append({"field": "canonical", "code": "too_long", "max": MAX_TERM,
                         "value": canonical})
    if not variants:
        problems.append({"field": "variants", "code": "required"})
    if len(variants) > MAX_VARIANTS:
        problems.append({"field": "variants", "code": "too_many", "max": MAX_VARIANTS})
    for variant in variants:
        if len(variant) > MAX_TERM:
            problems.append({"field": "variants", "code": "too_long", "max": MAX_TERM,
                             "value": variant})
    taken = _variants_in_other_rules(session, rule_id)
    for variant in variants:
        if variant in taken:
            problems.append({"field": "variants", "code": "synonym_taken", "value": variant,
                             "other": taken[variant]})
    if problems:
        raise FieldErrors(problems)
    return RuleInput(canonical, variants, (data.note or "").strip()[:200])


def _variants_in_other_rules(session: Session, rule_id: int | None) -> dict[str, str]:
    taken: dict[str, str] = {}
    for rule in session.scalars(select(SynonymRule).where(SynonymRule.active.is_(True))):
        if rule.id != rule_id:
            for variant in rule.variants:
                taken[variant] = rule.canonical
    return taken


def current_revision(session: Session) -> int:
    """The highest revision: changes whenever any rule is written."""
    return session.scalar(select(func.max(SynonymRule.revision))) or 0


def _stamp(session: Session, rule: SynonymRule, actor: User) -> None:
    with session.no_autoflush:  # the new row has no revision yet
        rule.revision = current_revision(session) + 1
    rule.updated_by_id = actor.id
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # another writer took the same revision at the same moment
        raise StaleSynonymRule() from None


def list_rules(session: Session, *, include_inactive: bool = False) -> list[SynonymRule]:
    query = select(SynonymRule).order_by(SynonymRule.canonical, SynonymRule.id)
    if not include_inactive:
        query = query.where(SynonymRule.active.is_(True))
    return list(session.scalars(query))


def get_rule(session: Session, rule_id: int) -> SynonymRule:
    rule = session.get(SynonymRule, rule_id)
    if rule is None or not rule.active:
        raise NotFound()
    return rule


def create_rule(session: Session, *, actor: User, data: RuleInput) -> SynonymRule:
    _need_manage(actor)
    clean = _clean(session, data, None)
    rule = SynonymRule(canonical=clean.canonical, variants=clean.variants, note=clean.note,
                       active=True, lock_version=1)
    session.add(rule)
    _stamp(session, rule, actor)
    record(session, actor=actor, action="synonym.create", entity_type="synonym",
           entity_id=rule.id, summary=_summary(clean), after=_snapshot(rule))
    return rule


def update_rule(session: Session, *, actor: User, rule_id: int, expected_lock_version: int,
                data: RuleInput) -> SynonymRule:
    _need_manage(actor)
    rule = get_rule(session, rule_id)
    if rule.lock_version != expected_lock_version:
        raise StaleSynonymRule()
    clean = _clean(session, data, rule.id)
    before = _snapshot(rule)
    rule.canonical, rule.variants, rule.note = clean.canonical, clean.variants, clean.note
    rule.lock_version += 1
    _stamp(session, rule, actor)
    record(session, actor=actor, action="synonym.update", entity_type="synonym",
           entity_id=rule.id, summary=_summary(clean), before=before, after=_snapshot(rule))
    return rule


def delete_rule(session: Session, *, actor: User, rule_id: int,
                expected_lock_version: int) -> None:
    """Deactivate (rules are kept for the audit trail and the revision sequence)."""
    _need_manage(actor)
    rule = get_rule(session, rule_id)
    if rule.lock_version != expected_lock_version:
        raise StaleSynonymRule()
    before = _snapshot(rule)
    rule.active = False
    rule.lock_version += 1
    _stamp(session, rule, actor)
    record(session, actor=actor, action="synonym.delete", entity_type="synonym",
           entity_id=rule.id, summary=rule.canonical, before=before)


def _snapshot(rule: SynonymRule) -> dict[str, object]:
    return {"canonical": rule.canonical, "variants": list(rule.variants), "note": rule.note}


def _summary(data: RuleInput) -> str:
    return f"{data.canonical} ← {'|'.join(data.variants)}"


def effective_groups(session: Session, seed: Sequence[SynonymGroup] | None = None
                     ) -> list[SynonymGroup]:
    """The shipped table, then managers' rules (a later group wins a contested variant)."""
    groups = list(seed if seed is not None else seed_synonyms())
    groups.extend(SynonymGroup(rule.canonical, tuple(rule.variants))
                  for rule in list_rules(session))
    return groups
