"""Errors of the knowledge-base domain."""

from __future__ import annotations

from typing import Any

from seci.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from seci.core.i18n import N_


class ArticleNotFound(NotFound):
    code = "article_not_found"
    message = N_("Article {article} not found.")


class VersionNotFound(NotFound):
    code = "version_not_found"
    message = N_("Version {version} of article {article} not found.")


class ModuleNotFound(NotFound):
    code = "module_not_found"
    message = N_("Business module {module} not found.")


class FeedbackNotFound(NotFound):
    code = "feedback_not_found"
    message = N_("Feedback {feedback} not found.")


class DuplicateCode(Conflict):
    code = "duplicate_code"
    message = N_("An article with code {code} already exists.")


class ModuleNameTaken(Conflict):
    code = "module_name_taken"
    message = N_("A module named {name} already exists here.")


class ModuleCycle(InvalidInput):
    code = "module_cycle"
    message = N_("A module cannot be moved under itself or its own descendants.")


class ModuleArchived(InvalidInput):
    code = "module_archived"
    message = N_("Business module {module} is archived.")


class ModuleNotEmpty(Conflict):
    code = "module_not_empty"
    message = N_("Business module {module} still holds {count} live article(s).")


class InvalidTransition(Conflict):
    code = "invalid_transition"
    message = N_("An article that is {status} cannot be {action}.")


class FourEyesViolation(PermissionDenied):
    code = "four_eyes"
    message = N_("You wrote this revision; another reviewer must approve it.")


class NoModuleAccess(PermissionDenied):
    code = "no_module_access"
    message = N_("You have no access to the business module {module}.")


class NotArticleOwner(PermissionDenied):
    code = "not_article_owner"
    message = N_("Only the owner of the article or a business manager may do this.")


class RejectNeedsComment(InvalidInput):
    code = "reject_needs_comment"
    message = N_("A rejection needs a comment for the author.")


class StaleEdit(Conflict):
    """Someone saved the article after this editor opened it."""

    code = "stale_edit"
    message = N_(
        "Article {code} was changed by {user} after you opened it "
        "(your copy is edit {yours}, the current one is edit {current_version})."
    )

    def __init__(self, *, current: dict[str, Any], **params: Any) -> None:
        super().__init__(**params)
        self.current = current

    def extra(self) -> dict[str, Any]:
        return {"current": self.current}
