//! Vectors generated from the IR, one file per contract version under `tests/vectors/`
//! (deterministic: they depend on the schemas only). Valid: every property present, only the
//! required ones, every enum value, every bound at its edge (the next double past an exclusive
//! one), strings of maximal length in astral characters, empty and full arrays. Invalid, one
//! violation each: every required property missing, an unknown key, each bound crossed, wrong
//! types, `1.0` for an integer, `null` for an optional property, bad dates, values outside enums.
//! `UPDATE_VECTORS=1` writes them; a test fails when they are stale.

use contractc_driver::{Config, compile, read_inputs};
use contractc_ir::{Format, Program, Ty, TypeKind, TypeRef};
use contractc_tests::{Sample, canonical, root};
use serde_json::{Map, Value, json};

/// A valid value of `ty`, in the middle of its bounds.
fn value(p: &Program, ty: &Ty, full: bool) -> Value {
    match ty {
        Ty::String(s) => {
            let base = match s.format {
                Some(Format::DateTime) => "2017-04-19T09:00:00Z".to_string(),
                Some(Format::Date) => "2017-04-19".to_string(),
                None => "EURUSD".to_string(),
            };
            let n = base.chars().count() as u64;
            if s.format.is_none() && (s.min_length.is_some_and(|m| n < m) || s.max_length.is_some_and(|m| n > m)) {
                return json!(
                    "x".repeat(s.min_length.unwrap_or(1).max(1).min(s.max_length.unwrap_or(u64::MAX)) as usize)
                );
            }
            json!(base)
        }
        Ty::Number(n) => {
            let lo = n.minimum.map(|b| b.value);
            let hi = n.maximum.map(|b| b.value);
            json!(match (lo, hi) {
                (Some(a), Some(b)) => (a + b) / 2.0,
                (Some(a), None) => a + 1.25,
                (None, Some(b)) => b - 1.25,
                (None, None) => 1.25,
            })
        }
        Ty::Integer(n) => json!(match (n.minimum, n.maximum) {
            (Some(a), Some(b)) => a + (b - a) / 2,
            (Some(a), None) => a + 1,
            (None, Some(b)) => b - 1,
            (None, None) => 7,
        }),
        Ty::Boolean => json!(true),
        Ty::Array(a) => Value::Array((0..a.min_items.unwrap_or(1).max(1)).map(|_| value(p, &a.items, full)).collect()),
        Ty::Named(r) => named(p, *r, full),
    }
}

fn named(p: &Program, r: TypeRef, full: bool) -> Value {
    match &p.named(r).kind {
        TypeKind::Enum(values) => json!(values[0]),
        TypeKind::Object(o) => {
            let mut m = Map::new();
            for f in o.fields.iter().filter(|f| full || f.required) {
                m.insert(f.name.clone(), value(p, &f.ty, full));
            }
            Value::Object(m)
        }
    }
}

fn set(v: &mut Value, path: &[String], new: Option<Value>) {
    let (last, parents) = path.split_last().expect("a path");
    let mut at = v;
    for k in parents {
        at = match at {
            Value::Object(m) => m.get_mut(k).expect("path exists"),
            Value::Array(a) => &mut a[k.parse::<usize>().expect("index")],
            _ => unreachable!("paths follow the value"),
        };
    }
    match (at, new) {
        (Value::Object(m), Some(n)) => {
            m.insert(last.clone(), n);
        }
        (Value::Object(m), None) => {
            m.remove(last);
        }
        (Value::Array(a), Some(n)) => a[last.parse::<usize>().expect("index")] = n,
        _ => unreachable!("paths follow the value"),
    }
}

/// The next double above `x`.
fn up(x: f64) -> f64 {
    if x == 0.0 {
        f64::from_bits(1)
    } else if x > 0.0 {
        f64::from_bits(x.to_bits() + 1)
    } else {
        f64::from_bits(x.to_bits() - 1)
    }
}

fn down(x: f64) -> f64 {
    -up(-x)
}

struct Gen<'a> {
    p: &'a Program,
    base: Value,
    out: Vec<(String, bool, Value)>,
    raw: Vec<(String, bool, String)>,
}

impl Gen<'_> {
    fn with(&mut self, name: String, valid: bool, path: &[String], new: Option<Value>) {
        let mut v = self.base.clone();
        set(&mut v, path, new);
        self.out.push((name, valid, v));
    }

    fn walk(&mut self, ty: &Ty, path: &[String], required: bool) {
        let at = format!("/{}", path.join("/"));
        if !required {
            self.with(format!("{at} null"), false, path, Some(Value::Null));
        }
        match ty {
            Ty::String(s) => {
                self.with(format!("{at} not a string"), false, path, Some(json!(12)));
                if let Some(f) = s.format {
                    let bad = if f == Format::DateTime { "2017-02-30T09:00:00Z" } else { "2017-02-30" };
                    self.with(format!("{at} bad {}", f.keyword()), false, path, Some(json!(bad)));
                    let other = if f == Format::DateTime { "2016-02-29T23:59:60.125+14:00" } else { "2016-02-29" };
                    self.with(format!("{at} leap-day {}", f.keyword()), true, path, Some(json!(other)));
                } else {
                    if let Some(m) = s.max_length {
                        self.with(
                            format!("{at} at maxLength in astral characters"),
                            true,
                            path,
                            Some(json!("😀".repeat(m as usize))),
                        );
                        self.with(format!("{at} past maxLength"), false, path, Some(json!("é".repeat(m as usize + 1))));
                    }
                    match s.min_length {
                        Some(m) if m > 0 => {
                            self.with(format!("{at} at minLength"), true, path, Some(json!("\"".repeat(m as usize))));
                            self.with(
                                format!("{at} under minLength"),
                                false,
                                path,
                                Some(json!("\\".repeat(m as usize - 1))),
                            );
                        }
                        _ => self.with(format!("{at} empty"), true, path, Some(json!(""))),
                    }
                    self.with(
                        format!("{at} escapes"),
                        s.max_length.is_none_or(|m| m >= 6) && s.min_length.is_none_or(|m| m <= 6),
                        path,
                        Some(json!("\t\n\u{1}\u{7f}\u{2028}é")),
                    );
                }
            }
            Ty::Number(n) => {
                self.with(format!("{at} not a number"), false, path, Some(json!("1.5")));
                for (b, lower) in [(n.minimum, true), (n.maximum, false)] {
                    let Some(b) = b else { continue };
                    let inside = if b.exclusive { if lower { up(b.value) } else { down(b.value) } } else { b.value };
                    let outside = if b.exclusive {
                        b.value
                    } else if lower {
                        down(b.value)
                    } else {
                        up(b.value)
                    };
                    self.with(
                        format!("{at} at the {} edge", if lower { "lower" } else { "upper" }),
                        true,
                        path,
                        Some(json!(inside)),
                    );
                    self.with(
                        format!("{at} past the {} edge", if lower { "lower" } else { "upper" }),
                        false,
                        path,
                        Some(json!(outside)),
                    );
                }
                if n.maximum.is_none() {
                    self.with(format!("{at} large"), true, path, Some(json!(1.7976931348623157e308)));
                }
            }
            Ty::Integer(n) => {
                self.with(format!("{at} fractional"), false, path, Some(json!(1.5)));
                let base = value(self.p, ty, true);
                self.raw.push((format!("{at} written 1.0"), false, path.join("/")));
                let _ = base;
                if let Some(m) = n.minimum {
                    self.with(format!("{at} at minimum"), true, path, Some(json!(m)));
                    if m > i64::MIN {
                        self.with(format!("{at} under minimum"), false, path, Some(json!(m - 1)));
                    }
                }
                match n.maximum {
                    Some(m) => {
                        self.with(format!("{at} at maximum"), true, path, Some(json!(m)));
                        self.with(format!("{at} over maximum"), false, path, Some(json!(m as i128 + 1)));
                    }
                    None => {
                        self.with(format!("{at} int64 maximum"), true, path, Some(json!(i64::MAX)));
                        self.with(format!("{at} past int64"), false, path, Some(json!(i64::MAX as u64 + 1)));
                    }
                }
            }
            Ty::Boolean => self.with(format!("{at} not a boolean"), false, path, Some(json!("true"))),
            Ty::Array(a) => {
                self.with(format!("{at} not an array"), false, path, Some(json!({})));
                let item = value(self.p, &a.items, true);
                if a.min_items.unwrap_or(0) == 0 {
                    self.with(format!("{at} empty"), true, path, Some(json!([])));
                }
                if let Some(m) = a.max_items {
                    self.with(format!("{at} full"), true, path, Some(Value::Array(vec![item.clone(); m as usize])));
                    self.with(
                        format!("{at} overfull"),
                        false,
                        path,
                        Some(Value::Array(vec![item.clone(); m as usize + 1])),
                    );
                }
                let mut first = path.to_vec();
                first.push("0".into());
                self.walk(&a.items, &first, true);
            }
            Ty::Named(r) => match &self.p.named(*r).kind {
                TypeKind::Enum(values) => {
                    for v in values {
                        self.with(format!("{at} = {v}"), true, path, Some(json!(v)));
                    }
                    self.with(
                        format!("{at} outside the enum"),
                        false,
                        path,
                        Some(json!(values[0].to_lowercase() + "_x")),
                    );
                }
                TypeKind::Object(o) => {
                    self.with(format!("{at} not an object"), false, path, Some(json!([])));
                    let mut extra = path.to_vec();
                    extra.push("zz_unknown".into());
                    self.with(format!("{at} unknown key"), false, &extra, Some(json!(1)));
                    for f in &o.fields {
                        let mut child = path.to_vec();
                        child.push(f.name.clone());
                        if f.required {
                            self.with(format!("{at} missing {}", f.name), false, &child, None);
                        } else {
                            self.with(format!("{at} without {}", f.name), true, &child, None);
                        }
                        self.walk(&f.ty, &child, f.required);
                    }
                }
            },
        }
    }
}

fn vectors(p: &Program, contract: usize) -> Vec<Sample> {
    let root_ty = Ty::Named(TypeRef { contract, index: 0 });
    let base = value(p, &root_ty, true);
    let mut g =
        Gen { p, base: base.clone(), out: vec![("every property".into(), true, base.clone())], raw: Vec::new() };
    g.out.push(("required properties only".into(), true, named(p, TypeRef { contract, index: 0 }, false)));
    if let TypeKind::Object(o) = &p.contracts[contract].root().kind {
        g.out.push(("unknown key".into(), false, {
            let mut v = base.clone();
            v.as_object_mut().expect("an object").insert("zz_unknown".into(), json!(1));
            v
        }));
        for f in &o.fields {
            let path = vec![f.name.clone()];
            if f.required {
                g.with(format!("missing {}", f.name), false, &path, None);
            }
            g.walk(&f.ty, &path, f.required);
        }
    }
    let mut out: Vec<Sample> = g
        .out
        .into_iter()
        .map(|(name, valid, v)| {
            let json = serde_json::to_string(&v).expect("serializes");
            Sample { name, valid, canonical: valid.then(|| canonical(&v)), json }
        })
        .collect();
    // `1.0` where an integer belongs: written by hand, since serde_json writes integers as such.
    for (name, valid, path) in g.raw {
        let tokens: Vec<String> = path.split('/').map(str::to_string).collect();
        let mut v = base.clone();
        set(&mut v, &tokens, Some(json!(424242)));
        let json = serde_json::to_string(&v).expect("serializes").replace("424242", "1.0");
        out.push(Sample { name, valid, canonical: None, json });
    }
    // Malformed text: trailing comma, NaN, BOM, truncation.
    let text = serde_json::to_string(&base).expect("serializes");
    for (name, bad) in [
        ("trailing comma", format!("{},}}", &text[..text.len() - 1])),
        ("NaN", text.replacen(':', ":NaN,\"zz\":", 1)),
        ("BOM", format!("\u{feff}{text}")),
        ("truncated", text[..text.len() / 2].to_string()),
        ("two messages", format!("{text}{text}")),
    ] {
        out.push(Sample { name: name.into(), valid: false, canonical: None, json: bad });
    }
    out
}

#[test]
fn vectors_are_generated_from_the_ir_and_up_to_date() {
    let root = root();
    let config = Config::parse(&std::fs::read_to_string(root.join("contractc.toml")).unwrap()).unwrap();
    let inputs = read_inputs(&root, &config).unwrap_or_else(|e| panic!("{e}"));
    let (program, _) = compile(&inputs, &config).unwrap_or_else(|e| panic!("{e}"));
    let update = std::env::var_os("UPDATE_VECTORS").is_some();
    let mut total = 0;
    for (i, c) in program.contracts.iter().enumerate() {
        let rows = vectors(&program, i);
        total += rows.len();
        let text: String = rows.iter().map(|s| serde_json::to_string(s).unwrap() + "\n").collect();
        let path =
            root.join(format!("tests/vectors/{}/{}.jsonl", c.id.namespace, c.id.file_name().trim_end_matches(".json")));
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &text).unwrap();
        }
        assert_eq!(
            std::fs::read_to_string(&path).unwrap_or_default(),
            text,
            "{} is stale: UPDATE_VECTORS=1 cargo test -p contractc-tests --test vectors",
            path.display()
        );
    }
    assert!(total > 300, "{total} vectors");
}
