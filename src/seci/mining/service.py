"""Running the miners over a period and keeping what they found (``MiningRun``).

The extraction of features (``extract``) runs first, in batches the job commits; the
analysis then reads every call of the period with its features and runs each finder. Too
little data for a finding says so ("not enough calls (n=…, need …)") instead of drawing
an empty chart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.calls.errors import NotEnoughCalls
from seci.calls.kpis import Period
from seci.core.clock import utcnow
from seci.core.errors import PermissionDenied
from seci.core.memory import release_free_memory
from seci.mining.alerts import alert_owners
from seci.mining.dataset import Dataset, load_dataset
from seci.mining.errors import MiningRunNotFound
from seci.mining.gaps import KnowledgeGap, find_knowledge_gaps
from seci.mining.golden import candidate_groups, find_golden_scripts
from seci.mining.longcalls import explain_long_calls
from seci.mining.matching import agent_matching, recommendations
from seci.mining.models import MiningRun
from seci.mining.topics import find_bursts, hot_topics, topic_words
from seci.retrieval import log as search_log

MIN_CALLS = 200  # below this no finding is worth stating
SEARCH_LOG_DAYS = 90
SEARCH_LOG_QUERIES = 500
SEARCH_LOG_MATCHES = 8
MATCHING_PER_TOPIC = 15
SEARCH_SAMPLE = 10

Answerability = Callable[[list[str]], float | None]


def require_mining(actor: User) -> None:
    """Analysts, quality staff and managers run the miners."""
    if not actor.can(Perm.CALLS_ANALYZE):
        raise PermissionDenied()


def may_read_findings(actor: User) -> bool:
    """Findings are the centre's: analysts, managers, quality staff and team leads read
    them (example calls open only where the call scope allows)."""
    return actor.can(Perm.CALLS_ANALYZE) or actor.can(Perm.CALLS_TEAM)


def analyse(session: Session, *, actor: User, period: Period,
            answerability: Answerability | None = None,
            progress: Callable[[str], None] | None = None) -> tuple[dict[str, Any], int]:
    """Run every miner over the period's calls (features already extracted): the findings
    and the number of calls. Reads only; ``store_run`` keeps them."""
    require_mining(actor)
    step = progress or (lambda _phase: None)
    step("loading")
    data = load_dataset(session, period=period)
    if data.size < MIN_CALLS:
        raise NotEnoughCalls(n=data.size, need=MIN_CALLS)
    return mine(session, data, answerability=answerability, progress=step), data.size


def store_run(session: Session, *, actor: User, period: Period, findings: dict[str, Any],
              calls: int) -> MiningRun:
    """Keep a run's findings and tell the owners of the modules its bursts concern."""
    require_mining(actor)
    run = MiningRun(start=period.start, end=period.end, calls=calls, findings=findings,
                    created_by_id=actor.id)
    session.add(run)
    session.flush()
    alert_owners(session, run)
    return run


def mine(session: Session, data: Dataset, *, answerability: Answerability | None = None,
         progress: Callable[[str], None] = lambda _phase: None) -> dict[str, Any]:
    """Every finder over a loaded dataset, as the JSON the CLI prints and a run stores."""
    progress("scripts")
    groups = candidate_groups(session, data)
    golden = find_golden_scripts(session, data, groups=groups)
    release_free_memory()  # each finder's temporaries, before the next builds its own
    progress("bursts")
    bursts = find_bursts(session, data)
    release_free_memory()
    progress("gaps")
    gaps = find_knowledge_gaps(data)
    _link_search_log(session, data, gaps)
    if answerability is not None:
        _add_search_evidence(gaps, answerability)
    progress("matching")
    ranked = agent_matching(data)
    progress("long_calls")
    long_calls = explain_long_calls(session, data, groups=groups)
    return {
        "calls": data.size,
        "weeks": [w.isoformat() for w in data.weeks],
        "golden_scripts": [g.as_dict() for g in golden],
        "hot_topics": [b.as_dict() for b in bursts],
        "topics": [asdict(t) for t in hot_topics(session, data)],
        "knowledge_gaps": [g.as_dict() for g in gaps],
        "agent_matching": {topic: [a.as_dict() for a in agents[:MATCHING_PER_TOPIC]]
                           for topic, agents in ranked.items()},
        "recommendations": recommendations(data, ranked),
        "long_calls": long_calls.as_dict(),
    }


def _link_search_log(session: Session, data: Dataset, gaps: list[KnowledgeGap]) -> None:
    """Each gap's marking customer words, and the search log's unanswered queries (over
    the latest ``SEARCH_LOG_DAYS``) that name its topic or one of them."""
    queries = [q.example for q in search_log.query_stats(
        session, since=utcnow() - timedelta(days=SEARCH_LOG_DAYS), gaps_only=True,
        limit=SEARCH_LOG_QUERIES)]
    codes = {topic: code for code, topic in enumerate(data.topics)}
    for gap in gaps:
        if not gap.is_gap:
            continue
        gap.words = topic_words(session, data, codes[gap.topic], limit=6)
        names = [gap.topic.lower(), *(w.lower() for w in gap.words)]
        gap.search_log_gaps = [q for q in queries if any(n in q.lower() for n in names)][
            :SEARCH_LOG_MATCHES]


def _add_search_evidence(gaps: list[KnowledgeGap], answerability: Answerability) -> None:
    for gap in gaps:
        if gap.is_gap and gap.example_questions:
            gap.search_answered_share = answerability(gap.example_questions[:SEARCH_SAMPLE])


def latest_run(session: Session, *, actor: User) -> MiningRun | None:
    if not may_read_findings(actor):
        raise PermissionDenied()
    return session.scalar(select(MiningRun).order_by(MiningRun.id.desc()).limit(1))


def get_run(session: Session, *, actor: User, run_id: int) -> MiningRun:
    if not may_read_findings(actor):
        raise PermissionDenied()
    run = session.get(MiningRun, run_id)
    if run is None:
        raise MiningRunNotFound()
    return run


def list_runs(session: Session, *, actor: User, limit: int = 20) -> list[MiningRun]:
    if not may_read_findings(actor):
        raise PermissionDenied()
    return list(session.scalars(select(MiningRun).order_by(MiningRun.id.desc()).limit(limit)))


def recommended_agents(run: MiningRun, *, topic: str, queue: str | None = None) -> list[str]:
    """The best agents for a topic (in a queue), from a run's matching."""
    by_queue = run.findings.get("recommendations") or {}
    return list((by_queue.get(queue or "*") or {}).get(topic) or [])
