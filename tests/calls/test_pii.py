"""Personal numbers in transcripts are masked, ordinary figures are not."""

from __future__ import annotations

import pytest

from seci.core.pii import mask_personal_numbers


@pytest.mark.parametrize(("text", "masked", "count"), [
    ("我的号码是13812345678", "我的号码是138****5678", 1),
    ("号码 138 1234 5678 谢谢", "号码 138****5678 谢谢", 1),
    ("139-1234-5678", "139****5678", 1),
    ("身份证51010319900101123X", "身份证**************123X", 1),
    ("卡号6222 0212 3456 7890 123", "卡号***************0123", 1),
    ("幺三八 一二三四 五六七八", "*******五六七八", 1),
    ("座机023-6123 4567", "座机*******4567", 1),
    ("两个号码13812345678和13987654321", "两个号码138****5678和139****4321", 2),
])
def test_personal_numbers_are_masked(text: str, masked: str, count: int) -> None:
    result = mask_personal_numbers(text)
    assert (result.text, result.count) == (masked, count)


@pytest.mark.parametrize("text", [
    "58元套餐包含30GB流量", "2026-09-01办理的", "工单号A2026090100123", "10086",
    "一个月一百二十八块", "积分1200分可以兑换",
])
def test_ordinary_figures_stay(text: str) -> None:
    assert mask_personal_numbers(text).text == text
