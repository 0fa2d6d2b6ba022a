"""What every language adapter shares: model lookup, alias resolution, doc text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from . import ir
from .naming import snake

__all__ = ["Adapter"]


class Adapter:
    """Base of the per-language adapters; their public methods become Jinja filters."""

    #: Words that cannot be identifiers in the target language.
    reserved: frozenset[str] = frozenset()

    def __init__(self, api: ir.Api) -> None:
        self.api = api
        self.by_name: dict[str, ir.Model] = {m.name: m for m in api.models}

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {
            name: getattr(self, name)
            for name in dir(self)
            if not name.startswith("_")
            and name not in ("filters", "api", "by_name", "reserved")
            and callable(getattr(self, name))
        }

    # --- type expressions -----------------------------------------------------------------
    def type_expr(self, t: ir.TypeRef, prefix: str = "") -> str:
        """One walk over a type for every language; `_spell_*` give each its spelling.

        `prefix` qualifies model names (`models.Tenant`) where a file imports them as a module.
        """
        if t.kind == "ref":
            out = prefix + (t.name or "")
        elif t.kind == "literal":
            out = self._spell_literal(t.value)
        elif t.kind in ("array", "map"):
            assert t.item is not None
            inner = self.type_expr(t.item, prefix)
            out = self._spell_array(inner) if t.kind == "array" else self._spell_map(inner)
        else:
            out = self._spell_primitive(t, prefix)
        return self._spell_nullable(out) if t.nullable else out

    def _spell_primitive(self, t: ir.TypeRef, prefix: str) -> str:
        raise NotImplementedError

    def _spell_literal(self, value: str | int | None) -> str:
        raise NotImplementedError

    def _spell_array(self, inner: str) -> str:
        raise NotImplementedError

    def _spell_map(self, inner: str) -> str:
        raise NotImplementedError

    def _spell_nullable(self, inner: str) -> str:
        raise NotImplementedError

    # --- model lookup -------------------------------------------------------------------
    def model(self, name: str) -> ir.Model:
        return self.by_name[name]

    def base_type(self, t: ir.TypeRef) -> ir.TypeRef:
        """Follow aliases (`Id` -> string) to the type that decides how a value is passed."""
        seen = 0
        while t.kind == "ref" and isinstance(self.by_name.get(t.name or ""), ir.AliasModel):
            alias = self.by_name[t.name or ""]
            assert isinstance(alias, ir.AliasModel)
            t = alias.target.with_nullable(t.nullable or alias.target.nullable)
            seen += 1
            if seen > 50:
                raise ValueError(f"alias cycle at {t}")
        return t

    def is_enum(self, t: ir.TypeRef) -> bool:
        t = self.base_type(t)
        return t.kind == "ref" and isinstance(self.by_name.get(t.name or ""), ir.EnumModel)

    # --- names ----------------------------------------------------------------------------
    def safe(self, name: str, suffix: str = "_") -> str:
        return name + suffix if name in self.reserved else name

    def iter_name(self, op: ir.Operation) -> str:
        """`list_tenants` -> `iter_tenants`: the auto-paginating twin of a list operation."""
        rest = op.name.removeprefix("list_")
        return snake("iter_" + rest)

    def has_more_always_set(self, op: ir.Operation) -> bool:
        """Whether every page of `op` carries its `has_more` flag (required and not nullable).

        When it may be absent or null, an iterator reads that as "maybe": `next_cursor` decides.
        """
        page = op.pagination
        if page is None or page.has_more_field is None or op.response is None:
            return False
        model = self.by_name[op.response.name or ""]
        assert isinstance(model, ir.ObjectModel)
        flag = next(f for f in model.fields if f.name == page.has_more_field)
        return flag.required and not self.base_type(flag.type).nullable

    # --- text -------------------------------------------------------------------------------
    def doc_lines(self, texts: str | Sequence[str | None] | None) -> list[str]:
        """Lines of one text or of several (joined by a blank line); None and empty are skipped."""
        if texts is None or isinstance(texts, str):
            texts = [texts]
        lines: list[str] = []
        for text in texts:
            if not text:
                continue
            if lines:
                lines.append("")
            lines.extend(line.rstrip() for line in text.strip().splitlines())
        return lines
