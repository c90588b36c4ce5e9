"""search: managers' entries of the situation lexicon and their changes to the shipped
entries (the shipped lexicon stays in data/situations.txt)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-10 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('search_situations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.Column('own_content', sa.Boolean(), nullable=False),
    sa.Column('area', sa.String(length=40), nullable=False),
    sa.Column('pattern', sa.String(length=1000), nullable=False),
    sa.Column('concepts', sa.JSON(), nullable=False),
    sa.Column('example', sa.String(length=200), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('lock_version', sa.Integer(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'],
                            name=op.f('fk_search_situations_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_situations')),
    sa.UniqueConstraint('key', name=op.f('uq_search_situations_key')),
    sa.UniqueConstraint('revision', name=op.f('uq_search_situations_revision'))
    )


def downgrade() -> None:
    op.drop_table('search_situations')
