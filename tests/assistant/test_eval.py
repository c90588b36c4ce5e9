"""`seci eval assistant`: the figures on a tiny labelled set."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from seci.assistant.evaluation import AssistantOutcome, report
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
