"""The retrieval metrics against hand-computed examples, and the eval command end to end."""

from __future__ import annotations

import json
import math
from pathlib import Path

from typer.testing import CliRunner

from seci.cli import app
from seci.retrieval.evaluation import (
    LabelledQuery,
    Outcome,
    mean_reciprocal_rank,
    ndcg_at,
    no_answer_accuracy,
    recall_at,
    report,
)

OUTCOMES = [
    Outcome(LabelledQuery("a", "A1", "colloquial"), ["A1", "B"], True),  # rank 1
    Outcome(LabelledQuery("b", "A2", "colloquial"), ["X", "Y", "A2"], True),  # rank 3
    Outcome(LabelledQuery("c", "A3", "typo"), ["X"] * 5 + ["A3"], False),  # rank 6
    Outcome(LabelledQuery("d", "A4", "typo"), [], False),  # not found
    Outcome(LabelledQuery("e", None, "out_of_scope"), ["X"], True),  # wrongly confident
    Outcome(LabelledQuery("f", None, "out_of_scope"), ["X"], False),  # rightly unsure
]


def test_metrics_by_hand() -> None:
    assert recall_at(OUTCOMES, 1) == 1 / 4
    assert recall_at(OUTCOMES, 5) == 2 / 4
    assert math.isclose(mean_reciprocal_rank(OUTCOMES), (1 + 1 / 3 + 1 / 6) / 4)
    assert math.isclose(ndcg_at(OUTCOMES, 10),
                        (1 + 1 / math.log2(4) + 1 / math.log2(7)) / 4)
    assert no_answer_accuracy(OUTCOMES) == 1 / 2


def test_report_has_the_documented_keys_and_styles() -> None:
    figures = report(OUTCOMES)
    assert set(figures) >= {"recall@1", "recall@5", "mrr", "ndcg@10", "no_answer_accuracy",
                            "by_style"}
    assert figures["by_style"]["typo"]["recall@5"] == 0.0
    assert figures["by_style"]["out_of_scope"]["recall@1"] is None


def test_eval_command_end_to_end(tmp_path: Path) -> None:
    kb = tmp_path / "kb.jsonl"
    kb.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in [
        {"code": "T-1", "title": "国际漫游开通", "body": "出国前开通国际漫游。",
         "module": "个人业务/国际漫游", "queues": ["A"], "similar_questions": ["出国手机能用吗"]},
        {"code": "T-2", "title": "宽带故障报修", "body": "断网先重启光猫。",
         "module": "家庭业务/宽带", "queues": ["A"], "valid_to": None},
        {"code": "T-3", "title": "暑期流量促销", "body": "已结束的活动。",
         "module": "个人业务/资费套餐", "queues": ["A"], "valid_to": "2020-08-31"},
    ]), encoding="utf-8")
    queries = tmp_path / "q.jsonl"
    queries.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in [
        {"query": "出國了手機還能用嗎", "expected": "T-1", "style": "traditional"},
        {"query": "家里宽带坏了", "expected": "T-2", "style": "synonym"},
        {"query": "暑期流量促销", "expected": None, "style": "expired"},
    ]), encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "retrieval", "--kb", str(kb), "--queries",
                                      str(queries), "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["recall@1"] == 1.0
    assert figures["by_style"]["traditional"]["recall@1"] == 1.0
    assert figures["no_answer_accuracy"] == 1.0  # the expired promotion is never returned


def test_eval_command_reports_a_bad_query_line(tmp_path: Path) -> None:
    kb = tmp_path / "kb.jsonl"
    kb.write_text('{"code": "T-1", "title": "t", "module": "m", "queues": []}\n',
                  encoding="utf-8")
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"query": "a", "expected": "T-1"}\nnot json\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "retrieval", "--kb", str(kb), "--queries",
                                      str(queries)])
    assert result.exit_code == 1
    assert "2" in result.output
