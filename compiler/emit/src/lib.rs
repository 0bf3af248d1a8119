//! What every backend shares. A backend is a pure function
//! `fn emit(&Program, &Templates, &Options) -> Result<Vec<OutputFile>, EmitError>`: it builds a
//! view-model in Rust (every decision), and templates only loop and interpolate.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use contractc_ir::{Contract, Program, TypeKind, TypeRef};

/// One generated file: a path relative to the output folder (`/`-separated), its bytes and their
/// digest.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct OutputFile {
    pub path: String,
    /// Shared: a build's files are held by the database's memos and by the writer at once.
    pub contents: Arc<[u8]>,
    /// [`sha256_hex`] of `contents`, computed where the file is rendered (on every core): the
    /// build log records it, and a file rendered again with the same bytes is not hashed again.
    pub digest: String,
}

impl OutputFile {
    pub fn new(path: impl Into<String>, contents: Vec<u8>) -> OutputFile {
        let digest = sha256_hex(&contents);
        OutputFile { path: path.into(), contents: contents.into(), digest }
    }

    pub fn text(path: impl Into<String>, text: impl Into<String>) -> OutputFile {
        OutputFile::new(path, text.into().into_bytes())
    }
}

/// SHA-256 (FIPS 180-4) of `bytes`, 64 lowercase hex digits: the build log's digest of every
/// input and output.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The template sources, by name relative to the templates folder (`python/module.py.j2`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Templates {
    pub files: BTreeMap<String, String>,
}

/// Settings the backends read from `contractc.toml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Name of the generated Rust crate (`trading-contracts`).
    pub rust_crate: String,
    /// Name of the generated Python distribution and import package (`trading_contracts`).
    pub python_package: String,
}

impl Default for Options {
    fn default() -> Options {
        Options { rust_crate: "trading-contracts".into(), python_package: "trading_contracts".into() }
    }
}

/// A schema name one backend cannot use as it is (a diagnostic; the fields and enum values of a
/// type are told apart by [`disambiguate`] instead).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameClash {
    pub backend: &'static str,
    /// Index into `Program::contracts`.
    pub contract: usize,
    /// JSON pointer of the name, in the contract's file.
    pub pointer: String,
    pub problem: NameProblem,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NameProblem {
    /// It becomes `identifier`, as the name at pointer `first` does.
    Collides { first: String, identifier: String },
    /// The contract's global prefix (and file name) is also the one of the contract in file
    /// `other`: the target has one global namespace (MQL4).
    SharedPrefix { other: String, prefix: String },
}

/// Reports every pair of `names` (pointer, identifier) of one scope that share an identifier.
pub fn clashes(backend: &'static str, contract: usize, names: &[(String, String)], out: &mut Vec<NameClash>) {
    for (i, (pointer, ident)) in names.iter().enumerate() {
        if let Some((first, _)) = names[..i].iter().find(|(_, other)| other == ident) {
            let problem = NameProblem::Collides { first: first.clone(), identifier: ident.clone() };
            out.push(NameClash { backend, contract, pointer: pointer.clone(), problem });
        }
    }
}

/// The identifiers of the names of one scope (`idents`: each name as a backend makes it an
/// identifier, in schema order): each its own, but a later one that repeats an earlier one (or
/// one of `taken`, a member the backend adds) takes the first `suffixed(ident, n)`, from `n = 2`,
/// that is neither taken nor any name's own (`stop-loss` and `stop_loss`: `stop_loss` and
/// `stop_loss_2`; `rc` and `RC`: `Rc` and `Rc2`). The wire names stay as they are.
pub fn disambiguate(idents: Vec<String>, taken: &[&str], suffixed: impl Fn(&str, usize) -> String) -> Vec<String> {
    let own: std::collections::HashSet<String> = idents.iter().cloned().collect();
    let mut used: std::collections::HashSet<String> = taken.iter().map(|t| t.to_string()).collect();
    let mut out = Vec::with_capacity(idents.len());
    for ident in idents {
        let name = if used.contains(&ident) {
            (2..).map(|n| suffixed(&ident, n)).find(|c| !used.contains(c) && !own.contains(c)).expect("a free name")
        } else {
            ident
        };
        used.insert(name.clone());
        out.push(name);
    }
    out
}

/// The pointer of property `name` of a named type.
pub fn property_pointer(t: &contractc_ir::NamedType, name: &str) -> String {
    format!("{}/properties/{}", t.pointer, name.replace('~', "~0").replace('/', "~1"))
}

/// The pointer of the `i`-th value of an enum type.
pub fn enum_value_pointer(t: &contractc_ir::NamedType, i: usize) -> String {
    format!("{}/enum/{i}", t.pointer)
}

/// A backend could not produce its output (a template is missing or fails to render).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmitError {
    pub backend: &'static str,
    pub message: String,
}

impl fmt::Display for EmitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} backend: {}", self.backend, self.message)
    }
}

impl std::error::Error for EmitError {}

/// Renders templates of one backend with strict undefined and trailing newlines kept. It owns
/// its compiled templates: made once per backend and build, it renders every contract.
pub struct Renderer {
    backend: &'static str,
    env: minijinja::Environment<'static>,
}

impl Renderer {
    /// Loads every template under `dir/` (e.g. `python/`).
    pub fn new(backend: &'static str, templates: &Templates, dir: &str) -> Renderer {
        let mut env = minijinja::Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.set_keep_trailing_newline(true);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        for (name, source) in &templates.files {
            if name.starts_with(&format!("{dir}/")) {
                // Errors surface when the template is rendered, with its name.
                let _ = env.add_template_owned(name.clone(), source.clone());
            }
        }
        Renderer { backend, env }
    }

    /// Renders template `name` with `ctx`; the output ends with exactly one newline.
    pub fn render(&self, name: &str, ctx: impl serde::Serialize) -> Result<String, EmitError> {
        let err =
            |e: minijinja::Error| EmitError { backend: self.backend, message: format!("template `{name}`: {e:#}") };
        let tmpl = self.env.get_template(name).map_err(err)?;
        let mut out = tmpl.render(ctx).map_err(err)?;
        while out.ends_with("\n\n") {
            out.pop();
        }
        if !out.ends_with('\n') {
            out.push('\n');
        }
        Ok(out)
    }
}

/// `render(i)` of every contract `i` of `program`, in contract order, rendered on every core
/// (rayon: each contract's output is a pure function of the program); the first error in
/// contract order, if any.
pub fn per_contract<T: Send, E: Send>(
    program: &Program,
    render: impl Fn(usize) -> Result<T, E> + Sync + Send,
) -> Result<Vec<T>, E> {
    use rayon::prelude::*;
    let rendered: Vec<Result<T, E>> = (0..program.contracts.len()).into_par_iter().map(render).collect();
    rendered.into_iter().collect()
}

/// The named types of `contract` in dependency order: every type after the types of the same
/// contract it contains (C, MQL4 and Python need definitions before use).
pub fn dependency_order(program: &Program, contract: usize) -> Vec<usize> {
    fn visit(c: &Contract, contract: usize, i: usize, seen: &mut Vec<bool>, out: &mut Vec<usize>) {
        if seen[i] {
            return;
        }
        seen[i] = true;
        let mut rs = c.types[i].kind.refs();
        if let TypeKind::Union(u) = &c.types[i].kind {
            rs.extend(u.variants.iter().map(|&(_, index)| TypeRef { contract, index }));
        }
        for r in rs.into_iter().filter(|r| r.contract == contract) {
            visit(c, contract, r.index, seen, out);
        }
        out.push(i);
    }
    let c = &program.contracts[contract];
    let mut seen = vec![false; c.types.len()];
    let mut out = Vec::new();
    for i in 0..c.types.len() {
        visit(c, contract, i, &mut seen, &mut out);
    }
    out
}

/// The contracts `contract` refers to, sorted.
pub fn referenced_contracts(program: &Program, contract: usize) -> Vec<usize> {
    refers_to(&program.contracts[contract], contract)
}

/// The contracts that contract `c` (at index `this`) refers to, sorted.
pub fn refers_to(c: &Contract, this: usize) -> Vec<usize> {
    let mut out: Vec<usize> = c.types.iter().flat_map(|t| t.kind.refs()).map(|r| r.contract).collect();
    out.retain(|&other| other != this);
    out.sort();
    out.dedup();
    out
}

/// The contracts rendering contract `contract` reads: itself and every contract it reaches by
/// references, transitively (`refers_to` gives each contract's own), sorted.
pub fn reached(contract: usize, refers_to: impl Fn(usize) -> Vec<usize>) -> Vec<usize> {
    let mut seen = std::collections::BTreeSet::from([contract]);
    let mut todo = vec![contract];
    while let Some(c) = todo.pop() {
        for other in refers_to(c) {
            if seen.insert(other) {
                todo.push(other);
            }
        }
    }
    seen.into_iter().collect()
}

/// The contracts `reached` (their indexes in the whole program, sorted as [`reached`] gives
/// them, and each its IR) as a program of their own, every reference renumbered to its place:
/// a backend renders one contract from it as from the whole program, reading only what the
/// contract reaches (so a build may render again only the contracts whose reach changed).
pub fn sub_program(reached: &[(usize, &Contract)]) -> Program {
    let place = |c: usize| reached.binary_search_by_key(&c, |(i, _)| *i).expect("a reached contract");
    let contracts = reached
        .iter()
        .map(|(_, c)| {
            let mut c = (*c).clone();
            c.renumber(&place);
            std::sync::Arc::new(c)
        })
        .collect();
    Program { contracts, ..Program::default() }
}

/// Formats a JSON Schema bound for generated source: integral values without a fraction.
pub fn number_literal(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 { format!("{v:.1}") } else { format!("{v:?}") }
}

#[cfg(test)]
mod tests {
    use super::disambiguate;

    #[test]
    fn a_later_repeat_takes_the_first_free_suffix() {
        let snake = |i: &str, n: usize| format!("{i}_{n}");
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(disambiguate(names(&["a", "b", "a"]), &[], snake), names(&["a", "b", "a_2"]));
        // `a_2` is a name's own: the repeat takes `a_3`, whatever the order.
        assert_eq!(disambiguate(names(&["a", "a", "a_2"]), &[], snake), names(&["a", "a_3", "a_2"]));
        assert_eq!(disambiguate(names(&["extra", "x"]), &["extra"], snake), names(&["extra_2", "x"]));
        assert_eq!(
            disambiguate(names(&["Rc", "Rc"]), &[], |i: &str, n: usize| format!("{i}{n}")),
            names(&["Rc", "Rc2"])
        );
    }
}
