//! Rust backend: one module per contract version (`src/<namespace>/<name>_<major>_<minor>.rs`)
//! in a crate that is a workspace member.
//!
//! Types come from typify, handed one contract at a time as a draft-07 style root schema that
//! holds only the shape (types, properties, required, enums); references to other contracts are
//! replaced by the types already generated for them (typify's type replacement), so nothing is
//! generated twice. Constraints (bounds, lengths, formats, item counts) are checked by a generated
//! `Validate` impl per type, because a typed parse alone accepts half of an invalid set. Optional
//! fields reject an explicit `null` (DESIGN.md: absent, never null). Output goes through
//! prettyplease in-process; no formatter is spawned.

use std::collections::BTreeMap;

use contractc_emit::{EmitError, NameClash, Options, OutputFile, clashes, disambiguate, number_literal};
use contractc_ir::pattern::Dialect;
use contractc_ir::{Additional, Contract, Field, JsonKind, Object, Program, Ty, TypeKind};
use serde_json::{Map, Value, json};
use syn::visit_mut::VisitMut;
use typify::{TypeSpace, TypeSpaceSettings};

const SUPPORT: &str = include_str!("support.rs.in");

/// The format checks and `multipleOf`, the runtime's files verbatim (one implementation in Rust),
/// modules of `support`.
const FORMATS: &str = include_str!("../../../../runtime/src/formats.rs");
const DECIMAL: &str = include_str!("../../../../runtime/src/decimal.rs");

/// The definition typify replaces with `support::Json`, the type of `const` and `enum` values.
const JSON: &str = "ExtCtcJson";

/// The field of an open object's struct that keeps its unknown members (`support::Members`).
const UNKNOWN: &str = "additional_properties";

/// The variants of a tagged union of one contract that would become the same Rust identifier
/// (fields and enum variants cannot: [`field_idents`], [`variant_idents`]).
pub fn check_names(program: &Program) -> Vec<NameClash> {
    let mut out = Vec::new();
    for (c, contract) in program.contracts.iter().enumerate() {
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
    }
    out
}

/// The Rust identifiers of the fields of object type `index`'s struct ([`struct_fields`]), in
/// order: typify's ([`sanitize`]), the later of two that would be one (or be the field of unknown
/// members) suffixed `_2`, ... ([`disambiguate`]: `stop-loss`, `stop_loss`: `stop_loss`, `stop_loss_2`).
fn field_idents<'a>(c: &'a Contract, index: usize, o: &'a Object) -> Vec<(&'a Field, String)> {
    let fields: Vec<&Field> = struct_fields(c, index, o).collect();
    let taken: &[&str] = if o.is_open() || o.map_values().is_some() { &[UNKNOWN] } else { &[] };
    let idents = fields.iter().map(|f| sanitize(&f.name, false)).collect();
    fields.into_iter().zip(disambiguate(idents, taken, |i, n| sanitize(&format!("{i}_{n}"), false))).collect()
}

/// The Rust identifiers of an enum's variants, in value order: typify's ([`sanitize`]), the
/// later of two that would be one suffixed `2`, ... ([`disambiguate`]: `rc`, `RC`: `Rc`, `Rc2`).
fn variant_idents(values: &[String]) -> Vec<String> {
    let idents = values.iter().map(|v| sanitize(v, true)).collect();
    disambiguate(idents, &[], |i, n| sanitize(&format!("{i}{n}"), true))
}

/// What typify is given for each name of `names` whose identifier is `idents`' (a property, an
/// enum value): the name itself, or, where [`disambiguate`] renamed it, that identifier, which
/// typify keeps as it is ([`sanitize`] leaves its own output alone); [`Renames`] gives the wire
/// name back.
fn typify_names(names: &[&str], idents: &[String], upper: bool) -> Vec<String> {
    names.iter().zip(idents).map(|(n, i)| if sanitize(n, upper) == *i { n.to_string() } else { i.clone() }).collect()
}

/// A name as typify makes it an identifier (heck: snake_case fields, UpperCamelCase variants, `_`
/// after keywords).
fn sanitize(s: &str, upper: bool) -> String {
    use heck::{ToSnakeCase, ToUpperCamelCase};
    let dashed: String =
        s.replace('\'', "").chars().map(|c| if c.is_alphanumeric() || c == '_' { c } else { '-' }).collect();
    let mut out = if upper { dashed.to_upper_camel_case() } else { dashed.to_snake_case() };
    if !out.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        out.insert_str(0, if upper { "X" } else { "x" });
    }
    if typify::accept_as_ident(&out) { out } else { format!("{out}_") }
}

/// Emits the crate's files, paths relative to `generated/`.
pub fn emit(program: &Program, options: &Options) -> Result<Vec<OutputFile>, EmitError> {
    let mut files = vec![
        OutputFile::text("rust/Cargo.toml", cargo_toml(&options.rust_crate)),
        OutputFile::text("rust/src/support.rs", SUPPORT),
        OutputFile::text("rust/src/support/formats.rs", FORMATS),
        OutputFile::text("rust/src/support/decimal.rs", DECIMAL),
        // prettyplease already formatted the code, and `contractc build --check` compares bytes.
        OutputFile::text(
            "rust/rustfmt.toml",
            "# Generated by contractc: leave the generated code as it is.\ndisable_all_formatting = true\n",
        ),
    ];
    let mut namespaces: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (i, c) in program.contracts.iter().enumerate() {
        namespaces.entry(&c.id.namespace).or_default().push(c.id.module());
        let code = module(program, i)?;
        files.push(OutputFile::text(format!("rust/src/{}/{}.rs", c.id.namespace, c.id.module()), code));
    }
    let mut lib = String::from(
        "//! Types and validation for the contracts, generated by contractc. Do not edit: change the\n\
         //! contracts and run `contractc build`.\n\
         //!\n\
         //! Read a message with [`from_json`] (parse, then check every constraint the schema states)\n\
         //! and write one with [`to_json`].\n\n\
         pub mod support;\n",
    );
    for (ns, modules) in &namespaces {
        lib.push_str(&format!("pub mod {ns};\n"));
        let body: String = modules.iter().map(|m| format!("pub mod {m};\n")).collect();
        files.push(OutputFile::text(
            format!("rust/src/{ns}/mod.rs"),
            format!("//! Contracts of the `{ns}` namespace.\n\n{body}"),
        ));
    }
    lib.push_str("\npub use support::{Error, Validate, Violation, from_json, to_canonical_json, to_json};\n");
    // A message router's entry point (and the conformance suite's): the contract named at run time.
    lib.push_str(
        "\n/// Reads `text` as a message of `contract` (`namespace/Name@MAJOR.MINOR`) with [`from_json`]\n\
         /// and writes it back with [`to_canonical_json`]; `None` when this crate has no such contract.\n\
         pub fn canonicalize(contract: &str, text: &str) -> Option<Result<String, Error>> {\n\
         \x20   fn go<T: serde::de::DeserializeOwned + serde::Serialize + Validate>(text: &str) -> Result<String, Error> {\n\
         \x20       from_json::<T>(text).map(|v| to_canonical_json(&v))\n\
         \x20   }\n\
         \x20   Some(match contract {\n",
    );
    for c in &program.contracts {
        let root = c.types.first().map_or(String::new(), |t| t.name.clone());
        lib.push_str(&format!(
            "        {:?} => go::<{}::{}::{root}>(text),\n",
            c.id.key(),
            c.id.namespace,
            c.id.module()
        ));
    }
    lib.push_str("        _ => return None,\n    })\n}\n");
    files.push(OutputFile::text("rust/src/lib.rs", lib));
    Ok(files)
}

fn cargo_toml(name: &str) -> String {
    format!(
        "# Generated by contractc. Do not edit: run `contractc build`.\n\
         [package]\n\
         name = \"{name}\"\n\
         description = \"Types and validation for the trading contracts, generated by contractc.\"\n\
         edition = \"2024\"\n\
         version = \"0.1.0\"\n\
         publish = false\n\n\
         [dependencies]\n\
         serde = {{ workspace = true }}\n\
         serde_json = {{ workspace = true }}\n\
         regex = {{ workspace = true }}\n"
    )
}

/// The Rust path of a named type from inside the crate.
fn type_path(program: &Program, r: contractc_ir::TypeRef) -> String {
    let c = &program.contracts[r.contract];
    format!("crate::{}::{}::{}", c.id.namespace, c.id.module(), program.named(r).name)
}

/// The shape-only schema of a type, as typify reads it.
fn shape(program: &Program, this: usize, ty: &Ty, external: &mut BTreeMap<String, String>) -> Value {
    match ty {
        Ty::String(_) => json!({"type": "string"}),
        Ty::Number(_) => json!({"type": "number"}),
        Ty::Integer(_) => json!({"type": "integer"}),
        Ty::Boolean => json!({"type": "boolean"}),
        Ty::Array(a) => json!({"type": "array", "items": shape(program, this, &a.items, external)}),
        Ty::Nullable(t) => json!({"anyOf": [shape(program, this, t, external), {"type": "null"}]}),
        Ty::Values(_) | Ty::Any => {
            external.insert(JSON.to_string(), "crate::support::Json".to_string());
            json!({"$ref": format!("#/definitions/{JSON}")})
        }
        Ty::Named(r) if r.contract == this => json!({"$ref": format!("#/definitions/{}", program.named(*r).name)}),
        Ty::Named(r) => {
            let c = &program.contracts[r.contract];
            let key = format!("Ext{}{}", c.id.versioned().replace('_', ""), program.named(*r).name);
            external.insert(key.clone(), type_path(program, *r));
            json!({"$ref": format!("#/definitions/{key}")})
        }
    }
}

/// The tag property of every union variant of a contract: variant index → tag wire name. A
/// variant's struct leaves it out (the union's serde impls read and write it).
fn variant_tags(c: &Contract) -> BTreeMap<usize, &str> {
    let mut out = BTreeMap::new();
    for t in &c.types {
        if let TypeKind::Union(u) = &t.kind {
            out.extend(u.variants.iter().map(|(_, v)| (*v, u.tag.as_str())));
        }
    }
    out
}

/// The fields of object type `index` that its Rust struct has: all but a variant's tag.
fn struct_fields<'a>(c: &'a Contract, index: usize, o: &'a Object) -> impl Iterator<Item = &'a Field> {
    let tag = variant_tags(c).get(&index).map(|t| t.to_string());
    o.fields.iter().filter(move |f| Some(&f.name) != tag.as_ref())
}

fn named_schema(program: &Program, this: usize, index: usize, external: &mut BTreeMap<String, String>) -> Value {
    let c = &program.contracts[this];
    let t = &c.types[index];
    let mut s = Map::new();
    if let Some(d) = &t.description {
        s.insert("description".into(), json!(doc(d)));
    }
    match &t.kind {
        TypeKind::Enum(values) => {
            let names: Vec<&str> = values.iter().map(String::as_str).collect();
            s.insert("type".into(), json!("string"));
            s.insert("enum".into(), json!(typify_names(&names, &variant_idents(values), true)));
        }
        // Written by `union_impls` and `choice_impls`; typify only refers to them.
        TypeKind::Union(_) | TypeKind::Choice(_) | TypeKind::Untagged(_) => {}
        // A root that is not an object: typify makes it a newtype (`pub struct Price(pub f64)`).
        TypeKind::Alias(ty) => {
            if let Value::Object(shape) = shape(program, this, ty, external) {
                s.extend(shape);
            }
        }
        TypeKind::Object(o) => {
            let fields = field_idents(c, index, o);
            let names: Vec<&str> = fields.iter().map(|(f, _)| f.name.as_str()).collect();
            let idents: Vec<String> = fields.iter().map(|(_, i)| i.clone()).collect();
            let keys = typify_names(&names, &idents, false);
            let mut props = Map::new();
            for ((f, _), key) in fields.iter().zip(&keys) {
                let mut p = shape(program, this, &f.ty, external);
                // A `$ref` with siblings would make typify generate a wrapper type.
                if let (Some(d), Some(obj)) = (&f.description, p.as_object_mut())
                    && !obj.contains_key("$ref")
                {
                    obj.insert("description".into(), json!(doc(d)));
                }
                props.insert(key.clone(), p);
            }
            let required: Vec<&String> =
                fields.iter().zip(&keys).filter(|((f, _), _)| f.required).map(|(_, k)| k).collect();
            s.insert("type".into(), json!("object"));
            s.insert("properties".into(), Value::Object(props));
            s.insert("required".into(), json!(required));
            // typify sees every object closed, so that it makes a struct with named fields even of
            // one without properties; an open object's or a map's struct then opens again, with a
            // field for its unknown members (`FieldIdents`).
            s.insert("additionalProperties".into(), json!(false));
        }
    }
    Value::Object(s)
}

fn module(program: &Program, this: usize) -> Result<String, EmitError> {
    let c = &program.contracts[this];
    let err = |m: String| EmitError { backend: "rust", message: format!("{}: {m}", c.source) };
    let mut external = BTreeMap::new();
    let mut root = named_schema(program, this, 0, &mut external);
    // A root union is written by `union_impls`: without a title typify leaves the root alone.
    if !matches!(c.root().kind, TypeKind::Union(_) | TypeKind::Choice(_) | TypeKind::Untagged(_)) {
        root["title"] = json!(c.root().name);
    }
    let mut definitions = Map::new();
    for i in 1..c.types.len() {
        definitions.insert(c.types[i].name.clone(), named_schema(program, this, i, &mut external));
        if let TypeKind::Union(_) | TypeKind::Choice(_) | TypeKind::Untagged(_) = c.types[i].kind {
            external.insert(c.types[i].name.clone(), c.types[i].name.clone());
        }
    }
    for key in external.keys() {
        definitions.insert(key.clone(), json!({}));
    }
    root["definitions"] = Value::Object(definitions);
    let schema: schemars::schema::RootSchema = serde_json::from_value(root).map_err(|e| err(e.to_string()))?;
    let mut settings = TypeSpaceSettings::default();
    settings.with_struct_builder(false).with_derive("PartialEq".to_string());
    for (key, path) in &external {
        settings.with_replacement(key, path, std::iter::empty());
    }
    let mut space = TypeSpace::new(&settings);
    space.add_root_schema(schema).map_err(|e| err(format!("typify: {e}")))?;
    let mut file: syn::File = syn::parse2(space.to_stream()).map_err(|e| err(format!("typify output: {e}")))?;
    let objects = || {
        c.types.iter().enumerate().filter_map(|(i, t)| match &t.kind {
            TypeKind::Object(o) => Some((i, t, o)),
            TypeKind::Enum(_)
            | TypeKind::Union(_)
            | TypeKind::Alias(_)
            | TypeKind::Choice(_)
            | TypeKind::Untagged(_) => None,
        })
    };
    let order = objects()
        .map(|(i, t, o)| {
            let fields = struct_fields(c, i, o)
                .map(|f| FieldOrder {
                    wire: f.name.clone(),
                    required: f.required,
                    nullable: f.ty.is_nullable(),
                    reads_null: matches!(f.ty, Ty::Named(_)) && program.admits_null(&f.ty),
                    default: f.default.clone(),
                })
                .collect();
            (t.name.clone(), fields)
        })
        .collect();
    let unknown = objects()
        .filter_map(|(_, t, o)| {
            let ty = match &o.additional {
                Additional::Forbidden => return None,
                Additional::Any => "crate::support::Members".to_string(),
                Additional::Typed(v) => format!("crate::support::Map<{}>", rust_type(program, this, v)),
            };
            Some((t.name.clone(), ty))
        })
        .collect();
    // The wire names of the fields and variants typify was given an identifier for (`typify_names`).
    let mut renamed = BTreeMap::new();
    let mut variants = VariantNames::default();
    for (i, t) in c.types.iter().enumerate() {
        match &t.kind {
            TypeKind::Object(o) => {
                for (f, ident) in field_idents(c, i, o) {
                    if sanitize(&f.name, false) != ident {
                        renamed.insert((t.name.clone(), ident), f.name.clone());
                    }
                }
            }
            TypeKind::Enum(values) => {
                for (v, ident) in values.iter().zip(variant_idents(values)) {
                    if sanitize(v, true) != ident {
                        variants.renamed.entry(t.name.clone()).or_default().push((ident, v.clone()));
                    }
                }
            }
            TypeKind::Alias(_) | TypeKind::Union(_) | TypeKind::Choice(_) | TypeKind::Untagged(_) => {}
        }
    }
    variants.visit_file_mut(&mut file);
    let mut fields = FieldIdents { order, unknown, renamed, idents: BTreeMap::new(), defaults: Vec::new() };
    fields.visit_file_mut(&mut file);
    file.items.append(&mut fields.defaults);
    // typify emits the same `error` module into every module: the crate has it once, in support.
    file.items.retain(|item| !matches!(item, syn::Item::Mod(m) if m.ident == "error"));
    file.items.insert(
        0,
        syn::parse_quote!(
            pub use crate::support::error;
        ),
    );
    let validate: syn::File = syn::parse_str(&validate_impls(program, this, &fields.idents))
        .map_err(|e| err(format!("validation code: {e}")))?;
    file.items.extend(validate.items);
    let unions: syn::File = syn::parse_str(&union_impls(c)).map_err(|e| err(format!("union code: {e}")))?;
    file.items.extend(unions.items);
    let choices: syn::File =
        syn::parse_str(&choice_impls(program, this)).map_err(|e| err(format!("choice code: {e}")))?;
    file.items.extend(choices.items);
    let untagged: syn::File =
        syn::parse_str(&untagged_impls(program, this)).map_err(|e| err(format!("untagged union code: {e}")))?;
    file.items.extend(untagged.items);
    let header = format!(
        "//! Types of {key}, generated by contractc from {src}. Do not edit: change the contract and run\n\
         //! `contractc build`.\n\n",
        key = c.id.key(),
        src = c.source
    );
    Ok(header + &prettyplease::unparse(&file))
}

/// Walks typify's output: collects `(struct, wire name) → field ident`, puts fields back in
/// schema order (typify sorts them by name), makes every optional field reject an explicit
/// `null` (`deserialize_with` = `present`), and gives every open object's struct the field that
/// keeps its unknown members.
struct FieldIdents {
    /// Struct name → its fields in schema order.
    order: BTreeMap<String, Vec<FieldOrder>>,
    /// The structs of open objects and maps, and the type of the field of their unknown members.
    unknown: BTreeMap<String, String>,
    /// Struct name and field identifier → wire name, of the fields typify was given the
    /// identifier of (`typify_names`).
    renamed: BTreeMap<(String, String), String>,
    idents: BTreeMap<(String, String), String>,
    /// The functions that give absent members their `default`.
    defaults: Vec<syn::Item>,
}

/// What [`FieldIdents`] needs of a field: its wire name, whether it is required or nullable (or
/// of a named type that admits `null`: an alias of a nullable type), and its `default`.
struct FieldOrder {
    wire: String,
    required: bool,
    nullable: bool,
    reads_null: bool,
    default: Option<String>,
}

/// Gives back the values of the enum variants typify was given the identifier of
/// (`typify_names`): a `serde(rename)` on the variant, and the value in place of the identifier
/// in the enum's `Display` and `FromStr` impls.
#[derive(Default)]
struct VariantNames {
    /// Enum name → (variant identifier, value).
    renamed: BTreeMap<String, Vec<(String, String)>>,
    /// The renames of the enum whose impl is being visited.
    current: Vec<(String, String)>,
}

impl VisitMut for VariantNames {
    fn visit_item_enum_mut(&mut self, e: &mut syn::ItemEnum) {
        for (ident, value) in self.renamed.get(&e.ident.to_string()).into_iter().flatten() {
            if let Some(v) = e.variants.iter_mut().find(|v| v.ident == ident) {
                v.attrs.push(syn::parse_quote!(#[serde(rename = #value)]));
            }
        }
    }

    fn visit_item_impl_mut(&mut self, i: &mut syn::ItemImpl) {
        let name = match &*i.self_ty {
            syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        };
        self.current = name.and_then(|n| self.renamed.get(&n)).cloned().unwrap_or_default();
        if !self.current.is_empty() {
            syn::visit_mut::visit_item_impl_mut(self, i);
        }
    }

    fn visit_lit_str_mut(&mut self, l: &mut syn::LitStr) {
        if let Some((_, value)) = self.current.iter().find(|(ident, _)| l.value() == *ident) {
            *l = syn::LitStr::new(value, l.span());
        }
    }
}

impl VisitMut for FieldIdents {
    fn visit_item_struct_mut(&mut self, s: &mut syn::ItemStruct) {
        let owner = s.ident.to_string();
        for f in s.fields.iter_mut() {
            let Some(ident) = &f.ident else { continue };
            let ident = ident.to_string();
            let mut wire = ident.clone();
            for a in &f.attrs {
                if a.path().is_ident("serde") {
                    let _ = a.parse_nested_meta(|m| {
                        if m.path.is_ident("rename") {
                            if let Ok(v) = m.value().and_then(|v| v.parse::<syn::LitStr>()) {
                                wire = v.value();
                            }
                        } else if m.input.peek(syn::Token![=]) {
                            let _ = m.value().and_then(|v| v.parse::<syn::Expr>());
                        }
                        Ok(())
                    });
                }
            }
            if let Some(name) = self.renamed.get(&(owner.clone(), wire.clone())) {
                wire = name.clone();
                f.attrs.push(syn::parse_quote!(#[serde(rename = #wire)]));
            }
            let (required, nullable, reads_null, default) = self
                .order
                .get(&owner)
                .and_then(|o| o.iter().find(|f| f.wire == wire))
                .map_or((false, false, false, None), |f| (f.required, f.nullable, f.reads_null, f.default.clone()));
            let is_option =
                matches!(&f.ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Option"));
            if !required && (!is_option || nullable) {
                // typify makes an optional array a `Vec` with `default`: absent and `[]` would then
                // be one value, and an optional nullable field an `Option`: absent and `null` would.
                // Optional is `Option` in every generated language (of `Option` when nullable).
                let ty = std::mem::replace(&mut f.ty, syn::Type::Verbatim(Default::default()));
                f.ty = syn::parse_quote!(::std::option::Option<#ty>);
                f.attrs.retain(|a| !a.path().is_ident("serde"));
                if wire != ident {
                    f.attrs.push(syn::parse_quote!(#[serde(rename = #wire)]));
                }
                f.attrs.push(syn::parse_quote!(#[serde(skip_serializing_if = "::std::option::Option::is_none")]));
            }
            match default {
                // serde reads an absent member as `null` when its type reads `null` (a newtype of
                // `Option`): a required one must be present all the same.
                _ if required && reads_null && !is_option => {
                    f.attrs.push(syn::parse_quote!(#[serde(deserialize_with = "::serde::Deserialize::deserialize")]))
                }
                _ if required => {}
                None => {
                    f.attrs.push(syn::parse_quote!(#[serde(default, deserialize_with = "crate::support::present")]))
                }
                Some(text) => {
                    // An absent member reads as its `default` (the checker validated it).
                    let name = format!("default_{}_{ident}", heck::ToSnakeCase::to_snake_case(owner.as_str()));
                    let function: syn::Ident = syn::parse_str(&name).expect("an identifier");
                    let ty = &f.ty;
                    self.defaults.push(syn::parse_quote!(
                        fn #function() -> #ty {
                            crate::support::default_value(#text)
                        }
                    ));
                    f.attrs.push(
                        syn::parse_quote!(#[serde(default = #name, deserialize_with = "crate::support::present")]),
                    );
                }
            }
            self.idents.insert((owner.clone(), wire), ident);
        }
        if let (Some(order), syn::Fields::Named(named)) = (self.order.get(&owner), &mut s.fields) {
            let wire_of: BTreeMap<String, String> = self
                .idents
                .iter()
                .filter(|((o, _), _)| *o == owner)
                .map(|((_, w), i)| (i.clone(), w.clone()))
                .collect();
            let mut fields: Vec<syn::Field> = std::mem::take(&mut named.named).into_iter().collect();
            fields.sort_by_key(|f| {
                let ident = f.ident.as_ref().map(ToString::to_string).unwrap_or_default();
                wire_of.get(&ident).and_then(|w| order.iter().position(|o| o.wire == *w)).unwrap_or(usize::MAX)
            });
            named.named = fields.into_iter().collect();
            if let Some(ty) = self.unknown.get(&owner) {
                s.attrs.retain(|a| {
                    let mut closed = false;
                    if a.path().is_ident("serde") {
                        let _ = a.parse_nested_meta(|m| {
                            closed |= m.path.is_ident("deny_unknown_fields");
                            Ok(())
                        });
                    }
                    !closed
                });
                let ident: syn::Ident = syn::parse_str(UNKNOWN).expect("an identifier");
                let ty: syn::Type = syn::parse_str(ty).expect("a type");
                named.named.push(syn::parse_quote!(
                    /// Members the schema does not name, kept as they came (written back canonically).
                    #[serde(flatten, skip_serializing_if = "crate::support::Unknown::is_empty")]
                    pub #ident: #ty
                ));
            }
        }
    }
}

/// `impl Validate` for every named type of the contract, as Rust source.
fn validate_impls(program: &Program, this: usize, idents: &BTreeMap<(String, String), String>) -> String {
    let c: &Contract = &program.contracts[this];
    let mut out = String::new();
    for (i, t) in c.types.iter().enumerate() {
        let mut body = String::new();
        if let TypeKind::Union(u) = &t.kind {
            let arms: String = u
                .variants
                .iter()
                .map(|(value, _)| {
                    format!(
                        "Self::{}(v) => crate::support::Validate::validate_at(v, at, errors),",
                        variant_ident(value)
                    )
                })
                .collect();
            body = format!("match self {{ {arms} }}");
        }
        // An enum with a variant per branch: each branch's checks on the value it holds.
        let branches: Vec<(String, &Ty)> = match &t.kind {
            TypeKind::Choice(branches) => branches.iter().map(|(k, ty)| (choice_variant(*k).to_string(), ty)).collect(),
            TypeKind::Untagged(u) => untagged_variants(program, &u.branches).into_iter().zip(&u.branches).collect(),
            _ => Vec::new(),
        };
        if branches.iter().any(|(_, ty)| !check(program, this, ty, "v").is_empty()) {
            let arms: String = branches
                .iter()
                .map(|(name, ty)| match check(program, this, ty, "v") {
                    check if check.is_empty() => format!("Self::{name}(_) => {{}}"),
                    check => format!("Self::{name}(v) => {{ {check} }}"),
                })
                .collect();
            body = format!("match self {{ {arms} }}");
        }
        if let TypeKind::Alias(ty) = &t.kind {
            let check = check(program, this, ty, "v");
            if !check.is_empty() {
                body = format!("let v = &self.0; {check}");
            }
        }
        if let TypeKind::Object(o) = &t.kind
            && let Some(values) = o.map_values()
        {
            let check = check(program, this, values, "v");
            if !check.is_empty() {
                body.push_str(&format!("for (k, v) in &self.{UNKNOWN}.0 {{ at.push(k); {check} at.pop(); }}\n"));
            }
        }
        if let TypeKind::Object(o) = &t.kind
            && !o.pattern_rules.is_empty()
        {
            body.push_str(&pattern_rules(program, this, o));
        }
        if let TypeKind::Object(o) = &t.kind
            && o.additional != Additional::Forbidden
            && let Some(names) = &o.extra_names
        {
            let check = check(program, this, &Ty::String(names.clone()), "k");
            body.push_str(&format!("for k in self.{UNKNOWN}.0.keys() {{ at.push(k); {check} at.pop(); }}\n"));
        }
        if let TypeKind::Object(o) = &t.kind {
            for f in struct_fields(c, i, o) {
                let ident = idents.get(&(t.name.clone(), f.name.clone())).cloned().unwrap_or_else(|| f.name.clone());
                let wire = serde_json::to_string(&f.name).expect("strings serialize");
                let check = check(program, this, &f.ty, "v");
                if check.is_empty() {
                    continue;
                }
                if f.required {
                    body.push_str(&format!("{{ let v = &self.{ident}; at.push({wire}); {check} at.pop(); }}\n"));
                } else {
                    body.push_str(&format!(
                        "if let ::std::option::Option::Some(v) = &self.{ident} {{ at.push({wire}); {check} at.pop(); }}\n"
                    ));
                }
            }
        }
        // `dependentRequired`: a declared member is present when its field is set.
        if let TypeKind::Object(o) = &t.kind {
            let present = |name: &str| match o.fields.iter().find(|f| f.name == name) {
                Some(f) if f.required => "true".to_string(),
                Some(f) => {
                    let ident =
                        idents.get(&(t.name.clone(), f.name.clone())).cloned().unwrap_or_else(|| f.name.clone());
                    format!("self.{ident}.is_some()")
                }
                None => format!("crate::support::Unknown::has(&self.{UNKNOWN}, {name:?})"),
            };
            for (name, needed) in &o.dependent_required {
                let needed: Vec<String> = needed.iter().map(|n| format!("({n:?}, {})", present(n))).collect();
                body.push_str(&format!(
                    "if {} {{ crate::support::check_dependents({name:?}, &[{}], at, errors); }}\n",
                    present(name),
                    needed.join(", ")
                ));
            }
        }
        // `minProperties`/`maxProperties`: the members present, named (a variant's tag included) or not.
        if let TypeKind::Object(o) = &t.kind
            && (o.min_properties.is_some() || o.max_properties.is_some())
        {
            let required = o.fields.iter().filter(|f| f.required).count();
            let mut count: Vec<String> = (required > 0).then(|| format!("{required}usize")).into_iter().collect();
            for f in struct_fields(c, i, o).filter(|f| !f.required) {
                let ident = idents.get(&(t.name.clone(), f.name.clone())).cloned().unwrap_or_else(|| f.name.clone());
                count.push(format!("usize::from(self.{ident}.is_some())"));
            }
            if !matches!(o.additional, Additional::Forbidden) {
                count.push(format!("crate::support::Unknown::len(&self.{UNKNOWN})"));
            }
            if count.is_empty() {
                count.push("0usize".into());
            }
            body.push_str(&format!(
                "crate::support::check_properties({}, {}, {}, at, errors);\n",
                count.join(" + "),
                opt(o.min_properties),
                opt(o.max_properties)
            ));
        }
        let params = if body.is_empty() {
            "_at: &mut crate::support::Path, _errors: &mut ::std::vec::Vec<crate::support::Violation>"
        } else {
            "at: &mut crate::support::Path, errors: &mut ::std::vec::Vec<crate::support::Violation>"
        };
        out.push_str(&format!(
            "impl crate::support::Validate for {name} {{ fn validate_at(&self, {params}) {{ {body} }} }}\n",
            name = t.name
        ));
    }
    out
}

/// The checks of `patternProperties` rules (Core §10.3.2.2) on the undeclared members of `o`,
/// kept as JSON: every rule whose pattern a member's name matches, else `o.unmatched`.
fn pattern_rules(program: &Program, this: usize, o: &Object) -> String {
    let instance = |ty: &Ty| member_check(program, this, ty, "v");
    let (matched, mark) = match o.unmatched {
        Some(_) => ("let mut matched = false;", "matched = true;"),
        None => ("", ""),
    };
    let mut rules = String::new();
    for rule in &o.pattern_rules {
        let then = match &rule.ty {
            Some(ty) => instance(ty),
            None => "crate::support::forbid_member(&PATTERN, at, errors);".to_string(),
        };
        rules.push_str(&format!(
            "{{ static PATTERN: crate::support::Pattern = crate::support::Pattern::new({:?}, {:?}); \
             if PATTERN.is_match(k) {{ {mark} {then} }} }}",
            rule.pattern.source,
            rule.pattern.render(Dialect::Rust),
        ));
    }
    let otherwise = o.unmatched.as_ref().map_or(String::new(), |ty| format!("if !matched {{ {} }}", instance(ty)));
    let value = if o.unmatched.is_some() || o.pattern_rules.iter().any(|r| r.ty.is_some()) { "v" } else { "_" };
    format!("for (k, {value}) in &self.{UNKNOWN}.0 {{ at.push(k); {matched} {rules} {otherwise} at.pop(); }}\n")
}

/// A description as doc comment text: tabs as spaces (clippy's `tabs_in_doc_comments`).
fn doc(description: &str) -> String {
    description.replace('\t', "    ")
}

/// The Rust type of `ty` in contract `this`'s module, as typify names it (for the value type of a
/// map, which typify does not see).
fn rust_type(program: &Program, this: usize, ty: &Ty) -> String {
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

/// The Rust variant of a union for a tag value (typify's rule for enum variants).
fn variant_ident(value: &str) -> String {
    sanitize(value, true)
}

/// A tagged union as a Rust enum of its variants' structs, with serde impls that read and write
/// the tag (strictly: a struct only from an object, duplicate keys refused) and `Validate`.
fn union_impls(c: &Contract) -> String {
    let mut out = String::new();
    for t in &c.types {
        let TypeKind::Union(u) = &t.kind else { continue };
        let name = &t.name;
        let tag = format!("{:?}", u.tag);
        let doc = t.description.as_deref().map_or(String::new(), |d| format!("#[doc = {:?}]", doc(d)));
        let variants: String = u
            .variants
            .iter()
            .map(|(value, v)| {
                format!(
                    "#[doc = {:?}] {}({}),",
                    format!("`{}`: {value:?}", u.tag),
                    variant_ident(value),
                    c.types[*v].name
                )
            })
            .collect();
        let write: String = u
            .variants
            .iter()
            .map(|(value, _)| {
                format!(
                    "Self::{}(v) => crate::support::serialize_variant({tag}, {value:?}, v, s),",
                    variant_ident(value)
                )
            })
            .collect();
        let read: String = u
            .variants
            .iter()
            .map(|(value, _)| {
                format!("{value:?} => crate::support::read_value(v).map(Self::{}),", variant_ident(value))
            })
            .collect();
        let expected: Vec<&str> = u.variants.iter().map(|(v, _)| v.as_str()).collect();
        out.push_str(&format!(
            "{doc} #[derive(Clone, Debug, PartialEq)] pub enum {name} {{ {variants} }}\n\
             impl ::serde::Serialize for {name} {{ fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {{ match self {{ {write} }} }} }}\n\
             impl<'de> ::serde::Deserialize<'de> for {name} {{ fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {{ \
             let (tag, v) = crate::support::deserialize_variant(d, {tag})?; \
             match tag.as_str() {{ {read} other => ::std::result::Result::Err(::serde::de::Error::custom(::std::format!(\"unknown `{}` {{other:?}} (expected {})\"))) }} }} }}\n",
            u.tag,
            expected.join(", ")
        ));
    }
    out
}

/// The Rust variant of a choice's branch: its JSON type.
fn choice_variant(kind: JsonKind) -> &'static str {
    match kind {
        JsonKind::Boolean => "Boolean",
        JsonKind::Number => "Number",
        JsonKind::String => "String",
        JsonKind::Array => "Array",
        JsonKind::Object => "Object",
    }
}

/// A choice (branches told apart by their JSON type) as a Rust enum with one variant per type,
/// with serde impls that read a strict JSON value and give it to the branch its type names.
fn choice_impls(program: &Program, this: usize) -> String {
    let c = &program.contracts[this];
    let mut out = String::new();
    for t in &c.types {
        let TypeKind::Choice(branches) = &t.kind else { continue };
        let name = &t.name;
        let doc = t.description.as_deref().map_or(String::new(), |d| format!("#[doc = {:?}]", doc(d)));
        let variants: String = branches
            .iter()
            .map(|(kind, ty)| {
                format!(
                    "#[doc = \"A JSON {}.\"] {}({}),",
                    kind.name(),
                    choice_variant(*kind),
                    rust_type(program, this, ty)
                )
            })
            .collect();
        let write: String = branches
            .iter()
            .map(|(kind, _)| format!("Self::{}(v) => ::serde::Serialize::serialize(v, s),", choice_variant(*kind)))
            .collect();
        let read: String = branches
            .iter()
            .map(|(kind, _)| {
                let pattern = match kind {
                    JsonKind::Boolean => "Bool",
                    JsonKind::Number => "Number",
                    JsonKind::String => "String",
                    JsonKind::Array => "Array",
                    JsonKind::Object => "Object",
                };
                format!(
                    "::serde_json::Value::{pattern}(_) => crate::support::read_value(v).map(Self::{}),",
                    choice_variant(*kind)
                )
            })
            .collect();
        let expected: Vec<&str> = branches.iter().map(|(k, _)| k.name()).collect();
        out.push_str(&format!(
            "{doc} #[derive(Clone, Debug, PartialEq)] pub enum {name} {{ {variants} }}\n\
             impl ::serde::Serialize for {name} {{ fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {{ match self {{ {write} }} }} }}\n\
             impl<'de> ::serde::Deserialize<'de> for {name} {{ fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {{ \
             let crate::support::Json(v) = ::serde::Deserialize::deserialize(d)?; \
             match v {{ {read} other => ::std::result::Result::Err(::serde::de::Error::custom(::std::format!(\"expected {}, found {{other}}\"))) }} }} }}\n",
            expected.join(" or ")
        ));
    }
    out
}

/// The Rust variants of an untagged union's branches: a branch that is a named type is named
/// after it (`Limit(Limit)`), others after their place (`Branch1(i64)`), and every branch by its
/// place when two names would be the same.
fn untagged_variants(program: &Program, branches: &[Ty]) -> Vec<String> {
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

/// An untagged union as a Rust enum with a variant per branch, read as JSON Schema reads
/// `anyOf`/`oneOf`: the strict JSON value is given to each branch in order (its shape through
/// serde, its constraints through [`check`]), the first that accepts it holds it, and under
/// `oneOf` a second accepting branch refuses it.
fn untagged_impls(program: &Program, this: usize) -> String {
    let c = &program.contracts[this];
    let mut out = String::new();
    for t in &c.types {
        let TypeKind::Untagged(u) = &t.kind else { continue };
        let name = &t.name;
        let names = untagged_variants(program, &u.branches);
        let doc = t.description.as_deref().map_or(String::new(), |d| format!("#[doc = {:?}]", doc(d)));
        let keyword = if u.exactly_one { "oneOf" } else { "anyOf" };
        let variants: String = u
            .branches
            .iter()
            .zip(&names)
            .enumerate()
            .map(|(i, (ty, v))| {
                format!("#[doc = \"Branch {i} of `{keyword}`.\"] {v}({}),", rust_type(program, this, ty))
            })
            .collect();
        let write: String =
            names.iter().map(|v| format!("Self::{v}(v) => ::serde::Serialize::serialize(v, s),")).collect();
        let mut read = String::new();
        for (ty, v) in u.branches.iter().zip(&names) {
            let check = check(program, this, ty, "v");
            // `anyOf` stops at the first accepting branch; `oneOf` tries every one.
            let mut conditions: Vec<String> =
                (!u.exactly_one).then(|| "held.is_none()".to_string()).into_iter().collect();
            conditions.push(format!(
                "let ::std::result::Result::Ok(x) = crate::support::read_value::<{}, ::serde::de::value::Error>(v.clone())",
                rust_type(program, this, ty)
            ));
            if !check.is_empty() {
                conditions.push(format!("crate::support::accepts(|at, errors| {{ let v = &x; {check} }})"));
            }
            let take =
                if u.exactly_one { "valid += 1; held.get_or_insert" } else { "held = ::std::option::Option::Some" };
            read.push_str(&format!("if {} {{ {take}(Self::{v}(x)); }}", conditions.join(" && ")));
        }
        let verdict = if u.exactly_one {
            "match (held, valid) { \
             (::std::option::Option::Some(h), 1) => ::std::result::Result::Ok(h), \
             (::std::option::Option::Some(_), n) => ::std::result::Result::Err(::serde::de::Error::custom(::std::format!(\"valid against {n} branches of `oneOf`, not exactly one\"))), \
             (::std::option::Option::None, _) => ::std::result::Result::Err(::serde::de::Error::custom(\"valid against no branch of `oneOf`\")) }"
                .to_string()
        } else {
            "held.ok_or_else(|| ::serde::de::Error::custom(\"valid against no branch of `anyOf`\"))".to_string()
        };
        let count = if u.exactly_one { "let mut valid = 0usize;" } else { "" };
        out.push_str(&format!(
            "{doc} #[derive(Clone, Debug, PartialEq)] pub enum {name} {{ {variants} }}\n\
             impl ::serde::Serialize for {name} {{ fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {{ match self {{ {write} }} }} }}\n\
             impl<'de> ::serde::Deserialize<'de> for {name} {{ fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {{ \
             let crate::support::Json(v) = ::serde::Deserialize::deserialize(d)?; \
             let mut held: ::std::option::Option<Self> = ::std::option::Option::None; {count} \
             {read} {verdict} }} }}\n"
        ));
    }
    out
}

/// An `Option` literal; the paths are absolute because a contract may name a type `Some` or `Vec`.
fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or("::std::option::Option::None".into(), |v| format!("::std::option::Option::Some({})", v.to_string()))
}

/// A closure `|v, at, errors| { ... }` running the checks of `ty` on `v`.
fn check_closure(program: &Program, this: usize, ty: &Ty) -> String {
    match check(program, this, ty, "v") {
        check if check.is_empty() => "|_, _, _| {}".to_string(),
        check => format!("|v, at, errors| {{ {check} }}"),
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

/// Statements checking the value behind reference expression `v` of type `ty`.
fn check(program: &Program, this: usize, ty: &Ty, v: &str) -> String {
    match ty {
        Ty::String(s) => {
            let format = opt(s.format.map(|f| format!("crate::support::Format::{}", f.name())));
            if s.min_length.is_none() && s.max_length.is_none() && s.pattern.is_none() && s.format.is_none() {
                return String::new();
            }
            let call = |pattern: &str| {
                format!(
                    "crate::support::check_string({v}, {}, {}, {pattern}, {format}, at, errors);",
                    opt(s.min_length),
                    opt(s.max_length)
                )
            };
            match &s.pattern {
                None => call("::std::option::Option::None"),
                Some(p) => format!(
                    "{{ static PATTERN: crate::support::Pattern = crate::support::Pattern::new({:?}, {:?}); {} }}",
                    p.source,
                    p.render(Dialect::Rust),
                    call("::std::option::Option::Some(&PATTERN)")
                ),
            }
        }
        Ty::Number(n) => {
            let bound = |b: Option<contractc_ir::Bound>| {
                b.map_or("::std::option::Option::None".into(), |b| {
                    format!("::std::option::Option::Some(({}, {}))", number_literal(b.value), b.exclusive)
                })
            };
            let mut out =
                format!("crate::support::check_number(*{v}, {}, {}, at, errors);", bound(n.minimum), bound(n.maximum));
            if let Some(d) = n.multiple_of {
                out.push_str(&format!("crate::support::check_multiple(*{v}, {}, at, errors);", number_literal(d)));
            }
            out
        }
        Ty::Integer(n) => {
            let mut out =
                format!("crate::support::check_integer(*{v}, {}, {}, at, errors);", opt(n.minimum), opt(n.maximum));
            if let Some(d) = n.multiple_of {
                out.push_str(&format!(
                    "crate::support::check_integer_multiple(*{v}, {}, at, errors);",
                    number_literal(d)
                ));
            }
            out
        }
        Ty::Boolean => String::new(),
        Ty::Named(r) => match program.named(*r).kind {
            TypeKind::Enum(_) => String::new(),
            TypeKind::Object(_)
            | TypeKind::Union(_)
            | TypeKind::Alias(_)
            | TypeKind::Choice(_)
            | TypeKind::Untagged(_) => {
                format!("crate::support::Validate::validate_at({v}, at, errors);")
            }
        },
        Ty::Any => String::new(),
        Ty::Values(values) => {
            let allowed: Vec<String> = values.iter().map(|t| format!("{t:?}")).collect();
            format!("crate::support::check_values({v}, &[{}], at, errors);", allowed.join(", "))
        }
        Ty::Nullable(t) => {
            let inner = check(program, this, t, "v");
            if inner.is_empty() {
                return inner;
            }
            format!("if let ::std::option::Option::Some(v) = {v} {{ {inner} }}")
        }
        Ty::Array(a) => {
            let item = match &a.tuple {
                None => check(program, this, &a.items, "item"),
                Some(t) => {
                    // Each item, held as JSON, read as its position's type (`support::check_member`).
                    let instance = |ty: &Ty| match ty {
                        Ty::Any => String::new(),
                        _ => member_check(program, this, ty, "&item.0"),
                    };
                    let positions = t.prefix.iter().enumerate().map(|(i, ty)| (format!("i == {i}"), instance(ty)));
                    let rest = (format!("i >= {}", t.prefix.len()), instance(&t.rest));
                    let arms: Vec<String> = positions
                        .chain([rest])
                        .filter(|(_, check)| !check.is_empty())
                        .map(|(when, check)| format!("if {when} {{ {check} }}"))
                        .collect();
                    arms.join(" else ")
                }
            };
            let items = if item.is_empty() {
                String::new()
            } else {
                format!("for (i, item) in {v}.iter().enumerate() {{ at.push_index(i); {item} at.pop(); }}")
            };
            // Checks of the array as a whole: `uniqueItems`, `contains`.
            let mut whole =
                if a.unique_items { format!("crate::support::check_unique({v}, at, errors);") } else { String::new() };
            if let Some(c) = &a.contains {
                whole.push_str(&format!(
                    "crate::support::check_contains::<_, {}>({v}, {}, {}, {}, at, errors);",
                    rust_type(program, this, &c.ty),
                    c.min,
                    opt(c.max),
                    check_closure(program, this, &c.ty)
                ));
            }
            format!(
                "crate::support::check_items({v}.len(), {}, {}, at, errors); {whole} {items}",
                opt(a.min_items),
                opt(a.max_items)
            )
        }
    }
}
