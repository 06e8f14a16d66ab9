"""The generic record form and the conflict dialog, as a user sees them (SQLite and PostgreSQL)."""

from __future__ import annotations

import os

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QKeySequence

from crm_desktop.background import wait_for_all
from crm_desktop.forms import RecordForm
from crm_desktop.grid import dictionary_labels
from tests.gui.helpers import WAIT
from tests.helpers import version_of

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ID_NUMBER = "11010519491231002X"  # a valid 18-digit resident ID (check digit X)


@pytest.fixture
def labels(admin):
    return dictionary_labels(admin.dictionary.entries())


@pytest.fixture
def open_form(qtbot, login, labels):
    """``open_form(session, module, record_id=None, lang="en")`` -> a shown form, its record loaded.

    Depends on ``login`` so that, at teardown, background work ends before the sessions close.
    """
    def _open(session, module="customers", record_id=None, lang="en", **kw):
        form = RecordForm(getattr(session, module), services_lookup=lambda m: getattr(session, m), lang=lang,
                          labels=labels, record_id=record_id, **kw)
        qtbot.addWidget(form)
        if record_id is None:
            form.show()
        else:
            with qtbot.waitSignal(form.loaded, timeout=WAIT, raising=True):
                form.show()
        return form

    yield _open
    assert wait_for_all(WAIT)
    QCoreApplication.processEvents()


def type_into(qtbot, editor, text: str) -> None:
    """Type ``text`` as a user would (QTest only types ASCII keys: other text arrives as an input method's)."""
    if text.isascii():
        qtbot.keyClicks(editor, text)
    else:
        editor.insert(text)  # emits textEdited, as typing through an input method does


def save_and_wait_for_errors(qtbot, form: RecordForm) -> None:
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not form.busy, timeout=WAIT)


def test_create_a_customer_through_the_form(qtbot, admin, open_form):
    form = open_form(admin)
    assert form.windowTitle() == "New customer"
    type_into(qtbot, form.editors["name"], "上海云帆科技有限公司")
    form.editors["phone"].set_value("021-55556666")
    form.editors["level"].set_value("A")
    with qtbot.waitSignal(form.saved, timeout=WAIT, raising=True) as signal:
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    record = signal.args[0]
    stored = admin.customers.get(record["id"])
    assert stored["name"] == "上海云帆科技有限公司" and stored["level"] == "A" and stored["phone"] == "021-55556666"
    assert stored["code"]  # filled in by the system
    assert not form.isVisible()


def test_ctrl_s_saves(qtbot, admin, open_form):
    form = open_form(admin)
    type_into(qtbot, form.editors["name"], "快捷键公司")
    # The offscreen platform never makes a window active, so the key press itself cannot be sent.
    assert form.save_shortcut.key() == QKeySequence(QKeySequence.StandardKey.Save)
    with qtbot.waitSignal(form.saved, timeout=WAIT, raising=True):
        form.save_shortcut.activated.emit()


@pytest.mark.parametrize(("lang", "message"), [("zh_CN", "公司名称：不能为空"), ("en", "Company name: is required")])
def test_empty_required_name_is_shown_under_the_field_and_typing_is_kept(qtbot, admin, open_form, lang, message):
    form = open_form(admin, lang=lang)
    type_into(qtbot, form.editors["phone"], "13812345678")
    form.editors["notes"].set_value("第一次拜访")
    with qtbot.assertNotEmitted(form.saved):
        save_and_wait_for_errors(qtbot, form)
    assert form.field_error("name") == message
    assert form.focusWidget() is form.editors["name"]  # the first bad field
    assert form.error_labels["name"].isVisible()
    assert form.field_error("phone") == ""
    assert form.editors["phone"].text() == "13812345678" and form.editors["notes"].value() == "第一次拜访"
    assert form.isVisible()
    assert admin.customers.count() == 0


def test_invalid_phone_message_is_under_the_phone_field(qtbot, admin, open_form):
    form = open_form(admin)
    type_into(qtbot, form.editors["name"], "电话错误公司")
    type_into(qtbot, form.editors["phone"], "12345")
    save_and_wait_for_errors(qtbot, form)
    assert form.field_error("phone").startswith("Phone:")
    assert form.field_error("name") == ""
    assert form.focusWidget() is form.editors["phone"]
    assert form.editors["phone"].text() == "12345" and form.editors["name"].text() == "电话错误公司"
    type_into(qtbot, form.editors["phone"], "678")  # the user starts fixing it: the old message goes
    assert form.field_error("phone") == ""


def test_edit_sends_only_the_changed_fields_and_the_version_advances(qtbot, admin, make_customer, open_form):
    customer = make_customer(phone="13812345678", industry="finance", address="北京市海淀区")
    form = open_form(admin, record_id=customer["id"])
    assert form.windowTitle() == "Customer: 北京星辰软件有限公司"
    assert form.editors["industry"].value() == "finance" and form.editors["phone"].value() == customer["phone"]
    assert not form.is_dirty()
    form.editors["address"].selectAll()
    type_into(qtbot, form.editors["address"], "北京市朝阳区")
    with qtbot.waitSignal(form.saved, timeout=WAIT, raising=True) as signal:
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.last_sent == {"address": "北京市朝阳区"}
    assert signal.args[0]["version"] == customer["version"] + 1
    assert admin.customers.get(customer["id"])["address"] == "北京市朝阳区"


def test_a_salesperson_sees_the_id_number_masked_and_read_only(qtbot, admin, login, make_customer, open_form):
    sales = login("sales1")
    customer = make_customer(owner_id=sales.actor.user_id)
    contact = admin.contacts.create({"customer_id": customer["id"], "name": "张三", "id_number": ID_NUMBER})
    form = open_form(sales, "contacts", contact["id"])
    editor = form.editors["id_number"]
    assert editor.text() != ID_NUMBER and "*" in editor.text() and editor.text().endswith("002X")
    assert editor.isReadOnly() and "Hidden for your role" in editor.toolTip()
    assert "id_number" not in form.editable_fields()
    assert form.editors["customer_id"].currentText().startswith(customer["name"])
    form.editors["position"].set_value("采购经理")
    with qtbot.waitSignal(form.saved, timeout=WAIT, raising=True):
        form.save()
    assert form.last_sent == {"position": "采购经理"}
    assert admin.contacts.get(contact["id"])["id_number"] == ID_NUMBER  # the real number is untouched


def test_a_deactivated_customer_opens_read_only_with_its_reason(qtbot, admin, make_customer, open_form):
    customer = make_customer()
    admin.customers.deactivate(customer["id"], "公司已注销", version=version_of(admin.customers, customer["id"]))
    form = open_form(admin, record_id=customer["id"])
    assert form.banner.isVisible() and "公司已注销" in form.banner.text()
    assert form.editors["name"].isReadOnly() and not form.editors["level"].isEnabled()
    assert not form.save_button.isEnabled()
    with qtbot.assertNotEmitted(form.saved):
        form.save()
    assert not form.busy


def test_esc_with_unsaved_changes_asks_before_closing(qtbot, admin, make_customer, open_form):
    customer = make_customer()
    form = open_form(admin, record_id=customer["id"])
    form.reject()  # nothing changed: closes at once
    assert not form.isVisible()
    form = open_form(admin, record_id=customer["id"])
    type_into(qtbot, form.editors["address"], "未保存的地址")
    qtbot.keyClick(form, Qt.Key.Key_Escape)
    box = form.discard_box
    assert box is not None and box.isVisible() and form.isVisible()
    qtbot.mouseClick(box.button(box.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert form.isVisible() and form.editors["address"].text() == "未保存的地址"
    qtbot.keyClick(form, Qt.Key.Key_Escape)
    box = form.discard_box
    qtbot.mouseClick(box.button(box.StandardButton.Discard), Qt.MouseButton.LeftButton)
    assert not form.isVisible()
    assert admin.customers.get(customer["id"])["address"] is None


def test_saving_a_record_deactivated_meanwhile_keeps_the_typing(qtbot, admin, make_customer, open_form):
    customer = make_customer()
    form = open_form(admin, record_id=customer["id"])
    admin.customers.deactivate(customer["id"], "重复录入", version=version_of(admin.customers, customer["id"]))
    form.editors["address"].set_value("新地址")
    with qtbot.assertNotEmitted(form.saved):
        save_and_wait_for_errors(qtbot, form)
    assert form.banner.isVisible() and "重复录入" in form.banner.text()
    assert form.message_label.text().startswith("Someone deactivated this record meanwhile")
    assert form.editors["address"].text() == "新地址" and not form.save_button.isEnabled()


def test_required_fields_are_marked(admin, open_form):
    form = open_form(admin, lang="zh_CN")
    assert "*" in form.field_labels["name"].text() and form.field_labels["name"].toolTip() == "Required"
    assert "*" not in form.field_labels["address"].text()
    assert form.editors["code"].isReadOnly()


def test_the_reference_picker_searches_as_you_type(qtbot, admin, make_customer, open_form):
    make_customer("北京星辰软件有限公司")
    target = make_customer("杭州星河数据有限公司")
    form = open_form(admin, "contacts")
    picker = form.editors["customer_id"]
    form.editors["name"].setFocus()  # the list pops up only for a focused picker: offscreen Qt warns on popups
    with qtbot.waitSignal(picker.results_arrived, timeout=WAIT, raising=True):
        type_into(qtbot, picker.lineEdit(), "星河")  # searched 300 ms after the last key
    assert [picker.itemText(i) for i in range(picker.count())] == ["杭州星河数据有限公司"]
    picker.choose(0)
    assert picker.value() == target["id"]
    type_into(qtbot, form.editors["name"], "李四")
    with qtbot.waitSignal(form.saved, timeout=WAIT, raising=True) as signal:
        form.save()
    assert signal.args[0]["customer_id"] == target["id"]


def conflicting_edits(qtbot, admin, login, make_customer, open_form, lang="en"):
    """A manager saves address and phone while the admin's form changes name and address."""
    customer = make_customer("原名公司", phone="13812345678", address="旧地址")
    manager = login("manager1")
    mine = open_form(admin, record_id=customer["id"], lang=lang)
    theirs = open_form(manager, record_id=customer["id"], lang=lang)
    theirs.editors["address"].set_value("经理的地址")
    theirs.editors["phone"].set_value("13900001111")
    with qtbot.waitSignal(theirs.saved, timeout=WAIT, raising=True):
        theirs.save()
    mine.editors["name"].set_value("新名公司")
    mine.editors["address"].set_value("我的地址")
    with qtbot.waitSignal(mine.conflict_shown, timeout=WAIT, raising=True) as signal:
        mine.save()
    return customer, mine, signal.args[0]


@pytest.mark.parametrize("action", ["overwrite", "merge", "reload"])
def test_conflict_dialog_from_two_sessions(qtbot, admin, login, make_customer, open_form, action):
    customer, form, dialog = conflicting_edits(qtbot, admin, login, make_customer, open_form)
    assert dialog.isVisible() and dialog.field_names() == ["name", "address", "phone"]
    header = dialog.table.horizontalHeaderItem(2).text()
    assert header.startswith("Their value\n(saved by 用户manager1 at ")
    assert [dialog.table.item(r, 1).text() for r in range(3)] == ["新名公司", "我的地址", "13812345678"]
    if action == "reload":
        with qtbot.waitSignal(form.loaded, timeout=WAIT, raising=True):
            qtbot.mouseClick(dialog.reload_button, Qt.MouseButton.LeftButton)
        assert form.isVisible() and not form.is_dirty() and form.editors["address"].text() == "经理的地址"
        expected = ("原名公司", "经理的地址", "13900001111", customer["version"] + 1)
    else:
        if action == "merge":
            dialog.keep_mine("address", False)
        button = dialog.overwrite_button if action == "overwrite" else dialog.merge_button
        with qtbot.waitSignal(form.saved, timeout=WAIT, raising=True):
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        expected = (("新名公司", "我的地址", "13812345678", customer["version"] + 2) if action == "overwrite"
                    else ("新名公司", "经理的地址", "13900001111", customer["version"] + 2))
    stored = admin.customers.get(customer["id"])
    assert (stored["name"], stored["address"], stored["phone"], stored["version"]) == expected


# ------------------------------------------------------------ screenshots

def _grab(widget, name: str, backend: str) -> None:
    image = widget.grab()
    assert not image.isNull()
    # Pictures for docs/ only when asked (CRM_SCREENSHOTS=1): a test run leaves the checkout alone.
    if backend == "sqlite" and os.environ.get("CRM_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        image.save(str(SCREENSHOTS / name))


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_render_screenshots(qtbot, admin, login, make_customer, open_form, backend, request, lang):
    if lang == "zh_CN":
        request.getfixturevalue("zh_catalogue")
    form = open_form(admin, lang=lang)
    type_into(qtbot, form.editors["phone"], "12345")
    form.editors["level"].set_value("A")
    save_and_wait_for_errors(qtbot, form)
    assert form.field_error("name") and form.field_error("phone")
    if lang == "zh_CN":
        assert form.save_button.text() == "保存(&S)" and form.windowTitle() == "新建客户"
    _grab(form, f"form_customer_error_{lang}.png", backend)
    form.close()
    _customer, mine, dialog = conflicting_edits(qtbot, admin, login, make_customer, open_form, lang=lang)
    if lang == "zh_CN":
        assert dialog.windowTitle() == "记录已被他人修改"
    _grab(dialog, f"conflict_{lang}.png", backend)
    dialog.reject()


# ------------------------------------------------------------ editors (no database)

def test_every_field_type_has_an_editor_with_value_set_value_and_read_only(qtbot):
    import datetime as dt
    from decimal import Decimal

    from crm_core.i18n import Text
    from crm_core.metadata import Field, FieldType, choices
    from crm_desktop.forms.editors import make_editor

    samples = {
        FieldType.TEXT: "文本", FieldType.MULTILINE: "第一行\n第二行", FieldType.INTEGER: 42,
        FieldType.MONEY: Decimal("12800.50"), FieldType.DATE: dt.date(2026, 11, 22),
        FieldType.DATETIME: dt.datetime(2026, 11, 22, 6, 30, tzinfo=dt.timezone.utc), FieldType.BOOL: True,
        FieldType.CHOICE: "B", FieldType.REF: 7, FieldType.EMAIL: "a@example.com", FieldType.PHONE: "13812345678",
        FieldType.ID_NUMBER: ID_NUMBER, FieldType.CREDIT_CODE: "91350100M000100Y43",
    }
    assert set(samples) == set(FieldType)
    for kind, sample in samples.items():
        field = Field("f", Text("字段", "Field"), kind, choices=choices(("A", "甲", "A"), ("B", "乙", "B")),
                      ref="customers")
        editor = make_editor(field, lang="zh_CN", labels={}, services_lookup=lambda m: None)
        qtbot.addWidget(editor)
        if kind is FieldType.REF:
            editor.set_value(sample, "某客户")
            assert editor.currentText() == "某客户"
        else:
            editor.set_value(sample)
        assert editor.value() == sample, kind
        editor.set_read_only(True)
        if kind is not FieldType.BOOL:
            editor.set_value(None)
            assert editor.value() is None, kind  # every editor can be empty (dates too)


def test_money_and_date_editors_hand_over_what_they_cannot_parse(qtbot):
    from crm_core.i18n import Text
    from crm_core.metadata import Field, FieldType
    from crm_desktop.forms.editors import DateEditor, MoneyEditor

    money = MoneyEditor(Field("amount", Text("金额", "Amount"), FieldType.MONEY))
    date = DateEditor(Field("day", Text("日期", "Day"), FieldType.DATE))
    qtbot.addWidget(money)
    qtbot.addWidget(date)
    money.set_value("12800.5")
    assert money.text() == "12,800.50" and str(money.value()) == "12800.50"
    assert money.alignment() & Qt.AlignmentFlag.AlignRight
    date.line_edit.setText("2026-13-40")
    assert date.value() == "2026-13-40"  # crm_core's message says what is wrong with it
