"""Coverage of the question by an article's whole text, and the re-ranking of the best hits."""

from __future__ import annotations

import math

import pytest
from sqlalchemy.orm import Session

from seci.retrieval import engine as engine_module
from seci.retrieval.coverage import CoverageIndex, article_text, pairs, question_text
from seci.retrieval.documents import Facts
from seci.retrieval.engine import RankedArticle, SearchEngine, by_coverage
from seci.retrieval.index import Filters
from seci.retrieval.matcher import Example
from seci.retrieval.service import search
from seci.retrieval.situations import SituationLexicon, parse_lexicon
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
    index.upsert(5, article_text(["彩铃彩铃", "彩铃"]))  # an article counts once
    index.remove(5)
    index.upsert(6, article_text(["彩铃彩铃", "彩铃"]))
    assert index.weights("彩铃") == pytest.approx({"彩铃": math.log1p(4 / 1)})


def _hit(article_id: int, score: float, code: str = "") -> RankedArticle:
    facts = Facts(article_id=article_id, version_id=article_id, code=code or f"A{article_id}",
                  title="", module_path="/1/", queue_ids=frozenset(), audience="customer",
                  valid_from=None, valid_to=None)
    return RankedArticle(facts, score)


def test_only_the_first_places_are_reordered_and_keep_their_scores(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "COVERAGE_DEPTH", 3)
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
    from seci.core.clock import today

    ranked = engine.rank(query, Filters(on=today()), 3)
    by_code = {r.facts.code: r for r in ranked}
    assert by_code["CL-FEE"].coverage > by_code["CL-QUIT"].coverage


def test_an_article_code_asked_for_stays_first() -> None:
    index = CoverageIndex()
    index.upsert(1, article_text(["5G套餐介绍"]))
    index.upsert(2, article_text(["kbzf001 流量包"]))  # holds the code's characters
    ranked = [_hit(1, 0.30, code="KB-ZF-001"), _hit(2, 0.29)]
    assert [r.facts.article_id for r in by_coverage(index, "kbzf001", ranked)] == [2, 1]
    assert [r.facts.article_id
            for r in by_coverage(index, "kbzf001", ranked, code="kb-zf-001")] == [1, 2]


# --- the situation lexicon's sentences as matcher examples ---------------------------------


def _facts(article_id: int, *examples: str) -> Facts:
    return Facts(article_id=article_id, version_id=article_id, code=f"A{article_id}",
                 title=examples[0], module_path="/1/", queue_ids=frozenset(),
                 audience="customer", valid_from=None, valid_to=None, examples=examples)


def test_an_entrys_sentence_teaches_the_few_articles_naming_its_concept() -> None:
    lexicon = SituationLexicon(parse_lexicon([
        "net.apn: 换|新买 + 手机 + 上不了网|没网 => APN设置 ; 换了手机上不了网",
        "bill.high: 话费 + 好多|太多 => 话费查询 ; 这个月话费怎么这么多",
        "no.example: 宽带 + 断 => 宽带故障",
    ]))
    kb = [_facts(i, f"业务说明{i}") for i in range(1, 41)]
    kb[0] = _facts(1, "APN设置指引", "手机上网设置怎么弄")
    # 话费查询 named by four articles: more than the three a sentence may teach.
    kb[1:5] = [_facts(i, f"话费查询方式{i}") for i in range(2, 6)]
    assert engine_module.situation_examples(kb, lexicon) == [
        Example("换了手机上不了网", 1)]


def test_on_a_small_knowledge_base_only_an_article_of_its_own_is_taught() -> None:
    lexicon = SituationLexicon(parse_lexicon([
        "bill.high: 话费 + 好多|太多 => 话费查询 ; 这个月话费怎么这么多"]))
    # Ten articles: 5 % is half an article, so a concept two of them name teaches none.
    kb = [_facts(i, f"业务说明{i}") for i in range(1, 11)]
    kb[0], kb[1] = _facts(1, "话费查询"), _facts(2, "话费查询与账单")
    assert engine_module.situation_examples(kb, lexicon) == []
    kb[1] = _facts(2, "宽带报修")
    assert engine_module.situation_examples(kb, lexicon) == [
        Example("这个月话费怎么这么多", 1)]


# --- one pass of the rankers, several views ------------------------------------------------


def test_a_view_of_wider_candidates_ranks_as_a_search_under_its_filters(
        db: Session, world: World) -> None:
    from datetime import timedelta

    from seci.core.clock import today

    day = today()
    make_article(db, world, code="GJ-NOW", title="国际漫游流量包", body="日包25元。",
                 similar_questions=["出国流量包多少钱"])
    make_article(db, world, code="GJ-OLD", title="国际漫游流量包暑期特惠", body="日包9元。",
                 similar_questions=["暑假出国流量包优惠"], valid_to=day - timedelta(days=3))
    make_article(db, world, code="KD", title="宽带报修", body="先重启光猫。",
                 similar_questions=["家里断网"])
    engine = SearchEngine()
    engine.sync(db)
    valid = Filters(on=day)
    wide = Filters(on=day, any_day=True)
    query = "出国流量包特惠"
    candidates = engine.candidates(query, wide, 10, depth=2)
    assert _ids(engine.view(candidates, valid, 10)) == _ids(engine.rank(query, valid, 10))
    assert _ids(engine.view(candidates, wide, 10)) == _ids(engine.rank(query, wide, 10))
    codes = {f.article_id: f.code for f in engine.all_facts()}
    assert "GJ-OLD" in {codes[i] for i, _ in _ids(engine.view(candidates, wide, 10))}
    assert "GJ-OLD" not in {codes[i] for i, _ in _ids(engine.view(candidates, valid, 10))}


def _ids(ranked: list[RankedArticle]) -> list[tuple[int, float]]:
    return [(r.facts.article_id, round(r.score, 9)) for r in ranked]
