"""Python spelling of the IR (TypedDicts, Literal enums, an abstract async client)."""

from __future__ import annotations

import json
import keyword
from collections.abc import Sequence

from . import ir
from .lang_common import Adapter
from .naming import snake

__all__ = ["Python"]


class Python(Adapter):
    reserved = frozenset(keyword.kwlist) | frozenset(["options", "self", "body"])

    def py_type(self, t: ir.TypeRef, prefix: str = "") -> str:
        return self.type_expr(t, prefix)

    def _spell_primitive(self, t: ir.TypeRef, prefix: str) -> str:
        if t.kind == "any":
            return prefix + "JsonValue"
        return {"integer": "int", "number": "float", "string": "str", "boolean": "bool"}[t.kind]

    def _spell_literal(self, value: str | int | None) -> str:
        return f"Literal[{self.py_literal(value)}]"

    def _spell_array(self, inner: str) -> str:
        return f"list[{inner}]"

    def _spell_map(self, inner: str) -> str:
        return f"dict[str, {inner}]"

    def _spell_nullable(self, inner: str) -> str:
        return f"{inner} | None"

    def py_literal(self, value: object) -> str:
        return json.dumps(value) if isinstance(value, str) else repr(value)

    def py_ident(self, name: str) -> str:
        return self.safe(snake(name))

    def py_is_class_typeddict(self, model: ir.ObjectModel) -> bool:
        """Class syntax needs identifier keys; other keys need `TypedDict("X", {...})`."""
        return all(f.name.isidentifier() and not keyword.iskeyword(f.name) for f in model.fields)

    def py_field_type(self, f: ir.Field, prefix: str = "") -> str:
        inner = self.py_type(f.type, prefix)
        return inner if f.required else f"NotRequired[{inner}]"

    def py_doc(self, texts: str | Sequence[str | None] | None, indent: int = 0) -> str:
        lines = [line.replace("\\", "\\\\").replace('"""', '\\"""') for line in self.doc_lines(texts)]
        if not lines:
            return ""
        pad = " " * indent
        if lines[-1].endswith('"'):
            lines[-1] += " "  # a quote right before the closing triple quote would end it early
        if len(lines) == 1:
            return f'{pad}"""{lines[0]}"""\n'
        body = "\n".join(f"{pad}{line}".rstrip() for line in lines[1:])
        return f'{pad}"""{lines[0]}\n{body}\n{pad}"""\n'

    def py_comment(self, texts: str | Sequence[str | None] | None, indent: int = 0) -> str:
        pad = " " * indent
        return "".join(f"{pad}# {line}".rstrip() + "\n" for line in self.doc_lines(texts))

    def py_path(self, op: ir.Operation) -> str:
        """An f-string with every path parameter percent-encoded by the runtime's `quote`."""
        path = op.path.replace("{", "{{").replace("}", "}}")
        for p in op.path_params:
            path = path.replace("{{" + p.name + "}}", "{_quote(" + self.py_ident(p.name) + ")}")
        return 'f"' + path + '"' if op.path_params else '"' + op.path + '"'

    def py_return(self, op: ir.Operation) -> str:
        return self.py_type(op.response, "models.") if op.response else "None"
