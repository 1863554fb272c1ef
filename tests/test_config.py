"""Settings: one table in discussion/config.py, the same table in the README, typos fail early."""

from __future__ import annotations

import re

import pytest

from discussion import config, create_app
from tests.helpers import ROOT, base_config


def readme_settings() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("<!-- settings-table -->", 1)[1]
    return set(re.findall(r"^\| `([A-Z0-9_]+)` \|", table, re.M))


def test_every_setting_is_documented_in_the_readme_and_nothing_else():
    assert readme_settings() == {setting.env for setting in config.SETTINGS}


def test_the_readme_groups_the_settings_by_the_same_areas_in_the_same_order():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("<!-- settings-table -->", 1)[1].strip().split("\n\n", 1)[0]
    documented: list[tuple[str, list[str]]] = []
    for area, env in re.findall(r"^\| (?:\*\*(.+?)\*\*|`([A-Z0-9_]+)`) \|", table, re.M):
        if area:
            documented.append((area, []))
        else:
            documented[-1][1].append(env)
    assert documented == [
        (area, [setting.env for setting in group]) for area, group in config.AREAS
    ]


def test_environment_overrides_defaults_with_coercion(monkeypatch, tmp_path):
    monkeypatch.setenv("SAMTAL_SWEEP_AFTER_SECONDS", "5")
    monkeypatch.setenv("SAMTAL_SITE_NAME", "Bloggen")
    app = create_app(base_config(tmp_path) | {"SAMTAL_SITE_NAME": "Test"})
    assert app.config["SAMTAL_SWEEP_AFTER_SECONDS"] == 5
    assert app.config["SAMTAL_SITE_NAME"] == "Test"


def test_a_malformed_value_fails_at_start_up_naming_the_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("SAMTAL_SWEEP_AFTER_SECONDS", "soon")
    with pytest.raises(RuntimeError, match="SAMTAL_SWEEP_AFTER_SECONDS"):
        create_app(base_config(tmp_path))


@pytest.mark.parametrize("raw, expected", [("en", "en"), ("SV", "sv"), ("en-GB", "en")])
def test_default_locale_reads_a_language_samtal_speaks(monkeypatch, tmp_path, raw, expected):
    monkeypatch.setenv("SAMTAL_DEFAULT_LOCALE", raw)
    assert create_app(base_config(tmp_path)).config["SAMTAL_DEFAULT_LOCALE"] == expected


def test_default_locale_refuses_a_language_samtal_does_not_speak(monkeypatch, tmp_path):
    monkeypatch.setenv("SAMTAL_DEFAULT_LOCALE", "de")
    with pytest.raises(RuntimeError, match=r"SAMTAL_DEFAULT_LOCALE: .*\(sv, en\): 'de'"):
        create_app(base_config(tmp_path))


@pytest.mark.parametrize("raw, expected", [("1", True), ("yes", True), ("off", False), ("", False)])
def test_as_bool(raw, expected):
    assert config.as_bool(raw) is expected


def test_as_bool_refuses_other_words():
    with pytest.raises(ValueError):
        config.as_bool("kanske")


def test_secret_key_is_generated_once_and_kept(tmp_path):
    settings = base_config(tmp_path)
    del settings["SECRET_KEY"]
    first = create_app(settings).config["SECRET_KEY"]
    second = create_app(settings).config["SECRET_KEY"]
    assert first == second
    assert len(first) == 64
