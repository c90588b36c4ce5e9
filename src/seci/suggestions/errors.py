"""Errors of the suggestion box."""

from __future__ import annotations

from seci.core.errors import Conflict, NotFound, PermissionDenied
from seci.core.i18n import N_


class SuggestionNotFound(NotFound):
    code = "suggestion_not_found"
    message = N_("Suggestion {suggestion} not found.")


class CategoryNotFound(NotFound):
    code = "suggestion_category_not_found"
    message = N_("Suggestion category {category} not found.")


class SuggestionAlreadyAnswered(Conflict):
    code = "suggestion_not_open"
    message = N_("This suggestion is no longer waiting for an answer.")


class SuggestionNotAdopted(Conflict):
    code = "suggestion_not_adopted"
    message = N_("Only an adopted suggestion that has not been rewarded yet can be rewarded.")


class NotYourDepartment(PermissionDenied):
    code = "not_your_department"
    message = N_("This suggestion is routed to another department.")


class OwnSuggestion(PermissionDenied):
    code = "own_suggestion"
    message = N_("You cannot answer or reward your own suggestion.")
