"""Homophone typos read as the knowledge base's words (seci.retrieval.typos)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from seci.retrieval.coverage import CoverageIndex, article_text
from seci.retrieval.engine import SearchEngine
from seci.retrieval.service import search
from seci.retrieval.text import default_analyzer
from seci.retrieval.typos import Correction, KnownWords, correct
from tests.factories import World, bearer, make_article, web_login

KB = {  # article: its fields' text, read as the engine reads them (the analyzer's tokens)
    1: ["宽带故障报修，先重启光猫", "家庭宽带资费"],
    2: ["套餐外收费标准，流量超出"],
    3: ["携号转网的条件和办理", "信号不好"],
    4: ["宽带移机"],
}


def _known() -> tuple[KnownWords, CoverageIndex]:
    analyzer = default_analyzer()
    known, coverage = KnownWords(), CoverageIndex()
    for article_id, texts in KB.items():
        fields = [" ".join(analyzer.tokens(text)) for text in texts]
        known.upsert(article_id, " ".join(fields))
        coverage.upsert(article_id, article_text(fields))
    return known, coverage


def _correct(text: str) -> tuple[str, tuple[Correction, ...]]:
    known, coverage = _known()
    found = correct(text, known, cut=default_analyzer().cut, holds_pair=coverage.holds_pair)
    return found.text, found.corrections


def test_a_homophone_typo_is_read_as_the_knowledge_bases_word() -> None:
    assert _correct("家里款带坏了") == ("家里宽带坏了", (Correction("款带", "宽带"),))
    assert _correct("超出套餐怎么收废") == ("超出套餐怎么收费", (Correction("收废", "收费"),))


def test_a_longer_word_is_tried_first_and_may_differ_in_two_characters() -> None:
    # 专网 is a word of its own; the window holding it and more sounds like 携号转网.
    assert _correct("我想携号专网") == ("我想携号转网", (Correction("携号专网", "携号转网"),))
    assert _correct("我想协号专网") == ("我想携号转网", (Correction("协号专网", "携号转网"),))


def test_several_typos_and_other_text_around_them() -> None:
    text, corrections = _correct("KB-1 款带和流两, 收废?")
    assert text == "KB-1 宽带和流量, 收费?"
    assert [c.word for c in corrections] == ["宽带", "流量", "收费"]


def test_text_without_typos_is_returned_as_is() -> None:
    assert _correct("宽带报修") == ("宽带报修", ())
    assert _correct("hello 123") == ("hello 123", ())


def test_a_real_word_the_knowledge_base_lacks_is_no_typo() -> None:
    # 笔记本 is a dictionary word: its 记本 is never read as another word of that sound.
    known, coverage = _known()
    known.upsert(9, "基本")
    found = correct("笔记本连不上", known, cut=default_analyzer().cut,
                    holds_pair=coverage.holds_pair)
    assert found.corrections == ()


def test_windows_with_common_characters_are_left_alone() -> None:
    # 新号 sounds like 信号, but 新 is a common modifier: a new number, not a signal.
    assert _correct("新号能带走吗") == ("新号能带走吗", ())


def test_what_the_knowledge_base_writes_itself_is_no_typo() -> None:
    known, coverage = _known()
    coverage.upsert(5, article_text(["款带 说明"]))  # an article spells it so
    found = correct("款带", known, cut=default_analyzer().cut, holds_pair=coverage.holds_pair)
    assert found.corrections == ()


def test_a_window_differing_in_more_characters_than_allowed_is_kept() -> None:
    known, coverage = _known()
    known.upsert(6, "报修")
    # 宝秀 sounds like 报修 (bao xiu) but differs in both characters of two.
    found = correct("宝秀", known, cut=default_analyzer().cut, holds_pair=coverage.holds_pair)
    assert found.corrections == ()


def test_the_word_most_articles_hold_wins_and_removal_forgets() -> None:
    known = KnownWords()
    known.upsert(1, "收费")
    known.upsert(2, "收费 手费")
    known.upsert(3, "手费")
    known.upsert(4, "手费")
    assert known.sounding_like("收废") == "手费"
    known.remove(3)
    known.remove(4)
    assert known.sounding_like("收废") == "收费"  # two against one
    known.upsert(1, "")  # the article no longer says it
    known.remove(2)
    assert "收费" not in known and known.sounding_like("收废") is None


def test_only_whole_tokens_of_two_to_four_chinese_characters_are_words() -> None:
    known = KnownWords()
    known.upsert(1, "宽带 5G套餐 一二三四五 流量x 话费 话费 a 办")
    assert "宽带" in known and "话费" in known
    for not_a_word in ("5G套餐", "套餐", "一二三四五", "二三四五", "流量", "办"):
        assert not_a_word not in known


def test_counts_survive_the_word_table_growing() -> None:
    # Thousands of words: the counts' array grows (it starts at 1,024) and keeps them.
    words = [chr(0x4E00 + i) + chr(0x4E00 + i + 1) for i in range(0, 6000, 2)]
    known = KnownWords()
    known.upsert(1, " ".join(words[:2000]))
    known.upsert(2, " ".join(words[1000:]))
    assert all(known.holders(w) == 2 for w in words[1000:2000])
    known.remove(1)
    assert words[0] not in known and words[1500] in known and words[-1] in known
    assert known.holders(words[1500]) == 1


def test_the_pair_table_says_which_pairs_some_article_holds() -> None:
    _, coverage = _known()
    assert coverage.holds_pair("宽带") and coverage.holds_pair("报修")
    assert not coverage.holds_pair("款带") and not coverage.holds_pair("宽")


def test_search_reads_a_typo_as_the_word_and_says_so(db: Session, world: World) -> None:
    make_article(db, world, code="KD-FIX", title="宽带故障报修",
                 body="宽带断网先重启光猫，仍不能上网请报修。",
                 similar_questions=["宽带坏了怎么办"])
    make_article(db, world, code="PORT", title="携号转网办理条件",
                 body="在网满三个月、无欠费可办理携号转网。", similar_questions=["怎么转网"])
    engine = SearchEngine()
    result = search(db, engine=engine, user=world["agent"], query="款带坏了咋办")
    assert result.hits[0].code == "KD-FIX"
    assert result.corrections == (Correction("款带", "宽带"),)
    # The words read are those highlighted in the title.
    assert any(segment.hit and "宽带" in segment.text
               for segment in result.hits[0].title)
    plain = search(db, engine=engine, user=world["agent"], query="宽带坏了咋办")
    assert plain.corrections == ()
    exact = search(db, engine=engine, user=world["agent"], query="款带坏了咋办", as_typed=True)
    assert exact.corrections == ()


def _broadband(db: Session, world: World) -> None:
    make_article(db, world, code="KD-FIX", title="宽带故障报修",
                 body="宽带断网先重启光猫，仍不能上网请报修。",
                 similar_questions=["宽带坏了怎么办"])


def test_the_api_lists_the_corrections(client: TestClient, db: Session, world: World) -> None:
    _broadband(db, world)
    headers = bearer(db, world, "agent")
    body = client.get("/api/v1/search", params={"q": "款带断往了"}, headers=headers).json()
    assert body["hits"][0]["code"] == "KD-FIX"
    assert body["corrections"] == [{"typed": "款带", "word": "宽带"},
                                   {"typed": "断往", "word": "断网"}]
    plain = client.get("/api/v1/search", params={"q": "宽带断网了"}, headers=headers).json()
    assert plain["corrections"] == []
    as_typed = client.get("/api/v1/search", params={"q": "款带断往了", "as_typed": "true"},
                          headers=headers).json()
    assert as_typed["corrections"] == []


def test_the_search_page_says_what_was_searched(client: TestClient, db: Session,
                                                world: World) -> None:
    _broadband(db, world)
    web_login(client, "agent")
    page = client.get("/kb/search", params={"q": "款带坏了"}).text
    assert "已按「宽带」查找（输入的是「款带」）" in page
    assert 'href="/kb/search?q=%E6%AC%BE%E5%B8%A6%E5%9D%8F%E4%BA%86&amp;as_typed=1"' in page
    assert "仍按输入查找" in page
    exact = client.get("/kb/search", params={"q": "款带坏了", "as_typed": "1"}).text
    assert 'id="search-corrected" class="muted hint" role="status" hidden' in exact
    assert 'name="as_typed" value="1"' in exact
    english = client.get("/kb/search", params={"q": "款带坏了", "lang": "en"}).text
    assert "Searched for 宽带 (typed: 款带)" in english
    plain = client.get("/kb/search", params={"q": "宽带坏了"}).text
    assert 'id="search-corrected" class="muted hint" role="status" hidden' in plain


def test_terms_seci_knows_besides_the_articles_are_known_words() -> None:
    _, coverage = _known()
    known = KnownWords(terms=["详单", "x", "太长的一个词语"])
    assert "详单" in known and "x" not in known and known.sounding_like("祥单") == "详单"
    found = correct("想查祥单", known, cut=default_analyzer().cut,
                    holds_pair=coverage.holds_pair)
    assert found.corrections == (Correction("祥单", "详单"),)
    known.upsert(1, "详单")
    known.remove(1)
    assert "详单" in known  # a term stays known without articles


def test_a_polyphonic_character_matches_as_read_in_its_word() -> None:
    # 曝 reads 'pu' alone and 'bao' in 曝光; 重 'zhong' alone and 'chong' in 重复.
    known = KnownWords()
    known.upsert(1, "曝光 重复投诉")
    assert known.sounding_like("报光") == "曝光"
    assert known.sounding_like("重复投速") == "重复投诉"
