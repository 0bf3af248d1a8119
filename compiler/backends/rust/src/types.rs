//! The Rust types of a contract's named types: a struct per object (fields in schema order,
//! optional fields `Option` that refuse an explicit `null`, a field for the unknown members of an
//! open object or a map), an enum per string enum (with `as_str` and `Display`), a newtype per
//! alias (`pub struct Price(pub f64)`). Unions are `unions.rs`'. Each type reads and writes itself
//! as a JSON value (`support::Read`, `support::Write`: plain functions, checked once) and has serde
//! impls through them (`support::serde_impls!`), rather than serde's derives, whose expansion per
//! type was most of the generated crate's `cargo check`.

use contractc_ir::{Additional, Contract, Contracts, Object, Program, Ty, TypeKind, TypeRef};

use crate::code::Code;
use crate::naming::{UNKNOWN, field_idents, variant_idents};

/// The Rust path of a named type from inside the crate.
pub fn type_path(program: &Program, r: TypeRef) -> String {
    let c = &program.contracts[r.contract];
    format!("crate::{}::{}::{}", c.id.namespace, c.id.module(), program.named(r).name)
}

/// The Rust type of `ty` in contract `this`'s module.
pub fn rust_type(program: &Program, this: usize, ty: &Ty) -> String {
    match ty {
        Ty::String(_) => "::std::string::String".into(),
        Ty::Number(_) => "f64".into(),
        Ty::Integer(_) => "i64".into(),
        Ty::Boolean => "bool".into(),
        Ty::Values(_) | Ty::Any => "crate::support::Json".into(),
        Ty::Array(a) => format!("::std::vec::Vec<{}>", rust_type(program, this, &a.items)),
        Ty::Nullable(t) => format!("::std::option::Option<{}>", rust_type(program, this, t)),
        Ty::Named(r) if r.contract == this => program.named(*r).name.clone(),
        Ty::Named(r) => type_path(program, *r),
    }
}

/// The type a value of type `owner` holds `ty` as: [`rust_type`], boxed where `ty` is (or is a
/// nullable) type of the same contract that holds `owner` again without an array or a map between
/// them, which would make the type infinitely large (a recursive schema).
pub fn held_type(program: &Program, this: usize, owner: usize, ty: &Ty) -> String {
    match ty.non_null() {
        Ty::Named(r)
            if r.contract == this && holds(&program.contracts[this], this, r.index, owner, &mut Vec::new()) =>
        {
            let boxed = format!("::std::boxed::Box<{}>", rust_type(program, this, ty.non_null()));
            if ty.is_nullable() { format!("::std::option::Option<{boxed}>") } else { boxed }
        }
        _ => rust_type(program, this, ty),
    }
}

/// Whether a value of type `from` holds a value of type `to` of the same contract in place (its
/// fields, variants, branches or alias, through `null` but not through an array or a map).
fn holds(c: &Contract, this: usize, from: usize, to: usize, seen: &mut Vec<usize>) -> bool {
    if seen.contains(&from) {
        return false;
    }
    seen.push(from);
    let in_place = |ty: &Ty| match ty.non_null() {
        Ty::Named(r) if r.contract == this => Some(*r),
        _ => None,
    };
    let next: Vec<usize> = match &c.types[from].kind {
        TypeKind::Object(o) => o.fields.iter().filter_map(|f| in_place(&f.ty)).map(|r| r.index).collect(),
        TypeKind::Alias(t) => in_place(t).map(|r| r.index).into_iter().collect(),
        TypeKind::Union(u) => u.variants.iter().map(|&(_, v)| v).collect(),
        TypeKind::Choice(b) => b.iter().filter_map(|(_, t)| in_place(t)).map(|r| r.index).collect(),
        TypeKind::Untagged(u) => u.branches.iter().filter_map(in_place).map(|r| r.index).collect(),
        TypeKind::Enum(_) => Vec::new(),
    };
    next.into_iter().any(|n| n == to || holds(c, this, n, to, seen))
}

/// Which named types of contract `this` a Rust value holds: a struct's field (a variant's tag is
/// none), a map's or pattern rule's member, an alias's, a union's variant or a branch.
pub fn held_types(program: &Program, this: usize) -> Vec<bool> {
    let c = &program.contracts[this];
    let mut held = vec![false; c.types.len()];
    for (i, t) in c.types.iter().enumerate() {
        let refs: Vec<TypeRef> = match &t.kind {
            TypeKind::Object(o) => crate::naming::struct_fields(c, i, o)
                .map(|f| &f.ty)
                .chain(o.map_values())
                .chain(o.pattern_rules.iter().filter_map(|r| r.ty.as_ref()))
                .chain(&o.unmatched)
                .flat_map(Ty::refs)
                .collect(),
            TypeKind::Union(u) => u.variants.iter().map(|&(_, index)| TypeRef { contract: this, index }).collect(),
            kind => kind.refs(),
        };
        for r in refs.into_iter().filter(|r| r.contract == this) {
            held[r.index] = true;
        }
    }
    held
}

/// Whether named type `index` is the type of a union variant's tag property.
pub fn is_variant_tag(c: &Contract, this: usize, index: usize) -> bool {
    c.types.iter().any(|t| match &t.kind {
        TypeKind::Union(u) => u.variants.iter().any(|&(_, v)| match &c.types[v].kind {
            TypeKind::Object(o) => o
                .fields
                .iter()
                .any(|f| f.name == u.tag && matches!(f.ty, Ty::Named(r) if r == TypeRef { contract: this, index })),
            _ => false,
        }),
        _ => false,
    })
}

/// `s` as text inside the string literal of a `format!`: quotes and backslashes escaped, braces
/// doubled.
pub fn in_format(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('{', "{{").replace('}', "}}")
}

/// A string literal of `s`.
pub fn literal(s: &str) -> String {
    format!("{s:?}")
}

/// The derives of a struct or an enum with data; its serde impls are `support::serde_impls!`'s,
/// through its `Read` and `Write`.
pub const DERIVE: &str = "#[derive(Clone, Debug, PartialEq)]";

/// Writes named type `index` of contract `this` when it is an object, a string enum or an alias.
pub fn definition(program: &Program, this: usize, index: usize, code: &mut Code) {
    let t = &program.contracts[this].types[index];
    if let (Some(d), TypeKind::Object(_) | TypeKind::Alias(_)) = (&t.description, &t.kind) {
        code.doc(d);
    }
    match &t.kind {
        TypeKind::Object(o) => object(program, this, index, o, code),
        TypeKind::Enum(values) => {
            // The enum, its derives, serde impls, `Read` and `Write` (by the values), `as_str`,
            // `Display` and `Validate`.
            let pairs: Vec<String> = values
                .iter()
                .zip(variant_idents(values))
                .map(|(value, ident)| format!("{ident} = {}", literal(value)))
                .collect();
            let definition = format!("pub enum {} {{ {} }}", t.name, pairs.join(", "));
            match &t.description {
                None => code.line(format!("crate::support::string_enum!({definition});")),
                Some(d) => {
                    code.line("crate::support::string_enum! {");
                    code.doc(d);
                    code.line(definition);
                    code.line("}");
                }
            }
        }
        TypeKind::Alias(ty) => {
            let name = &t.name;
            let inner = held_type(program, this, index, ty);
            code.line(DERIVE);
            code.line(format!("pub struct {name}(pub {inner});"));
            // The serde impls, `Read` and `Write` (as the inner type), `Deref` and the `From`s.
            code.line(format!("crate::support::newtype!({name}({inner}));"));
        }
        TypeKind::Union(_) | TypeKind::Choice(_) | TypeKind::Untagged(_) => {}
    }
}

/// An object's struct and its serde impls, `Read` and `Write` (`support::object!`): each field
/// read from its member (a required one must be present, an optional one is `None` when absent,
/// or its `default`, and an explicit `null` is refused unless the type admits it), then the
/// members left refused (a closed object) or kept; written in field order, an absent optional
/// field left out, then the unknown members.
fn object(program: &Program, this: usize, index: usize, o: &Object, code: &mut Code) {
    let c = &program.contracts[this];
    let name = &c.types[index].name;
    let fields = field_idents(c, index, o);
    // A struct of optional fields alone has a `Default`: every field absent.
    let derive = if fields.iter().all(|(f, _)| !f.required) {
        DERIVE.replace("Debug,", "Debug, Default,")
    } else {
        DERIVE.into()
    };
    code.line(derive);
    code.line(format!("pub struct {name} {{"));
    let mut how = Vec::new();
    for (f, ident) in &fields {
        if let Some(d) = &f.description {
            code.doc(d);
        }
        let held = held_type(program, this, index, &f.ty);
        let wire = literal(&f.name);
        if f.required {
            code.line(format!("pub {ident}: {held},"));
            how.push(format!("{ident}: required({wire}),"));
        } else {
            // Optional is `Option` in every generated language (of `Option` when nullable).
            code.line(format!("pub {ident}: ::std::option::Option<{held}>,"));
            how.push(match &f.default {
                None => format!("{ident}: optional({wire}),"),
                // An absent member reads as its `default` (the checker validated it).
                Some(text) => format!("{ident}: defaulted({wire}, {}),", literal(text)),
            });
        }
    }
    let unknown = match &o.additional {
        Additional::Forbidden => None,
        Additional::Any => Some("crate::support::Members".to_string()),
        Additional::Typed(v) => Some(format!("crate::support::Map<{}>", rust_type(program, this, v))),
    };
    if let Some(ty) = &unknown {
        code.line("/// Members the schema does not name, kept as they came (written back canonically).");
        code.line(format!("pub {UNKNOWN}: {ty},"));
    }
    code.line("}");
    let rest = if unknown.is_some() { format!(" + {UNKNOWN}") } else { String::new() };
    if how.is_empty() {
        code.line(format!("crate::support::object!({name} {{}}{rest});"));
    } else {
        code.line(format!("crate::support::object!({name} {{"));
        code.lines(how);
        code.line(format!("}}{rest});"));
    }
}
