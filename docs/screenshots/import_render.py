"""Render the import wizard's mapping and error steps in zh_CN to PNG (and the export dialog, for review).

Run from the repository root (needs a CJK font, e.g. fonts-noto-cjk)::

    QT_QPA_PLATFORM=offscreen python docs/screenshots/import_render.py [--review-to DIR]

Writes import_mapping_zh.png and import_errors_zh.png next to this script, over a
throw-away embedded database, in zh_CN (the program's own catalogue). With ``--review-to DIR`` the file step, the export dialog and the customers page after a
dashboard click-through are saved there too.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parent
ROOT = OUT.parent.parent
sys.path.insert(0, str(ROOT))
TMP = Path(tempfile.mkdtemp(prefix="crm-import-shots-"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.update(CRM_DATA_DIR=str(TMP / "data"), CRM_CONFIG=str(TMP / "config.toml"), CRM_LOG_DIR=str(TMP / "logs"))

from PySide6.QtWidgets import QApplication  # noqa: E402
from settling import settle  # noqa: E402

# What an office would bring over from its old spreadsheet: one extra column the CRM
# has no field for, and three rows with the usual mistakes.
CUSTOMERS_CSV = """公司名称,重要级别,电话,Email,地址,负责人（旧系统）
杭州云帆网络科技有限公司,A,0571-88886666,info@yunfan.cn,杭州市西湖区文三路 90 号,王芳
上海海纳信息技术有限公司,B,13912345678,contact@haina.com.cn,上海市浦东新区张江路 100 号,李强
,B,13800001111,,北京市海淀区,赵敏
北京星辰软件有限公司,A,1380000,hello@xingchen,北京市朝阳区望京街 8 号,陈静
深圳前海数据有限公司,C,13700002222,data@qianhai.cn,深圳市南山区,刘洋
"""






def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--review-to", type=Path, help="also save the file step, the export dialog and a filtered page here")
    args = parser.parse_args()
    app = QApplication([])
    from crm_core import Profile, open_database
    from crm_core.session import connect, create_first_admin
    from crm_desktop.__main__ import install_translators
    from crm_desktop.changes import ChangeBus
    from crm_desktop.grid.grid_view import ModulePage
    from crm_desktop.transfer import file_dialogs

    install_translators(app, "zh_CN", TMP / "cache")

    profile = Profile(path=str(TMP / "crm.sqlite3"))
    db = open_database(profile)
    create_first_admin(db, {"login": "admin", "name": "系统管理员", "phone": "13800000000", "password": "demo1234"})
    db.dispose()
    session = connect(profile, "admin", "demo1234")
    page = ModulePage(session.customers, "zh_CN", None, changes=ChangeBus(), open_form=lambda *a, **k: None,
                      actor=session.actor, services_lookup=lambda m: getattr(session, m))
    page.resize(1100, 600)
    page.show()
    settle(app, lambda: page.model.total is not None and not page.model.loading)

    source = TMP / "客户资料.csv"
    source.write_text(CUSTOMERS_CSV, encoding="utf-8-sig")
    file_dialogs.choose_open_path = lambda *_a: str(source)
    wizard = page.transfer.open_import()
    wizard.file_page.choose_button.click()
    settle(app, wizard.file_page.isComplete)
    if args.review_to:
        wizard.grab().save(str(args.review_to / "import_file_zh.png"))
    wizard.next()
    settle(app, lambda: True)
    wizard.grab().save(str(OUT / "import_mapping_zh.png"))
    wizard.next()
    settle(app, lambda: wizard.check is not None and not wizard.check_page.task.running)
    wizard.grab().save(str(OUT / "import_errors_zh.png"))
    wizard.reject()

    if args.review_to:
        dialog = page.transfer.open_export()
        settle(app, lambda: True)
        dialog.grab().save(str(args.review_to / "export_dialog_zh.png"))
        dialog.reject()
        from crm_core.lists import Filter

        page.show_filtered((Filter("level", "eq", "A"), Filter("name", "contains", "星辰")))
        settle(app, lambda: page.model.total is not None and not page.model.loading)
        page.grab().save(str(args.review_to / "page_filtered_zh.png"))
    session.close()


if __name__ == "__main__":
    main()
