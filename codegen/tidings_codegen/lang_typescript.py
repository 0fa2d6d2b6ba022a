"""TypeScript spelling of the IR (interfaces, string-literal unions, an abstract client)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from . import ir
from .lang_common import Adapter
from .naming import camel, pascal

__all__ = ["TypeScript"]

_IDENT = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


class TypeScript(Adapter):
    reserved = frozenset(
        [
            "break",
            "case",
            "catch",
            "class",
            "const",
            "continue",
            "debugger",
            "default",
            "delete",
            "do",
            "else",
            "enum",
            "export",
            "extends",
            "false",
            "finally",
            "for",
            "function",
            "if",
            "import",
            "in",
            "instanceof",
            "new",
            "null",
            "return",
            "super",
            "switch",
            "this",
            "throw",
            "true",
            "try",
            "typeof",
            "var",
            "void",
            "while",
            "with",
            "let",
            "static",
            "yield",
            "await",
            "implements",
            "interface",
            "package",
            "private",
            "protected",
            "public",
        ]
    )

    def ts_type(self, t: ir.TypeRef, prefix: str = "") -> str:
        return self.type_expr(t, prefix)

    def _spell_primitive(self, t: ir.TypeRef, prefix: str) -> str:
        return {"integer": "number", "number": "number", "string": "string", "boolean": "boolean"}.get(
            t.kind, "unknown"
        )

    def _spell_literal(self, value: str | int | None) -> str:
        return json.dumps(value)

    def _spell_array(self, inner: str) -> str:
        return f"{inner}[]" if re.match(r"^[\w$.]+$", inner) else f"Array<{inner}>"

    def _spell_map(self, inner: str) -> str:
        return f"Record<string, {inner}>"

    def _spell_nullable(self, inner: str) -> str:
        return f"{inner} | null"

    def ts_prop(self, name: str) -> str:
        return name if _IDENT.match(name) else json.dumps(name)

    def ts_ident(self, name: str) -> str:
        return self.safe(camel(name))

    def ts_method(self, op: ir.Operation) -> str:
        return camel(op.name)

    def ts_iter_method(self, op: ir.Operation) -> str:
        return camel(self.iter_name(op))

    def ts_params_type(self, op: ir.Operation) -> str:
        return pascal(op.name) + "Params"

    def ts_literal(self, value: object) -> str:
        return json.dumps(value)

    def ts_path(self, op: ir.Operation) -> str:
        """The path as a template literal with every parameter percent-encoded."""
        path = op.path.replace("`", "\\`")
        for p in op.path_params:
            path = path.replace(
                "{" + p.name + "}", "${encodeURIComponent(String(" + self.ts_ident(p.name) + "))}"
            )
        return "`" + path + "`"

    def ts_doc(self, texts: str | Sequence[str | None] | None, indent: int = 0) -> str:
        lines = self.doc_lines(texts)
        if not lines:
            return ""
        pad = " " * indent
        if len(lines) == 1:
            line = lines[0].replace("*/", "*\\/")
            return f"{pad}/** {line} */\n"
        body = "\n".join(f"{pad} * {line}".rstrip() for line in lines).replace("*/", "*\\/")
        return f"{pad}/**\n{body}\n{pad} */\n"

    def ts_return(self, op: ir.Operation) -> str:
        return self.ts_type(op.response, "models.") if op.response else "void"
