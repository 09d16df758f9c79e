//! A field's YAML value as the CEL value `self` of its rules, typed by the schema as the API
//! server types it: an `integer` is an int, a `number` a double, an object a map of its known
//! (unpruned) fields without nulls. A value of the wrong type converts to nothing (its rules
//! are not evaluated; the validator reports the type).

use std::collections::HashMap;
use std::sync::Arc;

use cel::Value;

use super::{Schema, Shape, ShapeId};
use crate::load::yaml::{Document, NodeId, Scalar, Style, Value as Yaml};

/// `node` under `shape`, or `None` when its type is wrong or it exceeds `budget` nodes.
pub fn convert(
    schema: &Schema,
    doc: &Document,
    node: NodeId,
    shape: ShapeId,
    budget: &mut usize,
) -> Option<Value> {
    convert_fields(schema, doc, node, shape, None, budget)
}

/// As `convert`, keeping of an object only the fields `only` names (when given): what rules
/// that read `self` only through those fields can see. Their values are still type-checked.
pub fn convert_fields(
    schema: &Schema,
    doc: &Document,
    node: NodeId,
    shape: ShapeId,
    only: Option<&[&str]>,
    budget: &mut usize,
) -> Option<Value> {
    *budget = budget.checked_sub(1)?;
    match schema.shape(shape) {
        Shape::Any => untyped(doc, node, budget),
        Shape::Meta(rule) => convert(schema, doc, node, schema.meta(*rule), budget),
        Shape::Obj(o) => {
            let Yaml::Map(_) = doc.value(node) else {
                return None;
            };
            let mut map = HashMap::new();
            for &(k, v) in doc.entries(node) {
                let Some(key) = doc.str(k) else { continue };
                if doc.is_null(v) || only.is_some_and(|f| !f.contains(&key)) {
                    continue;
                }
                let value = if let Some(p) = o.prop(key) {
                    convert(schema, doc, v, p.shape, budget)?
                } else if let Some(values) = o.values {
                    convert(schema, doc, v, values, budget)?
                } else if o.open {
                    untyped(doc, v, budget)?
                } else {
                    continue; // pruned by the API server
                };
                map.insert(key.to_string(), value);
            }
            Some(Value::from(map))
        }
        Shape::Arr(a) => {
            let Yaml::Seq(_) = doc.value(node) else {
                return None;
            };
            let items = doc
                .items(node)
                .iter()
                .map(|&i| convert(schema, doc, i, a.items, budget))
                .collect::<Option<Vec<_>>>()?;
            Some(Value::List(Arc::new(items)))
        }
        Shape::Str(_) => match doc.scalar(node)? {
            Scalar::Str(t) if !yaml11_plain_bool(doc, node) => Some(Value::from(t.to_string())),
            _ => None,
        },
        Shape::Int(_) => int(doc.scalar(node)?),
        Shape::Num(_) => match doc.scalar(node)? {
            Scalar::Int(n) => Some(Value::Float(n as f64)),
            Scalar::Float(f) => Some(Value::Float(f)),
            _ => None,
        },
        Shape::Bool => match doc.scalar(node)? {
            Scalar::Bool(b) => Some(Value::Bool(b)),
            _ => None,
        },
        Shape::IntOrStr(_) => match doc.scalar(node)? {
            Scalar::Str(t) => Some(Value::from(t.to_string())),
            other => int(other),
        },
    }
}

fn int(s: Scalar<'_>) -> Option<Value> {
    match s {
        Scalar::Int(n) => i64::try_from(n).ok().map(Value::Int),
        Scalar::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Some(Value::Int(f as i64)),
        _ => None,
    }
}

/// kubectl reads YAML 1.1, where a plain `yes` or `off` is a boolean.
fn yaml11_plain_bool(doc: &Document, node: NodeId) -> bool {
    doc.style(node) == Some(Style::Plain)
        && doc.tag(node).is_none()
        && matches!(
            doc.str(node),
            Some(
                "yes"
                    | "Yes"
                    | "YES"
                    | "no"
                    | "No"
                    | "NO"
                    | "on"
                    | "On"
                    | "ON"
                    | "off"
                    | "Off"
                    | "OFF"
            )
        )
}

/// A value of no schema (`x-kubernetes-preserve-unknown-fields`): JSON's types.
fn untyped(doc: &Document, node: NodeId, budget: &mut usize) -> Option<Value> {
    *budget = budget.checked_sub(1)?;
    match doc.value(node) {
        Yaml::Map(_) => {
            let mut map = HashMap::new();
            for &(k, v) in doc.entries(node) {
                let Some(key) = doc.str(k) else { continue };
                map.insert(key.to_string(), untyped(doc, v, budget)?);
            }
            Some(Value::from(map))
        }
        Yaml::Seq(_) => {
            let items = doc
                .items(node)
                .iter()
                .map(|&i| untyped(doc, i, budget))
                .collect::<Option<Vec<_>>>()?;
            Some(Value::List(Arc::new(items)))
        }
        _ => Some(match doc.scalar(node)? {
            Scalar::Null => Value::Null,
            Scalar::Bool(b) => Value::Bool(b),
            Scalar::Int(n) => match i64::try_from(n) {
                Ok(n) => Value::Int(n),
                Err(_) => Value::Float(n as f64),
            },
            Scalar::Float(f) => Value::Float(f),
            Scalar::Str(t) => Value::from(t.to_string()),
        }),
    }
}
