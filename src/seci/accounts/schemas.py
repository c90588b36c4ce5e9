"""Request and response bodies of the accounts API."""

from __future__ import annotations

from pydantic import BaseModel, Field

from seci.accounts.roles import Role


class TokenRequest(BaseModel):
    username: str
    password: str
    name: str = Field(default="api", description="A label to recognise the token by")


class TokenRead(BaseModel):
    token: str = Field(description="Send as 'Authorization: Bearer <token>'; shown once")
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret


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
    password: str = Field(min_length=8)
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
    password: str | None = Field(default=None, min_length=8)


class QueueRead(BaseModel):
    id: int
    code: str
    name: str
    description: str


class QueueCreate(BaseModel):
    code: str = Field(min_length=1, max_length=40)
    name: str | None = None
    description: str = ""
