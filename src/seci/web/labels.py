"""Display words for stored codes (statuses, roles, kinds); translated when shown."""

from __future__ import annotations

from seci.core.i18n import N_, gettext

LABELS: dict[str, dict[str, str]] = {
    "status": {
        "draft": N_("Draft"),
        "in_review": N_("In review"),
        "published": N_("Published"),
        "retired": N_("Retired"),
    },
    "validity": {
        "valid": N_("Valid"),
        "scheduled": N_("Scheduled"),
        "expired": N_("Expired"),
    },
    "audience": {
        "customer": N_("Customers may see"),
        "internal": N_("Internal only"),
    },
    "feedback_kind": {
        "wrong": N_("Wrong"),
        "outdated": N_("Outdated"),
        "unclear": N_("Unclear"),
    },
    "feedback_status": {
        "open": N_("Open"),
        "accepted": N_("Being fixed"),
        "fixed": N_("Fixed"),
        "declined": N_("Declined"),
    },
    "role": {
        "agent": N_("Agent"),
        "editor": N_("Knowledge editor"),
        "reviewer": N_("Reviewer / quality"),
        "manager": N_("Business manager"),
        "supervisor": N_("Supervisor / team lead"),
        "trainer": N_("Trainer"),
        "analyst": N_("Analyst"),
        "admin": N_("Administrator"),
    },
    "source": {
        "review": N_("Review"),
        "import": N_("Import"),
        "rollback": N_("Rollback"),
    },
    "field": {
        "title": N_("Title"),
        "body": N_("Body"),
        "module": N_("Business module"),
        "queues": N_("Queues"),
        "tags": N_("Tags"),
        "similar_questions": N_("Similar questions"),
        "audience": N_("Audience"),
        "valid_from": N_("Valid from"),
        "valid_to": N_("Valid to"),
    },
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
    "logged_out": N_("You have logged out."),
}


def label(kind: str, code: str | None) -> str:
    if code is None:
        return ""
    text = LABELS.get(kind, {}).get(str(code))
    return gettext(text) if text else str(code)


def flash_message(code: str | None) -> str | None:
    text = FLASH.get(code or "")
    return gettext(text) if text else None
