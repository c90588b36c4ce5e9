"""Agent–call matching (座席智能匹配): which agents resolve which topics best.

Each agent's FCR on a topic is shrunk toward the topic's FCR (beta-binomial empirical
Bayes, ``stats.shrinkage``): five lucky calls stay near the topic's mean, sixty good ones
keep their lead. Agents are ranked per topic by the shrunk rate, with its 95 % credible
interval; a recommendation per topic (and per queue and topic) lists the best agents with
enough calls to judge.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from seci.mining.dataset import Dataset
from seci.stats.shrinkage import beta_prior, shrink

MIN_CALLS_TO_RECOMMEND = 20
TOP = 3


@dataclass
class AgentOnTopic:
    agent_id: str
    n: int
    fcr: float
    fcr_shrunk: float
    low: float
    high: float
    topic_fcr: float

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _rank(resolved: np.ndarray, calls: np.ndarray, names: list[str]) -> list[AgentOnTopic]:
    units = [(int(x), int(n)) for x, n in zip(resolved, calls, strict=True) if n > 0]
    if not units:
        return []
    prior = beta_prior(units)
    ranked = []
    for index in np.flatnonzero(calls > 0):
        rate = shrink(int(resolved[index]), int(calls[index]), prior)
        ranked.append(AgentOnTopic(names[index], int(calls[index]),
                                   float(resolved[index] / calls[index]), rate.shrunk,
                                   rate.low, rate.high, prior.mean))
    ranked.sort(key=lambda a: (-a.fcr_shrunk, -a.n))
    return ranked


def agent_matching(data: Dataset) -> dict[str, list[AgentOnTopic]]:
    """Per topic, its agents ranked by shrunk FCR."""
    n_agents = len(data.agents)
    result = {}
    for code, topic in enumerate(data.topics):
        mine = data.topic == code
        calls = np.bincount(data.agent[mine], minlength=n_agents)
        resolved = np.bincount(data.agent[mine], weights=data.fcr[mine].astype(float),
                               minlength=n_agents)
        result[topic] = _rank(resolved, calls, data.agents)
    return result


def recommendations(data: Dataset, ranked: dict[str, list[AgentOnTopic]]
                    ) -> dict[str, dict[str, list[str]]]:
    """Per queue and topic, the best agents with enough calls (queue "*" = any)."""
    result: dict[str, dict[str, list[str]]] = {"*": {}}
    for topic, agents in ranked.items():
        result["*"][topic] = [a.agent_id for a in agents
                              if a.n >= MIN_CALLS_TO_RECOMMEND][:TOP]
    queues = np.array(data.queue, dtype=object)
    n_agents = len(data.agents)
    for queue in sorted(set(data.queue)):
        in_queue = queues == queue
        result[queue] = {}
        for code, topic in enumerate(data.topics):
            mine = in_queue & (data.topic == code)
            if not mine.any():
                continue
            calls = np.bincount(data.agent[mine], minlength=n_agents)
            resolved = np.bincount(data.agent[mine], weights=data.fcr[mine].astype(float),
                                   minlength=n_agents)
            best = [a.agent_id for a in _rank(resolved, calls, data.agents)
                    if a.n >= MIN_CALLS_TO_RECOMMEND][:TOP]
            if best:
                result[queue][topic] = best
    return result
