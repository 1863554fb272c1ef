"""indexes for a million comments: the spam check, the queue's tabs, unanswered comments

Revision ID: a1c4e9d2b7f3
Revises: 28fd1aadb601
Create Date: 2026-12-03 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1c4e9d2b7f3'
down_revision = '28fd1aadb601'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index('ix_comment_email_hash')
        batch_op.drop_index('ix_comment_ip_hash')
        batch_op.drop_index('ix_comment_body_fingerprint')
        batch_op.create_index('ix_comment_email_hash_state', ['email_hash', 'state'], unique=False)
        batch_op.create_index('ix_comment_ip_hash_state', ['ip_hash', 'state'], unique=False)
        batch_op.create_index(
            'ix_comment_fingerprint_created', ['body_fingerprint', 'created_at'], unique=False
        )
        batch_op.create_index(
            'ix_comment_reported', ['state', 'created_at'], unique=False,
            postgresql_where=sa.text('report_count > 0'), sqlite_where=sa.text('report_count > 0'),
        )
        batch_op.create_index(
            'ix_comment_waiting', ['created_at', 'id'], unique=False,
            postgresql_where=sa.text("state = 'PENDING' AND report_count <= 0"),
            sqlite_where=sa.text("state = 'PENDING' AND report_count <= 0"),
        )
        batch_op.create_index(
            'ix_comment_staff_replies', ['state'], unique=False,
            postgresql_where=sa.text('user_id IS NOT NULL'),
            sqlite_where=sa.text('user_id IS NOT NULL'),
        )


def downgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index('ix_comment_staff_replies')
        batch_op.drop_index('ix_comment_waiting')
        batch_op.drop_index('ix_comment_reported')
        batch_op.drop_index('ix_comment_fingerprint_created')
        batch_op.drop_index('ix_comment_ip_hash_state')
        batch_op.drop_index('ix_comment_email_hash_state')
        batch_op.create_index('ix_comment_body_fingerprint', ['body_fingerprint'], unique=False)
        batch_op.create_index('ix_comment_ip_hash', ['ip_hash'], unique=False)
        batch_op.create_index('ix_comment_email_hash', ['email_hash'], unique=False)
