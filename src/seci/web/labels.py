"""Short confirmations shown after an action (?flash=code)."""

from __future__ import annotations

from seci.core.i18n import N_, gettext
from seci.core.messages import label

__all__ = ["flash_message", "label"]

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
    "callback_claimed": N_("Call-back claimed: the whole number is shown to you."),
    "callback_done": N_("Call-back marked as done."),
    "transferred": N_("Conversation transferred."),
    "rule_saved": N_("Hand-off rule saved."),
    "rule_enabled": N_("Hand-off rule enabled."),
    "rule_disabled": N_("Hand-off rule disabled."),
    "hours_saved": N_("Queue hours saved."),
}


def flash_message(code: str | None) -> str | None:
    text = FLASH.get(code or "")
    return gettext(text) if text else None
