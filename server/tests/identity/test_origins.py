"""Origin rules (identity/origins.py): exact and wildcard matching with full-match semantics."""

from __future__ import annotations

import re

import hypothesis
import pytest
import yaml
from hypothesis import strategies as st

from tidings_server.identity.origins import InvalidOriginRule, OriginRules, validate_rules
from tidings_server.spec import spec_dir


def allows(rules: list[str], origin: str) -> bool:
    return OriginRules(rules, any_when_empty=True).allows(origin)


@pytest.mark.parametrize(
    ("rule", "origin", "expected"),
    [
        ("https://app.example.com", "https://app.example.com", True),
        ("https://app.example.com", "https://APP.example.com", True),
        ("https://App.Example.com", "https://app.example.com", True),
        ("https://app.example.com", "http://app.example.com", False),
        ("https://app.example.com", "https://app.example.com:8443", False),
        ("https://app.example.com", "https://app.example.com:443", True),
        ("https://app.example.com:443", "https://app.example.com", True),
        ("http://127.0.0.1:17690", "http://127.0.0.1:17690", True),
        ("http://127.0.0.1:17690", "http://127.0.0.1:17691", False),
        ("http://127.0.0.1:17690", "http://127.0.0.1", False),
        ("https://app.example.com", "https://app.example.com.evil.test", False),
        ("https://app.example.com", "https://evilapp.example.com", False),
        ("https://app.example.com", "https://app.example.com/", False),
        ("https://app.example.com", "https://app.example.com\n", False),
        ("https://app.example.com", "https://app.example.com\nx", False),
        ("https://app.example.com", " https://app.example.com", False),
        ("https://app.example.com", "null", False),
        ("https://app.example.com", "", False),
        ("https://*.example.com", "https://a.example.com", True),
        ("https://*.example.com", "https://a.b.example.com", True),
        ("https://*.example.com", "https://example.com", False),
        ("https://*.example.com", "https://evilexample.com", False),
        ("https://*.example.com", "https://a.example.com.evil.test", False),
        ("https://*.example.com", "http://a.example.com", False),
        ("https://*.example.com", "https://a.example.com:8443", False),
        ("https://*.example.com:8443", "https://a.example.com:8443", True),
        ("https://*.example.com", "https://a.example.com\n", False),
    ],
)
def test_a_rule_matches_whole_origins_only(rule: str, origin: str, expected: bool) -> None:
    assert allows([rule], origin) is expected


def test_an_empty_list_means_what_its_owner_says() -> None:
    assert OriginRules([], any_when_empty=True).allows("https://anything.test")
    assert OriginRules([], any_when_empty=True).allows("null")
    assert not OriginRules([], any_when_empty=False).allows("https://anything.test")


def test_any_listed_rule_is_enough() -> None:
    rules = ["https://a.example.com", "https://*.other.test"]
    assert allows(rules, "https://x.other.test")
    assert allows(rules, "https://a.example.com")
    assert not allows(rules, "https://b.example.com")


@pytest.mark.parametrize(
    "rule",
    [
        "https://app.example.com\n",
        "https://app.example.com/",
        "https://app.example.com/path",
        "ftp://app.example.com",
        "https://",
        "https://*.",
        "https://a*.example.com",
        "https://*.*.example.com",
        "https://app.*.com",
        "*",
        "https://*",
        "https://app.example.com:0",
        "https://app.example.com:70000",
        "https://-app.example.com",
        "null",
    ],
)
def test_a_rule_that_is_not_an_origin_or_leading_wildcard_is_invalid(rule: str) -> None:
    assert validate_rules([rule]), rule
    with pytest.raises(InvalidOriginRule):
        OriginRules([rule], any_when_empty=True)


def test_stored_rules_that_do_not_parse_are_skipped_never_widened() -> None:
    only_bad = OriginRules.lenient(["https://app.example.com\n"], any_when_empty=True)
    assert not only_bad.allows("https://app.example.com")
    assert not only_bad.allows("https://other.test")
    mixed = OriginRules.lenient(["bad", "https://ok.test"], any_when_empty=True)
    assert mixed.allows("https://ok.test")
    assert not mixed.allows("https://other.test")


def _schema_pattern() -> str:
    doc = yaml.safe_load((spec_dir() / "schemas" / "identity.yaml").read_text(encoding="utf-8"))
    pattern: str = doc["definitions"]["ProjectSettings"]["properties"]["allowed_origins"]["items"]["pattern"]
    return pattern


SCHEMA_PATTERN = _schema_pattern()


@hypothesis.settings(max_examples=150, deadline=None)
@hypothesis.given(st.from_regex(SCHEMA_PATTERN))
def test_every_rule_the_schema_accepts_in_full_is_a_valid_rule(rule: str) -> None:
    """The spec's pattern says no more than the server accepts (a schema-valid setting is never
    refused with 400; Schemathesis' positive-data check holds)."""
    hypothesis.assume(re.fullmatch(SCHEMA_PATTERN.removeprefix("^").removesuffix("$"), rule))
    assert validate_rules([rule]) == []
