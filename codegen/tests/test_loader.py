"""What the loader understands of a spec, checked on the intermediate representation."""

from __future__ import annotations

from pathlib import Path

import pytest

from tidings_codegen import ir
from tidings_codegen.loader import CodegenError, load_api
from tidings_codegen.render import load_config

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def api() -> ir.Api:
    config = load_config(HERE / "fixture" / "config.yaml")
    return load_api(config.root, **config.api_args)


def model(api: ir.Api, name: str) -> ir.Model:
    return next(m for m in api.models if m.name == name)


def fields(api: ir.Api, name: str) -> dict[str, ir.Field]:
    m = model(api, name)
    assert isinstance(m, ir.ObjectModel)
    return {f.name: f for f in m.fields}


def op(api: ir.Api, name: str) -> ir.Operation:
    return next(o for o in api.operations if o.name == name)


def test_discriminated_union_maps_tags_to_variants(api: ir.Api) -> None:
    pet = model(api, "Pet")
    assert isinstance(pet, ir.UnionModel)
    assert pet.discriminator == "kind"
    assert pet.mapping == (("cat", "Cat"), ("dog", "Dog"))


def test_union_tags_come_from_single_value_enums_without_a_mapping(api: ir.Api) -> None:
    frames = model(api, "ServerFrame")
    assert isinstance(frames, ir.UnionModel)
    assert frames.mapping == (("hello", "Hello"), ("event", "Event"))


def test_union_without_discriminator_names_inline_variants(api: ir.Api) -> None:
    score = model(api, "Score")
    assert isinstance(score, ir.UnionModel)
    assert score.discriminator is None
    assert score.variants == ("ScoreVariant1", "ScoreVariant2")


def test_all_of_flattens_properties_and_required(api: ir.Api) -> None:
    dog = fields(api, "Dog")
    assert list(dog)[:3] == ["id", "name", "nickname"]  # the base's fields first, in order
    assert dog["id"].required
    assert dog["kind"].required
    assert dog["kind"].type == ir.TypeRef("literal", value="dog")
    assert not dog["good_boy"].required


def test_nullable_and_optional_are_independent(api: ir.Api) -> None:
    base = fields(api, "PetBase")
    assert base["nickname"].required
    assert base["nickname"].type.nullable
    assert not base["owner_id"].required
    assert base["owner_id"].type == ir.TypeRef("ref", name="Id", nullable=True)
    assert not base["name"].type.nullable


def test_arrays_maps_and_free_form_objects(api: ir.Api) -> None:
    base = fields(api, "PetBase")
    assert base["tags"].type == ir.TypeRef("array", item=ir.TypeRef("ref", name="Tag"))
    assert base["labels"].type == ir.TypeRef("map", item=ir.TypeRef("string"))
    assert base["scores"].type == ir.TypeRef("map", item=ir.TypeRef("ref", name="Score"))
    assert base["metadata"].type == ir.TypeRef("map", item=ir.TypeRef("any"))
    census = model(api, "Census")
    assert isinstance(census, ir.ObjectModel)
    assert census.extra == ir.TypeRef("integer")


def test_refs_across_files_resolve_to_one_model_each(api: ir.Api) -> None:
    names = [m.name for m in api.models]
    assert len(names) == len(set(names))
    assert isinstance(model(api, "Id"), ir.AliasModel)
    assert isinstance(model(api, "Problem"), ir.ObjectModel)  # whole-file ref, via an error response
    assert isinstance(model(api, "Violation"), ir.ObjectModel)  # nested ref inside that file
    assert isinstance(model(api, "Unused"), ir.ObjectModel)  # from `schemas` in the config


def test_cursor_pagination_is_detected(api: ir.Api) -> None:
    listing = op(api, "list_pets")
    assert listing.pagination == ir.Pagination("after", "items", "next_cursor", ir.TypeRef("ref", name="Pet"))
    assert op(api, "get_pet").pagination is None


def test_a_boolean_has_more_field_is_part_of_the_pagination(api: ir.Api) -> None:
    visits = op(api, "list_visits")
    assert visits.pagination == ir.Pagination(
        "after", "items", "next_cursor", ir.TypeRef("ref", name="Visit"), has_more_field="has_more"
    )
    pets = op(api, "list_pets").pagination
    assert pets is not None
    assert pets.has_more_field is None


PAGE_SPEC = """
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /things:
    get:
      operationId: list_things
      parameters:
        - {name: after, in: query, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [items, next_cursor]
                properties:
                  items: {type: array, items: {type: string}}
                  next_cursor: {type: string}
                  has_more: %s
components:
  schemas:
    Flag: {type: boolean}
"""


def test_a_has_more_field_through_an_alias_counts(tmp_path: Path) -> None:
    (tmp_path / "openapi.yaml").write_text(PAGE_SPEC % "{$ref: '#/components/schemas/Flag'}")
    things = next(o for o in load_api(tmp_path, "openapi.yaml").operations if o.name == "list_things")
    assert things.pagination is not None
    assert things.pagination.has_more_field == "has_more"


def test_a_has_more_field_that_is_not_a_boolean_is_refused(tmp_path: Path) -> None:
    (tmp_path / "openapi.yaml").write_text(PAGE_SPEC % "{type: string}")
    with pytest.raises(CodegenError, match="`has_more` must be a boolean"):
        load_api(tmp_path, "openapi.yaml")


def test_parameters_and_bodies(api: ir.Api) -> None:
    listing = op(api, "list_pets")
    assert [(p.name, p.location) for p in listing.params] == [
        ("after", "query"),
        ("limit", "query"),
        ("tag", "query"),
        ("color", "query"),
        ("from", "query"),
        ("X-Trace-Id", "header"),
    ]
    by_color = op(api, "pets_by_color")
    assert [p.name for p in by_color.path_params] == ["owner", "color"]  # path order, not spec order
    update = op(api, "update_pet")
    assert update.body == ir.TypeRef("ref", name="PetUpdate")
    assert not update.body_required
    assert [p.name for p in update.path_params] == ["pet_id"]  # inherited from the path item
    assert op(api, "delete_pet").response is None
    assert op(api, "delete_pet").deprecated


def test_security_defaults_overrides_and_anonymous(api: ir.Api) -> None:
    assert op(api, "list_pets").security == ("BearerAuth",)  # the document default
    assert op(api, "create_pet").security == ("ApiKeyHeader", "BearerAuth")
    assert op(api, "census").security == ()
    schemes = {s.name: s for s in api.security_schemes}
    assert schemes["ApiKeyQuery"] == ir.SecurityScheme(
        "ApiKeyQuery", "apiKey", None, "query", "api_key", None
    )
    assert schemes["BearerAuth"].scheme == "bearer"


def test_error_registry(api: ir.Api) -> None:
    codes = {e.code: e for e in api.errors}
    assert codes["rate_limited"] == ir.ErrorCode(
        "rate_limited", "Too Many Requests", True, 429, 4429, "reconnect", None
    )
    assert codes["going_away"].status is None


def test_two_schemas_with_one_name_are_refused(tmp_path: Path) -> None:
    (tmp_path / "other.yaml").write_text(
        "definitions:\n  Thing: {type: object, properties: {b: {type: string}}}\n"
    )
    (tmp_path / "openapi.yaml").write_text(
        """
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a:
    get:
      operationId: a
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}
  /b:
    get:
      operationId: b
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: './other.yaml#/definitions/Thing'}
components:
  schemas:
    Thing: {type: object, properties: {a: {type: string}}}
"""
    )
    with pytest.raises(CodegenError, match="both be named 'Thing'"):
        load_api(tmp_path, "openapi.yaml")
