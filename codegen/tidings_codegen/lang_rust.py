"""Rust spelling of the IR (serde structs and enums, `impl Client` with one method per operation)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from . import ir
from .lang_common import Adapter
from .naming import pascal, snake

__all__ = ["Rust"]


class Rust(Adapter):
    reserved = frozenset(
        [
            "as",
            "break",
            "const",
            "continue",
            "crate",
            "else",
            "enum",
            "extern",
            "false",
            "fn",
            "for",
            "if",
            "impl",
            "in",
            "let",
            "loop",
            "match",
            "mod",
            "move",
            "mut",
            "pub",
            "ref",
            "return",
            "self",
            "Self",
            "static",
            "struct",
            "super",
            "trait",
            "true",
            "type",
            "unsafe",
            "use",
            "where",
            "while",
            "async",
            "await",
            "dyn",
            "abstract",
            "become",
            "box",
            "do",
            "final",
            "macro",
            "override",
            "priv",
            "typeof",
            "unsized",
            "virtual",
            "yield",
            "try",
            "gen",
        ]
    )

    def rs_type(self, t: ir.TypeRef, prefix: str = "") -> str:
        return self.type_expr(t, prefix)

    def _spell_primitive(self, t: ir.TypeRef, prefix: str) -> str:
        if t.kind == "integer":
            return "i32" if t.format == "int32" else "i64"
        if t.kind == "number":
            return "f32" if t.format == "float" else "f64"
        return {"string": "String", "boolean": "bool", "any": "serde_json::Value"}[t.kind]

    def _spell_literal(self, value: str | int | None) -> str:
        # serde has no literal types; the union deserializer dispatches on the tag value instead.
        return "String"

    def _spell_array(self, inner: str) -> str:
        return f"Vec<{inner}>"

    def _spell_map(self, inner: str) -> str:
        return f"std::collections::BTreeMap<String, {inner}>"

    def _spell_nullable(self, inner: str) -> str:
        return f"Option<{inner}>"

    def rs_field(self, name: str) -> str:
        ident = snake(name)
        return (
            "r#" + ident
            if ident in self.reserved and ident not in ("self", "Self", "crate", "super")
            else (ident + "_" if ident in ("self", "crate", "super") else ident)
        )

    def rs_needs_rename(self, name: str) -> bool:
        return self.rs_field(name).removeprefix("r#") != name

    def rs_field_type(self, f: ir.Field) -> str:
        inner = self.rs_type(f.type)
        # Absent and null are different things when a field is optional *and* nullable
        # (PATCH: absent = keep, null = clear), hence Option<Option<T>>.
        return inner if f.required else f"Option<{inner}>"

    def rs_field_attrs(self, f: ir.Field) -> list[str]:
        attrs = []
        if self.rs_needs_rename(f.name):
            attrs.append(f"rename = {json.dumps(f.name)}")
        if not f.required:
            attrs.append('default, skip_serializing_if = "Option::is_none"')
            if f.type.nullable:
                attrs.append('deserialize_with = "deserialize_present"')
        return attrs

    def rs_uses_double_option(self) -> bool:
        return any(
            not f.required and f.type.nullable
            for m in self.api.models
            if isinstance(m, ir.ObjectModel)
            for f in m.fields
        )

    def rs_variant(self, value: object) -> str:
        return pascal(str(value))

    def rs_str(self, value: object) -> str:
        return json.dumps(str(value))

    def rs_doc(self, texts: str | Sequence[str | None] | None, indent: int = 0) -> str:
        pad = " " * indent
        return "".join(f"{pad}/// {line}".rstrip() + "\n" for line in self.doc_lines(texts))

    # --- operation arguments ------------------------------------------------------------
    def rs_arg_type(self, t: ir.TypeRef) -> str:
        """How a path parameter is passed: strings by reference, enums and numbers by value."""
        base = self.base_type(t)
        if base.kind in ("string", "literal"):
            return "&str"
        if self.is_enum(t):
            return "models::" + (base.name or "")
        if base.kind in ("integer", "number", "boolean"):
            return self.rs_type(base)
        return "&" + self.rs_type(t, "models::")

    def rs_to_string(self, expr: str, t: ir.TypeRef) -> str:
        """An expression turning a parameter value into its wire text."""
        base = self.base_type(t)
        if base.kind in ("string", "literal"):
            return f"{expr}.to_string()"
        if self.is_enum(t):
            return f"{expr}.as_str().to_string()"
        if base.kind in ("integer", "number", "boolean"):
            return f"{expr}.to_string()"
        raise ValueError(f"parameter of type {t} cannot be sent in a path or query")

    def rs_path_arg(self, ident: str, t: ir.TypeRef) -> str:
        """A `&str` for a path argument declared with `rs_arg_type`."""
        base = self.base_type(t)
        if base.kind in ("string", "literal"):
            return ident
        if self.is_enum(t):
            return f"{ident}.as_str()"
        return f"&{ident}.to_string()"

    def rs_param_field_type(self, p: ir.Param) -> str:
        inner = self.rs_type(p.type, "models::")
        return inner if p.required else f"Option<{inner}>"

    def rs_params_type(self, op: ir.Operation) -> str:
        return pascal(op.name) + "Params"

    def rs_is_array(self, t: ir.TypeRef) -> bool:
        return self.base_type(t).kind == "array"

    def rs_item(self, t: ir.TypeRef) -> ir.TypeRef:
        item = self.base_type(t).item
        assert item is not None
        return item

    def rs_return(self, op: ir.Operation) -> str:
        return self.rs_type(op.response, "models::") if op.response else "()"

    def rs_path(self, op: ir.Operation) -> str:
        """A `format!` call with every parameter percent-encoded by the runtime."""
        if not op.path_params:
            return json.dumps(op.path) + ".to_string()"
        template = op.path.replace("{", "{{").replace("}", "}}")
        args = []
        for p in op.path_params:
            template = template.replace("{{" + p.name + "}}", "{}")
            args.append(f"encode_path_segment({self.rs_path_arg(self.rs_field(p.name), p.type)})")
        return f"format!({json.dumps(template)}, {', '.join(args)})"
