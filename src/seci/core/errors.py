"""Domain errors with a stable code and an HTTP status.

Services raise these; the web layer renders them as RFC 9457 problem details (API) or an
error page (browser). ``message`` is an English template whose translation lives in the
message catalog, so services never hold user-facing Chinese text.
"""

from __future__ import annotations

from typing import Any, ClassVar

from seci.core.i18n import N_


class SeciError(Exception):
    code: ClassVar[str] = "error"
    status_code: ClassVar[int] = 400
    message: ClassVar[str] = N_("The request could not be processed.")
    # Changes made before the error are committed (e.g. the audit of a failed login).
    keeps_changes: ClassVar[bool] = False

    def __init__(self, **params: Any) -> None:
        self.params = params
        super().__init__(self.message.format(**params) if params else self.message)

    def extra(self) -> dict[str, Any]:
        """Additional members for the problem document (override when useful)."""
        return {}

    def headers(self) -> dict[str, str]:
        """HTTP headers of the response, e.g. Retry-After (override when useful)."""
        return {}


class NotAuthenticated(SeciError):
    code = "not_authenticated"
    status_code = 401
    message = N_("Please log in.")


class PermissionDenied(SeciError):
    code = "permission_denied"
    status_code = 403
    message = N_("You do not have permission to do this.")


class NotFound(SeciError):
    code = "not_found"
    status_code = 404
    message = N_("Not found.")


class InvalidInput(SeciError):
    code = "invalid_input"
    status_code = 422
    message = N_("Invalid input: {detail}")


class FieldErrors(SeciError):
    """Several field-level problems at once (forms, API bodies)."""

    code = "validation_failed"
    status_code = 422
    message = N_("Some fields are invalid.")

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__()
        self.errors = errors

    def extra(self) -> dict[str, Any]:
        return {"errors": self.errors}


class Conflict(SeciError):
    code = "conflict"
    status_code = 409
    message = N_("Conflict with the current state.")


def error_catalog() -> list[type[SeciError]]:
    """Every error class, for the documentation of error codes."""
    seen: list[type[SeciError]] = []
    stack: list[type[SeciError]] = [SeciError]
    while stack:
        cls = stack.pop()
        seen.append(cls)
        stack.extend(cls.__subclasses__())
    return sorted(seen, key=lambda c: c.code)
