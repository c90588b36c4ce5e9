"""Managers' entries of the situation lexicon and their changes to the shipped entries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from seci.core.clock import utcnow
from seci.core.db import Base


class SituationRule(Base):
    """One entry of the situation lexicon as managers left it (检索 > 情境词库).

    The shipped entries live in ``data/situations.txt``, never copied here: a row either
    adds a manager's own entry (``origin`` 'local') or changes the shipped entry of the
    same ``key`` (``origin`` 'shipped': disabled, or edited when ``own_content``). So an
    upgrade that ships a new file keeps every manager's change, and an unchanged shipped
    entry follows the file. Rows are never deleted; every write takes the next
    ``revision`` (unique), which each server process compares with the one it uses.
    """

    __tablename__ = "search_situations"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    origin: Mapped[str] = mapped_column(String(10))  # 'shipped' | 'local'
    # The content below is in force (always for local entries; for a shipped entry once
    # a manager edited it, until it is reset to the shipped content).
    own_content: Mapped[bool] = mapped_column(default=True)
    area: Mapped[str] = mapped_column(String(40), default="")
    pattern: Mapped[str] = mapped_column(String(1000), default="")
    concepts: Mapped[list[str]] = mapped_column(default=list)
    example: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(String(200), default="")
    enabled: Mapped[bool] = mapped_column(default=True)
    revision: Mapped[int] = mapped_column(unique=True)
    lock_version: Mapped[int] = mapped_column(default=1)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
