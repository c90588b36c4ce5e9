"""The team profile (画像, source 003): how a team is made up by gender, age band,
education, rank, communication style, tenure and growth stage. Team, hiring date and stage
come from the roster; the rest from ``people_profiles``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.audit.service import record
from seci.core.clock import today
from seci.core.db import insert_if_absent
from seci.core.errors import FieldErrors
from seci.people import access
from seci.people.errors import AgentNotFound, RoundNotFound
from seci.people.models import CommunicationStyle, Education, Gender, PersonProfile
from seci.roster.models import RosterAgent

# Facets in the order the page shows them.
FACETS = ("gender", "age_band", "education", "rank", "communication_style", "tenure_band",
          "stage")
UNKNOWN = "unknown"


def age_band(birth_year: int | None, on: date) -> str:
    """<25, 25–29, 30–34, 35–39, 40+ by age reached in the year of ``on``."""
    if birth_year is None:
        return UNKNOWN
    age = on.year - birth_year
    if age < 25:
        return "lt25"
    if age < 30:
        return "25_29"
    if age < 35:
        return "30_34"
    if age < 40:
        return "35_39"
    return "40plus"


def tenure_band(hired_on: date, on: date) -> str:
    """Under 6 months, 6–18 months, 18 months–3 years, 3 years and more (the first two match
    the stages' 180 and 540 days)."""
    days = (on - hired_on).days
    if days < 180:
        return "lt6m"
    if days < 540:
        return "6_18m"
    if days < 3 * 365:
        return "18m_3y"
    return "3yplus"


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int
    share: float


@dataclass(frozen=True)
class TeamProfile:
    team: str
    size: int
    facets: dict[str, list[FacetCount]]


def facet_values(agent: RosterAgent, profile: PersonProfile | None, on: date) -> dict[str, str]:
    return {
        "gender": (profile.gender if profile else None) or UNKNOWN,
        "age_band": age_band(profile.birth_year if profile else None, on),
        "education": (profile.education if profile else None) or UNKNOWN,
        "rank": (profile.rank if profile else None) or UNKNOWN,
        "communication_style": (profile.communication_style if profile else None) or UNKNOWN,
        "tenure_band": tenure_band(agent.hired_on, on),
        "stage": agent.stage or UNKNOWN,
    }


def team_profile(session: Session, *, actor: User, team: str) -> TeamProfile:
    """Counts and shares per facet over the team's current agents (unknown counted apart)."""
    if not access.may_assess_team(actor, team):
        raise RoundNotFound()
    agents = list(session.scalars(select(RosterAgent).where(
        RosterAgent.team == team, RosterAgent.left_on.is_(None))))
    profiles = {p.roster_agent_id: p for p in session.scalars(select(PersonProfile).where(
        PersonProfile.roster_agent_id.in_([a.id for a in agents])))}
    on = today()
    counters: dict[str, Counter[str]] = {facet: Counter() for facet in FACETS}
    for agent in agents:
        for facet, value in facet_values(agent, profiles.get(agent.id), on).items():
            counters[facet][value] += 1
    size = len(agents)
    return TeamProfile(team, size, {
        facet: [FacetCount(value, count, count / size)
                for value, count in sorted(counter.items(),
                                           key=lambda kv: (kv[0] == UNKNOWN, -kv[1], kv[0]))]
        for facet, counter in counters.items()})


def set_profile(session: Session, *, actor: User, agent_id: str, gender: str | None,
                birth_year: int | None, education: str | None, rank: str | None,
                communication_style: str | None) -> PersonProfile:
    """Record what the roster lacks about an agent (for the trainer or the team's lead)."""
    agent = session.scalar(select(RosterAgent).where(RosterAgent.agent_id == agent_id))
    if agent is None or not access.may_assess_team(actor, agent.team):
        access.require_assessor(actor)
        raise AgentNotFound()
    errors: list[dict[str, object]] = []
    for name, value, allowed in (("gender", gender, Gender), ("education", education, Education),
                                 ("communication_style", communication_style,
                                  CommunicationStyle)):
        if value and value not in {member.value for member in allowed}:
            errors.append({"field": name, "code": "invalid_choice", "value": value})
    year = today().year
    if birth_year is not None and not year - 70 <= birth_year <= year - 16:
        errors.append({"field": "birth_year", "code": "out_of_range", "min": year - 70,
                       "max": year - 16, "value": birth_year})
    if rank and len(rank) > 40:
        errors.append({"field": "rank", "code": "too_long", "max": 40})
    if errors:
        raise FieldErrors(errors)
    mine = select(PersonProfile).where(PersonProfile.roster_agent_id == agent.id)
    profile = session.scalar(mine)
    if profile is None:  # a form sent twice at once makes one profile
        insert_if_absent(session, PersonProfile, {"roster_agent_id": agent.id},
                         ["roster_agent_id"])
        profile = session.scalar(mine)
        assert profile is not None
    profile.gender = gender or None
    profile.birth_year = birth_year
    profile.education = education or None
    profile.rank = (rank or "").strip() or None
    profile.communication_style = communication_style or None
    session.flush()
    record(session, actor=actor, action="competency.profile", entity_type="roster_agent",
           entity_id=agent.agent_id, summary=agent.name)
    return profile
