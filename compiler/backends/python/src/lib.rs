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
    EmitError, NameClash, Options, OutputFile, Renderer, Templates, clashes, dependency_order, number_literal,
    property_pointer, referenced_contracts,
};
use contractc_ir::{Contract, Format, Program, Ty, TypeKind, TypeRef};
use serde::Serialize;

mod naming;

/// Emits every file of the Python package, paths relative to `generated/`.
pub fn emit(program: &Program, templates: &Templates, options: &Options) -> Result<Vec<OutputFile>, EmitError> {
    let r = Renderer::new("python", templates, "python");
    let pkg = &options.python_package;
    let root = format!("python/src/{pkg}");
    let mut files = vec![
        OutputFile::text(
            "python/pyproject.toml",
            r.render("python/pyproject.toml.j2", Package { package: pkg, dist: &pkg.replace('_', "-") })?,
        ),
        OutputFile::text(
            format!("{root}/__init__.py"),
            r.render("python/package_init.py.j2", PackageInit { package: pkg, contracts: registry(program) })?,
        ),
        OutputFile::text(format!("{root}/_support.py"), r.render("python/support.py.j2", ())?),
        OutputFile::text(format!("{root}/py.typed"), ""),
    ];
    let mut namespaces: Vec<&str> = program.contracts.iter().map(|c| c.id.namespace.as_str()).collect();
    namespaces.dedup();
    for ns in namespaces {
        let modules: Vec<String> =
            program.contracts.iter().filter(|c| c.id.namespace == ns).map(|c| c.id.module()).collect();
        files.push(OutputFile::text(
            format!("{root}/{ns}/__init__.py"),
            r.render("python/namespace_init.py.j2", Namespace { namespace: ns, modules })?,
        ));
    }
    for (i, c) in program.contracts.iter().enumerate() {
        let module = module_view(program, i, pkg);
        files.push(OutputFile::text(
            format!("{root}/{}/{}.py", c.id.namespace, c.id.module()),
            r.render("python/module.py.j2", module)?,
        ));
    }
    Ok(files)
}

/// Fields of one model that become the same Python attribute.
pub fn check_names(program: &Program) -> Vec<NameClash> {
    let mut out = Vec::new();
    for (c, contract) in program.contracts.iter().enumerate() {
        for t in &contract.types {
            if let TypeKind::Object(o) = &t.kind {
                let names: Vec<(String, String)> =
                    o.fields.iter().map(|f| (property_pointer(t, &f.name), naming::attribute(&f.name))).collect();
                clashes("python", c, &names, &mut out);
            }
        }
    }
    out
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
}

/// The class that reads a contract's messages: its root model, or for a root that is not an
/// object (an enum, a union, an alias) a `RootModel` of it, `<Name>Message`.
fn message_class(c: &Contract) -> String {
    match c.root().kind {
        TypeKind::Object(_) => c.root().name.clone(),
        _ => format!("{}Message", c.root().name),
    }
}

fn registry(program: &Program) -> Vec<(String, String, String)> {
    let mut out: Vec<_> = program
        .contracts
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
    package: String,
    imports: Vec<Import>,
    /// Names imported from the package's `_support` module, sorted.
    support_imports: Vec<&'static str>,
    enums: Vec<EnumView>,
    models: Vec<ModelView>,
    /// For a root that is not an object: `(class, root type)` of its `RootModel`.
    message: Option<(String, String)>,
    exports: Vec<String>,
}

#[derive(Serialize)]
struct Import {
    module: String,
    name: String,
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
}

fn module_view(program: &Program, contract: usize, pkg: &str) -> Module {
    let c = &program.contracts[contract];
    // Another contract's root by name, its other types through its module (see `annotation`).
    let used = referenced_types(program, contract);
    let mut imports = Vec::new();
    for o in referenced_contracts(program, contract) {
        let other = &program.contracts[o];
        if used.contains(&TypeRef { contract: o, index: 0 }) {
            imports.push(Import {
                module: format!("{pkg}.{}.{}", other.id.namespace, other.id.module()),
                name: other.root().name.clone(),
            });
        }
        if used.iter().any(|r| r.contract == o && r.index != 0) {
            imports.push(Import { module: format!("{pkg}.{}", other.id.namespace), name: other.id.module() });
        }
    }
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
                    .map(|f| {
                        let (base, mut args) = annotation(program, contract, &f.ty, &mut support);
                        let name = naming::attribute(&f.name);
                        if name != f.name {
                            args.push(format!("alias={}", py_str(&f.name)));
                        }
                        if let Some(d) = &f.description {
                            args.push(format!("description={}", py_str(d)));
                        }
                        let annotation = if args.is_empty() {
                            base
                        } else {
                            format!("Annotated[{base}, Field({})]", args.join(", "))
                        };
                        FieldView { name, annotation, required: f.required }
                    })
                    .collect();
                let base = if o.is_open() { "OpenModel" } else { "Model" };
                support.push(base);
                models.push(ModelView { name: t.name.clone(), base, alias: None, doc, fields });
            }
            TypeKind::Union(u) => {
                let variants: Vec<&str> = u.variants.iter().map(|(_, v)| c.types[*v].name.as_str()).collect();
                let union = format!(
                    "Annotated[{}, Field(discriminator={})]",
                    variants.join(" | "),
                    py_str(&naming::attribute(&u.tag))
                );
                models.push(ModelView { name: t.name.clone(), base: "", alias: Some(union), doc, fields: Vec::new() });
            }
            TypeKind::Alias(ty) => {
                let (base, args) = annotation(program, contract, ty, &mut support);
                let alias =
                    if args.is_empty() { base } else { format!("Annotated[{base}, Field({})]", args.join(", ")) };
                models.push(ModelView { name: t.name.clone(), base: "", alias: Some(alias), doc, fields: Vec::new() });
            }
        }
    }
    let mut exports: Vec<String> = c.types.iter().map(|t| t.name.clone()).collect();
    let message = (!matches!(c.root().kind, TypeKind::Object(_))).then(|| {
        support.extend(["MESSAGE_CONFIG", "RootModel"]);
        exports.push(message_class(c));
        (message_class(c), c.root().name.clone())
    });
    support.sort();
    support.dedup();
    Module {
        source: c.source.clone(),
        key: c.id.key(),
        package: pkg.to_string(),
        imports,
        support_imports: support,
        enums,
        models,
        message,
        exports,
    }
}

/// The base annotation of a type and the `Field(...)` constraints it needs.
/// The named types the types of `contract` refer to.
fn referenced_types(program: &Program, contract: usize) -> Vec<TypeRef> {
    fn walk(ty: &Ty, out: &mut Vec<TypeRef>) {
        match ty {
            Ty::Named(r) => out.push(*r),
            Ty::Array(a) => walk(&a.items, out),
            Ty::Nullable(t) => walk(t, out),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for t in &program.contracts[contract].types {
        match &t.kind {
            TypeKind::Object(o) => o.fields.iter().for_each(|f| walk(&f.ty, &mut out)),
            TypeKind::Alias(ty) => walk(ty, &mut out),
            TypeKind::Enum(_) | TypeKind::Union(_) => {}
        }
    }
    out
}

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
            match s.format {
                Some(Format::DateTime) => {
                    support.push("DateTime");
                    "DateTime".to_string()
                }
                Some(Format::Date) => {
                    support.push("Date");
                    "Date".to_string()
                }
                None => "str".to_string(),
            }
        }
        Ty::Number(n) => {
            for (b, excl, incl) in [(n.minimum, "gt", "ge"), (n.maximum, "lt", "le")] {
                if let Some(b) = b {
                    args.push(format!("{}={}", if b.exclusive { excl } else { incl }, number_literal(b.value)));
                }
            }
            "float".to_string()
        }
        Ty::Integer(n) => {
            if let Some(v) = n.minimum {
                args.push(format!("ge={v}"));
            }
            if let Some(v) = n.maximum {
                args.push(format!("le={v}"));
            }
            support.push("Int64");
            "Int64".to_string()
        }
        Ty::Boolean => "bool".to_string(),
        Ty::Array(a) => {
            let (item, item_args) = annotation(program, this, &a.items, support);
            let item =
                if item_args.is_empty() { item } else { format!("Annotated[{item}, Field({})]", item_args.join(", ")) };
            if let Some(n) = a.min_items {
                args.push(format!("min_length={n}"));
            }
            if let Some(n) = a.max_items {
                args.push(format!("max_length={n}"));
            }
            format!("list[{item}]")
        }
        Ty::Named(r) if r.contract != this && r.index != 0 => {
            format!("{}.{}", program.contracts[r.contract].id.module(), program.named(*r).name)
        }
        Ty::Named(r) => program.named(*r).name.clone(),
        Ty::Values(values) => {
            support.extend(["JsonValue", "one_of"]);
            let allowed: Vec<String> = values.iter().map(|t| py_str(t)).collect();
            format!("Annotated[JsonValue, one_of({})]", allowed.join(", "))
        }
        Ty::Nullable(t) => {
            let (inner, inner_args) = annotation(program, this, t, support);
            let inner = if inner_args.is_empty() {
                inner
            } else {
                format!("Annotated[{inner}, Field({})]", inner_args.join(", "))
            };
            format!("{inner} | None")
        }
    };
    (base, args)
}

/// A Python string literal for `s` (JSON string syntax is valid Python: no injection possible).
fn py_str(s: &str) -> String {
    serde_json::to_string(s).expect("strings always serialize")
}
