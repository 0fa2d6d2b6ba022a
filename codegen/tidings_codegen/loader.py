"""Read the specs into an `ir.Api`.

`$ref`s (inside a document, and to other files such as
`./schemas/system.yaml#/definitions/Health`) are resolved by `referencing`: every schema is
addressed by its absolute URI (file URI + JSON pointer), which is also its identity, so two refs
to one schema give one model, and a nested ref resolves against the file it is written in.

Naming: a schema reached through a ref is named after the last segment of the ref's pointer
(`#/definitions/Health` -> `Health`), or after the file for a whole-file ref (`problem.yaml` ->
`Problem`). Inline objects, enums and unions that need a declaration are named after where they
sit (`User.memberships[]` -> `UserMembershipsItem`). Two different schemas that would get the
same name are an error: the spec author picks a new name, codegen never guesses.
"""

from __future__ import annotations

import keyword
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin

import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from . import ir
from .naming import pascal, snake

__all__ = ["CodegenError", "PaginationConvention", "load_api"]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
JSON_MEDIA = "application/json"


class CodegenError(Exception):
    """The spec uses something the generator does not support, or is ambiguous for it."""


@dataclass(frozen=True)
class PaginationConvention:
    """How the API spells cursor pagination (from codegen/config.yaml)."""

    cursor_param: str = "after"
    items_field: str = "items"
    next_cursor_field: str = "next_cursor"
    # A boolean field of this name on a page says whether more items follow: a page that always
    # carries `next_cursor` (a position to resume from later) ends when it is false.
    has_more_field: str | None = "has_more"


def _retrieve(uri: str) -> Resource[Any]:
    # Only local files: a spec that refs the network would make codegen non-reproducible.
    if not uri.startswith("file://"):
        raise CodegenError(f"only file refs are supported, not {uri!r}")
    text = Path(uri.removeprefix("file://")).read_text(encoding="utf-8")
    # OpenAPI 3.0 schema objects are closest to draft 4 (no `$id`, `$ref` replaces siblings).
    return DRAFT4.create_resource(yaml.safe_load(text))


class _Loader:
    def __init__(self, root: Path, pagination: PaginationConvention) -> None:
        self.root = root
        self.pagination = pagination
        self.resolver = Registry(retrieve=_retrieve).resolver()  # type: ignore[call-arg]
        self.models: dict[str, ir.Model] = {}
        self.model_uris: dict[str, str] = {}  # name -> identity (URI or inline location)
        self.defining: set[str] = set()

    # --- documents and refs -------------------------------------------------------------
    def uri_of(self, path: Path) -> str:
        return path.resolve().as_uri()

    def lookup(self, uri: str) -> Any:
        resolved = self.resolver.lookup(uri)
        # Keep the registry that now caches the retrieved file.
        self.resolver = resolved.resolver
        return resolved.contents

    def deref(self, node: Any, base: str) -> tuple[Any, str]:
        """Follow `$ref`s until a non-ref node; returns it and the URI it lives at."""
        seen = set()
        while isinstance(node, Mapping) and "$ref" in node:
            base = urljoin(base, node["$ref"])
            if base in seen:
                raise CodegenError(f"$ref cycle at {base}")
            seen.add(base)
            node = self.lookup(base)
        return node, base

    # --- models ---------------------------------------------------------------------------
    def name_for_uri(self, uri: str) -> str:
        url, fragment = urldefrag(uri)
        if fragment:
            return pascal(fragment.rstrip("/").rsplit("/", 1)[-1])
        return pascal(Path(url).stem)

    def claim(self, name: str, identity: str) -> bool:
        """Reserve `name` for `identity`; False if it already has it (already defined)."""
        owner = self.model_uris.get(name)
        if owner is None:
            self.model_uris[name] = identity
            return True
        if owner != identity:
            raise CodegenError(f"two schemas would both be named {name!r}: {owner} and {identity}")
        return False

    def type_of(self, schema: Any, base: str, context: str) -> ir.TypeRef:
        """The type of a schema used somewhere; `context` names it if it must be declared."""
        if not isinstance(schema, Mapping):
            if schema is True or schema == {}:
                return ir.TypeRef("any")
            raise CodegenError(f"{context}: not a schema: {schema!r}")
        if "$ref" in schema:
            uri = urljoin(base, schema["$ref"])
            name = self.name_for_uri(uri)
            if self.claim(name, uri):
                self.define(name, self.lookup(uri), uri)
            return ir.TypeRef("ref", name=name)
        nullable = bool(schema.get("nullable", False))
        types = schema.get("type")
        if isinstance(types, list):  # OpenAPI 3.1 / JSON Schema spelling of nullable
            nullable = nullable or "null" in types
            rest = [t for t in types if t != "null"]
            if len(rest) != 1:
                raise CodegenError(f"{context}: multi-type schemas are not supported: {types}")
            schema = {**schema, "type": rest[0]}
        all_of = schema.get("allOf")
        if all_of and len(all_of) == 1 and set(schema) <= {"allOf", "nullable", "description"}:
            # `allOf: [$ref]` is how OpenAPI 3.0 attaches `nullable`/description to a ref.
            return self.type_of(all_of[0], base, context).with_nullable(nullable)
        if self.is_declared_kind(schema):
            if self.claim(context, f"{base} (inline {context})"):
                self.define(context, schema, base)
            return ir.TypeRef("ref", name=context, nullable=nullable)
        enum = schema.get("enum")
        if enum is not None:  # single value: a constant (discriminator tags, `status: ok`)
            return ir.TypeRef("literal", value=enum[0], nullable=nullable)
        return self.structural(schema, base, context).with_nullable(nullable)

    def is_declared_kind(self, schema: Mapping[str, Any]) -> bool:
        """Objects with properties, unions and multi-value enums get a declaration."""
        if "oneOf" in schema or "anyOf" in schema or "allOf" in schema:
            return True
        if "properties" in schema:
            return True
        enum = schema.get("enum")
        return enum is not None and len([v for v in enum if v is not None]) > 1

    def structural(self, schema: Mapping[str, Any], base: str, context: str) -> ir.TypeRef:
        """Primitives, arrays and maps: types that need no declaration of their own."""
        kind = schema.get("type")
        if kind == "array":
            return ir.TypeRef("array", item=self.type_of(schema.get("items", {}), base, context + "Item"))
        if kind == "object" or (kind is None and "additionalProperties" in schema):
            extra = schema.get("additionalProperties", True)
            if extra is True or extra == {}:
                return ir.TypeRef("map", item=ir.TypeRef("any"))  # free-form object
            if extra is False:
                return ir.TypeRef("map", item=ir.TypeRef("any"))  # `{}`: no keys, still an object
            return ir.TypeRef("map", item=self.type_of(extra, base, context + "Value"))
        if kind in ("string", "integer", "number", "boolean"):
            return ir.TypeRef(kind, format=schema.get("format"))
        if kind is None:
            return ir.TypeRef("any")
        raise CodegenError(f"{context}: unsupported type {kind!r}")

    def define(self, name: str, schema: Any, base: str) -> None:
        description = schema.get("description") if isinstance(schema, Mapping) else None
        if not isinstance(schema, Mapping):
            self.models[name] = ir.AliasModel(name, self.type_of(schema, base, name))
        elif "$ref" in schema:
            self.models[name] = ir.AliasModel(name, self.type_of(schema, base, name), description)
        elif "oneOf" in schema or "anyOf" in schema:
            self.models[name] = self.union(name, schema, base)
        elif "enum" in schema and not ("properties" in schema or "allOf" in schema):
            values = tuple(v for v in schema["enum"] if v is not None)
            self.models[name] = ir.EnumModel(name, values, description)
        elif "properties" in schema or "allOf" in schema:
            self.models[name] = self.object_model(name, schema, base)
        else:
            target = self.type_of({k: v for k, v in schema.items() if k != "enum"}, base, name)
            if "enum" in schema:  # a named single-value enum
                target = ir.TypeRef("literal", value=schema["enum"][0], nullable=target.nullable)
            self.models[name] = ir.AliasModel(name, target, description)

    def collect_object(
        self, schema: Mapping[str, Any], base: str, name: str
    ) -> tuple[dict[str, tuple[Any, str]], set[str], Any, str, str | None]:
        """Flatten `allOf` parts and own properties: (props, required, extra, extra_base, doc)."""
        props: dict[str, tuple[Any, str]] = {}
        required: set[str] = set()
        extra: Any = None
        extra_base = base
        description = schema.get("description")
        for part in schema.get("allOf", ()):
            node, node_base = self.deref(part, base)
            p, r, e, eb, d = self.collect_object(node, node_base, name)
            props.update(p)
            required |= r
            if e is not None:
                extra, extra_base = e, eb
            description = description or d
        for key, prop in schema.get("properties", {}).items():
            props[key] = (prop, base)
        required |= set(schema.get("required", ()))
        if isinstance(schema.get("additionalProperties"), Mapping) and schema["additionalProperties"]:
            extra, extra_base = schema["additionalProperties"], base
        return props, required, extra, extra_base, description

    def object_model(self, name: str, schema: Mapping[str, Any], base: str) -> ir.ObjectModel:
        props, required, extra, extra_base, description = self.collect_object(schema, base, name)
        fields = tuple(
            ir.Field(
                key,
                self.type_of(prop, prop_base, name + pascal(key)),
                key in required,
                prop.get("description") if isinstance(prop, Mapping) else None,
            )
            for key, (prop, prop_base) in props.items()
        )
        extra_type = self.type_of(extra, extra_base, name + "Value") if extra is not None else None
        return ir.ObjectModel(name, fields, description, extra_type)

    def union(self, name: str, schema: Mapping[str, Any], base: str) -> ir.UnionModel:
        options = schema.get("oneOf") or schema.get("anyOf") or []
        variants: list[str] = []
        for i, option in enumerate(options):
            ref = self.type_of(option, base, f"{name}Variant{i + 1}")
            if ref.kind != "ref" or ref.name is None:
                raise CodegenError(f"{name}: union variants must be objects or refs")
            variants.append(ref.name)
        disc = schema.get("discriminator")
        if disc is None:
            return ir.UnionModel(name, tuple(variants), schema.get("description"))
        prop = disc["propertyName"]
        by_variant: dict[str, str] = {}
        for value, target in disc.get("mapping", {}).items():
            target_uri = urljoin(
                base, target if "#" in target or "/" in target else f"#/components/schemas/{target}"
            )
            by_variant.setdefault(self.name_for_uri(target_uri), str(value))
        mapping = []
        for variant in variants:
            value = by_variant.get(variant) or self.tag_value(variant, prop)
            mapping.append((value, variant))
        return ir.UnionModel(name, tuple(variants), schema.get("description"), prop, tuple(mapping))

    def tag_value(self, variant: str, prop: str) -> str:
        """A variant's tag: the single value its tag property allows, else its name (OpenAPI)."""
        model = self.models.get(variant)
        if isinstance(model, ir.ObjectModel):
            for f in model.fields:
                if f.name != prop:
                    continue
                if f.type.kind == "literal":
                    return str(f.type.value)
                target = self.models.get(f.type.name or "")
                if isinstance(target, ir.EnumModel) and len(target.values) == 1:
                    return str(target.values[0])
                if isinstance(target, ir.AliasModel) and target.target.kind == "literal":
                    return str(target.target.value)
        return variant

    # --- OpenAPI ------------------------------------------------------------------------
    def operations(self, doc: Mapping[str, Any], base: str) -> list[ir.Operation]:
        ops: list[ir.Operation] = []
        names: set[str] = set()
        default_security = doc.get("security", [])
        for path, item in doc.get("paths", {}).items():
            item, item_base = self.deref(item, base)
            for method in HTTP_METHODS:
                op = item.get(method)
                if op is None:
                    continue
                operation = self.operation(path, method, op, item, item_base, default_security)
                if operation.name in names:
                    raise CodegenError(f"two operations are named {operation.name!r}")
                names.add(operation.name)
                ops.append(operation)
        return ops

    def operation(
        self,
        path: str,
        method: str,
        op: Mapping[str, Any],
        item: Mapping[str, Any],
        base: str,
        default_security: Sequence[Mapping[str, Any]],
    ) -> ir.Operation:
        op_id = op.get("operationId")
        # connexion operationIds are dotted handler paths; the method is the last segment.
        name = snake(op_id.rsplit(".", 1)[-1]) if op_id else snake(f"{method}_{path}")
        if keyword.iskeyword(name):
            raise CodegenError(f"operation name {name!r} is a Python keyword")
        ctx = pascal(name)
        params: dict[tuple[str, str], ir.Param] = {}
        for raw in [*item.get("parameters", ()), *op.get("parameters", ())]:
            param, param_base = self.deref(raw, base)
            location = param["in"]
            if location == "cookie":
                raise CodegenError(f"{name}: cookie parameters are not supported")
            ptype = self.type_of(param.get("schema", {}), param_base, ctx + pascal(param["name"]))
            params[(location, param["name"])] = ir.Param(
                param["name"], location, ptype, bool(param.get("required")), param.get("description")
            )
        body, body_required = None, False
        if "requestBody" in op:
            request, request_base = self.deref(op["requestBody"], base)
            media = self.json_media(request.get("content", {}), f"{name} request")
            body = self.type_of(media.get("schema", {}), request_base, ctx + "Request")
            body_required = bool(request.get("required"))
        response = self.success_type(op.get("responses", {}), base, ctx, name)
        self.error_types(op.get("responses", {}), base, ctx)
        security: list[str] = []
        for requirement in op.get("security", default_security):
            if len(requirement) > 1:
                raise CodegenError(f"{name}: security requirements combining schemes are not supported")
            security.extend(requirement)
        ordered = sorted(params.values(), key=lambda p: ("path", "query", "header").index(p.location))
        # Path parameters in the order they appear in the path, so positional arguments read naturally.
        ordered.sort(key=lambda p: path.find("{" + p.name + "}") if p.location == "path" else 1 << 30)
        operation = ir.Operation(
            name=name,
            method=method.upper(),
            path=path,
            params=tuple(ordered),
            body=body,
            body_required=body_required,
            response=response,
            security=tuple(security),
            summary=op.get("summary"),
            description=op.get("description"),
            tag=(op.get("tags") or [None])[0],
            deprecated=bool(op.get("deprecated")),
        )
        for p in operation.path_params:
            if "{" + p.name + "}" not in path:
                raise CodegenError(f"{name}: path parameter {p.name!r} is not in {path}")
        return self.with_pagination(operation, method)

    def json_media(self, content: Mapping[str, Any], where: str) -> Mapping[str, Any]:
        for media_type in sorted(content):
            if media_type == JSON_MEDIA or media_type.endswith("+json"):
                result: Mapping[str, Any] = content[media_type]
                return result
        raise CodegenError(f"{where}: only JSON bodies are supported, not {sorted(content)}")

    def success_type(self, responses: Mapping[str, Any], base: str, ctx: str, name: str) -> ir.TypeRef | None:
        found: list[ir.TypeRef] = []
        by_status = {str(status): response for status, response in responses.items()}  # YAML: 200 or '200'
        for status in sorted(by_status):
            if not status.startswith("2"):
                continue
            response, response_base = self.deref(by_status[status], base)
            content = response.get("content")
            if not content:
                continue
            media = self.json_media(content, f"{name} response {status}")
            found.append(self.type_of(media.get("schema", {}), response_base, ctx + "Response"))
        if len(set(found)) > 1:
            raise CodegenError(f"{name}: success responses with different bodies are not supported")
        return found[0] if found else None

    def error_types(self, responses: Mapping[str, Any], base: str, ctx: str) -> None:
        """Declare the bodies of error responses (the problem type) as models too."""
        for status, raw in responses.items():
            if str(status).startswith("2"):
                continue
            response, response_base = self.deref(raw, base)
            for media_type, media in sorted(response.get("content", {}).items()):
                if (media_type == JSON_MEDIA or media_type.endswith("+json")) and "schema" in media:
                    self.type_of(media["schema"], response_base, f"{ctx}Error{pascal(str(status))}")

    def with_pagination(self, op: ir.Operation, method: str) -> ir.Operation:
        conv = self.pagination
        if method != "get" or op.response is None or op.response.kind != "ref":
            return op
        if not any(p.name == conv.cursor_param and p.location == "query" for p in op.params):
            return op
        model = self.models.get(op.response.name or "")
        if not isinstance(model, ir.ObjectModel):
            return op
        fields = {f.name: f for f in model.fields}
        items, cursor = fields.get(conv.items_field), fields.get(conv.next_cursor_field)
        if items is None or cursor is None or items.type.kind != "array" or items.type.item is None:
            return op
        has_more = fields.get(conv.has_more_field) if conv.has_more_field else None
        if has_more is not None and self.base_kind(has_more.type) != "boolean":
            raise CodegenError(
                f"{model.name}.{has_more.name}: a paginated list's `{conv.has_more_field}` must be a boolean"
            )
        page = ir.Pagination(
            conv.cursor_param,
            conv.items_field,
            conv.next_cursor_field,
            items.type.item,
            has_more.name if has_more is not None else None,
        )
        return ir.Operation(**{**op.__dict__, "pagination": page})

    def base_kind(self, t: ir.TypeRef) -> str:
        """The kind of `t`, looking through named aliases (`Flag = boolean`)."""
        seen: set[str | None] = set()
        while t.kind == "ref" and t.name not in seen:
            seen.add(t.name)
            model = self.models.get(t.name or "")
            if not isinstance(model, ir.AliasModel):
                break
            t = model.target
        return t.kind

    def security_schemes(self, doc: Mapping[str, Any], base: str) -> list[ir.SecurityScheme]:
        out = []
        for key, raw in sorted(doc.get("components", {}).get("securitySchemes", {}).items()):
            scheme, _ = self.deref(raw, base)
            kind = scheme["type"]
            if kind not in ("http", "apiKey"):
                raise CodegenError(f"security scheme {key}: type {kind!r} is not supported")
            out.append(
                ir.SecurityScheme(
                    key,
                    kind,
                    scheme=scheme.get("scheme", "").lower() or None,
                    location=scheme.get("in"),
                    param_name=scheme.get("name"),
                    description=scheme.get("description"),
                )
            )
        return out

    # --- AsyncAPI -----------------------------------------------------------------------
    def messages(self, doc: Mapping[str, Any], base: str) -> list[str]:
        names: list[str] = []
        for key, raw in doc.get("components", {}).get("messages", {}).items():
            message, message_base = self.deref(raw, base)
            if "payload" not in message:
                continue
            payload = self.type_of(message["payload"], message_base, pascal(key) + "Message")
            if payload.kind == "ref" and payload.name not in names:
                names.append(payload.name or "")
        return names


def _errors(path: Path) -> list[ir.ErrorCode]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for code, entry in doc["codes"].items():
        out.append(
            ir.ErrorCode(
                code=code,
                title=entry["title"],
                retryable=bool(entry.get("retryable", False)),
                status=entry.get("status"),
                close_code=entry.get("close_code"),
                action=entry.get("action"),
                description=entry.get("description"),
                frame=bool(entry.get("frame", False)),
            )
        )
    return out


def load_api(
    root: Path,
    openapi: str,
    asyncapi: str | None = None,
    errors: str | None = None,
    pagination: PaginationConvention | None = None,
    frame_unions: Mapping[str, Mapping[str, Any]] | None = None,
    schema_files: Sequence[str] = (),
) -> ir.Api:
    """Load the specs (paths relative to `root`) into one `ir.Api`.

    `frame_unions` declares unions of AsyncAPI message payloads by operation action, e.g.
    `{"ServerFrame": {"action": "receive", "discriminator": "type"}}`. Every definition of each
    of `schema_files` becomes a model, used by an operation or not (e.g. the realtime `Cursor`).
    """
    loader = _Loader(root, pagination or PaginationConvention())
    sources = [openapi]
    openapi_uri = loader.uri_of(root / openapi)
    doc = loader.lookup(openapi_uri)
    operations = loader.operations(doc, openapi_uri)
    schemes = loader.security_schemes(doc, openapi_uri)
    # Declared schemas become models even when no operation uses them yet.
    for key in doc.get("components", {}).get("schemas", {}):
        loader.type_of({"$ref": f"#/components/schemas/{key}"}, openapi_uri, key)
    for schema_file in schema_files:
        file_uri = loader.uri_of(root / schema_file)
        for key in loader.lookup(file_uri).get("definitions", {}):
            loader.type_of({"$ref": f"#/definitions/{key}"}, file_uri, key)
    messages: list[str] = []
    if asyncapi:
        sources.append(asyncapi)
        async_uri = loader.uri_of(root / asyncapi)
        async_doc = loader.lookup(async_uri)
        messages = loader.messages(async_doc, async_uri)
        for union_name, spec in (frame_unions or {}).items():
            variants = _payloads_for_action(loader, async_doc, async_uri, spec["action"])
            if not variants:
                continue
            union: dict[str, Any] = {"oneOf": [{"$ref": v} for v in variants]}
            if spec.get("discriminator"):
                union["discriminator"] = {"propertyName": spec["discriminator"]}
            if loader.claim(union_name, f"{async_uri} (frames {spec['action']})"):
                loader.models[union_name] = loader.union(union_name, union, async_uri)
    error_codes: list[ir.ErrorCode] = []
    if errors:
        sources.append(errors)
        error_codes = _errors(root / errors)
    return ir.Api(
        title=doc["info"]["title"],
        version=str(doc["info"]["version"]),
        sources=tuple(sources),
        models=tuple(loader.models[k] for k in sorted(loader.models)),
        operations=tuple(operations),
        security_schemes=tuple(schemes),
        errors=tuple(error_codes),
        messages=tuple(messages),
    )


def _payloads_for_action(loader: _Loader, doc: Mapping[str, Any], base: str, action: str) -> list[str]:
    """Absolute URIs of the payloads of every message of every operation with `action`."""
    uris: list[str] = []
    for op in doc.get("operations", {}).values():
        if op.get("action") != action:
            continue
        for ref in op.get("messages", ()):
            message, message_base = loader.deref(ref, base)
            payload = message.get("payload", {})
            if "$ref" not in payload:
                raise CodegenError("frame unions need message payloads that are $refs")
            uri = urljoin(message_base, payload["$ref"])
            if uri not in uris:
                uris.append(uri)
    return uris
