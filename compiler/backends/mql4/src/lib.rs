//! MQL4 backend: `mql4/Include/contractc/<Name>_<major>_<minor>.mqh` per contract version (a
//! struct per object type, `X_FromJson`, `X_ToJson`, `X_Reset`) plus the shared `ctc_json.mqh`,
//! rendered from `templates/mql4/`, in the MQL4 subset of MQL4.md (ASCII source, prefixed global
//! names of at most 63 characters, plain structs passed by reference, locals declared first,
//! no side effects in call arguments, every slice through the guard).
//!
//! Public API per contract version (MQL4.md): `bool X_FromJson(const string &js, X &out,
//! string &err)`, `string X_ToJson(const X &v)`, `void X_Reset(X &v)`. Errors read
//! `$.path: reason at offset N`. `X_ToJson` writes canonical JSON: keys sorted, no whitespace,
//! shortest round-trip numbers in ECMAScript form. Date-time fields keep their original string.

use contractc_emit::{
    EmitError, NameClash, NameProblem, Options, OutputFile, Renderer, Templates, clashes, dependency_order,
    disambiguate, number_literal, referenced_contracts,
};
use contractc_ir::pattern::Dialect;
use contractc_ir::{
    Additional, Contract, ContractId, Contracts, JsonKind, Migration, MigrationHeader, NamedType, Object, Program,
    StringTy, Ty, TypeKind, TypeRef, Union, Untagged,
};
use serde::Serialize;

pub mod dfa;
mod migrations;
mod naming;

const DIR: &str = "mql4/Include/contractc";

/// A nullable value stands only as a member (with its `null_` flag): items never are.
/// The statement that refuses the value read at `path` when `cond` holds, saying `reason`.
fn refuse(path: &str, cond: &str, reason: &str) -> String {
    format!("if({cond}) {{ err = CtcError({path}, {}, pos); return false; }}", literal(reason))
}

/// Statements that refuse string `target` (read at `path`) unless it satisfies `s`'s lengths (in
/// code points), pattern (a DFA, [`dfa`]) and format.
fn string_checks(s: &StringTy, target: &str, path: &str) -> Result<Vec<String>, String> {
    let fail = |cond: String, reason: &str| refuse(path, &cond, reason);
    let mut out = Vec::new();
    if let Some(n) = s.min_length {
        out.push(fail(format!("CtcCodePoints({target}) < {n}"), &format!("must be at least {n} characters long")));
    }
    if let Some(n) = s.max_length {
        out.push(fail(format!("CtcCodePoints({target}) > {n}"), &format!("must be at most {n} characters long")));
    }
    if let Some(p) = &s.pattern {
        let dfa = dfa::build(&p.render(Dialect::Rust)).map_err(|e| format!("pattern {:?}: {e}", p.source))?;
        out.push(fail(format!("!{}", dfa.mql4_call(target)), &format!("must match the pattern `{}`", p.source)));
    }
    if let Some(f) = s.format {
        out.push(fail(format!("!CtcIs{}({target})", f.name()), &format!("must be a valid `{}`", f.keyword())));
    }
    Ok(out)
}

/// The MQL4 member names of the fields of `o`, in order: [`naming::member`], the later of two that would
/// be one (or be a member of unknown members) suffixed `_2`, ... ([`disambiguate`]).
fn member_names(o: &Object) -> Vec<String> {
    let taken: &[&str] = if o.is_open() || o.map_values().is_some() { &UNKNOWN } else { &[] };
    let names = o.fields.iter().map(|f| naming::member(&f.name)).collect();
    disambiguate(names, taken, |m, n| naming::limit(&format!("{m}_{n}")))
}

/// The constants of enum type `r`'s values, in order: `<Type>_<VALUE>` ([`naming::constant`]),
/// the later of two that would be one suffixed `_2`, ... (`rc`, `RC`: `X_rc`, `X_RC`; `a-b`,
/// `a_b`: `X_a_b`, `X_a_b_2`).
fn constants(program: &Program, r: TypeRef) -> Vec<String> {
    let TypeKind::Enum(values) = &program.named(r).kind else { return Vec::new() };
    let prefix = type_name(program, r);
    let names = values.iter().map(|v| naming::limit(&format!("{prefix}_{}", naming::constant(v)))).collect();
    disambiguate(names, &[], |c, n| naming::limit(&format!("{c}_{n}")))
}

/// What `held` keeps as JSON text, where a plain value is expected.
const UNHELD: &str = "an array or a value that may be null as an item or a map value (`held` keeps it as JSON text)";

/// The members of an open object's struct that keep its unknown members: their keys, sorted by
/// UTF-16 code units, and their values as canonical JSON text.
const UNKNOWN: [&str; 2] = ["additional_keys", "additional_values"];

/// Emits the include files, paths relative to `generated/`: [`emit_shared`] and each contract's
/// [`emit_contract`].
pub fn emit(program: &Program, templates: &Templates, options: &Options) -> Result<Vec<OutputFile>, EmitError> {
    let r = renderer(templates);
    let mut files = emit_shared(&r)?;
    files.extend(contractc_emit::per_contract(program, |i| emit_contract(program, &r, options, i))?);
    for m in &program.migrations {
        files.push(emit_migration(m, &program.migration_header(m), &r)?);
    }
    Ok(files)
}

/// The include file of migration `m` (`<Name>_<A>_<B>_To_<C>_<D>.mqh`), whose versions `header`
/// names: `X_Upgrade`, the reader of an old message into the new struct and, when the migration
/// can be undone, `X_Downgrade` and the reader back.
pub fn emit_migration(m: &Migration, header: &MigrationHeader, r: &Renderer) -> Result<OutputFile, EmitError> {
    migrations::emit(m, header, r)
}

/// The renderer of `templates/mql4/`.
pub fn renderer(templates: &Templates) -> Renderer {
    Renderer::new("mql4", templates, "mql4")
}

/// The file that is no one contract's: `ctc_json.mqh`, the JSON reader and writer.
pub fn emit_shared(r: &Renderer) -> Result<Vec<OutputFile>, EmitError> {
    Ok(vec![OutputFile::text(format!("{DIR}/ctc_json.mqh"), r.render("mql4/ctc_json.mqh.j2", ())?)])
}

/// The include file of contract `i`: it reads only the contracts `i` reaches
/// ([`contractc_emit::reached`]).
pub fn emit_contract(program: &Program, r: &Renderer, _options: &Options, i: usize) -> Result<OutputFile, EmitError> {
    let path = format!("{DIR}/{}.mqh", program.contracts[i].id.versioned());
    Ok(OutputFile::text(path, r.render("mql4/contract.mqh.j2", contract_view(program, i)?)?))
}

/// The names of `contract` (at place `c` of contract order) that would become the same MQL4
/// identifier: a tagged union's variant members and type names (which `naming::limit` may cut to
/// one). Struct members and enum constants cannot clash ([`member_names`], [`constants`]); the
/// contract prefixes of every contract are checked by [`check_prefixes`].
pub fn check_names(contract: &Contract, c: usize) -> Vec<NameClash> {
    let mut out = Vec::new();
    for t in &contract.types {
        if let TypeKind::Union(u) = &t.kind {
            let names: Vec<(String, String)> = std::iter::once((t.pointer.clone(), VARIANT.to_string()))
                .chain(
                    u.variants
                        .iter()
                        .zip(variant_members(u))
                        .map(|((_, v), m)| (contract.types[*v].pointer.clone(), m)),
                )
                .collect();
            clashes("mql4", c, &names, &mut out);
        }
    }
    // Type names are global too (`naming::limit` may cut two long ones to one).
    let types: Vec<(String, String)> =
        (0..contract.types.len()).map(|i| (contract.types[i].pointer.clone(), own_type_name(contract, i))).collect();
    clashes("mql4", c, &types, &mut out);
    out
}

/// The contracts (`ids`, in contract order; `source` gives a contract's file) whose prefix an
/// earlier one has: every MQL4 name is global, so `Name@MAJOR.MINOR` in two namespaces would
/// share the file `Name_MAJOR_MINOR.mqh` and every type and function name.
pub fn check_prefixes(ids: &[&ContractId], source: &dyn Fn(usize) -> String) -> Vec<NameClash> {
    let mut out = Vec::new();
    // The first contract of each global prefix.
    let mut prefixes: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (c, id) in ids.iter().enumerate() {
        let prefix = id.versioned();
        match prefixes.get(&prefix) {
            Some(&other) => out.push(NameClash {
                backend: "mql4",
                contract: c,
                pointer: String::new(),
                problem: NameProblem::SharedPrefix { other: source(other), prefix },
            }),
            None => {
                prefixes.insert(prefix, c);
            }
        }
    }
    out
}

#[derive(Serialize)]
struct ContractView {
    source: String,
    key: String,
    guard: String,
    includes: Vec<String>,
    enums: Vec<EnumView>,
    types: Vec<TypeView>,
}

#[derive(Serialize)]
struct EnumView {
    name: String,
    doc: String,
    /// The contract's root: it gets `X_FromJson` and `X_ToJson`.
    is_root: bool,
    /// `(constant, MQL4 string literal of the wire value)`
    constants: Vec<(String, String)>,
}

#[derive(Serialize)]
struct TypeView {
    name: String,
    doc: String,
    is_root: bool,
    /// A tagged union or an alias: `parse` is the whole body of its parse function.
    parse_is_body: bool,
    /// The parse loop counts the members (`minProperties`/`maxProperties`).
    counts: bool,
    /// Member declarations, e.g. `double bid;`.
    members: Vec<String>,
    /// Locals of the parse function, declared first (MQL4.md rule 7).
    locals: Vec<String>,
    reset: Vec<String>,
    parse: Vec<String>,
    required: Vec<String>,
    write: Vec<String>,
    /// Functions the parse function calls, rendered before it: an untagged union's branches, and
    /// the readers of defaults that are read from their JSON text.
    helpers: Vec<HelperView>,
}

/// `bool <name>(js, pos, path, out, err)`: reads one value (a branch of an untagged union, a
/// member's default) from `js` at `pos` into its member of `out`.
#[derive(Serialize)]
struct HelperView {
    name: String,
    /// Whether it reads into a member of `out` (a branch, a default), or into a variable of its
    /// own (a rule's check).
    out: bool,
    /// Whether it gives the canonical JSON text of what it read in `text` (an item held as text).
    text: bool,
    locals: Vec<String>,
    body: Vec<String>,
}

/// The MQL4 name of a named type: the contract prefix, then the type's own name without the
/// contract's name in front (`OrderIntent_1_2`, `OrderIntent_1_2_Side`, `ExecutionReport_1_0_Fill`)
/// unless another type of the contract has that shorter name (`Choices_1_0_ChoicesVenue` beside
/// `Choices_1_0_Venue`).
fn type_name(program: &Program, r: TypeRef) -> String {
    own_type_name(&program.contracts[r.contract], r.index)
}

/// The MQL4 name of type `index` of contract `c` (see `type_name`): `OrderIntent_1_2_Side`.
pub fn own_type_name(c: &Contract, index: usize) -> String {
    if index == 0 {
        return naming::limit(&c.id.versioned());
    }
    let own = &c.types[index].name;
    let short =
        own.strip_prefix(&c.id.name).filter(|s| !s.is_empty() && c.types.iter().all(|t| t.name != *s)).unwrap_or(own);
    naming::limit(&format!("{}_{short}", c.id.versioned()))
}

/// An MQL4 string literal; only ASCII is allowed in the source (MQL4.md rule 1).
///
/// A character outside printable ASCII is built from its UTF-16 code units (`ShortToString(233)`,
/// two for an astral character), so any name or value can stand in the ASCII-only source:
/// `"prix_unit" + ShortToString(233)`. (U+0000, which an MQL4 string cannot hold, never gets
/// here: contract files refuse it.)
fn literal(s: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut text = String::new();
    for c in s.chars() {
        match c {
            '"' => text.push_str("\\\""),
            '\\' => text.push_str("\\\\"),
            ' '..='~' => text.push(c),
            _ => {
                if !text.is_empty() {
                    parts.push(format!("\"{}\"", std::mem::take(&mut text)));
                }
                let mut units = [0u16; 2];
                parts.extend(c.encode_utf16(&mut units).iter().map(|u| format!("ShortToString({u})")));
            }
        }
    }
    if !text.is_empty() || parts.is_empty() {
        parts.push(format!("\"{text}\""));
    }
    // A call alone is not a string literal's type in every position: start from one.
    if !parts[0].starts_with('"') {
        parts.insert(0, "\"\"".into());
    }
    parts.join(" + ")
}

/// A one-line comment text: ASCII, no line breaks.
/// A description as the text of one `//` comment: printable ASCII only, and never ending in a
/// backslash, which would splice the next source line into the comment (C++ [lex.phases] 2,
/// which MetaEditor follows).
fn comment(s: Option<&str>) -> String {
    let mut text: String = s
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if (' '..='~').contains(&c) {
                c
            } else if c.is_whitespace() {
                ' '
            } else {
                '?'
            }
        })
        .collect();
    text.truncate(text.trim_end().len());
    if text.ends_with('\\') {
        text.push('.');
    }
    text
}

fn contract_view(program: &Program, this: usize) -> Result<ContractView, EmitError> {
    let c = &program.contracts[this];
    let err = |m: String| EmitError { backend: "mql4", message: format!("{}: {m}", c.source) };
    let includes =
        referenced_contracts(program, this).into_iter().map(|o| program.contracts[o].id.versioned()).collect();
    let mut enums = Vec::new();
    let mut types = Vec::new();
    for i in dependency_order(program, this) {
        let r = TypeRef { contract: this, index: i };
        let t = &c.types[i];
        let name = type_name(program, r);
        match &t.kind {
            TypeKind::Enum(values) => {
                let constants = constants(program, r).into_iter().zip(values.iter().map(|v| literal(v))).collect();
                enums.push(EnumView { name, doc: comment(t.description.as_deref()), is_root: i == 0, constants });
            }
            TypeKind::Object(_) => types.push(type_view(program, r, t, name).map_err(err)?),
            TypeKind::Union(u) => types.push(union_view(program, r, t, u, name).map_err(err)?),
            TypeKind::Alias(ty) => types.push(alias_view(program, r, t, ty, name).map_err(err)?),
            TypeKind::Choice(branches) => types.push(choice_view(program, r, t, branches, name).map_err(err)?),
            TypeKind::Untagged(u) => types.push(untagged_view(program, r, t, u, name).map_err(err)?),
        }
    }
    Ok(ContractView {
        source: c.source.clone(),
        key: c.id.key(),
        guard: format!("CONTRACTC_{}_MQH", c.id.versioned().to_ascii_uppercase()),
        includes,
        enums,
        types,
    })
}

fn type_view(program: &Program, r: TypeRef, t: &NamedType, name: String) -> Result<TypeView, String> {
    let TypeKind::Object(o) = &t.kind else { return Err(format!("{name} is not an object")) };
    let mut g = Gen::new(program, &name, vec!["string key = \"\";".into(), "bool more = false;".into()]);
    let mut members = Vec::new();
    let mut reset = Vec::new();
    let mut parse = Vec::new();
    let mut required = Vec::new();
    let mut helpers = Vec::new();
    let member_names = member_names(o);
    for (f, m) in o.fields.iter().zip(&member_names) {
        let m = m.clone();
        let key = literal(&f.name);
        let path = format!("path + {}", literal(&format!(".{}", f.name)));
        let target = format!("out.{m}");
        let (decl, reset_stmt) = g.member(f.ty.non_null(), &m, &format!("v.{m}"))?;
        members.push(decl);
        reset.push(reset_stmt);
        let null = naming::flag("null", &m);
        if f.ty.is_nullable() {
            members.push(format!("bool {null};"));
            reset.push(format!("v.{null} = false;"));
        }
        let seen = if f.required {
            let s = naming::limit(&format!("seen_{m}"));
            g.locals.push(format!("bool {s} = false;"));
            required.push(format!(
                "if(!{s}) {{ err = CtcError(path, {q}, pos); return false; }}",
                q = literal(&format!("missing required key \"{}\"", f.name))
            ));
            s
        } else {
            let has = naming::flag("has", &m);
            members.push(format!("bool {has};"));
            reset.push(format!("v.{has} = false;"));
            if let Some(text) = &f.default {
                // An absent member reads as its `default`.
                let value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
                let ty = f.ty.non_null();
                let set = match ty {
                    _ if value.is_null() => vec![format!("out.{null} = true;")],
                    // `const`/`enum` values and any value are held as their canonical text, which
                    // the default is.
                    Ty::Values(_) | Ty::Any => vec![format!("{target} = {};", literal(text))],
                    ty => match assign(program, ty, &target, &value) {
                        Ok(set) => set,
                        // Anything else is read from its JSON text, as the member of a message.
                        Err(_) => {
                            let helper = naming::limit(&format!("{name}_Default_{m}"));
                            let mut dg = Gen::new(program, &helper, Vec::new());
                            let body = dg.parse(ty, &target, "path")?;
                            helpers.append(&mut dg.helpers);
                            helpers.push(HelperView {
                                name: helper.clone(),
                                out: true,
                                text: false,
                                locals: unique(dg.locals),
                                body,
                            });
                            g.locals.extend([
                                "string djs = \"\";".to_string(),
                                "int dpos = 0;".into(),
                                "string derr = \"\";".into(),
                            ]);
                            vec![
                                format!("djs = {};", literal(text)),
                                "dpos = 0;".into(),
                                format!("if(!{helper}(djs, dpos, path, out, derr)) {{ err = derr; return false; }}"),
                            ]
                        }
                    },
                };
                required.push(format!("if(!out.{has})"));
                required.push("{".into());
                required.extend(set.into_iter().map(|l| format!("   {l}")));
                required.push(format!("   out.{has} = true;"));
                required.push("}".into());
            }
            format!("out.{has}")
        };
        let mut body = vec![
            format!(
                "if({seen}) {{ err = CtcError(path, {q}, pos); return false; }}",
                q = literal(&format!("duplicate key \"{}\"", f.name))
            ),
            format!("{seen} = true;"),
        ];
        let value = g.parse(f.ty.non_null(), &target, &path)?;
        if f.ty.is_nullable() {
            body.push(format!("if(CtcReadNull(js, pos)) out.{null} = true;"));
            body.push("else".into());
            body.push("{".into());
            body.extend(value.into_iter().map(|l| format!("   {l}")));
            body.push("}".into());
        } else {
            body.extend(value);
        }
        parse.push((key, body));
    }
    let mut parse_lines = Vec::new();
    for (n, (key, body)) in parse.into_iter().enumerate() {
        parse_lines.push(format!("{}if(key == {key})", if n == 0 { "" } else { "else " }));
        parse_lines.push("{".into());
        parse_lines.extend(body.into_iter().map(|l| format!("   {l}")));
        parse_lines.push("}".into());
    }
    let unknown = if o.is_open() {
        let [keys, values] = UNKNOWN;
        for m in UNKNOWN {
            members.push(format!("string {m}[];"));
            reset.push(format!("ArrayFree(v.{m});"));
        }
        g.locals.push("string sval = \"\";".into());
        let mut lines = pattern_rules(o, &name, &mut g)?;
        // CtcCheckDepth bounded the whole message; the depth here only bounds the recursion.
        lines.extend([
            "if(!CtcReadAny(js, pos, path + \".\" + key, 2, sval, err)) return false;".to_string(),
            format!("if(!CtcAddMember(out.{keys}, out.{values}, key, sval))"),
            "{".to_string(),
            "   err = CtcError(path, \"duplicate key \\\"\" + key + \"\\\"\", pos);".to_string(),
            "   return false;".to_string(),
            "}".to_string(),
        ]);
        lines
    } else if let Some(ty) = o.map_values() {
        // A map: keys and values in parse order; `X_ToJson` writes them in key order.
        let [keys, values] = UNKNOWN;
        let (item_type, zero) = g.scalar(held(ty))?;
        members.push(format!("string {keys}[];"));
        members.push(format!("{item_type} {values}[];"));
        reset.extend([format!("ArrayFree(v.{keys});"), format!("ArrayFree(v.{values});")]);
        g.locals.push("int extra = 0;".into());
        let target = format!("out.{values}[extra]");
        let init =
            if zero.is_empty() { format!("{item_type}_Reset({target});") } else { format!("{target} = {zero};") };
        let mut lines = vec![
            format!(
                "if(CtcHasKey(out.{keys}, key)) {{ err = CtcError(path, \"duplicate key \\\"\" + key + \"\\\"\", pos); return false; }}"
            ),
            format!("extra = ArraySize(out.{keys});"),
            format!("ArrayResize(out.{keys}, extra + 1, 16);"),
            format!("out.{keys}[extra] = key;"),
            format!("ArrayResize(out.{values}, extra + 1, 16);"),
            init,
        ];
        let path = "path + \".\" + key";
        if held(ty) == ty {
            lines.extend(g.parse(ty, &target, path)?);
        } else {
            lines.push(g.text_helper(naming::limit(&format!("{name}_Value")), ty, &target, path)?);
        }
        lines
    } else {
        vec!["err = CtcError(path, \"unknown key \\\"\" + key + \"\\\"\", pos); return false;".to_string()]
    };
    // The names of undeclared members, checked before their values are read.
    let unknown = match o.extra_names.as_ref().filter(|_| o.additional != Additional::Forbidden) {
        Some(names) => string_checks(names, "key", "path + \".\" + key")?.into_iter().chain(unknown).collect(),
        None => unknown,
    };
    // `minProperties`/`maxProperties`: every key read counts.
    if o.min_properties.is_some() || o.max_properties.is_some() {
        g.locals.push("int members = 0;".into());
        if let Some(n) = o.min_properties {
            required.push(format!(
                "if(members < {n}) {{ err = CtcError(path, {}, pos); return false; }}",
                literal(&format!("must have at least {n} members"))
            ));
        }
        if let Some(n) = o.max_properties {
            required.push(format!(
                "if(members > {n}) {{ err = CtcError(path, {}, pos); return false; }}",
                literal(&format!("must have at most {n} members"))
            ));
        }
    }
    // `dependentRequired`: a declared member is present when its `has_` flag is set.
    let present = |n: &str| match o.fields.iter().zip(&member_names).find(|(f, _)| f.name == n) {
        Some((f, _)) if f.required => "true".to_string(),
        Some((_, m)) => format!("out.{}", naming::flag("has", m)),
        None => format!("CtcHasKey(out.{}, {})", UNKNOWN[0], literal(n)),
    };
    for (name, needed) in &o.dependent_required {
        for n in needed {
            required.push(format!(
                "if({} && !{}) {{ err = CtcError(path, {}, pos); return false; }}",
                present(name),
                present(n),
                literal(&format!("has `{name}`, so it must have `{n}` too"))
            ));
        }
    }
    if parse_lines.is_empty() {
        parse_lines.extend(unknown);
    } else if let [line] = unknown.as_slice() {
        parse_lines.push(format!("else {{ {line} }}"));
    } else {
        parse_lines.push("else".into());
        parse_lines.push("{".into());
        parse_lines.extend(unknown.into_iter().map(|l| format!("   {l}")));
        parse_lines.push("}".into());
    }
    // Canonical JSON: keys sorted by UTF-16 code units (RFC 8785 §3.2.3); names are ASCII here.
    let mut sorted: Vec<_> = o.fields.iter().zip(&member_names).collect();
    sorted.sort_by(|(a, _), (b, _)| a.name.encode_utf16().cmp(b.name.encode_utf16()));
    let mut write = Vec::new();
    let mut wlocals = Vec::new();
    // Unknown members are merged in: those sorting before each known key go first.
    let [keys, values] = UNKNOWN;
    let map_entry = match o.map_values() {
        Some(ty) => g.write(held(ty), &format!("v.{values}[order[next]]"), &mut wlocals)?,
        None => Vec::new(),
    };
    let unknown_before = |key: Option<&str>| -> Vec<String> {
        let (before, all) = key.map_or(("\"\"", true), |k| (k, false));
        if o.is_open() {
            return vec![format!("CtcWriteMembers(out, first, v.{keys}, v.{values}, next, {before}, {all});")];
        }
        if o.map_values().is_none() {
            return Vec::new();
        }
        let bound =
            if all { String::new() } else { format!(" && CtcCompareUnits(v.{keys}[order[next]], {before}) < 0") };
        let mut lines = vec![format!("while(next < ArraySize(order){bound})"), "{".into()];
        lines.push(format!("   CtcKey(out, first, v.{keys}[order[next]]);"));
        lines.extend(map_entry.iter().map(|l| format!("   {l}")));
        lines.push("   next = next + 1;".into());
        lines.push("}".into());
        lines
    };
    if o.is_open() || o.map_values().is_some() {
        wlocals.push("int next = 0;".to_string());
    }
    let mut sorting = Vec::new();
    if o.map_values().is_some() {
        wlocals.push("int order[];".to_string());
        sorting.push(format!("CtcSortKeys(v.{keys}, order);"));
    }
    for (f, m) in sorted {
        let m = m.as_str();
        write.extend(unknown_before(Some(&literal(&f.name))));
        let mut stmts = vec![format!("CtcKey(out, first, {});", literal(&f.name))];
        let value = g.write(f.ty.non_null(), &format!("v.{m}"), &mut wlocals)?;
        if f.ty.is_nullable() {
            stmts.push(format!("if(v.{}) StringAdd(out, \"null\");", naming::flag("null", m)));
            stmts.push("else".into());
            stmts.push("{".into());
            stmts.extend(value.into_iter().map(|s| format!("   {s}")));
            stmts.push("}".into());
        } else {
            stmts.extend(value);
        }
        if f.required {
            write.extend(stmts);
        } else {
            write.push(format!("if(v.{})", naming::flag("has", m)));
            write.push("{".into());
            write.extend(stmts.into_iter().map(|s| format!("   {s}")));
            write.push("}".into());
        }
    }
    let mut write_all = vec!["string out = \"{\";".to_string(), "bool first = true;".to_string()];
    write_all.extend(unique(wlocals));
    write_all.extend(sorting);
    write_all.extend(write);
    write_all.extend(unknown_before(None));
    write_all.push("StringAdd(out, \"}\");".into());
    write_all.push("return out;".into());
    let locals = unique(g.locals);
    Ok(TypeView {
        name,
        doc: comment(t.description.as_deref()),
        is_root: r.index == 0,
        parse_is_body: false,
        counts: o.min_properties.is_some() || o.max_properties.is_some(),
        members,
        locals,
        reset,
        parse: parse_lines,
        required,
        write: write_all,
        helpers: g.helpers.into_iter().chain(helpers).collect(),
    })
}

/// The member of a union's struct that says which variant it holds, and the other members: one
/// per variant, named after its tag value.
const VARIANT: &str = "variant";

/// The variant members of a union, in variant order.
fn variant_members(u: &Union) -> Vec<String> {
    u.variants.iter().map(|(value, _)| naming::member(value)).collect()
}

/// A tagged union: a struct holding which variant (`variant`, the index in schema order) and one
/// member per variant. `X_Parse` finds the tag first (`CtcPeekMember`), then parses the object as
/// its variant; `X_ToJson` writes the variant it holds.
fn union_view(program: &Program, r: TypeRef, t: &NamedType, u: &Union, name: String) -> Result<TypeView, String> {
    let c = &program.contracts[r.contract];
    let variant = |v: usize| type_name(program, TypeRef { contract: r.contract, index: v });
    let members = variant_members(u);
    let mut struct_members = vec![format!("int {VARIANT};")];
    let mut reset = vec![format!("v.{VARIANT} = 0;")];
    let mut parse = vec![
        format!("if(!CtcPeekMember(js, pos, path, {}, found, tag, err)) return false;", literal(&u.tag)),
        format!(
            "if(!found) {{ err = CtcError(path, {}, pos); return false; }}",
            literal(&format!("missing the tag \"{}\"", u.tag))
        ),
    ];
    let mut write = Vec::new();
    for (i, ((value, v), m)) in u.variants.iter().zip(&members).enumerate() {
        let vt = variant(*v);
        struct_members.push(format!("{vt} {m};"));
        reset.push(format!("{vt}_Reset(v.{m});"));
        parse.push(format!(
            "if(tag == {}) {{ out.{VARIANT} = {i}; return {vt}_Parse(js, pos, path, out.{m}, err); }}",
            literal(&format!("\"{value}\""))
        ));
        write.push(format!("if(v.{VARIANT} == {i}) return {vt}_ToJson(v.{m});"));
    }
    let expected: Vec<&str> = u.variants.iter().map(|(v, _)| v.as_str()).collect();
    parse.push(format!(
        "err = CtcError(path, {}, pos);",
        literal(&format!("\"{}\" must be one of {}", u.tag, expected.join(", ")))
    ));
    parse.push("return false;".into());
    write.push("return \"\";".into());
    let _ = c;
    Ok(TypeView {
        name,
        doc: comment(t.description.as_deref()),
        is_root: r.index == 0,
        parse_is_body: true,
        counts: false,
        members: struct_members,
        locals: vec!["bool found = false;".into(), "string tag = \"\";".into()],
        reset,
        parse,
        required: Vec::new(),
        write,
        helpers: Vec::new(),
    })
}

/// The member of an alias's struct: the value.
const VALUE: &str = "value";

/// A root that is not an object, enum or union (a scalar, an array, a nullable value, `const`
/// values): a struct with one member, `value` (and `null_value` when it is nullable).
fn alias_view(program: &Program, r: TypeRef, t: &NamedType, ty: &Ty, name: String) -> Result<TypeView, String> {
    let mut g = Gen::new(program, &name, Vec::new());
    let (decl, reset_stmt) = g.member(ty.non_null(), VALUE, &format!("v.{VALUE}"))?;
    let mut members = vec![decl];
    let mut reset = vec![reset_stmt];
    let null = naming::flag("null", VALUE);
    let value = g.parse(ty.non_null(), &format!("out.{VALUE}"), "path")?;
    let mut parse = Vec::new();
    let mut wlocals = Vec::new();
    let mut write = vec!["string out = \"\";".to_string()];
    let written = g.write(ty.non_null(), &format!("v.{VALUE}"), &mut wlocals)?;
    if ty.is_nullable() {
        members.push(format!("bool {null};"));
        reset.push(format!("v.{null} = false;"));
        parse.push(format!("if(CtcReadNull(js, pos)) {{ out.{null} = true; return true; }}"));
        write.push(format!("if(v.{null}) return \"null\";"));
    }
    parse.extend(value);
    parse.push("return true;".into());
    write.splice(1..1, unique(wlocals));
    write.extend(written);
    write.push("return out;".into());
    Ok(TypeView {
        name,
        doc: comment(t.description.as_deref()),
        is_root: r.index == 0,
        parse_is_body: true,
        counts: false,
        members,
        locals: unique(g.locals),
        reset,
        parse,
        required: Vec::new(),
        write,
        helpers: g.helpers,
    })
}

/// Statements that set `target` (of type `ty`) to the JSON value `v` (a field's `default`).
fn assign(program: &Program, ty: &Ty, target: &str, v: &serde_json::Value) -> Result<Vec<String>, String> {
    use serde_json::Value;
    Ok(match (ty, v) {
        (Ty::String(_), Value::String(s)) => vec![format!("{target} = {};", literal(s))],
        (Ty::Number(_), Value::Number(n)) => {
            vec![format!("{target} = {};", number_literal(n.as_f64().ok_or("a number no double holds")?))]
        }
        (Ty::Integer(_), Value::Number(n)) => vec![format!("{target} = {};", n.as_i64().ok_or("not an int64")?)],
        (Ty::Boolean, Value::Bool(b)) => vec![format!("{target} = {b};")],
        (Ty::Named(r), Value::String(s)) => match &program.named(*r).kind {
            TypeKind::Enum(values) => {
                let k = values.iter().position(|v| v == s).ok_or("a default that is no value of the enum")?;
                vec![format!("{target} = {};", constants(program, *r)[k])]
            }
            _ => return Err(format!("a default of {v} for this type (the checker refuses it)")),
        },
        (Ty::Array(a), Value::Array(items)) => {
            let mut out = vec![format!("ArrayResize({target}, {});", items.len())];
            for (i, item) in items.iter().enumerate() {
                out.extend(assign(program, held(&a.items), &format!("{target}[{i}]"), item)?);
            }
            out
        }
        _ => return Err(format!("a default of {v} for this type (the checker refuses it)")),
    })
}

/// The member of a choice's struct that says which branch it holds: a `CTC_KIND_*` constant.
const KIND: &str = "kind";

/// A choice (branches of different JSON types): a struct with `kind` and one member per branch,
/// `as_string`, `as_array`, ...; the parser peeks at the value's first character
/// (`CtcPeekKind`) and reads that branch.
fn choice_view(
    program: &Program,
    r: TypeRef,
    t: &NamedType,
    branches: &[(JsonKind, Ty)],
    name: String,
) -> Result<TypeView, String> {
    let mut g = Gen::new(program, &name, vec!["int kind = 0;".into()]);
    let mut members = vec![format!("int {KIND};")];
    let mut reset = vec![format!("v.{KIND} = 0;")];
    let mut parse = vec!["kind = CtcPeekKind(js, pos);".to_string()];
    let mut wlocals = Vec::new();
    let mut write = vec!["string out = \"\";".to_string()];
    for (kind, ty) in branches {
        let m = format!("as_{}", kind.name());
        let constant = format!("CTC_KIND_{}", kind.name().to_uppercase());
        let (decl, reset_stmt) = g.member(ty, &m, &format!("v.{m}"))?;
        members.push(decl);
        reset.push(reset_stmt);
        parse.push(format!("if(kind == {constant})"));
        parse.push("{".into());
        parse.push(format!("   out.{KIND} = {constant};"));
        parse.extend(g.parse(ty, &format!("out.{m}"), "path")?.into_iter().map(|l| format!("   {l}")));
        parse.push("   return true;".into());
        parse.push("}".into());
        write.push(format!("if(v.{KIND} == {constant})"));
        write.push("{".into());
        write.extend(g.write(ty, &format!("v.{m}"), &mut wlocals)?.into_iter().map(|l| format!("   {l}")));
        write.push("}".into());
    }
    let expected: Vec<&str> = branches.iter().map(|(k, _)| k.name()).collect();
    parse.push(format!("err = CtcError(path, {}, pos);", literal(&format!("expected {}", expected.join(" or ")))));
    parse.push("return false;".into());
    write.splice(1..1, unique(wlocals));
    write.push("return out;".into());
    Ok(TypeView {
        name,
        doc: comment(t.description.as_deref()),
        is_root: r.index == 0,
        parse_is_body: true,
        counts: false,
        members,
        locals: unique(g.locals),
        reset,
        parse,
        required: Vec::new(),
        write,
        helpers: g.helpers,
    })
}

/// The member of an untagged union's struct that says which branch holds the value (its index in
/// schema order; -1 before a parse).
/// The checks of `patternProperties` rules (Core §10.3.2.2) on an undeclared member at `pos`
/// named `key`, before it is kept as text: each rule whose pattern matches reads the value again
/// with a helper of its own (`<Type>_Rule<i>`), and when none matches, `<Type>_Unmatched` does.
fn pattern_rules(o: &Object, name: &str, g: &mut Gen) -> Result<Vec<String>, String> {
    if o.pattern_rules.is_empty() {
        return Ok(Vec::new());
    }
    let path = "path + \".\" + key";
    let mut lines = Vec::new();
    if o.unmatched.is_some() {
        g.locals.push("bool matched = false;".into());
        lines.push("matched = false;".to_string());
    }
    let mark = if o.unmatched.is_some() { "matched = true; " } else { "" };
    for (i, rule) in o.pattern_rules.iter().enumerate() {
        let dfa = dfa::build(&rule.pattern.render(Dialect::Rust))
            .map_err(|e| format!("pattern {:?}: {e}", rule.pattern.source))?;
        let then = match &rule.ty {
            Some(ty) => g.instance_helper(naming::limit(&format!("{name}_Rule{i}")), ty, path)?,
            None => refuse(path, "true", &format!("no member may have a name matching `{}`", rule.pattern.source)),
        };
        lines.push(format!("if({}) {{ {mark}{then} }}", dfa.mql4_call("key")));
    }
    if let Some(ty) = &o.unmatched {
        let then = g.instance_helper(naming::limit(&format!("{name}_Unmatched")), ty, path)?;
        lines.push(format!("if(!matched) {{ {then} }}"));
    }
    Ok(lines)
}

const BRANCH: &str = "branch";

/// An untagged union (`anyOf`/`oneOf` no tag or JSON type tells apart): a struct with `branch` and
/// one member per branch (`as_0`, `as_1`, ...). The parser reads the value with each branch's
/// function in turn from the same offset; the first that accepts it holds it, and under `oneOf`
/// a second that accepts it refuses the message.
fn untagged_view(program: &Program, r: TypeRef, t: &NamedType, u: &Untagged, name: String) -> Result<TypeView, String> {
    let keyword = if u.exactly_one { "oneOf" } else { "anyOf" };
    let mut members = vec![format!("int {BRANCH};")];
    let mut reset = vec![format!("v.{BRANCH} = -1;")];
    let mut helpers = Vec::new();
    let locals = vec![
        "int start = 0;".to_string(),
        "int end = 0;".into(),
        "int valid = 0;".into(),
        "string berr = \"\";".into(),
    ];
    let mut parse = vec!["start = pos;".to_string()];
    let mut wlocals = Vec::new();
    let mut write = vec!["string out = \"\";".to_string()];
    for (i, ty) in u.branches.iter().enumerate() {
        let m = format!("as_{i}");
        let helper = naming::limit(&format!("{name}_Branch{i}"));
        let mut g = Gen::new(program, &helper, Vec::new());
        let (decl, reset_stmt) = g.member(ty, &m, &format!("v.{m}"))?;
        members.push(decl);
        reset.push(reset_stmt);
        let body = g.parse(ty, &format!("out.{m}"), "path")?;
        helpers.append(&mut g.helpers);
        helpers.push(HelperView {
            name: helper.clone(),
            out: true,
            text: false,
            locals: unique(std::mem::take(&mut g.locals)),
            body,
        });
        let attempt = [
            "pos = start;".to_string(),
            "berr = \"\";".into(),
            format!("if({helper}(js, pos, path, out, berr))"),
            "{".into(),
            "   valid = valid + 1;".into(),
            format!("   if(valid == 1) {{ out.{BRANCH} = {i}; end = pos; }}"),
            "}".into(),
        ];
        // `anyOf` stops at the first accepting branch; `oneOf` tries every one.
        if u.exactly_one || i == 0 {
            parse.extend(attempt);
        } else {
            parse.push("if(valid == 0)".into());
            parse.push("{".into());
            parse.extend(attempt.into_iter().map(|l| format!("   {l}")));
            parse.push("}".into());
        }
        write.push(format!("if(v.{BRANCH} == {i})"));
        write.push("{".into());
        write.extend(g.write(ty, &format!("v.{m}"), &mut wlocals)?.into_iter().map(|l| format!("   {l}")));
        write.push("}".into());
    }
    let none = literal(&format!("valid against no branch of `{keyword}`"));
    parse.push(format!("if(valid == 0) {{ err = CtcError(path, {none}, start); return false; }}"));
    if u.exactly_one {
        let several = literal("valid against more than one branch of `oneOf`");
        parse.push(format!("if(valid > 1) {{ err = CtcError(path, {several}, start); return false; }}"));
    }
    parse.push("pos = end;".into());
    parse.push("return true;".into());
    write.splice(1..1, unique(wlocals));
    write.push("return out;".into());
    Ok(TypeView {
        name,
        doc: comment(t.description.as_deref()),
        is_root: r.index == 0,
        parse_is_body: true,
        counts: false,
        members,
        locals,
        reset,
        parse,
        required: Vec::new(),
        write,
        helpers,
    })
}

struct Gen<'a> {
    program: &'a Program,
    locals: Vec<String>,
    /// The name helpers this generator writes start with (the type's or the helper's it is in).
    name: String,
    /// The helpers it wrote (`<name>_Item<i>`, the readers of a tuple's positions), in the order
    /// they must be declared.
    helpers: Vec<HelperView>,
}

impl<'a> Gen<'a> {
    fn new(program: &'a Program, name: &str, locals: Vec<String>) -> Gen<'a> {
        Gen { program, locals, name: name.to_string(), helpers: Vec::new() }
    }

    /// A helper named `helper` that reads the value at `pos` again, into a variable of its own, as
    /// an instance of `ty` (a `patternProperties` rule's type, a tuple position's), and the
    /// statements calling it on the value at `pos` with `path`.
    fn instance_helper(&mut self, helper: String, ty: &Ty, path: &str) -> Result<String, String> {
        self.reader(&helper, ty)?;
        self.locals.push("int rpos = 0;".into());
        Ok(format!("rpos = pos; if(!{helper}(js, rpos, {path}, err)) return false;"))
    }

    /// The helper `helper(js, pos, path, err)` that reads a value of `ty` into a variable of its own.
    fn reader(&mut self, helper: &str, ty: &Ty) -> Result<(), String> {
        let mut hg = Gen::new(self.program, helper, Vec::new());
        let (decl, reset) = hg.member(ty.non_null(), "value", "value")?;
        let mut body = vec![reset];
        if ty.is_nullable() {
            body.push("if(CtcReadNull(js, pos)) return true;".into());
        }
        body.extend(hg.parse(ty.non_null(), "value", "path")?);
        let locals = unique(std::iter::once(decl).chain(hg.locals).collect());
        self.helpers.append(&mut hg.helpers);
        self.helpers.push(HelperView { name: helper.to_string(), out: false, text: false, locals, body });
        Ok(())
    }

    /// A helper named `helper` that reads a value of `ty` at `pos` into a variable of its own and
    /// gives its canonical JSON text (its defaults in, as Rust and Python read it), and the
    /// statement reading the value at `pos` with `path` into `target` (an item [`held`] as text).
    fn text_helper(&mut self, helper: String, ty: &Ty, target: &str, path: &str) -> Result<String, String> {
        let mut hg = Gen::new(self.program, &helper, Vec::new());
        let (decl, reset) = hg.member(ty.non_null(), "value", "value")?;
        let mut body = vec![reset];
        if ty.is_nullable() {
            body.push("if(CtcReadNull(js, pos)) { text = \"null\"; return true; }".into());
        }
        body.extend(hg.parse(ty.non_null(), "value", "path")?);
        let mut wlocals = vec!["string out = \"\";".to_string()];
        body.extend(hg.write(ty.non_null(), "value", &mut wlocals)?);
        body.push("text = out;".into());
        let locals = unique(std::iter::once(decl).chain(hg.locals).chain(wlocals).collect());
        self.helpers.append(&mut hg.helpers);
        self.helpers.push(HelperView { name: helper.clone(), out: false, text: true, locals, body });
        Ok(format!("if(!{helper}(js, pos, {path}, {target}, err)) return false;"))
    }

    /// An expression of the canonical JSON text of `place`, a value of `ty` (not an array).
    fn text(&self, ty: &Ty, place: &str) -> Result<String, String> {
        Ok(match ty {
            Ty::Nullable(_) => return Err(UNHELD.into()),
            Ty::Array(_) => {
                return Err(UNHELD.into());
            }
            Ty::Number(_) => format!("CtcFormatDouble({place})"),
            Ty::Integer(_) => format!("IntegerToString({place})"),
            Ty::Boolean => format!("CtcFormatBool({place})"),
            Ty::Values(_) | Ty::Any => place.to_string(),
            Ty::String(_) => format!("CtcQuote({place})"),
            Ty::Named(r) => {
                let n = type_name(self.program, *r);
                match &self.program.named(*r).kind {
                    TypeKind::Enum(_) => format!("CtcQuote({n}_ToString({place}))"),
                    TypeKind::Object(_)
                    | TypeKind::Union(_)
                    | TypeKind::Alias(_)
                    | TypeKind::Choice(_)
                    | TypeKind::Untagged(_) => format!("{n}_ToJson({place})"),
                }
            }
        })
    }

    fn scalar(&self, ty: &Ty) -> Result<(String, String), String> {
        Ok(match ty {
            // `const` and `enum` of any JSON kind: the value's canonical text.
            Ty::String(_) | Ty::Values(_) | Ty::Any => ("string".into(), "\"\"".into()),
            Ty::Number(_) => ("double".into(), "0.0".into()),
            Ty::Integer(_) => ("long".into(), "0".into()),
            Ty::Boolean => ("bool".into(), "false".into()),
            Ty::Named(r) => {
                let n = type_name(self.program, *r);
                match &self.program.named(*r).kind {
                    TypeKind::Enum(_) => (n, constants(self.program, *r).swap_remove(0)),
                    TypeKind::Object(_)
                    | TypeKind::Union(_)
                    | TypeKind::Alias(_)
                    | TypeKind::Choice(_)
                    | TypeKind::Untagged(_) => (n, String::new()),
                }
            }
            Ty::Array(_) => {
                return Err(UNHELD.into());
            }
            Ty::Nullable(_) => return Err(UNHELD.into()),
        })
    }

    /// The member declaration and its reset statement.
    fn member(&self, ty: &Ty, m: &str, place: &str) -> Result<(String, String), String> {
        if let Ty::Array(a) = ty {
            let (t, _) = self.scalar(held(&a.items))?;
            return Ok((format!("{t} {m}[];"), format!("ArrayFree({place});")));
        }
        let (t, zero) = self.scalar(ty)?;
        if zero.is_empty() {
            Ok((format!("{t} {m};"), format!("{t}_Reset({place});")))
        } else {
            Ok((format!("{t} {m};"), format!("{place} = {zero};")))
        }
    }

    /// Statements that read one value at `pos` into `target`, then check its constraints.
    fn parse(&mut self, ty: &Ty, target: &str, path: &str) -> Result<Vec<String>, String> {
        let fail = |cond: String, reason: &str| refuse(path, &cond, reason);
        let mut out = Vec::new();
        match ty {
            Ty::Nullable(_) => return Err(UNHELD.into()),
            Ty::Number(n) => {
                out.push(format!("if(!CtcReadDouble(js, pos, {path}, {target}, err)) return false;"));
                if let Some(b) = n.minimum {
                    let op = if b.exclusive { ">" } else { ">=" };
                    out.push(fail(
                        format!("!({target} {op} {})", number_literal(b.value)),
                        &format!("must be {op} {}", b.value),
                    ));
                }
                if let Some(b) = n.maximum {
                    let op = if b.exclusive { "<" } else { "<=" };
                    out.push(fail(
                        format!("!({target} {op} {})", number_literal(b.value)),
                        &format!("must be {op} {}", b.value),
                    ));
                }
                if let Some(d) = n.multiple_of {
                    let call = format!("!CtcIsMultipleOf({target}, {})", number_literal(d));
                    out.push(fail(call, &format!("must be a multiple of {d}")));
                }
            }
            Ty::Integer(n) => {
                out.push(format!("if(!CtcReadLong(js, pos, {path}, {target}, err)) return false;"));
                // The int64 edges hold for every `long` (and `-9223372036854775808` is no C++ literal).
                if let Some(v) = n.minimum.filter(|&v| v > i64::MIN) {
                    out.push(fail(format!("{target} < {v}"), &format!("must be >= {v}")));
                }
                if let Some(v) = n.maximum.filter(|&v| v < i64::MAX) {
                    out.push(fail(format!("{target} > {v}"), &format!("must be <= {v}")));
                }
                if let Some(d) = n.multiple_of {
                    let call = format!("!CtcIsIntegerMultipleOf({target}, {})", number_literal(d));
                    out.push(fail(call, &format!("must be a multiple of {d}")));
                }
            }
            Ty::Boolean => out.push(format!("if(!CtcReadBool(js, pos, {path}, {target}, err)) return false;")),
            // Any JSON value, kept as its canonical text.
            Ty::Any => out.push(format!("if(!CtcReadAny(js, pos, {path}, 2, {target}, err)) return false;")),
            Ty::Values(values) => {
                // CtcCheckDepth bounded the whole message; the depth here only bounds the recursion.
                out.push(format!("if(!CtcReadAny(js, pos, {path}, 2, {target}, err)) return false;"));
                let allowed: Vec<String> = values.iter().map(|v| format!("{target} != {}", literal(v))).collect();
                out.push(fail(allowed.join(" && "), &format!("must be one of {}", values.join(", "))));
            }
            Ty::String(s) => {
                out.push(format!("if(!CtcReadString(js, pos, {path}, {target}, err)) return false;"));
                out.extend(string_checks(s, target, path)?);
            }
            Ty::Named(r) => {
                let n = type_name(self.program, *r);
                match &self.program.named(*r).kind {
                    TypeKind::Enum(values) => {
                        self.locals.push("string sval = \"\";".into());
                        out.push(format!("if(!CtcReadString(js, pos, {path}, sval, err)) return false;"));
                        out.push(fail(
                            format!("!{n}_Parse(sval, {target})"),
                            &format!("must be one of {}", values.join(", ")),
                        ));
                    }
                    TypeKind::Object(_)
                    | TypeKind::Union(_)
                    | TypeKind::Alias(_)
                    | TypeKind::Choice(_)
                    | TypeKind::Untagged(_) => {
                        out.push(format!("if(!{n}_Parse(js, pos, {path}, {target}, err)) return false;"))
                    }
                }
            }
            Ty::Array(a) => {
                self.locals.push("int i = 0;".into());
                self.locals.push("bool more_items = false;".into());
                let item_path = format!("{path} + \"[\" + IntegerToString(i) + \"]\"");
                let item_target = format!("{target}[i]");
                let items = held(&a.items);
                let (item_type, zero) = self.scalar(items)?;
                let init = if zero.is_empty() {
                    format!("{item_type}_Reset({item_target});")
                } else {
                    format!("{item_target} = {zero};")
                };
                out.push(format!("ArrayFree({target});"));
                out.push("i = 0;".into());
                out.push(format!("if(!CtcArrayBegin(js, pos, {path}, more_items, err)) return false;"));
                out.push("while(more_items)".into());
                out.push("{".into());
                if let Some(max) = a.max_items {
                    out.push(format!("   {}", fail(format!("i >= {max}"), &format!("must have at most {max} items"))));
                }
                out.push(format!("   ArrayResize({target}, i + 1, 16);"));
                out.push(format!("   {init}"));
                // A tuple's item, held as text, is read first as its position's type.
                if let Some(t) = &a.tuple {
                    let positions = t.prefix.iter().enumerate().map(|(k, ty)| (format!("i == {k}"), ty));
                    let rest = (format!("i >= {}", t.prefix.len()), &*t.rest);
                    for (when, ty) in positions.chain([rest]).filter(|(_, ty)| **ty != Ty::Any) {
                        let helper = naming::limit(&format!("{}_Item{}", self.name, self.helpers.len()));
                        out.push(format!("   if({when}) {{ {} }}", self.instance_helper(helper, ty, &item_path)?));
                    }
                }
                let read = if items == &*a.items {
                    self.parse(items, &item_target, &item_path)?
                } else {
                    let helper = naming::limit(&format!("{}_Item{}", self.name, self.helpers.len()));
                    vec![self.text_helper(helper, &a.items, &item_target, &item_path)?]
                };
                for l in read {
                    out.push(format!("   {l}"));
                }
                out.push("   i = i + 1;".into());
                out.push(format!("   if(!CtcArrayNext(js, pos, {path}, more_items, err)) return false;"));
                out.push("}".into());
                if let Some(min) = a.min_items {
                    out.push(fail(format!("i < {min}"), &format!("must have at least {min} items")));
                }
                // `contains`: each item's canonical text read again as the contained type.
                if let Some(c) = &a.contains {
                    let helper = naming::limit(&format!("{}_Contains{}", self.name, self.helpers.len()));
                    self.reader(&helper, &c.ty)?;
                    self.locals.extend(
                        ["int found = 0;", "int cpos = 0;", "string ctext = \"\";", "string cerr = \"\";"]
                            .map(String::from),
                    );
                    out.push("found = 0;".into());
                    out.push(format!("for(i = 0; i < ArraySize({target}); i++)"));
                    out.push("{".into());
                    out.push(format!("   ctext = {};", self.text(items, &format!("{target}[i]"))?));
                    out.push("   cpos = 0;".into());
                    out.push(format!("   if({helper}(ctext, cpos, {path}, cerr)) found = found + 1;"));
                    out.push("}".into());
                    out.push(fail(
                        format!("found < {}", c.min),
                        &format!("must contain at least {} matching items (`contains`)", c.min),
                    ));
                    if let Some(m) = c.max {
                        out.push(fail(
                            format!("found > {m}"),
                            &format!("must contain at most {m} matching items (`contains`)"),
                        ));
                    }
                }
                if a.unique_items {
                    // Equal as JSON values: scalars by value, anything else by its canonical text.
                    let key = |place: String| match items {
                        Ty::Named(r) if !matches!(self.program.named(*r).kind, TypeKind::Enum(_)) => {
                            format!("{}_ToJson({place})", type_name(self.program, *r))
                        }
                        _ => place,
                    };
                    self.locals.push("int dup = 0;".into());
                    out.push(format!("for(i = 0; i < ArraySize({target}); i++)"));
                    out.push("   for(dup = 0; dup < i; dup++)".into());
                    out.push(format!(
                        "      {}",
                        fail(
                            format!("{} == {}", key(format!("{target}[dup]")), key(format!("{target}[i]"))),
                            "items must be unique"
                        )
                    ));
                }
            }
        }
        Ok(out)
    }

    /// Statements that append the canonical JSON of `place` to `out`.
    fn write(&self, ty: &Ty, place: &str, locals: &mut Vec<String>) -> Result<Vec<String>, String> {
        Ok(match ty {
            Ty::Array(a) => {
                locals.push("int i = 0;".into());
                let mut v = vec![
                    "StringAdd(out, \"[\");".to_string(),
                    format!("for(i = 0; i < ArraySize({place}); i++)"),
                    "{".into(),
                    "   if(i > 0) StringAdd(out, \",\");".into(),
                ];
                v.extend(
                    self.write(held(&a.items), &format!("{place}[i]"), locals)?.into_iter().map(|s| format!("   {s}")),
                );
                v.push("}".into());
                v.push("StringAdd(out, \"]\");".into());
                v
            }
            ty => vec![format!("StringAdd(out, {});", self.text(ty, place)?)],
        })
    }
}

/// What MQL4 holds for an array's item or a map's value of type `ty`: `ty` itself, or, for what
/// a one-dimensional array of plain members cannot hold (an array, a value that may be `null`),
/// its canonical JSON text (`Ty::Any`), which a helper reads as `ty` ([`Gen::text_helper`]).
fn held(ty: &Ty) -> &Ty {
    if ty.is_nullable() || matches!(ty, Ty::Array(_)) { &Ty::Any } else { ty }
}

/// `v` without repeats, first occurrences kept in order.
fn unique(v: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in v {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}
