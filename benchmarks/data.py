"""Synthetic but realistic Chinese hotline articles, reproducible from a seed.

Each record has the exchange columns of ``seci.knowledge.tabular.COLUMNS`` and can be
serialised with the application's own writers (``write_records``), exactly as an export
or a hand-made spreadsheet would look.
"""

from __future__ import annotations

import random
import re
from datetime import date, timedelta
from typing import Any

QUEUES = ("A", "A+", "B", "话费专席", "数据专席", "投诉专席", "VIP", "全球通")

# 6 top-level modules x 5 children = 30 leaf modules, two levels deep.
MODULE_TREE: dict[str, tuple[str, ...]] = {
    "个人业务": ("资费套餐", "流量业务", "增值业务", "国际漫游", "号码业务"),
    "家庭业务": ("宽带", "固话", "智慧家庭", "魔百和", "家庭组网"),
    "政企业务": ("集团专线", "企业短信", "物联网卡", "云业务", "集团V网"),
    "账单话费": ("账单查询", "缴费充值", "电子发票", "欠费停机", "积分兑换"),
    "终端": ("5G手机", "合约机", "售后维修", "eSIM", "智能穿戴"),
    "服务规范": ("投诉处理", "服务话术", "实名制", "隐私保护", "应急预案"),
}
MODULE_PATHS = tuple(f"{top}/{child}" for top, children in MODULE_TREE.items()
                     for child in children)

PRODUCTS = (
    "5G套餐", "4G套餐", "流量包", "夜间流量包", "定向流量", "宽带", "千兆宽带", "国际漫游",
    "港澳台漫游", "亲情号码", "携号转网", "话费账单", "积分兑换", "副卡", "家庭网", "彩铃",
    "视频会员", "云盘", "物联网卡", "合约机", "eSIM", "语音信箱", "来电显示", "和彩云",
    "魔百和", "集团V网", "企业短信", "电子发票", "停复机", "实名补登记",
)
ASPECTS = (
    "变更规则", "资费说明", "办理流程", "退订方式", "常见问题", "生效时间", "计费规则",
    "限制条件", "优惠政策", "投诉处理口径", "办理渠道", "适用范围", "到期续订", "异常处理",
)
SENTENCES = (
    "客户来电咨询时，请先核实机主身份并确认号码状态正常。",
    "变更申请提交后次月一日零时生效，当月仍按原资费计费。",
    "新入网用户当月月租按实际天数折算，流量和通话分钟数同比例折算。",
    "如客户存在欠费，需先缴清欠费后方可办理本业务。",
    "本业务可通过中国移动APP、短信营业厅、网上营业厅及自有营业厅办理。",
    "办理成功后系统将下发短信提醒，客户可回复查询指令确认办理结果。",
    "套餐内流量优先使用，超出部分按标准资费计收，当月有效不结转。",
    "国际及港澳台漫游费用单独计费，不占用套餐内国内通用流量。",
    "客户对扣费有异议时，可先为其查询详单，核实后按流程提交退费申请。",
    "合约期内不允许降档变更，如需提前解约须按协议支付违约金。",
    "副卡共享主卡套餐内的流量和通话分钟数，副卡月功能费另行收取。",
    "宽带故障报修需记录故障现象、光猫指示灯状态及客户方便上门的时间。",
    "携号转网需满足在网时长、无欠费、无合约等条件，并发送短信查询资格。",
    "积分有效期为兑换年度加一年，逾期积分将自动清零，请提醒客户及时使用。",
    "电子发票可在APP中按月申请开具，开具后不支持修改抬头。",
    "涉及投诉升级的来电，应在二十四小时内回复客户并记录处理结果。",
    "为保护客户隐私，不得向非机主本人透露通话详单及位置信息。",
    "VIP客户享受优先接入及专属客户经理服务，来电请使用尊称。",
    "物联网卡仅限在约定设备中使用，机卡分离后将触发停机保护。",
    "停机保号期间保留号码，每月收取少量保号费，不能正常使用通信服务。",
    "如系统提示办理失败，请记录错误代码并转二线支撑处理。",
    "夜间流量包在每日二十三点至次日七点有效，其他时段不可使用。",
    "家庭网成员之间互打免费，成员数量上限以各档套餐说明为准。",
    "客户首次办理可享受首月免费体验，到期前系统会短信提醒是否续订。",
    "办理过程中如遇系统繁忙，请安抚客户并承诺稍后回拨。",
    "实名信息与证件不一致时，需客户本人携带有效证件到营业厅补登记。",
)
CAUTIONS = (
    "变更前请向客户说明新旧资费差异", "需客户明确同意后方可办理", "不得承诺规定以外的优惠",
    "合约用户需先查询合约状态", "办理结果以系统短信为准", "涉及退费须二级审批",
    "同一号码每月限办理一次", "副卡不能单独办理本业务", "本地化政策以各省公告为准",
)
TAG_POOL = ("5G", "套餐", "流量", "资费", "办理", "退订", "投诉", "宽带", "漫游", "账单",
            "积分", "终端", "政企", "实名", "话术", "VIP", "停机", "发票")
QUESTION_TEMPLATES = (
    "{p}怎么办理", "我想取消{p}", "{p}多少钱一个月", "{p}{a}是什么", "{p}什么时候生效",
    "为什么{p}扣了钱", "{p}能不能改", "帮我查一下{p}", "{p}在哪里办", "{p}有什么限制",
    "我的{p}怎么用不了", "{p}到期了怎么办",
)

_HAN = re.compile(r"[\u4e00-\u9fff]")


def han_count(text: str) -> int:
    return len(_HAN.findall(text))


def _body(rng: random.Random, product: str, aspect: str) -> str:
    target = rng.randint(200, 600)
    parts = [f"### 业务说明\n{product}{aspect}（演示数据）。"]
    sentences = list(SENTENCES)
    rng.shuffle(sentences)
    cautions = rng.sample(CAUTIONS, 3)
    price = rng.choice((8, 10, 18, 30, 58, 88, 128, 199))
    parts.append(
        "### 资费标准\n| 档位 | 月费 | 说明 |\n|---|---|---|\n"
        f"| 基础档 | {price}元 | 含通用流量{price // 4 + 1}GB |\n"
        f"| 优惠档 | {price * 2}元 | 含通用流量{price // 2 + 5}GB |"
    )
    parts.append("### 注意事项\n" + "\n".join(f"- {c}" for c in cautions))
    parts.append("### 处理要点")
    text = "\n\n".join(parts)
    index = 0
    while han_count(text) < target - 20 and index < len(sentences):
        text += f"\n{index + 1}. {sentences[index]}"
        index += 1
    text += f"\n\n### 话术参考\n“您好，关于{product}{aspect}，我为您详细说明一下，请您稍等。”"
    # Keep inside 200–600 Chinese characters even for the shortest/longest draws.
    while han_count(text) > 600:
        text = text[: text.rfind("\n")]
    return text


def make_article(rng: random.Random, number: int, *, code_prefix: str = "BM",
                 today: date | None = None) -> dict[str, Any]:
    """One article as an exchange record (lists are real lists, dates ISO strings)."""
    today = today or date.today()
    product, aspect = rng.choice(PRODUCTS), rng.choice(ASPECTS)
    questions = rng.sample(QUESTION_TEMPLATES, rng.randint(3, 5))
    valid_from: date | None = None
    valid_to: date | None = None
    roll = rng.random()
    if roll < 0.30:
        valid_from = today - timedelta(days=rng.randint(1, 365))
    if 0.30 <= roll < 0.40:
        valid_to = today + timedelta(days=rng.randint(30, 365))
    elif 0.40 <= roll < 0.43:  # expired
        valid_from = today - timedelta(days=rng.randint(200, 400))
        valid_to = today - timedelta(days=rng.randint(1, 100))
    elif 0.43 <= roll < 0.45:  # scheduled
        valid_from = today + timedelta(days=rng.randint(1, 60))
    return {
        "code": f"{code_prefix}-{number:06d}",
        "title": f"{product}{aspect} #{number}",
        "body": _body(rng, product, aspect),
        "module": rng.choice(MODULE_PATHS),
        "queues": rng.sample(QUEUES, rng.randint(1, 3)),
        "tags": list(dict.fromkeys([product[:8], *rng.sample(TAG_POOL, rng.randint(1, 3))])),
        "similar_questions": [q.format(p=product, a=aspect) for q in questions],
        "audience": "internal" if rng.random() < 0.2 else "customer",
        "valid_from": valid_from.isoformat() if valid_from else None,
        "valid_to": valid_to.isoformat() if valid_to else None,
    }


def make_articles(count: int, *, seed: int, code_prefix: str = "BM",
                  today: date | None = None) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [make_article(rng, n, code_prefix=code_prefix, today=today)
            for n in range(1, count + 1)]


def change_some(records: list[dict[str, Any]], *, fraction: float,
                seed: int) -> tuple[list[dict[str, Any]], int]:
    """A copy where ``fraction`` of the rows carry new content (body, sometimes title)."""
    rng = random.Random(seed)
    chosen = set(rng.sample(range(len(records)), round(len(records) * fraction)))
    changed: list[dict[str, Any]] = []
    for index, record in enumerate(records):
        if index in chosen:
            record = dict(record)
            record["body"] = (f"{record['body']}\n\n### 补充说明\n- "
                              f"{rng.choice(SENTENCES)}（第{index}条，修订）")
            if rng.random() < 0.3:
                record["title"] = f"{record['title']}（修订）"
            if rng.random() < 0.2:
                record["tags"] = [*record["tags"], "修订"]
        changed.append(record)
    return changed, len(chosen)
