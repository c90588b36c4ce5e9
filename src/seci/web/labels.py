"""Words for what the pages show: short confirmations after an action (?flash=code), a
failed job's error, and stored codes and values (the word lists themselves are
``seci.core.messages.LABELS``, one place for the web, the API's problems and the CLI)."""

from __future__ import annotations

from typing import Any

from seci.core.i18n import N_, gettext
from seci.core.messages import LABELS, label

__all__ = ["audit_summary", "describe_job_error", "field_value", "flash_message", "label",
           "shipped_note"]

# Fields whose value is a code (the diff of two versions shows its word, not the code).
CODED_FIELDS: dict[str, str] = {"audience": "audience"}

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
    "calibration_queued": N_("Calibration started; this page shows the new fit when it is "
                             "done (usually within a minute)."),
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


def field_value(field: str, value: str) -> str:
    """A field's value as shown: the word for a coded field, the text itself otherwise."""
    kind = CODED_FIELDS.get(field)
    return label(kind, value) if kind and value else value


# Notes that came with the shipped rules (migrations 0007, 0008 and 0018 store them in
# English, as literal data): shown in the reader's language until someone rewrites them.
SHIPPED_NOTES: frozenset[str] = frozenset({
    *LABELS["tacit_reason_note"].values(),
    N_("Complaint words go to the complaint desk"),
    N_("An angry customer is handled as a complaint"),
    N_("Marked two answers as not helpful"),
    N_("VIP customers are served by people"),
    N_("全球通 customers are served by people"),
    N_("The customer asks for a person"),
    N_("Two replies in a row without an answer"),
    N_("Everything else: the general queue"),
    N_("Billing questions"),
    N_("SP charges are billing questions"),
    N_("Complaint handling"),
    N_("Broadband faults: data desk"),
})


def shipped_note(text: str) -> str:
    """A rule's note: a shipped (English) note in the reader's language, a note someone
    wrote as written."""
    return gettext(text) if text in SHIPPED_NOTES else text


def audit_summary(action: str, summary: str, after: dict[str, Any] | None) -> str:
    """An audit entry's summary in words where the service stored codes in it."""
    after = after or {}
    if action == "points.award" and "reason" in after:
        return f"{label('tacit_reason', after['reason'])} +{after.get('points', '')}"
    if action == "points.rule" and "points" in after:
        return gettext("{points} points", points=after["points"])
    if action == "feedback.create" and "kind" in after:
        code = summary.rsplit(" ", 1)[0] if summary.endswith(str(after["kind"])) else summary
        return f"{code} {label('feedback_kind', after['kind'])}"
    if action == "notice.quiz" and "questions" in after:
        return gettext("{n} questions", n=after["questions"])
    return summary
