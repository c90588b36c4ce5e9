"""Roles of a hotline and what each may do.

Permissions are checked on the server for every route; the table below is the single source.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    AGENT = "agent"  # 客服代表
    EDITOR = "editor"  # 知识编辑
    REVIEWER = "reviewer"  # 审核 / 品质管理
    MANAGER = "manager"  # 业务管理: publishes and retires
    SUPERVISOR = "supervisor"  # 班组长 / 督导
    TRAINER = "trainer"  # 培训
    ANALYST = "analyst"  # 数据分析
    ADMIN = "admin"  # 系统管理员


class Perm(StrEnum):
    KB_READ = "kb.read"  # published, valid knowledge of one's own queues
    KB_READ_ALL_QUEUES = "kb.read_all_queues"  # published knowledge of every queue
    KB_SEE_EXPIRED = "kb.see_expired"  # expired, scheduled and retired articles
    ARTICLE_EDIT = "article.edit"  # create, edit and submit drafts in one's modules
    ARTICLE_REVIEW = "article.review"  # approve (publish) or reject others' submissions
    ARTICLE_RETIRE = "article.retire"
    ARTICLE_ROLLBACK = "article.rollback"
    MODULE_MANAGE = "module.manage"
    QUEUE_MANAGE = "queue.manage"
    KB_IMPORT = "kb.import"
    KB_EXPORT = "kb.export"
    FEEDBACK_CREATE = "feedback.create"
    ACK_COVERAGE = "ack.coverage"  # who has not read new knowledge
    AUDIT_VIEW = "audit.view"
    USER_MANAGE = "user.manage"
    SEARCH_INSIGHTS = "search.insights"  # top queries and knowledge gaps
    SYNONYMS_MANAGE = "synonyms.manage"  # the search synonym table
    ASSISTANT_HANDLE = "assistant.handle"  # take hand-offs and call-backs of one's queues
    ASSISTANT_CONFIGURE = "assistant.configure"  # hand-off rules, queue opening hours
    # Start conversations for identified customers (tier, customer id): channel systems
    # such as the app backend, with an API token of an account holding this right.
    ASSISTANT_CHANNEL = "assistant.channel"
    # The tacit-knowledge pipeline (docs/tacit.md). Everybody may submit a contribution,
    # read the board, the honour wall and the leaderboard, and raise a process issue.
    TACIT_CONTRIBUTE = "tacit.contribute"
    TACIT_RECORD_FOR = "tacit.record_for"  # record a contribution on an agent's behalf
    TACIT_SCREEN = "tacit.screen"  # classify, score, reject / merge / route / trial
    TACIT_PROMOTE = "tacit.promote"  # turn a trialled contribution into a best practice
    TACIT_EVALUATE = "tacit.evaluate"  # own an evaluation, enter its figures
    TACIT_MANAGE = "tacit.manage"  # points table, honours, manual points, process issues


_STAFF_READ = {Perm.KB_READ, Perm.KB_READ_ALL_QUEUES, Perm.FEEDBACK_CREATE,
               Perm.TACIT_CONTRIBUTE}

ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.AGENT: frozenset({Perm.KB_READ, Perm.FEEDBACK_CREATE, Perm.ASSISTANT_HANDLE,
                           Perm.TACIT_CONTRIBUTE}),
    Role.EDITOR: frozenset(
        _STAFF_READ
        | {Perm.KB_SEE_EXPIRED, Perm.ARTICLE_EDIT, Perm.KB_EXPORT, Perm.SEARCH_INSIGHTS,
           Perm.TACIT_PROMOTE}
    ),
    Role.REVIEWER: frozenset(
        _STAFF_READ
        | {Perm.KB_SEE_EXPIRED, Perm.ARTICLE_REVIEW, Perm.AUDIT_VIEW, Perm.SEARCH_INSIGHTS,
           Perm.TACIT_SCREEN}
    ),
    Role.MANAGER: frozenset(
        _STAFF_READ
        | {
            Perm.KB_SEE_EXPIRED,
            Perm.ARTICLE_EDIT,
            Perm.ARTICLE_REVIEW,
            Perm.ARTICLE_RETIRE,
            Perm.ARTICLE_ROLLBACK,
            Perm.MODULE_MANAGE,
            Perm.KB_IMPORT,
            Perm.KB_EXPORT,
            Perm.ACK_COVERAGE,
            Perm.AUDIT_VIEW,
            Perm.SEARCH_INSIGHTS,
            Perm.SYNONYMS_MANAGE,
            Perm.ASSISTANT_CONFIGURE,
            Perm.TACIT_RECORD_FOR,
            Perm.TACIT_SCREEN,
            Perm.TACIT_PROMOTE,
            Perm.TACIT_EVALUATE,
            Perm.TACIT_MANAGE,
        }
    ),
    Role.SUPERVISOR: frozenset(
        _STAFF_READ
        | {Perm.ACK_COVERAGE, Perm.ASSISTANT_HANDLE, Perm.TACIT_RECORD_FOR,
           Perm.TACIT_EVALUATE}
    ),
    Role.TRAINER: frozenset(_STAFF_READ | {Perm.ACK_COVERAGE, Perm.TACIT_RECORD_FOR}),
    Role.ANALYST: frozenset(
        _STAFF_READ | {Perm.KB_EXPORT, Perm.SEARCH_INSIGHTS, Perm.TACIT_EVALUATE}
    ),
    Role.ADMIN: frozenset(
        _STAFF_READ
        | {
            Perm.KB_SEE_EXPIRED,
            Perm.MODULE_MANAGE,
            Perm.QUEUE_MANAGE,
            Perm.KB_IMPORT,
            Perm.KB_EXPORT,
            Perm.AUDIT_VIEW,
            Perm.USER_MANAGE,
            Perm.SYNONYMS_MANAGE,
            Perm.ASSISTANT_CONFIGURE,
            Perm.ASSISTANT_CHANNEL,
            Perm.TACIT_MANAGE,
        }
    ),
}

# Roles whose module access decides which drafts they may see and work on.
MODULE_SCOPED_ROLES = frozenset({Role.EDITOR, Role.REVIEWER, Role.MANAGER})


def permissions_for(roles: set[Role] | frozenset[Role]) -> frozenset[Perm]:
    granted: set[Perm] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
    return frozenset(granted)
