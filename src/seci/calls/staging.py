"""Where an import's rows wait until the whole file has been checked: a temporary table on
the import's own database connection.

Writing the checked rows to a temporary table first makes an import atomic without holding
the database's write lock while a million rows are parsed: on SQLite a temporary table
lives in the connection's private temp database, so other users keep writing; the calls
table is written only by the final merge, in one short statement per table. PostgreSQL
loads the temporary table with COPY, its fastest way in.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, text

from seci.calls.validation import CallRow

CALL_STAGE = "seci_call_stage"
TRANSCRIPT_STAGE = "seci_transcript_stage"

CALL_STAGE_COLUMNS = (
    "line", "call_id", "agent_id", "team", "queue", "started_at", "day", "week", "month",
    "hour", "duration_s", "region", "product", "channel", "fcr", "satisfaction", "complaint",
    "complaint_category", "repeat_7d", "turn_count", "transcript", "masked",
)
TRANSCRIPT_STAGE_COLUMNS = ("line", "call_id", "turns", "turn_count", "masked")

_CALL_STAGE_DDL = {
    "sqlite": f"""CREATE TEMP TABLE {CALL_STAGE} (
        line INTEGER, call_id TEXT, agent_id TEXT, team TEXT, queue TEXT, started_at TEXT,
        day TEXT, week TEXT, month TEXT, hour INTEGER, duration_s INTEGER, region TEXT,
        product TEXT, channel TEXT, fcr INTEGER, satisfaction INTEGER, complaint INTEGER,
        complaint_category TEXT, repeat_7d INTEGER, turn_count INTEGER, transcript TEXT,
        masked INTEGER)""",
    "postgresql": f"""CREATE TEMP TABLE {CALL_STAGE} (
        line integer, call_id text, agent_id text, team text, queue text,
        started_at timestamp, day date, week date, month date, hour smallint,
        duration_s integer, region text, product text, channel text, fcr boolean,
        satisfaction smallint, complaint boolean, complaint_category text,
        repeat_7d boolean, turn_count smallint, transcript text, masked smallint)""",
}
_TRANSCRIPT_STAGE_DDL = {
    "sqlite": f"""CREATE TEMP TABLE {TRANSCRIPT_STAGE} (
        line INTEGER, call_id TEXT, turns TEXT, turn_count INTEGER, masked INTEGER)""",
    "postgresql": f"""CREATE TEMP TABLE {TRANSCRIPT_STAGE} (
        line integer, call_id text, turns text, turn_count smallint, masked smallint)""",
}


def _sqlite_datetime(moment: datetime) -> str:
    # The text form SQLAlchemy's DateTime type stores and reads back on SQLite.
    return moment.isoformat(sep=" ", timespec="microseconds")


def _sqlite_date(day: date) -> str:
    return day.isoformat()


class Stage:
    """The import's temporary tables on one connection, created empty and dropped at the
    end (a rolled-back transaction drops them too)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.dialect = connection.dialect.name
        if self.dialect not in _CALL_STAGE_DDL:
            raise NotImplementedError(self.dialect)

    def create(self, *, transcripts: bool) -> None:
        if self.dialect == "sqlite":
            # SQLite as Debian builds it zeroes every freed page (secure_delete): dropping
            # a million staged calls wrote 1.5 GB of zeros, 5 s. The temporary database is
            # this connection's own, in a file deleted when it closes; the main database
            # keeps the setting.
            self.connection.exec_driver_sql("PRAGMA temp.secure_delete = OFF")
        self.drop()
        self.connection.exec_driver_sql(_CALL_STAGE_DDL[self.dialect])
        if transcripts:
            self.connection.exec_driver_sql(_TRANSCRIPT_STAGE_DDL[self.dialect])

    def drop(self) -> None:
        for table in (CALL_STAGE, TRANSCRIPT_STAGE):
            self.connection.exec_driver_sql(f"DROP TABLE IF EXISTS {self._qualified(table)}")

    def _qualified(self, table: str) -> str:
        """On SQLite "temp." keeps a statement off the main database: an unqualified name
        is looked up there too, which starts a read of it, and a transaction that has read
        the main database cannot take its write lock once someone else has written (the
        merge would fail with "database is locked")."""
        return f"temp.{table}" if self.dialect == "sqlite" else table

    def add_calls(self, rows: Sequence[CallRow]) -> None:
        if self.dialect == "sqlite":
            self._sqlite_insert(CALL_STAGE, CALL_STAGE_COLUMNS,
                                [_sqlite_call_values(row) for row in rows])
        else:
            self._copy(CALL_STAGE, CALL_STAGE_COLUMNS, [_call_values(row) for row in rows])

    def add_transcripts(self, rows: Sequence[tuple[int, str, str, int, int]]) -> None:
        if self.dialect == "sqlite":
            self._sqlite_insert(TRANSCRIPT_STAGE, TRANSCRIPT_STAGE_COLUMNS, rows)
        else:
            self._copy(TRANSCRIPT_STAGE, TRANSCRIPT_STAGE_COLUMNS, rows)

    def index_call_ids(self) -> None:
        for table in (CALL_STAGE, TRANSCRIPT_STAGE):
            if self.exists(table):
                self.connection.exec_driver_sql(
                    f"CREATE INDEX {table}_call_id ON {table} (call_id)")

    def exists(self, table: str) -> bool:
        if self.dialect == "sqlite":
            query = "SELECT 1 FROM sqlite_temp_master WHERE type = 'table' AND name = :t"
        else:
            query = ("SELECT 1 FROM pg_tables WHERE tablename = :t "
                     "AND schemaname LIKE 'pg_temp%'")
        return self.connection.execute(text(query), {"t": table}).first() is not None

    def _sqlite_insert(self, table: str, columns: Sequence[str],
                       rows: Sequence[Sequence[Any]]) -> None:
        marks = ", ".join("?" for _ in columns)
        # The DB-API cursor directly: executemany of plain tuples, no per-row overhead.
        cursor = self.connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.executemany(f"INSERT INTO {self._qualified(table)} VALUES ({marks})", rows)
        finally:
            cursor.close()

    def _copy(self, table: str, columns: Sequence[str],
              rows: Sequence[Sequence[Any]]) -> None:
        driver = self.connection.connection.driver_connection
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(row)


def _call_values(row: CallRow) -> tuple[Any, ...]:
    started = row.started
    return (row.line, row.call_id, row.agent_id, row.team, row.queue, started.utc,
            started.day, started.week, started.month, started.hour, row.duration_s,
            row.region, row.product, row.channel, row.fcr, row.satisfaction, row.complaint,
            row.complaint_category, row.repeat_7d, row.turn_count, row.transcript,
            row.masked)


def _sqlite_call_values(row: CallRow) -> tuple[Any, ...]:
    started = row.started
    return (row.line, row.call_id, row.agent_id, row.team, row.queue,
            _sqlite_datetime(started.utc), _sqlite_date(started.day),
            _sqlite_date(started.week), _sqlite_date(started.month), started.hour,
            row.duration_s, row.region, row.product, row.channel, int(row.fcr),
            row.satisfaction, int(row.complaint), row.complaint_category,
            int(row.repeat_7d), row.turn_count, row.transcript, row.masked)
