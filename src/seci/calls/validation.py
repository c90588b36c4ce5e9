"""One call record from an export, checked and normalised: every problem is reported with
its field and value, and a valid row becomes a ``CallRow`` ready to be written.

The checks are written by hand rather than with a schema library: they run a million times
per import (about 15 µs a row here), and each problem needs its own code for the Chinese
message the importer shows next to the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from seci.calls.columns import OUTCOME_FIELDS
from seci.calls.models import (
    AGENT_ID_MAX,
    CALL_ID_MAX,
    CATEGORY_MAX,
    CHANNEL_MAX,
    PRODUCT_MAX,
    REGION_MAX,
    TEAM_MAX,
)
from seci.core.pii import mask_personal_numbers
from seci.core.tabular import RawRow

MAX_DURATION_S = 24 * 3600
MAX_TURNS = 2000
MAX_TURN_TEXT = 4000
# Calls dated more than a day ahead are a clock or export error, not a call.
FUTURE_TOLERANCE = timedelta(days=1)

SPEAKERS = {"customer": "c", "agent": "a", "客户": "c", "用户": "c", "坐席": "a", "座席": "a",
            "客服": "a", "c": "c", "a": "a"}
_TRUE = {"true", "1", "yes", "y", "是", "t", "已解决", "解决"}
_FALSE = {"false", "0", "no", "n", "否", "f", "未解决"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LOOSE_DATETIME = re.compile(
    r"^\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2})[:：](\d{1,2})"
    r"(?:[:：](\d{1,2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$")


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    value: str = ""
    params: dict[str, Any] | None = None


@dataclass(frozen=True)
class LocalTime:
    """A call's start as stored: UTC, and where it falls in the centre's calendar."""

    utc: datetime  # naive UTC
    day: date
    week: date
    month: date
    hour: int


@dataclass
class CallRow:
    line: int
    call_id: str
    agent_id: str
    team: str
    queue: str
    started: LocalTime
    duration_s: int
    region: str
    product: str
    channel: str | None
    fcr: bool
    satisfaction: int | None
    complaint: bool
    complaint_category: str | None
    repeat_7d: bool
    transcript: str | None  # compact JSON of the masked turns, None when none were given
    turn_count: int
    masked: int


@dataclass(frozen=True)
class RowContext:
    """What every row is checked against (read once before the file)."""

    queues: frozenset[str]
    tz: ZoneInfo
    now: datetime  # aware


def local_time(moment: datetime, tz: ZoneInfo) -> LocalTime:
    """Naive times are local to the centre; aware ones are converted to it."""
    local = moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)
    day = local.date()
    return LocalTime(
        utc=local.astimezone(UTC).replace(tzinfo=None), day=day,
        week=day - timedelta(days=day.weekday()), month=day.replace(day=1), hour=local.hour)


def parse_moment(value: Any) -> datetime | Problem:
    """ISO 8601 (with or without offset), or the 2026/9/1 9:15 forms Chinese exports use."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        # The platform's local wall-clock time, as exported: naive on purpose.
        return datetime(value.year, value.month, value.day)  # noqa: DTZ001
    text = str(value).strip() if value is not None else ""
    if not text:
        return Problem("started_at", "required")
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    match = _LOOSE_DATETIME.match(text)
    if match is None:
        return Problem("started_at", "bad_datetime", text[:40])
    year, month, day, hour, minute, second, offset = match.groups()
    try:
        moment = datetime(int(year), int(month), int(day), int(hour or 0),  # noqa: DTZ001
                          int(minute or 0), int(second or 0))
    except ValueError:
        return Problem("started_at", "date_does_not_exist", text[:40])
    if offset:
        normal = "+00:00" if offset == "Z" else offset[:3] + ":" + offset[-2:]
        moment = datetime.fromisoformat(moment.isoformat() + normal)
    return moment


def _text(raw: dict[str, Any], name: str, limit: int, problems: list[Problem], *,
          required: bool = True) -> str:
    value = raw.get(name)
    if type(value) is str:  # the common case, checked with the fewest steps
        text = value.strip()
        if text and len(text) <= limit and not _CONTROL.search(text):
            return text
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append(Problem(name, "required"))
        return ""
    if isinstance(value, bool | dict | list):
        problems.append(Problem(name, "not_text", str(value)[:40]))
        return ""
    text = str(value).strip()
    if len(text) > limit:
        problems.append(Problem(name, "too_long", text[:40], {"max": limit}))
    elif _CONTROL.search(text):
        problems.append(Problem(name, "control_character", text[:40]))
    return text


def parse_flag(value: Any) -> bool | None:
    """true/false, 1/0, 是/否 … as a platform writes a yes/no column; None if it is not."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    return None


def _flag(outcome: dict[str, Any], name: str, problems: list[Problem]) -> bool:
    value = outcome.get(name)
    if value is None or value == "":
        problems.append(Problem(name, "required"))
        return False
    flag = parse_flag(value)
    if flag is None:
        problems.append(Problem(name, "not_boolean", str(value)[:40]))
        return False
    return flag


def _whole_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return int(text)
        try:
            number = float(text)
        except ValueError:
            return None
        return int(number) if number.is_integer() else None
    return None


def _duration(raw: dict[str, Any], problems: list[Problem]) -> int:
    value = raw.get("duration_s")
    if value is None or value == "":
        problems.append(Problem("duration_s", "required"))
        return 0
    seconds = _whole_number(value)
    if seconds is None:
        problems.append(Problem("duration_s", "not_a_whole_number", str(value)[:40]))
        return 0
    if not 0 <= seconds <= MAX_DURATION_S:
        problems.append(Problem("duration_s", "out_of_range", str(value)[:40],
                                {"min": 0, "max": MAX_DURATION_S}))
    return seconds


def _satisfaction(outcome: dict[str, Any], problems: list[Problem]) -> int | None:
    value = outcome.get("satisfaction")
    if value is None or (isinstance(value, str) and value.strip() in {"", "null", "无", "-"}):
        return None  # no survey answered
    score = _whole_number(value)
    if score is None or not 1 <= score <= 5:
        problems.append(Problem("satisfaction", "out_of_range", str(value)[:40],
                                {"min": 1, "max": 5}))
        return None
    return score


def _outcome(raw: dict[str, Any], problems: list[Problem]) -> dict[str, Any]:
    nested = raw.get("outcome")
    if nested is None:
        return {name: raw.get(name) for name in OUTCOME_FIELDS}
    if not isinstance(nested, dict):
        problems.append(Problem("outcome", "not_an_object", str(nested)[:40]))
        return {}
    return nested


# Joins a call's turns for one masking pass: not a control character once those are
# removed, and not a separator a number may contain, so no number spans two turns.
_TURN_JOIN = "\x00"
# Control characters other than the separator: the joined turns hold one separator fewer
# than turns unless a text brought its own.
_CONTROL_BUT_JOIN = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")


def parse_turns(value: Any, field: str = "turns") -> tuple[list[list[Any]], int] | Problem:
    """Turns as ``[[speaker, masked text, start_ms], ...]`` and how many numbers were
    masked; personal numbers are masked here, before anything is stored."""
    if not isinstance(value, list):
        return Problem(field, "not_a_list", str(value)[:40])
    if len(value) > MAX_TURNS:
        return Problem(field, "too_many", str(len(value)), {"max": MAX_TURNS})
    # A million calls of a dozen turns each pass through this loop: locals, one list.
    speaker_of = SPEAKERS.get
    heads: list[tuple[str, int | None]] = []
    texts: list[str] = []
    for index, turn in enumerate(value, start=1):
        if not isinstance(turn, dict):
            return Problem(field, "bad_turn", str(turn)[:40], {"turn": index})
        raw_speaker = turn.get("speaker")
        speaker = speaker_of(raw_speaker) if isinstance(raw_speaker, str) else None
        if speaker is None:
            speaker = speaker_of(str(raw_speaker).strip().lower())
            if speaker is None:
                return Problem(field, "bad_speaker", str(raw_speaker)[:40], {"turn": index})
        text = turn.get("text")
        if not isinstance(text, str):
            return Problem(field, "bad_turn", str(text)[:40], {"turn": index})
        if len(text) > MAX_TURN_TEXT:
            return Problem(field, "too_long", text[:40], {"max": MAX_TURN_TEXT})
        start = turn.get("start_ms")
        if start is not None and not (type(start) is int and start >= 0):
            start = _whole_number(start)
            if start is None or start < 0:
                return Problem(field, "bad_turn", str(turn.get("start_ms"))[:40],
                               {"turn": index})
        heads.append((speaker, start))
        texts.append(text.strip())
    if not texts:
        return [], 0
    joined = _TURN_JOIN.join(texts)
    if (_CONTROL_BUT_JOIN.search(joined) is not None
            or joined.count(_TURN_JOIN) != len(texts) - 1):
        joined = _TURN_JOIN.join(_CONTROL.sub("", t).strip() for t in texts)
    clean = mask_personal_numbers(joined)
    masked_texts = clean.text.split(_TURN_JOIN)
    return ([[speaker, masked, start]
             for (speaker, start), masked in zip(heads, masked_texts, strict=True)],
            clean.count)


def transcript_json(turns: list[list[Any]]) -> str:
    """Compact UTF-8 JSON (orjson: the import writes a million of these)."""
    return orjson.dumps(turns).decode()


def _queue(raw: dict[str, Any], context: RowContext, problems: list[Problem]) -> str:
    queue = _text(raw, "queue", 40, problems)
    if queue and queue not in context.queues:
        problems.append(Problem("queue", "unknown_queue", queue[:40]))
    return queue


def _started(raw: dict[str, Any], context: RowContext, problems: list[Problem]
             ) -> LocalTime | None:
    moment = parse_moment(raw.get("started_at"))
    if isinstance(moment, Problem):
        problems.append(moment)
        return None
    started = local_time(moment, context.tz)
    if started.utc.replace(tzinfo=UTC) > context.now + FUTURE_TOLERANCE:
        problems.append(Problem("started_at", "in_future", str(raw.get("started_at"))[:40]))
    return started


def _category(outcome: dict[str, Any], complaint: bool, problems: list[Problem]
              ) -> str | None:
    value = outcome.get("complaint_category")
    category = None if value is None else str(value).strip() or None
    if category is not None and not complaint:
        problems.append(Problem("complaint_category", "category_without_complaint",
                                category[:40]))
    if category is not None and len(category) > CATEGORY_MAX:
        problems.append(Problem("complaint_category", "too_long", category[:40],
                                {"max": CATEGORY_MAX}))
    return category


def parse_call(row: RawRow, context: RowContext) -> tuple[CallRow | None, list[Problem]]:
    """A row of a call export: the call, or what is wrong with it."""
    if row.broken is not None:
        return None, [Problem("", "bad_json", row.broken[:60])]
    raw = row.values
    problems = [Problem(column, "formula", str(raw.get(column))[:40])
                for column in row.formula_columns]
    call_id = _text(raw, "call_id", CALL_ID_MAX, problems)
    agent_id = _text(raw, "agent_id", AGENT_ID_MAX, problems)
    team = _text(raw, "team", TEAM_MAX, problems)
    queue = _queue(raw, context, problems)
    started = _started(raw, context, problems)
    duration = _duration(raw, problems)
    region = _text(raw, "region", REGION_MAX, problems)
    product = _text(raw, "product", PRODUCT_MAX, problems)
    channel = _text(raw, "channel", CHANNEL_MAX, problems, required=False) or None
    outcome = _outcome(raw, problems)
    fcr = _flag(outcome, "resolved_first_contact", problems)
    complaint = _flag(outcome, "complaint", problems)
    repeat = _flag(outcome, "repeat_within_7d", problems)
    satisfaction = _satisfaction(outcome, problems)
    category = _category(outcome, complaint, problems)
    transcript, turn_count, masked = None, 0, 0
    if raw.get("turns") is not None:
        parsed = parse_turns(raw["turns"])
        if isinstance(parsed, Problem):
            problems.append(parsed)
        else:
            transcript, turn_count, masked = (transcript_json(parsed[0]), len(parsed[0]),
                                              parsed[1])
    if problems or started is None:
        return None, problems
    return CallRow(
        line=row.number, call_id=call_id, agent_id=agent_id, team=team, queue=queue,
        started=started, duration_s=duration, region=region, product=product,
        channel=channel, fcr=fcr, satisfaction=satisfaction, complaint=complaint,
        complaint_category=category, repeat_7d=repeat, transcript=transcript,
        turn_count=turn_count, masked=masked), []
