// Generated from fixture/openapi.yaml, fixture/asyncapi.yaml, fixture/errors.yaml by codegen — do not edit.
// Change the spec (or codegen/templates/rust) and run `make codegen`.

//! Models of Petstore fixture 1.2.3: request and response bodies, realtime frames.
//!
//! An optional field is `Option<T>` and is left out when `None`; a nullable field is
//! `Option<T>` and is sent as `null`; a field that is both is `Option<Option<T>>` (absent vs null).

#![allow(clippy::large_enum_variant)]

use serde::de::Error as _;
use serde::{Deserialize, Serialize};

/// Keeps `Some(None)` for an explicit `null`, where plain `Option<Option<T>>` would give `None`.
fn deserialize_present<'de, T, D>(deserializer: D) -> Result<Option<T>, D::Error>
where
    T: Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    T::deserialize(deserializer).map(Some)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cat {
    pub id: i64,
    pub name: String,
    /// Required but may be null.
    pub nickname: Option<String>,
    /// Optional and nullable (a ref via allOf).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_present"
    )]
    pub owner_id: Option<Option<Id>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<std::collections::BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scores: Option<std::collections::BTreeMap<String, Score>>,
    /// Free-form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<std::collections::BTreeMap<String, serde_json::Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<Color>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<Size>,
    pub kind: String,
    pub indoor: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Census {
    pub total: i64,
    /// Properties beyond the ones above.
    #[serde(flatten)]
    pub extra: std::collections::BTreeMap<String, i64>,
}

/// Tagged by `type`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ClientFrame {
    Subscribe(Subscribe),
}

impl<'de> Deserialize<'de> for ClientFrame {
    // Dispatch on the tag, then deserialize the whole object (tag included) as the variant,
    // so each variant struct stays usable on its own.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        let tag = value
            .get("type")
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| D::Error::missing_field("type"))?
            .to_owned();
        match tag.as_str() {
            "subscribe" => serde_json::from_value(value).map(Self::Subscribe),
            other => return Err(D::Error::unknown_variant(other, &["subscribe"])),
        }
        .map_err(D::Error::custom)
    }
}

/// Coat colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Color {
    #[serde(rename = "black")]
    Black,
    #[serde(rename = "white")]
    White,
    #[serde(rename = "ginger")]
    Ginger,
    #[serde(rename = "tabby-grey")]
    TabbyGrey,
}

impl Color {
    /// Every value, in spec order.
    pub const ALL: &'static [Self] = &[Self::Black, Self::White, Self::Ginger, Self::TabbyGrey];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Black => "black",
            Self::White => "white",
            Self::Ginger => "ginger",
            Self::TabbyGrey => "tabby-grey",
        }
    }
}

pub type Cursor = String;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dog {
    pub id: i64,
    pub name: String,
    /// Required but may be null.
    pub nickname: Option<String>,
    /// Optional and nullable (a ref via allOf).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_present"
    )]
    pub owner_id: Option<Option<Id>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<std::collections::BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scores: Option<std::collections::BTreeMap<String, Score>>,
    /// Free-form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<std::collections::BTreeMap<String, serde_json::Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<Color>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<Size>,
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub good_boy: Option<bool>,
    /// A property named like a keyword.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    #[serde(rename = "x-breed", default, skip_serializing_if = "Option::is_none")]
    pub x_breed: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub r#type: String,
    pub topic: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<Cursor>,
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hello {
    pub r#type: String,
    pub session: String,
}

pub type Id = String;

/// A display name.
pub type Name = String;

/// Opaque; pass it back as `after`.
pub type PageCursor = String;

/// Tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Pet {
    Cat(Cat),
    Dog(Dog),
}

impl<'de> Deserialize<'de> for Pet {
    // Dispatch on the tag, then deserialize the whole object (tag included) as the variant,
    // so each variant struct stays usable on its own.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        let tag = value
            .get("kind")
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| D::Error::missing_field("kind"))?
            .to_owned();
        match tag.as_str() {
            "cat" => serde_json::from_value(value).map(Self::Cat),
            "dog" => serde_json::from_value(value).map(Self::Dog),
            other => return Err(D::Error::unknown_variant(other, &["cat", "dog"])),
        }
        .map_err(D::Error::custom)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PetBase {
    pub id: i64,
    pub name: String,
    /// Required but may be null.
    pub nickname: Option<String>,
    /// Optional and nullable (a ref via allOf).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_present"
    )]
    pub owner_id: Option<Option<Id>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<std::collections::BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scores: Option<std::collections::BTreeMap<String, Score>>,
    /// Free-form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<std::collections::BTreeMap<String, serde_json::Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<Color>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<Size>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PetPage {
    pub items: Vec<Pet>,
    /// Null on the last page.
    pub next_cursor: Option<PageCursor>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PetUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_present"
    )]
    pub nickname: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_present"
    )]
    pub owner_id: Option<Option<Id>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    pub r#type: String,
    pub title: String,
    pub status: i64,
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<Violation>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Score {
    ScoreVariant1(ScoreVariant1),
    ScoreVariant2(ScoreVariant2),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreVariant1 {
    pub points: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreVariant2 {
    pub grade: String,
}

/// Tagged by `type`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ServerFrame {
    Hello(Hello),
    Event(Event),
}

impl<'de> Deserialize<'de> for ServerFrame {
    // Dispatch on the tag, then deserialize the whole object (tag included) as the variant,
    // so each variant struct stays usable on its own.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        let tag = value
            .get("type")
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| D::Error::missing_field("type"))?
            .to_owned();
        match tag.as_str() {
            "hello" => serde_json::from_value(value).map(Self::Hello),
            "event" => serde_json::from_value(value).map(Self::Event),
            other => return Err(D::Error::unknown_variant(other, &["hello", "event"])),
        }
        .map_err(D::Error::custom)
    }
}

pub type Size = i64;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subscribe {
    pub r#type: String,
    pub pattern: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<Cursor>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tag {
    pub name: Name,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
}

/// Declared but never sent; included through `schemas` in the config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unused {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Violation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Visit {
    pub at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitPage {
    pub items: Vec<Visit>,
    pub next_cursor: PageCursor,
    /// Whether more visits follow `next_cursor` now.
    pub has_more: bool,
}
