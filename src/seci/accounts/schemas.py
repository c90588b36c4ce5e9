"""Request and response bodies of the accounts API."""

from __future__ import annotations

from pydantic import BaseModel, Field

from seci.accounts.roles import Role
from seci.core.clock import UtcDateTime


class TokenRequest(BaseModel):
    username: str
    password: str
    name: str = Field(default="api", description="A label to recognise the token by")
    expires_in_days: int | None = Field(
        default=None, ge=1, le=3650, description="Days until the token stops working; "
        "omitted: until revoked")


class TokenRead(BaseModel):
    token: str = Field(description="Send as 'Authorization: Bearer <token>'; shown once")
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_at: UtcDateTime | None = Field(default=None, description="UTC; null: until revoked")


class PasswordChange(BaseModel):
    current_password: str
    new_password: str = Field(description="At least 10 characters, not containing the "
                              "username, not a common password")


class UserRead(BaseModel):
    id: int
    username: str
    display_name: str
    roles: list[Role]
    queues: list[str]
    module_ids: list[int]
    all_modules: bool
    is_active: bool
    team: str | None
    permissions: list[str]


class UserCreate(BaseModel):
    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    # The service checks the password policy and says which rule a password breaks.
    password: str
    display_name: str | None = None
    roles: list[Role] = Field(default_factory=list)
    queues: list[str] = Field(default_factory=list)
    module_ids: list[int] = Field(default_factory=list)
    all_modules: bool = False
    team: str | None = None


class UserUpdate(BaseModel):
    display_name: str | None = None
    roles: list[Role] | None = None
    queues: list[str] | None = None
    module_ids: list[int] | None = None
    all_modules: bool | None = None
    is_active: bool | None = None
    team: str | None = None
    password: str | None = None


class QueueRead(BaseModel):
    id: int
    code: str
    name: str
    description: str


class QueueCreate(BaseModel):
    code: str = Field(min_length=1, max_length=40)
    name: str | None = None
    description: str = ""
