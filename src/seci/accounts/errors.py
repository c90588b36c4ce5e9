"""Errors of the accounts domain."""

from seci.core.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from seci.core.i18n import N_


class LoginFailed(NotAuthenticated):
    code = "login_failed"
    keeps_changes = True
    message = N_("Wrong username or password.")


class UserNotFound(NotFound):
    code = "user_not_found"
    message = N_("User {user} not found.")


class QueueNotFound(NotFound):
    code = "queue_not_found"
    message = N_("Queue {queue} not found.")


class UsernameTaken(Conflict):
    code = "username_taken"
    message = N_("The username {username} is already taken.")


class QueueCodeTaken(Conflict):
    code = "queue_code_taken"
    message = N_("The queue {queue} already exists.")


class WeakPassword(InvalidInput):
    code = "weak_password"
    message = N_("The password must have at least {min_length} characters.")


class UnknownRole(InvalidInput):
    code = "unknown_role"
    message = N_("Unknown role: {role}.")
