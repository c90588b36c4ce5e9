"""Demo suggestions in every state and a post-linkage chain run end to end, so a new user
finds a living centre. Dates are moved into the past where a story needs history (an
overdue suggestion, last month's figures, a late step)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.core.clock import today, utcnow
from seci.knowledge import articles as kb
from seci.knowledge.modules import find_by_path
from seci.linkage import coverage, flags, notices, quiz
from seci.linkage.models import Post
from seci.suggestions import service as box


def load_workflows(session: Session, users: dict[str, User], queues: dict[str, int]) -> None:
    _suggestions(session, users)
    _linkage_chain(session, users, queues)
    _linkage_in_progress(session, users, queues)


def _suggest(session: Session, author: User, title: str, body: str, category: str,
             anonymous: bool = False, days_ago: int = 0) -> int:
    suggestion = box.submit_suggestion(session, author=author, title=title, body=body,
                                       category=category, anonymous=anonymous)
    if days_ago:
        suggestion.submitted_at = utcnow() - timedelta(days=days_ago)
        suggestion.due_on = suggestion.due_on - timedelta(days=days_ago)
    session.flush()
    return suggestion.id


def _answer(session: Session, suggestion_id: int, actor: User, adopt: bool, reason: str,
            days_after: int) -> None:
    answered = box.answer_suggestion(session, suggestion_id=suggestion_id, actor=actor,
                                     adopt=adopt, reason=reason)
    answered.answered_at = answered.submitted_at + timedelta(days=days_after)
    session.flush()


def _suggestions(session: Session, users: dict[str, User]) -> None:
    agent, agent2, agent3 = users["agent"], users["agent2"], users["agent3"]
    manager, supervisor = users["manager"], users["supervisor"]
    rewarded = _suggest(session, agent, "话费查询语音菜单合并为一级",
                        "客户查话费要经过三级菜单，平均多花40秒。建议把“话费查询”放到一级菜单。",
                        "process", days_ago=40)
    _answer(session, rewarded, manager, True, "采纳。已协调IVR组，下月起一级菜单可直接查话费。",
            days_after=3)
    box.reward_suggestion(session, suggestion_id=rewarded, actor=manager, bonus_yuan=200,
                          red_flower=True, citation="月度金点子：一年可为客户节省约2万小时等待")
    adopted = _suggest(session, agent2, "流量超套提醒话术加入“流量日包”推荐",
                       "客户来电问超套扣费时，顺带推荐日包可减少二次来电。", "product",
                       days_ago=12)
    _answer(session, adopted, manager, True, "采纳，话术组本周更新。", days_after=2)
    declined = _suggest(session, agent3, "VIP客户来电自动跳过满意度回访",
                        "VIP客户反感每次都被回访。", "process", days_ago=20)
    _answer(session, declined, manager, False,
            "回访是集团考核要求，暂不能取消；已改为每月最多一次。", days_after=6)
    _suggest(session, agent, "班前会改为15分钟站会", "现在班前会30分钟，内容重复。",
             "management", anonymous=True, days_ago=20)  # overdue: operations' 14 days passed
    _suggest(session, agent2, "知识库搜索结果显示生效日期", "新旧资费并存时容易看错。",
             "system", anonymous=True)
    withdrawn = _suggest(session, agent3, "投诉专席增加夜班", "夜间投诉量上升。", "management")
    box.withdraw_suggestion(session, suggestion_id=withdrawn, actor=agent3)
    _suggest(session, supervisor, "质检抽样按通话时长分层", "长通话问题更多，应多抽。",
             "process", days_ago=2)


NOTICE_BODY = (
    "自下月1日起推出“5G畅享58元套餐”：月费58元，含国内通用流量30GB、国内通话300分钟；"
    "套餐外流量3元/GB。老客户可通过中国移动APP或发送短信 BL58 到 10086 办理（演示数据）。"
)


def _linkage_chain(session: Session, users: dict[str, User], queues: dict[str, int]) -> None:
    """Notice → drafts → review → release → quiz → acknowledgement → quality's call flag."""
    manager, reviewer, trainer = users["manager"], users["reviewer"], users["trainer"]
    agent, supervisor = users["agent"], users["supervisor"]
    module = find_by_path(session, path="个人业务/资费套餐")
    assert module is not None
    notice = notices.create_notice(
        session, actor=manager, title="关于推出5G畅享58元套餐的业务通告", body=NOTICE_BODY,
        reference="渝移客〔2026〕58号", module_id=module.id,
        queue_ids=[queues["A"], queues["话费专席"]])
    article = notices.draft_article(
        session, notice_id=notice.id, actor=manager, title="5G畅享58元套餐资费与办理",
        body="### 资费\n- 月费58元，含国内通用流量30GB、国内通话300分钟\n- 套餐外流量3元/GB\n\n"
             "### 办理\n中国移动APP，或发送短信 BL58 到 10086（演示指令）。")
    notices.submit_drafts(session, notice_id=notice.id, actor=manager)
    kb.approve_article(session, article_id=article.id, actor=reviewer, comment="资费核对无误")
    notices.release_notice(session, notice_id=notice.id, actor=manager)
    quiz.set_quiz(session, notice_id=notice.id, actor=trainer, intro="重点：月费、流量、办理指令。",
                  questions=[
                      quiz.QuestionSpec("5G畅享套餐月费多少？", ["38元", "58元", "88元"], 1),
                      quiz.QuestionSpec("套餐外流量如何计费？", ["3元/GB", "5元/GB", "不限量"], 0),
                  ])
    coverage.acknowledge_notice(session, notice_id=notice.id, user=agent)
    quiz.take_quiz(session, notice_id=notice.id, user=agent, answers=[1, 0])
    coverage.confirm_team(session, notice_id=notice.id, actor=supervisor, note="班前会已讲解")
    flags.flag_wrong_answer(session, notice_id=notice.id, article_id=article.id, actor=reviewer,
                            call_ref="REC-20261120-0137",
                            comment="坐席把套餐外流量答成5元/GB，知识中应加粗提示3元/GB。",
                            agent_id=agent.id)


def _linkage_in_progress(session: Session, users: dict[str, User], queues: dict[str, int]
                         ) -> None:
    """A second notice still at quality's post, with its first deadline missed."""
    manager = users["manager"]
    module = find_by_path(session, path="个人业务/国际漫游")
    assert module is not None
    yesterday = today() - timedelta(days=1)
    notice = notices.create_notice(
        session, actor=manager, title="国际漫游日套餐资费下调通告", reference="渝移客〔2026〕61号",
        body="自即日起，热门国家和地区漫游日套餐由30元/天调整为25元/天（演示数据）。",
        module_id=module.id, queue_ids=[queues["A"], queues["VIP"], queues["全球通"]],
        due={Post.BUSINESS: yesterday - timedelta(days=1), Post.QUALITY: yesterday})
    notices.draft_article(session, notice_id=notice.id, actor=manager,
                          title="国际漫游日套餐25元/天说明",
                          body="### 资费\n热门国家和地区25元/天（演示数据）。")
    notices.submit_drafts(session, notice_id=notice.id, actor=manager)
