//! Migrations applied to a message: the ops of a [`Migration`] carry a message of the old major
//! to the new one (`upgrade`), on the runtime's own JSON tree (`serde_json::Value`, as
//! [`crate::validate::parse_strict`] reads it). What the step boundary applies between a
//! producer and a consumer of another major; the canonical text of the result is
//! [`crate::validate::to_canonical_json`] under the new major's validator.
//!
//! The compiler proved that the ops carry every valid message of the old major to a valid message
//! of the new one; the boundary checks the message before and after all the same. An op whose
//! path goes through a value that is not an object (which a checked migration never meets on a
//! valid message) is an error naming the op, never a panic.

use serde_json::{Map, Value};

use crate::plan::{Migration, MigrationOp};

/// Applies `migration`'s ops, in order, to `message`. `Err`: an op could not apply, e.g.
/// `events/OrderIntent@1.2..2.0, op 2: "/protection" is not an object`.
pub fn upgrade(migration: &Migration, message: &mut Value) -> Result<(), String> {
    for (i, op) in migration.ops.iter().enumerate() {
        apply(op, message).map_err(|e| format!("{}, op {}: {e}", migration.name, i + 1))?;
    }
    Ok(())
}

/// One op (see [`MigrationOp`] for what each does).
fn apply(op: &MigrationOp, message: &mut Value) -> Result<(), String> {
    match op {
        MigrationOp::Move { from, to } => {
            if let Some(value) = take(message, from)? {
                put(message, to, value)?;
            }
        }
        MigrationOp::Add { path, value } => {
            if get(message, path)?.is_none() {
                put(message, path, Value::from(value))?;
            }
        }
        MigrationOp::Remove { path } => {
            take(message, path)?;
        }
        MigrationOp::EnumMap { path, pairs } => {
            let (parent, name) = split(path)?;
            if let Some(Value::String(s)) = object_at(message, parent, false)?.and_then(|o| o.get_mut(name))
                && let Some((_, new)) = pairs.iter().find(|(old, _)| old == s)
            {
                *s = new.clone();
            }
        }
    }
    Ok(())
}

/// The parent path and the member name of a path; `Err` for the empty path (the plan's
/// verification refuses it).
fn split(path: &[String]) -> Result<(&[String], &str), String> {
    match path.split_last() {
        Some((name, parent)) => Ok((parent, name)),
        None => Err("an op on the whole message".into()),
    }
}

/// The JSON pointer of `path`, for messages (RFC 6901 escapes).
fn pointer(path: &[String]) -> String {
    path.iter().map(|t| format!("/{}", t.replace('~', "~0").replace('/', "~1"))).collect()
}

/// The object at `path`: `Ok(None)` when a member on the way is absent (and `create` is false);
/// with `create`, absent members on the way are made empty objects. `Err` when a value on the
/// way is not an object.
fn object_at<'v>(
    message: &'v mut Value,
    path: &[String],
    create: bool,
) -> Result<Option<&'v mut Map<String, Value>>, String> {
    let mut at = message;
    for (depth, token) in path.iter().enumerate() {
        let Value::Object(members) = at else {
            return Err(format!("{:?} is not an object", pointer(&path[..depth])));
        };
        at = match members.contains_key(token) {
            true => members.get_mut(token).expect("present"),
            false if create => members.entry(token.clone()).or_insert_with(|| Value::Object(Map::new())),
            false => return Ok(None),
        };
    }
    match at {
        Value::Object(members) => Ok(Some(members)),
        _ => Err(format!("{:?} is not an object", pointer(path))),
    }
}

/// The member at `path`, if present.
fn get<'v>(message: &'v mut Value, path: &[String]) -> Result<Option<&'v mut Value>, String> {
    let (parent, name) = split(path)?;
    Ok(object_at(message, parent, false)?.and_then(|o| o.get_mut(name)))
}

/// Removes the member at `path` and returns it, if present.
fn take(message: &mut Value, path: &[String]) -> Result<Option<Value>, String> {
    let (parent, name) = split(path)?;
    Ok(object_at(message, parent, false)?.and_then(|o| o.remove(name)))
}

/// Sets the member at `path`, making the objects on its way that are absent.
fn put(message: &mut Value, path: &[String], value: Value) -> Result<(), String> {
    let (parent, name) = split(path)?;
    let members = object_at(message, parent, true)?.expect("created");
    members.insert(name.to_string(), value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Json;

    fn path(p: &str) -> Vec<String> {
        p.split('/').skip(1).map(str::to_string).collect()
    }

    fn order_intent() -> Migration {
        Migration {
            name: "events/OrderIntent@1.2..2.0".into(),
            ops: vec![
                MigrationOp::Move { from: path("/volume_lots"), to: path("/quantity_lots") },
                MigrationOp::Move { from: path("/stop_loss"), to: path("/protection/stop_loss") },
                MigrationOp::Move { from: path("/take_profit"), to: path("/protection/take_profit") },
            ],
        }
    }

    fn upgraded(m: &Migration, text: &str) -> Result<String, String> {
        let mut v: Value = serde_json::from_str(text).unwrap();
        upgrade(m, &mut v).map(|_| crate::validate::canonical(&v))
    }

    #[test]
    fn moves_make_the_objects_on_their_way_and_skip_absent_members() {
        let m = order_intent();
        assert_eq!(
            upgraded(&m, r#"{"volume_lots":0.5,"stop_loss":1.1,"take_profit":1.3,"side":"BUY"}"#).unwrap(),
            r#"{"protection":{"stop_loss":1.1,"take_profit":1.3},"quantity_lots":0.5,"side":"BUY"}"#
        );
        assert_eq!(upgraded(&m, r#"{"volume_lots":1}"#).unwrap(), r#"{"quantity_lots":1}"#);
    }

    #[test]
    fn add_remove_and_enum_map() {
        let m = Migration {
            name: "t/T@1.0..2.0".into(),
            ops: vec![
                MigrationOp::Add { path: path("/a/b"), value: Json::Bool(true) },
                MigrationOp::Remove { path: path("/gone") },
                MigrationOp::EnumMap { path: path("/side"), pairs: vec![("B".into(), "BUY".into())] },
            ],
        };
        assert_eq!(upgraded(&m, r#"{"gone":1,"side":"B"}"#).unwrap(), r#"{"a":{"b":true},"side":"BUY"}"#);
        assert_eq!(upgraded(&m, r#"{"a":{"b":false},"side":"S"}"#).unwrap(), r#"{"a":{"b":false},"side":"S"}"#);
    }

    #[test]
    fn an_op_through_a_value_that_is_not_an_object_is_an_error_naming_the_op() {
        let m = order_intent();
        assert_eq!(
            upgraded(&m, r#"{"stop_loss":1,"protection":3}"#).unwrap_err(),
            r#"events/OrderIntent@1.2..2.0, op 2: "/protection" is not an object"#
        );
        assert_eq!(upgraded(&m, "[1]").unwrap_err(), r#"events/OrderIntent@1.2..2.0, op 1: "" is not an object"#);
    }
}
