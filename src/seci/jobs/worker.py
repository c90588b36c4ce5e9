"""The job worker process (``seci worker``): with Redis, an rq worker whose every message
runs the queued jobs it can claim; without Redis, the same loop the server threads run."""

from __future__ import annotations

import logging

from seci.core.config import get_settings
from seci.core.db import get_sessionmaker
from seci.jobs.queue import QUEUE
from seci.jobs.runner import JobRunner

logger = logging.getLogger("seci.jobs")


def _runner(background: bool) -> JobRunner:
    from seci.tasks import LANES, TASKS  # the assembly of every domain's tasks

    return JobRunner(get_sessionmaker(), TASKS, background=background, lanes=LANES)


def work_on_queued() -> int:
    """An rq message: claim and run queued jobs until none is left."""
    return _runner(background=False).run_pending()


def run_worker(*, burst: bool = False) -> None:
    """Work until stopped (``burst``: until the queue is empty)."""
    url = get_settings().redis_url
    if url:
        from redis import Redis
        from rq import SimpleWorker

        # SimpleWorker runs each job in this process: no fork, so the database engine
        # and the search engine are built once and reused.
        SimpleWorker([QUEUE], connection=Redis.from_url(url)).work(burst=burst)
        return
    runner = _runner(background=not burst)
    if burst:
        runner.run_pending()
        return
    logger.info("no SECI_REDIS_URL: working on the jobs table directly")
    runner.start()
    try:
        runner.join()
    except KeyboardInterrupt:
        runner.stop()
