"""Errors of the call-records domain."""

from __future__ import annotations

from seci.core.errors import InvalidInput, NotFound, PermissionDenied
from seci.core.i18n import N_


class CallNotFound(NotFound):
    code = "call_not_found"
    message = N_("No such call, or it is not one you may see.")


class NoCallAccess(PermissionDenied):
    code = "no_call_access"
    message = N_("You may see your own calls only.")


class BadSlice(InvalidInput):
    code = "bad_slice"
    message = N_("Cannot slice by {value}: use {allowed}.")


class BadPeriod(InvalidInput):
    code = "bad_period"
    message = N_("The period ends before it starts ({start} – {end}).")


class NotEnoughCalls(InvalidInput):
    code = "not_enough_calls"
    message = N_("Not enough calls for this figure (n={n}, need {need}).")
