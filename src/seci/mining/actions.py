"""A finding becomes knowledge in one step: a golden script a contribution to the six-step
pipeline (credited to the agents who use it most, the evidence attached); a knowledge gap
a draft article (its example customer questions as similar questions) or a contribution."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.core.errors import InvalidInput
from seci.core.i18n import N_, gettext
from seci.knowledge.articles import create_article
from seci.knowledge.models import Article
from seci.knowledge.validation import ArticleFields
from seci.mining.models import MiningRun
from seci.roster.models import RosterAgent
from seci.tacit.mining import ContributionInput, submit_contribution
from seci.tacit.models import Contribution, Kind, Source

MAX_SIMILAR = 8


class FindingNotFound(InvalidInput):
    code = "finding_not_found"
    message = N_("This finding is not in the mining run (it may have been re-run).")


def _finding(run: MiningRun, key: str, index: int) -> dict[str, Any]:
    items = run.findings.get(key) or []
    if not 0 <= index < len(items):
        raise FindingNotFound()
    found = items[index]
    assert isinstance(found, dict)
    return found


def _credited(session: Session, agent_ids: list[str]) -> list[User]:
    """The SECI logins of the agents, in the order given (agents without one are left)."""
    links = dict(session.execute(select(RosterAgent.agent_id, RosterAgent.user_id).where(
        RosterAgent.agent_id.in_(agent_ids), RosterAgent.user_id.is_not(None))).all())
    users = {u.id: u for u in session.scalars(select(User).where(
        User.id.in_([u for u in links.values() if u is not None])))}
    return [users[user_id] for a in agent_ids
            if (user_id := links.get(a)) is not None and user_id in users]


def golden_script_contribution(session: Session, *, actor: User, run: MiningRun,
                               index: int) -> Contribution:
    """A 话术 contribution from data mining, authored by the agent who says the script
    most (the others named), with the evidence in its text."""
    script = dict(_finding(run, "golden_scripts", index))
    if script.get("all_topics"):
        script["topic"] = gettext("all topics")
    credited = _credited(session, list(script.get("top_agents") or []))
    author = credited[0] if credited else actor
    content = gettext(
        "金牌话术 found in call transcripts ({topic}): “{phrase}”.\n\n"
        "Within the same agents' calls of {topic}, calls with it were resolved at first "
        "contact {effect} percentage points more often (95% CI {low} to {high}; q = {q}; "
        "{n_with} calls with it, {n_without} without).\nOther wordings: {variants}.\n"
        "Example calls: {examples}.\nAgents who use it most: {agents}.",
        topic=script["topic"], phrase=script["phrase"],
        effect=f"{script['effect_fcr'] * 100:+.1f}", low=f"{script['ci_low'] * 100:+.1f}",
        high=f"{script['ci_high'] * 100:+.1f}", q=f"{script['q_value']:.3g}",
        n_with=script["n_with"], n_without=script["n_without"],
        variants="；".join(script.get("variants") or []),
        examples=", ".join(script.get("example_call_ids") or []),
        agents=", ".join(script.get("top_agents") or []))
    return submit_contribution(session, actor=actor, author=author, data=ContributionInput(
        title=f"{script['topic']}：{script['phrase']}"[:200], content=content,
        kind=Kind.SCRIPT, source=Source.DATA_MINING))


def gap_draft_article(session: Session, *, actor: User, run: MiningRun, index: int,
                      module_id: int, title: str) -> Article:
    """A draft for the gap's topic, its customers' questions as similar questions."""
    gap = _finding(run, "knowledge_gaps", index)
    questions = [q for q in dict.fromkeys(gap.get("example_questions") or []) if q][
        :MAX_SIMILAR]
    body = gettext("Calls about {topic}: first-contact resolution {fcr}; agents hedged, "
                   "escalated or promised a call-back in {hedge} of them. Write the answer "
                   "agents were missing here.", topic=gap["topic"],
                   fcr=f"{gap['fcr'] * 100:.0f}%", hedge=f"{gap['hedge_share'] * 100:.0f}%")
    return create_article(session, actor=actor, fields=ArticleFields(
        title=title.strip() or str(gap["topic"]), body=body, module_id=module_id,
        tags=[str(gap["topic"])], similar_questions=[q[:200] for q in questions]))


def gap_contribution(session: Session, *, actor: User, run: MiningRun, index: int
                     ) -> Contribution:
    """A 疑难问题 contribution: the gap with its evidence, for the pipeline to answer."""
    gap = _finding(run, "knowledge_gaps", index)
    content = gettext(
        "Knowledge gap found in calls about {topic}: {calls} calls, first-contact "
        "resolution {fcr} (elsewhere {elsewhere}); agents hedged, escalated or promised a "
        "call-back in {hedge} of them. Customers asked: {questions}",
        topic=gap["topic"], calls=gap["calls"], fcr=f"{gap['fcr'] * 100:.0f}%",
        elsewhere=f"{gap['fcr_elsewhere'] * 100:.0f}%",
        hedge=f"{gap['hedge_share'] * 100:.0f}%",
        questions="；".join(gap.get("example_questions") or []))
    return submit_contribution(session, actor=actor, data=ContributionInput(
        title=gettext("Knowledge gap: {topic}", topic=gap["topic"])[:200], content=content,
        kind=Kind.QUESTION, source=Source.DATA_MINING))
