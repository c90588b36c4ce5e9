"""Demo call data: thirteen weeks of generated 10086-style calls with transcripts for the
demo teams, and their roster, so every dashboard, drill-down and team page shows something
on a fresh machine. The generator plants the effects the analytics should find (a weaker
team, a regional complaint spike, a lucky small-volume agent, an unstable agent, a topic
with over-long calls, a training effect) and those mining should find (golden scripts with
decoys, a burst, a knowledge gap, specialists, causes of long calls); see docs/calls.md and
docs/mining.md. The demo mines them once (``mine_demo_calls``)."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from seci.accounts.models import User
from seci.accounts.service import system_actor
from seci.calls.dashboard import default_period
from seci.calls.importing import CallSource, import_calls, load_row_context
from seci.calls.thresholds import refresh_thresholds
from seci.core.clock import today
from seci.core.tabular import FileFormat
from seci.mining.tasks import run_mining
from seci.roster.importing import import_roster
from seci.synthetic import GeneratorConfig, write_dataset

DEMO_WEEKS = 13
DEMO_CALLS_PER_DAY = 260.0  # ~24,000 calls: seconds to load, enough for every chart
DEMO_SEED = 10086


def demo_config() -> GeneratorConfig:
    """Thirteen whole weeks ending last Sunday (calls cannot lie in the future)."""
    monday = today() - timedelta(days=today().weekday())
    return GeneratorConfig(seed=DEMO_SEED, start=monday - timedelta(weeks=DEMO_WEEKS),
                           weeks=DEMO_WEEKS,
                           calls_per_day=DEMO_CALLS_PER_DAY).with_mining_effects()


def load_calls_demo(session: Session, *, manager: User,
                    config: GeneratorConfig | None = None) -> int:
    """Generate, then import the roster and the calls like any export; returns the calls."""
    with tempfile.TemporaryDirectory(prefix="seci-demo-calls-") as folder:
        directory = Path(folder)
        write_dataset(config or demo_config(), directory)
        import_roster(session, actor=manager, path=directory / "roster.jsonl",
                      fmt=FileFormat.JSONL)
        report = import_calls(
            session, actor=manager, context=load_row_context(session),
            source=CallSource(calls=directory / "calls.jsonl", calls_format=FileFormat.JSONL))
    refresh_thresholds(session)
    return report.rows


def mine_demo_calls(factory: sessionmaker[Session]) -> int:
    """One mining run over the demo's weeks, so the mining page has findings on a fresh
    machine; returns the run's id."""
    with factory() as session:
        period = default_period(session, actor=system_actor(), weeks=DEMO_WEEKS)
    return run_mining(factory, actor=system_actor(), period=period)
