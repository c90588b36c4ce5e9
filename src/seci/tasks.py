"""Every kind of background job and the function that runs it (assembled here, like the
routers in app.py, so that the job runner imports no domain by itself)."""

from __future__ import annotations

from seci.calls.importing import CALL_IMPORT_JOB
from seci.calls.tasks import call_import_task
from seci.jobs.runner import Task
from seci.mining.tasks import (
    MINING_EXTRACT,
    MINING_RUN,
    mining_extract_task,
    mining_run_task,
)
from seci.retrieval.tasks import CALIBRATE_JOB, calibrate_task

TASKS: dict[str, Task] = {
    CALL_IMPORT_JOB: call_import_task,
    MINING_RUN: mining_run_task,
    MINING_EXTRACT: mining_extract_task,
    CALIBRATE_JOB: calibrate_task,
}

# The runner's lanes: an import someone is watching never waits behind a mining run.
# A calibration after a KB change waits for neither.
LANES: tuple[tuple[str, ...], ...] = ((CALL_IMPORT_JOB,), (MINING_RUN, MINING_EXTRACT),
                                      (CALIBRATE_JOB,))
