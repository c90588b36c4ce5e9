"""Coverage of the question by an article's whole text, and the re-ranking of the best hits."""

from __future__ import annotations

import math

import pytest
from sqlalchemy.orm import Session

from seci.retrieval import engine as engine_module
from seci.retrieval.coverage import CoverageIndex, article_text, pairs, question_text
from seci.retrieval.documents import Facts
from seci.retrieval.engine import RankedArticle, SearchEngine, by_coverage
from seci.retrieval.service import search
from tests.factories import World, make_article


def test_fields_are_read_apart_and_the_question_as_one_run() -> None:
    text = article_text(["宽带 移机", "puk 码"])
    assert text == "宽带移机\npuk码"
    assert pairs(text) == {"宽带", "带移", "移机", "pu", "uk", "k码"}
    assert "机p" not in pairs(text)  # never across two fields
    assert pairs(question_text(["退订", "彩铃"])) == {"退订", "订彩", "彩铃"}


def test_the_engine_reads_the_analyzers_tokens_traditional_and_synonyms_included() -> None:
    from seci.retrieval.text import default_analyzer

    analyzer = default_analyzer()
    # 寬頻 is Taiwan wording for 宽带; 上网费 is rewritten to the standard 流量费.
    assert "宽带" in question_text(analyzer.tokens("寬頻壞了"))
    assert "流量费" in question_text(analyzer.tokens("上网费怎么算"))


def _index() -> CoverageIndex:
    index = CoverageIndex()
    for article_id, text in ((1, "彩铃退订"), (2, "彩铃开通"), (3, "流量包"), (4, "宽带报修")):
        index.upsert(article_id, article_text([text]))
    return index


def test_weights_are_inverse_document_frequencies_of_pairs_some_article_holds() -> None:
    weights = _index().weights("退订彩铃")
    # 彩铃 in two of four articles, 退订 in one, 订彩 in none (left out).
    assert weights == pytest.approx({"彩铃": math.log1p(4 / 2), "退订": math.log1p(4 / 1)})


def test_coverage_is_the_share_of_the_questions_weight_in_the_text() -> None:
    index = _index()
    weights = index.weights("退订彩铃")
    both = math.log1p(2) + math.log1p(4)
    assert index.coverage(weights, 1) == pytest.approx(1.0)
    assert index.coverage(weights, 2) == pytest.approx(math.log1p(2) / both)  # 0.406
    assert index.coverage(weights, 3) == 0.0
    assert index.coverage(weights, 99) == 0.0  # not indexed
    assert index.coverage({}, 1) == 0.0
    assert index.weights("") == {}


def test_replacing_and_removing_an_article_updates_the_frequencies() -> None:
    index = _index()
    index.upsert(2, article_text(["国际漫游"]))  # 彩铃 now in one article only
    assert index.weights("彩铃") == pytest.approx({"彩铃": math.log1p(4 / 1)})
    index.remove(1)
    assert index.weights("彩铃退订") == {}
    assert len(index) == 3


def _hit(article_id: int, score: float) -> RankedArticle:
    facts = Facts(article_id=article_id, version_id=article_id, code=f"A{article_id}",
                  title="", module_path="/1/", queue_ids=frozenset(), audience="customer",
                  valid_from=None, valid_to=None)
    return RankedArticle(facts, score)


def test_only_the_best_three_are_reordered_and_scores_keep_falling() -> None:
    index = CoverageIndex()
    for article_id, text in ((1, "彩铃开通"), (2, "彩铃开通收费"), (3, "彩铃退订"),
                             (4, "彩铃退订"), (5, "宽带")):
        index.upsert(article_id, article_text([text]))
    ranked = [_hit(1, 0.40), _hit(2, 0.36), _hit(3, 0.33), _hit(4, 0.30)]
    result = by_coverage(index, "彩铃退订", ranked)
    # Weights: 彩铃 ln(1 + 5/4) = 0.811, 铃退 and 退订 ln(1 + 5/2) = 1.253 each; article 3
    # holds all three, articles 1 and 2 only 彩铃 (0.811 / 3.317 = 0.245):
    # 0.40 + 0.2 × 0.245 = 0.449 < 0.33 + 0.2 = 0.53, and 0.36 + 0.049 = 0.409.
    assert [r.facts.article_id for r in result] == [3, 1, 2, 4]
    assert [r.coverage for r in result] == pytest.approx([1.0, 0.245, 0.245, 1.0], abs=1e-3)
    # The places keep their scores: the first place's is still the best fused score.
    assert [r.score for r in result] == [0.40, 0.36, 0.33, 0.30]


def test_a_detail_only_the_body_holds_tells_sibling_articles_apart(
        db: Session, world: World) -> None:
    """Two articles a caller's words match alike by title and similar questions; the body
    of one names the detail the caller describes."""
    make_article(db, world, code="CL-QUIT", title="彩铃退订办法",
                 body="发送0000选择彩铃退订。", similar_questions=["彩铃怎么退", "不想要彩铃了"])
    make_article(db, world, code="CL-FEE", title="彩铃费用说明",
                 body="彩铃功能费5元/月。被重复扣费的，核实后退还多扣的费用。",
                 similar_questions=["彩铃一个月多少钱"])
    make_article(db, world, code="KD", title="宽带报修", body="先重启光猫。",
                 similar_questions=["家里断网"])
    engine = SearchEngine()
    query = "彩铃被重复扣费了能退吗"
    result = search(db, engine=engine, user=world["agent"], query=query)
    assert result.hits[0].code == "CL-FEE"
    ranked = engine.rank(query, _filters(), 3)
    by_code = {r.facts.code: r for r in ranked}
    assert by_code["CL-FEE"].coverage > by_code["CL-QUIT"].coverage


def _filters() -> engine_module.Filters:
    from seci.core.clock import today

    return engine_module.Filters(on=today())
