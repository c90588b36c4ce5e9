"""The generator's state: the world set up once (calendar, roster, topics) and the batch of one
day's calls that the pipeline fills in stages and that effects adjust between stages."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from seci.synthetic.catalog import PRODUCTS, QUEUES, REGION_NAMES, Product
from seci.synthetic.phrases import Topic
from seci.synthetic.roster import Agent

if TYPE_CHECKING:
    from seci.synthetic.config import GeneratorConfig

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]


class ConfigError(ValueError):
    """A configuration the generator cannot honour (unknown team, no eligible agent …)."""


@dataclass(frozen=True)
class Habit:
    """An agent's habitual line on a topic: said in ``rate`` of their calls on ``product``
    (every product when None), after the explanation. Text effects add these."""

    agent: int
    product: int | None
    rate: float
    lines: tuple[str, ...]


@dataclass
class World:
    config: GeneratorConfig
    days: list[date]
    weeks: list[int]  # week index of each day (weeks start on Monday)
    week_starts: list[date]
    daily_calls: list[int]
    agents: list[Agent]
    team_names: tuple[str, ...]
    topics: dict[str, Topic]
    baseline_fcr: float = 0.78
    baseline_complaint: float = 0.03
    habits: list[Habit] = field(default_factory=list)
    products: tuple[Product, ...] = PRODUCTS  # the catalog, plus products effects add

    @property
    def start(self) -> date:
        return self.days[0]

    @property
    def end(self) -> date:
        return self.days[-1]

    @property
    def total_calls(self) -> int:
        return sum(self.daily_calls)

    def team_index(self, team: str) -> int:
        if team not in self.team_names:
            raise ConfigError(f"unknown team {team!r}; teams are {self.team_names}")
        return self.team_names.index(team)

    def agent_index(self, agent_id: str) -> int:
        for i, agent in enumerate(self.agents):
            if agent.agent_id == agent_id:
                return i
        raise ConfigError(f"unknown agent {agent_id!r}")

    def team_of_agent(self) -> Ints:
        return np.array([self.team_names.index(a.team) for a in self.agents], dtype=np.int64)

    def candidates(self, team: str) -> list[int]:
        """Agents an effect may single out: there for the whole period, not linked to a demo
        user, not chosen by another effect; preferably mature and full-time, else mature,
        else anyone who was already there at the start."""
        self.team_index(team)
        free = [i for i, a in enumerate(self.agents)
                if a.team == team and a.left_on is None and not a.role and a.username is None
                and a.hired_on < self.start]
        mature = [i for i in free if self.agents[i].stage_on(self.start) == "成熟期"]
        full_time = [i for i in mature if self.agents[i].volume == 1.0]
        return full_time or mature or free

    def expected_calls_of(self, agent: int, volume: float) -> float:
        """Roughly how many calls an agent with this routing weight takes over the period."""
        a = self.agents[agent]
        peers = [b for b in self.agents if b.premium == a.premium]
        share = 0.19 if a.premium else 0.81  # premium queues' share of volume
        total_weight = sum(b.volume for b in peers if b.left_on is None) or 1.0
        return self.total_calls * share * volume / total_weight

    def week_of(self, day: date) -> int:
        return (day - self.week_starts[0]).days // 7

    def product_index(self, name: str) -> int:
        for i, product in enumerate(self.products):
            if product.name == name:
                return i
        raise ConfigError(f"unknown product {name!r}")

    def add_product(self, product: Product, topic: Topic) -> int:
        """Add a product the catalog does not have (a new business), with its words; returns
        its index. Give it ``weight`` 0: ordinary calls never pick it, only calls an effect
        files under it (``extra_calls`` + ``on_arrivals``)."""
        if any(p.name == product.name for p in self.products):
            raise ConfigError(f"product {product.name!r} exists already")
        self.products = (*self.products, product)
        self.topics[product.name] = topic
        return len(self.products) - 1

    def region_index(self, name: str) -> int:
        if name not in REGION_NAMES:
            raise ConfigError(f"unknown region {name!r}")
        return REGION_NAMES.index(name)

    def add_situations(self, product: str, texts: tuple[str, ...], group: str,
                       explains: tuple[int, ...] = (), background: bool = False
                       ) -> tuple[int, ...]:
        """Add caller situations to a topic (rendered like the others) under a group name,
        answered by the topic's explanations ``explains`` (none: any); returns their indices
        for ``DayBatch.situation``. They occur only where an effect sets them, unless
        ``background`` also lets ordinary calls on the topic pick them."""
        topic = self.topics[product]
        first = len(topic.situations)
        indices = tuple(range(first, first + len(texts)))
        groups = dict(topic.groups)
        groups[group] = groups.get(group, ()) + indices
        known = topic.explains or ((),) * first
        ambient = (topic.ambient or tuple(range(first))) + (indices if background else ())
        self.topics[product] = replace(topic, situations=topic.situations + texts,
                                       groups=groups, explains=known + (explains,) * len(texts),
                                       ambient=ambient)
        return indices


def calendar(start: date, weeks: int) -> tuple[list[date], list[int], list[date]]:
    days = [start + timedelta(days=i) for i in range(weeks * 7)]
    monday = start - timedelta(days=start.weekday())
    week_idx = [(d - monday).days // 7 for d in days]
    starts = [monday + timedelta(weeks=w) for w in range(week_idx[-1] + 1)]
    return days, week_idx, starts


QUEUE_INDEX: dict[str, int] = {q: i for i, q in enumerate(QUEUES)}


class DayBatch:
    """One day's calls as parallel arrays, filled stage by stage:

    arrivals (seconds, product, region, tier, channel, complaint_intent, situation, origin) →
    routing (queue, agent, team) → events (verify, backoffice, timeouts, hold_median, hedge,
    pii) → probabilities (p_fcr, complaint_mult, complaint_add, sat_shift) → outcomes
    (resolved, answered, satisfaction, complaint, category, repeat) → duration.

    ``origin`` is 0 for ordinary calls and an effect's code for calls it added.
    ``situation`` −1 lets the renderer pick; ``inserts`` adds (speaker, text) turns to a call:
    ``speaker`` is "agent" or "customer", said after the conversation (before personal data,
    hedges, tickets and the ending), optionally with flags after colons: ":mid" says it right
    after the explanation (before the follow-up questions), ":end" just before the ending
    (the caller's reaction and goodbye), ":hold" puts the caller on hold after it (a
    transfer). ``marks`` lets an effect keep the rows it acted on for its own bookkeeping.
    """

    def __init__(self, day: date, day_index: int, week: int, n: int,
                 rng: np.random.Generator) -> None:
        self.day = day
        self.day_index = day_index
        self.week = week
        self.n = n
        self.rng = rng
        zi: Ints = np.zeros(n, dtype=np.int64)
        zf: Floats = np.zeros(n, dtype=np.float64)
        zb: Bools = np.zeros(n, dtype=np.bool_)
        self.origin = zi.copy()
        self.seconds = zi.copy()
        self.product = zi.copy()
        self.region = zi.copy()
        self.tier = zi.copy()
        self.channel = zi.copy()
        self.complaint_intent = zb.copy()
        self.situation: Ints = np.full(n, -1, dtype=np.int64)
        self.queue = zi.copy()
        self.agent = zi.copy()
        self.team = zi.copy()
        self.verify = zb.copy()
        self.backoffice = zb.copy()
        self.timeouts = zi.copy()
        self.hold_median: Floats = np.full(n, 60.0)
        self.hedge = zb.copy()
        self.pii = zi.copy()  # 0 none, 1 phone, 2 ID number, 3 bank card
        self.p_fcr = zf.copy()
        self.complaint_mult: Floats = np.ones(n)
        self.complaint_add = zf.copy()
        self.sat_shift = zf.copy()
        self.resolved = zb.copy()
        self.answered = zb.copy()
        self.satisfaction = zi.copy()  # 0 = no survey answer
        self.complaint = zb.copy()
        self.category: Ints = np.full(n, -1, dtype=np.int64)
        self.repeat = zb.copy()
        self.duration = zf.copy()
        self.inserts: dict[int, list[tuple[str, str]]] = {}
        self.marks: dict[str, Ints] = {}

    def reorder(self, order: Ints) -> None:
        """Apply a permutation to every per-call array (inserts must still be empty)."""
        for name, value in vars(self).items():
            if isinstance(value, np.ndarray) and value.shape == (self.n,):
                setattr(self, name, value[order])

    def columns(self, names: tuple[str, ...]) -> dict[str, list[Any]]:
        """Per-call arrays as Python lists, for the per-call loop."""
        return {name: getattr(self, name).tolist() for name in names}
