//! Rust identifiers of schema names: fields snake_case, enum variants UpperCamelCase (heck), a
//! keyword gets a trailing `_`, and the later of two names that would be one identifier a suffix
//! ([`disambiguate`]); wire names stay exact (`serde(rename)`).

use contractc_emit::{NameClash, clashes, disambiguate};
use contractc_ir::{Contract, Field, Object, TypeKind};

/// The field of an open object's struct that keeps its unknown members (`support::Members`).
pub const UNKNOWN: &str = "additional_properties";

/// The variants of a tagged union of `contract` (at place `c` of contract order) that would
/// become the same Rust identifier (fields and enum variants cannot: [`field_idents`],
/// [`variant_idents`]).
pub fn check_names(contract: &Contract, c: usize) -> Vec<NameClash> {
    let mut out = Vec::new();
    for t in &contract.types {
        if let TypeKind::Union(u) = &t.kind {
            // Variants at their branches' pointers.
            let names: Vec<(String, String)> = u
                .variants
                .iter()
                .map(|(value, v)| (contract.types[*v].pointer.clone(), variant_ident(value)))
                .collect();
            clashes("rust", c, &names, &mut out);
        }
    }
    out
}

/// Strict, reserved and weak keywords that cannot be identifiers (The Rust Reference,
/// "Keywords"; `gen` from edition 2024).
fn is_keyword(s: &str) -> bool {
    matches!(
        s,
        "_" | "abstract"
            | "as"
            | "async"
            | "await"
            | "become"
            | "box"
            | "break"
            | "const"
            | "continue"
            | "crate"
            | "do"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "final"
            | "fn"
            | "for"
            | "gen"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "macro"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "override"
            | "priv"
            | "pub"
            | "ref"
            | "return"
            | "Self"
            | "self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "try"
            | "type"
            | "typeof"
            | "unsafe"
            | "unsized"
            | "use"
            | "virtual"
            | "where"
            | "while"
            | "yield"
    )
}

/// A name as an identifier: snake_case (fields) or UpperCamelCase (variants), a leading `x`/`X`
/// when it would not start with a letter or `_`, a trailing `_` after a keyword.
pub fn sanitize(s: &str, upper: bool) -> String {
    use heck::{ToSnakeCase, ToUpperCamelCase};
    let dashed: String =
        s.replace('\'', "").chars().map(|c| if c.is_alphanumeric() || c == '_' { c } else { '-' }).collect();
    let mut out = if upper { dashed.to_upper_camel_case() } else { dashed.to_snake_case() };
    if !out.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        out.insert_str(0, if upper { "X" } else { "x" });
    }
    if is_keyword(&out) { format!("{out}_") } else { out }
}

/// The Rust variant of a union for a tag value.
pub fn variant_ident(value: &str) -> String {
    sanitize(value, true)
}

/// The tag property of every union variant of a contract: variant index → tag wire name. A
/// variant's struct leaves it out (the union's serde impls read and write it).
fn variant_tag(c: &Contract, index: usize) -> Option<&str> {
    c.types.iter().find_map(|t| match &t.kind {
        TypeKind::Union(u) if u.variants.iter().any(|(_, v)| *v == index) => Some(u.tag.as_str()),
        _ => None,
    })
}

/// The fields of object type `index` that its Rust struct has: all but a variant's tag.
pub fn struct_fields<'a>(c: &'a Contract, index: usize, o: &'a Object) -> impl Iterator<Item = &'a Field> {
    let tag = variant_tag(c, index);
    o.fields.iter().filter(move |f| Some(f.name.as_str()) != tag)
}

/// The fields of object type `index`'s struct ([`struct_fields`]) with their identifiers, in
/// order: each its own ([`sanitize`]), the later of two that would be one (or be the field of
/// unknown members) suffixed `_2`, ... ([`disambiguate`]: `stop-loss`, `stop_loss`: `stop_loss`,
/// `stop_loss_2`).
pub fn field_idents<'a>(c: &'a Contract, index: usize, o: &'a Object) -> Vec<(&'a Field, String)> {
    let fields: Vec<&Field> = struct_fields(c, index, o).collect();
    let taken: &[&str] = if o.additional != contractc_ir::Additional::Forbidden { &[UNKNOWN] } else { &[] };
    let idents = fields.iter().map(|f| sanitize(&f.name, false)).collect();
    fields.into_iter().zip(disambiguate(idents, taken, |i, n| sanitize(&format!("{i}_{n}"), false))).collect()
}

/// The identifiers of an enum's variants, in value order: each its own ([`sanitize`]), the later
/// of two that would be one suffixed `2`, ... ([`disambiguate`]: `rc`, `RC`: `Rc`, `Rc2`).
pub fn variant_idents(values: &[String]) -> Vec<String> {
    let idents = values.iter().map(|v| sanitize(v, true)).collect();
    disambiguate(idents, &[], |i, n| sanitize(&format!("{i}{n}"), true))
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn names_become_identifiers() {
        assert_eq!(sanitize("stop-loss", false), "stop_loss");
        assert_eq!(sanitize("type", false), "type_");
        assert_eq!(sanitize("1st", false), "x1st");
        assert_eq!(sanitize("GTC", true), "Gtc");
        assert_eq!(sanitize("self", true), "Self_");
    }
}
