"""Planted effects for transcript mining, with their ground truth. All are off by default;
``GeneratorConfig.with_mining_effects()`` switches every one on (each is a config field and can
be set or cleared alone). Their truths go to ``GroundTruth.extensions`` under the spec's name:

- ``golden``: golden scripts. Phrase families (paraphrases with one meaning) said mid-call,
  right after the explanation; when said, the call's chance of first-contact resolution rises
  by ``delta`` *within the agent and topic*. Top performers say them more often, average
  agents in a fraction of their calls.
- ``decoys``: phrase families top performers say far more (a personal style) with no effect
  at all: pooled over agents they look strongly "golden", within an agent they do nothing.
- ``outcome_statements``: said near the end *because* the call was resolved ("已为您办理成功").
- ``burst``: one district and week where a fibre cut brings ×``multiplier`` broadband-fault
  calls, the callers describing it in words nobody uses otherwise (光缆, 挖断, 施工 …).
- ``gap_topic``: a new business (eSIM) whose weekly volume grows, where agents often hedge,
  escalate or promise a call-back and few calls are resolved; ``control_topic``: an existing
  topic of the same total volume, flat, ordinary resolution, no extra hedging.
- ``specialists``: agents who resolve one topic ``delta`` better than their average (and whom
  skill-based routing sends a share of that topic's calls).
- ``long_causes``: the two causes of over-long calls: the lookup timeouts (``LongCalls``, and
  the base rate everywhere) and a transfer to the back office (业务支撑中心) that adds minutes;
  each with its wording and its share of tail calls (beyond the p95 of handling time),
  measured on a sample of simulated days before the stream.

Every phrase's truth has ``text`` (as written; calls carry spoken variants with recogniser
noise) and ``match``: a substring every spoken variant keeps, to find the phrase in
transcripts. Truths are JSON-ready dicts (lists, ISO dates), so ``ground_truth.json`` reads
back equal; their shapes are the ``TypedDict`` classes below.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypedDict

import numpy as np

from seci.synthetic import phrases as ph
from seci.synthetic.catalog import (
    GENERAL_QUEUES,
    PRODUCT_INDEX,
    REGIONS,
    Product,
    roaming_season,
)
from seci.synthetic.effects import BASE_HOLD_MEDIAN_S, BASE_TIMEOUT_RATE, Effect, raise_mean
from seci.synthetic.phrases import Topic
from seci.synthetic.speech import variants
from seci.synthetic.world import QUEUE_INDEX, ConfigError, DayBatch, Floats, Ints, World

_AGENT_VARIANTS = 4
_TOP_SHARE = 0.25  # top performers: this share of the agents, by skill in mid-period


# --- the words -----------------------------------------------------------------------------------
# Golden families are said in this order (repeating the need back comes before acting on it).
# (text, match): ``match`` avoids the words the recogniser mishears (speech._HOMOPHONES) and
# punctuation, so every spoken variant of the text still holds it.
Phrase = tuple[str, str]


@dataclass(frozen=True)
class PhraseFamily:
    """Paraphrases of one move: different words, one meaning."""

    name: str
    meaning: str
    topic: str | None  # the product it is said on; None: every topic
    paraphrases: tuple[Phrase, ...]


GOLDEN_FAMILIES: tuple[PhraseFamily, ...] = (
    PhraseFamily("confirm_need", "repeat the caller's need back before acting on it", None, (
        ("我跟您确认一下您的需求，您看我理解得对不对。", "我理解得对不对"),
        ("我先把您的问题复述一遍，您看有没有遗漏的。", "问题复述一遍"),
        ("为了不给您办错，我把您说的情况再核对一遍。", "不给您办错"),
        ("我重复一下您刚才说的情况，您听听是不是这样。", "重复一下您刚才说的"),
    )),
    PhraseFamily("remote_port_reset", "reset the line's port remotely while the caller waits",
                 "宽带故障", (
                     ("我这边先在系统里把您的宽带端口远程复位一下，您不用挂机。", "端口远程复位"),
                     ("您先别挂电话，我在后台给您的线路做一个远程重置。", "线路做一个远程重置"),
                     ("我现在就从系统这边远程给您重新激活一下线路端口。", "重新激活一下线路端口"),
                     ("趁您还在线上，我远程帮您把端口重启一下，指示灯会闪几下。",
                      "把端口重启一下"),
                 )),
    PhraseFamily("itemise_charges", "go through the disputed charges one by one with the caller",
                 "账单异议", (
                     ("我把这几笔费用一笔一笔给您念一下，您听听哪一笔不对。", "一笔一笔给您念"),
                     ("我们对着详单逐条核对一下，您看是哪一项有疑问。", "对着详单逐条核对"),
                     ("我跟您把这个月的扣费明细逐项过一遍。", "扣费明细逐项过一遍"),
                     ("咱们一项一项来看，每一笔扣费我都给您讲清楚。", "一项一项来看"),
                 )),
)
DECOY_FAMILIES: tuple[PhraseFamily, ...] = (
    PhraseFamily("praise_question", "praise how the caller put the question", None, (
        ("您这个问题问得特别好。", "问得特别好"),
        ("您说得很清楚，我一下就明白了。", "我一下就明白了"),
        ("谢谢您把情况说得这么详细。", "说得这么详细"),
    )),
    PhraseFamily("keep_company", "tell the caller the agent stays with them", None, (
        ("您别着急，我陪您一起把这个事情弄清楚。", "陪您一起把这个事情弄清楚"),
        ("不着急，我们慢慢来，我一直在呢。", "我一直在呢"),
        ("您放心，有我在这边陪着您处理。", "有我在这边陪着您"),
    )),
    PhraseFamily("thank_loyalty", "thank the caller for being a customer", None, (
        ("感谢您一直以来对中国移动的支持。", "一直以来对中国移动的支持"),
        ("谢谢您对我们工作的理解和支持。", "对我们工作的理解和支持"),
        ("非常感谢您这么多年一直使用我们的服务。", "这么多年一直使用我们的服务"),
    )),
)
OUTCOME_STATEMENTS: tuple[Phrase, ...] = (
    ("已经帮您处理好了，您稍后留意一下短信。", "已经帮您处理好了"),
    ("已为您办理成功。", "已为您办理成功"),
    ("这个问题已经给您解决好了。", "已经给您解决好了"),
    ("您的业务已经办好了，马上就生效。", "业务已经办好了"),
)
# A fibre cut: what callers of the burst say (added to 宽带故障 as a situation group).
BURST_SITUATIONS: tuple[str, ...] = (
    "我们小区外面在施工，好像把光缆挖断了，家里宽带突然断了",
    "楼下修路把光缆挖断了，我们这一片都上不了网",
    "光猫红灯一直闪，整栋楼都没有网了",
    "家里宽带突然断了，邻居家也断了，是不是外面光缆断了",
    "外面施工的把线挖断了，光猫上面红灯一直闪",
    "我们整栋楼的宽带都突然断了，你们快派人来看一下",
)
BURST_KEYWORDS: tuple[str, ...] = ("光缆", "挖断", "施工", "修路", "整栋楼", "突然断了")
BURST_EXPLAINS = (0, 2, 4)  # 宽带故障's explanations: signal cut, repair ticket, area repair

GAP_PRODUCT = Product("eSIM", 0.0, 0.62, 200, 0.5, 0.7, 0.2, 0.09, 0.01,
                      (("业务办理差错", 0.5), ("服务态度", 0.3), ("资费争议", 0.2)),
                      (("A", 0.5), ("A+", 0.4), ("B", 0.1)))
GAP_TOPIC = Topic(
    situations=(
        "我买了个智能手表，想开通eSIM一号双终端",
        "手表上的eSIM一直激活不了，扫码了也没用",
        "我新手机支持eSIM，能不能把实体卡换成eSIM",
        "eSIM副号是怎么收费的，我看APP上面说得不清楚",
        "我换了手表以后eSIM就用不了了，要重新开吗",
        "营业厅说eSIM要打10086开，你们能不能帮我开",
    ),
    follow_ups=(
        "那手表和手机能不能同时接电话",
        "要不要去营业厅",
        "每个月多收多少钱",
        "换手表了还要重新开吗",
    ),
    explanations=(
        "eSIM一号双终端是手表和手机共用一个号码，功能费是每月10元。",
        "开通需要您的手表支持eSIM，先在手表的APP里面扫描二维码下载配置。",
        "目前eSIM业务只能在指定营业厅办理，需要机主本人带身份证。",
        "更换设备的话需要先把原来的eSIM删除，再重新下载。",
    ),
    answers=(
        "手表和手机可以同时接听，来电会同时振铃。",
        "功能费是按月收取的，当月办理按天折算。",
    ),
    explains=((0, 1), (1, 3), (2, 0), (0,), (3,), (2,)),
)
GAP_HEDGES: tuple[Phrase, ...] = (
    ("eSIM这个业务比较新，具体规则我这边暂时不太清楚。", "暂时不太清楚"),
    ("这个我这边系统里查不到，我先帮您记下来反馈给后台。", "系统里查不到"),
    ("手表激活的问题需要专业部门处理，我提交给后台，24小时内给您回电。", "我提交给后台"),
    ("eSIM的开通规则目前没有相关的说明，我需要跟后台确认。", "没有相关的说明"),
)
# The shared hedges, call-backs and escalations every topic has (phrases.py), with matches.
BASE_HEDGES: tuple[Phrase, ...] = tuple(zip(ph.HEDGE, ("暂时答复不了", "需要跟后台确认",
                                                       "需要专业部门核实"), strict=True))
BASE_CALLBACKS: tuple[Phrase, ...] = tuple(zip(ph.CALLBACK, ("反馈给后台", "给您回电",
                                                             "专人联系您"), strict=True))
BASE_ESCALATIONS: tuple[Phrase, ...] = tuple(zip(ph.BACKOFFICE, ("转到后台", "提交工单",
                                                                 "转接到专席"), strict=True))
TRANSFER_LINES: tuple[Phrase, ...] = (
    ("这个需要业务支撑中心的同事来核实，我现在帮您转接过去，请您不要挂机。", "业务支撑中心"),
    ("我这边帮您转接业务支撑中心，转接时间可能比较长，麻烦您耐心等待。", "业务支撑中心"),
    ("我帮您转到业务支撑中心处理，那边排队的人比较多，请您稍等不要挂机。", "业务支撑中心"),
)
TRANSFER_PICKUPS: tuple[Phrase, ...] = (
    ("您好，业务支撑中心为您服务，刚才的情况同事已经转告我了。", "业务支撑中心"),
    ("您好，这里是业务支撑中心，您的情况我这边看到了。", "业务支撑中心"),
)
TIMEOUT_LINES: tuple[Phrase, ...] = tuple(zip(ph.TIMEOUT, ("查询超时", "查询超时",
                                                          "响应有点慢"), strict=True))


# --- truths --------------------------------------------------------------------------------------
class PhraseTruth(TypedDict):
    text: str  # as written; calls carry spoken variants of it
    match: str  # substring every spoken variant keeps


class FamilyTruth(TypedDict):
    name: str
    meaning: str
    topic: str | None  # product it is said on; None: every topic (except excluded_topics)
    delta: float  # FCR change when said, within agent and topic (0.0 for decoys)
    rate_users: float  # share of eligible calls in which a user says it
    rate_others: float  # the same for every other agent
    users: list[str]  # agent ids
    position: str  # "mid": right after the explanation, before the follow-up questions
    paraphrases: list[PhraseTruth]


class FamiliesTruth(TypedDict):
    """``golden`` and ``decoys``."""

    families: list[FamilyTruth]
    top_performers: list[str]  # agent ids: top quarter by skill in mid-period
    excluded_topics: list[str]  # products where nobody says them


class OutcomeTruth(TypedDict):
    phrases: list[PhraseTruth]
    rate: float  # share of resolved calls where one is said
    said_when: str  # "resolved"
    position: str  # "end": after everything else, before the caller's reaction and goodbye
    base_agent_resolved_only: list[str]  # the base phrasing's agent lines said only if resolved
    base_customer_resolved_only: list[str]  # callers' reactions in resolved calls only
    base_agent_unresolved_only: list[str]  # call-back promises (the unresolved ending)
    base_customer_unresolved_only: list[str]
    base_outcome_words_unconditional: list[str]  # say 成功/办理 … but in any call


class BurstTruth(TypedDict):
    region: str
    week_index: int
    week_start: str
    week_end: str
    days: list[str]
    product: str  # where the calls are filed
    situations: list[str]  # what the burst's callers say (clean; spoken variants in calls)
    keywords: list[str]  # words in every situation's variants, in no other call
    multiplier: float  # intended cell count ÷ the cell's expected normal week
    expected_week_calls: float  # the cell (region × week × product) without the burst
    extra_calls: int
    fcr_factor: float  # the burst calls' resolution probability is multiplied by it


class GapTruth(TypedDict):
    product: str
    new_product: bool  # not in the catalog: only calls this effect adds are filed under it
    control: str  # the control topic it is sized against
    weekly_calls: list[int]  # exact: every call of the product, by week index
    growth_per_week: float  # least-squares slope of weekly_calls
    base_fcr: float  # before skill, queue and hedges
    hedge_rate: float  # calls where the agent hedges (a shared HEDGE line, lower FCR)
    specific_hedge_rate: float  # of those, calls with one of hedge_phrases too
    hedge_phrases: list[PhraseTruth]  # the topic's own hedging wording
    base_hedges: list[PhraseTruth]  # shared wording (every topic, at the base rate)
    base_callbacks: list[PhraseTruth]
    base_escalations: list[PhraseTruth]
    markers: list[str]  # every match above: a call with any is hedged/escalated/called back
    customer_wording: list[str]


class ControlTruth(TypedDict):
    product: str
    weekly_expected_calls: list[float]
    expected_calls: float
    base_fcr: float
    extra_hedging: bool  # False


class SpecialistTruth(TypedDict):
    agent_id: str
    team: str
    topic: str
    delta: float  # FCR on the topic above their own average (they are average elsewhere)
    routing_share: float  # share of the topic's general-queue calls routed to them when on


class SpecialistsTruth(TypedDict):
    agents: list[SpecialistTruth]


class CauseTruth(TypedDict):
    name: str  # "lookup_timeout" | "back_office_transfer"
    wording: list[PhraseTruth]
    rates: dict[str, float]  # share of calls by product; "*": every other product
    added_seconds_median: float  # per hold (timeouts: per timeout, up to three)
    fcr_logit_delta: float  # change of the log-odds of FCR (timeouts −0.3, transfers 0)
    tail_share: float  # of tail calls (> tail_threshold_s), in the sample
    overall_share: float  # of all calls, in the sample


class LongCausesTruth(TypedDict):
    tail_quantile: float
    tail_threshold_s: float  # the sample's p95 of handling time (drawn, before words)
    sample_calls: int
    causes: list[CauseTruth]


def _phrases(items: tuple[Phrase, ...]) -> list[PhraseTruth]:
    return [PhraseTruth(text=text, match=match) for text, match in items]


def _spoken(items: tuple[Phrase, ...], rnd: random.Random) -> tuple[str, ...]:
    return variants(tuple(text for text, _ in items), rnd, _AGENT_VARIANTS, "agent")


def _pick(batch: DayBatch, lines: tuple[str, ...], rows: Ints) -> list[str]:
    return [lines[k] for k in batch.rng.integers(0, len(lines), rows.size).tolist()]


def _insert(batch: DayBatch, rows: Ints, speaker: str, lines: list[str]) -> None:
    for i, line in zip(rows.tolist(), lines, strict=True):
        batch.inserts.setdefault(i, []).append((speaker, line))


def top_performers(world: World) -> list[int]:
    """The quarter of call-taking agents (none singled out by another effect) with the highest
    skill in mid-period, learning curve included."""
    mid = world.days[len(world.days) // 2]
    pool = [i for i, a in enumerate(world.agents)
            if a.volume > 0 and not a.role and a.employed_on(mid)]
    ranked = sorted(pool, key=lambda i: -world.agents[i].skill_on(mid))
    return sorted(ranked[:max(3, round(_TOP_SHARE * len(pool)))])


def product_share(world: World, product: int, day: date) -> float:
    """Expected share of a day's ordinary calls filed under ``product`` (as generated)."""
    weights = np.array([p.weight for p in world.products])
    if day.day <= 5:
        weights = weights * np.array([p.billing_day for p in world.products])
    weights[PRODUCT_INDEX["国际漫游"]] *= roaming_season(day)
    return float(weights[product] / weights.sum())


def _ids(world: World, agents: list[int]) -> list[str]:
    return [world.agents[i].agent_id for i in agents]


# --- 1. golden scripts and 2. decoys -------------------------------------------------------------
@dataclass(frozen=True)
class GoldenScripts:
    """Golden phrase families: said (mid-call) by top performers in ``rate_top`` of their calls
    on the family's topic and by everybody else in ``rate_others``; when said, FCR rises by
    the family's delta (a real effect within the agent and topic)."""

    families: tuple[PhraseFamily, ...] = GOLDEN_FAMILIES
    deltas: tuple[float, ...] = (0.10, 0.15, 0.12)
    rate_top: float = 0.5
    rate_others: float = 0.18
    name: str = "golden"

    def create(self, world: World, rnd: random.Random) -> Effect:
        if len(self.deltas) != len(self.families):
            raise ConfigError("one delta per golden family")
        return _PhraseEffect(world, rnd, self.families, self.deltas, top_performers(world),
                             self.rate_top, self.rate_others, users_share=1.0)


@dataclass(frozen=True)
class Decoys:
    """Decoy families: a personal style of some top performers (``users_share`` of them, said
    in ``rate_users`` of their calls, ``rate_others`` elsewhere) with no effect at all."""

    families: tuple[PhraseFamily, ...] = DECOY_FAMILIES
    rate_users: float = 0.6
    rate_others: float = 0.02
    users_share: float = 0.67
    name: str = "decoys"

    def create(self, world: World, rnd: random.Random) -> Effect:
        return _PhraseEffect(world, rnd, self.families, (0.0,) * len(self.families),
                             top_performers(world), self.rate_users, self.rate_others,
                             users_share=self.users_share)


class _PhraseEffect(Effect):
    def __init__(self, world: World, rnd: random.Random, families: tuple[PhraseFamily, ...],
                 deltas: tuple[float, ...], top: list[int], rate_users: float,
                 rate_others: float, users_share: float) -> None:
        self.world, self.families, self.deltas, self.top = world, families, deltas, top
        self.rate_users, self.rate_others = rate_users, rate_others
        self.users: list[list[int]] = []
        self.rates: list[Floats] = []
        self.topics: list[int | None] = []
        self.lines: list[tuple[str, ...]] = []
        for family in families:
            users = top if users_share >= 1 else sorted(
                rnd.sample(top, max(3, round(users_share * len(top)))))
            rates = np.full(len(world.agents), rate_others)
            rates[users] = rate_users
            self.users.append(users)
            self.rates.append(rates)
            self.topics.append(None if family.topic is None
                               else world.product_index(family.topic))
            self.lines.append(_spoken(family.paraphrases, rnd))

    def on_probabilities(self, batch: DayBatch) -> None:
        known = batch.product < len(PRODUCT_INDEX)
        for topic, rates, delta, lines in zip(self.topics, self.rates, self.deltas, self.lines,
                                              strict=True):
            eligible = known if topic is None else batch.product == topic
            said = eligible & (batch.rng.random(batch.n) < rates[batch.agent])
            rows = np.flatnonzero(said)
            if delta:
                batch.p_fcr[rows] = raise_mean(batch.p_fcr[rows], delta)
            _insert(batch, rows, "agent:mid", _pick(batch, lines, rows))

    def truth(self) -> FamiliesTruth:
        families = [FamilyTruth(
            name=f.name, meaning=f.meaning, topic=f.topic, delta=delta,
            rate_users=self.rate_users, rate_others=self.rate_others,
            users=_ids(self.world, users), position="mid", paraphrases=_phrases(f.paraphrases))
            for f, delta, users in zip(self.families, self.deltas, self.users, strict=True)]
        # Products added by effects (a new business nobody knows yet) hear none of them.
        excluded = [p.name for p in self.world.products[len(PRODUCT_INDEX):]]
        return FamiliesTruth(families=families, top_performers=_ids(self.world, self.top),
                             excluded_topics=excluded)


# --- 3. outcome statements -----------------------------------------------------------------------
@dataclass(frozen=True)
class OutcomeStatements:
    """"已为您办理成功": said near the end of ``rate`` of the resolved calls, never otherwise."""

    phrases: tuple[Phrase, ...] = OUTCOME_STATEMENTS
    rate: float = 0.45
    name: str = "outcome_statements"

    def create(self, world: World, rnd: random.Random) -> Effect:
        return _OutcomeEffect(self, _spoken(self.phrases, rnd))


_OUTCOME_WORDS = ("成功", "办好", "处理好", "已经帮您", "已为您", "已经为您", "已经给您")


def _base_agent_texts() -> list[str]:
    shared = (ph.OPENINGS + ph.OPENINGS_PREMIUM + tuple(q for q, _ in ph.VERIFY) + ph.HOLD
              + ph.RETURN + ph.TIMEOUT + ph.BACKOFFICE + ph.CALLBACK + ph.HEDGE + ph.APOLOGY
              + ph.COMPLAINT_TICKET + ph.ANYTHING_ELSE + ph.CLOSINGS + ph.GENERIC_ANSWERS
              + ph.EMPATHY + ph.AGENT_BACKCHANNEL)
    topical = [t for topic in ph.TOPICS.values() for t in topic.explanations + topic.answers]
    return list(shared) + topical


class _OutcomeEffect(Effect):
    def __init__(self, spec: OutcomeStatements, lines: tuple[str, ...]) -> None:
        self.spec, self.lines = spec, lines

    def on_outcomes(self, batch: DayBatch) -> None:
        rows = np.flatnonzero(batch.resolved & (batch.rng.random(batch.n) < self.spec.rate))
        _insert(batch, rows, "agent:end", _pick(batch, self.lines, rows))

    def truth(self) -> OutcomeTruth:
        return OutcomeTruth(
            phrases=_phrases(self.spec.phrases), rate=self.spec.rate, said_when="resolved",
            position="end", base_agent_resolved_only=[],
            base_customer_resolved_only=list(ph.RESOLVED_REACTION),
            base_agent_unresolved_only=list(ph.CALLBACK),
            base_customer_unresolved_only=list(ph.UNRESOLVED_REACTION),
            base_outcome_words_unconditional=sorted(
                t for t in set(_base_agent_texts()) if any(w in t for w in _OUTCOME_WORDS)))


# --- 4. a burst of what customers say ------------------------------------------------------------
@dataclass(frozen=True)
class TopicBurst:
    """A fibre cut in one district: for ``days`` days of one week its broadband-fault calls
    come ×``multiplier`` (the cell's week against a normal one), the callers describing it in
    words of their own. ``week`` None: three weeks before the end."""

    region: str = "沙坪坝区"
    week: int | None = None
    product: str = "宽带故障"
    multiplier: float = 4.0
    days: int = 3
    situations: tuple[str, ...] = BURST_SITUATIONS
    keywords: tuple[str, ...] = BURST_KEYWORDS
    fcr_factor: float = 0.6  # nobody on the phone can splice a fibre
    name: str = "burst"

    def create(self, world: World, rnd: random.Random) -> Effect:
        return _BurstEffect(self, world)


class _BurstEffect(Effect):
    def __init__(self, spec: TopicBurst, world: World) -> None:
        n_weeks = len(world.week_starts)
        self.week = spec.week if spec.week is not None else max(1, n_weeks - 3)
        if not 1 <= self.week < n_weeks:
            raise ConfigError(f"burst week {self.week} outside 1..{n_weeks - 1}")
        if spec.multiplier < 1:
            raise ConfigError("a burst multiplies the volume by at least 1")
        self.spec, self.world = spec, world
        self.region = world.region_index(spec.region)
        self.product = world.product_index(spec.product)
        topic = world.topics[spec.product]
        explains = tuple(i for i in BURST_EXPLAINS if i < len(topic.explanations))
        self.situations = np.array(world.add_situations(
            spec.product, spec.situations, "fibre_cut", explains=explains))
        region_share = REGIONS[self.region][1] / sum(w for _, w in REGIONS)
        week_days = [d for d, w in enumerate(world.weeks) if w == self.week]
        self.expected = sum(world.daily_calls[d] * product_share(world, self.product,
                                                                 world.days[d])
                            for d in week_days) * region_share
        first = week_days[1] if len(week_days) > 2 else week_days[0]
        self.days = [d for d in week_days if first <= d < first + spec.days]
        total = round((spec.multiplier - 1) * self.expected)
        weights = [world.daily_calls[d] for d in self.days]
        self.extra = {d: round(total * w / sum(weights))
                      for d, w in zip(self.days, weights, strict=True)}

    def extra_calls(self, day_index: int) -> int:
        return self.extra.get(day_index, 0)

    def on_arrivals(self, batch: DayBatch) -> None:
        rows = np.flatnonzero(batch.origin == self.code)
        if rows.size == 0:
            return
        batch.region[rows] = self.region
        batch.product[rows] = self.product
        batch.situation[rows] = batch.rng.choice(self.situations, size=rows.size)
        batch.complaint_intent[rows] = batch.rng.random(rows.size) < 0.06

    def on_probabilities(self, batch: DayBatch) -> None:
        batch.p_fcr[batch.origin == self.code] *= self.spec.fcr_factor

    def truth(self) -> BurstTruth:
        start = self.world.week_starts[self.week]
        return BurstTruth(
            region=self.spec.region, week_index=self.week, week_start=start.isoformat(),
            week_end=(start + timedelta(days=6)).isoformat(),
            days=[self.world.days[d].isoformat() for d in self.days],
            product=self.spec.product, situations=list(self.spec.situations),
            keywords=list(self.spec.keywords), multiplier=self.spec.multiplier,
            expected_week_calls=round(self.expected, 2), extra_calls=sum(self.extra.values()),
            fcr_factor=self.spec.fcr_factor)


# --- 5. a knowledge gap and its control ----------------------------------------------------------
@dataclass(frozen=True)
class KnowledgeGap:
    """A new business (eSIM) the agents were not trained on: its calls grow from
    ``start_factor`` to ``end_factor`` × the control topic's daily volume (as many calls in
    total as the control), agents hedge in ``hedge_rate`` of them (and then often say one of
    the topic's own hedges too), few are resolved."""

    product: Product = GAP_PRODUCT
    topic: Topic = GAP_TOPIC
    control: str = "服务密码"
    start_factor: float = 0.25
    end_factor: float = 1.75
    hedge_rate: float = 0.55
    specific_hedge_rate: float = 0.8
    hedges: tuple[Phrase, ...] = GAP_HEDGES
    name: str = "gap_topic"

    def create(self, world: World, rnd: random.Random) -> Effect:
        return _GapEffect(self, world, _spoken(self.hedges, rnd))


def expected_daily_calls(world: World, product: int) -> list[float]:
    return [n * product_share(world, product, day)
            for n, day in zip(world.daily_calls, world.days, strict=True)]


def _slope(values: list[int] | list[float]) -> float:
    x = np.arange(len(values), dtype=np.float64)
    return float(np.polyfit(x, np.asarray(values, dtype=np.float64), 1)[0])


class _GapEffect(Effect):
    def __init__(self, spec: KnowledgeGap, world: World, lines: tuple[str, ...]) -> None:
        if spec.product.weight != 0:
            raise ConfigError("the gap topic's product must have weight 0")
        self.spec, self.world, self.lines = spec, world, lines
        control = expected_daily_calls(world, world.product_index(spec.control))
        self.product = world.add_product(spec.product, spec.topic)
        last = max(len(control) - 1, 1)
        growth = [spec.start_factor + (spec.end_factor - spec.start_factor) * d / last
                  for d in range(len(control))]
        scale = sum(control) / sum(c * g for c, g in zip(control, growth, strict=True))
        self.extra = [round(c * g * scale) for c, g in zip(control, growth, strict=True)]
        self.intent = spec.product.complaint_intent

    def extra_calls(self, day_index: int) -> int:
        return self.extra[day_index]

    def on_arrivals(self, batch: DayBatch) -> None:
        rows = np.flatnonzero(batch.origin == self.code)
        batch.product[rows] = self.product
        batch.complaint_intent[rows] = batch.rng.random(rows.size) < self.intent

    def on_events(self, batch: DayBatch) -> None:
        rows = np.flatnonzero(batch.product == self.product)
        hedged = rows[batch.rng.random(rows.size) < self.spec.hedge_rate]
        batch.hedge[hedged] = True
        own = hedged[batch.rng.random(hedged.size) < self.spec.specific_hedge_rate]
        _insert(batch, own, "agent", _pick(batch, self.lines, own))

    def truth(self) -> GapTruth:
        weekly = [0] * len(self.world.week_starts)
        for d, n in enumerate(self.extra):
            weekly[self.world.weeks[d]] += n
        markers = [m for _, m in (self.spec.hedges + BASE_HEDGES + BASE_CALLBACKS
                                  + BASE_ESCALATIONS)]
        return GapTruth(
            product=self.spec.product.name, new_product=True, control=self.spec.control,
            weekly_calls=weekly, growth_per_week=round(_slope(weekly), 3),
            base_fcr=self.spec.product.fcr, hedge_rate=self.spec.hedge_rate,
            specific_hedge_rate=self.spec.specific_hedge_rate,
            hedge_phrases=_phrases(self.spec.hedges), base_hedges=_phrases(BASE_HEDGES),
            base_callbacks=_phrases(BASE_CALLBACKS), base_escalations=_phrases(BASE_ESCALATIONS),
            markers=list(dict.fromkeys(markers)),
            customer_wording=list(self.spec.topic.situations))


@dataclass(frozen=True)
class ControlTopic:
    """The knowledge gap's control: an existing topic left as it is (flat volume, ordinary
    FCR and hedging); the gap is sized to its volume."""

    product: str = "服务密码"
    name: str = "control_topic"

    def create(self, world: World, rnd: random.Random) -> Effect:
        return _ControlEffect(world, self.product)


class _ControlEffect(Effect):
    def __init__(self, world: World, product: str) -> None:
        self.world, self.name_ = world, product
        self.index = world.product_index(product)
        if self.index >= len(PRODUCT_INDEX):
            raise ConfigError("the control topic must be a catalog product")
        self.daily = expected_daily_calls(world, self.index)

    def truth(self) -> ControlTruth:
        weekly = [0.0] * len(self.world.week_starts)
        for d, n in enumerate(self.daily):
            weekly[self.world.weeks[d]] += n
        return ControlTruth(product=self.name_, weekly_expected_calls=[round(w, 1) for w in weekly],
                            expected_calls=round(sum(self.daily), 1),
                            base_fcr=self.world.products[self.index].fcr, extra_hedging=False)


# --- 6. specialists ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Specialists:
    """One agent per (team, topic) resolves that topic ``delta`` better than their own average
    (they are average elsewhere); routing sends them ``routing_share`` of the topic's
    general-queue calls on the days they work."""

    # Not C组: its team gap would hide a specialist's lead over the other teams' agents;
    # topics with a low FCR (+15 points fit under the ceiling) and enough calls to tell.
    assignments: tuple[tuple[str, str], ...] = (("A组", "网络信号"), ("B组", "宽带故障"),
                                                 ("A组", "账单异议"))
    delta: float = 0.15
    routing_share: float = 0.2
    name: str = "specialists"

    def create(self, world: World, rnd: random.Random) -> Effect:
        chosen: list[tuple[int, int]] = []
        for team, topic in self.assignments:
            candidates = world.candidates(team)
            if not candidates:
                raise ConfigError(f"no agent in {team} can be a specialist")
            agent = rnd.choice(candidates)
            world.agents[agent].role = "specialist"
            chosen.append((agent, world.product_index(topic)))
        return _SpecialistsEffect(self, world, chosen)


class _SpecialistsEffect(Effect):
    # Created first (their roles keep them out of the top performers), acting last: their +δ
    # comes on top of whatever their calls already have (golden phrases spread theirs in
    # proportion to 1 − p, so a specialist raised before would gain less from them).
    order = 1

    def __init__(self, spec: Specialists, world: World, chosen: list[tuple[int, int]]) -> None:
        self.spec, self.world, self.chosen = spec, world, chosen
        self.queues = np.array([QUEUE_INDEX[q] for q in GENERAL_QUEUES])

    def on_routing(self, batch: DayBatch) -> None:
        general = np.isin(batch.queue, self.queues) & (batch.origin == 0)
        for agent, topic in self.chosen:
            if not np.any(batch.agent == agent):
                continue  # not on the floor today
            rows = np.flatnonzero(general & (batch.product == topic))
            batch.agent[rows[batch.rng.random(rows.size) < self.spec.routing_share]] = agent

    def on_probabilities(self, batch: DayBatch) -> None:
        for agent, topic in self.chosen:
            rows = (batch.agent == agent) & (batch.product == topic)
            batch.p_fcr[rows] = raise_mean(batch.p_fcr[rows], self.spec.delta)

    def truth(self) -> SpecialistsTruth:
        return SpecialistsTruth(agents=[SpecialistTruth(
            agent_id=self.world.agents[agent].agent_id, team=self.world.agents[agent].team,
            topic=self.world.products[topic].name, delta=self.spec.delta,
            routing_share=self.spec.routing_share) for agent, topic in self.chosen])


# --- 7. causes of over-long calls ----------------------------------------------------------------
@dataclass(frozen=True)
class LongCauses:
    """A second cause of over-long calls besides lookup timeouts: a transfer to the back office
    (业务支撑中心), in ``rate`` of the product's calls and ``background_rate`` of the others,
    a hold of minutes (log-normal, median ``added_median_s``). Records both causes."""

    product: str = "账单异议"
    rate: float = 0.35
    background_rate: float = 0.01
    added_median_s: float = 300.0
    quantile: float = 0.95
    name: str = "long_causes"

    def create(self, world: World, rnd: random.Random) -> Effect:
        return _LongCausesEffect(self, world, _spoken(TRANSFER_LINES, rnd),
                                 _spoken(TRANSFER_PICKUPS, rnd))


class _LongCausesEffect(Effect):
    def __init__(self, spec: LongCauses, world: World, lines: tuple[str, ...],
                 pickups: tuple[str, ...]) -> None:
        self.spec, self.world, self.lines, self.pickups = spec, world, lines, pickups
        self.product = world.product_index(spec.product)
        self.threshold = 0.0
        self.shares = {"lookup_timeout": (0.0, 0.0), "back_office_transfer": (0.0, 0.0)}
        self.sample_calls = 0

    def on_events(self, batch: DayBatch) -> None:
        rate = np.where(batch.product == self.product, self.spec.rate, self.spec.background_rate)
        rows = np.flatnonzero(batch.rng.random(batch.n) < rate)
        batch.marks[self.spec.name] = rows
        _insert(batch, rows, "agent:mid:hold", _pick(batch, self.lines, rows))
        _insert(batch, rows, "agent:mid", _pick(batch, self.pickups, rows))

    def on_duration(self, batch: DayBatch) -> None:
        rows = batch.marks.get(self.spec.name)
        if rows is not None and rows.size:
            batch.duration[rows] += batch.rng.lognormal(math.log(self.spec.added_median_s),
                                                        0.35, rows.size)

    def on_sample(self, batches: list[DayBatch]) -> None:
        duration = np.concatenate([b.duration for b in batches])
        timeout = np.concatenate([b.timeouts > 0 for b in batches])
        transfer = np.zeros(duration.size, dtype=np.bool_)
        offset = 0
        for b in batches:
            transfer[offset + b.marks.get(self.spec.name, np.zeros(0, np.int64))] = True
            offset += b.n
        self.threshold = float(np.percentile(duration, 100 * self.spec.quantile))
        tail = duration > self.threshold
        self.sample_calls = int(duration.size)
        for name, flags in (("lookup_timeout", timeout), ("back_office_transfer", transfer)):
            self.shares[name] = (round(float(flags[tail].mean()), 4),
                                 round(float(flags.mean()), 4))

    def truth(self) -> LongCausesTruth:
        long_calls = self.world.config.long_calls
        timeout_rates = {"*": BASE_TIMEOUT_RATE}
        hold = BASE_HOLD_MEDIAN_S
        if long_calls is not None:
            timeout_rates[long_calls.product] = long_calls.timeout_rate
            hold = long_calls.hold_median_s
        timeouts = CauseTruth(
            name="lookup_timeout", wording=_phrases(TIMEOUT_LINES), rates=timeout_rates,
            added_seconds_median=hold, fcr_logit_delta=-0.3,
            tail_share=self.shares["lookup_timeout"][0],
            overall_share=self.shares["lookup_timeout"][1])
        transfers = CauseTruth(
            name="back_office_transfer", wording=_phrases(TRANSFER_LINES + TRANSFER_PICKUPS),
            rates={self.spec.product: self.spec.rate, "*": self.spec.background_rate},
            added_seconds_median=self.spec.added_median_s, fcr_logit_delta=0.0,
            tail_share=self.shares["back_office_transfer"][0],
            overall_share=self.shares["back_office_transfer"][1])
        return LongCausesTruth(tail_quantile=self.spec.quantile,
                               tail_threshold_s=round(self.threshold, 1),
                               sample_calls=self.sample_calls, causes=[timeouts, transfers])
