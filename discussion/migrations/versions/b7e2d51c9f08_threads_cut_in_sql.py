"""indexes for a thread cut in SQL: its counts, its top-level comments in each order and
those not visible

Revision ID: b7e2d51c9f08
Revises: d3ab4756bca5
Create Date: 2026-12-03 12:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e2d51c9f08'
down_revision = 'd3ab4756bca5'
branch_labels = None
depends_on = None

TOP_LEVEL = 'parent_id IS NULL'
TOP_HIDDEN = "parent_id IS NULL AND state != 'APPROVED'"


def upgrade():
    # (question_id, state, parent_id) begins with question_id: it serves that index's lookups.
    op.drop_index('ix_comment_question_id', table_name='comment')
    op.create_index(
        'ix_comment_question_state_parent', 'comment', ['question_id', 'state', 'parent_id']
    )
    op.create_index(
        'ix_comment_top_created', 'comment', ['question_id', 'created_at', 'id'],
        postgresql_where=sa.text(TOP_LEVEL), sqlite_where=sa.text(TOP_LEVEL),
    )
    op.create_index(
        'ix_comment_top_liked', 'comment',
        ['question_id', sa.text('like_count DESC'), 'created_at', 'id'],
        postgresql_where=sa.text(TOP_LEVEL), sqlite_where=sa.text(TOP_LEVEL),
    )
    op.create_index(
        'ix_comment_top_hidden', 'comment', ['question_id', 'id'],
        postgresql_where=sa.text(TOP_HIDDEN), sqlite_where=sa.text(TOP_HIDDEN),
    )


def downgrade():
    op.drop_index('ix_comment_top_hidden', table_name='comment')
    op.drop_index('ix_comment_top_liked', table_name='comment')
    op.drop_index('ix_comment_top_created', table_name='comment')
    op.drop_index('ix_comment_question_state_parent', table_name='comment')
    op.create_index('ix_comment_question_id', 'comment', ['question_id'])
