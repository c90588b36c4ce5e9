"""Sharing jobs between processes and machines through Redis, with rq.

The jobs table stays the record (what is queued, who runs it, progress, outcome); Redis
only says "there is work": each message makes one rq worker (``seci worker``) claim and run
whatever is queued, so N messages keep N workers busy on N jobs (a mining run's shards,
say). Without ``SECI_REDIS_URL`` nothing is sent and the server processes' own worker
threads do the work.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from seci.core.config import get_settings

logger = logging.getLogger("seci.jobs")
QUEUE = "seci"


@lru_cache
def _queue(url: str) -> Any:
    from redis import Redis
    from rq import Queue

    return Queue(QUEUE, connection=Redis.from_url(url))


def announce(jobs: int = 1) -> None:
    """Tell the rq workers that ``jobs`` jobs wait (nothing without Redis). A lost
    message costs nothing: server threads and the next message pick the job up."""
    url = get_settings().redis_url
    if not url or jobs <= 0:
        return
    try:
        queue = _queue(url)
        for _ in range(jobs):
            queue.enqueue("seci.jobs.worker.work_on_queued", job_timeout=-1,
                          result_ttl=0, failure_ttl=86_400)
    except Exception:  # Redis away: the jobs table still holds the work
        logger.warning("could not announce %s job(s) on Redis", jobs, exc_info=True)
