"""The generated Python `iter_*` pagers end where the list ends (run on the golden output).

A page without `has_more` ends when it has no `next_cursor`; a page with it always carries a cursor
(where to resume later), so there the flag decides: an iterator that looked only at the cursor
would poll forever.
"""

from __future__ import annotations

import asyncio
import importlib
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.fixture(scope="module")
def operations() -> Iterator[ModuleType]:
    sys.path.insert(0, str(GOLDEN))
    try:
        yield importlib.import_module("python.operations")
    finally:
        sys.path.remove(str(GOLDEN))
        for name in [n for n in sys.modules if n == "python" or n.startswith("python.")]:
            del sys.modules[name]


def fake_client(operations: ModuleType, pages: Mapping[Any, object]) -> tuple[Any, list[str | None]]:
    """An `Operations` answering each `after` with its page; records the cursors asked for."""
    asked: list[str | None] = []

    class Fake(operations.Operations):  # type: ignore[name-defined,misc]
        async def _send(self, request: Any, options: object) -> object:
            after = request.query["after"]
            asked.append(after)
            if len(asked) > 10:
                raise AssertionError(f"still paginating after {asked}")
            return pages[after]

    return Fake(), asked


async def collect(iterator: Any) -> list[object]:
    return [item async for item in iterator]


def test_a_page_with_has_more_false_ends_the_list(operations: ModuleType) -> None:
    pages = {
        None: {"items": [{"at": "1"}], "next_cursor": "c1", "has_more": True},
        "c1": {"items": [{"at": "2"}], "next_cursor": "c2", "has_more": False},
        # What a poller would get next: the position again, nothing new.
        "c2": {"items": [], "next_cursor": "c2", "has_more": False},
    }
    client, asked = fake_client(operations, pages)
    assert asyncio.run(collect(client.iter_visits(7))) == [{"at": "1"}, {"at": "2"}]
    assert asked == [None, "c1"]


def test_an_empty_last_page_with_a_cursor_ends_the_list(operations: ModuleType) -> None:
    pages = {"c0": {"items": [], "next_cursor": "c0", "has_more": False}}
    client, asked = fake_client(operations, pages)
    assert asyncio.run(collect(client.iter_visits(7, after="c0"))) == []
    assert asked == ["c0"]


def test_a_page_without_has_more_ends_without_a_cursor(operations: ModuleType) -> None:
    pages = {
        None: {"items": [{"kind": "cat"}], "next_cursor": "p1"},
        "p1": {"items": [{"kind": "dog"}], "next_cursor": None},
    }
    client, asked = fake_client(operations, pages)
    assert asyncio.run(collect(client.iter_pets())) == [{"kind": "cat"}, {"kind": "dog"}]
    assert asked == [None, "p1"]
