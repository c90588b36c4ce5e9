"""Files as call platforms export them: JSONL with transcripts, or a CSV of records (English or
Chinese headers, UTF-8 or GBK) with the transcripts in a JSONL of their own."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

from seci.synthetic.calls import generate
from seci.synthetic.config import GeneratorConfig
from seci.synthetic.truth import GroundTruth

CSV_COLUMNS: tuple[str, ...] = (
    "call_id", "agent_id", "team", "queue", "started_at", "duration_s", "region", "product",
    "channel", "resolved_first_contact", "satisfaction", "complaint", "complaint_category",
    "repeat_within_7d",
)
CSV_COLUMNS_ZH: tuple[str, ...] = (
    "通话ID", "坐席工号", "班组", "队列", "开始时间", "通话时长", "地区", "业务", "渠道",
    "一次解决", "满意度", "投诉", "投诉类别", "七天重复来电",
)
_OUTCOME_COLUMNS = frozenset(("resolved_first_contact", "satisfaction", "complaint",
                              "complaint_category", "repeat_within_7d"))
_BUFFER = 1 << 20


_CALL_KEYS = ("call_id", "agent_id", "team", "queue", "started_at", "duration_s", "region",
              "product", "channel", "turns", "outcome")
_STRING_KEYS = ("call_id", "agent_id", "team", "queue", "started_at", "region", "product",
                "channel")
_SPEAKERS = frozenset(("agent", "customer"))
_INT = frozenset((int,))
_SPEAKER = itemgetter("speaker")
_TEXT = itemgetter("text")
_START = itemgetter("start_ms")
_OUTCOME_KEYS = ("resolved_first_contact", "satisfaction", "complaint", "complaint_category",
                 "repeat_within_7d")


_ENCODER = json.JSONEncoder(ensure_ascii=False)  # json.dumps would build one per call
_JSON_BOOL = {True: "true", False: "false"}


def _dumps(obj: Any) -> str:
    return _ENCODER.encode(obj)


def _outcome_json(outcome: dict[str, Any]) -> str:
    if tuple(outcome) != _OUTCOME_KEYS:
        return _dumps(outcome)
    satisfaction, category = outcome["satisfaction"], outcome["complaint_category"]
    flags = (outcome["resolved_first_contact"], outcome["complaint"],
             outcome["repeat_within_7d"])
    if (any(type(flag) is not bool for flag in flags)
            or (satisfaction is not None and type(satisfaction) is not int)
            or (category is not None and (type(category) is not str or not _plain(category)))):
        return _dumps(outcome)
    return (f'{{"resolved_first_contact": {_JSON_BOOL[flags[0]]}, "satisfaction": '
            f'{"null" if satisfaction is None else satisfaction}, "complaint": '
            f'{_JSON_BOOL[flags[1]]}, "complaint_category": '
            f'{"null" if category is None else chr(34) + category + chr(34)}, '
            f'"repeat_within_7d": {_JSON_BOOL[flags[2]]}}}')


def _plain(text: str) -> bool:
    """True when JSON needs no escape in ``text`` (json.dumps would copy it as it is)."""
    return '"' not in text and "\\" not in text and text.isprintable()


def encode_call(call: dict[str, Any]) -> str:
    """``json.dumps(call, ensure_ascii=False)``, faster for records shaped like the generator's:
    byte-identical for them; anything else (other keys or types, strings that need escapes)
    goes to json.dumps."""
    if tuple(call) != _CALL_KEYS or type(call["duration_s"]) is not int:
        return _dumps(call)
    turns = call["turns"]
    try:
        # Every turn has exactly its three keys (a missing one raises KeyError), speakers are
        # the two known ones, start times integers; str.join refuses anything but strings.
        if (type(turns) is not list or sum(map(len, turns)) != 3 * len(turns)
                or not set(map(_SPEAKER, turns)) <= _SPEAKERS
                or not set(map(type, map(_START, turns))) <= _INT):
            return _dumps(call)
        texts = "".join(map(_TEXT, turns))
        heads = "".join([call[k] for k in _STRING_KEYS])
    except (KeyError, TypeError):
        return _dumps(call)
    if not (_plain(texts) and _plain(heads)):
        return _dumps(call)
    body = ", ".join([f'{{"speaker": "{t["speaker"]}", "text": "{t["text"]}", '
                      f'"start_ms": {t["start_ms"]}}}' for t in turns])
    return (f'{{"call_id": "{call["call_id"]}", "agent_id": "{call["agent_id"]}", '
            f'"team": "{call["team"]}", "queue": "{call["queue"]}", '
            f'"started_at": "{call["started_at"]}", "duration_s": {call["duration_s"]}, '
            f'"region": "{call["region"]}", "product": "{call["product"]}", '
            f'"channel": "{call["channel"]}", "turns": [{body}], '
            f'"outcome": {_outcome_json(call["outcome"])}}}')


def write_jsonl(calls: Iterable[dict[str, Any]], path: str | Path) -> int:
    """One call per line (UTF-8, ``ensure_ascii=False``); returns the number of lines."""
    count = 0
    with open(path, "w", encoding="utf-8", buffering=_BUFFER) as out:
        write = out.write
        for call in calls:
            write(encode_call(call) + "\n")
            count += 1
    return count


def write_roster_jsonl(roster: Iterable[dict[str, Any]], path: str | Path) -> int:
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        for agent in roster:
            out.write(_dumps(agent) + "\n")
            count += 1
    return count


def write_transcripts_jsonl(calls: Iterable[dict[str, Any]], path: str | Path) -> int:
    """``{"call_id", "turns"}`` per call that has a transcript (empty ones are left out)."""
    count = 0
    with open(path, "w", encoding="utf-8", buffering=_BUFFER) as out:
        for call in calls:
            if _write_transcript(out, call):
                count += 1
    return count


def write_calls_csv(calls: Iterable[dict[str, Any]], path: str | Path, *,
                    chinese_headers: bool = False, encoding: str = "utf-8") -> int:
    """Flat records without turns. Chinese headers come with 是/否 for booleans (as Chinese
    platforms export them), English ones with true/false; no value is an empty cell."""
    count = 0
    with open(path, "w", encoding=encoding, newline="", buffering=_BUFFER) as out:
        writer = _csv_writer(out, chinese_headers)
        for call in calls:
            writer.writerow(csv_row(call, chinese_headers=chinese_headers))
            count += 1
    return count


def csv_row(call: dict[str, Any], *, chinese_headers: bool = False) -> list[str]:
    yes, no = ("是", "否") if chinese_headers else ("true", "false")
    outcome = call["outcome"]
    row: list[str] = []
    for column in CSV_COLUMNS:
        value = outcome[column] if column in _OUTCOME_COLUMNS else call[column]
        if value is None:
            row.append("")
        elif value is True:
            row.append(yes)
        elif value is False:
            row.append(no)
        else:
            row.append(str(value))
    return row


def _csv_writer(out: IO[str], chinese_headers: bool) -> Any:
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS_ZH if chinese_headers else CSV_COLUMNS)
    return writer


def _write_transcript(out: IO[str], call: dict[str, Any]) -> bool:
    turns = call.get("turns")
    if not turns:
        return False
    out.write(_dumps({"call_id": call["call_id"], "turns": turns}) + "\n")
    return True


def write_dataset(config: GeneratorConfig, directory: str | Path, *, csv_files: bool = False,
                  chinese_headers: bool = False, encoding: str = "utf-8") -> GroundTruth:
    """Write ``calls.jsonl``, ``roster.jsonl`` and ``ground_truth.json`` into ``directory``
    (created if missing); with ``csv_files`` also ``calls.csv`` (records without turns, in
    ``encoding``, e.g. "gbk") and ``transcripts.jsonl``. One pass over the stream."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    dataset = generate(config)
    write_roster_jsonl(dataset.roster, folder / "roster.jsonl")
    with open(folder / "calls.jsonl", "w", encoding="utf-8", buffering=_BUFFER) as calls_out:
        if not csv_files:
            for call in dataset.calls():
                calls_out.write(encode_call(call) + "\n")
        else:
            with open(folder / "calls.csv", "w", encoding=encoding, newline="",
                      buffering=_BUFFER) as csv_out, \
                    open(folder / "transcripts.jsonl", "w", encoding="utf-8",
                         buffering=_BUFFER) as turns_out:
                writer = _csv_writer(csv_out, chinese_headers)
                for call in dataset.calls():
                    calls_out.write(encode_call(call) + "\n")
                    writer.writerow(csv_row(call, chinese_headers=chinese_headers))
                    _write_transcript(turns_out, call)
    (folder / "ground_truth.json").write_text(
        json.dumps(dataset.truth.to_dict(), ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8")
    return dataset.truth
