"""Errors of the tacit-knowledge pipeline."""

from __future__ import annotations

from typing import Any

from seci.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from seci.core.i18n import N_


class ContributionNotFound(NotFound):
    code = "contribution_not_found"
    message = N_("Contribution {contribution} not found.")


class EvaluationNotFound(NotFound):
    code = "evaluation_not_found"
    message = N_("Contribution {contribution} has no evaluation.")


class PointRuleNotFound(NotFound):
    code = "point_rule_not_found"
    message = N_("There is no points rule {reason}.")


class ProcessIssueNotFound(NotFound):
    code = "process_issue_not_found"
    message = N_("Process issue {issue} not found.")


class WrongStep(Conflict):
    code = "contribution_wrong_step"
    message = N_("Contribution {contribution} is {step_status}; it cannot be {action} now.")


class OwnContribution(PermissionDenied):
    """Nobody rules on their own contribution (four eyes, as for articles)."""

    code = "own_contribution"
    message = N_("You cannot decide on a contribution you wrote or recorded.")


class SelfAward(PermissionDenied):
    code = "self_award"
    message = N_("You cannot award points to yourself.")


class NotEvaluationOwner(PermissionDenied):
    code = "not_evaluation_owner"
    message = N_("Only the owner of the evaluation or a pipeline manager may do this.")


class EvaluationNeedsData(Conflict):
    code = "evaluation_needs_data"
    message = N_("An evaluation cannot be closed without data: enter figures first.")


class EvaluationClosed(Conflict):
    code = "evaluation_closed"
    message = N_("This evaluation is closed.")


class ArticleHasPendingRevision(Conflict):
    code = "article_pending_revision"
    message = N_("Article {article} has a revision in review; merge after it is decided.")


class FigureImportFailed(InvalidInput):
    """Nothing was imported: every row's problems, numbered like the file's lines."""

    code = "figure_import_failed"
    message = N_("The file has errors; nothing was imported.")

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__()
        self.errors = errors

    def extra(self) -> dict[str, Any]:
        return {"errors": self.errors}
