# Generated from fixture/openapi.yaml, fixture/asyncapi.yaml, fixture/errors.yaml by codegen — do not edit.
# Change the spec (or codegen/templates/python) and run `make codegen`.
"""Code generated from the specs: models, the error registry, one method per REST operation."""

from . import errors, models, operations

__all__ = ["errors", "models", "operations"]
