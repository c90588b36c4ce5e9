"""Demo competency assessment: the shipped model (source 003), a closed round for A组 with
self, team-lead and peer ratings (paper forms for agents without a SECI login), the
team's profile, and scores that follow each agent's first-contact resolution, so the
results, the radar charts and the correlation page show what source 003 found: weak spots
in 工作能力 (人际交往能力, 亲和力, 理解能力) and a positive link with past performance."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.core.clock import today, utcnow
from seci.people import competency
from seci.people.competency import model_spec
from seci.people.models import (
    AssessmentAnswer,
    AssessmentForm,
    AssessmentRound,
    FormStatus,
    PersonProfile,
    Relation,
    RoundStatus,
)
from seci.people.performance import call_figures
from seci.people.rounds import peers_for, team_agents
from seci.roster.models import RosterAgent

DEMO_TEAM = "A组"
SEED = 2016
# Item offsets from the agent's level: the source's weak items (3.32, 3.53, 3.62 against a
# team mean of 3.91) lowest.
WEAK = {"人际交往能力": -0.6, "亲和力": -0.4, "理解能力": -0.3}
LENIENCY = {Relation.SELF: 0.35, Relation.SUPERVISOR: -0.1, Relation.PEER: 0.1}


def load_competency_demo(session: Session, users: dict[str, User]) -> AssessmentRound | None:
    trainer, lead = users["trainer"], users["supervisor"]
    agents = team_agents(session, DEMO_TEAM)
    if not agents:
        return None
    model = competency.create_from_template(session, actor=trainer)
    spec = model_spec(session, model.id)
    rnd = random.Random(SEED)  # noqa: S311 - reproducible demo data, no secret
    opened = utcnow() - timedelta(days=16)
    found = AssessmentRound(model_id=model.id, team=DEMO_TEAM, title="2026年第四季度胜任力评估",
                            status=RoundStatus.CLOSED, deadline=today() - timedelta(days=4),
                            opened_by_id=trainer.id, opened_at=opened,
                            closed_at=utcnow() - timedelta(days=2))
    session.add(found)
    session.flush()
    fcr = call_figures(session, found, "fcr")
    mean_fcr = sum(fcr.values()) / len(fcr) if fcr else 0.0
    level = {a.id: 3.95 + 6.0 * (fcr.get(a.agent_id, mean_fcr) - mean_fcr) + rnd.gauss(0, 0.15)
             for a in agents}
    forms: list[tuple[AssessmentForm, float]] = []
    peers = peers_for(agents, 3, shuffle=False)
    for agent in agents:
        raters = [(Relation.SELF, agent.user_id, agent.id), (Relation.SUPERVISOR, lead.id, None)]
        raters += [(Relation.PEER, p.user_id, p.id) for p in peers[agent.id]]
        for relation, user_id, rater_agent in raters:
            form = AssessmentForm(round_id=found.id, rated_agent_id=agent.id, relation=relation,
                                  rater_user_id=user_id, rater_agent_id=rater_agent,
                                  status=FormStatus.SUBMITTED, saved_at=opened,
                                  submitted_at=opened + timedelta(days=rnd.randint(1, 10)))
            session.add(form)
            forms.append((form, level[agent.id] + LENIENCY[relation]))
    session.flush()
    answers = []
    for form, base in forms:
        for item in spec.items():
            offset = WEAK.get(item.name, 0.12)
            for q in item.questions:
                score = round(base + offset + rnd.gauss(0, 0.45))
                answers.append({"form_id": form.id, "question_id": q.id,
                                "score": min(5, max(1, score))})
    session.execute(insert(AssessmentAnswer), answers)
    form_by_agent = {f.rated_agent_id: f for f, _ in forms if f.relation == Relation.SUPERVISOR}
    form_by_agent[agents[0].id].comment = "沟通亲切，遇到情绪激动的客户可以多用安抚话术。"
    _profiles(session, agents, rnd)
    session.flush()
    return found


def _profiles(session: Session, agents: list[RosterAgent], rnd: random.Random) -> None:
    existing = set(session.scalars(select(PersonProfile.roster_agent_id)))
    year = today().year
    for agent in agents:
        if agent.id in existing:
            continue
        session.add(PersonProfile(
            roster_agent_id=agent.id, gender=rnd.choices(["female", "male"], [0.75, 0.25])[0],
            birth_year=year - rnd.randint(21, 38),
            education=rnd.choices(["secondary", "college", "bachelor"], [0.15, 0.55, 0.3])[0],
            rank=rnd.choice(["一级客服代表", "二级客服代表", "三级客服代表"]),
            communication_style=rnd.choices(["amiable", "expressive", "analytical", "driver"],
                                            [0.5, 0.2, 0.2, 0.1])[0]))
