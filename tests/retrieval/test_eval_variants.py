"""The evaluation harness of issue 15 cannot silently break: the KB cut to N similar
questions is what gets imported, evaluation dates are honoured, and the untuned hybrid
baseline of the dev/blind benchmark ranks a plainly matching article first."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.hybrid_baseline import HybridBaseline
from sqlalchemy import select
from typer.testing import CliRunner

from seci.cli import app
from seci.knowledge.models import ArticleVersion
from seci.retrieval.evaluation import EvalStore, cut_similar_questions

KB: list[dict[str, Any]] = [
    {"code": "T-1", "title": "国际漫游开通", "body": "出国前发送 KTMY 开通国际漫游。",
     "module": "个人业务/国际漫游", "queues": ["A"],
     "similar_questions": ["出国手机能用吗", "去国外怎么打电话", "漫游怎么开", "境外上网",
                           "出国前要办什么"]},
    {"code": "T-2", "title": "宽带故障报修", "body": "断网先重启光猫，再提交报修工单。",
     "module": "家庭业务/宽带", "queues": ["A"],
     "相似问法": "家里断网了|宽带连不上|光猫红灯|网速很慢"},
    {"code": "T-3", "title": "彩铃设置", "body": "发送 CL 到 10086 设置彩铃。",
     "module": "个人业务/增值业务", "queues": ["A"],
     "similar_questions": ["换个铃声", " 换个铃声 "]},
    {"code": "T-4", "title": "暑期流量促销", "body": "暑期流量包半价。",
     "module": "个人业务/资费套餐", "queues": ["A"], "valid_from": "2020-07-01",
     "valid_to": "2020-08-31", "similar_questions": ["暑假流量优惠"]},
]


def _jsonl(rows: list[dict[str, Any]]) -> bytes:
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode("utf-8")


def test_cut_keeps_the_first_n_similar_questions() -> None:
    cut = [json.loads(line) for line in cut_similar_questions(_jsonl(KB), 3).splitlines()]
    assert cut[0]["similar_questions"] == ["出国手机能用吗", "去国外怎么打电话", "漫游怎么开"]
    assert cut[1]["相似问法"] == ["家里断网了", "宽带连不上", "光猫红灯"]  # a list cell, split
    assert cut[2]["similar_questions"] == ["换个铃声"]  # fewer: all kept (repeats dropped)
    assert [r["title"] for r in cut] == [r["title"] for r in KB]
    assert cut[3]["valid_to"] == "2020-08-31"
    again = cut_similar_questions(_jsonl(KB), 3)
    assert again == cut_similar_questions(again, 3)  # deterministic, idempotent
    assert all(r.get("similar_questions", r.get("相似问法")) == []
               for r in map(json.loads, cut_similar_questions(_jsonl(KB), 0).splitlines()))


def test_the_store_imports_the_cut_kb(tmp_path: Path) -> None:
    kb = tmp_path / "kb.jsonl"
    kb.write_bytes(_jsonl(KB))
    store = EvalStore()
    try:
        store.build(kb, similar_questions=2)
        kept = {v.code: list(v.similar_questions)
                for v in store.session.scalars(select(ArticleVersion))}
    finally:
        store.session.close()
        store.directory.cleanup()
    assert kept["T-1"] == ["出国手机能用吗", "去国外怎么打电话"]
    assert kept["T-2"] == ["家里断网了", "宽带连不上"]
    assert kept["T-3"] == ["换个铃声"]


def test_eval_retrieval_judges_validity_on_the_given_day(tmp_path: Path) -> None:
    kb, queries = tmp_path / "kb.jsonl", tmp_path / "q.jsonl"
    kb.write_bytes(_jsonl(KB))
    queries.write_text(json.dumps({"query": "暑期流量促销", "expected": "T-4"},
                                  ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "retrieval", "--kb", str(kb), "--queries",
                                      str(queries), "--similar-questions", "1",
                                      "--on", "2020-08-01", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["recall@1"] == 1.0  # expired today, valid that day


def test_the_hybrid_baseline_ranks_a_plain_match_first() -> None:
    hybrid = HybridBaseline(KB, date(2026, 12, 6))
    assert sorted(hybrid.codes) == ["T-1", "T-2", "T-3"]  # the expired promotion is left out
    assert hybrid.search("宽带故障报修")[0] == "T-2"
    assert hybrid.search("出国手机能用吗")[0] == "T-1"
    assert hybrid.search("菜铃设置")[0] == "T-3"  # a homophone typo: the pinyin ranking
    assert "T-4" not in hybrid.search("暑期流量促销")
    assert HybridBaseline(KB, date(2020, 8, 1)).search("暑期流量促销")[0] == "T-4"
