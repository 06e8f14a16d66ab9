"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-22

All tables, the search indexes of each backend, the five roles and the
starting data dictionary.
"""
import datetime

from alembic import op
import sqlalchemy as sa
import crm_core.db.types


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None

# FTS5 trigram index over customers.search_text, kept in step by triggers.
SQLITE_FTS = [
    "CREATE VIRTUAL TABLE customers_fts USING fts5(search_text, content='customers', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER customers_fts_ai AFTER INSERT ON customers BEGIN "
    "INSERT INTO customers_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER customers_fts_ad AFTER DELETE ON customers BEGIN "
    "INSERT INTO customers_fts(customers_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER customers_fts_au AFTER UPDATE OF search_text ON customers BEGIN "
    "INSERT INTO customers_fts(customers_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO customers_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
]

# Frozen copies of the seed data as of this revision (later revisions change them with their own data).
ROLES = [
    ("admin", "系统管理员", "Administrator"), ("manager", "经理", "Manager"), ("sales", "销售", "Sales"),
    ("service", "客服", "Customer service"), ("engineer", "工程师", "Engineer"),
]
DICTIONARY = {
    "company_category": [("joint_stock", "股份有限公司", "Joint-stock company"), ("llc", "有限责任公司", "Limited company"),
                         ("partnership", "合伙企业", "Partnership"), ("sole", "个人独资企业", "Sole proprietorship")],
    "customer_type": [("enterprise", "企业客户", "Enterprise"), ("government", "政府机构", "Government"),
                      ("institution", "事业单位", "Public institution"), ("individual", "个人客户", "Individual")],
    "industry": [("manufacturing", "制造业", "Manufacturing"), ("retail", "零售", "Retail"), ("finance", "金融", "Finance"),
                 ("education", "教育", "Education"), ("healthcare", "医疗", "Healthcare"), ("government", "政府", "Government"),
                 ("it", "信息技术", "IT"), ("logistics", "物流", "Logistics"), ("catering", "餐饮", "Catering"),
                 ("real_estate", "房地产", "Real estate")],
    "source": [("trade_show", "展会推广", "Trade show"), ("online_ad", "线上广告", "Online ad"), ("referral", "转介绍", "Referral"),
               ("website", "官网咨询", "Website enquiry"), ("cold_call", "电话营销", "Cold call")],
    "followup_method": [("phone", "电话", "Phone"), ("meeting", "面谈", "Meeting"), ("email", "邮件", "E-mail"),
                        ("wechat", "微信", "WeChat"), ("visit", "上门拜访", "Visit")],
    "severity": [("critical", "严重", "Critical"), ("major", "一般", "Major"), ("minor", "轻微", "Minor")],
    "payment_method": [("bank_transfer", "银行转账", "Bank transfer"), ("cheque", "支票", "Cheque"), ("cash", "现金", "Cash"),
                       ("alipay", "支付宝", "Alipay"), ("wechat_pay", "微信支付", "WeChat Pay")],
}



def upgrade() -> None:
    op.create_table('code_sequences',
    sa.Column('key', sa.String(length=30), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_code_sequences'))
    )
    op.create_table('login_throttle',
    sa.Column('login', sa.String(length=50), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('locked_until', crm_core.db.types.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('login', name=op.f('pk_login_throttle'))
    )
    op.create_table('roles',
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name_zh', sa.String(length=50), nullable=False),
    sa.Column('name_en', sa.String(length=50), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_roles'))
    )
    op.create_table('users',
    sa.Column('login', sa.String(length=50), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=True),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('age', sa.Integer(), nullable=True),
    sa.Column('position', sa.String(length=50), nullable=True),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('home_address', sa.String(length=200), nullable=True),
    sa.Column('years_of_work', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=10), nullable=True),
    sa.Column('last_login_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('password_changed_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('deactivated_reason', sa.String(length=200), nullable=True),
    sa.Column('deactivated_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_users_created_by_id_users')),
    sa.ForeignKeyConstraint(['role'], ['roles.code'], name=op.f('fk_users_role_roles')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_users_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('login', name=op.f('uq_users_login')),
    sqlite_autoincrement=True,
    )
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_login', sa.String(length=50), nullable=True),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('module', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_log_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_log_module_record_id', ['module', 'record_id'], unique=False)

    op.create_table('custom_field_definitions',
    sa.Column('module', sa.String(length=40), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('label_zh', sa.String(length=100), nullable=False),
    sa.Column('label_en', sa.String(length=100), nullable=False),
    sa.Column('field_type', sa.String(length=20), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('max_length', sa.Integer(), nullable=True),
    sa.Column('choices_category', sa.String(length=40), nullable=True),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('deactivated_reason', sa.String(length=200), nullable=True),
    sa.Column('deactivated_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_custom_field_definitions_created_by_id_users')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_custom_field_definitions_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_custom_field_definitions')),
    sa.UniqueConstraint('module', 'key', name=op.f('uq_custom_field_definitions_module')),
    sqlite_autoincrement=True,
    )
    op.create_table('customers',
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=True),
    sa.Column('customer_type', sa.String(length=40), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('level', sa.String(length=1), nullable=True),
    sa.Column('industry', sa.String(length=40), nullable=True),
    sa.Column('source', sa.String(length=40), nullable=True),
    sa.Column('credit_code', sa.String(length=18), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('deactivated_reason', sa.String(length=200), nullable=True),
    sa.Column('deactivated_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_customers_created_by_id_users')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_customers_owner_id_users')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_customers_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customers')),
    sa.UniqueConstraint('code', name=op.f('uq_customers_code')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.create_index('ix_customers_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_customers_name', ['name'], unique=False)
        batch_op.create_index('ix_customers_owner_id_id', ['owner_id', 'id'], unique=False)
        batch_op.create_index('ix_customers_status', ['status'], unique=False)

    op.create_table('dictionary_entries',
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('label_zh', sa.String(length=100), nullable=False),
    sa.Column('label_en', sa.String(length=100), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('deactivated_reason', sa.String(length=200), nullable=True),
    sa.Column('deactivated_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_dictionary_entries_created_by_id_users')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_dictionary_entries_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dictionary_entries')),
    sa.UniqueConstraint('category', 'code', name=op.f('uq_dictionary_entries_category')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('dictionary_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dictionary_entries_category'), ['category'], unique=False)

    op.create_table('erasure_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('module', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_erasure_log_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erasure_log')),
    sqlite_autoincrement=True,
    )
    op.create_table('contacts',
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('position', sa.String(length=50), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('id_number', sa.String(length=18), nullable=True),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('erased_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('deactivated_reason', sa.String(length=200), nullable=True),
    sa.Column('deactivated_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_contacts_created_by_id_users')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_contacts_customer_id_customers')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_contacts_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contacts_customer_id'), ['customer_id'], unique=False)

    op.create_table('contracts',
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=True),
    sa.Column('signed_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('payment_due_on', sa.Date(), nullable=True),
    sa.Column('amount', crm_core.db.types.Money(precision=16, scale=2), nullable=False),
    sa.Column('party_a', sa.String(length=200), nullable=True),
    sa.Column('party_b', sa.String(length=200), nullable=True),
    sa.Column('delivery_status', sa.String(length=20), nullable=False),
    sa.Column('delivered_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('deactivated_reason', sa.String(length=200), nullable=True),
    sa.Column('deactivated_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_contracts_created_by_id_users')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_contracts_customer_id_customers')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_contracts_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contracts')),
    sa.UniqueConstraint('number', name=op.f('uq_contracts_number')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contracts_customer_id'), ['customer_id'], unique=False)

    op.create_table('custom_field_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('definition_id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['definition_id'], ['custom_field_definitions.id'], name=op.f('fk_custom_field_values_definition_id_custom_field_definitions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_custom_field_values')),
    sa.UniqueConstraint('definition_id', 'record_id', name=op.f('uq_custom_field_values_definition_id')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('custom_field_values', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_custom_field_values_record_id'), ['record_id'], unique=False)

    op.create_table('customer_search_grams',
    sa.Column('gram', sa.String(length=2), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_search_grams_customer_id_customers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('gram', 'customer_id', name=op.f('pk_customer_search_grams'))
    )
    op.create_table('customer_shares',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('shared_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('shared_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_shares_customer_id_customers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shared_by_id'], ['users.id'], name=op.f('fk_customer_shares_shared_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_customer_shares_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_shares')),
    sa.UniqueConstraint('customer_id', 'user_id', name=op.f('uq_customer_shares_customer_id')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('customer_shares', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_shares_user_id'), ['user_id'], unique=False)

    op.create_table('customer_status_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('changed_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('contract_number', sa.String(length=40), nullable=True),
    sa.Column('contract_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_customer_status_changes_changed_by_id_users')),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_customer_status_changes_contract_id_contracts')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_status_changes_customer_id_customers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_status_changes')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('customer_status_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_status_changes_customer_id'), ['customer_id'], unique=False)

    op.create_table('followups',
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('method', sa.String(length=40), nullable=True),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('next_step', sa.String(length=500), nullable=True),
    sa.Column('next_due_on', sa.Date(), nullable=True),
    sa.Column('next_done', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('deactivated_reason', sa.String(length=200), nullable=True),
    sa.Column('deactivated_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_followups_created_by_id_users')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_followups_customer_id_customers')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_followups_updated_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_followups_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followups')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('followups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followups_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_followups_user_id_next_due_on', ['user_id', 'next_due_on'], unique=False)

    op.create_table('needs',
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('need_type', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('priority', sa.String(length=10), nullable=False),
    sa.Column('solution', sa.Text(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('deactivated_reason', sa.String(length=200), nullable=True),
    sa.Column('deactivated_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_needs_created_by_id_users')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_needs_customer_id_customers')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_needs_owner_id_users')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_needs_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_needs')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_needs_customer_id'), ['customer_id'], unique=False)

    op.create_table('opportunities',
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('amount', crm_core.db.types.Money(precision=16, scale=2), nullable=True),
    sa.Column('expected_on', sa.Date(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('deactivated_reason', sa.String(length=200), nullable=True),
    sa.Column('deactivated_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_opportunities_created_by_id_users')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_opportunities_customer_id_customers')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_opportunities_owner_id_users')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_opportunities_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opportunities')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opportunities_customer_id'), ['customer_id'], unique=False)

    op.create_table('products',
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('product_version', sa.String(length=40), nullable=True),
    sa.Column('customization_notes', sa.Text(), nullable=True),
    sa.Column('backup_path', sa.String(length=500), nullable=True),
    sa.Column('manual_path', sa.String(length=500), nullable=True),
    sa.Column('license_code', sa.String(length=60), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('deactivated_reason', sa.String(length=200), nullable=True),
    sa.Column('deactivated_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_products_created_by_id_users')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_products_customer_id_customers')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_products_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_products')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_products_customer_id'), ['customer_id'], unique=False)

    op.create_table('submitters',
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('store', sa.String(length=100), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('deactivated_reason', sa.String(length=200), nullable=True),
    sa.Column('deactivated_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_submitters_created_by_id_users')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_submitters_customer_id_customers')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_submitters_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submitters')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('submitters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submitters_customer_id'), ['customer_id'], unique=False)

    op.create_table('contract_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('uploaded_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_contract_attachments_contract_id_contracts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_contract_attachments_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_attachments')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('contract_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contract_attachments_contract_id'), ['contract_id'], unique=False)

    op.create_table('licenses',
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('serial', sa.String(length=60), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('is_trial', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.String(length=500), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('deactivated_reason', sa.String(length=200), nullable=True),
    sa.Column('deactivated_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_licenses_created_by_id_users')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_licenses_customer_id_customers')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_licenses_product_id_products')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_licenses_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_licenses')),
    sa.UniqueConstraint('serial', name=op.f('uq_licenses_serial')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('licenses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_licenses_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_licenses_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_licenses_valid_until'), ['valid_until'], unique=False)

    op.create_table('payments',
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('amount', crm_core.db.types.Money(precision=16, scale=2), nullable=False),
    sa.Column('method', sa.String(length=40), nullable=True),
    sa.Column('handler', sa.String(length=50), nullable=True),
    sa.Column('account', sa.String(length=100), nullable=True),
    sa.Column('notes', sa.String(length=500), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('deactivated_reason', sa.String(length=200), nullable=True),
    sa.Column('deactivated_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_payments_contract_id_contracts')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_payments_created_by_id_users')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_payments_customer_id_customers')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_payments_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payments_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_customer_id'), ['customer_id'], unique=False)

    op.create_table('tickets',
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('submitter_id', sa.Integer(), nullable=True),
    sa.Column('feedback_type', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('severity', sa.String(length=40), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('engineer_id', sa.Integer(), nullable=True),
    sa.Column('city', sa.String(length=50), nullable=True),
    sa.Column('store', sa.String(length=100), nullable=True),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('satisfaction', sa.Integer(), nullable=True),
    sa.Column('resolved_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('deactivated_reason', sa.String(length=200), nullable=True),
    sa.Column('deactivated_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_tickets_created_by_id_users')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_tickets_customer_id_customers')),
    sa.ForeignKeyConstraint(['engineer_id'], ['users.id'], name=op.f('fk_tickets_engineer_id_users')),
    sa.ForeignKeyConstraint(['submitter_id'], ['submitters.id'], name=op.f('fk_tickets_submitter_id_submitters')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_tickets_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets')),
    sa.UniqueConstraint('number', name=op.f('uq_tickets_number')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tickets_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_engineer_id'), ['engineer_id'], unique=False)
        batch_op.create_index('ix_tickets_status_severity', ['status', 'severity'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_submitter_id'), ['submitter_id'], unique=False)

    op.create_table('licensed_machines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('license_id', sa.Integer(), nullable=False),
    sa.Column('machine_name', sa.String(length=100), nullable=False),
    sa.Column('fingerprint', sa.String(length=128), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('activated_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('released_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['license_id'], ['licenses.id'], name=op.f('fk_licensed_machines_license_id_licenses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_licensed_machines')),
    sa.UniqueConstraint('license_id', 'fingerprint', name=op.f('uq_licensed_machines_license_id')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('licensed_machines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_licensed_machines_license_id'), ['license_id'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', crm_core.db.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_notifications_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('ticket_log_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('at', crm_core.db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_ticket_log_entries_by_id_users')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_log_entries_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_log_entries')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('ticket_log_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_log_entries_ticket_id'), ['ticket_id'], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_customers_search_text_trgm ON customers USING gin (search_text gin_trgm_ops)")
    else:
        for sql in SQLITE_FTS:
            op.execute(sql)
    op.bulk_insert(sa.table("roles", sa.column("code"), sa.column("name_zh"), sa.column("name_en")), [
        {"code": c, "name_zh": zh, "name_en": en} for c, zh, en in ROLES])
    entries = sa.table("dictionary_entries", *(sa.column(c) for c in (
        "category", "code", "label_zh", "label_en", "sort_order", "version", "created_at", "updated_at", "is_active")))
    now = datetime.datetime.now(datetime.timezone.utc)
    op.bulk_insert(entries, [
        {"category": cat, "code": code, "label_zh": zh, "label_en": en, "sort_order": i, "version": 1,
         "created_at": now, "updated_at": now, "is_active": True}
        for cat, items in DICTIONARY.items() for i, (code, zh, en) in enumerate(items)])


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("customers_fts_ai", "customers_fts_ad", "customers_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS customers_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_customers_search_text_trgm")
    with op.batch_alter_table('ticket_log_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_log_entries_ticket_id'))

    op.drop_table('ticket_log_entries')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_notifications_status'))

    op.drop_table('notifications')
    with op.batch_alter_table('licensed_machines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_licensed_machines_license_id'))

    op.drop_table('licensed_machines')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tickets_submitter_id'))
        batch_op.drop_index('ix_tickets_status_severity')
        batch_op.drop_index(batch_op.f('ix_tickets_engineer_id'))
        batch_op.drop_index(batch_op.f('ix_tickets_customer_id'))

    op.drop_table('tickets')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_customer_id'))
        batch_op.drop_index(batch_op.f('ix_payments_contract_id'))

    op.drop_table('payments')
    with op.batch_alter_table('licenses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_licenses_valid_until'))
        batch_op.drop_index(batch_op.f('ix_licenses_product_id'))
        batch_op.drop_index(batch_op.f('ix_licenses_customer_id'))

    op.drop_table('licenses')
    with op.batch_alter_table('contract_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_attachments_contract_id'))

    op.drop_table('contract_attachments')
    with op.batch_alter_table('submitters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submitters_customer_id'))

    op.drop_table('submitters')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_products_customer_id'))

    op.drop_table('products')
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opportunities_customer_id'))

    op.drop_table('opportunities')
    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_needs_customer_id'))

    op.drop_table('needs')
    with op.batch_alter_table('followups', schema=None) as batch_op:
        batch_op.drop_index('ix_followups_user_id_next_due_on')
        batch_op.drop_index(batch_op.f('ix_followups_customer_id'))

    op.drop_table('followups')
    with op.batch_alter_table('customer_status_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_status_changes_customer_id'))

    op.drop_table('customer_status_changes')
    with op.batch_alter_table('customer_shares', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_shares_user_id'))

    op.drop_table('customer_shares')
    op.drop_table('customer_search_grams')
    with op.batch_alter_table('custom_field_values', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_custom_field_values_record_id'))

    op.drop_table('custom_field_values')
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contracts_customer_id'))

    op.drop_table('contracts')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_customer_id'))

    op.drop_table('contacts')
    op.drop_table('erasure_log')
    with op.batch_alter_table('dictionary_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dictionary_entries_category'))

    op.drop_table('dictionary_entries')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_index('ix_customers_status')
        batch_op.drop_index('ix_customers_owner_id_id')
        batch_op.drop_index('ix_customers_name')
        batch_op.drop_index('ix_customers_created_at')

    op.drop_table('customers')
    op.drop_table('custom_field_definitions')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_module_record_id')
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))
        batch_op.drop_index(batch_op.f('ix_audit_log_actor_id'))

    op.drop_table('audit_log')
    op.drop_table('users')
    op.drop_table('roles')
    op.drop_table('login_throttle')
    op.drop_table('code_sequences')
