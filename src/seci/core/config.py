"""Settings from environment variables (prefix ``SECI_``) or a ``.env`` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting SECI reads; documented in docs/configuration.md."""

    model_config = SettingsConfigDict(env_prefix="SECI_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("var"), description="Embedded database, indexes, uploads")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default sqlite:///<data_dir>/seci.db"
    )
    timezone: str = Field(default="Asia/Shanghai",
                          description="Decides what 'today' is for validity dates")
    default_locale: str = Field(default="zh_CN", description="zh_CN or en")
    host: str = "127.0.0.1"
    port: int = 8000
    cookie_secure: bool = Field(default=False, description="Set true behind HTTPS")
    session_hours: int = Field(default=12, description="Web login lifetime (one shift)")
    import_max_bytes: int = Field(default=50 * 1024 * 1024, description="Largest import file")
    # Call-platform exports with transcripts run to gigabytes; they are streamed to disk
    # and imported by a background job, never held in memory.
    call_import_max_bytes: int = Field(default=4 * 1024**3,
                                       description="Largest call-record upload (4 GiB)")
    attachment_dir: Path | None = Field(
        default=None, description="Where article images and files are kept; default "
        "<data_dir>/attachments (a mounted share when several servers serve SECI)")
    attachment_max_bytes: int = Field(default=10 * 1024 * 1024, gt=0,
                                      description="Largest image or file in an article")
    new_knowledge_days: int = Field(default=30, description="How far back 'new knowledge' looks")
    db_pool_size: int = Field(default=10, description="Database connections kept per process")
    db_max_overflow: int = Field(default=20, description="Extra connections under load")
    # 4: measured with benchmarks/bench_assistant.py (docs/benchmarks.md). A process runs
    # one thread of Python at a time; beyond a few requests in flight, each database round
    # trip waits for the interpreter lock and every request gets slower (20: p95 ~1 s).
    max_concurrent_requests: int = Field(
        default=4,
        description="Requests served at once per process; more wait in line (below the pool)",
    )
    # Optional neural ranking (docs/search.md): off unless a model or an endpoint is given.
    embedding_model: str = Field(
        default="", description="Sentence model: a local directory or an installed package")
    embedding_url: str = Field(
        default="", description="OpenAI-compatible endpoint root (POST …/v1/embeddings)")
    embedding_api_model: str = Field(default="", description="Model name the endpoint serves")
    embedding_api_key: str = Field(default="", repr=False,
                                   description="Bearer token for the endpoint, if it needs one")
    embedding_timeout: float = Field(default=10.0, gt=0,
                                     description="Seconds an endpoint request may take")
    # 2.0: best of 1, 2, 3 on the BANKING77 dev split with all-MiniLM-L6-v2 (docs/search.md).
    neural_weight: float = Field(default=2.0, ge=0,
                                 description="Weight of the neural ranking in the fusion")
    # Refit the search confidence model and the assistant's thresholds on the served KB in
    # the background after it changes (docs/search.md "Calibration on the served KB").
    auto_calibrate: bool = Field(default=True,
                                 description="Refit the calibration when the KB changes")
    # Several server processes: chat messages reach the process holding a customer's
    # stream through Redis pub/sub (docs/assistant.md). Empty: one process, no Redis.
    redis_url: str = Field(default="", description="redis://host:6379/0 for chat streams")
    # The customer chat page (/chat) may be framed by the widget on other intranet pages.
    assistant_embed_origins: str = Field(
        default="*",
        description="Origins whose pages may embed the chat (space-separated, e.g. "
                    "'http://portal.example'); '*' any, empty none")
    # Optional phrasing of the assistant's answers by a chat model on the intranet
    # (docs/assistant.md). Empty URL: answers are the article's own text.
    generation_url: str = Field(
        default="", description="OpenAI-compatible endpoint root (POST …/v1/chat/completions)")
    generation_model: str = Field(default="", description="Chat model name the endpoint serves")
    generation_api_key: str = Field(default="", repr=False,
                                    description="Bearer token for the endpoint, if it needs one")
    generation_timeout: float = Field(default=10.0, gt=0,
                                      description="Seconds the endpoint may take to answer")
    # Optional: that chat model also rewrites a customer message the assistant is unsure
    # about into the hotline's terms (docs/assistant.md). Needs generation_url.
    query_rewriting: bool = Field(
        default=False, description="Rewrite unsure customer messages with the chat model")
    # JSON lines for a log collector (journald → Loki/ELK); text for people.
    log_format: Literal["text", "json"] = Field(
        default="text", description="Log lines: 'text' or 'json' (one object a line)")

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'seci.db').resolve()}"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@lru_cache
def get_settings() -> Settings:
    return Settings()
