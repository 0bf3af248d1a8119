//! `impl Validate` of every named type: the constraints a typed parse alone does not enforce
//! (JSON Schema 2020-12 Validation §6: bounds, lengths, patterns, formats, item counts,
//! `uniqueItems`, `contains`, `dependentRequired`, `min/maxProperties`, and Core §10.3.2's
//! `patternProperties` and `propertyNames` on unknown members), each a call into `support`.

use std::collections::BTreeMap;

use contractc_emit::number_literal;
use contractc_ir::pattern::Dialect;
use contractc_ir::{Additional, Contract, Contracts, Object, Program, Ty, TypeKind};

use crate::code::Code;
use crate::naming::{UNKNOWN, field_idents, variant_ident};
use crate::types::{literal, rust_type};
use crate::unions::{choice_variant, untagged_variants};

/// Writes `impl Validate` for named type `index` of contract `this`.
pub fn validate_impl(program: &Program, this: usize, index: usize, code: &mut Code) {
    let c: &Contract = &program.contracts[this];
    let t = &c.types[index];
    let mut body: Vec<String> = Vec::new();
    match &t.kind {
        TypeKind::Union(u) => {
            body.push("match self {".into());
            for (value, _) in &u.variants {
                body.push(format!(
                    "Self::{}(v) => crate::support::Validate::validate_at(v, at, errors),",
                    variant_ident(value)
                ));
            }
            body.push("}".into());
        }
        // An enum with a variant per branch: each branch's checks on the value it holds.
        TypeKind::Choice(_) | TypeKind::Untagged(_) => {
            let branches: Vec<(String, &Ty)> = match &t.kind {
                TypeKind::Choice(b) => b.iter().map(|(k, ty)| (choice_variant(*k).to_string(), ty)).collect(),
                TypeKind::Untagged(u) => untagged_variants(program, &u.branches).into_iter().zip(&u.branches).collect(),
                _ => Vec::new(),
            };
            if branches.iter().any(|(_, ty)| !check(program, this, ty, "v", "at").is_empty()) {
                body.push("match self {".into());
                for (name, ty) in &branches {
                    let check = check(program, this, ty, "v", "at");
                    if check.is_empty() {
                        body.push(format!("Self::{name}(_) => {{}}"));
                    } else {
                        body.push(format!("Self::{name}(v) => {{"));
                        body.extend(check);
                        body.push("}".into());
                    }
                }
                body.push("}".into());
            }
        }
        TypeKind::Alias(ty) => {
            let check = check(program, this, ty, "v", "at");
            if !check.is_empty() {
                body.push("let v = &self.0;".into());
                body.extend(check);
            }
        }
        TypeKind::Object(o) => object(program, this, index, o, &mut body),
        // `support::string_enum!` writes it.
        TypeKind::Enum(_) => return,
    }
    let name = &t.name;
    if body.is_empty() {
        code.line(format!(
            "impl crate::support::Validate for {name} {{ fn validate_at(&self, _: &crate::support::At<'_>, _: &mut ::std::vec::Vec<crate::support::Violation>) {{}} }}"
        ));
        return;
    }
    code.line(format!("impl crate::support::Validate for {name} {{"));
    code.line(
        "fn validate_at(&self, at: &crate::support::At<'_>, errors: &mut ::std::vec::Vec<crate::support::Violation>) {",
    );
    code.lines(body);
    code.lines(["}", "}"]);
}

/// The checks of an object: its map values, pattern rules and unknown names, its fields,
/// `dependentRequired` and `minProperties`/`maxProperties`.
fn object(program: &Program, this: usize, index: usize, o: &Object, body: &mut Vec<String>) {
    let c = &program.contracts[this];
    if let Some(values) = o.map_values() {
        let check = check(program, this, values, "v", "at");
        if !check.is_empty() {
            body.push(format!("for (k, v) in &self.{UNKNOWN}.0 {{"));
            body.push("let at = &at.key(k);".into());
            body.extend(check);
            body.push("}".into());
        }
    }
    if !o.pattern_rules.is_empty() {
        pattern_rules(program, this, o, body);
    }
    if o.additional != Additional::Forbidden
        && let Some(names) = &o.extra_names
    {
        // Names that need only be strings (`"propertyNames": {"type": "string"}`) need no loop.
        let check = check(program, this, &Ty::String(names.clone()), "k", "&at.key(k)");
        if !check.is_empty() {
            body.push(format!("for k in self.{UNKNOWN}.0.keys() {{"));
            body.extend(check);
            body.push("}".into());
        }
    }
    let idents: BTreeMap<&str, String> =
        field_idents(c, index, o).into_iter().map(|(f, ident)| (f.name.as_str(), ident)).collect();
    for f in o.fields.iter().filter(|f| idents.contains_key(f.name.as_str())) {
        let ident = &idents[f.name.as_str()];
        // An optional field is an `Option`, of an `Option` when nullable: one `if let` for both.
        let (some, ty) = match (&f.ty, f.required) {
            (Ty::Nullable(t), false) => ("::std::option::Option::Some(::std::option::Option::Some(v))", &**t),
            (ty, _) => ("::std::option::Option::Some(v)", ty),
        };
        let at = format!("&at.key({})", literal(&f.name));
        if f.required {
            body.extend(check(program, this, ty, &format!("&self.{ident}"), &at));
            continue;
        }
        match check(program, this, ty, "v", &at).as_slice() {
            [] => {}
            [one] => body.push(format!("if let {some} = &self.{ident} {{ {one} }}")),
            _ => {
                body.push(format!("if let {some} = &self.{ident} {{"));
                body.push(format!("let at = {at};"));
                body.extend(check(program, this, ty, "v", "at"));
                body.push("}".into());
            }
        }
    }
    // `dependentRequired`: a declared member is present when its field is set.
    let present = |name: &str| match o.fields.iter().find(|f| f.name == name) {
        Some(f) if f.required => "true".to_string(),
        Some(f) => format!("self.{}.is_some()", idents.get(f.name.as_str()).map_or(f.name.as_str(), |i| i.as_str())),
        None => format!("crate::support::Unknown::has(&self.{UNKNOWN}, {})", literal(name)),
    };
    for (name, needed) in &o.dependent_required {
        let needed: Vec<String> = needed.iter().map(|n| format!("({}, {})", literal(n), present(n))).collect();
        body.push(format!("if {} {{", present(name)));
        body.push(format!(
            "crate::support::check_dependents({}, &[{}], at, errors);",
            literal(name),
            needed.join(", ")
        ));
        body.push("}".into());
    }
    // `minProperties`/`maxProperties`: the members present, named (a variant's tag included) or not.
    if o.min_properties.is_some() || o.max_properties.is_some() {
        let required = o.fields.iter().filter(|f| f.required).count();
        let mut count: Vec<String> = (required > 0).then(|| format!("{required}usize")).into_iter().collect();
        for f in o.fields.iter().filter(|f| !f.required) {
            if let Some(ident) = idents.get(f.name.as_str()) {
                count.push(format!("usize::from(self.{ident}.is_some())"));
            }
        }
        if o.additional != Additional::Forbidden {
            count.push(format!("crate::support::Unknown::count(&self.{UNKNOWN})"));
        }
        if count.is_empty() {
            count.push("0usize".into());
        }
        body.push(format!(
            "crate::support::check_properties({}, {}, {}, at, errors);",
            count.join(" + "),
            o.min_properties.unwrap_or(0),
            max(o.max_properties)
        ));
    }
}

/// The checks of `patternProperties` rules (Core §10.3.2.2) on the undeclared members of `o`,
/// kept as JSON: every rule whose pattern a member's name matches, else `o.unmatched`.
fn pattern_rules(program: &Program, this: usize, o: &Object, body: &mut Vec<String>) {
    let value = if o.unmatched.is_some() || o.pattern_rules.iter().any(|r| r.ty.is_some()) { "v" } else { "_" };
    body.push(format!("for (k, {value}) in &self.{UNKNOWN}.0 {{"));
    body.push("let at = &at.key(k);".into());
    if o.unmatched.is_some() {
        body.push("let mut matched = false;".into());
    }
    for rule in &o.pattern_rules {
        body.push("{".into());
        body.push(pattern_static(&rule.pattern));
        body.push("if PATTERN.is_match(k) {".into());
        if o.unmatched.is_some() {
            body.push("matched = true;".into());
        }
        body.push(match &rule.ty {
            Some(ty) => member_check(program, this, ty, "v"),
            None => "crate::support::forbid_member(&PATTERN, at, errors);".to_string(),
        });
        body.extend(["}".into(), "}".into()]);
    }
    if let Some(ty) = &o.unmatched {
        body.push("if !matched {".into());
        body.push(member_check(program, this, ty, "v"));
        body.push("}".into());
    }
    body.push("}".into());
}

/// The `static` holding a `pattern`, compiled on first use.
fn pattern_static(p: &contractc_ir::pattern::Pattern) -> String {
    format!(
        "static PATTERN: crate::support::Pattern = crate::support::Pattern::new({}, {});",
        literal(&p.source),
        literal(&p.render(Dialect::Rust))
    )
}

/// An `Option` literal; the paths are absolute because a contract may name a type `Some` or `Vec`.
pub fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or("::std::option::Option::None".into(), |v| format!("::std::option::Option::Some({})", v.to_string()))
}

/// An upper bound of a count: `u64::MAX` when there is none.
fn max(m: Option<u64>) -> String {
    m.map_or("u64::MAX".to_string(), |m| m.to_string())
}

/// A closure `|v, at, errors| { ... }` running the checks of `ty` on `v`, on one line.
fn check_closure(program: &Program, this: usize, ty: &Ty) -> String {
    match check(program, this, ty, "v", "at") {
        check if check.is_empty() => "|_, _, _| {}".to_string(),
        check => format!("|v, at, errors| {{ {} }}", check.join(" ")),
    }
}

/// A statement reading the JSON value behind `value` as `ty` and checking it (a
/// `patternProperties` rule's member, a tuple's item: `support::check_member`).
fn member_check(program: &Program, this: usize, ty: &Ty, value: &str) -> String {
    format!(
        "crate::support::check_member::<{}>({value}, at, errors, {});",
        rust_type(program, this, ty),
        check_closure(program, this, ty)
    )
}

/// The statements (one per line) checking the value behind reference expression `v` of type
/// `ty`, found at `at` (an expression of type `&support::At`: a variable, or `&at.key(..)` of
/// one); none when the typed read (`support::Read`) already enforces all of it.
pub fn check(program: &Program, this: usize, ty: &Ty, v: &str, at: &str) -> Vec<String> {
    // The value itself (`*v`, or `self.x` of `&self.x`), and the place to call methods on.
    let place = v.strip_prefix('&').unwrap_or(v);
    let value = if place == v { format!("*{v}") } else { place.to_string() };
    match ty {
        Ty::String(s) => {
            if s.min_length.is_none() && s.max_length.is_none() && s.pattern.is_none() && s.format.is_none() {
                return Vec::new();
            }
            let mut out = Vec::new();
            if s.min_length.is_some() || s.max_length.is_some() {
                out.push(format!(
                    "crate::support::check_length({v}, {}, {}, {at}, errors);",
                    s.min_length.unwrap_or(0),
                    max(s.max_length)
                ));
            }
            if let Some(p) = &s.pattern {
                out.push(format!(
                    "crate::support::check_pattern({v}, {{ {} &PATTERN }}, {at}, errors);",
                    pattern_static(p)
                ));
            }
            if let Some(f) = s.format {
                out.push(format!(
                    "crate::support::check_format({v}, crate::support::Format::{}, {at}, errors);",
                    f.name()
                ));
            }
            out
        }
        Ty::Number(n) => {
            let mut out = Vec::new();
            let bounds = [
                (n.minimum, "check_minimum", "check_exclusive_minimum"),
                (n.maximum, "check_maximum", "check_exclusive_maximum"),
            ];
            for (bound, inclusive, exclusive) in bounds {
                if let Some(b) = bound {
                    let check = if b.exclusive { exclusive } else { inclusive };
                    out.push(format!("crate::support::{check}({value}, {}, {at}, errors);", number_literal(b.value)));
                }
            }
            if let Some(d) = n.multiple_of {
                out.push(format!("crate::support::check_multiple({value}, {}, {at}, errors);", number_literal(d)));
            }
            out
        }
        Ty::Integer(n) => {
            let mut out = Vec::new();
            if n.minimum.is_some() || n.maximum.is_some() {
                out.push(format!(
                    "crate::support::check_integer({value}, {}, {}, {at}, errors);",
                    n.minimum.map_or("i64::MIN".to_string(), |m| m.to_string()),
                    n.maximum.map_or("i64::MAX".to_string(), |m| m.to_string())
                ));
            }
            if let Some(d) = n.multiple_of {
                out.push(format!(
                    "crate::support::check_integer_multiple({value}, {}, {at}, errors);",
                    number_literal(d)
                ));
            }
            out
        }
        Ty::Boolean | Ty::Any => Vec::new(),
        Ty::Named(r) => match program.named(*r).kind {
            TypeKind::Enum(_) => Vec::new(),
            TypeKind::Object(_)
            | TypeKind::Union(_)
            | TypeKind::Alias(_)
            | TypeKind::Choice(_)
            | TypeKind::Untagged(_) => vec![format!("crate::support::Validate::validate_at({v}, {at}, errors);")],
        },
        Ty::Values(values) => {
            let allowed: Vec<String> = values.iter().map(|t| literal(t)).collect();
            vec![format!("crate::support::check_values({v}, &[{}], {at}, errors);", allowed.join(", "))]
        }
        Ty::Nullable(t) => {
            let inner = check(program, this, t, "v", at);
            if inner.is_empty() {
                return inner;
            }
            let mut out = vec![format!("if let ::std::option::Option::Some(v) = {v} {{")];
            out.extend(inner);
            out.push("}".into());
            out
        }
        Ty::Array(a) => {
            let item: Vec<String> = match &a.tuple {
                None => check(program, this, &a.items, "item", "at"),
                Some(t) => {
                    // Each item, held as JSON, read as its position's type (`support::check_member`).
                    let instance = |ty: &Ty| match ty {
                        Ty::Any => None,
                        _ => Some(member_check(program, this, ty, "&item.0")),
                    };
                    let positions = t.prefix.iter().enumerate().map(|(i, ty)| (format!("i == {i}"), instance(ty)));
                    let rest = (format!("i >= {}", t.prefix.len()), instance(&t.rest));
                    let mut out = Vec::new();
                    for (when, check) in positions.chain([rest]) {
                        let Some(check) = check else { continue };
                        let keyword = if out.is_empty() { "if" } else { "} else if" };
                        out.push(format!("{keyword} {when} {{"));
                        out.push(check);
                    }
                    if !out.is_empty() {
                        out.push("}".into());
                    }
                    out
                }
            };
            // The items' places are steps from the array's, which a variable must then hold.
            let (outer, bound) = (at, !item.is_empty() && at != "at");
            let at = if bound { "at" } else { at };
            let mut out = Vec::new();
            if a.min_items.is_some() || a.max_items.is_some() {
                out.push(format!(
                    "crate::support::check_items({place}.len(), {}, {}, {at}, errors);",
                    a.min_items.unwrap_or(0),
                    max(a.max_items)
                ));
            }
            // Checks of the array as a whole: `uniqueItems`, `contains`.
            if a.unique_items {
                out.push(format!("crate::support::check_unique({v}, {at}, errors);"));
            }
            if let Some(c) = &a.contains {
                out.push(format!(
                    "crate::support::check_contains::<_, {}>({v}, {}, {}, {}, {at}, errors);",
                    rust_type(program, this, &c.ty),
                    c.min,
                    opt(c.max),
                    check_closure(program, this, &c.ty)
                ));
            }
            if item.is_empty() {
                return out;
            }
            if bound {
                out.insert(0, "{".into());
                out.insert(1, format!("let at = {outer};"));
            }
            out.push(format!("for (i, item) in {place}.iter().enumerate() {{"));
            out.push("let at = &at.index(i);".into());
            out.extend(item);
            out.push("}".into());
            if bound {
                out.push("}".into());
            }
            out
        }
    }
}
