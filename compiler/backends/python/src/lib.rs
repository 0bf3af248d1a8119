//! Python backend: strict Pydantic v2 models (`strict=True`; `extra="forbid"` for closed objects,
//! `extra="allow"` for open ones, whose unknown members are kept), one module per
//! contract version (`<package>/<namespace>/<name>_<major>_<minor>.py`), rendered from
//! `templates/python/`.
//!
//! Mapping (DESIGN.md, "the conformance contract"): `number` → `float` (strict: no strings, no
//! bools; finite), `integer` → `Int64` (strict `int` within int64: `1.0` is rejected), string enums → `Literal[...]`,
//! `date-time`/`date` → `str` validated as RFC 3339 and kept verbatim, objects → `BaseModel`.
//! A nullable value (`["number", "null"]`, `anyOf` with `{"type": "null"}`) is `T | None`. An
//! optional property is absent or a value; `null` only where the schema allows it, and then absent
//! and `null` stay apart (`model_fields_set`).

use contractc_emit::{
    EmitError, Options, OutputFile, Renderer, Templates, dependency_order, disambiguate, number_literal,
    referenced_contracts,
};
use contractc_ir::UpgradePath;
use contractc_ir::pattern::Dialect;
use contractc_ir::{
    Additional, Contract, Contracts, Header, Migration, MigrationHeader, Object, OpKind, Program, Ty, TypeKind, TypeRef,
};
use serde::Serialize;

mod naming;

/// Emits every file of the Python package, paths relative to `generated/`: [`emit_shared`] and
/// each contract's [`emit_contract`].
pub fn emit(program: &Program, templates: &Templates, options: &Options) -> Result<Vec<OutputFile>, EmitError> {
    let r = renderer(templates);
    let headers: Vec<MigrationHeader> = program.migrations.iter().map(|m| program.migration_header(m)).collect();
    let contracts: Vec<Header> = program.contracts.iter().map(|c| c.header()).collect();
    let mut files = emit_shared(&contracts, &headers, &r, options)?;
    files.extend(contractc_emit::per_contract(program, |i| emit_contract(program, &r, options, i))?);
    for (m, h) in program.migrations.iter().zip(&headers) {
        files.push(emit_migration(m, h, &r, options)?);
    }
    Ok(files)
}

/// The import path of type `index` of contract `c` in the package `options.python_package`:
/// `trading_contracts.events.order_intent_1_2.OrderIntent` (each type is a class or an alias of
/// its contract's module, named as the IR names it).
pub fn class_path(options: &Options, c: &Contract, index: usize) -> String {
    format!("{}.{}.{}.{}", options.python_package, c.id.namespace, c.id.module(), c.types[index].name)
}

/// The renderer of `templates/python/`.
pub fn renderer(templates: &Templates) -> Renderer {
    Renderer::new("python", templates, "python")
}

/// The files that are no one contract's: `pyproject.toml`, the package's `__init__.py` (the
/// registry of every contract), `_support.py`, `py.typed` and each namespace's `__init__.py`.
pub fn emit_shared(
    contracts: &[Header],
    migrations: &[MigrationHeader],
    r: &Renderer,
    options: &Options,
) -> Result<Vec<OutputFile>, EmitError> {
    let paths = contractc_ir::upgrade_paths(contracts, migrations);
    let chain = |p: &UpgradePath<'_>, reverse: bool| {
        let mut modules: Vec<String> =
            p.migrations.iter().map(|m| py_str(&format!("{}.{}", m.from.namespace, m.module()))).collect();
        if reverse {
            modules.reverse();
        }
        modules
    };
    let upgrades: Vec<(String, String, Vec<String>)> =
        paths.iter().map(|p| (py_str(&p.from.id.key()), py_str(&p.to.id.key()), chain(p, false))).collect();
    let downgrades: Vec<(String, String, Vec<String>)> = paths
        .iter()
        .filter(|p| p.reversible())
        .map(|p| (py_str(&p.to.id.key()), py_str(&p.from.id.key()), chain(p, true)))
        .collect();
    let pkg = &options.python_package;
    let root = format!("python/src/{pkg}");
    let mut files = vec![
        OutputFile::text(
            "python/pyproject.toml",
            r.render("python/pyproject.toml.j2", Package { package: pkg, dist: &pkg.replace('_', "-") })?,
        ),
        OutputFile::text(
            format!("{root}/__init__.py"),
            r.render(
                "python/package_init.py.j2",
                PackageInit { package: pkg, contracts: registry(contracts), upgrades, downgrades },
            )?,
        ),
        OutputFile::text(format!("{root}/_support.py"), r.render("python/support.py.j2", ())?),
        OutputFile::text(format!("{root}/py.typed"), ""),
    ];
    let mut namespaces: Vec<&str> = contracts.iter().map(|c| c.id.namespace.as_str()).collect();
    namespaces.dedup();
    for ns in namespaces {
        let mut modules: Vec<String> =
            contracts.iter().filter(|c| c.id.namespace == ns).map(|c| c.id.module()).collect();
        modules.extend(migrations.iter().filter(|m| m.from.namespace == ns).map(MigrationHeader::module));
        modules.sort_by_key(|m| dunder_all_key(m));
        files.push(OutputFile::text(
            format!("{root}/{ns}/__init__.py"),
            r.render("python/namespace_init.py.j2", Namespace { namespace: ns, modules })?,
        ));
    }
    Ok(files)
}

/// The module of contract `i`: it reads only the contracts `i` reaches
/// ([`contractc_emit::reached`]).
pub fn emit_contract(program: &Program, r: &Renderer, options: &Options, i: usize) -> Result<OutputFile, EmitError> {
    let (c, pkg) = (&program.contracts[i], &options.python_package);
    let path = format!("python/src/{pkg}/{}/{}.py", c.id.namespace, c.id.module());
    Ok(OutputFile::text(path, r.render("python/module.py.j2", module_view(program, i, pkg))?))
}

/// The module of migration `m` (`<namespace>/<name>_<A>_<B>_to_<C>_<D>.py`), whose versions
/// `header` names: `upgrade` and, when it can be undone, `downgrade`, on a message as JSON data
/// (`_support.migrate` reads and checks the message on either side).
pub fn emit_migration(
    m: &Migration,
    header: &MigrationHeader,
    r: &Renderer,
    options: &Options,
) -> Result<OutputFile, EmitError> {
    let pkg = &options.python_package;
    let path = format!("python/src/{pkg}/{}/{}.py", header.from.namespace, header.module());
    let upgrade: Vec<String> = m.ops.iter().filter_map(|op| upgrade_statement(&op.kind)).collect();
    let downgrade: Option<Vec<String>> =
        m.reversible().then(|| m.ops.iter().rev().flat_map(|op| downgrade_statements(&op.kind)).collect());
    let mut imports: Vec<String> = upgrade
        .iter()
        .chain(downgrade.iter().flatten())
        .filter_map(|s| s.split_once('(').map(|(f, _)| f.to_string()))
        .collect();
    if upgrade.iter().chain(downgrade.iter().flatten()).any(|s| s.contains("json_value(")) {
        imports.push("json_value".into());
    }
    let names: Vec<&str> = imports.iter().map(String::as_str).collect();
    let imports = (!names.is_empty()).then(|| from_import(&format!("{pkg}._support"), &names));
    let body = |mut v: Vec<String>| {
        if v.is_empty() {
            v.push("del message  # every op leaves the JSON as it is".into());
        }
        v
    };
    let view = MigrationView {
        package: pkg,
        key: header.key(),
        source: &m.source,
        from: header.from.key(),
        to: header.to.key(),
        imports,
        upgrade: body(upgrade.clone()),
        law: m.law(),
        downgrade: downgrade.map(body),
    };
    Ok(OutputFile::text(path, r.render("python/migration.py.j2", view)?))
}

#[derive(Serialize)]
struct MigrationView<'a> {
    package: &'a str,
    key: String,
    source: &'a str,
    from: String,
    to: String,
    /// The `from <package>._support import ...` statement, when an op calls one.
    imports: Option<String>,
    upgrade: Vec<String>,
    downgrade: Option<Vec<String>>,
    law: &'static str,
}

/// `("protection", "stop_loss")`.
fn py_path(p: &[String]) -> String {
    match p {
        [one] => format!("({},)", py_str(one)),
        _ => format!("({})", p.iter().map(|t| py_str(t)).collect::<Vec<_>>().join(", ")),
    }
}

/// `{"BUY": "LONG"}`, or the pairs swapped.
fn py_pairs(pairs: &[(String, String)], swapped: bool) -> String {
    let each = pairs.iter().map(|(a, b)| if swapped { (b, a) } else { (a, b) });
    format!("{{{}}}", each.map(|(a, b)| format!("{}: {}", py_str(a), py_str(b))).collect::<Vec<_>>().join(", "))
}

/// The Python value of canonical JSON text `json` (the checker wrote it), read when the module is.
fn py_value(json: &str) -> String {
    format!("json_value({})", py_str(json))
}

fn upgrade_statement(op: &OpKind) -> Option<String> {
    Some(match op {
        OpKind::Move { from, to, .. } => format!("move_member(message, {}, {})", py_path(from), py_path(to)),
        OpKind::Add { path, default } => format!("add(message, {}, {})", py_path(path), py_value(default)),
        OpKind::Remove { path, .. } => format!("remove(message, {})", py_path(path)),
        OpKind::EnumMap { path, pairs, .. } => {
            format!("enum_map(message, {}, {})", py_path(path), py_pairs(pairs, false))
        }
        OpKind::Convert { .. } => return None,
    })
}

fn downgrade_statements(op: &OpKind) -> Vec<String> {
    match op {
        OpKind::Move { from, to, created } => {
            let mut v = vec![format!("move_member(message, {}, {})", py_path(to), py_path(from))];
            v.extend(created.iter().rev().map(|c| format!("drop_if_empty(message, {})", py_path(c))));
            v
        }
        OpKind::Add { path, .. } => vec![format!("remove(message, {})", py_path(path))],
        OpKind::Remove { path, default } => vec![format!("add(message, {}, {})", py_path(path), py_value(default))],
        OpKind::EnumMap { path, pairs, .. } => {
            vec![format!("enum_map(message, {}, {})", py_path(path), py_pairs(pairs, true))]
        }
        OpKind::Convert { .. } => vec![],
    }
}

#[derive(Serialize)]
struct Package<'a> {
    package: &'a str,
    dist: &'a str,
}

#[derive(Serialize)]
struct PackageInit<'a> {
    package: &'a str,
    /// `(key, module relative to the package, root class)` of every contract as Python string
    /// literals, sorted by key.
    contracts: Vec<(String, String, String)>,
    /// `(from, to, migration modules in order)` of every upgrade path ([`contractc_ir::upgrade_paths`]), as literals.
    upgrades: Vec<(String, String, Vec<String>)>,
    /// `(from, to, migration modules in order)` of every reversible path walked back.
    downgrades: Vec<(String, String, Vec<String>)>,
}

/// The class that reads a contract's messages: its root model, or for a root that is not an
/// object (an enum, a union, an alias) a `RootModel` of it, `<Name>Message`.
fn message_class(c: &Header) -> String {
    if c.object { c.root.clone() } else { format!("{}Message", c.root) }
}

fn registry(contracts: &[Header]) -> Vec<(String, String, String)> {
    let mut out: Vec<_> = contracts
        .iter()
        .map(|c| {
            (py_str(&c.id.key()), py_str(&format!("{}.{}", c.id.namespace, c.id.module())), py_str(&message_class(c)))
        })
        .collect();
    out.sort();
    out
}

#[derive(Serialize)]
struct Namespace<'a> {
    namespace: &'a str,
    modules: Vec<String>,
}

#[derive(Serialize)]
struct Module {
    source: String,
    key: String,
    /// Groups of import statements (standard library, pydantic, this package), each sorted and
    /// wrapped as ruff's isort rules write them.
    imports: Vec<Vec<String>>,
    enums: Vec<EnumView>,
    models: Vec<ModelView>,
    /// For a root that is not an object: `(class, root type)` of its `RootModel`.
    message: Option<(String, String)>,
    exports: Vec<String>,
}

/// `from module import a, b` as isort writes it (ruff's `I001`): names by type (CONSTANTS,
/// Classes, functions), one line when it fits 88 columns, else one name a line.
fn from_import(module: &str, names: &[&str]) -> String {
    let mut names = names.to_vec();
    names.sort_by_key(|n| (isort_type(n), n.to_lowercase(), n.to_string()));
    names.dedup();
    let line = format!("from {module} import {}", names.join(", "));
    if line.len() <= 88 {
        return line;
    }
    let body: String = names.iter().map(|n| format!("    {n},\n")).collect();
    format!("from {module} import (\n{body})")
}

/// The order ruff's RUF022 keeps `__all__` in: by type as isort, then naturally (`x2` before
/// `x10`).
fn dunder_all_key(name: &str) -> (u8, Vec<(String, u64)>) {
    let mut chunks = Vec::new();
    let mut rest = name;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if digits > 0 {
            chunks.push((String::new(), rest[..digits].parse().unwrap_or(u64::MAX)));
            rest = &rest[digits..];
        } else {
            let text = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
            chunks.push((rest[..text].to_string(), 0));
            rest = &rest[text..];
        }
    }
    (isort_type(name), chunks)
}

/// isort's order by type: a constant, a class, anything else.
fn isort_type(name: &str) -> u8 {
    if name.len() > 1 && name.chars().all(|c| !c.is_lowercase()) {
        0
    } else if name.starts_with(|c: char| c.is_uppercase()) {
        1
    } else {
        2
    }
}

#[derive(Serialize)]
struct EnumView {
    name: String,
    doc: Option<String>,
    /// `Literal["BUY", "SELL"]`
    literal: String,
}

#[derive(Serialize)]
struct ModelView {
    name: String,
    /// `Model` (closed) or `OpenModel` (unknown members kept).
    base: &'static str,
    /// For a map, the annotation of its values (`__pydantic_extra__: dict[str, T]`).
    extra: Option<String>,
    /// For an open object or a map whose undeclared members' names are constrained, the
    /// annotation of the names (`OpenModel` checks them).
    extra_names: Option<String>,
    /// `patternProperties` rules (`OpenModel` checks them): `rule(...)` calls.
    rules: Vec<String>,
    /// Beside rules, the annotation of the members no rule's pattern matches.
    unmatched: Option<String>,
    /// `minProperties`/`maxProperties` (`Model` checks them).
    min_properties: Option<u64>,
    max_properties: Option<u64>,
    /// `dependentRequired` (`Model` checks it): a Python tuple of (wire name, wire names), or none.
    dependent_required: Option<String>,
    /// For a tagged union (a Pydantic discriminated union) or a root alias, the annotation it
    /// names instead of a class.
    alias: Option<String>,
    /// A Python string literal, or none.
    doc: Option<String>,
    fields: Vec<FieldView>,
}

#[derive(Serialize)]
struct FieldView {
    /// The attribute name; the wire name is kept as the alias where they differ.
    name: String,
    /// The full annotation, e.g. `Annotated[float, Field(gt=0.0, description="...")]`.
    annotation: String,
    required: bool,
    /// An optional field's `default` as a Python literal (`None` otherwise, for an absent member).
    default: String,
}

/// The names a module's annotations use (its contract's types, the roots and modules of the
/// contracts it refers to), which a field attribute must not be: the field would stand for them
/// when Pydantic evaluates the annotations in the class body. Built once per module.
struct Taken(std::collections::HashSet<String>);

impl Taken {
    fn of(program: &Program, contract: usize) -> Taken {
        let c = &program.contracts[contract];
        let others = referenced_contracts(program, contract).into_iter().map(|o| &program.contracts[o]);
        let names = c.types.iter().map(|t| t.name.clone());
        Taken(names.chain(others.flat_map(|o| [o.root().name.clone(), o.id.module()])).collect())
    }

    /// A field's Python attribute: [`naming::attribute`], with `_` appended while it is a taken name.
    fn attribute(&self, wire: &str) -> String {
        let mut name = naming::attribute(wire);
        while self.0.contains(&name) {
            name.push('_');
        }
        name
    }

    /// The attribute of a union's tag, as its variants have it (the first one's: Pydantic asks one
    /// name of them all).
    fn tag(&self, c: &Contract, u: &contractc_ir::Union) -> String {
        let first = u.variants.first().map(|(_, v)| &c.types[*v].kind);
        match first {
            Some(TypeKind::Object(o)) => {
                o.fields.iter().zip(self.fields(o)).find(|(f, _)| f.name == u.tag).map(|(_, a)| a)
            }
            _ => None,
        }
        .unwrap_or_else(|| self.attribute(&u.tag))
    }

    /// The Python attributes of the fields of `o`, in order: [`Taken::attribute`], the later of
    /// two that would be one suffixed `_2`, ... ([`disambiguate`]: `stop-loss`, `stop_loss`:
    /// `stop_loss`, `stop_loss_2`), the wire names staying the aliases.
    fn fields(&self, o: &Object) -> Vec<String> {
        let idents = o.fields.iter().map(|f| self.attribute(&f.name)).collect();
        disambiguate(idents, &[], |i, n| format!("{i}_{n}"))
    }
}

fn module_view(program: &Program, contract: usize, pkg: &str) -> Module {
    let c = &program.contracts[contract];
    // Another contract's root by name, its other types through its module (see `annotation`).
    let used: Vec<TypeRef> = c.types.iter().flat_map(|t| t.kind.refs()).collect();
    let mut contracts: Vec<(String, String)> = Vec::new();
    for o in referenced_contracts(program, contract) {
        let other = &program.contracts[o];
        if used.contains(&TypeRef { contract: o, index: 0 }) {
            contracts.push((format!("{pkg}.{}.{}", other.id.namespace, other.id.module()), other.root().name.clone()));
        }
        if used.iter().any(|r| r.contract == o && r.index != 0) {
            contracts.push((format!("{pkg}.{}", other.id.namespace), other.id.module()));
        }
    }
    let taken = Taken::of(program, contract);
    let mut enums = Vec::new();
    let mut models = Vec::new();
    let mut support = Vec::new();
    for i in dependency_order(program, contract) {
        let t = &c.types[i];
        let doc = t.description.as_deref().map(py_str);
        match &t.kind {
            TypeKind::Enum(values) => {
                let vals: Vec<String> = values.iter().map(|v| py_str(v)).collect();
                enums.push(EnumView { name: t.name.clone(), doc, literal: format!("Literal[{}]", vals.join(", ")) });
            }
            TypeKind::Object(o) => {
                let fields = o
                    .fields
                    .iter()
                    .zip(taken.fields(o))
                    .map(|(f, name)| {
                        let (base, constraints) = annotation(program, contract, &f.ty, &mut support);
                        let mut typed = if constraints.is_empty() {
                            base
                        } else {
                            format!("Annotated[{base}, Field({})]", constraints.join(", "))
                        };
                        // A default that holds a model (or a union of them) is read from its JSON
                        // text, as a message's member would be.
                        let factory = f
                            .default
                            .as_ref()
                            .filter(|d| {
                                holds_model(program, &f.ty)
                                    || (matches!(f.ty.non_null(), Ty::Any | Ty::Values(_))
                                        && (d.starts_with('[') || d.starts_with('{')))
                            })
                            .map(|d| format!("Field(default_factory=default_of({typed}, {}))", py_str(d)));
                        // An absent optional field is `None`; one that is not nullable refuses an
                        // explicit `null` (`NotNull`). `JsonValue` holds `None` already.
                        let mut extras = Vec::new();
                        if !f.required
                            && f.default.is_none()
                            && !program.admits_null(&f.ty)
                            && !matches!(f.ty, Ty::Values(_) | Ty::Any)
                        {
                            typed = format!("{typed} | None");
                            support.push("NotNull");
                            extras.push("NotNull".to_string());
                        }
                        // A `null` default is written as `null` when the member is absent.
                        if f.default.as_deref() == Some("null") {
                            support.push("DefaultNull");
                            extras.push("DefaultNull".to_string());
                        }
                        let mut args = Vec::new();
                        if name != f.name {
                            args.push(format!("alias={}", py_str(&f.name)));
                        }
                        if let Some(d) = &f.description {
                            args.push(format!("description={}", py_str(d)));
                        }
                        if !args.is_empty() {
                            extras.push(format!("Field({})", args.join(", ")));
                        }
                        let annotation = if extras.is_empty() {
                            typed
                        } else {
                            format!("Annotated[{typed}, {}]", extras.join(", "))
                        };
                        let default = match f.default.as_deref() {
                            None => "None".to_string(),
                            Some(_) if factory.is_some() => {
                                support.push("default_of");
                                factory.clone().unwrap_or_default()
                            }
                            // A list or a dict is mutable: each instance gets its own (ruff's
                            // RUF012, PIE807).
                            Some("[]") => "Field(default_factory=list)".to_string(),
                            Some("{}") => "Field(default_factory=dict)".to_string(),
                            Some(d) if d.starts_with('[') || d.starts_with('{') => {
                                format!("Field(default_factory=lambda: {})", py_literal(d))
                            }
                            Some(d) => py_literal(d),
                        };
                        FieldView { name, annotation, required: f.required, default }
                    })
                    .collect();
                let base = if matches!(o.additional, Additional::Forbidden) { "Model" } else { "OpenModel" };
                support.push(base);
                let extra = o.map_values().map(|v| constrained(program, contract, v, &mut support));
                let extra_names = o.extra_names.as_ref().filter(|_| base == "OpenModel").map(|names| {
                    support.push("names");
                    constrained(program, contract, &Ty::String(names.clone()), &mut support)
                });
                let rules = o
                    .pattern_rules
                    .iter()
                    .map(|r| {
                        support.push("rule");
                        let values = match &r.ty {
                            Some(ty) => constrained(program, contract, ty, &mut support),
                            None => "None".to_string(),
                        };
                        let (syntax, source) = (py_str(&r.pattern.render(Dialect::Python)), py_str(&r.pattern.source));
                        format!("rule({syntax}, {source}, {values})")
                    })
                    .collect();
                let unmatched = o.unmatched.as_ref().map(|ty| {
                    support.push("member");
                    constrained(program, contract, ty, &mut support)
                });
                let (min_properties, max_properties) = (o.min_properties, o.max_properties);
                let dependent_required = (!o.dependent_required.is_empty()).then(|| {
                    let rules: Vec<String> = o
                        .dependent_required
                        .iter()
                        .map(|(name, needed)| {
                            let needed: Vec<String> = needed.iter().map(|n| format!("{},", py_str(n))).collect();
                            format!("({}, ({}))", py_str(name), needed.join(" "))
                        })
                        .collect();
                    format!("({},)", rules.join(", "))
                });
                models.push(ModelView {
                    name: t.name.clone(),
                    base,
                    extra,
                    extra_names,
                    rules,
                    unmatched,
                    min_properties,
                    max_properties,
                    dependent_required,
                    alias: None,
                    doc,
                    fields,
                });
            }
            TypeKind::Union(u) => {
                let variants: Vec<&str> = u.variants.iter().map(|(_, v)| c.types[*v].name.as_str()).collect();
                let union =
                    format!("Annotated[{}, Field(discriminator={})]", variants.join(" | "), py_str(&taken.tag(c, u)));
                models.push(ModelView {
                    name: t.name.clone(),
                    base: "",
                    extra: None,
                    extra_names: None,
                    rules: Vec::new(),
                    unmatched: None,
                    min_properties: None,
                    max_properties: None,
                    dependent_required: None,
                    alias: Some(union),
                    doc,
                    fields: Vec::new(),
                });
            }
            // Pydantic's smart union: the branches take different JSON types, so exactly one can.
            TypeKind::Choice(branches) => {
                let annotations: Vec<String> =
                    branches.iter().map(|(_, ty)| constrained(program, contract, ty, &mut support)).collect();
                models.push(ModelView {
                    name: t.name.clone(),
                    base: "",
                    extra: None,
                    extra_names: None,
                    rules: Vec::new(),
                    unmatched: None,
                    min_properties: None,
                    max_properties: None,
                    dependent_required: None,
                    alias: Some(annotations.join(" | ")),
                    doc,
                    fields: Vec::new(),
                });
            }
            // Tried branch by branch (`union`): the first accepting one holds the value.
            TypeKind::Untagged(u) => {
                let annotations: Vec<String> =
                    u.branches.iter().map(|ty| constrained(program, contract, ty, &mut support)).collect();
                support.push("union");
                let keyword = if u.exactly_one { "oneOf" } else { "anyOf" };
                // The static type names each type once (`anyOf: [true, true]` is `JsonValue`).
                let mut types: Vec<&str> = Vec::new();
                for a in &annotations {
                    if !types.contains(&a.as_str()) {
                        types.push(a);
                    }
                }
                models.push(ModelView {
                    name: t.name.clone(),
                    base: "",
                    extra: None,
                    extra_names: None,
                    rules: Vec::new(),
                    unmatched: None,
                    min_properties: None,
                    max_properties: None,
                    dependent_required: None,
                    alias: Some(format!(
                        "Annotated[{}, union({}, {})]",
                        types.join(" | "),
                        py_str(keyword),
                        annotations.join(", ")
                    )),
                    doc,
                    fields: Vec::new(),
                });
            }
            TypeKind::Alias(ty) => {
                let alias = constrained(program, contract, ty, &mut support);
                models.push(ModelView {
                    name: t.name.clone(),
                    base: "",
                    extra: None,
                    extra_names: None,
                    rules: Vec::new(),
                    unmatched: None,
                    min_properties: None,
                    max_properties: None,
                    dependent_required: None,
                    alias: Some(alias),
                    doc,
                    fields: Vec::new(),
                });
            }
        }
    }
    let mut exports: Vec<String> = c.types.iter().map(|t| t.name.clone()).collect();
    let header = c.header();
    let message = (!header.object).then(|| {
        support.push("MESSAGE_CONFIG");
        exports.push(message_class(&header));
        (message_class(&header), header.root.clone())
    });
    // `__all__` sorted as ruff's RUF022 wants it (isort's order by type).
    exports.sort_by_key(|n| dunder_all_key(n));
    // Import what the module uses, nothing more (ruff's F401).
    let texts: Vec<&str> = models
        .iter()
        .flat_map(|m| {
            m.fields
                .iter()
                .map(|f| f.annotation.as_str())
                .chain(m.alias.as_deref())
                .chain(m.extra.as_deref())
                .chain(m.extra_names.as_deref())
                .chain(m.rules.iter().map(String::as_str))
                .chain(m.unmatched.as_deref())
        })
        .chain(enums.iter().map(|e| e.literal.as_str()))
        .collect();
    let uses = |s: &str| texts.iter().any(|t| t.contains(s));
    let typing: Vec<&str> = [("Annotated[", "Annotated"), ("Literal[", "Literal")]
        .into_iter()
        .filter(|(s, _)| uses(s))
        .map(|(_, n)| n)
        .collect();
    let mut pydantic: Vec<&str> = [("Field(", "Field"), ("JsonValue", "JsonValue")]
        .into_iter()
        .filter(|(s, _)| uses(s) || (*s == "Field(" && models.iter().any(|m| m.extra.is_some())))
        .map(|(_, n)| n)
        .collect();
    if message.is_some() {
        pydantic.push("RootModel");
    }
    let mut first_party = vec![(format!("{pkg}._support"), support.clone())];
    first_party.extend(contracts.iter().map(|(m, n)| (m.clone(), vec![n.as_str()])));
    first_party.sort();
    let imports = [
        (!typing.is_empty()).then(|| vec![from_import("typing", &typing)]),
        (!pydantic.is_empty()).then(|| vec![from_import("pydantic", &pydantic)]),
        Some(first_party.iter().filter(|(_, n)| !n.is_empty()).map(|(m, n)| from_import(m, n)).collect()),
    ]
    .into_iter()
    .flatten()
    .collect();
    Module { source: c.source.clone(), key: c.id.key(), imports, enums, models, message, exports }
}

/// The base annotation of a type and the `Field(...)` constraints it needs.
///
/// `this`: the contract whose module the annotation is written in. Another contract's root is
/// imported by name; another contract's `$defs` type is reached through its module
/// (`venue_1_0.Mic`), so names of two contracts never meet.
fn annotation(program: &Program, this: usize, ty: &Ty, support: &mut Vec<&'static str>) -> (String, Vec<String>) {
    let mut args = Vec::new();
    let base = match ty {
        Ty::String(s) => {
            if let Some(n) = s.min_length {
                args.push(format!("min_length={n}"));
            }
            if let Some(n) = s.max_length {
                args.push(format!("max_length={n}"));
            }
            let base = match s.format {
                Some(f) => {
                    support.push(f.name());
                    f.name()
                }
                None => "str",
            };
            match &s.pattern {
                Some(p) => {
                    support.push("matches");
                    format!("Annotated[{base}, matches({}, {})]", py_str(&p.render(Dialect::Python)), py_str(&p.source))
                }
                None => base.to_string(),
            }
        }
        Ty::Number(n) => {
            for (b, excl, incl) in [(n.minimum, "gt", "ge"), (n.maximum, "lt", "le")] {
                if let Some(b) = b {
                    args.push(format!("{}={}", if b.exclusive { excl } else { incl }, number_literal(b.value)));
                }
            }
            multiple("float", n.multiple_of, support)
        }
        Ty::Integer(n) => {
            if let Some(v) = n.minimum {
                args.push(format!("ge={v}"));
            }
            if let Some(v) = n.maximum {
                args.push(format!("le={v}"));
            }
            support.push("Int64");
            multiple("Int64", n.multiple_of, support)
        }
        Ty::Boolean => "bool".to_string(),
        Ty::Array(a) => {
            let item = constrained(program, this, &a.items, support);
            if let Some(n) = a.min_items {
                args.push(format!("min_length={n}"));
            }
            if let Some(n) = a.max_items {
                args.push(format!("max_length={n}"));
            }
            let mut checks = Vec::new();
            if let Some(t) = &a.tuple {
                support.push("tuple_items");
                let mut position = |ty: &Ty| match ty {
                    Ty::Any => "None".to_string(),
                    _ => constrained(program, this, ty, support),
                };
                let mut positions: Vec<String> = t.prefix.iter().map(&mut position).collect();
                positions.push(format!("rest={}", position(&t.rest)));
                checks.push(format!("tuple_items({})", positions.join(", ")));
            }
            if a.unique_items {
                support.push("unique_items");
                checks.push("unique_items".to_string());
            }
            if let Some(c) = &a.contains {
                support.push("contains");
                let max = c.max.map_or("None".to_string(), |m| m.to_string());
                checks.push(format!("contains({}, {}, {max})", constrained(program, this, &c.ty, support), c.min));
            }
            match checks.is_empty() {
                true => format!("list[{item}]"),
                false => format!("Annotated[list[{item}], {}]", checks.join(", ")),
            }
        }
        Ty::Named(r) if r.contract != this && r.index != 0 => {
            format!("{}.{}", program.contracts[r.contract].id.module(), program.named(*r).name)
        }
        Ty::Named(r) => program.named(*r).name.clone(),
        Ty::Any => "JsonValue".to_string(),
        Ty::Values(values) => {
            support.push("one_of");
            let allowed: Vec<String> = values.iter().map(|t| py_str(t)).collect();
            format!("Annotated[JsonValue, one_of({})]", allowed.join(", "))
        }
        Ty::Nullable(t) => {
            format!("{} | None", constrained(program, this, t, support))
        }
    };
    (base, args)
}

/// The annotation of `ty` with its constraints (`Annotated[T, Field(...)]` when it has any).
/// A number type `base` with `multipleOf` (`multiple_of`, decimal, in support), if the schema has it.
fn multiple(base: &str, divisor: Option<f64>, support: &mut Vec<&'static str>) -> String {
    match divisor {
        Some(d) => {
            support.push("multiple_of");
            format!("Annotated[{base}, multiple_of({})]", number_literal(d))
        }
        None => base.to_string(),
    }
}

fn constrained(program: &Program, this: usize, ty: &Ty, support: &mut Vec<&'static str>) -> String {
    let (base, args) = annotation(program, this, ty, support);
    if args.is_empty() { base } else { format!("Annotated[{base}, Field({})]", args.join(", ")) }
}

/// Whether a value of `ty` holds a model or a union alias (so that a default is no literal).
fn holds_model(program: &Program, ty: &Ty) -> bool {
    match ty {
        Ty::Named(r) => !matches!(program.named(*r).kind, TypeKind::Enum(_)),
        Ty::Array(a) => holds_model(program, &a.items),
        Ty::Nullable(t) => holds_model(program, t),
        _ => false,
    }
}

/// A Python literal for a JSON value given by its canonical text (a field's `default`).
fn py_literal(text: &str) -> String {
    fn literal(v: &serde_json::Value) -> String {
        match v {
            serde_json::Value::Null => "None".into(),
            serde_json::Value::Bool(b) => (if *b { "True" } else { "False" }).into(),
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::String(s) => py_str(s),
            serde_json::Value::Array(a) => format!("[{}]", a.iter().map(literal).collect::<Vec<_>>().join(", ")),
            serde_json::Value::Object(m) => {
                let members: Vec<String> = m.iter().map(|(k, v)| format!("{}: {}", py_str(k), literal(v))).collect();
                format!("{{{}}}", members.join(", "))
            }
        }
    }
    literal(&serde_json::from_str(text).expect("a default is canonical JSON text"))
}

/// A Python string literal for `s` (JSON string syntax is valid Python: no injection possible).
fn py_str(s: &str) -> String {
    serde_json::to_string(s).expect("strings always serialize")
}
