"""spam training record and the model version behind each score

Revision ID: 5e1c0a7f3b21
Revises: 5e7a1c3b9d20
Create Date: 2026-12-03 07:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5e1c0a7f3b21'
down_revision = '5e7a1c3b9d20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('spam_training',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.Column('trained_at', sa.DateTime(), nullable=False),
    sa.Column('site_decisions', sa.Integer(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.Column('shipped_precision', sa.Float(), nullable=False),
    sa.Column('shipped_recall', sa.Float(), nullable=False),
    sa.Column('shipped_f1', sa.Float(), nullable=False),
    sa.Column('shipped_ham_fpr', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('version')
    )
    with op.batch_alter_table('spam_training', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spam_training_trained_at'), ['trained_at'], unique=False)

    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('spam_model_version', sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_column('spam_model_version')

    with op.batch_alter_table('spam_training', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_spam_training_trained_at'))

    op.drop_table('spam_training')
