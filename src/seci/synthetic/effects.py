"""Planted effects: what the generator does on purpose so tests can check SECI finds it.

An effect is made in two parts. A *spec* (a frozen dataclass in ``GeneratorConfig``) says what
to plant and how strongly; ``spec.create(world, rnd)`` resolves it against the world (picks the
agent, sizes the effect for the volume) and returns an ``Effect``. The effect adjusts each day's
``DayBatch`` between the pipeline's stages and reports its ``truth()``.

Hooks, in pipeline order (all vectorised over the day's calls, none per call):

- ``extra_calls(day_index)``: calls the effect adds that day (``batch.origin == effect.code``)
- ``on_arrivals``: change what arrived (region, product, situation, times)
- ``on_routing``: change which agent took a call
- ``on_events``: identity checks, back-office work, system timeouts, personal data
- ``on_probabilities``: ``p_fcr``, ``complaint_mult``/``complaint_add``, ``sat_shift`` (a
  change of the satisfied share, spread like FCR changes below)
- ``on_outcomes``: after the draws (complaint categories)
- ``on_duration``: after handling times are drawn (``batch.duration``, seconds)
- ``on_sample(batches)``: once, before the stream, with a sample of days simulated with every
  effect (one day a week, no text): for truths easier measured than derived

An effect that singles out an agent sets ``agent.role``: once all effects are made, skills are
centred again so that agent is exactly average (skill 0) and their teammates still average 0.

Text effects (golden phrases, decoys, burst topics, knowledge gaps, specialists) use the same
hooks plus two text levers: ``batch.inserts[i]`` adds turns to call *i* (decide use per call in
``on_probabilities`` and change ``p_fcr`` where used: a real within-agent effect), and
``world.habits`` gives an agent a habitual line on a topic with no effect on outcomes (a decoy).
``world.add_situations`` adds caller situations that ``batch.situation`` can select, and
``world.add_product`` a business the catalog lacks. Inserted lines are used as given: make
spoken variants once in ``create`` (``speech.variants``) and pick per call for realistic
variety. ``mining.py`` holds the text effects SECI's transcript mining is tested on.

Probability changes keep the stated mean: +δ is spread as δ·(1−p)/(1−p̄) and −δ as δ·p/p̄ over
the calls concerned that day (p̄ their mean), so no call leaves [0, 1] and the agent's or team's
expected rate moves by exactly δ.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

import numpy as np

from seci.synthetic.catalog import CATEGORIES, GENERAL_QUEUES, PRODUCT_INDEX, REGIONS
from seci.synthetic.world import QUEUE_INDEX, ConfigError, DayBatch, World

BASE_TIMEOUT_RATE = 0.025  # system timeouts on any lookup, every product
BASE_HOLD_MEDIAN_S = 60.0


class Effect:
    """Base class: every hook does nothing. ``code`` tags the calls the effect adds. Hooks run
    in the config's order, except that effects with a larger ``order`` run theirs after the
    others' (an effect created early that must act last)."""

    name = "effect"
    code = 0
    order = 0

    def extra_calls(self, day_index: int) -> int:
        return 0

    def on_arrivals(self, batch: DayBatch) -> None:
        return None

    def on_routing(self, batch: DayBatch) -> None:
        return None

    def on_events(self, batch: DayBatch) -> None:
        return None

    def on_probabilities(self, batch: DayBatch) -> None:
        return None

    def on_outcomes(self, batch: DayBatch) -> None:
        return None

    def on_duration(self, batch: DayBatch) -> None:
        return None

    def on_sample(self, batches: list[DayBatch]) -> None:
        return None

    def truth(self) -> Any:
        """A frozen dataclass (or JSON-ready dict) describing what was planted."""
        return {}


class EffectSpec(Protocol):
    """What a config holds: ``name`` keys the ground truth; ``create`` resolves the effect."""

    @property
    def name(self) -> str: ...

    def create(self, world: World, rnd: random.Random) -> Effect: ...


def raise_mean(p: np.ndarray[Any, Any], delta: float) -> np.ndarray[Any, Any]:
    """Add ``delta`` to the mean of the probabilities ``p`` without leaving [0, 1]: upwards
    in proportion to 1 − p, downwards in proportion to p (|delta| below the room left)."""
    if p.size == 0 or delta == 0:
        return p
    mean = float(p.mean())
    if delta > 0:
        return p + min(delta, 0.98 * (1.0 - mean)) * (1.0 - p) / (1.0 - mean)
    return p + max(delta, -0.98 * mean) * p / mean


# --- 1. Team difference -------------------------------------------------------------------
@dataclass(frozen=True)
class TeamGapTruth:
    team: str
    delta: float  # FCR probability points, e.g. −0.08 = 8 pp lower
    reference_teams: tuple[str, ...]  # general teams with no other FCR effect


@dataclass(frozen=True)
class TeamGap:
    """One team resolves fewer calls than its peers throughout the period."""

    team: str = "C组"
    delta: float = -0.08
    name: str = "team_gap"

    def create(self, world: World, rnd: random.Random) -> Effect:
        return _TeamGapEffect(self, world.team_index(self.team))


class _TeamGapEffect(Effect):
    def __init__(self, spec: TeamGap, team: int) -> None:
        self.spec, self.team = spec, team

    def on_probabilities(self, batch: DayBatch) -> None:
        rows = batch.team == self.team
        batch.p_fcr[rows] = raise_mean(batch.p_fcr[rows], self.spec.delta)

    def truth(self) -> TeamGapTruth:
        return TeamGapTruth(self.spec.team, self.spec.delta, ())


# --- 2. Special cause in time: a regional outage --------------------------------------------
@dataclass(frozen=True)
class ComplaintSpikeTruth:
    region: str
    week_index: int
    week_start: date
    week_end: date
    outage_days: tuple[date, ...]
    category: str
    multiplier: float  # intended complaint-rate ratio, spike week ÷ normal weeks (as sized)
    extra_calls: int  # calls the outage added in the region
    baseline_rate: float  # expected complaint rate of the region in a normal week
    expected_week_calls: int  # the region's calls in the spike week (the outage's included)


@dataclass(frozen=True)
class ComplaintSpike:
    """A network outage in one district for a few days of one week: callers ring about lost
    signal, many complain (mostly 网络质量), and the district's weekly complaint rate is about
    ``multiplier`` × normal. ``week`` counts from 0 (None: about 60 % into the period).
    ``multiplier`` None: ×3, or more when the district's weekly volume is too small for ×3 to
    stand about 6 σ above normal on a p-chart."""

    region: str = "渝北区"  # the biggest district: a fibre cut there shows at modest volumes
    week: int | None = None
    multiplier: float | None = None
    category: str = "网络质量"
    outage_days: int = 3
    complaint_rate: float = 0.3  # of calls caused by the outage
    name: str = "complaint_spike"

    def create(self, world: World, rnd: random.Random) -> Effect:
        return _ComplaintSpikeEffect(self, world)


class _ComplaintSpikeEffect(Effect):
    def __init__(self, spec: ComplaintSpike, world: World) -> None:
        self.spec = spec
        n_weeks = len(world.week_starts)
        self.week = spec.week if spec.week is not None else max(1, round(n_weeks * 0.6))
        if not 0 <= self.week < n_weeks:
            raise ConfigError(f"spike week {self.week} outside 0..{n_weeks - 1}")
        if spec.category not in CATEGORIES:
            raise ConfigError(f"unknown complaint category {spec.category!r}")
        self.region = world.region_index(spec.region)
        self.product = PRODUCT_INDEX["网络信号"]
        self.situations = np.array(world.topics["网络信号"].groups["outage"])
        base = world.baseline_complaint
        week_days = [d for d, w in enumerate(world.weeks) if w == self.week]
        region_share = REGIONS[self.region][1] / sum(w for _, w in REGIONS)
        week_volume = sum(world.daily_calls[d] for d in week_days) * region_share
        self.multiplier = spec.multiplier if spec.multiplier is not None else min(8.0, max(
            3.0, 1 + 6 * math.sqrt(base * (1 - base) / max(week_volume, 1.0)) / base))
        if spec.complaint_rate <= self.multiplier * base:
            raise ConfigError("complaint_rate of outage calls must exceed multiplier × baseline")
        # Extra volume e (share of the region's week) at rate c: (b + e·c)/(1 + e) = m·b.
        share = (self.multiplier - 1) * base / (spec.complaint_rate - self.multiplier * base)
        # The outage starts on the week's second day present in the period (or its first).
        first = week_days[1] if len(week_days) > 2 else week_days[0]
        self.days = [d for d in week_days if first <= d < first + spec.outage_days]
        total = round(share * week_volume)
        self.week_calls = round(week_volume) + total
        weights = [world.daily_calls[d] for d in self.days]
        self.extra = {d: round(total * w / sum(weights)) for d, w in zip(self.days, weights,
                                                                         strict=True)}
        self.world = world
        self.base = base

    def extra_calls(self, day_index: int) -> int:
        return self.extra.get(day_index, 0)

    def on_arrivals(self, batch: DayBatch) -> None:
        rows = np.flatnonzero(batch.origin == self.code)
        if rows.size == 0:
            return
        batch.region[rows] = self.region
        batch.product[rows] = self.product
        batch.tier[rows] = 0
        batch.situation[rows] = batch.rng.choice(self.situations, size=rows.size)
        batch.complaint_intent[rows] = batch.rng.random(rows.size) < 0.12

    def on_probabilities(self, batch: DayBatch) -> None:
        rows = batch.origin == self.code
        batch.complaint_mult[rows] = 0.0  # their complaint rate is the outage's, exactly
        batch.complaint_add[rows] = self.spec.complaint_rate
        batch.p_fcr[rows] *= 0.6  # nobody on the phone can fix a broken base station

    def on_outcomes(self, batch: DayBatch) -> None:
        rows = np.flatnonzero((batch.origin == self.code) & batch.complaint)
        main = CATEGORIES.index(self.spec.category)
        other = CATEGORIES.index("服务态度")
        batch.category[rows] = np.where(batch.rng.random(rows.size) < 0.9, main, other)

    def truth(self) -> ComplaintSpikeTruth:
        start = self.world.week_starts[self.week]
        return ComplaintSpikeTruth(
            region=self.spec.region, week_index=self.week, week_start=start,
            week_end=start + timedelta(days=6),
            outage_days=tuple(self.world.days[d] for d in self.days),
            category=self.spec.category, multiplier=round(self.multiplier, 2),
            extra_calls=sum(self.extra.values()), baseline_rate=round(self.base, 4),
            expected_week_calls=self.week_calls)


# --- 3a. Small-volume lucky agent ------------------------------------------------------------
@dataclass(frozen=True)
class LuckyAgentTruth:
    agent_id: str
    calls: int
    resolved: int
    true_delta: float  # 0: their skill is their teammates' average
    z_vs_baseline: float  # (raw − p̄)/√(p̄(1−p̄)/n): inside ±1.96, a funnel shows no signal


@dataclass(frozen=True)
class LuckyAgent:
    """A team leader who takes a handful of calls and happens to resolve every one: first in a
    raw league table, unremarkable in a funnel plot. ``calls`` None sizes it so the raw rate
    (100 %) sits about 1.6 standard errors above the expected overall rate."""

    team: str = "A组"
    calls: int | None = None
    name: str = "lucky_agent"

    def create(self, world: World, rnd: random.Random) -> Effect:
        candidates = world.candidates(self.team)
        if not candidates:
            raise ConfigError(f"no agent in {self.team} can be the lucky agent")
        agent = rnd.choice(candidates)
        world.agents[agent].volume = 0.0
        world.agents[agent].role = "lucky"
        p0 = world.baseline_fcr
        n = self.calls or max(5, min(25, math.floor(1.6 ** 2 * p0 / (1 - p0))))
        workdays = [d for d, day in enumerate(world.days) if world.agents[agent].works_on(day)]
        plan: dict[int, int] = {}
        for d in rnd.sample(workdays, n) if n <= len(workdays) else rnd.choices(workdays, k=n):
            plan[d] = plan.get(d, 0) + 1
        return _LuckyAgentEffect(world, agent, n, plan)


class _LuckyAgentEffect(Effect):
    def __init__(self, world: World, agent: int, n: int, plan: dict[int, int]) -> None:
        self.world, self.agent, self.n, self.plan = world, agent, n, plan
        self.queues = np.array([QUEUE_INDEX[q] for q in GENERAL_QUEUES if q != "A+"])

    def on_routing(self, batch: DayBatch) -> None:
        count = self.plan.get(batch.day_index, 0)
        if not count:
            return
        rows = np.flatnonzero(np.isin(batch.queue, self.queues) & (batch.origin == 0)
                              & (batch.seconds >= 9 * 3600) & (batch.seconds < 18 * 3600))
        batch.agent[batch.rng.choice(rows, size=min(count, rows.size), replace=False)] = \
            self.agent

    def on_probabilities(self, batch: DayBatch) -> None:
        batch.p_fcr[batch.agent == self.agent] = 1.0

    def truth(self) -> LuckyAgentTruth:
        p0 = self.world.baseline_fcr
        z = (1.0 - p0) / math.sqrt(p0 * (1 - p0) / self.n)
        return LuckyAgentTruth(self.world.agents[self.agent].agent_id, self.n, self.n, 0.0,
                               round(z, 2))


# --- 3b. High-volume agent who is truly better ---------------------------------------------
@dataclass(frozen=True)
class BetterAgentTruth:
    agent_id: str
    delta: float  # FCR probability points above an average teammate's
    expected_calls: int


@dataclass(frozen=True)
class BetterAgent:
    """An experienced, fast agent who takes more calls and resolves more of them: above the
    99.8 % funnel limit. ``delta`` None sizes it at max(8 pp, 5.5 standard errors)."""

    team: str = "B组"
    delta: float | None = None
    volume: float = 1.7
    name: str = "better_agent"

    def create(self, world: World, rnd: random.Random) -> Effect:
        candidates = world.candidates(self.team)
        if not candidates:
            raise ConfigError(f"no agent in {self.team} can be the better agent")
        agent = rnd.choice(candidates)
        world.agents[agent].volume = self.volume
        world.agents[agent].role = "better"
        world.agents[agent].speed *= 0.9
        p0 = world.baseline_fcr
        n = max(world.expected_calls_of(agent, self.volume), 1.0)
        delta = self.delta if self.delta is not None else max(
            0.08, 5.5 * math.sqrt(p0 * (1 - p0) / n))
        delta = min(delta, 0.95 - p0)
        return _BetterAgentEffect(world, agent, delta, round(n))


class _BetterAgentEffect(Effect):
    def __init__(self, world: World, agent: int, delta: float, n: int) -> None:
        self.world, self.agent, self.delta, self.n = world, agent, delta, n

    def on_probabilities(self, batch: DayBatch) -> None:
        rows = batch.agent == self.agent
        batch.p_fcr[rows] = raise_mean(batch.p_fcr[rows], self.delta)

    def truth(self) -> BetterAgentTruth:
        return BetterAgentTruth(self.world.agents[self.agent].agent_id, round(self.delta, 4),
                                self.n)


# --- 4. Unstable agent ---------------------------------------------------------------------
@dataclass(frozen=True)
class UnstableAgentTruth:
    agent_id: str
    swing: float  # ± FCR probability points
    weekly_delta: tuple[float, ...]  # by week index; sums to 0 (an odd last week is 0)


@dataclass(frozen=True)
class UnstableAgent:
    """An agent whose good and bad weeks alternate (same mean as peers): weekly FCR varies far
    more than binomial noise. ``swing`` None sizes it at max(12 pp, 3.5 weekly standard
    errors)."""

    team: str = "A组"
    swing: float | None = None
    name: str = "unstable_agent"

    def create(self, world: World, rnd: random.Random) -> Effect:
        candidates = world.candidates(self.team)
        if not candidates:
            raise ConfigError(f"no agent in {self.team} can be the unstable agent")
        agent = rnd.choice(candidates)
        world.agents[agent].role = "unstable"
        p0 = world.baseline_fcr
        n_weeks = len(world.week_starts)
        per_week = max(world.expected_calls_of(agent, 1.0) / n_weeks, 1.0)
        swing = self.swing if self.swing is not None else max(
            0.12, 3.5 * math.sqrt(p0 * (1 - p0) / per_week))
        swing = min(swing, 0.8 * (1 - p0))
        first = 1 if rnd.random() < 0.5 else -1
        weekly = [first * swing * (1 if w % 2 == 0 else -1) for w in range(n_weeks)]
        if n_weeks % 2:
            weekly[-1] = 0.0  # an odd week out would move the mean
        return _UnstableAgentEffect(world, agent, swing, tuple(weekly))


class _UnstableAgentEffect(Effect):
    def __init__(self, world: World, agent: int, swing: float,
                 weekly: tuple[float, ...]) -> None:
        self.world, self.agent, self.swing, self.weekly = world, agent, swing, weekly

    def on_probabilities(self, batch: DayBatch) -> None:
        rows = batch.agent == self.agent
        batch.p_fcr[rows] = raise_mean(batch.p_fcr[rows], self.weekly[batch.week])

    def truth(self) -> UnstableAgentTruth:
        return UnstableAgentTruth(self.world.agents[self.agent].agent_id, round(self.swing, 4),
                                  tuple(round(x, 4) for x in self.weekly))


# --- 5. Over-long calls ----------------------------------------------------------------------
@dataclass(frozen=True)
class LongCallsTruth:
    product: str
    timeout_rate: float  # share of the product's calls with at least one timeout
    base_timeout_rate: float  # the same for every other product
    hold_median_s: float  # median hold per timeout on the product
    base_hold_median_s: float


@dataclass(frozen=True)
class LongCalls:
    """One product's back-office lookup often times out ("系统查询超时，请您稍等"): holds of
    minutes, retried up to three times, a heavy right tail of handling time."""

    product: str = "携号转网"
    timeout_rate: float = 0.5
    hold_median_s: float = 240.0
    name: str = "long_calls"

    def create(self, world: World, rnd: random.Random) -> Effect:
        return _LongCallsEffect(self, world.product_index(self.product))


class _LongCallsEffect(Effect):
    def __init__(self, spec: LongCalls, product: int) -> None:
        self.spec, self.product = spec, product

    def on_events(self, batch: DayBatch) -> None:
        rows = np.flatnonzero(batch.product == self.product)
        u = batch.rng.random(rows.size)
        rate = self.spec.timeout_rate  # the retry times out again often: up to three holds
        timeouts = ((u < rate).astype(np.int64) + (u < rate * 0.6).astype(np.int64)
                    + (u < rate * 0.25).astype(np.int64))
        batch.timeouts[rows] = np.maximum(batch.timeouts[rows], timeouts)
        batch.hold_median[rows[timeouts > 0]] = self.spec.hold_median_s

    def truth(self) -> LongCallsTruth:
        return LongCallsTruth(self.spec.product, self.spec.timeout_rate, BASE_TIMEOUT_RATE,
                              self.spec.hold_median_s, BASE_HOLD_MEDIAN_S)


# --- 6. Before/after: a training effect --------------------------------------------------------
@dataclass(frozen=True)
class TrainingTruth:
    team: str
    comparison_team: str
    starts_on: date
    delta: float  # satisfied share (score 4–5 among answered surveys), probability points
    common_drift: float  # change of every team's satisfied share over the whole period


@dataclass(frozen=True)
class Training:
    """From a Monday on, one team's satisfied share rises by ``delta`` (a training course);
    the comparison team only follows the drift every team shares. ``week`` None: mid-period.
    ``delta`` None: 8 points, or more (up to 15) when the volume is too small for a
    difference-in-differences to put 8 points about 5.5 standard errors from zero."""

    team: str = "A组"
    comparison_team: str = "B组"
    week: int | None = None
    delta: float | None = None
    name: str = "training"

    def create(self, world: World, rnd: random.Random) -> Effect:
        n_weeks = len(world.week_starts)
        week = self.week if self.week is not None else n_weeks // 2
        if not 1 <= week < n_weeks:
            raise ConfigError(f"training week {week} outside 1..{n_weeks - 1}")
        world.team_index(self.comparison_team)
        delta = self.delta
        if delta is None:
            # Answered surveys of one team on one side of the start: a quarter of its calls.
            general = [a for a in world.agents if not a.premium]
            members = sum(a.team == self.team for a in general) or 1
            per_cell = world.total_calls * 0.81 * members / max(len(general), 1) / 4
            se = math.sqrt(4 * 0.8 * 0.2 / max(per_cell, 1.0))
            delta = min(0.15, max(0.08, 5.5 * se))
        return _TrainingEffect(self, world.team_index(self.team), world.week_starts[week],
                               world.config.satisfaction_drift, delta)


class _TrainingEffect(Effect):
    def __init__(self, spec: Training, team: int, starts_on: date, drift: float,
                 delta: float) -> None:
        self.spec, self.team, self.starts_on, self.drift = spec, team, starts_on, drift
        self.delta = delta

    def on_probabilities(self, batch: DayBatch) -> None:
        if batch.day >= self.starts_on:
            batch.sat_shift[batch.team == self.team] += self.delta

    def truth(self) -> TrainingTruth:
        return TrainingTruth(self.spec.team, self.spec.comparison_team, self.starts_on,
                             round(self.delta, 4), self.drift)
