"""Agent-only parts of an article (坐席提示): which parts they are, that staff see them
marked, and that the customer text never holds them — also in the demo knowledge base."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from fastapi.testclient import TestClient

from seci.knowledge.agent_notes import customer_text, has_agent_notes, render_marked, split_parts
from tests.conftest import csrf_of
from tests.factories import web_login

BODY = """### 业务说明
出国前发送 KTMY 到 10086 开通国际漫游。
- 【坐席提示】开通前核实客户是否欠费
  - 欠费的先引导缴费
- 资费见下表
### 资费标准
| 地区 | 价格 |
|---|---|
| 日韩 | 0.99元/分钟 |
【内部】
开通失败时在工单系统提交“漫游开通异常”。
同一号码当天只提交一次。

### 注意事项
- 变更成功后系统下发短信通知，请提醒客户留意
- 坐席提示：不得承诺具体到账时间
- 拨打10086转人工坐席可咨询
- 系统向客户发送确认短信
### 话术参考
“先生您好，我帮您查一下。”
#### 挽留话术
“现在办理还有优惠。”
### 内部说明
只有坐席能看到。"""

CUSTOMER_TEXT = """### 业务说明
出国前发送 KTMY 到 10086 开通国际漫游。
- 资费见下表
### 资费标准
| 地区 | 价格 |
|---|---|
| 日韩 | 0.99元/分钟 |

### 注意事项
- 拨打10086转人工坐席可咨询
- 系统向客户发送确认短信"""


def test_the_customer_text_leaves_out_every_kind_of_agent_only_part() -> None:
    assert customer_text(BODY) == CUSTOMER_TEXT


def test_agent_only_parts_are_told_apart_in_order() -> None:
    parts = split_parts(BODY)
    agent_only = [p.text for p in parts if p.agent_only]
    assert agent_only[0] == "- 【坐席提示】开通前核实客户是否欠费\n  - 欠费的先引导缴费"
    assert agent_only[1].startswith("【内部】\n开通失败") and "只提交一次" in agent_only[1]
    assert agent_only[2] == ("- 变更成功后系统下发短信通知，请提醒客户留意\n"
                             "- 坐席提示：不得承诺具体到账时间")
    assert agent_only[3].startswith("### 话术参考") and "挽留话术" in agent_only[3]
    assert "内部说明" in agent_only[3] and "只有坐席能看到" in agent_only[3]
    assert "".join(p.text for p in parts if not p.agent_only).count("0.99元") == 1


@pytest.mark.parametrize("line", [
    "【坐席提示】核实身份后办理", "- 【内部】工单类型选“资费咨询”", "1. 【坐席】先查欠费",
    "> 【仅坐席可见】系统路径：业务-漫游", "**【坐席提示】**语速放慢", "内部：不对外公布",
    "- 请提醒客户保存短信", "需告知客户处理时限", "建议客户先解绑银行卡",
    "向老年客户推荐业务须说明资费", "坐席不得索要完整密码", "1、【话术】您好",
])
def test_lines_for_agents(line: str) -> None:
    assert has_agent_notes(f"### 说明\n正文\n{line}")
    assert customer_text(f"### 说明\n正文\n{line}") == "### 说明\n正文"


@pytest.mark.parametrize("line", [
    "客户可发送 YE 到 10086 查询余额", "拨打10086转人工坐席", "系统向客户发送短信提醒",
    "可联系您的客户经理", "【温馨提示】办理后次月生效", "- 内部存储不足时请清理手机",
])
def test_lines_for_customers(line: str) -> None:
    assert not has_agent_notes(line)
    assert customer_text(line) == line


def test_a_heading_whose_whole_section_is_for_agents_goes_too() -> None:
    body = "### 办理渠道\n发送 KTMY。\n### 注意事项\n- 请提醒客户预存话费\n### 资费\n5元/月"
    assert customer_text(body) == "### 办理渠道\n发送 KTMY。\n### 资费\n5元/月"


def test_staff_see_agent_only_parts_marked_and_sanitised() -> None:
    html = render_marked("说明\n\n【坐席提示】<script>alert(1)</script> 核实", "仅坐席可见")
    assert html.count('class="agent-only"') == 1
    assert '<p class="agent-only-label">仅坐席可见</p>' in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.startswith("<p>说明</p>")


def test_the_demo_knowledge_base_marks_its_agent_notes() -> None:
    """The notes the demo's customer articles held in between their answers ("请提醒客户…",
    what the agent records) are marked, and none reaches the customer text."""
    data = (resources.files("seci.demo") / "articles.jsonl").read_text("utf-8")
    articles = [json.loads(line) for line in data.splitlines() if line.strip()]
    marked = [a["code"] for a in articles if "【坐席提示】" in a["body"]]
    assert len(marked) >= 10
    for article in articles:
        if article["audience"] != "customer":
            continue
        shown = customer_text(article["body"])
        assert shown, article["code"]
        for word in ("【坐席提示】", "话术参考", "提醒客户", "坐席", "告知客户"):
            assert word not in shown, (article["code"], word)
        for part in split_parts(article["body"]):
            for line in part.text.splitlines() if part.agent_only else []:
                assert line.strip() not in shown, (article["code"], line)


def test_the_editor_preview_marks_agent_only_parts(client: TestClient, world: object) -> None:
    web_login(client, "editor")
    page = client.get("/kb/new-article")
    assert "【坐席提示】" in page.text  # the editor says how to mark them
    preview = client.post("/kb/preview", data={
        "body": "### 办理\n发送 KTMY。\n- 【坐席提示】先核实欠费",
        "csrf_token": csrf_of(page.text)})
    assert preview.status_code == 200
    assert 'class="agent-only"' in preview.text and "先核实欠费" in preview.text
    assert "坐席专用：不会展示给客户" in preview.text
