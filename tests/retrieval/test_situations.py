"""The situation lexicon: its format, the matching rule, the shipped file, and what the
expansion does to the ranking of a small knowledge base."""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from seci.core.clock import today
from seci.retrieval import engine as engine_module
from seci.retrieval.engine import SearchEngine
from seci.retrieval.index import Filters
from seci.retrieval.service import search
from seci.retrieval.situations import (
    CONCEPT_WEIGHT,
    PatternError,
    SituationLexicon,
    parse_lexicon,
    parse_line,
    parse_pattern,
    shipped_situations,
)
from seci.retrieval.text import Analyzer
from tests.factories import World, make_article

CJK = re.compile(r"[\u3400-\u9fff]")
# Callers' sentences per entry and out-of-scope questions (evaluation/lexicon/README.md).
LEXICON_CHECKS = Path(__file__).resolve().parents[2] / "evaluation" / "lexicon"


@pytest.fixture(scope="module")
def lexicon() -> SituationLexicon:
    return SituationLexicon(shipped_situations())


@pytest.fixture(scope="module")
def own_analyzer() -> Analyzer:
    return Analyzer()


def fired(lexicon: SituationLexicon, query: str) -> list[str]:
    return [f.situation.key for f in lexicon.match(query, limit=None)]


# --- format ----------------------------------------------------------------------------------


def test_a_line_holds_key_pattern_concepts_and_example() -> None:
    entry = parse_line("net.x: 换|新买 + 手机|機子 + 上不了网|没网 ! 宽带|WiFi => APN设置 网络设置 "
                       "; 换了手机上不了网", area="手机上网")
    assert entry.key == "net.x"
    assert entry.pattern.slots == (("换", "新买"), ("手机", "机子"), ("上不了网", "没网"))
    assert entry.pattern.excluded == ("宽带", "wifi")  # normalised: simplified, case-folded
    assert entry.concepts == ("APN设置", "网络设置")
    assert (entry.example, entry.area) == ("换了手机上不了网", "手机上网")
    assert str(entry.pattern) == "换|新买 + 手机|机子 + 上不了网|没网 ! 宽带|wifi"
    assert parse_pattern(str(entry.pattern)) == entry.pattern


@pytest.mark.parametrize(("text", "code"), [
    ("", "pattern_empty"),
    (" + | ", "pattern_empty"),
    ("宽带", "pattern_single_slot_too_short"),  # a word alone is a synonym, not a situation
    ("宽带 + 宽带|网", "pattern_word_repeated"),
    ("一 + 二 + 三 + 四 + 五 + 六 + 七", "pattern_too_many_slots"),
    ("很" * 21 + " + 网", "pattern_word_too_long"),
])
def test_bad_patterns_are_refused_with_a_code(text: str, code: str) -> None:
    with pytest.raises(PatternError) as error:
        parse_pattern(text)
    assert error.value.code == code


def test_a_single_slot_of_long_words_is_allowed() -> None:
    assert parse_pattern("响一声就挂|打过来就挂").slots == (("响一声就挂", "打过来就挂"),)


def test_the_file_names_areas_and_refuses_duplicate_keys() -> None:
    entries = parse_lexicon(["# comment", "[账务]", "a.b: 话费 + 多 => 账单 ; 话费多",
                             "", "[宽带]", "c.d: 宽带 + 断 => 宽带故障"])
    assert [(e.key, e.area) for e in entries] == [("a.b", "账务"), ("c.d", "宽带")]
    with pytest.raises(PatternError) as error:
        parse_lexicon(["a.b: 话费 + 多 => 账单", "a.b: 宽带 + 断 => 宽带故障"])
    assert error.value.code == "key_taken"
    with pytest.raises(PatternError):
        parse_lexicon(["no arrow here"])


# --- the matching rule -----------------------------------------------------------------------


@pytest.mark.parametrize(("query", "key"), [
    # the examples, as callers would say them (never the pattern verbatim)
    ("换了手机上不了网", "net.new-phone"),
    ("刚买的新手机，插上卡就是没网", "net.new-phone"),
    ("新换的华为流量打不开网页", "net.new-phone"),
    ("我们公司同事之间想打短号", "grp.short-number"),
    ("单位里的人互相打电话能用四位的短号码吗", "grp.short-number"),
    ("帮我妈交一下话费", "pay.for-other"),
    ("给我爸充点话费怎么弄", "pay.for-other"),
    ("我妈那个号以后每个月从我这扣钱行不行", "pay.monthly-from-me"),
    ("家里的网络账号密码忘记了咋整", "bb.password"),
    ("家里宽带的账号密码都不记得了", "bb.password"),
    ("出国了手机没信号", "roam.no-signal"),
    ("人在日本，手机一点信号都没有", "roam.no-signal"),
    # any order, words far apart in a long statement
    ("网一直上不去，我昨天刚换的手机，以前的老手机都好好的", "net.new-phone"),
    # traditional characters and full-width text are normalised first
    ("換了新手機就上不了網", "net.new-phone"),
    # a homophone typo of a word of two or more characters
    ("款带密码忘了", "bb.password"),
    ("菜铃怎么取消", "vas.ringtone-off"),
])
def test_fires_on_paraphrases(lexicon: SituationLexicon, query: str, key: str) -> None:
    assert key in fired(lexicon, query)


@pytest.mark.parametrize("query", [
    "今天天气怎么样", "明天去北京的高铁几点发车", "我家猫不吃饭怎么办", "医保卡丢了去哪补办",
    "银行卡密码忘了怎么办", "驾照扣了几分怎么查", "孩子发烧了去哪个医院", "信用卡还款日是哪天",
    "水费欠费了会停水吗", "小区停车位多少钱一个月", "身份证丢了怎么补办", "电费怎么交",
    "淘宝退货流程", "公积金怎么提取", "帮我订一张去上海的机票",
])
def test_does_not_fire_on_unrelated_text(lexicon: SituationLexicon, query: str) -> None:
    assert fired(lexicon, query) == []


@pytest.mark.parametrize("query", [
    "I lost my card yesterday", "How do I top up my account with apple pay?",
    "my phone was stolen, block it", "Why was I charged twice for the same transaction",
    "What is the exchange rate for 5g data abroad", "wifi password forgotten 12300",
])
def test_never_fires_on_english(lexicon: SituationLexicon, query: str) -> None:
    assert fired(lexicon, query) == []


def test_excluded_words_and_siblings(lexicon: SituationLexicon) -> None:
    # the new-phone entry is about mobile data, not the home broadband
    assert "net.new-phone" not in fired(lexicon, "换了手机连家里宽带上不了网")
    # the home-network password is not the wifi password
    assert "bb.password" not in fired(lexicon, "家里wifi密码忘了")
    assert "bb.wifi-password" in fired(lexicon, "家里wifi密码忘了")


def test_pinyin_needs_half_the_characters_as_typed(lexicon: SituationLexicon) -> None:
    # 显示 sounds like 闲时 but shares no character with it; 了 is a particle
    assert "闲时" not in lexicon.occurring("手机显示有信号")
    assert "小了" not in lexicon.occurring("想把号销了")
    assert "宽带" in lexicon.occurring("款带")


def test_pinyin_never_matches_part_of_a_longer_word(lexicon: SituationLexicon,
                                                    own_analyzer: Analyzer) -> None:
    query = "我在新加坡买了流量包，咋一直连不上网"
    # 新家 (a new home: the broadband move) sounds like the 新加 of 新加坡 …
    assert "bb.move" in fired(lexicon, query)
    # … which the dictionary knows as a word of its own.
    assert "新家" not in lexicon.occurring(query, own_analyzer.cut)
    keys = [f.situation.key for f in lexicon.match(query, limit=None, segment=own_analyzer.cut)]
    assert "bb.move" not in keys and "roam.data" in keys
    # Typos still meet their word: without guessed words the segmenter splits them.
    assert "流量" in lexicon.occurring("孩子流两老不够用", own_analyzer.cut)
    assert "宽带" in lexicon.occurring("我家款带坏了", own_analyzer.cut)
    assert own_analyzer.cut("孩子流两老不够用") == ["孩子", "流", "两", "老", "不够", "用"]


def test_the_most_specific_entries_are_kept() -> None:
    lexicon = SituationLexicon(parse_lexicon([
        "a.two: 手机 + 没网 => 网络设置",
        "b.three: 换 + 手机 + 没网 => APN设置",
        "c.long: 手机 + 没网了 => 网络故障",
    ]))
    assert [f.situation.key for f in lexicon.match("换了手机没网了")] == [
        "b.three", "c.long", "a.two"]
    assert next(f.matched for f in lexicon.match("换了手机没网了")) == ("换", "手机", "没网")
    assert len(lexicon.match("换了手机没网了", limit=1)) == 1


def test_expansion_adds_concept_tokens_below_the_callers_words(lexicon: SituationLexicon,
                                                               own_analyzer: Analyzer) -> None:
    expansion = lexicon.expand("换了手机上不了网", own_analyzer.tokens)
    terms = dict(expansion.terms)
    assert "apn" in terms or "apn设置" in terms
    own = set(own_analyzer.tokens("换了手机上不了网"))
    assert not own & set(terms)  # the caller's own words are not added again
    assert all(0 < weight <= CONCEPT_WEIGHT for weight in terms.values())
    # together the concepts never weigh more than the caller's words
    assert sum(terms.values()) <= len(own) + 1e-9
    assert lexicon.expand("今天天气怎么样", own_analyzer.tokens).terms == ()


# --- the shipped lexicon ---------------------------------------------------------------------


def test_the_shipped_lexicon_is_large_and_covers_every_area() -> None:
    entries = shipped_situations()
    assert len(entries) >= 300
    areas = {e.area for e in entries}
    for area in ("话费账单", "充值缴费", "停机复机", "套餐资费", "流量", "手机上网与信号", "宽带",
                 "国际漫游与国际业务", "号码业务", "实名认证", "SIM卡", "增值业务与退订",
                 "投诉与服务", "VIP与全球通", "积分", "发票", "合约与终端", "5G", "家庭网与副卡",
                 "集团业务", "安全与诈骗"):
        assert area in areas, area


def test_every_shipped_entry_fires_on_its_example(lexicon: SituationLexicon) -> None:
    silent = [e.key for e in shipped_situations()
              if not e.example or e.key not in fired(lexicon, e.example)]
    assert silent == []


def test_shipped_keys_never_look_like_managers_keys() -> None:
    assert not [e.key for e in shipped_situations() if e.key.startswith("local-")]


# Two rounds of callers' sentences; each round holds one sentence per entry out (never shown
# to whoever widened the patterns), picked by a hash of the key salted with the round.
ROUNDS = {"phrasings.tsv": "", "phrasings2.tsv": "2"}


def _callers_sentences(name: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in (LEXICON_CHECKS / name).read_text("utf-8").splitlines():
        key, _, sentence = line.partition("\t")
        found.setdefault(key, []).append(sentence)
    return found


def _held_out(key: str, salt: str, sentences: list[str]) -> int:
    """The index of the entry's sentence nobody widening the patterns saw."""
    return zlib.crc32((key + salt).encode()) % len(sentences)


def _fires_own(lexicon: SituationLexicon, analyzer: Analyzer, held_out: bool) -> float:
    pairs = [(key, sentence) for name, salt in ROUNDS.items()
             for key, sentences in _callers_sentences(name).items()
             for i, sentence in enumerate(sentences)
             if (i == _held_out(key, salt, sentences)) == held_out]
    own = sum(key in [f.situation.key for f in lexicon.match(s, limit=None,
                                                             segment=analyzer.cut)]
              for key, s in pairs)
    return own / len(pairs)


def test_callers_sentences_name_shipped_entries() -> None:
    shipped = {e.key for e in shipped_situations()}
    for name in ROUNDS:
        sentences = _callers_sentences(name)
        assert set(sentences) <= shipped and len(sentences) >= 470
        assert all(len(found) == 6 for found in sentences.values())


def test_the_lexicon_fires_on_callers_sentences_of_its_situations(
        lexicon: SituationLexicon, own_analyzer: Analyzer) -> None:
    """Widened on the training sentences (97 % fire their own entry, 52 % before), and
    measured on the held-out ones (69 %, 54 % before): a narrowed pattern shows here."""
    assert _fires_own(lexicon, own_analyzer, held_out=False) >= 0.95
    assert _fires_own(lexicon, own_analyzer, held_out=True) >= 0.66


def test_the_lexicon_stays_silent_on_out_of_scope_questions(
        lexicon: SituationLexicon, own_analyzer: Analyzer) -> None:
    questions = (LEXICON_CHECKS / "out_of_scope.txt").read_text("utf-8").splitlines()
    noisy = [q for q in questions if lexicon.match(q, segment=own_analyzer.cut)]
    assert len(questions) == 600
    assert noisy == []


def test_every_shipped_entry_needs_chinese_words() -> None:
    """A slot of Chinese words only: the lexicon cannot fire on an English query."""
    latin_only = [e.key for e in shipped_situations()
                  if not any(all(CJK.search(w) for w in slot) for slot in e.pattern.slots)]
    assert latin_only == []


# --- effect on the ranking -------------------------------------------------------------------


@pytest.fixture
def small_kb(db: Session, world: World) -> None:
    """A realistic little KB: titles in business words, one similar question each, and
    siblings that share the callers' words."""
    rows = [
        ("NET-APN", "手机APN与网络设置指引", "手机无法上网时检查移动数据开关和APN设置。",
         ["手机上网设置怎么弄"]),
        ("NET-SIG", "信号覆盖问题受理", "室内信号弱、无信号的受理与派单。", ["家里信号差"]),
        ("ZD-HX", "以旧换新业务说明", "旧手机折价抵扣购买新手机。", ["旧手机能抵多少钱"]),
        ("GRP-V", "集团V网（集团短号）", "集团客户成员之间拨打短号，组内通话优惠。",
         ["V网怎么加入"]),
        ("PAY-DF", "代付与亲情付", "由一个号码为另一个号码按月支付话费（亲情付）。",
         ["亲情付怎么开通"]),
        ("PAY-CZ", "话费充值方式", "客户可通过APP、微信、营业厅为本机或他人交话费。",
         ["交话费有哪些方式"]),
        ("KD-PWD", "宽带账号密码重置", "宽带密码重置可在APP或营业厅办理。", ["宽带密码怎么改"]),
        ("KD-WIFI", "WiFi密码修改", "登录光猫管理页面修改无线密码。", ["wifi密码怎么改"]),
        ("KD-NEW", "家庭宽带报装", "新装宽带的办理流程和资费。", ["我想装宽带"]),
        ("MY-GZ", "境外漫游故障处理", "在国外无信号时手动选网、重启手机。", ["国际漫游怎么开"]),
    ]
    for code, title, body, questions in rows:
        make_article(db, world, code=code, title=title, body=body, similar_questions=questions,
                     tags=[])


SITUATIONS = [
    ("换了手机上不了网", "NET-APN"),
    ("同事之间想打短号", "GRP-V"),
    ("我妈的话费以后每个月从我这扣", "PAY-DF"),
    ("家里网络账号密码忘了", "KD-PWD"),
    ("人在泰国手机一点信号都没有", "MY-GZ"),
]


@pytest.mark.usefixtures("small_kb")
def test_situational_queries_find_the_right_article(db: Session, world: World,
                                                    own_analyzer: Analyzer) -> None:
    engine = SearchEngine(own_analyzer)
    for query, code in SITUATIONS:
        hits = search(db, engine=engine, user=world["agent"], query=query).hits
        assert hits and hits[0].code == code, (query, [h.code for h in hits[:3]])
        # as a customer: the assistant's search (customer-visible articles of every queue)
        hits = search(db, engine=engine, user=None, query=query, snippets=False).hits
        assert hits and hits[0].code == code, (query, [h.code for h in hits[:3]])


@pytest.mark.usefixtures("small_kb")
def test_without_the_lexicon_some_are_missed(db: Session, world: World,
                                             own_analyzer: Analyzer,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The lexicon acts twice: its concepts join the query, and its example sentences
    teach the matcher the articles naming those concepts; an engine without it has
    neither. Coverage re-ranking finds some of them without it, not all; with coverage
    off too, most are missed."""
    with_lexicon = _found(db, SearchEngine(own_analyzer))
    without = _found(db, SearchEngine(own_analyzer, situations=False))
    assert with_lexicon == len(SITUATIONS)
    assert without < len(SITUATIONS)
    monkeypatch.setattr(engine_module, "COVERAGE_WEIGHT", 0.0)
    assert _found(db, SearchEngine(own_analyzer, situations=False)) <= len(SITUATIONS) - 2


def _found(db: Session, engine: SearchEngine) -> int:
    engine.sync(db)
    filters = Filters(on=today())
    codes = {f.article_id: f.code for f in engine.all_facts()}
    found = 0
    for query, code in SITUATIONS:
        ranked = engine.rank(query, filters, 3)
        found += bool(ranked) and codes[ranked[0].facts.article_id] == code
    return found
