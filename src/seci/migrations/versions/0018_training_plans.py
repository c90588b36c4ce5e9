"""people: training plans (common, personal, monthly) with their items, assignments and
completions; coaching pairs (传帮带); re-assessment rounds after training; the points rule
for a coach whose pair reached its goal

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 14:00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Literal data on purpose: a migration must not change when the code does.
COACHING_RULE = ("coaching_pair_succeeded", 20, "A coached agent reached the pair's goal")


def upgrade() -> None:
    op.create_table('training_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('team', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('roster_agent_id', sa.Integer(), nullable=True),
    sa.Column('month', sa.Date(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_training_plans_created_by_id_users')),
    sa.ForeignKeyConstraint(['roster_agent_id'], ['roster_agents.id'], name=op.f('fk_training_plans_roster_agent_id_roster_agents')),
    sa.ForeignKeyConstraint(['round_id'], ['competency_rounds.id'], name=op.f('fk_training_plans_round_id_competency_rounds'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_plans'))
    )
    op.create_index(op.f('ix_training_plans_roster_agent_id'), 'training_plans', ['roster_agent_id'], unique=False)
    op.create_index(op.f('ix_training_plans_round_id'), 'training_plans', ['round_id'], unique=False)
    op.create_index(op.f('ix_training_plans_team'), 'training_plans', ['team'], unique=False)
    op.create_table('training_reassessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('before_round_id', sa.Integer(), nullable=False),
    sa.Column('after_round_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['after_round_id'], ['competency_rounds.id'], name=op.f('fk_training_reassessments_after_round_id_competency_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['before_round_id'], ['competency_rounds.id'], name=op.f('fk_training_reassessments_before_round_id_competency_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_training_reassessments_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_reassessments')),
    sa.UniqueConstraint('after_round_id', name=op.f('uq_training_reassessments_after_round_id'))
    )
    op.create_index(op.f('ix_training_reassessments_before_round_id'), 'training_reassessments', ['before_round_id'], unique=False)
    op.create_table('coaching_pairs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team', sa.String(length=40), nullable=False),
    sa.Column('coach_team', sa.String(length=80), nullable=False),
    sa.Column('coach_agent_id', sa.Integer(), nullable=False),
    sa.Column('mentee_agent_id', sa.Integer(), nullable=False),
    sa.Column('goal', sa.Text(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('target_item_id', sa.Integer(), nullable=True),
    sa.Column('target_score', sa.Float(), nullable=True),
    sa.Column('target_fcr', sa.Float(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=True),
    sa.Column('honour_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['coach_agent_id'], ['roster_agents.id'], name=op.f('fk_coaching_pairs_coach_agent_id_roster_agents')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_coaching_pairs_created_by_id_users')),
    sa.ForeignKeyConstraint(['ended_by_id'], ['users.id'], name=op.f('fk_coaching_pairs_ended_by_id_users')),
    sa.ForeignKeyConstraint(['honour_id'], ['tacit_honours.id'], name=op.f('fk_coaching_pairs_honour_id_tacit_honours'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['mentee_agent_id'], ['roster_agents.id'], name=op.f('fk_coaching_pairs_mentee_agent_id_roster_agents')),
    sa.ForeignKeyConstraint(['round_id'], ['competency_rounds.id'], name=op.f('fk_coaching_pairs_round_id_competency_rounds'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['target_item_id'], ['competency_items.id'], name=op.f('fk_coaching_pairs_target_item_id_competency_items'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coaching_pairs'))
    )
    op.create_index(op.f('ix_coaching_pairs_coach_agent_id'), 'coaching_pairs', ['coach_agent_id'], unique=False)
    op.create_index(op.f('ix_coaching_pairs_mentee_agent_id'), 'coaching_pairs', ['mentee_agent_id'], unique=False)
    op.create_index(op.f('ix_coaching_pairs_team'), 'coaching_pairs', ['team'], unique=False)
    op.create_table('training_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('roster_agent_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_training_assignments_assigned_by_id_users')),
    sa.ForeignKeyConstraint(['plan_id'], ['training_plans.id'], name=op.f('fk_training_assignments_plan_id_training_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['roster_agent_id'], ['roster_agents.id'], name=op.f('fk_training_assignments_roster_agent_id_roster_agents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_assignments')),
    sa.UniqueConstraint('plan_id', 'roster_agent_id', name=op.f('uq_training_assignments_plan_id'))
    )
    op.create_index(op.f('ix_training_assignments_plan_id'), 'training_assignments', ['plan_id'], unique=False)
    op.create_index(op.f('ix_training_assignments_roster_agent_id'), 'training_assignments', ['roster_agent_id'], unique=False)
    op.create_table('training_plan_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=True),
    sa.Column('exam_id', sa.Integer(), nullable=True),
    sa.Column('session_at', sa.DateTime(), nullable=True),
    sa.Column('place', sa.String(length=120), nullable=False),
    sa.Column('competency_item_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('source_ref', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_training_plan_items_article_id_articles'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['competency_item_id'], ['competency_items.id'], name=op.f('fk_training_plan_items_competency_item_id_competency_items'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['exam_id'], ['exams.id'], name=op.f('fk_training_plan_items_exam_id_exams'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['plan_id'], ['training_plans.id'], name=op.f('fk_training_plan_items_plan_id_training_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_plan_items'))
    )
    op.create_index(op.f('ix_training_plan_items_plan_id'), 'training_plan_items', ['plan_id'], unique=False)
    op.create_table('training_completions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('roster_agent_id', sa.Integer(), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['training_plan_items.id'], name=op.f('fk_training_completions_item_id_training_plan_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_training_completions_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['roster_agent_id'], ['roster_agents.id'], name=op.f('fk_training_completions_roster_agent_id_roster_agents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_completions')),
    sa.UniqueConstraint('item_id', 'roster_agent_id', name=op.f('uq_training_completions_item_id'))
    )
    op.create_index(op.f('ix_training_completions_item_id'), 'training_completions', ['item_id'], unique=False)
    op.create_index(op.f('ix_training_completions_roster_agent_id'), 'training_completions', ['roster_agent_id'], unique=False)

    rules = sa.table(
        "tacit_point_rules",
        sa.column("code", sa.String), sa.column("points", sa.Integer),
        sa.column("active", sa.Boolean), sa.column("description", sa.String),
        sa.column("updated_at", sa.DateTime),
    )
    code, points, description = COACHING_RULE
    op.bulk_insert(rules, [{"code": code, "points": points, "active": True,
                            "description": description,
                            "updated_at": datetime.now(UTC).replace(tzinfo=None)}])


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM tacit_point_entries WHERE reason_code = :code")
               .bindparams(code=COACHING_RULE[0]))
    op.execute(sa.text("DELETE FROM tacit_point_rules WHERE code = :code")
               .bindparams(code=COACHING_RULE[0]))
    op.drop_index(op.f('ix_training_completions_roster_agent_id'), table_name='training_completions')
    op.drop_index(op.f('ix_training_completions_item_id'), table_name='training_completions')
    op.drop_table('training_completions')
    op.drop_index(op.f('ix_training_plan_items_plan_id'), table_name='training_plan_items')
    op.drop_table('training_plan_items')
    op.drop_index(op.f('ix_training_assignments_roster_agent_id'), table_name='training_assignments')
    op.drop_index(op.f('ix_training_assignments_plan_id'), table_name='training_assignments')
    op.drop_table('training_assignments')
    op.drop_index(op.f('ix_coaching_pairs_team'), table_name='coaching_pairs')
    op.drop_index(op.f('ix_coaching_pairs_mentee_agent_id'), table_name='coaching_pairs')
    op.drop_index(op.f('ix_coaching_pairs_coach_agent_id'), table_name='coaching_pairs')
    op.drop_table('coaching_pairs')
    op.drop_index(op.f('ix_training_reassessments_before_round_id'), table_name='training_reassessments')
    op.drop_table('training_reassessments')
    op.drop_index(op.f('ix_training_plans_team'), table_name='training_plans')
    op.drop_index(op.f('ix_training_plans_round_id'), table_name='training_plans')
    op.drop_index(op.f('ix_training_plans_roster_agent_id'), table_name='training_plans')
    op.drop_table('training_plans')
