"""`seci eval assistant`: the figures on a tiny labelled set."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from seci.assistant.evaluation import AssistantOutcome, evaluate, report
from seci.cli import app
from seci.retrieval.evaluation import LabelledQuery

KB = [
    {"code": "MY-1", "title": "国际漫游开通", "body": "出国前发送 KTMY 开通国际漫游。",
     "module": "个人业务/国际漫游", "queues": ["A"],
     "similar_questions": ["出国了手机还能用不", "国际漫游怎么开通"]},
    {"code": "KD-1", "title": "宽带故障报修", "body": "先重启光猫，再提交报修工单。",
     "module": "家庭业务/宽带", "queues": ["A"],
     "similar_questions": ["家里断网了怎么办", "宽带连不上"]},
    {"code": "IN-1", "title": "退费权限", "body": "内部：一线可退50元。", "module": "个人业务/账务",
     "queues": ["A"], "audience": "internal", "similar_questions": ["能退多少钱"]},
]
QUERIES = [
    {"query": "出国了手机还能用不", "expected": "MY-1"},
    {"query": "家里断网了怎么办", "expected": "KD-1"},
    {"query": "明天天气怎么样", "expected": None},
]


def test_the_figures_are_fractions_of_their_groups() -> None:
    def outcome(expected: str | None, kind: str, *codes: str) -> AssistantOutcome:
        return AssistantOutcome(LabelledQuery("q", expected), kind, codes)

    figures = report([outcome("A", "answer", "A"), outcome("A", "answer", "B"),
                      outcome("A", "choices", "B", "A"), outcome("A", "no_answer"),
                      outcome(None, "no_answer"), outcome(None, "answer", "A")])
    assert figures["answered_correct"] == figures["answered_wrong"] == 0.25
    assert figures["offered_choices"] == figures["handed_off"] == 0.25
    assert figures["out_of_scope_handled"] == 0.5


def test_eval_assistant_prints_json(tmp_path: Path) -> None:
    kb, queries = tmp_path / "kb.jsonl", tmp_path / "queries.jsonl"
    kb.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in KB), encoding="utf-8")
    queries.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in QUERIES),
                       encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "assistant", "--kb", str(kb), "--queries",
                                      str(queries), "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert set(figures) >= {"answered_correct", "answered_wrong", "offered_choices",
                            "handed_off", "out_of_scope_handled"}
    assert figures["answered_correct"] == 1.0
    assert figures["out_of_scope_handled"] == 1.0
    assert (figures["in_scope"], figures["out_of_scope"]) == (2, 1)


UNKNOWN_WORDING = {"query": "屋里头那根线的信号没了，啥也刷不出来", "expected": "KD-1"}


def _files(tmp_path: Path, queries: list[dict[str, object]]) -> tuple[Path, Path]:
    kb, asked = tmp_path / "kb.jsonl", tmp_path / "queries.jsonl"
    kb.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in KB), encoding="utf-8")
    asked.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in queries),
                     encoding="utf-8")
    return kb, asked


def test_a_question_an_agent_answered_is_answered_the_next_time(tmp_path: Path) -> None:
    kb, _ = _files(tmp_path, [])
    question = LabelledQuery(str(UNKNOWN_WORDING["query"]), "KD-1")
    [before] = evaluate(kb, [question])
    assert before.kind == "no_answer"
    # Earlier customers: this wording (handed to an agent, who answered with KD-1), an
    # agent-only question and an out-of-scope one (nothing to learn from either).
    earlier = [question, LabelledQuery("能退多少钱", "IN-1"), LabelledQuery("明天天气怎么样", None)]
    [after] = evaluate(kb, [question], learn_from=earlier)
    assert (after.kind, after.codes) == ("answer", ("KD-1",))


def test_eval_assistant_learns_from_a_file_first(tmp_path: Path) -> None:
    kb, queries = _files(tmp_path, [UNKNOWN_WORDING])
    args = ["eval", "assistant", "--kb", str(kb), "--queries", str(queries), "--json"]
    before = CliRunner().invoke(app, args)
    after = CliRunner().invoke(app, [*args, "--learn-from", str(queries)])
    assert before.exit_code == after.exit_code == 0, before.output + after.output
    assert json.loads(before.output)["answered_correct"] == 0.0
    assert json.loads(after.output)["answered_correct"] == 1.0
