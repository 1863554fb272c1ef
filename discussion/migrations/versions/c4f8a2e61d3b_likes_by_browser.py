"""a browser's likes by its hash, so that the widget's "mine" reads what the browser liked,
not every comment of the post

Revision ID: c4f8a2e61d3b
Revises: b7e2d51c9f08
Create Date: 2026-12-03 13:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c4f8a2e61d3b'
down_revision = 'b7e2d51c9f08'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_comment_like_browser', 'comment_like', ['browser_hash', 'comment_id'])


def downgrade():
    op.drop_index('ix_comment_like_browser', table_name='comment_like')
