"""Upgrading keeps the data: a database made at an earlier migration, filled with rows
written in SQL as that schema had them, is upgraded to head and every row is still there.

Each fixture is keyed by the revision it was written for and fills the tables the next
migrations touch. A new migration needs a fixture at the revision before it (the test
``test_the_previous_head_has_a_fixture`` says so): the upgrade a site runs in production
is then the one tested here, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, DateTime, Engine, text
from sqlalchemy.exc import DBAPIError

from seci.core import migrate
from seci.core.db import build_engine
from seci.ops.backup import _scripts, code_heads, current_revision
from tests.conftest import _test_database_url, create_database

CALL = {"agent_id": "A001", "team": "一班", "queue": "A", "started_at": datetime(2026, 11, 2, 9, 5),
        "day": date(2026, 11, 2), "week": date(2026, 11, 2), "month": date(2026, 11, 1),
        "hour": 9, "duration_s": 312, "region": "杭州", "product": "国际漫游", "channel": "voice",
        "fcr": True, "satisfaction": 5, "complaint": False, "complaint_category": None,
        "repeat_7d": False, "turn_count": 14, "job_id": None,
        "updated_at": datetime(2026, 11, 2, 10, 0)}


def _calls_and_features_at_0011(connection: Connection) -> None:
    """0012 rebuilt mining_call_features (batch: a table copy on SQLite) to add columns."""
    for number, call_id in enumerate(("C-0001", "C-0002"), 1):
        connection.execute(text(
            "INSERT INTO calls (id, call_id, agent_id, team, queue, started_at, day, week, "
            "month, hour, duration_s, region, product, channel, fcr, satisfaction, complaint, "
            "complaint_category, repeat_7d, turn_count, job_id, updated_at) VALUES (:id, "
            ":call_id, :agent_id, :team, :queue, :started_at, :day, :week, :month, :hour, "
            ":duration_s, :region, :product, :channel, :fcr, :satisfaction, :complaint, "
            ":complaint_category, :repeat_7d, :turn_count, :job_id, :updated_at)"),
            {**CALL, "id": number, "call_id": call_id})
        connection.execute(text(
            "INSERT INTO mining_call_features (call_id, version, agent_clauses, "
            "agent_positions, customer_words, flags, question) VALUES (:call_id, 3, "
            ":clauses, :positions, :words, :flags, :question)"),
            {"call_id": call_id, "clauses": b"\x01\x02\x03", "positions": b"\x00\x10",
             "words": "出国 漫游 开通".encode(), "flags": number,
             "question": "出国了手机还能用不"})


def _check_calls_and_features(connection: Connection) -> None:
    rows = connection.execute(text(
        "SELECT call_id, version, agent_clauses, customer_words, flags, question, "
        "spoken_chars, agent_silences, extracted_at FROM mining_call_features "
        "ORDER BY call_id")).all()
    assert [tuple(r) for r in rows] == [
        ("C-0001", 3, b"\x01\x02\x03", "出国 漫游 开通".encode(), 1, "出国了手机还能用不", 0,
         None, None),
        ("C-0002", 3, b"\x01\x02\x03", "出国 漫游 开通".encode(), 2, "出国了手机还能用不", 0,
         None, None),
    ]
    assert connection.execute(text("SELECT COUNT(*) FROM calls")).scalar() == 2
    # The rebuilt table still follows its call: deleting the call deletes its features.
    connection.execute(text("DELETE FROM calls WHERE call_id = 'C-0001'"))
    assert connection.execute(text(
        "SELECT call_id FROM mining_call_features")).scalars().all() == ["C-0002"]


def _tokens_at_0012(connection: Connection) -> None:
    """0013 added api_tokens.expires_at (a table copy on SQLite) and revoked the tokens of
    users who were already inactive."""
    created = datetime(2026, 10, 1, 8, 0)
    for user_id, name, active in ((1, "agent", True), (2, "leaver", False)):
        connection.execute(text(
            "INSERT INTO users (id, username, display_name, password_hash, is_active, "
            "all_modules, locale, team, created_at) VALUES (:id, :name, :display, 'x', "
            ":active, :all_modules, 'zh_CN', '一班', :created)"),
            {"id": user_id, "name": name, "display": f"{name}（测试）", "active": active,
             "all_modules": False, "created": created})
    for token_id, user_id, revoked in ((1, 1, None), (2, 1, datetime(2026, 10, 5, 12, 0)),
                                       (3, 2, None)):
        connection.execute(text(
            "INSERT INTO api_tokens (id, user_id, name, token_hash, prefix, created_at, "
            "last_used_at, revoked_at) VALUES (:id, :user_id, :name, :hash, :prefix, "
            ":created, :used, :revoked)"),
            {"id": token_id, "user_id": user_id, "name": f"脚本{token_id}",
             "hash": f"{token_id:064d}", "prefix": f"seci_{token_id}", "created": created,
             "used": datetime(2026, 10, 2, 9, 30), "revoked": revoked})


def _check_tokens(connection: Connection) -> None:
    rows = connection.execute(text(
        "SELECT id, user_id, name, token_hash, prefix, created_at, last_used_at, revoked_at, "
        "expires_at FROM api_tokens ORDER BY id").columns(
            created_at=DateTime(), last_used_at=DateTime(), revoked_at=DateTime(),
            expires_at=DateTime())).all()
    assert [(r.id, r.user_id, r.name, r.token_hash, r.prefix) for r in rows] == [
        (1, 1, "脚本1", f"{1:064d}", "seci_1"), (2, 1, "脚本2", f"{2:064d}", "seci_2"),
        (3, 2, "脚本3", f"{3:064d}", "seci_3")]
    assert all(r.created_at == datetime(2026, 10, 1, 8, 0) and r.expires_at is None
               for r in rows)
    assert rows[0].revoked_at is None  # an active user's token keeps working
    assert rows[1].revoked_at == datetime(2026, 10, 5, 12, 0)  # revoked before: unchanged
    assert rows[2].revoked_at is not None  # the inactive user's token is ended
    assert connection.execute(text(
        "SELECT username, is_active FROM users ORDER BY id")).all() == [
            ("agent", True), ("leaver", False)]


def _user(connection: Connection, user_id: int, name: str) -> None:
    connection.execute(text(
        "INSERT INTO users (id, username, display_name, password_hash, is_active, "
        "all_modules, locale, team, created_at) VALUES (:id, :name, :display, 'x', :active, "
        ":all_modules, 'zh_CN', '一班', :created)"),
        {"id": user_id, "name": name, "display": f"{name}（测试）", "active": True,
         "all_modules": True, "created": datetime(2026, 10, 1, 8, 0)})


ARTICLE_BODY = "### 资费\n| 档位 | 月租 |\n|---|---|\n| 300M | 50元/月 |\n请提醒客户核对账户。"


def _articles_at_0013(connection: Connection) -> None:
    """0014 added customer_answer to articles and article_versions — a plain ADD COLUMN,
    so that SQLite keeps the trigger that makes published versions immutable."""
    _user(connection, 1, "editor")
    connection.execute(text(
        "INSERT INTO modules (id, parent_id, name, path, position, archived) "
        "VALUES (1, NULL, '宽带', '宽带', 0, :archived)"), {"archived": False})
    now = datetime(2026, 11, 20, 9, 0)
    connection.execute(text(
        "INSERT INTO articles (id, code, status, owner_id, created_by_id, updated_by_id, "
        "created_at, updated_at, module_id, title, body, tags, similar_questions, queue_ids, "
        "audience, valid_from, valid_to, latest_version_no, view_count, helpful_count, "
        "unhelpful_count, lock_version) VALUES (1, 'KB-KD-900', 'published', 1, 1, 1, :now, "
        ":now, 1, '宽带资费', :body, '[\"宽带\"]', '[\"宽带多少钱\"]', '[]', 'customer', NULL, "
        "NULL, 1, 3, 1, 0, 1)"), {"now": now, "body": ARTICLE_BODY})
    connection.execute(text(
        "INSERT INTO article_versions (id, article_id, version_no, code, module_id, title, "
        "body, tags, similar_questions, queue_ids, audience, valid_from, valid_to, author_id, "
        "approved_by_id, published_at, source, change_note, notify_agents) VALUES (1, 1, 1, "
        "'KB-KD-900', 1, '宽带资费', :body, '[\"宽带\"]', '[\"宽带多少钱\"]', '[]', 'customer', "
        "NULL, NULL, 1, 1, :now, 'editor', '首次发布', :notify)"),
        {"now": now, "body": ARTICLE_BODY, "notify": True})
    connection.execute(text("UPDATE articles SET live_version_id = 1 WHERE id = 1"))


def _check_articles(connection: Connection) -> None:
    for table in ("articles", "article_versions"):
        row = connection.execute(text(
            f"SELECT code, title, body, customer_answer FROM {table}")).one()
        assert tuple(row) == ("KB-KD-900", "宽带资费", ARTICLE_BODY, "")
    assert connection.execute(text(
        "SELECT live_version_id, view_count FROM articles")).one() == (1, 3)
    # Published versions are still append-only: the database itself refuses an update.
    with pytest.raises(DBAPIError, match="append-only"), connection.begin_nested():
        connection.execute(text("UPDATE article_versions SET title = '改过的标题'"))


def _people_at_0015(connection: Connection) -> None:
    """0016 added the competency tables, which point at users and roster agents; a
    manager's situation-lexicon change (0015) must survive too."""
    _user(connection, 1, "trainer")
    _user(connection, 2, "agent")
    connection.execute(text(
        "INSERT INTO roster_agents (id, agent_id, name, team, hired_on, left_on, stage, "
        "user_id, updated_at) VALUES (1, 'A001', '张小云', 'A组', :hired, NULL, '成长期', 2, "
        ":now)"), {"hired": date(2025, 3, 1), "now": datetime(2026, 11, 1, 8, 0)})
    connection.execute(text(
        "INSERT INTO search_situations (id, \"key\", origin, own_content, area, pattern, "
        "concepts, example, note, enabled, revision, lock_version, updated_by_id, "
        "updated_at) VALUES (1, 'own-roaming', 'manager', :own, '国际业务', "
        "'出国|国外 + 没信号', '[\"国际漫游\"]', '到了国外手机没信号', '', :enabled, 1, 1, 1, "
        ":now)"), {"own": True, "enabled": True, "now": datetime(2026, 11, 2, 8, 0)})


def _check_people(connection: Connection) -> None:
    assert connection.execute(text(
        "SELECT agent_id, name, team, stage, user_id FROM roster_agents")).one() == (
            "A001", "张小云", "A组", "成长期", 2)
    assert connection.execute(text(
        "SELECT \"key\", pattern, enabled FROM search_situations")).one() == (
            "own-roaming", "出国|国外 + 没信号", True)
    # The new tables take rows that point at the users and roster agents already there.
    connection.execute(text(
        "INSERT INTO people_profiles (roster_agent_id, gender, education, updated_at) "
        "VALUES (1, '女', '本科', :now)"), {"now": datetime(2026, 12, 1, 8, 0)})
    assert connection.execute(text("SELECT COUNT(*) FROM people_profiles")).scalar() == 1


def _exam_sources_at_0016(connection: Connection) -> None:
    """0017 added the exam tables, whose questions point at modules, articles and users; a
    competency model (0016) must survive too."""
    _articles_at_0013(connection)  # user 1, module 1, article 1 (customer_answer since 0014)
    _user(connection, 2, "agent")
    connection.execute(text(
        "INSERT INTO competency_models (id, name, description, template, archived, "
        "created_by_id, created_at, updated_at) VALUES (1, '坐席胜任力', '', NULL, :archived, "
        "1, :now, :now)"), {"archived": False, "now": datetime(2026, 12, 1, 8, 0)})


def _check_exam_sources(connection: Connection) -> None:
    assert connection.execute(text("SELECT name FROM competency_models")).one() == ("坐席胜任力",)
    assert connection.execute(text("SELECT code FROM articles")).one() == ("KB-KD-900",)
    now = datetime(2026, 12, 6, 8, 0)
    connection.execute(text(
        "INSERT INTO exam_questions (id, kind, module_id, difficulty, stem, options, answer, "
        "explanation, status, source, created_by_id, created_at, updated_at) VALUES (1, "
        "'fill', 1, 2, '300M宽带月租____元', '[]', '[\"50\"]', '', 'draft', 'generated', 1, "
        ":now, :now)"), {"now": now})
    connection.execute(text(
        "INSERT INTO exam_question_articles (question_id, article_id) VALUES (1, 1)"))
    assert connection.execute(text(
        "SELECT COUNT(*) FROM exam_question_articles")).scalar() == 1


def _round_at_0017(connection: Connection) -> None:
    """0018 added training plans, coaching pairs and re-assessments, which point at users,
    roster agents, competency rounds and items; a closed round (0016) must survive."""
    now = datetime(2026, 12, 1, 8, 0)
    _user(connection, 1, "trainer")
    _user(connection, 2, "agent")
    for number, (agent_id, user_id) in enumerate((("A001", 2), ("A002", None)), 1):
        connection.execute(text(
            "INSERT INTO roster_agents (id, agent_id, name, team, hired_on, left_on, stage, "
            "user_id, updated_at) VALUES (:id, :agent_id, '张小云', 'A组', :hired, NULL, "
            "'growing', :user_id, :now)"),
            {"id": number, "agent_id": agent_id, "user_id": user_id,
             "hired": date(2025, 3, 1), "now": now})
    connection.execute(text(
        "INSERT INTO competency_models (id, name, description, template, archived, "
        "created_by_id, created_at, updated_at) VALUES (1, '坐席胜任力', '', NULL, :archived, "
        "1, :now, :now)"), {"archived": False, "now": now})
    connection.execute(text(
        "INSERT INTO competency_dimensions (id, model_id, position, name, description) "
        "VALUES (1, 1, 0, '工作能力', '')"))
    connection.execute(text(
        "INSERT INTO competency_items (id, dimension_id, position, name, description) "
        "VALUES (1, 1, 0, '亲和力', '')"))
    connection.execute(text(
        "INSERT INTO competency_rounds (id, model_id, team, title, status, deadline, "
        "self_weight, supervisor_weight, peer_weight, peers_per_agent, opened_by_id, "
        "opened_at, closed_at) VALUES (1, 1, 'A组', '第一轮', 'closed', :deadline, 20, 40, "
        "40, 3, 1, :now, :now)"), {"deadline": date(2026, 12, 5), "now": now})


def _check_round_and_training(connection: Connection) -> None:
    assert connection.execute(text(
        "SELECT title, status FROM competency_rounds")).one() == ("第一轮", "closed")
    assert connection.execute(text(
        "SELECT points FROM tacit_point_rules WHERE code = 'coaching_pair_succeeded'"
    )).scalar() == 20
    now = datetime(2026, 12, 6, 8, 0)
    connection.execute(text(
        "INSERT INTO training_plans (id, kind, team, title, description, round_id, "
        "roster_agent_id, month, due_on, status, created_by_id, created_at, updated_at) "
        "VALUES (1, 'common', 'A组', '共性计划', '', 1, NULL, NULL, :due, 'active', 1, :now, "
        ":now)"), {"due": date(2026, 12, 31), "now": now})
    connection.execute(text(
        "INSERT INTO training_plan_items (id, plan_id, position, kind, title, body, "
        "article_id, exam_id, session_at, place, competency_item_id, source, source_ref, "
        "created_at) VALUES (1, 1, 0, 'lesson', '亲和力', '微课', NULL, NULL, NULL, '', 1, "
        "'weak_item', '', :now)"), {"now": now})
    connection.execute(text(
        "INSERT INTO training_assignments (plan_id, roster_agent_id, due_on, assigned_by_id, "
        "assigned_at) VALUES (1, 1, :due, 1, :now)"), {"due": date(2026, 12, 31), "now": now})
    connection.execute(text(
        "INSERT INTO coaching_pairs (team, coach_team, coach_agent_id, mentee_agent_id, goal, "
        "round_id, target_item_id, target_score, target_fcr, starts_on, ends_on, status, "
        "outcome, points, honour_id, created_by_id, created_at, ended_by_id, ended_at) "
        "VALUES ('A组', '', 2, 1, '', 1, 1, 3.8, NULL, :start, :end, 'active', '', NULL, NULL, "
        "1, :now, NULL, NULL)"), {"start": date(2026, 12, 6), "end": date(2027, 2, 28),
                                  "now": now})
    assert connection.execute(text("SELECT COUNT(*) FROM coaching_pairs")).scalar() == 1


def _search_log_at_0018(connection: Connection) -> None:
    """0019 added the served calibrations, which point at users; the search log a fit
    learns from must survive it."""
    _user(connection, 1, "manager")
    connection.execute(text(
        "INSERT INTO search_log (id, at, user_id, channel, query, normalized, hit_count, "
        "shown_ids, top_confidence, confident, opened_article_id, opened_at) VALUES (1, :at, "
        "1, 'agent', '宽带断网', '宽带断网', 0, '[]', 0.0, :confident, NULL, NULL)"),
        {"confident": False, "at": datetime(2026, 12, 1, 9, 0)})


def _check_search_log_and_calibrations(connection: Connection) -> None:
    assert connection.execute(text("SELECT query FROM search_log")).scalars().all() == [
        "宽带断网"]
    assert connection.execute(text("SELECT COUNT(*) FROM search_calibrations")).scalar() == 0
    connection.execute(text(
        "INSERT INTO search_calibrations (fitted_at, status, matcher_kind, articles, "
        "held_out, from_log, watermark, coefficients, thresholds, report, created_by_id) "
        "VALUES (:at, 'too_few', 'linear', 0, 0, 0, 0, '{}', '{}', '{}', 1)"),
        {"at": datetime(2026, 12, 6, 9, 0)})


def _queue_members_at_0019(connection: Connection) -> None:
    """0020 added certification requirements, certifications and stage rules, which point
    at queues, users, articles and exams; an agent in a queue, their roster entry and an
    exam must survive it."""
    _user(connection, 1, "manager")
    _user(connection, 2, "agent")
    connection.execute(text(
        "INSERT INTO queues (id, code, name, description, position, archived) VALUES "
        "(1, 'VIP', 'VIP专席', '', 0, :archived)"), {"archived": False})
    connection.execute(text("INSERT INTO user_queues (user_id, queue_id) VALUES (2, 1)"))
    connection.execute(text(
        "INSERT INTO roster_agents (id, agent_id, name, team, hired_on, left_on, stage, "
        "user_id, updated_at) VALUES (1, 'A001', '张小云', 'A组', :hired, NULL, 'growing', 2, "
        ":now)"), {"hired": date(2025, 3, 1), "now": datetime(2026, 12, 1, 8, 0)})
    now = datetime(2026, 12, 1, 8, 0)
    connection.execute(text(
        "INSERT INTO exams (id, title, description, module_ids, easy_percent, medium_percent, "
        "hard_percent, question_count, pass_percent, time_limit_minutes, mode, max_attempts, "
        "fixed_paper, paper_ids, archived, created_by_id, created_at, updated_at) VALUES "
        "(1, '上岗鉴定', '', '[]', 30, 50, 20, 20, 60, 30, 'formal', NULL, :fixed, '[]', "
        ":archived, 1, :now, :now)"), {"fixed": False, "archived": False, "now": now})


def _check_queue_members_and_certifications(connection: Connection) -> None:
    assert connection.execute(text("SELECT user_id, queue_id FROM user_queues")).one() == (2, 1)
    assert connection.execute(text("SELECT stage FROM roster_agents")).scalar() == "growing"
    now = datetime(2026, 12, 6, 9, 0)
    connection.execute(text(
        "INSERT INTO cert_requirements (queue_id, exam_rules, item_rules, min_stage, "
        "validity_months, updated_by_id, updated_at) VALUES (1, :exams, '[]', 'growing', 12, "
        "1, :now)"), {"exams": '[{"exam_id": 1, "min_percent": 60}]', "now": now})
    connection.execute(text(
        "INSERT INTO certifications (user_id, queue_id, granted_at, expires_on, basis, reason, "
        "granted_by_id, revoke_reason) VALUES (2, 1, :now, :until, 'manager', '线下鉴定', 1, "
        "'')"), {"now": now, "until": date(2027, 12, 6)})
    connection.execute(text(
        "INSERT INTO stage_rules (stage, min_tenure_months, min_certifications, updated_at) "
        "VALUES ('mature', 12, 1, :now)"), {"now": now})
    assert connection.execute(text("SELECT COUNT(*) FROM certifications")).scalar() == 1


def _article_at_0020(connection: Connection) -> None:
    """0021 added attachments and the articles that use them: an article with its
    published version must survive, and a link to it must be possible."""
    _user(connection, 1, "editor")
    connection.execute(text(
        "INSERT INTO modules (id, parent_id, name, path, position, archived) "
        "VALUES (1, NULL, '宽带', '宽带', 0, :archived)"), {"archived": False})
    now = datetime(2026, 12, 6, 9, 0)
    connection.execute(text(
        "INSERT INTO articles (id, code, status, owner_id, created_by_id, updated_by_id, "
        "created_at, updated_at, module_id, title, body, customer_answer, tags, "
        "similar_questions, queue_ids, audience, valid_from, valid_to, latest_version_no, "
        "view_count, helpful_count, unhelpful_count, lock_version) VALUES (1, 'KB-KD-901', "
        "'draft', 1, 1, 1, :now, :now, 1, '宽带资费', :body, '', '[]', '[]', '[]', "
        "'customer', NULL, NULL, 0, 0, 0, 0, 1)"), {"now": now, "body": ARTICLE_BODY})


def _check_article_and_attachments(connection: Connection) -> None:
    assert connection.execute(text("SELECT body FROM articles")).scalar() == ARTICLE_BODY
    connection.execute(text(
        "INSERT INTO attachments (id, filename, content_type, size_bytes, sha256, "
        "uploaded_by_id, uploaded_at) VALUES (1, '资费表.png', 'image/png', 68, :sha, 1, "
        ":now)"), {"sha": "0" * 64, "now": datetime(2026, 12, 6, 10, 0)})
    connection.execute(text(
        "INSERT INTO article_attachments (article_id, attachment_id) VALUES (1, 1)"))
    assert connection.execute(text("SELECT COUNT(*) FROM article_attachments")).scalar() == 1


Fixture = tuple[Callable[[Connection], None], Callable[[Connection], None]]
def _rules_at_0021(connection: Connection) -> None:
    """0022 let keyword rules answer first and turned it on for the shipped complaint rule
    only: a manager's own complaint rule beside it must stay as it was."""
    connection.execute(text(
        "INSERT INTO assistant_handoff_rules (kind, reason, pattern, threshold, "
        "target_queue, priority, enabled, note, updated_at) VALUES ('keyword', 'complaint', "
        "'曝光|媒体', 0, '投诉专席', 5, :enabled, '经理自建', :now)"),
        {"enabled": True, "now": datetime(2026, 12, 6, 9, 0)})


def _check_rules_answer_first(connection: Connection) -> None:
    rows = connection.execute(text(
        "SELECT reason, pattern, answer_first FROM assistant_handoff_rules "
        "WHERE kind = 'keyword'")).all()
    answering = {(reason, pattern) for reason, pattern, first in rows if first}
    assert len(answering) == 1
    [(reason, pattern)] = answering
    assert reason == "complaint" and pattern.startswith("投诉|工信部")
    assert ("complaint", "曝光|媒体", False) in {(r, p, bool(f)) for r, p, f in rows}


def _rules_at_0022(connection: Connection) -> None:
    """0023 gave the shipped insult rule exceptions; a manager's own insult rule stays."""
    connection.execute(text(
        "INSERT INTO assistant_handoff_rules (kind, reason, pattern, threshold, "
        "target_queue, priority, enabled, note, updated_at, answer_first) VALUES ('keyword', "
        "'insult', '骗子|妈的', 0, '投诉专席', 15, :enabled, '经理自建', :now, :first)"),
        {"enabled": True, "now": datetime(2026, 12, 7, 9, 0), "first": False})


def _check_insult_rules(connection: Connection) -> None:
    patterns = set(connection.execute(text(
        "SELECT pattern FROM assistant_handoff_rules WHERE reason = 'insult'")).scalars())
    assert "骗子|妈的" in patterns  # the manager's, as it was
    [shipped] = patterns - {"骗子|妈的"}
    assert "|!我妈的|" in shipped and "|!垃圾短信|" in shipped
    assert not shipped.startswith("骗子|")


def _rules_at_0023(connection: Connection) -> None:
    """0024 widened the shipped explicit-request rule; a manager's own stays as it was."""
    connection.execute(text(
        "INSERT INTO assistant_handoff_rules (kind, reason, pattern, threshold, "
        "target_queue, priority, enabled, note, updated_at, answer_first) VALUES ('keyword', "
        "'explicit_request', '转人工|=人工', 0, NULL, 35, :enabled, '经理自建', :now, :first)"),
        {"enabled": True, "now": datetime(2026, 12, 8, 9, 0), "first": False})


def _check_request_rules(connection: Connection) -> None:
    patterns = set(connection.execute(text(
        "SELECT pattern FROM assistant_handoff_rules WHERE reason = 'explicit_request'"))
        .scalars())
    assert "转人工|=人工" in patterns  # the manager's, as it was
    [shipped] = patterns - {"转人工|=人工"}
    assert shipped.startswith("转人工|人工客服|") and "|联系人工|" in shipped


FIXTURES: dict[str, Fixture] = {
    "0011": (_calls_and_features_at_0011, _check_calls_and_features),
    "0012": (_tokens_at_0012, _check_tokens),
    "0013": (_articles_at_0013, _check_articles),
    "0015": (_people_at_0015, _check_people),
    "0016": (_exam_sources_at_0016, _check_exam_sources),
    "0017": (_round_at_0017, _check_round_and_training),
    "0018": (_search_log_at_0018, _check_search_log_and_calibrations),
    "0019": (_queue_members_at_0019, _check_queue_members_and_certifications),
    "0020": (_article_at_0020, _check_article_and_attachments),
    "0021": (_rules_at_0021, _check_rules_answer_first),
    "0022": (_rules_at_0022, _check_insult_rules),
    "0023": (_rules_at_0023, _check_request_rules),
}


def _previous_head() -> str:
    [head] = code_heads()
    previous = _scripts().get_revision(head).down_revision
    assert isinstance(previous, str)
    return previous


@pytest.fixture
def blank_url(tmp_path: Path) -> Iterator[str]:
    url, drop = create_database(_test_database_url(tmp_path), tmp_path)
    yield url
    drop()  # type: ignore[operator]


def test_the_previous_head_has_a_fixture() -> None:
    assert _previous_head() in FIXTURES, (
        "add a fixture for the revision before the newest migration to "
        "tests/ops/test_upgrade.py: rows for the tables that migration touches")


@pytest.mark.parametrize("revision", sorted(FIXTURES))
def test_an_upgrade_keeps_the_rows_of_an_earlier_schema(blank_url: str, revision: str) -> None:
    if revision in code_heads():
        pytest.skip(f"{revision} is the newest migration: nothing to upgrade to yet")
    migrate.upgrade(blank_url, revision=revision)
    engine: Engine = build_engine(blank_url)
    try:
        fill, check = FIXTURES[revision]
        with engine.begin() as connection:
            fill(connection)
        assert current_revision(engine) == revision
        engine.dispose()  # SQLite's batch migration rebuilds tables: no open connections
        migrate.upgrade(blank_url)
        assert current_revision(engine) == code_heads()[0]
        with engine.begin() as connection:
            check(connection)
    finally:
        engine.dispose()
