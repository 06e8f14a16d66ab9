"""Contracts (合同), payments (回款) and contract attachments, as a client uses them."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest

from crm_core import InUse, NotFound, ValidationError
from crm_core.modules.contracts import MAX_ATTACHMENT_BYTES
from tests.helpers import field_error, version_of

SIGNED = dt.date(2026, 3, 1)


@pytest.fixture
def customer(make_customer):
    return make_customer()


@pytest.fixture
def new_contract(admin, customer):
    def _new(number: str = "HT-2026-001", amount: str = "100000.00", **values):
        return admin.contracts.create({"number": number, "customer_id": customer["id"], "signed_on": SIGNED,
                                       "amount": amount, **values})
    return _new


# ------------------------------------------------------------------ contracts

def test_contract_number_must_be_unique_with_a_friendly_message(new_contract):
    new_contract("HT-2026-001")
    with pytest.raises(ValidationError) as exc:
        new_contract("HT-2026-001")
    err = field_error(exc, "number")
    assert err.code == "duplicate"
    assert "合同编号" in err.message.zh and "HT-2026-001" in err.message.zh
    assert "Contract number" in err.message.en


def test_contract_amount_is_stored_and_read_back_as_an_exact_decimal(admin, new_contract):
    contract = new_contract(amount="12345678.91")
    again = admin.contracts.get(contract["id"])
    assert again["amount"] == Decimal("12345678.91")
    assert isinstance(again["amount"], Decimal)


def test_contract_amount_cannot_be_negative(new_contract):
    with pytest.raises(ValidationError) as exc:
        new_contract(amount="-1.00")
    assert field_error(exc, "amount").code == "negative"
    assert "合同金额" in exc.value.message.zh


def test_contract_end_date_before_signing_date_is_refused(new_contract):
    with pytest.raises(ValidationError) as exc:
        new_contract(ends_on=SIGNED - dt.timedelta(days=1))
    err = field_error(exc, "ends_on")
    assert "截止日期" in err.message.zh and "Ends on" in err.message.en


def test_refused_contract_leaves_nothing_behind(admin, new_contract):
    with pytest.raises(ValidationError):
        new_contract(ends_on=SIGNED - dt.timedelta(days=1))
    assert admin.contracts.count() == 0


# ------------------------------------------------------------------- payments

def test_payment_amount_must_be_more_than_zero(admin, new_contract):
    contract = new_contract()
    with pytest.raises(ValidationError) as exc:
        admin.contracts.record_payment(contract["id"], {"received_on": SIGNED, "amount": "0"})
    assert field_error(exc, "amount").code == "not_positive"


def test_payments_cannot_exceed_the_contract_amount(admin, new_contract):
    contract = new_contract(amount="1000.00")
    admin.contracts.record_payment(contract["id"], {"received_on": SIGNED, "amount": "600.00"})
    with pytest.raises(ValidationError) as exc:
        admin.payments.create({"contract_id": contract["id"], "received_on": SIGNED, "amount": "400.01"})
    err = field_error(exc, "amount")
    assert err.code == "over_contract"
    assert "400.00" in err.message.zh
    admin.contracts.record_payment(contract["id"], {"received_on": SIGNED, "amount": "400.00"})
    assert admin.contracts.get(contract["id"])["outstanding"] == Decimal("0.00")


def test_payment_before_the_signing_date_is_refused(admin, new_contract):
    contract = new_contract()
    with pytest.raises(ValidationError) as exc:
        admin.contracts.record_payment(contract["id"], {"received_on": SIGNED - dt.timedelta(days=1), "amount": "10"})
    assert field_error(exc, "received_on").code == "date_order"


def test_payment_takes_the_customer_of_its_contract(admin, new_contract, customer):
    contract = new_contract()
    payment = admin.contracts.record_payment(contract["id"], {"received_on": SIGNED, "amount": "10.00",
                                                              "method": "bank_transfer", "handler": "王会计"})
    assert payment["customer_id"] == customer["id"]
    assert payment["amount"] == Decimal("10.00")


def test_contract_records_show_received_and_outstanding(admin, new_contract):
    contract = new_contract(amount="100000.00")
    assert contract["received"] == Decimal("0.00") and contract["outstanding"] == Decimal("100000.00")
    admin.contracts.record_payment(contract["id"], {"received_on": SIGNED, "amount": "30000.10"})
    admin.contracts.record_payment(contract["id"], {"received_on": SIGNED, "amount": "0.20"})
    again = admin.contracts.get(contract["id"])
    assert again["received"] == Decimal("30000.30")
    assert again["outstanding"] == Decimal("69999.70")
    listed = admin.contracts.list().rows[0]
    assert listed["received"] == Decimal("30000.30")


def test_deactivated_payment_no_longer_counts_as_received(admin, new_contract):
    contract = new_contract(amount="1000.00")
    payment = admin.contracts.record_payment(contract["id"], {"received_on": SIGNED, "amount": "1000.00"})
    admin.payments.deactivate(payment["id"], "录入错误", version=version_of(admin.payments, payment["id"]))
    assert admin.contracts.get(contract["id"])["received"] == Decimal("0.00")


def test_contract_amount_cannot_drop_below_what_was_received(admin, new_contract):
    contract = new_contract(amount="1000.00")
    admin.contracts.record_payment(contract["id"], {"received_on": SIGNED, "amount": "800.00"})
    contract = admin.contracts.get(contract["id"])
    with pytest.raises(ValidationError) as exc:
        admin.contracts.update(contract["id"], {"amount": "799.99"}, version=contract["version"])
    assert field_error(exc, "amount").code == "below_received"
    updated = admin.contracts.update(contract["id"], {"amount": "800.00"}, version=contract["version"])
    assert updated["outstanding"] == Decimal("0.00")


def test_payment_cannot_be_raised_above_the_outstanding_amount(admin, new_contract):
    contract = new_contract(amount="1000.00")
    first = admin.contracts.record_payment(contract["id"], {"received_on": SIGNED, "amount": "500.00"})
    admin.contracts.record_payment(contract["id"], {"received_on": SIGNED, "amount": "300.00"})
    with pytest.raises(ValidationError) as exc:
        admin.payments.update(first["id"], {"amount": "700.01"}, version=first["version"])
    assert field_error(exc, "amount").code == "over_contract"
    assert admin.payments.update(first["id"], {"amount": "700.00"}, version=first["version"])["amount"] == Decimal("700.00")


def test_contract_with_payments_cannot_be_deleted_but_can_be_deactivated(admin, new_contract):
    contract = new_contract()
    admin.contracts.record_payment(contract["id"], {"received_on": SIGNED, "amount": "10.00"})
    with pytest.raises(InUse) as exc:
        admin.contracts.delete(contract["id"], version=version_of(admin.contracts, contract["id"]))
    assert "回款" in exc.value.message.zh
    assert exc.value.references.get("payments") == 1
    done = admin.contracts.deactivate(contract["id"], "合同终止", version=version_of(admin.contracts, contract["id"]))
    assert done["is_active"] is False and done["deactivated_reason"] == "合同终止"


def test_contract_without_payments_can_be_deleted(admin, new_contract):
    contract = new_contract()
    admin.contracts.add_attachment(contract["id"], "scan.pdf", b"%PDF-1.4 scan")
    admin.contracts.delete(contract["id"], version=version_of(admin.contracts, contract["id"]))
    with pytest.raises(NotFound):
        admin.contracts.get(contract["id"])


# ---------------------------------------------------------------- attachments

def test_attachment_bytes_round_trip_exactly_with_their_sha256(admin, new_contract):
    contract = new_contract()
    data = bytes(range(256)) * 4096 + "合同扫描件".encode()
    att = admin.contracts.add_attachment(contract["id"], "C:\\扫描\\合同 HT-2026-001.pdf", data)
    assert att["filename"] == "合同 HT-2026-001.pdf"
    assert att["size"] == len(data) and att["sha256"] == hashlib.sha256(data).hexdigest()
    assert att["content_type"] == "application/pdf"
    assert admin.contracts.attachment_data(att["id"]) == data
    assert [a["id"] for a in admin.contracts.attachments(contract["id"])] == [att["id"]]
    assert admin.contracts.get(contract["id"])["attachment_count"] == 1


def test_empty_attachment_is_refused(admin, new_contract):
    contract = new_contract()
    with pytest.raises(ValidationError) as exc:
        admin.contracts.add_attachment(contract["id"], "empty.pdf", b"")
    err = field_error(exc, "file")
    assert err.code == "empty" and "空" in err.message.zh and "empty" in err.message.en
    assert admin.contracts.attachments(contract["id"]) == []


@pytest.mark.slow
def test_attachment_over_20_mb_is_refused(admin, new_contract):
    contract = new_contract()
    with pytest.raises(ValidationError) as exc:
        admin.contracts.add_attachment(contract["id"], "big.pdf", b"\0" * (MAX_ATTACHMENT_BYTES + 1))
    err = field_error(exc, "file")
    assert err.code == "too_large" and "20 MB" in err.message.zh and "20 MB" in err.message.en
    assert admin.contracts.attachments(contract["id"]) == []


@pytest.mark.slow
def test_attachment_of_exactly_20_mb_is_accepted(admin, new_contract):
    contract = new_contract()
    att = admin.contracts.add_attachment(contract["id"], "limit.bin", b"\1" * MAX_ATTACHMENT_BYTES)
    assert att["size"] == MAX_ATTACHMENT_BYTES


def test_removed_attachment_is_gone(admin, new_contract):
    contract = new_contract()
    keep = admin.contracts.add_attachment(contract["id"], "a.pdf", b"first")
    gone = admin.contracts.add_attachment(contract["id"], "b.pdf", b"second")
    admin.contracts.remove_attachment(gone["id"])
    assert [a["filename"] for a in admin.contracts.attachments(contract["id"])] == ["a.pdf"]
    assert admin.contracts.attachment_data(keep["id"]) == b"first"
    with pytest.raises(NotFound):
        admin.contracts.attachment_data(gone["id"])
    with pytest.raises(NotFound):
        admin.contracts.remove_attachment(gone["id"])


def test_attachments_of_a_deactivated_contract_are_read_only(admin, new_contract):
    contract = new_contract()
    att = admin.contracts.add_attachment(contract["id"], "a.pdf", b"first")
    admin.contracts.deactivate(contract["id"], "作废", version=version_of(admin.contracts, contract["id"]))
    from crm_core import RecordInactive
    with pytest.raises(RecordInactive):
        admin.contracts.add_attachment(contract["id"], "b.pdf", b"second")
    with pytest.raises(RecordInactive):
        admin.contracts.remove_attachment(att["id"])
    assert admin.contracts.attachment_data(att["id"]) == b"first"


def test_sales_user_cannot_read_another_owners_contract_attachments(admin, login, new_contract):
    contract = new_contract()
    att = admin.contracts.add_attachment(contract["id"], "secret.pdf", b"confidential")
    sales = login("sales1")
    with pytest.raises(NotFound):
        sales.contracts.attachments(contract["id"])
    with pytest.raises(NotFound):
        sales.contracts.attachment_data(att["id"])
    with pytest.raises(NotFound):
        sales.contracts.remove_attachment(att["id"])
    assert admin.contracts.attachment_data(att["id"]) == b"confidential"


def test_sales_user_reads_attachments_of_his_own_customers_contracts(admin, login, make_customer):
    sales = login("sales1")
    mine = make_customer("杭州西湖贸易有限公司", owner_id=sales.actor.user_id)
    contract = sales.contracts.create({"number": "HT-S-1", "customer_id": mine["id"], "signed_on": SIGNED,
                                       "amount": "500"})
    att = sales.contracts.add_attachment(contract["id"], "mine.pdf", b"ours")
    assert sales.contracts.attachment_data(att["id"]) == b"ours"


def test_sales_user_cannot_record_a_payment_on_another_owners_contract(admin, login, new_contract):
    contract = new_contract(amount="1000.00")
    sales = login("sales1")
    with pytest.raises(ValidationError) as exc:
        sales.contracts.record_payment(contract["id"], {"received_on": SIGNED, "amount": "2000.00"})
    assert [e.code for e in exc.value.for_field("contract_id")] == ["not_found"]
    # nothing about the other owner's contract leaks through the error
    assert "1000" not in exc.value.message.zh


def test_payment_on_a_deactivated_contract_is_refused(admin, new_contract):
    contract = new_contract()
    admin.contracts.deactivate(contract["id"], "作废", version=version_of(admin.contracts, contract["id"]))
    with pytest.raises(ValidationError) as exc:
        admin.contracts.record_payment(contract["id"], {"received_on": SIGNED, "amount": "10.00"})
    assert field_error(exc, "contract_id").code == "inactive"


def test_reactivating_a_payment_cannot_push_the_total_over_the_contract(admin, new_contract):
    contract = new_contract(amount="1000.00")
    mistake = admin.contracts.record_payment(contract["id"], {"received_on": SIGNED, "amount": "1000.00"})
    admin.payments.deactivate(mistake["id"], "录错了", version=version_of(admin.payments, mistake["id"]))
    admin.contracts.record_payment(contract["id"], {"received_on": SIGNED, "amount": "1000.00"})
    with pytest.raises(ValidationError) as exc:
        admin.payments.reactivate(mistake["id"], version=version_of(admin.payments, mistake["id"]))
    assert field_error(exc, "amount").code == "over_contract"
    assert admin.payments.get(mistake["id"])["is_active"] is False
    assert admin.contracts.get(contract["id"])["received"] == Decimal("1000.00")


def test_reactivating_a_payment_that_still_fits_restores_it(admin, new_contract):
    contract = new_contract(amount="1000.00")
    payment = admin.contracts.record_payment(contract["id"], {"received_on": SIGNED, "amount": "400.00"})
    payment = admin.payments.deactivate(payment["id"], "待核实", version=version_of(admin.payments, payment["id"]))
    back = admin.payments.reactivate(payment["id"], version=payment["version"])
    assert back["is_active"] is True and back["version"] == payment["version"] + 1
    assert admin.contracts.get(contract["id"])["received"] == Decimal("400.00")


def test_attachment_content_type_is_kept_or_refused_cleanly(admin, new_contract):
    contract = new_contract()
    att = admin.contracts.add_attachment(contract["id"], "scan.bin", b"x", content_type="image/tiff")
    assert att["content_type"] == "image/tiff"
    with pytest.raises(ValidationError) as exc:
        admin.contracts.add_attachment(contract["id"], "scan.bin", b"x", content_type="x/" + "y" * 120)
    assert field_error(exc, "content_type").code == "too_long"


def test_contract_with_payments_cannot_move_to_another_customer(admin, make_customer, new_contract):
    contract = new_contract()
    admin.contracts.record_payment(contract["id"], {"received_on": SIGNED, "amount": "10.00"})
    other = make_customer("深圳前海科技有限公司")
    contract = admin.contracts.get(contract["id"])
    with pytest.raises(ValidationError) as exc:
        admin.contracts.update(contract["id"], {"customer_id": other["id"]}, version=contract["version"])
    assert field_error(exc, "customer_id").code == "has_payments"


def test_a_contract_that_won_a_customer_cannot_be_deleted(admin, make_customer):
    customer = make_customer("成都天府软件园科技有限公司")
    contract = admin.contracts.create({"number": "HT-2026-EVID", "customer_id": customer["id"],
                                       "signed_on": "2026-11-01", "amount": "5000.00"})
    customer = admin.customers.change_status(customer["id"], "won", version=customer["version"],
                                             contract_number="HT-2026-EVID")
    with pytest.raises(InUse) as info:
        admin.contracts.delete(contract["id"], version=version_of(admin.contracts, contract["id"]))
    assert "客户状态变更记录" in info.value.message.zh
    assert admin.contracts.get(contract["id"])["number"] == "HT-2026-EVID"


def test_a_deactivated_contract_does_not_prove_a_sale(admin, make_customer):
    customer = make_customer("武汉光谷智能制造有限公司")
    contract = admin.contracts.create({"number": "HT-2026-VOID", "customer_id": customer["id"],
                                       "signed_on": "2026-11-01", "amount": "8000.00"})
    admin.contracts.deactivate(contract["id"], "合同作废", version=version_of(admin.contracts, contract["id"]))
    with pytest.raises(ValidationError) as info:
        admin.customers.change_status(customer["id"], "won", version=customer["version"], contract_number="HT-2026-VOID")
    assert info.value.for_field("contract_number")[0].code == "inactive"
    assert admin.customers.get(customer["id"])["status"] == "prospect"
