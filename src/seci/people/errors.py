"""Errors of the competency domain."""

from __future__ import annotations

from seci.core.errors import Conflict, InvalidInput, NotFound
from seci.core.i18n import N_


class ModelNotFound(NotFound):
    code = "competency_model_not_found"
    message = N_("No such competency model.")


class RoundNotFound(NotFound):
    code = "competency_round_not_found"
    message = N_("No such assessment round, or it is not one you may see.")


class FormNotFound(NotFound):
    code = "competency_form_not_found"
    message = N_("No such assessment form, or it is not yours.")


class ModelInUse(Conflict):
    code = "competency_model_in_use"
    message = N_("This model is used by an assessment round and can no longer change; "
                 "make a copy to change it.")


class RoundClosed(Conflict):
    code = "competency_round_closed"
    message = N_("This assessment round is closed.")


class FormSubmitted(Conflict):
    code = "competency_form_submitted"
    message = N_("This form has been submitted and can no longer change.")


class TeamWithoutAgents(InvalidInput):
    code = "competency_team_empty"
    message = N_("The roster has no current agents in team {team}.")


class NotEnoughRatings(InvalidInput):
    code = "competency_not_enough"
    message = N_("Not enough data for this figure (n={n}, need {need}).")


class AgentNotFound(NotFound):
    code = "competency_agent_not_found"
    message = N_("No such agent in the roster, or not of a team you work with.")


class UnknownMeasure(InvalidInput):
    code = "competency_unknown_measure"
    message = N_("Unknown measure {value}.")
