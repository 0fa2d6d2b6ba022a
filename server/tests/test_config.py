from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from tidings_server.config import ConfigError, Settings, load_settings, settings_table
from tidings_server.docs import render_readme

README = Path(__file__).parents[2] / "README.md"


def test_defaults_need_no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TIDINGS_PORT", raising=False)
    settings = load_settings()
    assert settings.port == 8080
    assert settings.max_body_bytes == 1_048_576


def test_environment_variables_with_the_prefix_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIDINGS_PORT", "9123")
    monkeypatch.setenv("TIDINGS_LOG_FORMAT", "console")
    settings = load_settings()
    assert settings.port == 9123
    assert settings.log_format == "console"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TIDINGS_PORT", "eighty"),
        ("TIDINGS_PORT", "70000"),
        ("TIDINGS_LOG_LEVEL", "loud"),
        ("TIDINGS_API_KEY_PEPPER", "too-short"),
        ("TIDINGS_MAX_BODY_BYTES", "10"),
    ],
)
def test_a_bad_value_fails_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=variable):
        load_settings()


def test_required_settings_are_named_when_missing() -> None:
    settings = load_settings(database_url=None, nats_url=None)
    with pytest.raises(ConfigError, match="TIDINGS_DATABASE_URL, TIDINGS_NATS_URL"):
        settings.require("database_url", "nats_url")


def test_secrets_are_not_in_the_settings_repr() -> None:
    pepper = secrets.token_urlsafe(32)
    settings = load_settings(api_key_pepper=pepper, database_url="postgresql://u:hunter2@h/db")
    assert pepper not in repr(settings)
    assert "hunter2" not in repr(settings)


def test_every_setting_is_documented_in_the_readme() -> None:
    table = settings_table()
    for name, field in Settings.model_fields.items():
        assert field.description, f"{name} has no description"
        assert f"`TIDINGS_{name.upper()}`" in table
    assert render_readme(README.read_text()) == README.read_text(), "README's table is stale: run `make docs`"
