"""Each rule of the text pipeline, pinned."""

from __future__ import annotations

from pathlib import Path

import pytest

from seci.retrieval.text import (
    Analyzer,
    SynonymGroup,
    char_ngrams,
    clean_scraped,
    normalize,
    parse_synonym_lines,
    pinyin_bigrams,
    pinyin_keys,
    strip_glued_pinyin,
    to_simplified,
)

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def test_nfkc_folds_full_width_and_case() -> None:
    assert normalize("５Ｇ套餐　ＶＩＰ") == "5g套餐 vip"
    assert normalize("  话费\t\n余额  ") == "话费 余额"


def test_traditional_becomes_simplified_with_mainland_words() -> None:
    assert to_simplified("重慶移動客戶服務中心") == "重庆移动客户服务中心"
    assert normalize("寬頻軟體") == "宽带软件"


def test_glued_pinyin_annotations_are_stripped() -> None:
    assert strip_glued_pinyin("重慶移動(dòng)客戶(hù)") == "重慶移動客戶"
    assert normalize("崗位聯(lián)動(dòng)") == "岗位联动"
    assert strip_glued_pinyin("業(yè)務(w") == "業務"  # cut off at the end of a line
    # ordinary parentheses stay
    assert strip_glued_pinyin("图1(见下)") == "图1(见下)"
    assert strip_glued_pinyin("套餐(5G)") == "套餐(5G)"


def test_scraped_pages_lose_spam_navigation_and_tag_lines() -> None:
    page = "\n".join([
        "婷婷综合国产,蜜桃久久精品一级",
        "企业400电话 网络优化推广 AI电话机器人 呼叫中心 网站建设 微网小程序 电商运营",
        "  • 企业电话",
        "  • 全 部 栏 目",
        "主頁 > 知識庫 > 熱線知識",
        "熱線客服的知識(shí)管理",
        "知識管理讓一線(xiàn)客服代表更快找到答案，提升一次解決率。",
        "標簽:玉溪 臨滄 三門峽 綿陽 吐魯番 本溪",
        "沾化县| 洪雅县| 宜黄县| 桂东县| 古浪县| 虎林市",
        "上一篇:如何做好员工留存?",
        "呼叫中心流程管理 2010-09-01 |",
        "© 2016-2020 某某网络 版权所有",
        "鏈接已復制,快去分享吧",
    ])
    cleaned = clean_scraped(page)
    assert cleaned.splitlines() == [
        "热线客服的知识管理",
        "知识管理让一线客服代表更快找到答案,提升一次解决率。",
    ]


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds not beside the checkout")
def test_the_seed_pages_clean_to_plain_simplified_chinese() -> None:
    for seed in sorted(SEEDS.glob("*.txt")):
        cleaned = clean_scraped(seed.read_text(encoding="utf-8"))
        assert len(cleaned) > 1000, seed.name
        assert to_simplified(cleaned) == cleaned, seed.name  # nothing traditional left
        assert "(dòng)" not in cleaned and "(hù)" not in cleaned
        for spam in ("婷婷", "蜘蛛池", "版权所有", "上一篇", "ICP备"):
            assert spam not in cleaned, (seed.name, spam)
    knowledge = clean_scraped((SEEDS / "001_fddd031c2fdde019.txt").read_text("utf-8"))
    assert "岗位联动" in knowledge


def test_segmentation_keeps_telecom_terms_whole(analyzer: Analyzer) -> None:
    tokens = analyzer.tokens("办理停机保号和携号转网需要带身份证")
    for term in ("停机保号", "携号转网", "身份证"):
        assert term in tokens
    assert "全球通" in analyzer.tokens("全球通客户专线")


def test_synonyms_are_rewritten_to_their_canonical_term(analyzer: Analyzer) -> None:
    assert "流量费" in analyzer.tokens("上网费怎么算")
    assert "携号转网" in analyzer.tokens("我想转网")
    assert "宽带故障" in analyzer.tokens("家里宽带坏了")
    assert "上网费" not in analyzer.tokens("上网费怎么算")


def test_synonyms_can_be_replaced_at_run_time(analyzer: Analyzer) -> None:
    fresh = Analyzer(groups=[])
    assert "流量费" not in fresh.tokens("上网费")
    fresh.set_synonyms([SynonymGroup("流量费", ("上网费",))])
    assert "流量费" in fresh.tokens("上网费")


def test_stop_words_and_punctuation_are_dropped(analyzer: Analyzer) -> None:
    tokens = analyzer.tokens("我这个月话费咋扣这么多？！")
    assert "话费" in tokens
    assert not {"我", "咋", "这么", "？", "！"} & set(tokens)


def test_mixed_chinese_and_english(analyzer: Analyzer) -> None:
    tokens = analyzer.tokens("5G套餐的WiFi密码怎么设置")
    assert "5g套餐" in tokens
    assert "wifi" in tokens


def test_synonym_file_format() -> None:
    groups = parse_synonym_lines(["# comment", "", "流量费|上网费|數據費 # tail", "单独一个"])
    assert groups == [SynonymGroup("流量费", ("上网费", "数据费"))]


def test_homophone_typos_meet_on_pinyin() -> None:
    assert pinyin_keys(["花费", "余额"]) == pinyin_keys(["话费", "余额"]) == ["huafei", "yue"]


def test_typos_that_split_a_word_still_share_pinyin_bigrams() -> None:
    # 菜铃 is no word, so segmentation cuts it and its word key misses 彩铃's.
    assert "cai_ling" in pinyin_bigrams("菜铃怎么取消")
    assert "cai_ling" in pinyin_bigrams("彩铃业务退订")
    assert pinyin_bigrams("积份") == pinyin_bigrams("积分") == ["ji_fen"]
    assert pinyin_bigrams("5g套餐 ok") == ["tao_can"]  # Chinese runs only


def test_character_ngrams() -> None:
    assert char_ngrams("话费ab") == ["话", "费", "a", "b", "话费", "费a", "ab"]


def test_the_pinyin_field_of_a_split_typo_meets_the_article() -> None:
    from types import SimpleNamespace

    from seci.retrieval.documents import query_tokens, tokenize_version

    analyzer = Analyzer(lexicon=False)
    version = SimpleNamespace(title="彩铃业务退订", similar_questions=["彩铃怎么取消"], tags=[],
                              body="发送短信退订彩铃。", customer_answer="")
    article = set(tokenize_version(analyzer, version).pinyin.split())  # type: ignore[arg-type]
    typo = set(query_tokens(analyzer, "菜铃").pinyin.split())
    assert "cai_ling" in article & typo
