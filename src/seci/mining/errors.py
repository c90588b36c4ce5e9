"""Errors of transcript mining."""

from __future__ import annotations

from seci.core.errors import NotFound
from seci.core.i18n import N_


class MiningRunNotFound(NotFound):
    code = "mining_run_not_found"
    message = N_("No such mining run.")
