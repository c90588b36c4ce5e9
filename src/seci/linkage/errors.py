"""Errors of post linkage."""

from __future__ import annotations

from seci.core.errors import Conflict, NotFound
from seci.core.i18n import N_


class NoticeNotFound(NotFound):
    code = "notice_not_found"
    message = N_("Business notice {notice} not found.")


class QuizNotFound(NotFound):
    code = "quiz_not_found"
    message = N_("This notice has no quiz yet.")


class NotReadyToRelease(Conflict):
    code = "notice_not_reviewed"
    message = N_("Every article of the notice must be reviewed and published first.")


class AlreadyReleased(Conflict):
    code = "notice_already_released"
    message = N_("This notice has already been released to the queues.")


class NotReleased(Conflict):
    code = "notice_not_released"
    message = N_("This notice has not been released to the queues yet.")


class QuizAlreadyTaken(Conflict):
    code = "quiz_already_taken"
    message = N_("Agents have taken this quiz; it can no longer be changed.")


class NotExpectedAgent(Conflict):
    code = "notice_not_for_you"
    message = N_("This notice is not for your queues.")


class ArticleNotLinked(NotFound):
    code = "article_not_linked"
    message = N_("Article {article} does not belong to this notice.")
