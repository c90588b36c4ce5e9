"""The password policy: long enough, not the username, not a common password."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from seci.accounts.errors import CommonPassword, PasswordContainsUsername, WeakPassword

MIN_PASSWORD_LENGTH = 10
# A username this short ("li") is contained in too many good passwords to forbid them.
MIN_NAME_TO_MATCH = 3


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of passwords too common to allow (case-folded)."""
    text = resources.files("seci.accounts").joinpath("data/common-passwords.txt").read_text(
        encoding="utf-8")
    return frozenset(line.strip().casefold() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def check_password(password: str, *, username: str) -> None:
    """Raise a WeakPassword error naming the first rule the password breaks."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(min_length=MIN_PASSWORD_LENGTH)
    folded, name = password.casefold(), username.strip().casefold()
    if name and (folded == name or (len(name) >= MIN_NAME_TO_MATCH and name in folded)):
        raise PasswordContainsUsername()
    if folded in common_passwords():
        raise CommonPassword()
