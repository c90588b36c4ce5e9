"""Sentence vectors of published versions, cached so that neither a restart nor a second
server process encodes the knowledge base again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from seci.core.clock import utcnow
from seci.core.db import Base


class SearchVector(Base):
    """One vector of one text of a published version (title, similar questions), per
    encoder (model and settings). ``vector`` holds little-endian float32 of unit length;
    ``digest`` is the SHA-1 of the encoded text, so a vector is reused for the same text in
    a later version and never used for a different one."""

    __tablename__ = "search_vectors"

    version_id: Mapped[int] = mapped_column(
        ForeignKey("article_versions.id", ondelete="CASCADE"), primary_key=True
    )
    encoder_key: Mapped[str] = mapped_column(String(120), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    digest: Mapped[str] = mapped_column(String(40), index=True)
    dimension: Mapped[int]
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
