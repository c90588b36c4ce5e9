"""mining: the characters spoken in each call (what its length in words predicts of its
duration) and the silence after each agent clause (what the call waited for), so the
long-call analysis finds the waiting the words do not explain; when each call's features
were extracted (a call imported again is read again)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 06:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('mining_call_features') as batch:
        batch.add_column(sa.Column('spoken_chars', sa.Integer(), nullable=False,
                                   server_default='0'))
        batch.add_column(sa.Column('agent_silences', sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column('extracted_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('mining_call_features') as batch:
        batch.drop_column('extracted_at')
        batch.drop_column('agent_silences')
        batch.drop_column('spoken_chars')
