"""The agents: who they are, when they joined or left, how good they are, when they work.

Every agent has a latent skill (log-odds added to the chance of resolving a call), a soft skill
(the same for satisfaction) and a speed (handling-time factor). New agents start about 0.7
log-odds (≈ 12 points of FCR) below their long-run skill and close the gap over their first
months. General teams are dealt agents round-robin by tenure and skills are centred per team and
stage, so no team is better than another unless an effect says so.

Stage follows tenure on the roster's snapshot day (the period's last day, or the day an agent
left): under 180 days 新员工, under 540 days 成长期, then 成熟期.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

PREMIUM_TEAM: Final = "VIP组"
NEW_DAYS: Final = 180
GROWING_DAYS: Final = 540
LEARNING_GAP: Final = 0.7  # log-odds a brand-new agent is below their long-run skill
LEARNING_DAYS: Final = 150.0  # time constant of the learning curve
DEMO_LINKS: Final = (("A组", "agent", "张小云"), ("B组", "agent2", "刘晓峰"),
                     ("VIP组", "agent3", "何静"))

_SURNAMES: Final = ("王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙",
                    "马", "朱", "胡", "郭", "何", "罗", "郑", "梁", "谢", "唐", "许", "邓",
                    "冯", "曾", "彭", "蒋", "蔡", "余", "杜", "叶", "程", "魏", "谭", "廖",
                    "冉", "向", "秦", "任", "陶", "熊")
_GIVEN: Final = ("敏", "静", "丽", "婷", "雪", "娟", "芳", "燕", "霞", "玲", "倩", "颖", "佳",
                 "琳", "欣", "悦", "晨", "阳", "杰", "涛", "磊", "强", "伟", "鹏", "浩", "宇",
                 "思雨", "雨婷", "梦瑶", "欣怡", "佳怡", "诗琪", "晓燕", "海燕", "春梅",
                 "小红", "丽娟", "明辉", "志强", "俊杰", "建华", "文静", "小琴", "红梅",
                 "晓丽", "雪莲", "桂芳", "思琪", "家豪", "子涵", "一帆", "露", "洁", "莉")


@dataclass
class Agent:
    agent_id: str
    name: str
    team: str
    hired_on: date
    left_on: date | None
    username: str | None
    skill: float  # long-run log-odds offset on resolution
    soft_skill: float  # log-odds offset on satisfaction
    speed: float  # handling-time factor (1 = average)
    volume: float  # routing weight: 1 full-time, 0 only calls an effect gives them
    off_day: int  # the first of two consecutive days off, as ordinal % 7
    role: str = ""  # set by an effect that singles the agent out

    @property
    def premium(self) -> bool:
        return self.team == PREMIUM_TEAM

    def employed_on(self, day: date) -> bool:
        return self.hired_on <= day and (self.left_on is None or day < self.left_on)

    def works_on(self, day: date) -> bool:
        """Rostered that day (employed, not on a day off); absences are drawn per day."""
        rest = (day.toordinal() - self.off_day) % 7
        return self.employed_on(day) and rest > 1

    def tenure_days(self, day: date) -> int:
        return (day - self.hired_on).days

    def skill_on(self, day: date) -> float:
        """Log-odds offset on resolution that day, along the learning curve."""
        return self.skill - LEARNING_GAP * math.exp(-max(self.tenure_days(day), 0) / LEARNING_DAYS)

    def stage_on(self, day: date) -> str:
        return stage_for(self.tenure_days(day))

    def to_record(self, snapshot: date) -> dict[str, Any]:
        """The roster line as an HR export would give it, stage as of ``snapshot``."""
        as_of = min(snapshot, self.left_on) if self.left_on else snapshot
        return {"agent_id": self.agent_id, "name": self.name, "team": self.team,
                "hired_on": self.hired_on.isoformat(),
                "left_on": self.left_on.isoformat() if self.left_on else None,
                "stage": self.stage_on(as_of), "username": self.username}


def stage_for(tenure_days: int) -> str:
    if tenure_days < NEW_DAYS:
        return "新员工"
    if tenure_days < GROWING_DAYS:
        return "成长期"
    return "成熟期"


def _cohort(day: date) -> date:
    """Training classes start on the 1st or the 16th of a month."""
    return day.replace(day=1) if day.day < 16 else day.replace(day=16)


def _tenure_at_start(rnd: random.Random) -> int:
    roll = rnd.random()
    if roll < 0.14:
        return rnd.randrange(40, NEW_DAYS)
    if roll < 0.42:
        return rnd.randrange(NEW_DAYS, GROWING_DAYS)
    return GROWING_DAYS + int(rnd.expovariate(1 / 700))


def build_roster(rnd: random.Random, *, teams: tuple[tuple[str, int], ...], start: date,
                 end: date, joiners: int, leavers: int, demo_links: bool) -> list[Agent]:
    """Agents of all teams, sorted by work number (given in hiring order)."""
    names = _unique_names(rnd, sum(size for _, size in teams) + joiners)
    general = [name for name, _ in teams if name != PREMIUM_TEAM]
    agents: list[Agent] = []
    # Deal agents to the general teams by tenure, so each gets the same mix.
    n_general = sum(size for name, size in teams if name != PREMIUM_TEAM)
    tenures = sorted((_tenure_at_start(rnd) for _ in range(n_general)), reverse=True)
    slots = [name for name, size in teams if name != PREMIUM_TEAM for _ in range(size)]
    order = _deal(slots, general)
    for team, tenure in zip(order, tenures, strict=True):
        agents.append(_new_agent(rnd, names.pop(), team, _cohort(start - timedelta(tenure))))
    for name, size in teams:
        if name == PREMIUM_TEAM:
            for _ in range(size):
                # Premium seats need certification: nobody there is in their first year.
                tenure = GROWING_DAYS + int(rnd.expovariate(1 / 900))
                hired = _cohort(start - timedelta(tenure))
                agents.append(_new_agent(rnd, names.pop(), name, hired))
    span = (end - start).days
    if joiners and general:
        cohort = start + timedelta(days=int(span * 0.3))
        cohort -= timedelta(days=cohort.weekday())  # classes graduate onto the floor on Mondays
        for k in range(joiners):
            agents.append(_new_agent(rnd, names.pop(), general[k % len(general)], cohort))
    centre_skills(agents, start)
    _choose_leavers(rnd, agents, leavers, start, span)
    agents.sort(key=lambda a: (a.hired_on, a.team, a.name))
    for number, agent in enumerate(agents, start=1001):
        agent.agent_id = f"A{number}"
    if demo_links:
        _link_demo_users(agents, start)
    return agents


def _deal(slots: list[str], general: list[str]) -> list[str]:
    """Round-robin over teams while each still has places (teams may differ in size)."""
    left = {team: slots.count(team) for team in general}
    out: list[str] = []
    while len(out) < len(slots):
        for team in general:
            if left[team]:
                out.append(team)
                left[team] -= 1
    return out


def _new_agent(rnd: random.Random, name: str, team: str, hired_on: date) -> Agent:
    skill = rnd.gauss(0.0, 0.3)
    return Agent(agent_id="", name=name, team=team, hired_on=hired_on, left_on=None,
                 username=None, skill=skill, soft_skill=0.5 * skill + rnd.gauss(0.0, 0.25),
                 speed=math.exp(rnd.gauss(0.0, 0.1) - 0.1 * skill),
                 volume=0.6 if rnd.random() < 0.1 else 1.0, off_day=rnd.randrange(7))


def centre_skills(agents: list[Agent], start: date) -> None:
    """Within each team, each stage's skills average zero over the agents no effect singled
    out (those get exactly zero, the average): mature agents, who take most calls, are as
    good in one team as in another."""
    groups: dict[tuple[str, str], list[Agent]] = {}
    for a in agents:
        if a.role:
            a.skill = 0.0
        else:
            groups.setdefault((a.team, a.stage_on(max(start, a.hired_on))), []).append(a)
    for members in groups.values():
        # Weighted by routing volume: the team's calls, not its head count, average zero.
        weight = sum(a.volume for a in members) or 1.0
        mean = sum(a.skill * a.volume for a in members) / weight
        for a in members:
            a.skill -= mean


def _choose_leavers(rnd: random.Random, agents: list[Agent], leavers: int, start: date,
                    span: int) -> None:
    """Attrition is highest in the first year; leavers go after a third of the period."""
    young = [a for a in agents
             if not a.premium and 0 < (start - a.hired_on).days < GROWING_DAYS]
    rnd.shuffle(young)
    for agent in young[:leavers]:
        agent.left_on = start + timedelta(days=int(span * rnd.uniform(0.35, 0.85)))


def _link_demo_users(agents: list[Agent], start: date) -> None:
    """The demo's three agents are mature, staying members of their teams."""
    for team, username, name in DEMO_LINKS:
        for agent in agents:
            if (agent.team == team and agent.left_on is None and agent.username is None
                    and agent.tenure_days(start) >= GROWING_DAYS):
                agent.username, agent.name = username, name
                break


def _unique_names(rnd: random.Random, n: int) -> list[str]:
    seen: dict[str, None] = {}
    reserved = {name for _, _, name in DEMO_LINKS}
    while len(seen) < n:
        name = rnd.choice(_SURNAMES) + rnd.choice(_GIVEN)
        if name not in reserved:
            seen[name] = None
    return list(seen)
