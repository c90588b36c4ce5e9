"""Synthetic 10086-style calls as a call platform exports them, with planted effects.

``generate(config)`` returns a ``Dataset``: the roster, the ground truth and ``calls()``, a
stream of call dicts in export order (by day, then start time; re-exports later). The stream
holds one day at a time: memory stays flat for any number of calls.

How a day is made (vectorised with numpy, one batch per day):

1. **Arrivals.** The day's volume follows the weekday pattern and holidays; start times the
   hourly profile (peaks 9–11 and 14–17); topics the Pareto-like product mix (bills in the
   first days of a month, roaming before Golden Week); districts their population; callers'
   tier (全球通, VIP) and whether they chose the complaint menu.
2. **Routing.** Tier and complaint choice decide the queue before the topic does; an agent on
   shift, eligible for the queue by team and stage (新员工: A/B; 成长期: + specialist seats;
   成熟期: + A+; VIP组: VIP/全球通/投诉专席), takes it in proportion to their routing weight.
3. **Events.** Identity checks, back-office tickets (likelier for weaker agents), system
   timeouts, hedges (likelier for new agents), personal data read out.
4. **Outcomes.** Resolution: log-odds of the product's base rate + the agent's skill on the
   day (learning curve) + the queue's difficulty − tickets, timeouts, hedges. Complaints:
   mostly when unresolved, concentrated by product in a few categories. Survey answered about
   half the time; satisfied mostly when resolved; repeat calls mostly when unresolved.
5. **Handling time.** Log-normal per product × the agent's speed, plus identity checks,
   tickets, complaint handling and holds for timeouts.

Effects (``effects.py``) adjust the batch between these stages. A separate ``random.Random``
renders the text, so outcomes do not depend on whether transcripts are rendered.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from seci.synthetic import catalog as cat
from seci.synthetic.config import GeneratorConfig
from seci.synthetic.effects import BASE_TIMEOUT_RATE, Effect, raise_mean
from seci.synthetic.phrases import TOPICS
from seci.synthetic.roster import PREMIUM_TEAM, Agent, build_roster, centre_skills
from seci.synthetic.transcript import Renderer
from seci.synthetic.truth import GroundTruth
from seci.synthetic.world import (
    QUEUE_INDEX,
    Bools,
    ConfigError,
    DayBatch,
    Floats,
    Ints,
    World,
    calendar,
)

_ABSENCE = 0.04  # agents off sick or on leave on a rostered day
_STREAM_SALT = 0x5EC1
_TEXT_SALT = 0x7E87
_EFFECT_SALT = 0xEFEC
_BASELINE_SALT = 0xBA5E
_SAMPLE_SALT = 0x5A3B
_SAMPLE_CALLS = 20_000  # calls simulated before the stream for effects that measure truths
_REEXPORT_DAYS = 7
_RECORD_COLUMNS = ("seconds", "agent", "queue", "region", "product", "channel", "situation",
                   "verify", "backoffice", "timeouts", "hedge", "pii", "resolved",
                   "satisfaction", "complaint", "category", "repeat", "duration")


@dataclass(frozen=True)
class Dataset:
    """A generated data set: roster and ground truth now, calls as a fresh stream each time."""

    config: GeneratorConfig
    roster: list[dict[str, Any]]
    truth: GroundTruth

    def calls(self) -> Iterator[dict[str, Any]]:
        """Every call record in export order (deterministic: same config, same records)."""
        return _Generator(self.config).stream()

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self.calls()


def generate(config: GeneratorConfig) -> Dataset:
    """Set up the world for ``config``; the calls stream when ``Dataset.calls()`` is iterated."""
    gen = _Generator(config)
    return Dataset(config=config, roster=gen.roster_records(), truth=gen.truth())


class _Tables:
    """Per-world constants as arrays, indexed by product / queue / agent."""

    def __init__(self, world: World) -> None:
        products = world.products
        self.hour_p = [_normalised(cat.HOUR_WEIGHTS_WEEKDAY), _normalised(cat.HOUR_WEIGHTS_WEEKEND)]
        self.region_p = _normalised([w for _, w in cat.REGIONS])
        self.tier_p = _normalised(cat.TIER_WEIGHTS)
        self.channel_p = _normalised(cat.CHANNEL_WEIGHTS)
        self.weights: Floats = np.array([p.weight for p in products])
        self.billing: Floats = np.array([p.billing_day for p in products])
        self.roaming = cat.PRODUCT_INDEX["国际漫游"]
        self.logit_fcr: Floats = np.log([p.fcr / (1 - p.fcr) for p in products])
        self.log_median: Floats = np.log([p.median_s for p in products])
        self.sigma: Floats = np.array([p.sigma for p in products])
        self.verify: Floats = np.array([p.verify for p in products])
        self.backoffice: Floats = np.array([p.backoffice for p in products])
        self.complaint: Floats = np.array([p.complaint for p in products])
        self.intent: Floats = np.array([p.complaint_intent for p in products])
        self.queue_cum: Floats = np.cumsum(
            [[dict(p.queues).get(q, 0.0) for q in cat.QUEUES] for p in products], axis=1)
        self.queue_cum /= self.queue_cum[:, -1:]
        self.category_cum: Floats = np.cumsum(
            [[dict(p.categories).get(c, 0.0) for c in cat.CATEGORIES] for p in products], axis=1)
        self.category_cum /= self.category_cum[:, -1:]
        self.queue_difficulty: Floats = np.array([cat.QUEUE_DIFFICULTY[q] for q in cat.QUEUES])
        # Tickets are likelier on the complex and complaint queues.
        self.queue_backoffice: Floats = np.array(
            [1.5 if q in ("A+", "投诉专席") else 1.0 for q in cat.QUEUES])
        self.pii_kind_cum: Floats = np.cumsum([_pii_mix(p.name) for p in products], axis=1)
        self.team_of_agent: Ints = world.team_of_agent()
        self.soft: Floats = np.array([a.soft_skill for a in world.agents])
        self.speed: Floats = np.array([a.speed for a in world.agents])
        self.answer_p: Floats = np.array([0.5, 0.45, 0.36])  # voice, video, online
        self.channel_duration: Floats = np.array([1.0, 1.1, 1.5])

    def product_p(self, day: date) -> Floats:
        w = self.weights.copy()
        if day.day <= 5:
            w *= self.billing
        w[self.roaming] *= cat.roaming_season(day)
        share: Floats = w / w.sum()
        return share


def _pii_mix(product: str) -> tuple[float, float, float]:
    """Shares of (phone, ID, card) among calls where the caller reads out personal data."""
    if product in ("补换卡", "销户", "服务密码", "携号转网", "停开机"):
        return (0.35, 0.55, 0.10)
    if product in ("账单异议", "增值业务退订", "话费查询", "发票"):
        return (0.4, 0.15, 0.45)
    return (0.8, 0.2, 0.0)  # no bank card outside billing


def _normalised(values: Any) -> Floats:
    a = np.asarray(values, dtype=np.float64)
    share: Floats = a / a.sum()
    return share


def _prng(seed: int) -> random.Random:
    """Reproducible simulation randomness (never used for anything secret)."""
    return random.Random(seed)  # noqa: S311


def _daily_volumes(config: GeneratorConfig, days: list[date], rng: np.random.Generator
                   ) -> list[int]:
    raw = np.array([cat.WEEKDAY_VOLUME[d.weekday()] * cat.holiday_volume(d) for d in days])
    raw *= rng.lognormal(0.0, 0.05, len(days))
    total = config.total_calls if config.total_calls is not None else round(
        config.calls_per_day * len(days))
    share = raw / raw.sum() * total
    counts = np.floor(share).astype(np.int64)
    # Largest remainders get the calls rounding left over: the total is exact.
    counts[np.argsort(counts - share)[: total - int(counts.sum())]] += 1
    return [int(c) for c in counts]


class _Generator:
    """One pass over the period. Built anew for each stream, so streams are identical."""

    def __init__(self, config: GeneratorConfig) -> None:
        if config.weeks < 2:
            raise ConfigError("at least two weeks are needed")
        self.config = config
        days, weeks, week_starts = calendar(config.start, config.weeks)
        agents = build_roster(_prng(config.seed), teams=config.teams,
                              start=days[0], end=days[-1], joiners=config.joiners,
                              leavers=config.leavers, demo_links=config.demo_links)
        volumes = _daily_volumes(config, days, np.random.default_rng([config.seed, 1]))
        self.world = World(config=config, days=days, weeks=weeks, week_starts=week_starts,
                           daily_calls=volumes, agents=agents,
                           team_names=tuple(name for name, _ in config.teams),
                           topics=dict(TOPICS))
        self.tables = _Tables(self.world)
        self._estimate_baseline()
        rnd = _prng(config.seed ^ _EFFECT_SALT)
        self.effects: list[tuple[str, Effect]] = []
        for code, spec in enumerate(config.effect_specs(), start=1):
            effect = spec.create(self.world, rnd)
            effect.code = code
            self.effects.append((spec.name, effect))
        centre_skills(agents, days[0])  # singled-out agents exactly average, teams still equal
        self.tables = _Tables(self.world)  # effects may have changed agents or products
        # The order hooks run in: the config's, stable, later ``order`` last.
        self.hooked = sorted((e for _, e in self.effects), key=lambda e: e.order)
        if any(type(e).on_sample is not Effect.on_sample for e in self.hooked):
            self._sample(self.hooked)

    # --- set-up -------------------------------------------------------------------------
    def _estimate_baseline(self) -> None:
        """Expected FCR and complaint rate with nothing planted, from a sample week."""
        rng = np.random.default_rng([self.config.seed, _BASELINE_SALT])
        resolved = complaints = total = 0
        for d in range(min(7, len(self.world.days))):
            batch = self._simulate(d, rng, effects=[], n_base=3000)
            resolved += int(batch.resolved.sum())
            complaints += int(batch.complaint.sum())
            total += batch.n
        self.world.baseline_fcr = resolved / total
        self.world.baseline_complaint = complaints / total

    def _sample(self, effects: list[Effect]) -> None:
        """Days spread evenly over the period, about ``_SAMPLE_CALLS`` calls in all, simulated
        with every effect, for effects whose truth is measured (with randomness of its own:
        the stream is not touched)."""
        rng = np.random.default_rng([self.config.seed, _SAMPLE_SALT])
        n_days = len(self.world.days)
        per_day = max(self.world.total_calls / n_days, 1.0)
        k = min(n_days, max(7, math.ceil(_SAMPLE_CALLS / per_day)))
        days = sorted({int(d) for d in np.linspace(0, n_days - 1, k).round()})
        batches = [self._simulate(d, rng, effects) for d in days]
        for effect in effects:
            effect.on_sample(batches)

    def roster_records(self) -> list[dict[str, Any]]:
        snapshot = self.world.end
        return [a.to_record(snapshot) for a in self.world.agents]

    def truth(self) -> GroundTruth:
        truths: dict[str, Any] = {}
        extensions: dict[str, Any] = {}
        for name, effect in self.effects:
            (truths if name in GroundTruth.__dataclass_fields__ else extensions)[name] = \
                effect.truth()
        gap = truths.get("team_gap")
        if gap is not None:
            # Compare with general teams whose FCR no other effect raises.
            better = truths.get("better_agent")
            raised = {a.team for a in self.world.agents
                      if better is not None and a.agent_id == better.agent_id}
            reference = tuple(t for t in self.world.team_names
                              if t not in (gap.team, PREMIUM_TEAM) and t not in raised)
            truths["team_gap"] = type(gap)(gap.team, gap.delta, reference)
        extra = sum(e.extra_calls(d) for _, e in self.effects
                    for d in range(len(self.world.days)))
        return GroundTruth(
            seed=self.config.seed, start=self.world.start, end=self.world.end,
            week_starts=tuple(self.world.week_starts), base_calls=self.world.total_calls,
            total_calls=self.world.total_calls + extra,
            baseline_fcr=round(self.world.baseline_fcr, 4),
            baseline_complaint_rate=round(self.world.baseline_complaint, 4),
            extensions=extensions, **truths)

    # --- one day ------------------------------------------------------------------------
    def _pools(self, d: int, rng: np.random.Generator) -> list[tuple[Ints, Floats]]:
        """Agents who can take each queue today, with routing weights."""
        day = self.world.days[d]
        agents = self.world.agents
        present = rng.random(len(agents)) >= _ABSENCE
        # Agents with no routing weight only take the calls an effect gives them.
        working = [i for i, a in enumerate(agents)
                   if a.volume > 0 and a.works_on(day) and present[i]]
        if not working:
            working = [i for i, a in enumerate(agents) if a.volume > 0 and a.employed_on(day)]
        if not working:
            raise ConfigError(f"nobody takes calls on {day}")
        pools: list[tuple[Ints, Floats]] = []
        for queue in cat.QUEUES:
            members = [i for i in working if _eligible(agents[i], queue, day)]
            if not members:  # overflow: anybody general on the floor, else anybody
                members = [i for i in working if not agents[i].premium] or working
            weights = np.array([agents[i].volume for i in members])
            pools.append((np.array(members, dtype=np.int64), weights / weights.sum()))
        return pools

    def _simulate(self, d: int, rng: np.random.Generator, effects: list[Effect],
                  n_base: int | None = None) -> DayBatch:
        world, t = self.world, self.tables
        day = world.days[d]
        extras = [e.extra_calls(d) for e in effects]
        base = world.daily_calls[d] if n_base is None else n_base
        n = base + sum(extras)
        b = DayBatch(day, d, world.weeks[d], n, rng)
        pos = base
        for effect, k in zip(effects, extras, strict=True):
            b.origin[pos:pos + k] = effect.code
            pos += k

        # 1. arrivals
        hours = rng.choice(24, size=n, p=t.hour_p[day.weekday() >= 5])
        b.seconds = hours * 3600 + rng.integers(0, 3600, n)
        b.product = rng.choice(len(t.weights), size=n, p=t.product_p(day))
        b.region = rng.choice(len(cat.REGIONS), size=n, p=t.region_p)
        b.tier = rng.choice(3, size=n, p=t.tier_p)
        b.channel = rng.choice(3, size=n, p=t.channel_p)
        b.complaint_intent = rng.random(n) < t.intent[b.product]
        for e in effects:
            e.on_arrivals(b)
        b.reorder(np.argsort(b.seconds, kind="stable"))

        # 2. routing
        u = rng.random(n)
        b.queue = (u[:, None] > t.queue_cum[b.product]).sum(axis=1)
        b.queue[b.tier == 1] = QUEUE_INDEX["全球通"]
        b.queue[b.tier == 2] = QUEUE_INDEX["VIP"]
        b.queue[b.complaint_intent] = QUEUE_INDEX[cat.COMPLAINT_QUEUE]
        for q, (members, weights) in enumerate(self._pools(d, rng)):
            rows = np.flatnonzero(b.queue == q)
            if rows.size:
                b.agent[rows] = members[rng.choice(members.size, size=rows.size, p=weights)]
        for e in effects:
            e.on_routing(b)
        b.team = t.team_of_agent[b.agent]

        # 3. events
        skill_today = np.array([a.skill_on(day) for a in world.agents])
        newness = np.array([math.exp(-max(a.tenure_days(day), 0) / 150.0)
                            for a in world.agents])
        skill = skill_today[b.agent]
        fresh = newness[b.agent]
        b.verify = rng.random(n) < t.verify[b.product]
        p_ticket = t.backoffice[b.product] * np.exp(-0.8 * skill) * t.queue_backoffice[b.queue]
        b.backoffice = rng.random(n) < np.minimum(p_ticket, 0.9)
        u = rng.random(n)
        b.timeouts = (u < BASE_TIMEOUT_RATE).astype(np.int64) + (u < BASE_TIMEOUT_RATE * 0.2)
        b.hedge = rng.random(n) < 0.03 + 0.1 * fresh
        u = rng.random(n)
        has_pii = u < self.config.pii_rate
        kind = (rng.random(n)[:, None] > t.pii_kind_cum[b.product]).sum(axis=1) + 1
        b.pii = np.where(has_pii, np.minimum(kind, 3), 0)
        for e in effects:
            e.on_events(b)

        # 4. outcomes
        logit = (t.logit_fcr[b.product] + skill + t.queue_difficulty[b.queue]
                 - 1.2 * b.backoffice - 0.3 * (b.timeouts > 0) - 0.7 * b.hedge)
        b.p_fcr = 1.0 / (1.0 + np.exp(-logit))
        for e in effects:
            e.on_probabilities(b)
        b.resolved = rng.random(n) < np.clip(b.p_fcr, 0.0, 1.0)
        soft = t.soft[b.agent]
        p_complaint = (t.complaint[b.product] * np.where(b.resolved, 0.06, 1.0)
                       * np.exp(-0.5 * soft)
                       + b.complaint_intent * np.where(b.resolved, 0.05, 0.35)
                       ) * b.complaint_mult + b.complaint_add
        b.complaint = rng.random(n) < np.minimum(p_complaint, 0.95)
        category = (rng.random(n)[:, None] > t.category_cum[b.product]).sum(axis=1)
        b.category = np.where(b.complaint, np.minimum(category, len(cat.CATEGORIES) - 1), -1)
        b.answered = rng.random(n) < t.answer_p[b.channel] + 0.05 * ~b.resolved
        drift = self.config.satisfaction_drift * d / max(len(world.days) - 1, 1)
        p_sat = 1.0 / (1.0 + np.exp(-(np.where(b.resolved, 2.3, -0.2) + 0.8 * soft)))
        for shift in np.unique(b.sat_shift[b.sat_shift != 0]).tolist():
            rows = b.sat_shift == shift
            p_sat[rows] = raise_mean(p_sat[rows], shift)
        p_sat = np.clip(p_sat + drift, 0.01, 0.995)
        p_sat = np.where(b.complaint, p_sat * 0.15, p_sat)
        satisfied = rng.random(n) < p_sat
        u = rng.random(n)
        unhappy = np.where(b.complaint, np.where(u < 0.7, 1, np.where(u < 0.9, 2, 3)),
                           np.where(u < 0.45, 3, np.where(u < 0.7, 2, 1)))
        score = np.where(satisfied, np.where(u < 0.78, 5, 4), unhappy)
        b.satisfaction = np.where(b.answered, score, 0)
        b.repeat = rng.random(n) < np.where(b.resolved, 0.05, 0.36) + 0.12 * b.complaint
        for e in effects:
            e.on_outcomes(b)

        # 5. handling time
        duration = np.exp(t.log_median[b.product] + t.sigma[b.product] * rng.standard_normal(n))
        duration *= t.speed[b.agent] * (1.0 + 0.3 * fresh) * t.channel_duration[b.channel]
        duration += b.verify * rng.lognormal(math.log(20.0), 0.4, n)
        duration += b.backoffice * rng.lognormal(math.log(60.0), 0.5, n)
        duration += b.complaint * rng.lognormal(math.log(90.0), 0.5, n)
        duration += 20.0 * ~b.resolved
        log_hold = np.log(b.hold_median)
        for k in (1, 2, 3):
            hold = np.exp(log_hold + 0.55 * rng.standard_normal(n))
            duration += np.where(b.timeouts >= k, hold, 0.0)
        b.duration = duration
        for e in effects:
            e.on_duration(b)
        return b

    # --- the stream ---------------------------------------------------------------------
    def stream(self) -> Iterator[dict[str, Any]]:
        config, world = self.config, self.world
        rng = np.random.default_rng([config.seed, _STREAM_SALT])
        renderer = (Renderer(world, _prng(config.seed ^ _TEXT_SALT))
                    if config.transcripts else None)
        effects = self.hooked
        clock = _clock_strings(naive=config.naive_timestamps)
        agents = [(a.agent_id, a.agent_id[1:], a.team) for a in world.agents]
        products = [p.name for p in world.products]
        region_codes = [cat.REGION_CODES[name] for name in cat.REGION_NAMES]
        pending: list[tuple[int, int, dict[str, Any]]] = []
        serial = 0
        for d, day in enumerate(world.days):
            batch = self._simulate(d, rng, effects)
            steps = rng.integers(1, 4, batch.n)
            ids = (np.cumsum(steps) + 10_000_000).tolist()  # 7 digits after a leading 1
            reexport: Bools = rng.random(batch.n) < config.duplicate_rate
            missing: Bools = rng.random(batch.n) < config.missing_transcript_rate
            prefix = f"C{day:%Y%m%d}"
            stamp = f"{day.isoformat()}T"
            for record, again in _records(batch, renderer, ids, reexport.tolist(),
                                          missing.tolist(), prefix, stamp, clock, agents,
                                          region_codes, products):
                if again is not None:
                    serial += 1
                    heapq.heappush(pending, (d + _REEXPORT_DAYS, serial, again))
                yield record
            while pending and pending[0][0] <= d:
                yield heapq.heappop(pending)[2]
        while pending:
            yield heapq.heappop(pending)[2]


def _eligible(agent: Agent, queue: str, day: date) -> bool:
    if agent.premium:
        return queue in cat.PREMIUM_QUEUES
    if queue in cat.PREMIUM_QUEUES:
        return False
    stage = agent.stage_on(day)
    if stage == "新员工":
        return queue in ("A", "B")
    if stage == "成长期":
        return queue != "A+"
    return True


def _clock_strings(*, naive: bool) -> list[str]:
    suffix = "" if naive else "+08:00"
    return [f"{h:02d}:{m:02d}:{s:02d}{suffix}"
            for h in range(24) for m in range(60) for s in range(60)]


def _records(batch: DayBatch, renderer: Renderer | None, ids: list[int],
             reexport: list[bool], missing: list[bool], prefix: str, stamp: str,
             clock: list[str], agents: list[tuple[str, str, str]], region_codes: list[str],
             products: list[str]) -> Iterator[tuple[dict[str, Any], dict[str, Any] | None]]:
    """The day's call dicts; with a re-export, the first is provisional and the second final."""
    c = batch.columns(_RECORD_COLUMNS)
    queues, regions = cat.QUEUES, cat.REGION_NAMES
    categories, channels = cat.CATEGORIES, cat.CHANNELS
    premium = {QUEUE_INDEX[q] for q in cat.PREMIUM_QUEUES}
    year, month = batch.day.year, batch.day.month
    inserts = batch.inserts
    rows = zip(c["seconds"], c["agent"], c["queue"], c["region"], c["product"], c["channel"],
               c["situation"], c["verify"], c["backoffice"], c["timeouts"], c["hedge"], c["pii"],
               c["resolved"], c["satisfaction"], c["complaint"], c["category"], c["repeat"],
               c["duration"], strict=True)
    for i, (sec, agent, queue, region, product, channel, situation, verify, backoffice,
            timeouts, hedge, pii, resolved, satisfaction, complaint, category, repeat,
            duration) in enumerate(rows):
        agent_id, agent_no, team = agents[agent]
        seconds = max(int(duration + 0.5), 15)
        record: dict[str, Any] = {
            "call_id": prefix + str(ids[i])[1:], "agent_id": agent_id, "team": team,
            "queue": queues[queue], "started_at": stamp + clock[sec], "duration_s": seconds,
            "region": regions[region], "product": products[product],
            "channel": channels[channel],
        }
        if renderer is not None:
            if missing[i]:
                record["turns"] = []
            else:
                turns, seconds = renderer.render(
                    agent=agent, agent_no=agent_no, product=product, situation=situation,
                    premium=queue in premium, online=channel == 2, verify=verify,
                    backoffice=backoffice, timeouts=timeouts, hedge=hedge, pii=pii,
                    resolved=resolved, complaint=complaint, duration_s=duration, year=year,
                    month=month, district=regions[region], region_code=region_codes[region],
                    inserts=inserts.get(i))
                record["duration_s"] = seconds
                record["turns"] = turns
        outcome = {"resolved_first_contact": resolved,
                   "satisfaction": satisfaction or None, "complaint": complaint,
                   "complaint_category": categories[category] if complaint else None,
                   "repeat_within_7d": repeat}
        if reexport[i]:
            final = dict(record)
            final["outcome"] = outcome
            # At hang-up the survey and any repeat call are still to come, and the agent
            # closed the call as resolved unless a complaint was logged.
            record["outcome"] = {**outcome, "resolved_first_contact": resolved or not complaint,
                                 "satisfaction": None, "repeat_within_7d": False}
            yield record, final
        else:
            record["outcome"] = outcome
            yield record, None
