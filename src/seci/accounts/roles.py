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
    # Suggestions (金点子)
    SUGGESTION_SUBMIT = "suggestion.submit"  # every employee
    SUGGESTION_ANSWER = "suggestion.answer"  # adopt or decline those routed to one's department
    SUGGESTION_REWARD = "suggestion.reward"  # 花红 bonus and 红花 honour for adopted ones
    SUGGESTION_STATS = "suggestion.stats"  # every suggestion (authors hidden), statistics
    SUGGESTION_SEE_AUTHOR = "suggestion.see_author"  # who wrote an anonymous suggestion
    SUGGESTION_CONFIGURE = "suggestion.configure"  # categories: department and deadline
    # Post linkage (岗位联动)
    NOTICE_VIEW = "notice.view"  # the tracker: every notice and its chain
    NOTICE_MANAGE = "notice.manage"  # enter notices, draft their articles, release them
    QUIZ_MANAGE = "quiz.manage"  # attach a quiz to a notice
    QUIZ_TAKE = "quiz.take"  # acknowledge a notice's articles and take its quiz
    NOTICE_TEAM_CHECK = "notice.team_check"  # a supervisor confirms their team is ready
    CALL_FLAG = "notice.call_flag"  # quality flags a wrong answer heard in a call
    # The tacit-knowledge pipeline (docs/tacit.md). Everybody may submit a contribution,
    # read the board, the honour wall and the leaderboard, and raise a process issue.
    TACIT_CONTRIBUTE = "tacit.contribute"
    TACIT_RECORD_FOR = "tacit.record_for"  # record a contribution on an agent's behalf
    TACIT_SCREEN = "tacit.screen"  # classify, score, reject / merge / route / trial
    TACIT_PROMOTE = "tacit.promote"  # turn a trialled contribution into a best practice
    TACIT_EVALUATE = "tacit.evaluate"  # own an evaluation, enter its figures
    TACIT_MANAGE = "tacit.manage"  # points table, honours, manual points, process issues
    # Call records, KPIs and quality inspection (docs/calls.md). Agents always see their
    # own calls and numbers (through the roster's link to their login).
    CALLS_IMPORT = "calls.import"  # import call records, transcripts and the roster
    CALLS_ANALYZE = "calls.analyze"  # every call, transcript and KPI of the centre
    CALLS_TEAM = "calls.team"  # the calls, transcripts and KPIs of one's own team
    CALLS_CONFIGURE = "calls.configure"  # over-long thresholds per topic
    QA_INSPECT = "qa.inspect"  # draw QA samples, score calls (质检)
    QA_MANAGE = "qa.manage"  # scorecards; decide agents' appeals
    # Competency assessment (docs/people.md). Everybody fills in the forms they are given
    # and sees their own results once a round is closed.
    COMPETENCY_MODEL = "competency.model"  # edit competency models, make one from the template
    # Open and close rounds, completion, reminders, results, figures, profiles: any team;
    # a team lead (calls.team) only their own team.
    COMPETENCY_ASSESS = "competency.assess"
    # Exams and certification (技能鉴定, docs/people.md): the question bank (write, import,
    # generate from articles, review), exams, everyone's results and the item analysis.
    EXAM_MANAGE = "exam.manage"
    EXAM_TAKE = "exam.take"  # take exams (我的考试), see one's own results
    # Certification per queue and growth stages: a queue's requirements, the stage rules,
    # granting a certification whatever the rules say (with a reason) and revoking one.
    CERT_MANAGE = "cert.manage"


_STAFF_READ = {Perm.KB_READ, Perm.KB_READ_ALL_QUEUES, Perm.FEEDBACK_CREATE,
               Perm.SUGGESTION_SUBMIT, Perm.TACIT_CONTRIBUTE}
# Staff who follow the post-linkage tracker.
_TRACKER = {Perm.NOTICE_VIEW}

ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.AGENT: frozenset({Perm.KB_READ, Perm.FEEDBACK_CREATE, Perm.ASSISTANT_HANDLE,
                           Perm.SUGGESTION_SUBMIT, Perm.QUIZ_TAKE, Perm.TACIT_CONTRIBUTE,
                           Perm.EXAM_TAKE}),
    Role.EDITOR: frozenset(
        _STAFF_READ | _TRACKER
        | {Perm.KB_SEE_EXPIRED, Perm.ARTICLE_EDIT, Perm.KB_EXPORT, Perm.SEARCH_INSIGHTS,
           Perm.TACIT_PROMOTE}
    ),
    Role.REVIEWER: frozenset(
        _STAFF_READ | _TRACKER
        | {Perm.KB_SEE_EXPIRED, Perm.ARTICLE_REVIEW, Perm.AUDIT_VIEW, Perm.SEARCH_INSIGHTS,
           Perm.SUGGESTION_ANSWER, Perm.CALL_FLAG, Perm.TACIT_SCREEN, Perm.CALLS_ANALYZE,
           Perm.QA_INSPECT, Perm.QA_MANAGE}
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
            Perm.SUGGESTION_ANSWER,
            Perm.SUGGESTION_REWARD,
            Perm.SUGGESTION_STATS,
            Perm.SUGGESTION_CONFIGURE,
            Perm.NOTICE_VIEW,
            Perm.NOTICE_MANAGE,
            Perm.TACIT_RECORD_FOR,
            Perm.TACIT_SCREEN,
            Perm.TACIT_PROMOTE,
            Perm.TACIT_EVALUATE,
            Perm.TACIT_MANAGE,
            Perm.CALLS_IMPORT,
            Perm.CALLS_ANALYZE,
            Perm.CALLS_CONFIGURE,
            Perm.QA_INSPECT,
            Perm.QA_MANAGE,
            Perm.COMPETENCY_MODEL,
            Perm.COMPETENCY_ASSESS,
            Perm.EXAM_MANAGE,
            Perm.CERT_MANAGE,
        }
    ),
    Role.SUPERVISOR: frozenset(
        _STAFF_READ | _TRACKER
        | {Perm.ACK_COVERAGE, Perm.ASSISTANT_HANDLE, Perm.SUGGESTION_ANSWER,
           Perm.SUGGESTION_STATS, Perm.NOTICE_TEAM_CHECK, Perm.TACIT_RECORD_FOR,
           Perm.TACIT_EVALUATE, Perm.CALLS_TEAM, Perm.COMPETENCY_ASSESS, Perm.EXAM_TAKE}
    ),
    Role.TRAINER: frozenset(
        _STAFF_READ | _TRACKER
        | {Perm.ACK_COVERAGE, Perm.SUGGESTION_ANSWER, Perm.QUIZ_MANAGE, Perm.TACIT_RECORD_FOR,
           Perm.COMPETENCY_MODEL, Perm.COMPETENCY_ASSESS, Perm.EXAM_MANAGE}
    ),
    Role.ANALYST: frozenset(
        _STAFF_READ | _TRACKER
        | {Perm.KB_EXPORT, Perm.SEARCH_INSIGHTS, Perm.SUGGESTION_STATS, Perm.TACIT_EVALUATE,
           Perm.CALLS_IMPORT, Perm.CALLS_ANALYZE, Perm.CALLS_CONFIGURE,
           # golden scripts mined from calls become contributions credited to the agents
           Perm.TACIT_RECORD_FOR}
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
            Perm.SUGGESTION_ANSWER,
            Perm.SUGGESTION_STATS,
            Perm.SUGGESTION_SEE_AUTHOR,
            Perm.SUGGESTION_CONFIGURE,
            Perm.NOTICE_VIEW,
            Perm.TACIT_MANAGE,
            Perm.CALLS_IMPORT,
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
