"""The permission matrix against a table written independently here (from docs/rbac.md's intent:
viewers read, builders build, billing pays, only owners and admins govern), and the role rules.
A change to the matrix must change this table too — on purpose, in review.
"""

from __future__ import annotations

import itertools

import pytest

from tidings_server.auth.rbac import MATRIX, ROLES, Permission, assignable_roles, can, render_matrix

#                       owner  admin  developer  billing  viewer
EXPECTED: dict[str, tuple[bool, bool, bool, bool, bool]] = {
    "tenant:read": (True, True, True, True, True),
    "tenant:update": (True, True, False, False, False),
    "members:read": (True, True, True, True, True),
    "members:manage": (True, True, False, False, False),
    "projects:read": (True, True, True, True, True),
    "projects:write": (True, True, True, False, False),
    "keys:read": (True, True, True, False, False),
    "keys:write": (True, True, True, False, False),
    "tokens:manage": (True, True, True, False, False),
    "audit:read": (True, True, False, False, False),
    "usage:read": (True, True, True, True, True),
    "billing:manage": (True, False, False, True, False),
}
ROLE_ORDER = ("owner", "admin", "developer", "billing", "viewer")


def test_the_roles_and_permissions_are_exactly_the_documented_ones() -> None:
    assert ROLES == ROLE_ORDER
    assert {p.value for p in Permission} == set(EXPECTED)
    assert set(MATRIX) == set(Permission)


@pytest.mark.parametrize(("permission", "role"), list(itertools.product(EXPECTED, ROLE_ORDER)))
def test_can_follows_the_table(permission: str, role: str) -> None:
    expected = EXPECTED[permission][ROLE_ORDER.index(role)]
    assert can(role, Permission(permission)) is expected
    assert can(role, Permission(permission), operator=True) is True


@pytest.mark.parametrize("permission", list(EXPECTED))
def test_no_role_and_unknown_roles_can_nothing_unless_operator(permission: str) -> None:
    assert can(None, Permission(permission)) is False
    assert can("Owner", Permission(permission)) is False  # roles are exact, case-sensitive
    assert can("", Permission(permission)) is False
    assert can(None, Permission(permission), operator=True) is True


@pytest.mark.parametrize(
    ("actor", "operator", "expected"),
    [
        ("owner", False, set(ROLE_ORDER)),
        ("admin", False, set(ROLE_ORDER) - {"owner"}),
        ("developer", False, set()),
        ("billing", False, set()),
        ("viewer", False, set()),
        (None, False, set()),
        ("nobody", False, set()),
        (None, True, set(ROLE_ORDER)),
        ("viewer", True, set(ROLE_ORDER)),
    ],
)
def test_assignable_roles(actor: str | None, operator: bool, expected: set[str]) -> None:
    assert assignable_roles(actor, operator=operator) == expected


def test_the_rendered_matrix_is_the_table() -> None:
    lines = render_matrix().splitlines()
    assert lines[0] == "| Permission | owner | admin | developer | billing | viewer |"
    assert lines[1] == "| --- | :---: | :---: | :---: | :---: | :---: |"
    rendered = {}
    for line in lines[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        rendered[cells[0].strip("`")] = tuple(c == "✓" for c in cells[1:])
    assert rendered == EXPECTED
    assert len(lines) == 2 + len(EXPECTED)


def test_operator_is_keyword_only_and_off_by_default() -> None:
    """A stray positional `True` must never mean "platform operator"."""
    assert assignable_roles("viewer") == frozenset()
    assert assignable_roles("admin") == set(ROLE_ORDER) - {"owner"}
    with pytest.raises(TypeError):
        can("viewer", Permission.KEYS_WRITE, True)  # type: ignore[misc]
    with pytest.raises(TypeError):
        assignable_roles("viewer", True)  # type: ignore[misc]
