"""Liveness and readiness: what a load balancer or systemd asks before sending traffic."""

from __future__ import annotations

from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from seci.ops.backup import code_heads

OK = "ok"


def check_database(factory: sessionmaker[Session]) -> dict[str, str]:
    """The database answers, and its schema is at the code's migration head."""
    try:
        with factory() as session:
            session.execute(text("SELECT 1"))
            # None when the table is missing (never migrated), no error.
            revision = MigrationContext.configure(session.connection()).get_current_revision()
    except SQLAlchemyError as error:
        return {"database": f"unreachable: {_first_line(error)}",
                "migrations": "unknown: the database is unreachable"}
    heads = code_heads()
    migrations = OK if revision in heads else (
        f"database at {revision or 'no revision'}, code expects {', '.join(heads)}: "
        "run `seci db upgrade`")
    return {"database": OK, "migrations": migrations}


def check_redis(url: str) -> str:
    """PING the Redis server chats and shared jobs go through."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        try:
            client.ping()
        finally:
            client.close()
    except (redis.RedisError, OSError) as error:
        return f"unreachable: {_first_line(error)}"
    return OK


def readiness(factory: sessionmaker[Session], *, redis_url: str) -> dict[str, str]:
    """Each check's result: ``ok`` or what is wrong (Redis only when configured)."""
    checks = check_database(factory)
    if redis_url:
        checks["redis"] = check_redis(redis_url)
    return checks


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0] if lines else ''}"[:300]
