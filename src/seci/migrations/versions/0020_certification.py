"""people: certification per queue (requirements, certifications held, re-certification
flag) and growth-stage rules

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('cert_requirements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('queue_id', sa.Integer(), nullable=False),
    sa.Column('exam_rules', sa.JSON(), nullable=False),
    sa.Column('item_rules', sa.JSON(), nullable=False),
    sa.Column('min_stage', sa.String(length=10), nullable=True),
    sa.Column('min_fcr', sa.Float(), nullable=True),
    sa.Column('min_satisfaction', sa.Float(), nullable=True),
    sa.Column('validity_months', sa.Integer(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['queue_id'], ['queues.id'],
                            name=op.f('fk_cert_requirements_queue_id_queues'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'],
                            name=op.f('fk_cert_requirements_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cert_requirements')),
    sa.UniqueConstraint('queue_id', name=op.f('uq_cert_requirements_queue_id')),
    )
    op.create_table('certifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('queue_id', sa.Integer(), nullable=False),
    sa.Column('granted_at', sa.DateTime(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('basis', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('revoke_reason', sa.Text(), nullable=False),
    sa.Column('recert_due_at', sa.DateTime(), nullable=True),
    sa.Column('recert_article_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                            name=op.f('fk_certifications_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['queue_id'], ['queues.id'],
                            name=op.f('fk_certifications_queue_id_queues'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'],
                            name=op.f('fk_certifications_granted_by_id_users')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'],
                            name=op.f('fk_certifications_revoked_by_id_users')),
    sa.ForeignKeyConstraint(['recert_article_id'], ['articles.id'],
                            name=op.f('fk_certifications_recert_article_id_articles'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certifications')),
    )
    op.create_index(op.f('ix_certifications_user_id'), 'certifications', ['user_id'])
    op.create_index(op.f('ix_certifications_queue_id'), 'certifications', ['queue_id'])
    op.create_index(op.f('ix_certifications_expires_on'), 'certifications', ['expires_on'])
    op.create_table('stage_rules',
    sa.Column('stage', sa.String(length=10), nullable=False),
    sa.Column('min_tenure_months', sa.Integer(), nullable=False),
    sa.Column('min_certifications', sa.Integer(), nullable=False),
    sa.Column('min_fcr', sa.Float(), nullable=True),
    sa.Column('min_satisfaction', sa.Float(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'],
                            name=op.f('fk_stage_rules_updated_by_id_users')),
    sa.PrimaryKeyConstraint('stage', name=op.f('pk_stage_rules')),
    )


def downgrade() -> None:
    op.drop_table('stage_rules')
    op.drop_index(op.f('ix_certifications_expires_on'), table_name='certifications')
    op.drop_index(op.f('ix_certifications_queue_id'), table_name='certifications')
    op.drop_index(op.f('ix_certifications_user_id'), table_name='certifications')
    op.drop_table('certifications')
    op.drop_table('cert_requirements')
