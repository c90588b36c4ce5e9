"""Reading what customers type."""

from __future__ import annotations

import pytest

from seci.assistant.errors import BadPhoneNumber, EmptyMessage, MessageTooLong
from seci.assistant.text import (
    MAX_MESSAGE,
    clean_message,
    contrast_of,
    customer_text,
    feedback_in_words,
    follow_up_words,
    has_words,
    is_follow_up,
    mask_phone,
    matches_keywords,
    parse_choice,
    query_of,
    valid_mobile,
)


def test_control_characters_nul_and_lone_surrogates_are_removed() -> None:
    assert clean_message("话费\x00怎么\x07查\ud800\u202e") == "话费怎么查"
    assert clean_message("  第一行\r\n第二行\t ") == "第一行\n第二行"


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01\x02", "\ud800\udfff"[0]])
def test_nothing_readable_is_an_empty_message(text: str) -> None:
    with pytest.raises(EmptyMessage):
        clean_message(text)


def test_a_very_long_message_is_refused_with_its_limit() -> None:
    with pytest.raises(MessageTooLong) as raised:
        clean_message("话" * 10_000)
    assert raised.value.params == {"max": MAX_MESSAGE}


def test_emoji_are_kept_but_are_not_words() -> None:
    assert clean_message("👍👨‍👩‍👧") == "👍👨‍👩‍👧"
    assert not has_words("👍👍")
    assert has_words("流量👍")


def test_markup_is_not_searched() -> None:
    assert query_of("<script>alert(1)</script>话费怎么查") == "alert(1) 话费怎么查"
    assert len(query_of("话" * 1000)) == 500


@pytest.mark.parametrize(("text", "expected"), [
    ("1", 0), ("2", 1), ("３", 2), ("第二个", 1), ("第2条", 1), ("选3", 2), ("一", 0),
    ("两", 1), ("我选第一个", 0), ("②", 1), ("4", None), ("话费", None), ("12", None),
    ("国际漫游流量包订购", 1),
])
def test_choices_by_number_word_or_title(text: str, expected: int | None) -> None:
    titles = ["国际漫游开通与资费", "国际漫游流量包订购", "国内流量包与加油包"]
    assert parse_choice(text, titles) == expected


def test_a_single_suggestion_is_confirmed_with_yes() -> None:
    assert parse_choice("是的", ["宽带故障报修"]) == 0
    assert parse_choice("是的", ["宽带故障报修", "宽带资费"]) is None


@pytest.mark.parametrize(("text", "follow_up"), [
    ("那国际的呢", True), ("要多少钱", True), ("怎么办理", True), ("那港澳台呢", True),
    ("多少钱？", True), ("国际漫游怎么开通", False),
    ("我上个月话费扣了好多钱是怎么回事呢能帮我查查吗", False),
])
def test_follow_ups_are_short_and_lean_on_the_topic(text: str, follow_up: bool) -> None:
    assert is_follow_up(text) is follow_up


def test_contrastive_follow_ups_name_the_other_thing() -> None:
    assert contrast_of("那国际的呢") == "国际"
    assert contrast_of("港澳台呢？") == "港澳台"
    assert contrast_of("这个呢") is None
    assert contrast_of("要多少钱") is None
    assert follow_up_words("那国际的呢") == "国际"


def test_keyword_rules_match_words_and_whole_messages() -> None:
    pattern = "转人工|人工客服|=人工"
    assert matches_keywords("帮我转人工", pattern) == "转人工"
    assert matches_keywords("人工！", pattern) == "人工"
    assert matches_keywords("人工智能是什么", pattern) is None
    assert matches_keywords("我要投訴", "投诉") == "投诉"  # traditional characters too


def test_whole_message_words_are_read_without_the_greetings_and_thanks_around_them() -> None:
    pattern = "转人工|=人工|=客服"
    assert matches_keywords("你好，人工", pattern) == "人工"
    assert matches_keywords("人工，谢谢！", pattern) == "人工"
    assert matches_keywords("喂 人工", pattern) == "人工"
    # Greeting the service is no request for a person; asking about it neither.
    assert matches_keywords("你好，客服", pattern) is None
    assert matches_keywords("您好客服", pattern) is None
    assert matches_keywords("你好，人工智能是什么", pattern) is None


def test_a_keyword_inside_one_of_the_rules_exceptions_does_not_count() -> None:
    pattern = "妈的|!我妈的|垃圾|！垃圾短信"  # ！ as an input method types it
    assert matches_keywords("我妈的手机欠费停机了", pattern) is None
    assert matches_keywords("老是收到垃圾短信怎么拦截", pattern) is None
    assert matches_keywords("妈的，又乱扣我钱", pattern) == "妈的"
    assert matches_keywords("我妈的手机停了，妈的", pattern) == "妈的"
    assert matches_keywords("垃圾短信不管，你们服务真垃圾", pattern) == "垃圾"
    # What an exception leaves does not join its neighbours into a keyword.
    assert matches_keywords("坑人家", "人家|!坑人") is None
    assert matches_keywords("我妈的", "!我妈的") is None  # exceptions alone never fire


def test_mobile_numbers_are_validated_and_masked() -> None:
    assert valid_mobile("138 1234 5678") == "13812345678"
    assert valid_mobile("+86 138-1234-5678") == "13812345678"
    assert valid_mobile("１３８１２３４５６７８") == "13812345678"
    for bad in ("12812345678", "1381234567", "010-12345678", "abc", ""):
        with pytest.raises(BadPhoneNumber):
            valid_mobile(bad)
    assert mask_phone("13812341234") == "138****1234"


def test_agent_only_sections_are_left_out_of_customer_text() -> None:
    body = ("### 业务说明\n发送 KTMY 开通。\n### 话术参考\n“先生您好”\n#### 细节\n内部\n"
            "### 注意事项\n需实名。")
    assert customer_text(body) == "### 业务说明\n发送 KTMY 开通。\n### 注意事项\n需实名。"


@pytest.mark.parametrize(("text", "verdict"), [
    ("没用", False), ("没解决！", False), ("不是这个", False), ("解决了", True),
    ("好的谢谢", True), ("谢谢您", True), ("国际漫游怎么开通", None),
])
def test_short_replies_to_an_answer(text: str, verdict: bool | None) -> None:
    assert feedback_in_words(text) is verdict
