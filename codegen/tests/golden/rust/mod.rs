// Generated from fixture/openapi.yaml, fixture/asyncapi.yaml, fixture/errors.yaml by codegen — do not edit.
// Change the spec (or codegen/templates/rust) and run `make codegen`.

//! Code generated from the specs: models, the error registry, one method per REST operation.

pub mod errors;
pub mod models;
pub mod operations;
