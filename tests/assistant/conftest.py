"""A small hotline for the assistant: customer articles in several modules and internal
ones that must never reach a customer."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from seci.accounts import service as accounts
from seci.accounts.models import User
from seci.accounts.roles import Role
from seci.assistant.conversations import start_conversation
from seci.assistant.dialogue import Turn, send_customer_message
from seci.assistant.models import Conversation
from seci.knowledge.models import Article
from seci.retrieval.engine import SearchEngine
from tests.factories import PASSWORD, World, make_article

SECRET = "内部口径"  # appears only in internal articles
REDIS_URL = os.environ.get("SECI_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@dataclass
class Hotline:
    world: World
    articles: dict[str, Article]
    engine: SearchEngine

    def agent(self, name: str) -> User:
        return self.world[name]


def _add(db: Session, world: World, code: str, **fields: object) -> Article:
    return make_article(db, world, code=code, **fields)  # type: ignore[arg-type]


@pytest.fixture
def hotline(db: Session, world: World) -> Hotline:
    return build_hotline(db, world)


def build_hotline(db: Session, world: World) -> Hotline:
    """The articles (flushed, not committed) and a search engine over them."""
    queues = world.queue_ids("A", "A+", "B")
    articles = {
        "MY-KT": _add(db, world, "MY-KT", title="国际漫游开通与资费",
                      body="### 业务说明\n出国前发送 KTMY 到 10086 开通国际漫游。\n"
                           "### 资费标准\n日本、韩国通话每分钟0.99元。\n"
                           "### 话术参考\n“先生您好，我帮您查一下漫游状态。”",
                      similar_questions=["出国了手机还能用不", "国际漫游怎么开通",
                                         "去国外手机怎么打电话"],
                      tags=["漫游"], queue_ids=queues),
        "MY-LL": _add(db, world, "MY-LL", title="国际漫游流量包订购",
                      body="境外上网可订购漫游流量包：日韩1日包25元1GB，7日包98元6GB。",
                      similar_questions=["出国上网流量包多少钱", "国外流量包怎么买",
                                         "漫游流量包价格"],
                      tags=["漫游", "流量包"], queue_ids=queues),
        "ZF-LL": _add(db, world, "ZF-LL", title="国内流量包与加油包",
                      body="国内流量加油包10元5GB当月有效；月包30元20GB按月生效。",
                      similar_questions=["流量不够用了怎么办", "加油包多少钱",
                                         "流量包怎么办理"],
                      tags=["流量包"], queue_ids=queues),
        "ZW-CX": _add(db, world, "ZW-CX", title="话费余额与账单查询",
                      body="发送 YE 到 10086 查询话费余额，月账单次月3日前出账。",
                      similar_questions=["我还剩多少钱", "话费怎么查", "查一下账单"],
                      module_id=world.modules["账务"].id,
                      queue_ids=world.queue_ids("A", "话费专席")),
        "KD-GZ": _add(db, world, "KD-GZ", title="宽带故障报修",
                      body="先重启光猫，仍无法上网请提交报修工单，24小时内上门。",
                      similar_questions=["家里断网了怎么办", "宽带连不上", "网速特别慢"],
                      module_id=world.modules["宽带"].id, author="editor_home",
                      queue_ids=world.queue_ids("A", "数据专席")),
        # Internal: the same subjects, and words a customer might well type.
        "ZW-TF": _add(db, world, "ZW-TF", title="话费争议退费权限（坐席）",
                      body=f"{SECRET}：一线可退50元以内，超出报班长审批。",
                      similar_questions=["多扣的话费能退多少", "话费退费权限",
                                         "乱扣费退钱"],
                      module_id=world.modules["账务"].id, audience="internal",
                      queue_ids=world.queue_ids("话费专席")),
        "MY-JM": _add(db, world, "MY-JM", title="高额漫游费用减免规范",
                      body=f"{SECRET}：漫游费用超过500元可申请减免一次。",
                      similar_questions=["漫游费太高能减免吗", "国际漫游费用减免"],
                      audience="internal", queue_ids=world.queue_ids("A+")),
    }
    return Hotline(world, articles, SearchEngine())


def create_agent(db: Session, username: str, queues: list[str], world: World) -> User:
    user = accounts.create_user(db, username=username, password=PASSWORD,
                                display_name=username, roles=[Role.AGENT],
                                queue_ids=world.queue_ids(*queues))
    db.commit()
    return user


def new_conversation(db: Session, tier: str | None = None) -> Conversation:
    conversation = start_conversation(db, tier=tier).conversation
    db.commit()
    return conversation


def say(db: Session, hotline: Hotline, conversation: Conversation, text: str,
        client_key: str | None = None) -> Turn:
    turn = send_customer_message(db, engine=hotline.engine, conversation=conversation,
                                 text=text, client_key=client_key)
    db.commit()
    return turn


@pytest.fixture
def redis_url() -> str:
    """The local Redis (database 15), or the test is skipped with the reason."""
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception as error:
        pytest.skip(f"no Redis at {REDIS_URL} ({error}); CI has one on 127.0.0.1:6379")
    return REDIS_URL
