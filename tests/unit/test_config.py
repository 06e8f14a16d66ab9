"""Connection profiles from the config file and the environment; never a secret in the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from crm_core import ConfigurationError
from crm_core.config import Profile, config_path, default_profile, load_profiles, profile_from_url, save_profiles


def test_default_is_the_embedded_database_in_the_data_dir(tmp_path):
    profile = default_profile()
    assert profile.backend == "sqlite"
    assert profile.sqlite_path == tmp_path / "data" / "crm.sqlite3"


def test_profiles_round_trip_through_the_file_without_secrets():
    office = Profile(name="总部", backend="postgresql", host="crm.office.lan", port=5433, database="crm",
                     sslmode="verify-full", auth="database")
    save_profiles({"总部": office}, default="总部")
    text = config_path().read_text(encoding="utf-8")
    assert "password" not in text.lower()
    assert load_profiles()["总部"] == office
    assert default_profile() == office


def test_a_password_in_the_file_is_refused_with_a_clear_message():
    path: Path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('[profiles.office]\nbackend = "postgresql"\npassword = "hunter2"\n', encoding="utf-8")
    with pytest.raises(ConfigurationError) as info:
        load_profiles()
    assert "不能保存密码" in info.value.message.zh and "must not hold passwords" in info.value.message.en


def test_unknown_settings_and_bad_values_are_refused():
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('[profiles.office]\nbackend = "oracle"\n', encoding="utf-8")
    with pytest.raises(ConfigurationError):
        load_profiles()
    path.write_text('[profiles.office]\nhots = "typo"\n', encoding="utf-8")
    with pytest.raises(ConfigurationError) as info:
        load_profiles()
    assert "hots" in info.value.message.en


def test_environment_selects_a_profile_or_gives_one(monkeypatch):
    save_profiles({"office": Profile(name="office", backend="postgresql", host="db1")})
    monkeypatch.setenv("CRM_PROFILE", "office")
    assert default_profile().host == "db1"
    monkeypatch.setenv("CRM_PROFILE", "missing")
    with pytest.raises(ConfigurationError):
        default_profile()
    monkeypatch.setenv("CRM_DATABASE_URL", "postgresql://crm_app@db2:6543/crm?sslmode=require")
    p = default_profile()
    assert (p.host, p.port, p.sslmode, p.db_user, p.auth) == ("db2", 6543, "require", "crm_app", "app")


def test_database_login_profiles_use_the_users_own_credentials():
    p = Profile(backend="postgresql", host="db", auth="database")
    url = p.url("zhangwei", "s3cret-pass1")
    assert url.username == "zhangwei" and url.password == "s3cret-pass1"
    assert profile_from_url("sqlite:////tmp/x.sqlite3").sqlite_path == Path("/tmp/x.sqlite3")


def test_app_login_profiles_take_the_server_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("CRM_DB_PASSWORD", "from-env")
    url = Profile(backend="postgresql", auth="app", db_user="crm_app").url("zhangwei", "typed")
    assert (url.username, url.password) == ("crm_app", "from-env")
