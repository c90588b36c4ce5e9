"""Agent–call matching (座席智能匹配): which agents resolve which topics best.

An agent's FCR on a topic is first put on the topic's common footing: queues differ in how
hard their calls are (the complaint desk resolves less than the general line), so each call
is expected to be resolved at its topic's rate in its queue, and the agent's rate becomes
``topic FCR + (resolved − expected)/calls`` (indirect standardisation). That rate is then
shrunk toward the topic's FCR (beta-binomial empirical Bayes, ``stats.shrinkage``): five
lucky calls stay near the mean, sixty good ones keep their lead. Agents are ranked per topic
by the shrunk rate, with its 95 % credible interval; a recommendation per topic (and per
queue and topic) lists the best agents with enough calls to judge.

A specialist resolves one topic better than they resolve the rest: their lead over the
expected on the topic against their lead on their other calls (a z-test of the two
differences), flagged when significant (Benjamini–Hochberg over all agent–topic pairs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from seci.mining.dataset import Dataset
from seci.stats.comparisons import benjamini_hochberg
from seci.stats.shrinkage import beta_prior, shrink

MIN_CALLS_TO_RECOMMEND = 20
MIN_CALLS_SPECIALIST = 30
SPECIALIST_Q = 0.05
# A specialist leads on the topic by at least this much more than elsewhere (5 points of
# FCR): with a million calls, differences of a point or two are significant and of no use
# to a team lead routing calls.
MIN_SPECIALIST_LEAD = 0.05
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
    fcr_standardised: float | None = None  # on the topic's queue mix
    lead_here: float | None = None  # (resolved − expected)/calls on this topic
    lead_elsewhere: float | None = None  # the same on their other topics
    specialist: bool = False

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _rank(resolved: np.ndarray, calls: np.ndarray, names: list[str],
          expected: np.ndarray | None = None) -> list[AgentOnTopic]:
    """Agents by shrunk FCR; with ``expected`` resolutions (their calls at the topic's
    queue rates), on the topic's common footing."""
    present = np.flatnonzero(calls > 0)
    if not len(present):
        return []
    topic_rate = float(resolved.sum() / calls.sum())
    adjusted = resolved.astype(float)
    if expected is not None:
        adjusted = np.clip(resolved - expected + calls * topic_rate, 0.0, calls)
    prior = beta_prior([(float(adjusted[i]), int(calls[i])) for i in present])
    ranked = []
    for index in present:
        rate = shrink(float(adjusted[index]), int(calls[index]), prior)
        ranked.append(AgentOnTopic(
            names[index], int(calls[index]), float(resolved[index] / calls[index]),
            rate.shrunk, rate.low, rate.high, prior.mean,
            fcr_standardised=float(adjusted[index] / calls[index])))
    ranked.sort(key=lambda a: (-a.fcr_shrunk, -a.n))
    return ranked


def expected_resolutions(data: Dataset) -> np.ndarray:
    """Per call, its topic's FCR in its queue (what an average agent would resolve)."""
    cell = data.topic.astype(np.int64) * len(data.queues) + data.queue
    size = len(data.topics) * len(data.queues)
    totals = np.bincount(cell, minlength=size)
    rates = np.bincount(cell, weights=data.fcr.astype(float), minlength=size) / np.maximum(
        totals, 1)
    expected: np.ndarray = rates[cell]
    return expected


def agent_matching(data: Dataset) -> dict[str, list[AgentOnTopic]]:
    """Per topic, its agents ranked by shrunk, queue-standardised FCR, specialists
    flagged."""
    n_agents = len(data.agents)
    expected = expected_resolutions(data)
    surplus = data.fcr.astype(float) - expected
    all_calls = np.bincount(data.agent, minlength=n_agents)
    all_surplus = np.bincount(data.agent, weights=surplus, minlength=n_agents)
    result = {}
    for code, topic in enumerate(data.topics):
        mine = data.topic == code
        calls = np.bincount(data.agent[mine], minlength=n_agents)
        resolved = np.bincount(data.agent[mine], weights=data.fcr[mine].astype(float),
                               minlength=n_agents)
        here = np.bincount(data.agent[mine], weights=expected[mine], minlength=n_agents)
        ranked = _rank(resolved, calls, data.agents, here)
        codes = {name: i for i, name in enumerate(data.agents)}
        for agent in ranked:
            i = codes[agent.agent_id]
            other = all_calls[i] - calls[i]
            agent.lead_here = float((resolved[i] - here[i]) / calls[i])
            agent.lead_elsewhere = (float((all_surplus[i] - (resolved[i] - here[i])) / other)
                                    if other else None)
        result[topic] = ranked
    _flag_specialists(result, data)
    return result


def _flag_specialists(ranked: dict[str, list[AgentOnTopic]], data: Dataset) -> None:
    """z = (lead here − lead elsewhere) / √(p(1 − p)(1/n_here + 1/n_elsewhere)), p the
    overall FCR; one-sided, Benjamini–Hochberg over the pairs with enough calls; flagged
    when significant and the difference is at least ``MIN_SPECIALIST_LEAD``."""
    p = float(data.fcr.mean()) if data.size else 0.5
    variance = max(p * (1 - p), 1e-6)
    other_calls = np.bincount(data.agent, minlength=len(data.agents))
    codes = {name: i for i, name in enumerate(data.agents)}
    pairs, p_values = [], []
    for agents in ranked.values():
        for agent in agents:
            other = int(other_calls[codes[agent.agent_id]]) - agent.n
            if (agent.n < MIN_CALLS_SPECIALIST or other < MIN_CALLS_SPECIALIST
                    or agent.lead_here is None or agent.lead_elsewhere is None):
                continue
            difference = agent.lead_here - agent.lead_elsewhere
            z = difference / np.sqrt(variance * (1 / agent.n + 1 / other))
            pairs.append((agent, difference))
            p_values.append(float(stats.norm.sf(z)))
    for (agent, difference), q in zip(pairs, benjamini_hochberg(p_values), strict=True):
        agent.specialist = bool(q < SPECIALIST_Q and difference >= MIN_SPECIALIST_LEAD)


def recommendations(data: Dataset, ranked: dict[str, list[AgentOnTopic]]
                    ) -> dict[str, dict[str, list[str]]]:
    """Per queue and topic, the best agents with enough calls (queue "*" = any)."""
    result: dict[str, dict[str, list[str]]] = {"*": {}}
    for topic, agents in ranked.items():
        result["*"][topic] = [a.agent_id for a in agents
                              if a.n >= MIN_CALLS_TO_RECOMMEND][:TOP]
    n_agents = len(data.agents)
    present = np.flatnonzero(np.bincount(data.queue, minlength=len(data.queues)))
    for queue_code in present.tolist():
        queue = data.queues[queue_code]
        in_queue = data.queue == queue_code
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
