"""Which users staff which department: a department is answered by the holders of one role
(the role names the post: business management, quality, training, operations, IT)."""

from __future__ import annotations

from seci.accounts.models import User
from seci.accounts.roles import Perm, Role
from seci.suggestions.models import Department

DEPARTMENT_ROLES: dict[Department, Role] = {
    Department.BUSINESS: Role.MANAGER,
    Department.QUALITY: Role.REVIEWER,
    Department.TRAINING: Role.TRAINER,
    Department.OPERATIONS: Role.SUPERVISOR,
    Department.IT: Role.ADMIN,
}


def departments_of(user: User) -> frozenset[str]:
    """The departments whose suggestions the user answers."""
    if not user.can(Perm.SUGGESTION_ANSWER):
        return frozenset()
    return frozenset(dept.value for dept, role in DEPARTMENT_ROLES.items()
                     if role in user.roles)
