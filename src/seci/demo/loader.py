"""Demo data: a telecom hotline's knowledge base, users for every role, the eight queues.

Loading is idempotent: when the demo users exist, nothing is added again, so running the
demo twice keeps whatever was changed in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts import service as accounts
from seci.accounts.models import User
from seci.accounts.roles import Role
from seci.demo.calls import load_calls_demo
from seci.demo.certification import load_certification_demo
from seci.demo.competency import load_competency_demo
from seci.demo.exams import load_exam_demo
from seci.demo.quality import load_quality_demo
from seci.demo.tacit import load_tacit_demo
from seci.demo.training import load_training_demo
from seci.demo.workflows import load_workflows
from seci.knowledge import articles as kb
from seci.knowledge import feedback, push
from seci.knowledge.importing import import_articles
from seci.knowledge.models import Article
from seci.knowledge.modules import find_by_path, get_module
from seci.knowledge.validation import ArticleFields

DEMO_PASSWORD = "demo-10086"  # noqa: S105 - published demo logins, printed at start-up


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    roles: tuple[Role, ...]
    queues: tuple[str, ...] = ()
    modules: tuple[str, ...] = ()
    all_modules: bool = False
    team: str | None = None


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", "系统管理员", (Role.ADMIN,), all_modules=True),
    DemoUser("manager", "王经理", (Role.MANAGER,), all_modules=True),
    DemoUser("editor", "李编辑", (Role.EDITOR,), modules=("个人业务",)),
    DemoUser("editor2", "陈编辑", (Role.EDITOR,), modules=("家庭业务", "终端", "服务规范")),
    DemoUser("reviewer", "赵质检", (Role.REVIEWER,), all_modules=True),
    DemoUser("supervisor", "周班长", (Role.SUPERVISOR,), queues=("A", "A+", "话费专席"),
             team="A组"),
    DemoUser("trainer", "吴培训", (Role.TRAINER,)),
    DemoUser("analyst", "孙分析", (Role.ANALYST,)),
    DemoUser("agent", "张小云", (Role.AGENT,), queues=("A", "话费专席"), team="A组"),
    DemoUser("agent2", "刘晓峰", (Role.AGENT,), queues=("B", "数据专席"), team="B组"),
    DemoUser("agent3", "何静", (Role.AGENT,), queues=("VIP", "全球通", "投诉专席"),
             team="VIP组"),
)


def demo_loaded(session: Session) -> bool:
    return session.scalar(select(User.id).where(User.username == "manager")) is not None


def load_demo(session: Session) -> bool:
    """Load everything once; returns False when the demo data was already there."""
    accounts.seed_queues(session)
    if demo_loaded(session):
        return False
    manager = _create_user(session, DEMO_USERS[1], {})
    data = (resources.files("seci.demo") / "articles.jsonl").read_bytes()
    import_articles(session, data=data, filename="articles.jsonl", actor=manager,
                    max_bytes=len(data) + 1)
    queues = {q.code: q.id for q in accounts.list_queues(session)}
    users = {"manager": manager}
    for spec in DEMO_USERS:
        if spec.username != "manager":
            users[spec.username] = _create_user(session, spec, queues)
    _assign_owners(session, users)
    _scenario(session, users)
    load_workflows(session, users, queues)
    load_tacit_demo(session, users, queues)
    load_calls_demo(session, manager=manager)
    load_quality_demo(session, users)
    load_training_demo(session, users, load_competency_demo(session, users))
    formal = load_exam_demo(session, users, DEMO_PASSWORD)
    load_certification_demo(session, users, formal)
    return True


def _create_user(session: Session, spec: DemoUser, queues: dict[str, int]) -> User:
    module_ids = []
    for path in spec.modules:
        module = find_by_path(session, path=path)
        if module is not None:
            module_ids.append(module.id)
    return accounts.create_user(
        session, username=spec.username, password=DEMO_PASSWORD,
        display_name=spec.display_name, roles=spec.roles,
        queue_ids=[queues[q] for q in spec.queues], module_ids=module_ids,
        all_modules=spec.all_modules, team=spec.team,
    )


def _assign_owners(session: Session, users: dict[str, User]) -> None:
    personal = find_by_path(session, path="个人业务")
    for article in session.scalars(select(Article).order_by(Article.code)):
        module_path = article.live_version.module_id if article.live_version else None
        in_personal = personal is not None and module_path is not None and _under(
            session, module_path, personal.path)
        owner = users["editor"] if in_personal else users["editor2"]
        kb.set_owner(session, article_id=article.id, owner_id=owner.id, actor=users["manager"])


def _under(session: Session, module_id: int, path: str) -> bool:
    return get_module(session, module_id=module_id).path.startswith(path)


def _scenario(session: Session, users: dict[str, User]) -> None:
    """A week in the life: a revision published, one waiting for review, agent feedback."""
    editor, reviewer, agent = users["editor"], users["reviewer"], users["agent"]
    billing = kb.get_article_by_code(session, code="KB-ZW-001")
    fields = _fields_of(billing)
    fields.body += (
        "\n\n### 补充说明\n- 账单中“其他费用”包含国际及港澳台通话费，可在APP账单详情中查看明细。"
    )
    fields.similar_questions = [*fields.similar_questions, "账单里其他费用是啥"]
    kb.update_article(session, article_id=billing.id, fields=fields,
                      expected_lock_version=billing.lock_version, actor=editor)
    kb.submit_article(session, article_id=billing.id, actor=editor)
    kb.approve_article(session, article_id=billing.id, actor=reviewer,
                       comment="补充账单明细说明")

    personal = find_by_path(session, path="个人业务/增值业务")
    assert personal is not None
    draft = kb.create_article(
        session, actor=editor, code="KB-ZZ-101",
        fields=ArticleFields(
            title="5G消息业务介绍与开通",
            body="### 业务说明\n5G消息是基于富媒体的新一代短信业务（演示数据）。\n\n"
                 "### 办理方式\n- 中国移动APP搜索“5G消息”\n- 发送短信 KT5GXX 到 10086（演示指令）",
            module_id=personal.id,
            queue_ids=[q.id for q in accounts.list_queues(session) if q.code in {"A", "B"}],
            tags=["5G消息", "增值业务"],
            similar_questions=["5G消息是啥", "短信能发视频吗"],
        ),
    )
    kb.submit_article(session, article_id=draft.id, actor=editor)

    package = kb.get_article_by_code(session, code="KB-ZF-001")
    feedback.flag_article(session, article_id=package.id, user=agent, kind="outdated",
                          comment="客户反映套餐外流量单价已调整，文中仍是旧价格，请核实。")
    items = push.new_knowledge(session, user=agent, days=3650)
    for item in items[:3]:
        push.acknowledge(session, user=agent, version_id=item.version.id)


def _fields_of(article: Article) -> ArticleFields:
    return ArticleFields(
        title=article.title, body=article.body, module_id=article.module_id,
        customer_answer=article.customer_answer,
        queue_ids=list(article.queue_ids), tags=list(article.tags),
        similar_questions=list(article.similar_questions), audience=article.audience,
        valid_from=article.valid_from, valid_to=article.valid_to,
    )
