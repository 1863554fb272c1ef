"""imports and readers' data rights

Revision ID: 5e7a1c3b9d20
Revises: a1c4e9d2b7f3
Create Date: 2026-12-03 07:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e7a1c3b9d20'
down_revision = 'a1c4e9d2b7f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('format', sa.String(length=20), nullable=False),
    sa.Column('file_name', sa.String(length=500), nullable=False),
    sa.Column('comment_count', sa.Integer(), nullable=False),
    sa.Column('teaches_spam', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('data_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('data_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_request_email_hash'), ['email_hash'], unique=False)

    op.create_table('erasure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('requested_by', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('comments_deleted', sa.Integer(), nullable=False),
    sa.Column('comments_replaced', sa.Integer(), nullable=False),
    sa.Column('subscriptions_removed', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('erasure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_erasure_created_at'), ['created_at'], unique=False)

    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('import_run_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('import_format', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('import_id', sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f('ix_comment_import_run_id'), ['import_run_id'], unique=False)
        batch_op.create_unique_constraint('uq_comment_import', ['import_format', 'import_id'])
        batch_op.create_foreign_key(
            'fk_comment_import_run_id_import_run', 'import_run', ['import_run_id'], ['id'],
            ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_constraint('fk_comment_import_run_id_import_run', type_='foreignkey')
        batch_op.drop_constraint('uq_comment_import', type_='unique')
        batch_op.drop_index(batch_op.f('ix_comment_import_run_id'))
        batch_op.drop_column('import_id')
        batch_op.drop_column('import_format')
        batch_op.drop_column('import_run_id')

    with op.batch_alter_table('erasure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_erasure_created_at'))
    op.drop_table('erasure')
    with op.batch_alter_table('data_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_data_request_email_hash'))
    op.drop_table('data_request')
    op.drop_table('import_run')
