"""Who may do what in the assistant: the rules the services enforce, whatever calls them.

Customers act through a conversation's token (``conversations.conversation_for_token``);
staff through their permissions, checked here."""

from __future__ import annotations

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.core.errors import PermissionDenied


def require_configurer(actor: User) -> None:
    """Hand-off rules and queue hours change what every customer meets: configurers only
    (the CLI and jobs act as the system actor, which holds every permission)."""
    if not actor.can(Perm.ASSISTANT_CONFIGURE):
        raise PermissionDenied()
