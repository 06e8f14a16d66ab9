"""The Linux .deb, made from the PyInstaller bundle with dpkg-deb (called by installer/build.py)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

PACKAGE = "crm-desktop"
APP_ID = "org.crm_desktop.CrmDesktop"  # AppStream component id; the menu entry is crm-desktop.desktop
# What the bundle needs from the system: Qt's xcb platform plugin (libxcb-cursor0 and friends are not in
# the PySide6 wheels), OpenGL/EGL, fonts with Chinese glyphs for the window (Noto CJK) and for PDFs
# (WenQuanYi Zen Hei, TrueType that reportlab embeds), pg_dump/pg_restore for backups of an office server.
DEPENDS = (
    "libc6 (>= 2.28)", "libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxcb-image0",
    "libxcb-render-util0", "libxcb-shape0", "libxcb-randr0", "libxcb-xkb1", "libxcb-xinerama0",
    "libxkbcommon-x11-0", "libxkbcommon0", "libegl1", "libgl1", "libfontconfig1", "libfreetype6",
    "libdbus-1-3", "libglib2.0-0 | libglib2.0-0t64",
    "fonts-noto-cjk", "fonts-wqy-zenhei", "postgresql-client",
)
RECOMMENDS = ("gnome-keyring | kwalletmanager",)  # "remember me" keeps the password in the desktop's keyring


def control(version: str, installed_kb: int) -> str:
    return (
        f"Package: {PACKAGE}\n"
        f"Version: {version}\n"
        "Section: misc\n"
        "Priority: optional\n"
        "Architecture: amd64\n"
        f"Installed-Size: {installed_kb}\n"
        f"Depends: {', '.join(DEPENDS)}\n"
        f"Recommends: {', '.join(RECOMMENDS)}\n"
        "Maintainer: CRM Desktop developers <crm-desktop@localhost>\n"
        "Description: Multi-user CRM for a software company's office (客户关系管理)\n"
        " Customers, contacts, contracts and payments, products, software licenses,\n"
        " feedback tickets and follow-ups, with a Qt desktop client, one central\n"
        " PostgreSQL database or an embedded SQLite file. Chinese and English.\n"
        " Includes the crm-admin command line tool (database upgrades, backups).\n"
    )


def make_deb(bundle: Path, root: Path, staging: Path, dist: Path, version: str) -> Path:
    """Stage the package tree under ``staging`` and build ``dist/crm-desktop_<version>_amd64.deb``."""
    if not (bundle / "crm-desktop").exists():
        raise FileNotFoundError(f"no bundle in {bundle}: build it first (installer/build.py linux)")
    shutil.rmtree(staging, ignore_errors=True)
    opt = staging / "opt" / PACKAGE
    shutil.copytree(bundle, opt, symlinks=True)
    bin_dir = staging / "usr" / "bin"
    bin_dir.mkdir(parents=True)
    for program in ("crm-desktop", "crm-admin"):
        (bin_dir / program).symlink_to(f"/opt/{PACKAGE}/{program}")
    share = staging / "usr" / "share"
    linux = root / "resources" / "linux"
    icons = root / "resources" / "icons"
    _copy(linux / "crm-desktop.desktop", share / "applications" / "crm-desktop.desktop")
    _copy(linux / f"{APP_ID}.metainfo.xml", share / "metainfo" / f"{APP_ID}.metainfo.xml")
    _copy(icons / "crm-desktop.png", share / "icons" / "hicolor" / "256x256" / "apps" / "crm-desktop.png")
    _copy(icons / "crm-desktop.svg", share / "icons" / "hicolor" / "scalable" / "apps" / "crm-desktop.svg")
    doc = share / "doc" / PACKAGE
    _copy(root / "LICENSE", doc / "LICENSE")
    shutil.copytree(bundle / "notices", doc / "notices")  # with the Python packages' licences
    (doc / "copyright").write_text(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        "Upstream-Name: CRM Desktop\n\nFiles: *\nLicense: GPL-3.0-or-later\n"
        " See /usr/share/doc/crm-desktop/LICENSE; bundled third-party components and their\n"
        " licences: /usr/share/doc/crm-desktop/notices/.\n", encoding="utf-8")
    installed_kb = sum(f.stat().st_size for f in staging.rglob("*") if f.is_file() and not f.is_symlink()) // 1024
    debian = staging / "DEBIAN"
    debian.mkdir()
    (debian / "control").write_text(control(version, installed_kb), encoding="utf-8")
    for path in staging.rglob("*"):  # packages want 0755 dirs and no group/other write bits
        if not path.is_symlink():
            path.chmod(path.stat().st_mode & ~0o022 | (0o755 if path.is_dir() else 0))
    target = dist / f"{PACKAGE}_{version}_amd64.deb"
    # zstd: 8 s here where gzip took 4 minutes, same size; dpkg reads it since Debian 12 / Ubuntu 21.10.
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Zzstd", "--build", str(staging), str(target)], check=True)
    return target


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
