"""Errors of the accounts domain."""

from seci.core.errors import (
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    SeciError,
)
from seci.core.i18n import N_


class LoginFailed(NotAuthenticated):
    code = "login_failed"
    keeps_changes = True
    message = N_("Wrong username or password.")


class LoginThrottled(SeciError):
    """Too many failed logins for the account or from the address: refused unchecked."""

    code = "login_throttled"
    status_code = 429
    keeps_changes = True  # the audit entry of the refusal
    message = N_("Too many failed logins; try again in {minutes} min.")

    def __init__(self, *, retry_after: int) -> None:
        super().__init__(minutes=max(1, -(-retry_after // 60)))
        self.retry_after = retry_after

    def extra(self) -> dict[str, object]:
        return {"retry_after": self.retry_after}

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class CurrentPasswordWrong(InvalidInput):
    code = "current_password_wrong"
    keeps_changes = True  # the failure counts towards the login throttle
    message = N_("The current password is wrong.")


class OwnPasswordNeedsCurrent(PermissionDenied):
    code = "own_password_needs_current"
    message = N_("Change your own password on your account page: it asks for the current "
                 "one.")


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


class PasswordContainsUsername(WeakPassword):
    code = "password_contains_username"
    message = N_("The password must not contain the username.")


class CommonPassword(WeakPassword):
    code = "password_too_common"
    message = N_("This password is one of the most common ones; choose another.")


class UnknownRole(InvalidInput):
    code = "unknown_role"
    message = N_("Unknown role: {role}.")
