//! Unions as Rust enums with a `Read` and a `Write` of their own (and serde impls through them): a
//! tagged union reads its tag and gives the object to the variant it names; a choice gives the
//! value to the branch of its JSON type; an untagged union tries its branches as JSON Schema's
//! `anyOf`/`oneOf` do (Core §10.2.1.2–3).

use contractc_ir::{Contracts, JsonKind, Program, Ty, TypeKind};

use crate::checks::check;
use crate::code::Code;
use crate::naming::variant_ident;
use crate::types::{DERIVE, held_type, in_format, literal};

/// A variant of a union's enum: its doc, its name and the type it holds.
type Variant = (String, String, String);

/// Writes the enum, `Read` and `Write` of named type `index` when it is a union of any kind.
pub fn definition(program: &Program, this: usize, index: usize, code: &mut Code) {
    let c = &program.contracts[this];
    let t = &c.types[index];
    // Each variant (its doc, name and type), the arms writing it, the statements reading one.
    let (variants, write, read): (Vec<Variant>, Vec<String>, Vec<String>) = match &t.kind {
        TypeKind::Union(u) => {
            let variants = u
                .variants
                .iter()
                .map(|(value, v)| {
                    (
                        format!("`{}`: {value:?}", u.tag),
                        variant_ident(value),
                        held_type(
                            program,
                            this,
                            index,
                            &Ty::Named(contractc_ir::TypeRef { contract: this, index: *v }),
                        ),
                    )
                })
                .collect();
            let tag = literal(&u.tag);
            let write = u
                .variants
                .iter()
                .map(|(value, _)| {
                    format!(
                        "Self::{}(v) => crate::support::tagged({tag}, {}, v),",
                        variant_ident(value),
                        literal(value)
                    )
                })
                .collect();
            let expected: Vec<&str> = u.variants.iter().map(|(v, _)| v.as_str()).collect();
            let mut read = vec![format!("let tag = crate::support::untag(r, {tag})?;"), "match tag.as_str() {".into()];
            for (value, _) in &u.variants {
                read.push(format!(
                    "{} => crate::support::Read::read(r).map(Self::{}),",
                    literal(value),
                    variant_ident(value)
                ));
            }
            read.push(format!(
                "other => ::std::result::Result::Err(crate::support::Refused::new(::std::format!(\"unknown `{}` {{other:?}} (expected {})\"))),",
                in_format(&u.tag),
                in_format(&expected.join(", "))
            ));
            read.push("}".into());
            (variants, write, read)
        }
        TypeKind::Choice(branches) => {
            let variants = branches
                .iter()
                .map(|(kind, ty)| {
                    (
                        format!("A JSON {}.", kind.name()),
                        choice_variant(*kind).to_string(),
                        held_type(program, this, index, ty),
                    )
                })
                .collect();
            let write = branches
                .iter()
                .map(|(kind, _)| format!("Self::{}(v) => crate::support::Write::write(v),", choice_variant(*kind)))
                .collect();
            let expected: Vec<&str> = branches.iter().map(|(k, _)| k.name()).collect();
            let mut read = vec!["match r.json.peek()? {".to_string()];
            for (kind, _) in branches {
                // The reader's kinds are named as the choice's variants are.
                read.push(format!(
                    "crate::support::json::Kind::{0} => crate::support::Read::read(r).map(Self::{0}),",
                    choice_variant(*kind)
                ));
            }
            read.push(format!(
                "other => ::std::result::Result::Err(crate::support::Refused::new(::std::format!(\"expected {}, found {{}}\", other.name()))),",
                expected.join(" or ")
            ));
            read.push("}".into());
            (variants, write, read)
        }
        TypeKind::Untagged(u) => {
            let names = untagged_variants(program, &u.branches);
            let keyword = if u.exactly_one { "oneOf" } else { "anyOf" };
            let variants = u
                .branches
                .iter()
                .zip(&names)
                .enumerate()
                .map(|(i, (ty, v))| {
                    (format!("Branch {i} of `{keyword}`."), v.clone(), held_type(program, this, index, ty))
                })
                .collect();
            let write = names.iter().map(|v| format!("Self::{v}(v) => crate::support::Write::write(v),")).collect();
            let mut read = vec![
                "let mark = r.json.mark();".to_string(),
                "let mut held: ::std::option::Option<Self> = ::std::option::Option::None;".to_string(),
            ];
            if u.exactly_one {
                read.push("let mut valid = 0usize;".into());
            }
            for (ty, v) in u.branches.iter().zip(&names) {
                let check = check(program, this, ty, "v", "at");
                // `anyOf` stops at the first accepting branch; `oneOf` tries every one.
                let mut conditions: Vec<String> =
                    (!u.exactly_one).then(|| "held.is_none()".to_string()).into_iter().collect();
                conditions.push(format!(
                    "let ::std::result::Result::Ok(x) = crate::support::attempt::<{}>(r, mark)?",
                    held_type(program, this, index, ty)
                ));
                if !check.is_empty() {
                    conditions
                        .push(format!("crate::support::accepts(|at, errors| {{ let v = &x; {} }})", check.join(" ")));
                }
                read.push(format!("if {} {{", conditions.join(" && ")));
                read.push(if u.exactly_one {
                    format!("valid += 1;\nheld.get_or_insert(Self::{v}(x));")
                } else {
                    format!("held = ::std::option::Option::Some(Self::{v}(x));")
                });
                read.push("}".into());
            }
            if u.exactly_one {
                read.extend([
                    "match (held, valid) {".to_string(),
                    "(::std::option::Option::Some(h), 1) => ::std::result::Result::Ok(h),".into(),
                    "(::std::option::Option::Some(_), n) => ::std::result::Result::Err(crate::support::Refused::new(::std::format!(\"valid against {n} branches of `oneOf`, not exactly one\"))),".into(),
                    "(::std::option::Option::None, _) => ::std::result::Result::Err(crate::support::Refused::new(\"valid against no branch of `oneOf`\")),".into(),
                    "}".into(),
                ]);
            } else {
                read.push(
                    "held.ok_or_else(|| crate::support::Refused::new(\"valid against no branch of `anyOf`\"))".into(),
                );
            }
            (variants, write, read)
        }
        TypeKind::Object(_) | TypeKind::Enum(_) | TypeKind::Alias(_) => return,
    };
    let name = &t.name;
    if let Some(d) = &t.description {
        code.doc(d);
    }
    code.line(DERIVE);
    code.line(format!("pub enum {name} {{"));
    for (doc, variant, ty) in &variants {
        code.doc(doc);
        code.line(format!("{variant}({ty}),"));
    }
    code.line("}");
    let read: Vec<String> = read.iter().flat_map(|l| l.lines()).map(str::to_string).collect();
    let write: Vec<String> = ["match self {".to_string()].into_iter().chain(write).chain(["}".to_string()]).collect();
    code.line(format!("crate::support::serde_impls!({name});"));
    code.line(format!("impl crate::support::Read for {name} {{"));
    code.line("fn read(r: &mut crate::support::Source<'_>) -> crate::support::Result<Self> {");
    code.lines(read);
    code.lines(["}", "}"]);
    code.line(format!("impl crate::support::Write for {name} {{"));
    code.line("fn write(&self) -> crate::support::Out<'_> {");
    code.lines(write);
    code.lines(["}", "}"]);
}

/// The Rust variant of a choice's branch: its JSON type.
pub fn choice_variant(kind: JsonKind) -> &'static str {
    match kind {
        JsonKind::Boolean => "Boolean",
        JsonKind::Number => "Number",
        JsonKind::String => "String",
        JsonKind::Array => "Array",
        JsonKind::Object => "Object",
    }
}

/// The Rust variants of an untagged union's branches: a branch that is a named type is named
/// after it (`Limit(Limit)`), others after their place (`Branch1(i64)`), and every branch by its
/// place when two names would be the same.
pub fn untagged_variants(program: &Program, branches: &[Ty]) -> Vec<String> {
    let named: Vec<String> = branches
        .iter()
        .enumerate()
        .map(|(i, ty)| match ty {
            Ty::Named(r) => program.named(*r).name.clone(),
            _ => format!("Branch{i}"),
        })
        .collect();
    let unique = (1..named.len()).all(|i| !named[..i].contains(&named[i]));
    if unique { named } else { (0..branches.len()).map(|i| format!("Branch{i}")).collect() }
}
