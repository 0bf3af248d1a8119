//! The ops of a migration between two majors of a contract, on a message as a JSON tree
//! (`serde_json::Value`): the one implementation in Rust. The runtime applies them at a step
//! boundary (`run::boundary`, from the plan's `Migration`); generated Rust embeds this file as
//! `support::migrate` and calls them from each migration's `upgrade` and `downgrade` (README,
//! "Migrations").
//!
//! Paths are instance paths: decoded JSON pointer tokens (RFC 6901) through object members,
//! never empty. The compiler proved that a migration's ops carry every valid message of the old
//! major to a valid message of the new one, and back for `downgrade`; an op whose path goes
//! through a value that is not an object (which a checked migration never meets on a valid
//! message) is an `Err` naming the value's pointer, never a panic. This file needs `serde_json`
//! alone, so that it compiles inside the runtime and inside a generated crate alike.

use serde_json::{Map, Value};

/// `rename` and `move`: the member at `from`, when present, moves to `to`, and the objects on
/// `to`'s way that the message lacks are made. `Err`: a value on either path is not an object.
pub fn move_member<P: AsRef<str>>(message: &mut Value, from: &[P], to: &[P]) -> Result<(), String> {
    if let Some(value) = take(message, from)? {
        put(message, to, value)?;
    }
    Ok(())
}

/// `add` (and the downgrade of `remove`): the member at `path` is set to `value` when absent.
pub fn add<P: AsRef<str>>(message: &mut Value, path: &[P], value: Value) -> Result<(), String> {
    let (parent, name) = split(path)?;
    let members = object_at(message, parent, true)?.ok_or("an absent object on the way")?;
    members.entry(name.as_ref().to_string()).or_insert(value);
    Ok(())
}

/// `remove` (and the downgrade of `add`): the member at `path` is dropped when present.
pub fn remove<P: AsRef<str>>(message: &mut Value, path: &[P]) -> Result<(), String> {
    take(message, path).map(drop)
}

/// `enum_map`: the string at `path`, when present and the first value of a pair, becomes the
/// pair's second (a downgrade passes the pairs swapped); other values are kept.
pub fn enum_map<P: AsRef<str>, S: AsRef<str>>(message: &mut Value, path: &[P], pairs: &[(S, S)]) -> Result<(), String> {
    let (parent, name) = split(path)?;
    if let Some(Value::String(s)) = object_at(message, parent, false)?.and_then(|o| o.get_mut(name.as_ref()))
        && let Some((_, new)) = pairs.iter().find(|(old, _)| old.as_ref() == s)
    {
        *s = new.as_ref().to_string();
    }
    Ok(())
}

/// The downgrade of a `move` that made objects: the object at `path`, when present and left with
/// no member, is dropped (innermost first, as the move made them outermost first).
pub fn drop_if_empty<P: AsRef<str>>(message: &mut Value, path: &[P]) -> Result<(), String> {
    let (parent, name) = split(path)?;
    if let Some(members) = object_at(message, parent, false)?
        && members.get(name.as_ref()).is_some_and(|v| v.as_object().is_some_and(Map::is_empty))
    {
        members.remove(name.as_ref());
    }
    Ok(())
}

/// The parent path and the member name of a path; `Err` for the empty path.
fn split<P: AsRef<str>>(path: &[P]) -> Result<(&[P], &P), String> {
    match path.split_last() {
        Some((name, parent)) => Ok((parent, name)),
        None => Err("an op on the whole message".into()),
    }
}

/// The JSON pointer of `path` (RFC 6901 escapes), for errors.
fn pointer<P: AsRef<str>>(path: &[P]) -> String {
    path.iter().map(|t| format!("/{}", t.as_ref().replace('~', "~0").replace('/', "~1"))).collect()
}

/// The object at `path`: `Ok(None)` when a member on the way is absent and `create` is false;
/// with `create`, absent members on the way are made empty objects. `Err` when a value on the
/// way is not an object.
fn object_at<'v, P: AsRef<str>>(
    message: &'v mut Value,
    path: &[P],
    create: bool,
) -> Result<Option<&'v mut Map<String, Value>>, String> {
    let mut at = message;
    for (depth, token) in path.iter().enumerate() {
        let Value::Object(members) = at else {
            return Err(format!("{:?} is not an object", pointer(&path[..depth])));
        };
        let token = token.as_ref();
        at = if create {
            members.entry(token.to_string()).or_insert_with(|| Value::Object(Map::new()))
        } else {
            match members.get_mut(token) {
                Some(v) => v,
                None => return Ok(None),
            }
        };
    }
    match at {
        Value::Object(members) => Ok(Some(members)),
        _ => Err(format!("{:?} is not an object", pointer(path))),
    }
}

/// Removes the member at `path` and returns it, if present.
fn take<P: AsRef<str>>(message: &mut Value, path: &[P]) -> Result<Option<Value>, String> {
    let (parent, name) = split(path)?;
    Ok(object_at(message, parent, false)?.and_then(|o| o.remove(name.as_ref())))
}

/// Sets the member at `path`, making the objects on its way that are absent.
fn put<P: AsRef<str>>(message: &mut Value, path: &[P], value: Value) -> Result<(), String> {
    let (parent, name) = split(path)?;
    let members = object_at(message, parent, true)?.ok_or("an absent object on the way")?;
    members.insert(name.as_ref().to_string(), value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    /// OrderIntent@1.2..2.0's ops, and their downgrade.
    fn up(m: &mut Value) -> Result<(), String> {
        move_member(m, &["volume_lots"], &["quantity_lots"])?;
        move_member(m, &["stop_loss"], &["protection", "stop_loss"])?;
        move_member(m, &["take_profit"], &["protection", "take_profit"])
    }

    fn down(m: &mut Value) -> Result<(), String> {
        move_member(m, &["protection", "take_profit"], &["take_profit"])?;
        drop_if_empty(m, &["protection"])?;
        move_member(m, &["protection", "stop_loss"], &["stop_loss"])?;
        drop_if_empty(m, &["protection"])?;
        move_member(m, &["quantity_lots"], &["volume_lots"])
    }

    #[test]
    fn moves_make_the_objects_on_their_way_skip_absent_members_and_undo() {
        for (old, new) in [
            (
                r#"{"volume_lots":0.5,"stop_loss":1.1,"take_profit":1.3,"side":"BUY"}"#,
                r#"{"protection":{"stop_loss":1.1,"take_profit":1.3},"quantity_lots":0.5,"side":"BUY"}"#,
            ),
            (r#"{"volume_lots":1}"#, r#"{"quantity_lots":1}"#),
            (r#"{"take_profit":2}"#, r#"{"protection":{"take_profit":2}}"#),
        ] {
            let mut m = json(old);
            up(&mut m).unwrap();
            assert_eq!(m, json(new));
            down(&mut m).unwrap();
            assert_eq!(m, json(old), "down(up(x)) == x");
        }
    }

    #[test]
    fn add_remove_and_enum_map() {
        let mut m = json(r#"{"gone":1,"side":"B"}"#);
        add(&mut m, &["a", "b"], Value::Bool(true)).unwrap();
        remove(&mut m, &["gone"]).unwrap();
        enum_map(&mut m, &["side"], &[("B", "BUY")]).unwrap();
        assert_eq!(m, json(r#"{"a":{"b":true},"side":"BUY"}"#));
        // An `add` keeps a member that is there; a value no pair lists is kept.
        let mut m = json(r#"{"a":{"b":false},"side":"S"}"#);
        add(&mut m, &["a", "b"], Value::Bool(true)).unwrap();
        enum_map(&mut m, &["side"], &[("B", "BUY")]).unwrap();
        assert_eq!(m, json(r#"{"a":{"b":false},"side":"S"}"#));
        // An object the move back leaves with members stays.
        let mut m = json(r#"{"p":{"x":1,"y":2}}"#);
        move_member(&mut m, &["p", "x"], &["x"]).unwrap();
        drop_if_empty(&mut m, &["p"]).unwrap();
        assert_eq!(m, json(r#"{"p":{"y":2},"x":1}"#));
    }

    #[test]
    fn an_op_through_a_value_that_is_not_an_object_is_an_error_naming_it() {
        let mut m = json(r#"{"stop_loss":1,"protection":3}"#);
        assert_eq!(up(&mut m).unwrap_err(), r#""/protection" is not an object"#);
        assert_eq!(up(&mut json("[1]")).unwrap_err(), r#""" is not an object"#);
        assert_eq!(remove::<&str>(&mut json("{}"), &[]).unwrap_err(), "an op on the whole message");
    }
}
