"""accounts: login throttles (failed logins in a row per account name and per client
address, shared by every server process); API tokens may expire; tokens of users
deactivated before this release are revoked, so a reactivation cannot revive them

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 09:00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('login_throttles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', sa.DateTime(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_throttles')),
    sa.UniqueConstraint('scope', 'key', name=op.f('uq_login_throttles_scope'))
    )
    op.create_index('ix_login_throttles_last_failure_at', 'login_throttles',
                    ['last_failure_at'], unique=False)
    with op.batch_alter_table('api_tokens') as batch:
        batch.add_column(sa.Column('expires_at', sa.DateTime(), nullable=True))
    # Until now deactivation kept API tokens (they only stopped working while the user
    # was inactive); end them as a deactivation does from now on.
    now = datetime.now(UTC).replace(tzinfo=None)  # naive UTC, as the models store it
    op.execute(sa.text(
        "UPDATE api_tokens SET revoked_at = :now WHERE revoked_at IS NULL "
        "AND user_id IN (SELECT id FROM users WHERE is_active = :no)"
    ).bindparams(sa.bindparam('now', now, type_=sa.DateTime()), no=False))


def downgrade() -> None:
    with op.batch_alter_table('api_tokens') as batch:
        batch.drop_column('expires_at')
    op.drop_index('ix_login_throttles_last_failure_at', table_name='login_throttles')
    op.drop_table('login_throttles')
