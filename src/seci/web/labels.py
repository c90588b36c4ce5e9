"""Short confirmations shown after an action (?flash=code), and a failed job's error in
the reader's language."""

from __future__ import annotations

from typing import Any

from seci.core.i18n import N_, gettext
from seci.core.messages import label

__all__ = ["describe_job_error", "flash_message", "label"]

# Errors the job runner itself records (a task's own errors carry their message).
JOB_ERRORS: dict[str, str] = {
    "job_crashed": N_("The job stopped on an unexpected error ({detail}); nothing was "
                      "half-written. Try again; if it happens again, the server log has the "
                      "details."),
    "job_abandoned": N_("The job was given up after {attempts} attempts (its worker stopped "
                        "each time). Try again, or ask the administrator to check the "
                        "workers."),
}

FLASH: dict[str, str] = {
    "saved": N_("Saved."),
    "created": N_("Draft created."),
    "submitted": N_("Submitted for review."),
    "approved": N_("Approved and published."),
    "rejected": N_("Sent back to the author."),
    "retired": N_("Article retired."),
    "rolled_back": N_("Rolled back; a new version is live."),
    "flagged": N_("Thank you. The owner of the article has been told."),
    "acked": N_("Marked as read."),
    "accepted": N_("Feedback accepted. Edit the article; publishing it closes the feedback."),
    "declined": N_("Feedback declined; the reporter sees your reason."),
    "voted": N_("Thank you for your vote."),
    "imported": N_("Import finished."),
    "module_saved": N_("Business module saved."),
    "user_saved": N_("User saved."),
    "queue_saved": N_("Queue saved."),
    "token_created": N_("API token created. Copy it now: it is shown only once."),
    "password_changed": N_("Password changed. Your other logins and API tokens have ended."),
    "logged_out": N_("You have logged out."),
    "callback_claimed": N_("Call-back claimed: the whole number is shown to you."),
    "callback_done": N_("Call-back marked as done."),
    "transferred": N_("Conversation transferred."),
    "suggestion_sent": N_("Thank you! Your suggestion went to the department that owns it."),
    "suggestion_answered": N_("Answer saved; the author sees it."),
    "suggestion_rewarded": N_("Reward granted."),
    "suggestion_withdrawn": N_("Suggestion withdrawn."),
    "notice_created": N_("Notice entered; now draft its articles."),
    "notice_drafted": N_("Draft created and linked to the notice."),
    "notice_submitted": N_("The notice's drafts went to review."),
    "notice_released": N_("Released to the queues."),
    "quiz_saved": N_("Quiz saved."),
    "notice_acked": N_("Marked as read."),
    "team_checked": N_("Your team's check is recorded."),
    "call_flagged": N_("Flagged to the article's owner."),
    "contribution_submitted": N_("Thank you! Your contribution waits for screening."),
    "contribution_screened": N_("Screening decision saved."),
    "contribution_promoted": N_("Best-practice article written and submitted for review."),
    "figures_saved": N_("Figures saved."),
    "evaluation_closed": N_("Evaluation closed."),
    "issue_raised": N_("Thank you. The problem is on the board."),
    "honour_awarded": N_("Honour awarded."),
    "rule_saved": N_("Hand-off rule saved."),
    "rule_enabled": N_("Hand-off rule enabled."),
    "rule_disabled": N_("Hand-off rule disabled."),
    "hours_saved": N_("Queue hours saved."),
    "qa_sample_drawn": N_("Sample drawn."),
    "qa_sample_done": N_("Every call of this sample is scored."),
    "qa_scored": N_("Score saved."),
    "qa_appeal_filed": N_("Appeal filed; a QA manager will decide."),
    "qa_appeal_decided": N_("Appeal decided; the agent sees the result."),
    "qa_scorecard_saved": N_("Scorecard saved."),
    "qa_scorecard_copied": N_("Scorecard copied; this copy can be edited."),
    "qa_scorecard_retired": N_("Scorecard retired: no new samples or scores use it."),
    "qa_scorecard_restored": N_("Scorecard in use again."),
}


def flash_message(code: str | None) -> str | None:
    text = FLASH.get(code or "")
    return gettext(text) if text else None


def describe_job_error(error: dict[str, Any]) -> str:
    """A failed job's error in the reader's language."""
    template = error.get("message") or JOB_ERRORS.get(str(error.get("code")))
    params = error.get("params") or {}
    if isinstance(template, str):
        try:
            return gettext(template, **params)
        except (KeyError, IndexError):
            return gettext(template)
    return gettext("The job failed ({code}).", code=error.get("code", "?"))
