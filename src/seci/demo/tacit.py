"""Demo of the tacit-knowledge pipeline: contributions in every step, a finished
evaluation with its figures, points, honours and a process problem."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.core.clock import today, utcnow
from seci.knowledge import articles as kb
from seci.tacit import evaluation as ev
from seci.tacit import honours, improvement, mining, promotion, screening
from seci.tacit.mining import ContributionInput
from seci.tacit.models import Contribution

SCORES = screening.Screening(category="method", timely=5, usable=4, accurate=5, generality=4)


def _submit(session: Session, users: dict[str, User], author: str, title: str, content: str,
            kind: str, source: str = "self", method_name: str | None = None,
            recorded_by: str | None = None, queues: tuple[int, ...] = ()) -> Contribution:
    return mining.submit_contribution(
        session, actor=users[recorded_by or author], author=users[author],
        data=ContributionInput(title=title, content=content, kind=kind, source=source,
                               method_name=method_name, queue_ids=list(queues)))


def _age(session: Session, contribution: Contribution, *days_ago: int) -> None:
    """Spread a contribution's history over past days (one value per event)."""
    now = utcnow()
    events = mining.history(session, contribution_id=contribution.id)
    for event, days in zip(events, days_ago, strict=False):
        event.at = now - timedelta(days=days)
    contribution.created_at = events[0].at
    contribution.status_since = events[-1].at


def _trial(session: Session, users: dict[str, User], contribution: Contribution,
           team: str) -> None:
    screening.start_trial(session, contribution_id=contribution.id, actor=users["reviewer"],
                          screening=SCORES, team=team, starts=today() - timedelta(days=40),
                          ends=today() - timedelta(days=10))


def _promote(session: Session, users: dict[str, User], contribution: Contribution,
             owner: str, publish: bool) -> None:
    article = promotion.promote(session, contribution_id=contribution.id,
                                actor=users["manager"], evaluation_owner_id=users[owner].id,
                                evaluation_due=today() + timedelta(days=30),
                                comparison_team="B组")
    if publish:
        kb.approve_article(session, article_id=article.id, actor=users["reviewer"],
                           comment="最佳实践")
        promotion.sync_promotions(session)


# (metric, team, phase, period, n, successes, mean, sd): a month before and after the trial
EVALUATED_FIGURES = (
    ("fcr", "trial", "before", "2026-08", 40000, 34080, None, None),
    ("fcr", "trial", "after", "2026-10", 40000, 34600, None, None),
    ("fcr", "comparison", "before", "2026-08", 40000, 33920, None, None),
    ("fcr", "comparison", "after", "2026-10", 40000, 34040, None, None),
    ("handling_time", "trial", "before", "2026-08", 4000, None, 312.0, 85.0),
    ("handling_time", "trial", "after", "2026-10", 4200, None, 298.0, 80.0),
)


def load_tacit_demo(session: Session, users: dict[str, User], queue_ids: dict[str, int]
                    ) -> None:
    """One contribution per state, so every column of the board has something."""
    a_queues = (queue_ids["A"], queue_ids["话费专席"])
    proven = _submit(
        session, users, "agent", "投诉工单拦截四步曲",
        "1. **查**：接起电话先查近30天工单与投诉记录\n2. **认**：复述客户诉求，先认可感受\n"
        "3. **解**：能当场解决的当场办结，不能的给出明确时限\n4. **回**：48小时内主动回访确认",
        "method", source="interview", method_name="雪豹小组工单拦截四步曲",
        recorded_by="supervisor", queues=a_queues)
    _trial(session, users, proven, "A组")
    _promote(session, users, proven, "analyst", publish=True)
    ev.save_figures(session, contribution_id=proven.id, actor=users["analyst"], rows=[
        ev.FigureInput(metric=m, team_role=t, phase=p, period=period, n=n, successes=s,
                       mean=mean, sd=sd)
        for m, t, p, period, n, s, mean, sd in EVALUATED_FIGURES])
    ev.close_evaluation(session, contribution_id=proven.id, actor=users["analyst"],
                        verdict="effective",
                        conclusion="一次解决率较对照班组多提升1个百分点且显著，处理时长缩短14秒。")
    _age(session, proven, 75, 68, 35, 31, 3, 2)

    evaluating = _submit(
        session, users, "agent3", "VIP客户漫游前主动提醒话术",
        "出行前一周短信+外呼提醒开通国际漫游，话术：“X先生您好，看到您近期有出境行程……”",
        "script", source="data_mining", queues=(queue_ids["VIP"], queue_ids["全球通"]))
    _trial(session, users, evaluating, "VIP组")
    _promote(session, users, evaluating, "supervisor", publish=True)
    _age(session, evaluating, 50, 44, 20, 16)

    in_review = _submit(
        session, users, "agent2", "流量超套客户三句话解释法",
        "第一句讲清超出多少，第二句讲清怎么计费，第三句推荐合适的流量包。", "method",
        source="sharing", method_name="刘晓峰三句话解释法", queues=(queue_ids["B"],))
    _trial(session, users, in_review, "B组")
    _promote(session, users, in_review, "analyst", publish=False)
    _age(session, in_review, 30, 25, 2)

    trial = _submit(session, users, "agent", "停机保号业务一次讲清",
                    "先确认号码状态，再说明保号费用与恢复方式，最后提醒积分清零规则。",
                    "experience", source="coaching", recorded_by="trainer", queues=a_queues)
    _trial(session, users, trial, "A组")
    _age(session, trial, 21, 18)

    routed = _submit(session, users, "agent2", "宽带预约系统应支持改约",
                     "客户改约只能撤单重下，建议系统增加“改约”按钮。", "experience",
                     source="brainstorm")
    screening.route_to_department(
        session, contribution_id=routed.id, actor=users["reviewer"],
        screening=screening.Screening("department", 4, 4, 5, 3), department="IT支撑部",
        due=today() + timedelta(days=7))
    screening.follow_up(session, contribution_id=routed.id, actor=users["reviewer"],
                        note="已邮件催办，IT支撑部回复排期中")
    _age(session, routed, 26, 20, 5)

    rejected = _submit(session, users, "agent3", "遇到投诉先转班长", "所有投诉都转给班长处理。",
                       "experience")
    screening.reject(session, contribution_id=rejected.id, actor=users["reviewer"],
                     screening=screening.Screening("experience", 2, 2, 3, 2),
                     reason="与首问负责制冲突，请参考“投诉处理规范”")
    _age(session, rejected, 12, 9)

    waiting = _submit(session, users, "agent", "携号转网挽留先问原因",
                      "先问清转网原因（资费/信号/服务），针对原因给方案，不急于推套餐。",
                      "case", queues=a_queues)
    _age(session, waiting, 19)
    _submit(session, users, "agent2", "5G套餐升级常见疑问解答",
            "问：升级后原合约怎么办？答：合约期内可升不可降……", "question")

    _honours(session, users, proven)
    improvement.raise_issue(session, step="screening", actor=users["agent"],
                            description="提交后一周多还没人筛选，能否每周固定时间筛选？")


def _honours(session: Session, users: dict[str, User], proven: Contribution) -> None:
    month = today().strftime("%Y-%m")
    for data in (
        honours.HonourInput(kind="benchmark", title="标杆员工", user_id=users["agent"].id,
                            contribution_id=proven.id, period=month,
                            citation="总结“雪豹小组工单拦截四步曲”，试行班组一次解决率显著提升。"),
        honours.HonourInput(kind="red_flag", title="流动红旗", team="A组", period=month,
                            citation="本月工单拦截率与一次解决率双第一。"),
        honours.HonourInput(kind="title", title="敬业大使", user_id=users["agent3"].id,
                            period=month, citation="主动挖掘VIP客户出行提醒话术。"),
    ):
        honours.award_honour(session, actor=users["manager"], data=data)
