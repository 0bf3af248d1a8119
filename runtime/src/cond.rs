//! Evaluates condition code compiled by contractc: no parser, no type errors at run time.
//!
//! Semantics: `Field` pushes the value at a path of the message (absent: null); comparisons of
//! numbers, strings and bools follow CEL; a comparison involving null is false, except `!=`.

use serde_json::Value;

use crate::plan::Op;

/// True when `message` satisfies the condition `code`.
pub fn eval(code: &[Op], message: &Value) -> bool {
    let mut stack: Vec<Value> = Vec::with_capacity(8);
    for op in code {
        let v = match op {
            Op::Field(path) => path.iter().try_fold(message, |v, k| v.get(k)).cloned().unwrap_or(Value::Null),
            Op::Number(n) => serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number),
            Op::String(s) => Value::String(s.clone()),
            Op::Bool(b) => Value::Bool(*b),
            Op::Not => {
                let a = stack.pop().and_then(|v| v.as_bool()).unwrap_or(false);
                Value::Bool(!a)
            }
            Op::And | Op::Or => {
                let b = stack.pop().and_then(|v| v.as_bool()).unwrap_or(false);
                let a = stack.pop().and_then(|v| v.as_bool()).unwrap_or(false);
                Value::Bool(if matches!(op, Op::And) { a && b } else { a || b })
            }
            cmp => {
                let b = stack.pop().unwrap_or(Value::Null);
                let a = stack.pop().unwrap_or(Value::Null);
                Value::Bool(compare(cmp, &a, &b))
            }
        };
        stack.push(v);
    }
    stack.pop().and_then(|v| v.as_bool()).unwrap_or(false)
}

fn compare(op: &Op, a: &Value, b: &Value) -> bool {
    use std::cmp::Ordering;
    let ord = match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64().and_then(|x| y.as_f64().and_then(|y| x.partial_cmp(&y))),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    };
    match (op, ord) {
        (Op::Ne, None) => true,
        (_, None) => false,
        (Op::Eq, Some(o)) => o == Ordering::Equal,
        (Op::Ne, Some(o)) => o != Ordering::Equal,
        (Op::Lt, Some(o)) => o == Ordering::Less,
        (Op::Le, Some(o)) => o != Ordering::Greater,
        (Op::Gt, Some(o)) => o == Ordering::Greater,
        (Op::Ge, Some(o)) => o != Ordering::Less,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evaluates_postfix_code() {
        let code = vec![
            Op::Field(vec!["strength".into()]),
            Op::Number(0.5),
            Op::Ge,
            Op::Field(vec!["side".into()]),
            Op::String("FLAT".into()),
            Op::Ne,
            Op::And,
        ];
        let msg = |s: f64, side: &str| serde_json::json!({"strength": s, "side": side});
        assert!(eval(&code, &msg(0.5, "BUY")));
        assert!(!eval(&code, &msg(0.4, "BUY")));
        assert!(!eval(&code, &msg(0.9, "FLAT")));
        assert!(!eval(&[Op::Field(vec!["missing".into()]), Op::Number(1.0), Op::Lt], &msg(1.0, "BUY")));
    }
}
