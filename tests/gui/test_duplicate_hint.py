"""The form warns about a likely duplicate as the user types, with a link to the existing record."""

from __future__ import annotations


from crm_desktop.forms import RecordForm
from tests.gui.helpers import WAIT




def new_form(qtbot, session, module: str, lang: str = "en") -> RecordForm:
    form = RecordForm(getattr(session, module), services_lookup=lambda m: getattr(session, m), lang=lang,
                      labels={})
    qtbot.addWidget(form)
    form.show()
    return form


def type_into(qtbot, form: RecordForm, name: str, text: str) -> list:
    editor = form.editors[name]
    with qtbot.waitSignal(form.duplicate_hint.checked, timeout=WAIT) as found:
        editor.setText(text)
        editor.edited.emit()
    return found.args[0]


def test_typing_a_known_company_name_warns_and_links_to_it(qtbot, admin, make_customer, settle):
    existing = make_customer("北京星辰软件有限公司", phone="13812345678")
    form = new_form(qtbot, admin, "customers")
    hint = form.duplicate_hint
    assert not hint.label.isVisible()
    found = type_into(qtbot, form, "name", "北京 星辰软件")
    assert [m["id"] for m in found] == [existing["id"]]
    assert hint.label.isVisible() and existing["code"] in hint.label.text() and "same name" in hint.label.text()
    found = type_into(qtbot, form, "name", "南京某某贸易")
    assert found == [] and not hint.label.isVisible()
    found = type_into(qtbot, form, "phone", "138-1234-5678")
    assert found[0]["matched"] == ["phone"] and "same phone" in hint.label.text()
    hint.label.linkActivated.emit(str(existing["id"]))  # the user clicks the match
    opened = [f for f in form.findChildren(RecordForm) if f.record_id == existing["id"]]
    assert len(opened) == 1


def test_the_same_contact_is_flagged_before_saving(qtbot, admin, make_customer, settle):
    customer = make_customer()
    admin.contacts.create({"customer_id": customer["id"], "name": "陈静", "phone": "13900001111"})
    form = new_form(qtbot, admin, "contacts", lang="zh_CN")
    form.editors["customer_id"].set_value(customer["id"], customer["name"])
    form.editors["phone"].setText("13900001111")
    found = type_into(qtbot, form, "name", "陈静")
    assert len(found) == 1 and form.duplicate_hint.label.isVisible()
