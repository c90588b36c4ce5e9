"""people: competency models (dimensions, items, questions), assessment rounds with self,
supervisor and peer forms and their answers, trainers' performance figures, and the
profile fields the roster lacks

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('competency_models',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('description', sa.String(length=1000), nullable=False),
    sa.Column('template', sa.String(length=40), nullable=True),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_competency_models_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competency_models'))
    )
    op.create_table('competency_dimensions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['model_id'], ['competency_models.id'], name=op.f('fk_competency_dimensions_model_id_competency_models'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competency_dimensions'))
    )
    op.create_index(op.f('ix_competency_dimensions_model_id'), 'competency_dimensions', ['model_id'], unique=False)
    op.create_table('competency_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('team', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('self_weight', sa.Integer(), nullable=False),
    sa.Column('supervisor_weight', sa.Integer(), nullable=False),
    sa.Column('peer_weight', sa.Integer(), nullable=False),
    sa.Column('peers_per_agent', sa.Integer(), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['model_id'], ['competency_models.id'], name=op.f('fk_competency_rounds_model_id_competency_models')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_competency_rounds_opened_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competency_rounds'))
    )
    op.create_index(op.f('ix_competency_rounds_model_id'), 'competency_rounds', ['model_id'], unique=False)
    op.create_index(op.f('ix_competency_rounds_team'), 'competency_rounds', ['team'], unique=False)
    op.create_table('people_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('roster_agent_id', sa.Integer(), nullable=False),
    sa.Column('gender', sa.String(length=10), nullable=True),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('education', sa.String(length=12), nullable=True),
    sa.Column('rank', sa.String(length=40), nullable=True),
    sa.Column('communication_style', sa.String(length=12), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['roster_agent_id'], ['roster_agents.id'], name=op.f('fk_people_profiles_roster_agent_id_roster_agents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_people_profiles')),
    sa.UniqueConstraint('roster_agent_id', name=op.f('uq_people_profiles_roster_agent_id'))
    )
    op.create_table('competency_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('roster_agent_id', sa.Integer(), nullable=False),
    sa.Column('measure', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['roster_agent_id'], ['roster_agents.id'], name=op.f('fk_competency_figures_roster_agent_id_roster_agents')),
    sa.ForeignKeyConstraint(['round_id'], ['competency_rounds.id'], name=op.f('fk_competency_figures_round_id_competency_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competency_figures')),
    sa.UniqueConstraint('round_id', 'roster_agent_id', 'measure', name=op.f('uq_competency_figures_round_id'))
    )
    op.create_index(op.f('ix_competency_figures_round_id'), 'competency_figures', ['round_id'], unique=False)
    op.create_table('competency_forms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('rated_agent_id', sa.Integer(), nullable=False),
    sa.Column('relation', sa.String(length=12), nullable=False),
    sa.Column('rater_user_id', sa.Integer(), nullable=True),
    sa.Column('rater_agent_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('saved_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['rated_agent_id'], ['roster_agents.id'], name=op.f('fk_competency_forms_rated_agent_id_roster_agents')),
    sa.ForeignKeyConstraint(['rater_agent_id'], ['roster_agents.id'], name=op.f('fk_competency_forms_rater_agent_id_roster_agents')),
    sa.ForeignKeyConstraint(['rater_user_id'], ['users.id'], name=op.f('fk_competency_forms_rater_user_id_users')),
    sa.ForeignKeyConstraint(['round_id'], ['competency_rounds.id'], name=op.f('fk_competency_forms_round_id_competency_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competency_forms')),
    sa.UniqueConstraint('round_id', 'rated_agent_id', 'relation', 'rater_user_id', 'rater_agent_id', name=op.f('uq_competency_forms_round_id'))
    )
    op.create_index(op.f('ix_competency_forms_rated_agent_id'), 'competency_forms', ['rated_agent_id'], unique=False)
    op.create_index(op.f('ix_competency_forms_rater_user_id'), 'competency_forms', ['rater_user_id'], unique=False)
    op.create_index(op.f('ix_competency_forms_round_id'), 'competency_forms', ['round_id'], unique=False)
    op.create_table('competency_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dimension_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['dimension_id'], ['competency_dimensions.id'], name=op.f('fk_competency_items_dimension_id_competency_dimensions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competency_items'))
    )
    op.create_index(op.f('ix_competency_items_dimension_id'), 'competency_items', ['dimension_id'], unique=False)
    op.create_table('competency_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('anchor_1', sa.String(length=200), nullable=False),
    sa.Column('anchor_3', sa.String(length=200), nullable=False),
    sa.Column('anchor_5', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['competency_items.id'], name=op.f('fk_competency_questions_item_id_competency_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competency_questions'))
    )
    op.create_index(op.f('ix_competency_questions_item_id'), 'competency_questions', ['item_id'], unique=False)
    op.create_table('competency_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['form_id'], ['competency_forms.id'], name=op.f('fk_competency_answers_form_id_competency_forms'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['competency_questions.id'], name=op.f('fk_competency_answers_question_id_competency_questions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competency_answers')),
    sa.UniqueConstraint('form_id', 'question_id', name=op.f('uq_competency_answers_form_id'))
    )
    op.create_index(op.f('ix_competency_answers_form_id'), 'competency_answers', ['form_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_competency_answers_form_id'), table_name='competency_answers')
    op.drop_table('competency_answers')
    op.drop_index(op.f('ix_competency_questions_item_id'), table_name='competency_questions')
    op.drop_table('competency_questions')
    op.drop_index(op.f('ix_competency_items_dimension_id'), table_name='competency_items')
    op.drop_table('competency_items')
    op.drop_index(op.f('ix_competency_forms_round_id'), table_name='competency_forms')
    op.drop_index(op.f('ix_competency_forms_rater_user_id'), table_name='competency_forms')
    op.drop_index(op.f('ix_competency_forms_rated_agent_id'), table_name='competency_forms')
    op.drop_table('competency_forms')
    op.drop_index(op.f('ix_competency_figures_round_id'), table_name='competency_figures')
    op.drop_table('competency_figures')
    op.drop_table('people_profiles')
    op.drop_index(op.f('ix_competency_rounds_team'), table_name='competency_rounds')
    op.drop_index(op.f('ix_competency_rounds_model_id'), table_name='competency_rounds')
    op.drop_table('competency_rounds')
    op.drop_index(op.f('ix_competency_dimensions_model_id'), table_name='competency_dimensions')
    op.drop_table('competency_dimensions')
    op.drop_table('competency_models')
