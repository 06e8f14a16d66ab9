"""客户信息: customers, their status workflow, sharing, search index and privacy erasure."""

from __future__ import annotations

import math
import re
import time
from collections.abc import Mapping
from typing import Any

from sqlalchemy import (ColumnElement, Integer, Select, and_, bindparam, case, cast, column, delete, func, or_,
                        select, table, text)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.util import identity_key
from sqlalchemy.orm.attributes import set_committed_value

from crm_core.errors import ErrorCollector, FieldError, PermissionDenied, ValidationError
from crm_core.i18n import Text
from crm_core.metadata import EntitySpec, Field, FieldType as T
from crm_core.models import (Contract, Customer, CustomerSearchGram, CustomerShare,
                             CustomerStatusChange, User)
from crm_core.modules.choices import CUSTOMER_STATUS, LEVEL
from crm_core.permissions import Action, Scope, rights, scope_of, sees
from crm_core.services import search_index
from crm_core.services.query import SortKey
from crm_core.services.codes import next_code
from crm_core.services.duplicates import CustomerDuplicatesMixin
from crm_core.services.entity import EntityService
from crm_core.services.merging import CustomerMergeMixin

_OWN = Scope.OWN  # read once: an enum member read through its class is slow on 3.11 (every imported row asks)

SPEC = EntitySpec(
    module="customers",
    label=Text("客户", "Customer"),
    model=Customer,
    fields=(
        Field("code", Text("客户编码", "Customer code"), read_only=True),
        Field("name", Text("公司名称", "Company name"), required=True, max_length=100,
              aliases=("客户名称", "客户全称", "公司全称", "企业名称", "单位名称", "客户", "公司", "客户名", "公司名",
                       "客户公司", "单位", "Customer", "Customer name", "Company", "Account", "Account name")),
        Field("category", Text("公司类别", "Company category"), T.CHOICE, dictionary="company_category",
              aliases=("公司类型", "企业类型", "企业性质", "Company type")),
        Field("customer_type", Text("客户类型", "Customer type"), T.CHOICE, dictionary="customer_type", in_grid=False,
              aliases=("客户分类", "Type")),
        Field("status", Text("客户状态", "Status"), T.CHOICE, choices=CUSTOMER_STATUS, read_only=True),
        Field("level", Text("重要级别", "Importance"), T.CHOICE, choices=LEVEL,
              aliases=("客户等级", "客户级别", "等级", "级别", "重要程度", "Level", "Grade", "Customer level", "Rating")),
        Field("industry", Text("所属行业", "Industry"), T.CHOICE, dictionary="industry",
              aliases=("行业", "行业类别", "行业类型", "行业分类", "Sector")),
        Field("source", Text("客户来源", "Source"), T.CHOICE, dictionary="source",
              aliases=("来源", "渠道", "客户渠道", "获客渠道", "来源渠道", "信息来源", "Lead source", "Channel")),
        Field("credit_code", Text("统一社会信用代码", "Unified social credit code"), T.CREDIT_CODE, in_grid=False,
              aliases=("信用代码", "社会信用代码", "统一信用代码", "纳税人识别号", "税号", "Credit code", "USCC")),
        Field("address", Text("地址", "Address"), max_length=200, in_grid=False, personal=True,
              aliases=("公司地址", "详细地址", "办公地址", "通讯地址", "Company address")),
        Field("phone", Text("电话", "Phone"), T.PHONE, max_length=30, sensitive="phone", personal=True,
              aliases=("联系电话", "公司电话", "电话号码", "座机", "固话", "办公电话", "Tel", "Telephone",
                       "Phone number"),
              alone_aliases=("联系方式",)),  # next to 联系人/职务 it is the contact's mobile
        Field("email", Text("邮箱", "Email"), T.EMAIL, max_length=254, personal=True,
              aliases=("Email", "E-mail", "电子邮件", "电子邮箱", "邮件", "公司邮箱", "邮箱地址", "E-mail地址", "Mail",
                       "Email address")),
        Field("owner_id", Text("跟进人", "Owner"), T.REF, ref="users", pick="owner",
              aliases=("负责人", "客户经理", "业务员", "销售", "销售员", "归属人", "负责销售", "所属销售", "销售代表",
                       "Account owner", "Sales rep")),
        Field("notes", Text("备注", "Notes"), T.MULTILINE, max_length=2000, in_grid=False,
              aliases=("说明", "备注信息", "备注说明", "Remarks", "Remark", "Note", "Comments", "Memo")),
    ),
    title_field="name",
    unique=("code",),
    owner_field="owner_id",
    companion="contacts",
    # 公司类别 and 客户来源 matter for reports and filters (the filter bar still offers them).
    secondary_columns=("category", "source"),
    # Measured at 200,000 customers (docs/performance.md, "Sorts the grid offers"): these four
    # read their first page from an index as admin and as a salesperson; every other column
    # needs a sort of all his rows (0.1-2.5 s), and two indexes each (NULLs last both ways).
    grid_sorts=("code", "name", "status", "created_at", "id"),
)

# Allowed status moves (客户状态). "won" needs a contract as evidence.
TRANSITIONS: dict[str, set[str]] = {
    "prospect": {"interested", "won", "lost"},
    "interested": {"prospect", "won", "lost"},
    "won": {"lost"},
    "lost": {"reactivated"},
    "reactivated": {"interested", "won", "lost"},
}
# A search word's matches are counted up to this many (see _search_condition, _common_from).
SEARCH_BOUND = 8000
# A search word found in this many of the newest SAMPLE_ROWS customers is common without counting.
SAMPLE_ROWS, CLEARLY_COMMON = 200, 10
# A salesperson owning more customers than this has his pages read along the sort order (_scope_branches).
OWNER_BOUND = 2000
# Up to this many customers shared with him are read and sorted for each page (_scope_branches).
SHARE_BOUND = 200
# How long a session trusts those two counts (they choose the plan, not the rows).
SCOPE_SIZES_SECONDS = 60.0
# The fields the search index is derived from (besides contacts).
SEARCHED_FIELDS = frozenset({"code", "name", "phone", "email"})



def _common_from(rows: int) -> int:
    """How many matches make a search word "common" in a table of about ``rows`` customers.

    A rare word's matches are read and sorted: the cost grows with their number
    m. A common word is tested row by row along the sort order, about
    page × rows / m rows for a page. The two meet near sqrt(page × rows) (page
    about 50; a tested row costs about as much as a row read and sorted, measured
    on both databases at 200,000 customers): 3,600 at 200,000 customers, 8,000
    at a million.
    """
    return min(SEARCH_BOUND, max(1000, math.isqrt(64 * max(rows, 0))))

def _after_prefix(word: str) -> str:
    """The least string above every string that starts with ``word`` (code point order)."""
    for i in range(len(word) - 1, -1, -1):
        code = ord(word[i]) + 1
        if code == 0xD800:
            code = 0xE000  # surrogates are no characters of a stored name
        if code <= 0x10FFFF:
            return word[:i] + chr(code)
    return "\U0010ffff" * 101  # beyond every name (at most 100 characters)


def _status_label(code: str | None) -> Text:
    for c in CUSTOMER_STATUS:
        if c.code == code:
            return c.label
    return Text(str(code), str(code))


class CustomerService(CustomerDuplicatesMixin, CustomerMergeMixin, EntityService):
    spec = SPEC
    list_deferred = ("search_text",)

    # --- row scope --------------------------------------------------------

    def owned_condition(self) -> ColumnElement[bool]:
        """Customers the actor owns or that were shared with him."""
        uid = self.ctx.actor.user_id
        return or_(Customer.owner_id == uid,
                   Customer.id.in_(select(CustomerShare.customer_id).where(CustomerShare.user_id == uid)))

    def _scope_condition(self) -> ColumnElement[bool]:
        if scope_of(self.ctx.actor.role, "customers") is Scope.ALL:
            return super()._scope_condition()
        return self.owned_condition()

    def _scope_branches(self, s: Session, keys: list[SortKey] | None = None) -> list[tuple[ColumnElement[bool], bool]] | None:
        """Own customers and shared ones (ix_customer_shares_user_id_customer_id), each page read by index.

        A salesperson with few customers gets them through ix_customers_owner_id_id
        (then sorted: few rows). One with many, in id, name or creation order, walks
        ix_customers_owner_id_id / _name_id / _created_at_id: they hold his customers
        in that order, so a page reads exactly its rows however his customers lie in
        the table. In another order all of them would be sorted for every page; for
        him the owner test is applied row by row while the sort order's index is
        walked, which meets his customers often when they are spread over the table.
        """
        plan = self._branch_plan(s, keys)
        if plan is None:
            return None
        few, few_shares, walked = plan
        uid = self.ctx.actor.user_id
        shared = Customer.id.in_(select(CustomerShare.customer_id).where(CustomerShare.user_id == uid))
        if walked:
            # walked in (owner_id, [name | created_at,] id) order: no sort, no row of another owner read
            own = Customer.owner_id == uid
        else:
            # "+ 0" keeps both planners off the owner index for a big owner
            own = Customer.owner_id == uid if few else (Customer.owner_id + 0) == uid
        # Few shares: read them, then sort; many: the planner walks the sort order (measured at 100k: 1,000
        # shares read and sorted cost 15 ms a page on PostgreSQL).
        return [(own, few),
                (and_(shared, or_(Customer.owner_id != uid, Customer.owner_id.is_(None))), few_shares)]

    def _branch_plan(self, s: Session, keys: list[SortKey] | None) -> tuple[bool, bool, bool] | None:
        """How :meth:`_scope_branches` reads the scope: None (all customers), else (few own, few shared, walked)."""
        if scope_of(self.ctx.actor.role, "customers") is Scope.ALL:
            return None
        few, few_shares = self._scope_sizes(s, self.ctx.actor.user_id)
        walked = not few and keys is not None and [k.column.key for k in keys][:-1] in ([], ["name"], ["created_at"])
        return few, few_shares, walked

    def _scope_plan(self, s: Session, keys: list[SortKey]) -> Any:
        return (*super()._scope_plan(s, keys), self._branch_plan(s, keys))

    def _scope_sizes(self, s: Session, uid: int) -> tuple[bool, bool]:
        """(owns few customers, has few shared with him), read at most every SCOPE_SIZES_SECONDS.

        Only the plan depends on them, never which rows a page holds: a figure a minute
        old costs at worst a slower page, so a session does not re-count for every page.
        """
        cached = getattr(self, "_sizes", None)
        now = time.monotonic()
        if cached is None or cached[0] != uid or now - cached[1] > SCOPE_SIZES_SECONDS:
            own = select(func.count()).select_from(
                select(Customer.id).where(Customer.owner_id == uid).limit(OWNER_BOUND + 1).subquery())
            shares = select(func.count()).select_from(
                select(CustomerShare.id).where(CustomerShare.user_id == uid).limit(SHARE_BOUND + 1).subquery())
            own_rows, share_rows = s.execute(select(own.scalar_subquery(), shares.scalar_subquery())).one()
            cached = self._sizes = (uid, now, own_rows <= OWNER_BOUND, share_rows <= SHARE_BOUND)
        return cached[2], cached[3]

    def display_expression(self, record_id: Any) -> Any:
        target = aliased(Customer)
        return select(target.name + " (" + target.code + ")").where(target.id == record_id).scalar_subquery()

    def display_names(self, s: Session, ids: set[int]) -> dict[int, str]:
        return {i: f"{name} ({code})" for i, code, name in
                s.execute(select(Customer.id, Customer.code, Customer.name).where(Customer.id.in_(ids)))}

    # --- rules ------------------------------------------------------------

    def _validate(self, s: Session, values: dict[str, Any], obj: Any, errors: ErrorCollector) -> None:
        owner = values.get("owner_id")
        me = self.ctx.actor.user_id
        if rights(self.ctx.actor.role).scope is _OWN:
            previous = obj.owner_id if obj is not None else me
            if owner != previous and owner != me:
                errors.add("owner_id", "owner_scope", Text("跟进人：只有管理员或经理可以把客户分配给他人",
                                                           "Owner: only an administrator or manager can assign customers to others"))
        if owner is None:
            errors.add("owner_id", "required", Text("跟进人：不能为空", "Owner: is required"))

    def _before_insert(self, s: Session, obj: Customer, values: dict[str, Any]) -> None:
        obj.code = next_code(s, "C")
        obj.status = "prospect"

    def _after_insert(self, s: Session, obj: Customer) -> None:
        s.add(CustomerStatusChange(customer_id=obj.id, from_status=None, to_status="prospect",
                                   changed_by_id=self.ctx.actor.user_id))

    def _after_write(self, s: Session, obj: Customer, changed: dict[str, Any]) -> None:
        # On insert ``changed`` is every field; an update of other fields leaves the index alone.
        if changed.keys() & SEARCHED_FIELDS:
            self.refresh_search(s, obj.id)

    def _after_update_many(self, s: Session, updated: list[tuple[Any, dict[str, Any], Any]]) -> None:
        # _after_write's rule for many customers: one refresh of those whose searched fields changed
        ids = [obj.id for obj, changed, _ in updated if changed.keys() & SEARCHED_FIELDS]
        if ids:
            search_index.refresh(s, ids)

    # --- status workflow --------------------------------------------------

    def change_status(self, customer_id: int, status: str, *, version: int,
                      contract_number: str | None = None, note: str | None = None) -> dict[str, Any]:
        """Move a customer to ``status``, recording who and when (客户状态变更记录).

        Becoming 成交客户 (won) needs ``contract_number``: a contract of this customer.

        Raises:
            ValidationError: the move is not allowed, or the evidence is missing or wrong.
        """
        self._require(Action.UPDATE)
        with self.ctx.db.unit_of_work(write=True) as s:
            obj = self._load(s, customer_id, for_update=True)
            self._check_version(s, obj, version)
            self._ensure_active(obj)
            self._change_status_in(s, obj, status, contract_number, note)
            self._commit(s, obj)
            return self._records(s, [obj])[0]

    def change_status_many(self, records: Mapping[int, int], status: str, *,
                           note: str | None = None) -> list[dict[str, Any]]:
        """Bulk status change, all or nothing (errors carry the row index).

        Args:
            records: customer id -> the version the caller shows; a changed one is a ``conflict`` error.
        """
        self._require(Action.UPDATE)
        with self.ctx.db.unit_of_work(write=True) as s:
            objs = self._load_versions(s, records)
            for i, obj in enumerate(objs):
                try:
                    self._ensure_active(obj)
                    self._change_status_in(s, obj, status, None, note)
                except ValidationError as exc:
                    raise ValidationError([FieldError(e.field, e.code, e.message, row=i) for e in exc.errors]) from None
            self._commit(s)
            return self._records(s, objs)

    def _change_status_in(self, s: Session, obj: Customer, status: str, contract_number: str | None,
                          note: str | None) -> None:
        old = obj.status
        if status not in TRANSITIONS.get(old, set()):
            frm, to = _status_label(old), _status_label(status)
            raise ValidationError([FieldError("status", "transition", Text(
                f"客户状态：不能从“{frm.zh}”改为“{to.zh}”", f"Status: cannot change from '{frm.en}' to '{to.en}'"))])
        contract = None
        if status == "won":
            number = (contract_number or "").strip()
            if not number:
                raise ValidationError([FieldError("contract_number", "required", Text(
                    "合同编号：改为成交客户需要填写该客户的合同编号", "Contract number: a won customer needs one of its contract numbers"))])
            contract = s.scalar(select(Contract).where(Contract.number == number, Contract.customer_id == obj.id))
            if contract is None:
                raise ValidationError([FieldError("contract_number", "not_found", Text(
                    f"合同编号：该客户没有编号为“{number}”的合同", f"Contract number: this customer has no contract '{number}'"))])
            if not contract.is_active:
                raise ValidationError([FieldError("contract_number", "inactive", Text(
                    f"合同编号：合同“{number}”已失效，不能作为成交依据",
                    f"Contract number: contract '{number}' is deactivated and cannot prove a sale"))])
        obj.status = status
        self._touch(obj)
        s.add(CustomerStatusChange(customer_id=obj.id, from_status=old, to_status=status,
                                   changed_by_id=self.ctx.actor.user_id,
                                   contract_number=contract.number if contract else None,
                                   contract_id=contract.id if contract else None, note=(note or None)))
        self._audit(s, "status", obj.id, {"status": old},
                    {"status": status, "contract_number": contract.number if contract else None})

    def status_history(self, customer_id: int) -> list[dict[str, Any]]:
        """The customer's status changes, oldest first, with the operator's name."""
        self._require(Action.READ)
        with self.ctx.db.unit_of_work(write=False) as s:
            self._load(s, customer_id)
            rows = s.execute(select(CustomerStatusChange, User.name).outerjoin(
                User, User.id == CustomerStatusChange.changed_by_id).where(
                CustomerStatusChange.customer_id == customer_id).order_by(CustomerStatusChange.id))
            return [{"from_status": c.from_status, "to_status": c.to_status, "changed_at": c.changed_at,
                     "changed_by_id": c.changed_by_id, "changed_by": name,
                     "contract_number": c.contract_number, "note": c.note} for c, name in rows]

    # --- sharing ----------------------------------------------------------

    def share(self, customer_id: int, user_id: int) -> None:
        """Share a customer with another user (admins and managers)."""
        self._require_all_scope()
        with self.ctx.db.unit_of_work(write=True) as s:
            self._load(s, customer_id)
            if s.get(User, user_id) is None:
                raise ValidationError([FieldError("user_id", "not_found", Text("用户：不存在", "User: does not exist"))])
            if s.scalar(select(CustomerShare.id).where(CustomerShare.customer_id == customer_id,
                                                       CustomerShare.user_id == user_id)) is None:
                s.add(CustomerShare(customer_id=customer_id, user_id=user_id, shared_by_id=self.ctx.actor.user_id))
                self._audit(s, "share", customer_id, None, {"user_id": user_id})
            self._commit(s)

    def unshare(self, customer_id: int, user_id: int) -> None:
        """Stop sharing a customer with a user."""
        self._require_all_scope()
        with self.ctx.db.unit_of_work(write=True) as s:
            self._load(s, customer_id)
            removed = s.execute(delete(CustomerShare).where(CustomerShare.customer_id == customer_id,
                                                            CustomerShare.user_id == user_id)).rowcount
            if removed:  # nothing to log when it was not shared
                self._audit(s, "unshare", customer_id, {"user_id": user_id}, None)
            self._commit(s)

    def _require_all_scope(self) -> None:
        self._require(Action.UPDATE)
        if rights(self.ctx.actor.role).scope is not Scope.ALL:
            raise PermissionDenied(Text("只有管理员或经理可以共享客户。", "Only an administrator or manager can share customers."))

    # --- search -----------------------------------------------------------

    def refresh_search(self, s: Session, customer_id: int, *, without_contact: int | None = None) -> None:
        """Bring the customer's search text and 2-character index entries up to date.

        Writes only what changed (see :func:`crm_core.services.search_index.refresh`).

        Args:
            without_contact: a contact about to be deleted, left out of the index.
        """
        search_index.refresh(s, customer_id, without_contact=without_contact)
        c = s.identity_map.get(identity_key(Customer, customer_id))
        if c is not None:  # keep the loaded row in step with what was written past the ORM
            text_now = s.scalar(select(Customer.__table__.c.search_text).where(Customer.__table__.c.id == customer_id))
            set_committed_value(c, "search_text", text_now)

    def _gram_kinds(self, word: str) -> tuple[str, ...]:
        """The kinds of 2-character entries ``word`` may match for the actor: never what he may not read.

        Phone entries hold digit pairs only: a word with another character cannot be one
        (half the look-ups for a Chinese or Latin pair).
        """
        role = self.ctx.actor.role
        kinds = [search_index.NAME, search_index.START]
        reads_contacts = rights(role).may("contacts", Action.READ)
        if reads_contacts:
            kinds.append(search_index.CONTACT_NAME)
        if sees(role, "phone") and re.fullmatch(r"\d\d", word):  # the digits of search_index.digits
            kinds.append(search_index.PHONE)
            if reads_contacts:
                kinds.append(search_index.CONTACT_PHONE)
        return tuple(kinds)

    def _search_condition(self, s: Session, term: str) -> ColumnElement[bool]:
        """Every word of ``term`` (ANDed), planned together (PERFORMANCE.md, "Search over 1M customers").

        One query counts each word's matches through its index (up to
        ``SEARCH_BOUND`` + 1; kept a minute per session, see :meth:`_word_counts`).
        The rarest word drives: if it is not common (see :func:`_common_from`),
        its matches are read, those the other words also match are kept (each
        tested on these rows only) and the page becomes that list of ids, read by
        key and sorted (few rows, whatever the sort order, scope or filters). On
        PostgreSQL the page's statement reads them itself (an array computed
        once); on SQLite a second query does. If every word is common, each becomes a
        test the page query applies row by row while it walks the sort order's
        index: common words meet a page of matches after a few hundred rows.
        Either way no query reads every match of a common word, nor every row for
        a rare one.
        """
        words = self._search_words(term)
        counts, top = self._word_counts(s, words)
        order = sorted(range(len(words)), key=counts.__getitem__)  # rarest first
        driver = order[0]
        if counts[driver] > _common_from(top or 0):
            # Every word is common: each is tested row by row along the sort order, the
            # rarest first (both planners keep the order of equally cheap tests).
            return and_(*(self._word_test(*words[i]) for i in order))
        word, plain = words[driver]
        postgresql = self.ctx.db.backend == "postgresql"
        if postgresql and len(word) == 2 and not plain and all(len(words[i][0]) == 2 and not words[i][1]
                                                               for i in order[1:]):
            # Only pairs (a city and a name fragment: "杭州 星辰"): the other words are tested on
            # the rare word's index entries themselves, each through the other pair's key, without
            # reading the customers first (a heap read per candidate, half the cost at 1M rows).
            ids = self._word_ids(word)
            ids = ids.where(*(self._word_test(*words[i], of=ids.selected_columns[0]) for i in order[1:]))
        else:
            others = [self._word_test(*words[i]) for i in order[1:]]
            if plain:
                others.append(self._plain_condition(word))
            ids = self._word_ids(word)
            if others:
                # the other words tested on the rare word's rows only
                ids = select(Customer.id).where(Customer.id.in_(ids), *others)
        if postgresql:
            # The ids gathered by the page's own statement (an array computed once, then read
            # by key, as a parameter would be): no round trip to fetch them and send them back.
            found = ids.subquery()
            agg = cast(select(func.array_agg(found.c[0])).scalar_subquery(), ARRAY(Integer))  # an array, not a row set
            return Customer.id == func.any(agg)
        return self._id_list(sorted(set(s.scalars(ids))))

    def _search_words(self, term: str) -> list[tuple[str, bool]]:
        """The words of ``term``: (word, also matched against what the role reads)."""
        role = self.ctx.actor.role
        # The index (search_text, the FTS table) holds phone digits and contact names: matching
        # it alone would let a role that reads phones masked, or may not read contacts, probe
        # them digit by digit. For such roles the index only narrows the rows and what they can
        # read decides; their 2-character look-ups use only the gram kinds they may read.
        restricted = not sees(role, "phone") or not rights(role).may("contacts", Action.READ)
        words: list[tuple[str, bool]] = []
        for word in term.split():
            if len(word) < 2:
                continue
            plain = restricted and len(word) > 2
            if not plain and re.fullmatch(r"[\d\-\s()+]+", word) and len(re.sub(r"\D", "", word)) >= 3:
                word = re.sub(r"\D", "", word)  # phone fragments match however they were typed
            if (word, plain) not in words:
                words.append((word, plain))
        if not words:
            # "星 辰": only single characters, which no index serves; matching everything would mislead.
            raise ValidationError([FieldError("search", "too_short", Text(
                "搜索：每个词请至少输入 2 个字符", "Search: type at least 2 characters per word"))])
        return words

    def _word_counts(self, s: Session, words: list[tuple[str, bool]]) -> tuple[list[int], int]:
        """Each word's matches counted up to SEARCH_BOUND + 1, and the highest customer id.

        One statement: each word's matches counted through its index and the size of the
        table, which sets where "common" starts (_common_from). A word that matches many of
        the newest customers is common without counting: PostgreSQL's bitmap scans read every
        entry of a word ("00", "co") before the LIMIT stops them (a pair is sampled from its own
        key over the newest ids, no customer read: see ``sampled``). Kept for SCOPE_SIZES_SECONDS
        per session and set of words: they choose the plan, never the rows, and the grid asks
        for the same search's page and count one after the other.
        """
        key = (tuple(w for w, _ in words), self._gram_kinds(""), self._gram_kinds("00"))
        cache: dict[Any, tuple[float, list[int], int]] = self.__dict__.setdefault("_word_counts_cache", {})
        now = time.monotonic()
        hit = cache.get(key)
        if hit is not None and now - hit[0] <= SCOPE_SIZES_SECONDS:
            return hit[1], hit[2]
        newest = Customer.id.in_(select(Customer.id).order_by(Customer.id.desc()).limit(SAMPLE_ROWS))
        grams = CustomerSearchGram.__table__
        top_id = select(func.max(Customer.id)).scalar_subquery()

        def sampled(w: str) -> Any:
            if len(w) == 2:
                # The pair's own index entries among the newest ids: one short range of the key
                # per kind, instead of reading the newest customers and probing the key for each.
                return select(func.count(grams.c.customer_id.distinct())).where(
                    grams.c.gram == w, grams.c.kind.in_(self._gram_kinds(w)),
                    grams.c.customer_id > top_id - SAMPLE_ROWS).scalar_subquery()
            return select(func.count()).where(newest, self._word_test(w, False)).scalar_subquery()

        counted = [case((sampled(w) >= CLEARLY_COMMON, SEARCH_BOUND + 1),
                        else_=select(func.count()).select_from(self._word_ids(w).limit(SEARCH_BOUND + 1).subquery())
                        .scalar_subquery()) for w, _ in words]
        *counts, top = s.execute(select(*counted, top_id)).one()
        if len(cache) >= 64:
            cache.clear()  # a session's recent searches; no need for more
        cache[key] = (now, list(counts), int(top or 0))
        return list(counts), int(top or 0)

    def _id_list(self, ids: list[int]) -> ColumnElement[bool]:
        """``customers.id`` among these (a few thousand at most), read by key on both databases."""
        if self.ctx.db.backend == "postgresql":
            # one array parameter rather than thousands
            return Customer.id == func.any(bindparam("search_ids", ids, type_=ARRAY(Integer), unique=True))
        return Customer.id.in_(ids)

    def _plain_condition(self, word: str) -> ColumnElement[bool]:
        """A word in the code, name or e-mail (no index; for roles the index would tell secrets)."""
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return or_(*(c.ilike(pattern, escape="\\") for c in (Customer.code, Customer.name, Customer.email)))

    def _word_ids(self, word: str) -> Select:
        """The ids of the customers ``word`` matches, read through its index (duplicates possible)."""
        if len(word) == 2:
            # Trigram indexes cannot serve 2 characters: the bigram table (pk_customer_search_grams).
            grams = CustomerSearchGram.__table__
            return select(grams.c.customer_id).where(grams.c.gram == word, grams.c.kind.in_(self._gram_kinds(word)))
        if self.ctx.db.backend == "sqlite":
            phrase = '"' + word.replace('"', '""') + '"'
            fts = table("customers_fts", column("rowid"))
            return select(fts.c.rowid).where(text("customers_fts MATCH :q").bindparams(q=phrase))
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        # served by the pg_trgm GIN index
        return select(Customer.id).where(Customer.search_text.like(f"%{escaped}%", escape="\\"))

    def _word_test(self, word: str, plain: bool, *, of: Any = None) -> ColumnElement[bool]:
        """``word`` tested on one row at a time (no index can list a common word's rows in the sort order).

        Args:
            of: the customer id to test (a 2-character word only; default ``customers.id``).
        """
        if len(word) == 2:
            grams = CustomerSearchGram.__table__
            if of is not None:  # an id read from the grams themselves: the probe reads another instance
                grams, tested = grams.alias("other_word"), of
            else:
                tested = Customer.id
            kinds = self._gram_kinds(word)
            starts: ColumnElement[bool] | None = None
            if of is None and search_index.starts_with(word):
                # A name's first pair (kind s) is the start of the row's own name: tested on it,
                # no look-up (a name starting with the word has it as s or n; s only then).
                kinds = tuple(k for k in kinds if k != search_index.START)
                starts = self._starts_with(word)
            cond: ColumnElement[bool]
            if self.ctx.db.backend == "sqlite":  # one look-up of (gram, kind, customer_id) per kind
                cond = select(grams.c.customer_id).where(grams.c.gram == word, grams.c.kind.in_(kinds),
                                                         grams.c.customer_id == tested).exists()
            else:
                # PostgreSQL reads all the customer's entries through ix_customer_search_grams_customer_id
                # for "kind IN (...)": one test of the whole key per kind. OFFSET 0: it would otherwise
                # turn the test into a join that reads every match of the word (a hash or a sort of
                # them) before the first row.
                cond = or_(*(select(grams.c.customer_id).where(grams.c.gram == word, grams.c.kind == kind,
                                                               grams.c.customer_id == tested).offset(0).exists()
                             for kind in kinds))
            if starts is not None:
                cond = or_(starts, cond)
        elif self.ctx.db.backend == "sqlite":
            cond = func.instr(Customer.search_text, word) > 0
        else:
            cond = func.strpos(Customer.search_text, word) > 0
        return and_(cond, self._plain_condition(word)) if plain else cond

    @staticmethod
    def _starts_with(word: str) -> ColumnElement[bool]:
        """The name starts with ``word`` as typed (its first two characters, compared as stored)."""
        return func.substr(Customer.name, 1, 2) == word

    # --- a name-sorted search for a word names start with -------------------

    def _search_branches(self, s: Session, term: str, keys: list[SortKey]) -> list[tuple[ColumnElement[bool], bool]] | None:
        """The search as two disjoint parts when the page is in name order and a common word is
        mostly the start of the names it matches (a city: "青岛星辰科技有限公司"), else None.

        The customers whose name starts with the word are one range of ``ix_customers_name``
        (every one of them matches): walked in name order, each page reads its own rows. The
        word's other matches are its index entries of kinds other than ``s``: few of them
        (counted up to the bound, see :meth:`_besides_counts`), read by key and sorted. The
        page is the first rows of the two (see ``ListingMixin._page_statement``). Walking the
        name order testing each row instead (the plan for a common word) reads every name
        before the city's first, and for its last page every name after it.
        """
        if keys[0].column.key != "name" or not self._binary_names(s):
            return None
        words = self._search_words(term)
        counts, top = self._word_counts(s, words)
        common = _common_from(top or 0)
        if min(counts) <= common:
            return None  # a rare word drives: its matches are read and sorted already
        starting = [w for w, plain in words if not plain and search_index.starts_with(w)]
        if not starting:
            return None
        besides = self._besides_counts(s, starting)
        word = min(starting, key=besides.__getitem__)
        if besides[word] > common:
            return None  # matches spread over the names: the walk meets them
        others = [self._word_test(*words[i]) for i in sorted(range(len(words)), key=counts.__getitem__)
                  if words[i] != (word, False)]
        starts = self._starts_with(word)
        # In code point order the names starting with the word are exactly this range (no test per
        # row: it would also make the planners expect a few rows and sort the whole range).
        head = and_(Customer.name >= word, Customer.name < _after_prefix(word), *others)
        grams = CustomerSearchGram.__table__
        ids = select(grams.c.customer_id).where(grams.c.gram == word, grams.c.kind.in_(
            [k for k in self._gram_kinds(word) if k != search_index.START]))
        if self.ctx.db.backend == "postgresql":
            found = ids.subquery()
            agg = cast(select(func.array_agg(found.c[0])).scalar_subquery(), ARRAY(Integer))
            rest = Customer.id == func.any(agg)
        else:
            rest = self._id_list(sorted(set(s.scalars(ids))))
        return [(head, False), (and_(rest, ~starts, *others), True)]

    def _besides_counts(self, s: Session, words: list[str]) -> dict[str, int]:
        """Each word's index entries other than names' first pairs (kind s), counted up to
        SEARCH_BOUND + 1 (the newest ids sampled first, as in :meth:`_word_counts`); kept as long."""
        key = ("besides", tuple(words), self._gram_kinds(""), self._gram_kinds("00"))
        cache: dict[Any, tuple[float, Any, int]] = self.__dict__.setdefault("_word_counts_cache", {})
        now = time.monotonic()
        hit = cache.get(key)
        if hit is not None and now - hit[0] <= SCOPE_SIZES_SECONDS:
            return hit[1]
        grams = CustomerSearchGram.__table__
        top_id = select(func.max(Customer.id)).scalar_subquery()

        def entries(w: str) -> Any:
            return select(grams.c.customer_id).where(grams.c.gram == w, grams.c.kind.in_(
                [k for k in self._gram_kinds(w) if k != search_index.START]))

        counted = [case((select(func.count(grams.c.customer_id.distinct())).where(
            grams.c.gram == w, grams.c.kind.in_([k for k in self._gram_kinds(w) if k != search_index.START]),
            grams.c.customer_id > top_id - SAMPLE_ROWS).scalar_subquery() >= CLEARLY_COMMON, SEARCH_BOUND + 1),
            else_=select(func.count()).select_from(entries(w).limit(SEARCH_BOUND + 1).subquery()).scalar_subquery())
            for w in words]
        found = dict(zip(words, s.execute(select(*counted)).one()))
        if len(cache) >= 64:
            cache.clear()
        cache[key] = (now, found, 0)
        return found

    def _binary_names(self, s: Session) -> bool:
        """Whether names sort by code point (SQLite; PostgreSQL under the C collation), so that
        the names starting with a word are one range of ``ix_customers_name``. Asked once per
        signed-in session (this service's lifetime): a database's collation is fixed at its creation."""
        if self.ctx.db.backend != "postgresql":
            return True
        known = self.__dict__.get("_binary_names_known")
        if known is None:
            # datlocprovider (PostgreSQL 15+): an ICU database may say datcollate 'C' and sort by ICU's rules;
            # only the C library's C collation sorts by code point (read through to_jsonb: no such column before 15)
            collation, provider = s.execute(text(
                "SELECT datcollate, to_jsonb(d) ->> 'datlocprovider' FROM pg_database d "
                "WHERE datname = current_database()")).one()
            known = self.__dict__["_binary_names_known"] = provider in (None, "c") and (
                collation in ("C", "POSIX") or str(collation).startswith(("C.", "c.")))
        return known
