//! Schema resources and `$ref` resolution, indexed once for the whole project (JSON Schema
//! 2020-12 Core §8.2): every schema of every contract by its JSON pointer; the schema resources
//! that `$id` starts (§8.2.1; draft 4's `id`), a contract's root and any subschema, each with its
//! base URI resolved against the enclosing resource's (RFC 3986 §5.2); the anchors that
//! `$anchor` gives (§8.2.2; in drafts 4 to 7, an `$id`'s plain-name fragment); and the schemas
//! that get a named type: the `$defs` (`definitions`) entries, wherever they stand, then every
//! other schema a `$ref` names.
//!
//! A `$ref` (§8.2.3.1) is resolved against the base URI of the nearest resource around it, to a
//! contract's file (`contractc:///<namespace>/<file>`) or a resource's URI, then its fragment: a
//! JSON pointer from that resource's root, or an anchor of that resource.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

use super::*;

/// Keywords whose value is an object of schemas (draft 7's `definitions` and `dependencies` too;
/// a `dependencies` entry that is an array of names is not a schema).
const SCHEMA_MAPS: &[&str] =
    &["$defs", "definitions", "properties", "patternProperties", "dependentSchemas", "dependencies"];

/// Keywords whose value is an array of schemas (`items` too, as drafts before 2020-12 write it).
const SCHEMA_ARRAYS: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems", "items"];

/// Keywords whose value is a schema (the ones the subset refuses too: a `$ref` may name a schema
/// inside them, and a `$id` inside them starts a resource all the same).
const SCHEMA_VALUES: &[&str] = &[
    "additionalProperties",
    "propertyNames",
    "items",
    "contains",
    "not",
    "if",
    "then",
    "else",
    "unevaluatedProperties",
    "unevaluatedItems",
    "additionalItems",
    "contentSchema",
];

/// What a JSON pointer fragment must escape besides controls: `%`, which starts an escape.
const FRAGMENT: &AsciiSet = &CONTROLS.add(b'%').add(b' ');

/// A schema of a document and where it stands.
struct Subschema<'n> {
    node: &'n Node,
    pointer: Pointer,
    /// An entry of `$defs` or `definitions`.
    definition: bool,
}

/// Every schema of the document `root`, by the keywords that hold schemas (an `enum` value or
/// an unknown keyword's value is no schema, whatever it holds): `root` first, each schema before
/// the ones inside it, the entries of its `$defs` and `definitions` before its other subschemas
/// (the order the lowering registers definitions in); and the `$defs`/`definitions` that are
/// not objects.
/// [`subschemas`]' result.
type Walk<'n> = (Vec<Subschema<'n>>, Vec<Pointer>);

fn subschemas(root: &Node) -> Walk<'_> {
    let (mut out, mut bad) = (Vec::new(), Vec::new());
    walk(root, Pointer::root(), false, &mut out, &mut bad);
    (out, bad)
}

fn is_schema(n: &Node) -> bool {
    n.members().is_some() || n.as_bool().is_some()
}

/// The schema `node` at `pointer` and every schema inside it, in [`subschemas`]' order.
fn walk<'n>(node: &'n Node, pointer: Pointer, definition: bool, out: &mut Vec<Subschema<'n>>, bad: &mut Vec<Pointer>) {
    out.push(Subschema { node, pointer: pointer.clone(), definition });
    for &keyword in DEFINITIONS {
        let Some(d) = node.get(keyword) else { continue };
        let at = pointer.join(keyword);
        match d.members() {
            Some(entries) => entries.iter().for_each(|e| walk(&e.value, at.join(&e.key), true, out, bad)),
            None => bad.push(at),
        }
    }
    for m in node.members().unwrap_or_default().iter().filter(|m| !DEFINITIONS.contains(&m.key.as_str())) {
        let (keyword, at) = (m.key.as_str(), pointer.join(&m.key));
        if SCHEMA_MAPS.contains(&keyword) {
            for e in m.value.members().unwrap_or_default().iter().filter(|e| is_schema(&e.value)) {
                walk(&e.value, at.join(&e.key), false, out, bad);
            }
        } else if let Some(items) = m.value.as_array().filter(|_| SCHEMA_ARRAYS.contains(&keyword)) {
            for (i, item) in items.iter().enumerate().filter(|(_, n)| is_schema(n)) {
                walk(item, at.join(i.to_string()), false, out, bad);
            }
        } else if SCHEMA_VALUES.contains(&keyword) && is_schema(&m.value) {
            walk(&m.value, at, false, out, bad);
        }
    }
}

/// `rest` after `start`: the pointer to `rest` of the schema at `start`.
fn concat(start: &Pointer, rest: &Pointer) -> Pointer {
    rest.tokens().iter().fold(start.clone(), |p, t| p.join(t.clone()))
}

/// Whether `name` is a plain name: 2020-12's `$anchor` (Core §8.2.2: a letter or `_`, then
/// letters, digits, `-`, `_`, `.`), or, with `draft_7`, the fragment of an `$id` that drafts 4 to
/// 7 take as a location-independent identifier (a letter, then letters, digits, `-`, `_`, `:`, `.`).
fn is_plain_name(name: &str, draft_7: bool) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || (c == '_' && !draft_7))
        && chars.all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c) || (c == ':' && draft_7))
}

/// The name of the type of the schema at `ptr` besides a contract's root (named `root`): the
/// names of the `$defs` entries and properties on the way, and the other keywords there (`/$defs/
/// Codes/$defs/Mic`: `CodesMic`; `/properties/foo`: `<Root>Foo`; `/anyOf/1`: `<Root>AnyOf1`),
/// after the root's name unless the way starts in the root's `$defs` (`definitions`) and the name
/// starts with a letter; in PascalCase as a whole (`/$defs/A/$defs/B`: `Ab`), as the backends'
/// identifiers are.
pub(super) fn type_name(root: &str, ptr: &Pointer) -> String {
    let t = ptr.tokens();
    let in_definitions = t.first().is_some_and(|k| DEFINITIONS.contains(&k.as_str()));
    let mut name = if in_definitions { String::new() } else { root.to_string() };
    let mut i = 0;
    while let Some(keyword) = t.get(i) {
        let next = t.get(i + 1);
        if SCHEMA_MAPS.contains(&keyword.as_str()) {
            name.push_str(&next.map(|k| pascal_case(k)).unwrap_or_default());
            i += 2;
        } else if let Some(n) = next.filter(|n| SCHEMA_ARRAYS.contains(&keyword.as_str()) && n.parse::<usize>().is_ok())
        {
            name.push_str(&format!("{}{n}", pascal_case(keyword)));
            i += 2;
        } else {
            name.push_str(&pascal_case(keyword));
            i += 1;
        }
    }
    let name = pascal_case(&name);
    // A name that would not be an identifier (`/$defs/`, `/$defs/2fa`) keeps the root's in front.
    if in_definitions && !name.starts_with(char::is_alphabetic) { pascal_case(&format!("{root}{name}")) } else { name }
}

/// `reference` resolved against `base` (RFC 3986 §5.2, IRIs as RFC 3987 allows), or `None` when
/// either is not a valid IRI.
pub(super) fn resolve_uri(base: &str, reference: &str) -> Option<String> {
    use iri_string::types::{IriAbsoluteStr, IriReferenceStr};
    let base = IriAbsoluteStr::new(base).ok()?;
    let resolved = IriReferenceStr::new(reference).ok()?.resolve_against(base);
    resolved.ensure_rfc3986_normalizable().ok()?;
    Some(resolved.to_string())
}

/// One contract's part of the index: its schemas, resources and named types.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Slice {
    /// The contract's dialect is draft 4.
    draft_04: bool,
    /// The contract's file URI, `contractc:///<namespace>/<file>`.
    file: String,
    /// The contract's schema resources: the pointer to the resource's root and its base URI; the
    /// contract's root first (its `$id`, else its file's URI).
    resources: Vec<(Pointer, String)>,
    /// Every schema of the contract (what a `$ref` may name).
    schemas: HashSet<Pointer>,
    /// The schemas with a named type besides the root, in the order of their type indexes (from
    /// 1): the `$defs` entries, then the other schemas `$ref`s name.
    named: Vec<Pointer>,
    /// The type index of each of `named`.
    types: HashMap<Pointer, usize>,
    /// How many of `named` are `$defs` entries.
    definitions: usize,
    /// The `$defs`/`definitions` that are not objects.
    bad_definitions: Vec<Pointer>,
    /// The unknown keywords that hold schemas `$ref`s name.
    folders: HashSet<Pointer>,
}

/// What the index knows across contracts: every resource and anchor.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Globals {
    /// Every resource by its URI, and every contract by its file's: contract and pointer.
    by_uri: HashMap<String, (usize, Pointer)>,
    /// Every anchor, by contract, its resource's pointer and its name: the schema it names.
    anchors: HashMap<(usize, Pointer, String), Pointer>,
}

/// A `$ref` as far as its contract alone resolves it ([`Resolve::reference_uris`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RefUris {
    /// The resource around the `$ref`, when it names no document.
    here: Option<Pointer>,
    /// The URIs its document may be, in the order they are tried.
    documents: Vec<String>,
    /// Its fragment, percent-decoded: a JSON pointer or an anchor's name.
    fragment: String,
}

/// What the index takes from one contract's tree alone, so that an edit re-reads one contract:
/// its part (its schemas, resources and `$defs`; not yet the types that other contracts' `$ref`s
/// give it), its anchors, the documents its `$id`s declare, every `$ref` of its schemas (the
/// schema's pointer, and the URIs it may name), and the diagnostics of its `$id`s and anchors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Local {
    slice: Arc<Slice>,
    anchors: Vec<((Pointer, String), Pointer)>,
    documents: Vec<(String, Pointer)>,
    refs: Vec<(Pointer, RefUris)>,
    diags: Vec<Diagnostic>,
}

impl Local {
    /// The part of the index contract `id` (in file `path`, tree `root`) gives by itself: what
    /// [`IndexData::new`] finds for it in a project where no other contract declares the same
    /// documents.
    pub(crate) fn new(id: &ContractId, path: &str, root: &Node) -> Local {
        let ids = [(id.clone(), path, root)];
        let mut diags = Vec::new();
        let mut one = Index::start(&ids);
        let walk = subschemas(root);
        one.declare(&ids, 0, &walk, &mut diags);
        let refs = walk
            .0
            .iter()
            .filter_map(|s| {
                let r = s.node.get("$ref")?.as_str()?;
                Some((s.pointer.clone(), one.reference_uris(0, &s.pointer.join("$ref"), r)))
            })
            .collect();
        let file = one.slices[0].file.clone();
        let documents =
            one.globals.by_uri.iter().filter(|(uri, _)| **uri != file).map(|(uri, (_, p))| (uri.clone(), p.clone()));
        let mut documents: Vec<(String, Pointer)> = documents.collect();
        documents.sort();
        let mut anchors: Vec<((Pointer, String), Pointer)> =
            one.globals.anchors.iter().map(|((_, r, name), p)| ((r.clone(), name.clone()), p.clone())).collect();
        anchors.sort();
        Local { slice: one.slices.swap_remove(0), anchors, documents, refs, diags }
    }
}

/// Every contract's schemas, resources and anchors, for `$ref`s (see the module docs), and the
/// type index of each schema that has a named type of its own; by contract index (the contracts
/// sorted by id). Position-free: it is built from trees without byte positions, so an edit that
/// only moves bytes leaves it equal. Its parts are apart ([`Slice`] per contract, [`Globals`]),
/// so that a lowering can depend on the parts it reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct IndexData {
    pub(crate) slices: Vec<Arc<Slice>>,
    pub(crate) globals: Arc<Globals>,
}

impl IndexData {
    /// The index of the contracts `ids` (id, path and tree, sorted by id); what is wrong with
    /// their `$id`s and anchors goes to `diags`.
    pub(crate) fn new(ids: &[(ContractId, &str, &Node)], diags: &mut Vec<Diagnostic>) -> IndexData {
        Index::new(ids, diags).finish()
    }

    /// [`IndexData::new`] from each contract's [`Local`] part (`locals`, in the order of `ids`,
    /// each contract's id and path): the same index, without reading again the contracts whose
    /// parts are kept. `tree` gives a contract's tree; it is asked only for the contracts a
    /// `$ref` leads into an unknown keyword of, so that what calls it depends on those alone.
    /// When two contracts declare one document (an error), [`IndexData::new`] decides which is in
    /// error.
    pub(crate) fn assemble<'a>(
        ids: &[(ContractId, &'a str)],
        tree: &'a dyn Fn(usize) -> &'a Node,
        locals: &[&Local],
        diags: &mut Vec<Diagnostic>,
    ) -> IndexData {
        let mut globals = Globals {
            by_uri: locals.iter().enumerate().map(|(i, l)| (l.slice.file.clone(), (i, Pointer::root()))).collect(),
            anchors: HashMap::new(),
        };
        for (i, l) in locals.iter().enumerate() {
            for (uri, p) in &l.documents {
                if globals.by_uri.insert(uri.clone(), (i, p.clone())).is_some() {
                    let all: Vec<(ContractId, &str, &Node)> =
                        ids.iter().enumerate().map(|(c, (id, path))| (id.clone(), *path, tree(c))).collect();
                    return IndexData::new(&all, diags);
                }
            }
        }
        for (i, l) in locals.iter().enumerate() {
            let anchors = l.anchors.iter().map(|((r, name), p)| ((i, r.clone(), name.clone()), p.clone()));
            globals.anchors.extend(anchors);
            diags.extend(l.diags.iter().cloned());
        }
        let mut index =
            Index { tree: Box::new(tree), slices: locals.iter().map(|l| l.slice.clone()).collect(), globals };
        index.reach(locals.iter().map(|l| l.refs.clone()).collect());
        index.finish()
    }
}

impl Resolve for IndexData {
    fn slice(&self, contract: usize) -> &Slice {
        &self.slices[contract]
    }
    fn globals(&self) -> &Globals {
        &self.globals
    }
}

/// The index being built, with every contract's tree (read as asked).
struct Index<'a> {
    tree: Box<dyn Fn(usize) -> &'a Node + 'a>,
    /// Shared with the [`Local`] parts they come from until a `$ref` of another contract adds
    /// to one.
    slices: Vec<Arc<Slice>>,
    globals: Globals,
}

impl Resolve for Index<'_> {
    fn slice(&self, contract: usize) -> &Slice {
        &self.slices[contract]
    }
    fn globals(&self) -> &Globals {
        &self.globals
    }
}

impl<'a> Index<'a> {
    /// Every contract of `ids` (id, path, tree, sorted by id) found as it is, before its schemas are read.
    fn start(ids: &[(ContractId, &'a str, &'a Node)]) -> Index<'a> {
        let file: Vec<String> =
            ids.iter().map(|(id, _, _)| format!("contractc:///{}/{}", id.namespace, id.file_name())).collect();
        let slices = ids
            .iter()
            .zip(&file)
            .map(|((_, _, root), uri)| {
                Arc::new(Slice {
                    draft_04: Draft::of_root(root) == Draft::V4,
                    file: uri.clone(),
                    resources: vec![(Pointer::root(), uri.clone())],
                    ..Slice::default()
                })
            })
            .collect();
        let globals = Globals {
            by_uri: file.iter().enumerate().map(|(i, uri)| (uri.clone(), (i, Pointer::root()))).collect(),
            anchors: HashMap::new(),
        };
        let roots: Vec<&'a Node> = ids.iter().map(|(_, _, root)| *root).collect();
        Index { tree: Box::new(move |c| roots[c]), slices, globals }
    }

    fn new(ids: &[(ContractId, &'a str, &'a Node)], diags: &mut Vec<Diagnostic>) -> Index<'a> {
        let mut index = Index::start(ids);
        let walks: Vec<_> = {
            use rayon::prelude::*;
            ids.par_iter().map(|(_, _, root)| subschemas(root)).collect()
        };
        // The contracts' own `$id`s first: a subschema's that repeats one is the one in error.
        for (i, (schemas, _)) in walks.iter().enumerate() {
            schemas.iter().take(1).for_each(|s| index.identify(ids, i, s, diags));
        }
        for (i, walk) in walks.iter().enumerate() {
            index.declare_subschemas(ids, i, walk, diags);
        }
        let refs = walks
            .iter()
            .enumerate()
            .map(|(i, (schemas, _))| {
                let refs = schemas.iter().filter_map(|s| Some((s, s.node.get("$ref")?.as_str()?)));
                refs.map(|(s, r)| (s.pointer.clone(), index.reference_uris(i, &s.pointer.join("$ref"), r))).collect()
            })
            .collect();
        index.reach(refs);
        index
    }

    /// The `$id`s and anchors of contract `i`'s schemas (`walk`, [`subschemas`]' order): its
    /// root's, then the others', and its schemas and `$defs` entries.
    fn declare(&mut self, ids: &[(ContractId, &str, &Node)], i: usize, walk: &Walk<'_>, diags: &mut Vec<Diagnostic>) {
        walk.0.iter().take(1).for_each(|s| self.identify(ids, i, s, diags));
        self.declare_subschemas(ids, i, walk, diags);
    }

    /// [`Index::declare`] but the root's `$id` and anchor.
    fn declare_subschemas(
        &mut self,
        ids: &[(ContractId, &str, &Node)],
        i: usize,
        (schemas, bad): &Walk<'_>,
        diags: &mut Vec<Diagnostic>,
    ) {
        schemas.iter().skip(1).for_each(|s| self.identify(ids, i, s, diags));
        let definitions: Vec<Pointer> = schemas.iter().filter(|s| s.definition).map(|s| s.pointer.clone()).collect();
        let slice = Arc::make_mut(&mut self.slices[i]);
        slice.types = definitions.iter().enumerate().map(|(k, p)| (p.clone(), 1 + k)).collect();
        slice.definitions = definitions.len();
        slice.named = definitions;
        slice.schemas = schemas.iter().map(|s| s.pointer.clone()).collect();
        slice.bad_definitions = bad.clone();
    }

    /// What the `$ref`s of every contract (`refs`: each schema's pointer and what its `$ref` may
    /// name, by contract) add: the folders of schemas under unknown keywords they lead into, and
    /// a type of its own for every schema they name besides the `$defs` entries.
    fn reach(&mut self, refs: Vec<Vec<(Pointer, RefUris)>>) {
        // A `$ref` may name a value no keyword holds as a schema (under an unknown keyword: a
        // folder of `definitions` entries, `#/definitions/common/url`). Core §9.4.2 leaves that
        // undefined; ajv and python-jsonschema read the value there as a schema, and so does
        // contractc, with the schemas inside it (whose `$id`s start no resource).
        let mut refs = refs;
        let mut from = vec![0; refs.len()];
        while from.iter().zip(&refs).any(|(f, r)| *f < r.len()) {
            for i in 0..refs.len() {
                let start = std::mem::replace(&mut from[i], refs[i].len());
                for k in start..refs[i].len() {
                    let Some((c, p)) = self.resolve(i, &refs[i][k].1) else { continue };
                    let root = (self.tree)(c);
                    let new = !self.slices[c].schemas.contains(&p) && self.under_unknown_keyword(c, &p).is_some();
                    if let Some(node) = root.at(&p).filter(|n| new && is_schema(n)) {
                        let folder = self.under_unknown_keyword(c, &p).expect("checked above");
                        Arc::make_mut(&mut self.slices[c]).folders.insert(folder);
                        let mut found = Vec::new();
                        walk(node, p, false, &mut found, &mut Vec::new());
                        for s in found {
                            Arc::make_mut(&mut self.slices[c]).schemas.insert(s.pointer.clone());
                            if let Some(r) = s.node.get("$ref").and_then(Node::as_str) {
                                let uris = self.reference_uris(c, &s.pointer.join("$ref"), r);
                                refs[c].push((s.pointer.clone(), uris));
                            }
                        }
                    }
                }
            }
        }
        // Every other schema a `$ref` names gets a type of its own, after the definitions.
        let mut named: Vec<BTreeSet<Pointer>> = vec![BTreeSet::new(); refs.len()];
        for (i, refs) in refs.iter().enumerate() {
            for (_, uris) in refs {
                if let Some((c, p)) = self.resolve(i, uris).filter(|(c, p)| self.slices[*c].schemas.contains(p))
                    && self.type_at(c, &p).is_none()
                {
                    named[c].insert(p);
                }
            }
        }
        for (c, pointers) in named.into_iter().enumerate() {
            for p in pointers {
                let slice = Arc::make_mut(&mut self.slices[c]);
                slice.types.insert(p.clone(), 1 + slice.named.len());
                slice.named.push(p);
            }
        }
    }

    fn finish(self) -> IndexData {
        IndexData { slices: self.slices, globals: Arc::new(self.globals) }
    }

    /// The `$id` (draft 4: `id`, and only it) and `$anchor` of schema `s` of contract `contract`.
    fn identify(
        &mut self,
        ids: &[(ContractId, &str, &Node)],
        contract: usize,
        s: &Subschema,
        diags: &mut Vec<Diagnostic>,
    ) {
        // Draft 4 knows `id` alone: a `$id` there is an unknown keyword's value, no resource.
        let keyword = if self.slices[contract].draft_04 { "id" } else { "$id" };
        if let Some(node) = s.node.get(keyword) {
            self.declare_id(ids, contract, s, keyword, node, diags);
        }
        if let Some(node) = s.node.get("$anchor") {
            let ptr = s.pointer.join("$anchor");
            match node.as_str().filter(|name| is_plain_name(name, false)) {
                Some(name) => self.anchor(ids, contract, s, name, node.span, &ptr, diags),
                None => diags.push(
                    Diagnostic::error(
                        codes::INVALID_KEYWORD_VALUE,
                        ids[contract].1,
                        node.span,
                        ptr,
                        "`$anchor` must be a plain name (Core §8.2.2)",
                    )
                    .with_label("not a plain name")
                    .with_help("start it with a letter or `_`, then letters, digits, `-`, `_` or `.`"),
                ),
            }
        }
    }

    /// Schema `s`'s `$id` (its `keyword`, `node`): a schema resource when it has more than a
    /// fragment (Core §8.2.1), unique in the project; its fragment must be empty, except in drafts
    /// 4 to 7, where a plain name is an anchor and a fragment-only JSON pointer to the schema
    /// itself (what schema generators write) says nothing new.
    fn declare_id(
        &mut self,
        ids: &[(ContractId, &str, &Node)],
        contract: usize,
        s: &Subschema,
        keyword: &str,
        node: &Node,
        diags: &mut Vec<Diagnostic>,
    ) {
        let (id, path, root) = &ids[contract];
        let ptr = s.pointer.join(keyword);
        let error = |code, message: String, label: &str| {
            Diagnostic::error(code, path, node.span, ptr.clone(), message).with_label(label)
        };
        let base = self.resource(contract, &s.pointer).1;
        let Some((text, uri)) = node.as_str().and_then(|t| Some((t, resolve_uri(base, t)?))) else {
            diags.push(error(
                codes::INVALID_KEYWORD_VALUE,
                format!("`{keyword}` must be a URI reference (RFC 3986)"),
                "not a URI reference",
            ));
            return;
        };
        let (document, fragment) = uri.split_once('#').unwrap_or((&uri, ""));
        if !text.starts_with('#') {
            // The last segment of a contract's own `$id`, when named like a contract, must be this file's.
            let last = document.rsplit('/').next().unwrap_or_default();
            let named = contract_id(&format!("x/{last}")).is_some();
            let taken = self.globals.by_uri.get(document).filter(|(c, p)| (*c, p) != (contract, &s.pointer));
            if s.pointer.tokens().is_empty() && named && last != id.file_name() {
                diags.push(
                    error(
                        codes::ID_MISMATCH,
                        format!("`{keyword}` names `{last}`, not this file `{}`", id.file_name()),
                        "here",
                    )
                    .with_help(format!("end `{keyword}` with `{}`, or remove it", id.file_name())),
                );
                return;
            }
            if let Some((c, p)) = taken {
                let place =
                    if p.tokens().is_empty() { ids[*c].1.to_string() } else { format!("{} \"{p}\"", ids[*c].1) };
                diags.push(
                    error(
                        codes::DUPLICATE_ID,
                        format!("`{keyword}` `{document}` is also the `$id` of {place}"),
                        "taken",
                    )
                    .with_help("give every schema resource its own `$id`: a `$ref` to it could mean either"),
                );
                return;
            }
            self.globals.by_uri.insert(document.to_string(), (contract, s.pointer.clone()));
            if s.pointer.tokens().is_empty() {
                Arc::make_mut(&mut self.slices[contract]).resources[0].1 = document.to_string();
            } else {
                Arc::make_mut(&mut self.slices[contract]).resources.push((s.pointer.clone(), document.to_string()));
            }
        }
        let fragment = percent_decode_str(fragment).decode_utf8_lossy();
        let draft_7 = Draft::of_root(root).before_2019();
        let resource = self.resource(contract, &s.pointer).0;
        let itself = Pointer::parse(&fragment).is_some_and(|p| concat(resource, &p) == s.pointer);
        if fragment.is_empty() || (draft_7 && text.starts_with('#') && itself) {
            return;
        }
        if draft_7 && is_plain_name(&fragment, true) {
            self.anchor(ids, contract, s, &fragment, node.span, &ptr, diags);
            return;
        }
        let (message, help) = if draft_7 {
            (
                format!("`{keyword}` has a fragment that is neither a plain name nor this schema's own JSON pointer"),
                "name the subschema with a plain name (`#name`: a letter, then letters, digits, `-`, `_`, `:`, `.`), or drop the fragment",
            )
        } else {
            (
                format!("`{keyword}` has a fragment"),
                "a `$id` names a schema resource: drop the `#...`, and name the subschema with `$anchor` (Core §8.2.1, §8.2.2)",
            )
        };
        diags.push(error(codes::INVALID_KEYWORD_VALUE, message, "here").with_help(help));
    }

    /// Anchor `name` (written at `ptr`) for schema `s`, in the nearest resource around it.
    #[allow(clippy::too_many_arguments)]
    fn anchor(
        &mut self,
        ids: &[(ContractId, &str, &Node)],
        contract: usize,
        s: &Subschema,
        name: &str,
        span: Span,
        ptr: &Pointer,
        diags: &mut Vec<Diagnostic>,
    ) {
        let resource = self.resource(contract, &s.pointer).0.clone();
        let key = (contract, resource, name.to_string());
        match self.globals.anchors.get(&key) {
            Some(other) if *other != s.pointer => diags.push(
                Diagnostic::error(
                    codes::DUPLICATE_ID,
                    ids[contract].1,
                    span,
                    ptr.clone(),
                    format!("anchor `#{name}` also names \"{other}\" in this schema resource"),
                )
                .with_label("taken")
                .with_help("give every anchor of a schema resource its own name: a `$ref` to it could mean either"),
            ),
            _ => {
                self.globals.anchors.insert(key, s.pointer.clone());
            }
        }
    }
}

/// Reads the index: [`IndexData`], the index being built, or the database's view of it (each
/// part a query of its own). `$ref` resolution is written once, here.
pub(crate) trait Resolve {
    /// Contract `contract`'s part.
    fn slice(&self, contract: usize) -> &Slice;
    fn globals(&self) -> &Globals;

    /// The nearest schema resource around `at` in contract `contract`: its root's pointer and
    /// its base URI.
    fn resource(&self, contract: usize, at: &Pointer) -> (&Pointer, &str) {
        // Resources are in document order: the last one around `at` is the nearest.
        let resources = &self.slice(contract).resources;
        let (p, uri) = resources.iter().rfind(|(p, _)| at.tokens().starts_with(p.tokens())).unwrap_or(&resources[0]);
        (p, uri)
    }

    /// The schema a `$ref` written at `at` (the `$ref`'s pointer) in contract `from` names (Core
    /// §8.2.3.1): its URI reference resolved against the base URI of the nearest resource around
    /// it, else against the contract's file's URI (so `Other@1.0.json` finds the file beside it),
    /// to a contract or a resource; then its fragment, a JSON pointer (RFC 6901, in its URI form,
    /// RFC 3986 percent-encoding) from that resource's root, or one of its anchors.
    fn locate(&self, from: usize, at: &Pointer, reference: &str) -> Option<(usize, Pointer)> {
        self.target(from, at, reference).filter(|(contract, pointer)| self.slice(*contract).schemas.contains(pointer))
    }

    /// The unknown keyword of the nearest schema around `pointer` of contract `contract` that
    /// `pointer` stands under, if it stands under one (not in the value of a keyword, known not
    /// to be a schema there).
    fn under_unknown_keyword(&self, contract: usize, pointer: &Pointer) -> Option<Pointer> {
        let t = pointer.tokens();
        let known = |k: &str| {
            (is_keyword(k) && !k.starts_with("x-"))
                || [SCHEMA_MAPS, SCHEMA_ARRAYS, SCHEMA_VALUES, RESOURCE_KEYWORDS].iter().any(|l| l.contains(&k))
        };
        let prefix = |n: usize| t[..n].iter().fold(Pointer::root(), |p, k| p.join(k.clone()));
        let n = (0..t.len()).rev().find(|&n| self.slice(contract).schemas.contains(&prefix(n)))?;
        (!known(&t[n])).then(|| prefix(n + 1))
    }

    /// Whether the unknown keyword at `pointer` of contract `contract` holds schemas a `$ref` names.
    fn is_folder(&self, contract: usize, pointer: &Pointer) -> bool {
        self.slice(contract).folders.contains(pointer)
    }

    /// Where a `$ref` written at `at` in contract `from` points, as [`Index::locate`] finds it,
    /// whether a schema stands there or not.
    fn target(&self, from: usize, at: &Pointer, reference: &str) -> Option<(usize, Pointer)> {
        self.resolve(from, &self.reference_uris(from, at, reference))
    }

    /// What resolving a `$ref` written at `at` in contract `from` needs of the contract alone:
    /// the URIs its document may be (against the base URI around it, then the contract's file's),
    /// or the resource around it when it names none, and its fragment, percent-decoded.
    fn reference_uris(&self, from: usize, at: &Pointer, reference: &str) -> RefUris {
        let (document, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let (here, base) = self.resource(from, at);
        let fragment = percent_decode_str(fragment).decode_utf8_lossy().into_owned();
        if document.is_empty() {
            return RefUris { here: Some(here.clone()), documents: Vec::new(), fragment };
        }
        let documents =
            [base, self.slice(from).file.as_str()].into_iter().filter_map(|base| resolve_uri(base, document)).collect();
        RefUris { here: None, documents, fragment }
    }

    /// The schema a `$ref` of contract `from` names, given its [`Resolve::reference_uris`]: the
    /// first of its documents that is a contract or a resource, then its fragment there.
    fn resolve(&self, from: usize, uris: &RefUris) -> Option<(usize, Pointer)> {
        let (contract, resource) = match &uris.here {
            Some(here) => (from, here.clone()),
            None => uris.documents.iter().find_map(|uri| self.globals().by_uri.get(uri)).cloned()?,
        };
        let pointer = match Pointer::parse(&uris.fragment) {
            Some(p) => concat(&resource, &p),
            None => self.globals().anchors.get(&(contract, resource, uris.fragment.clone()))?.clone(),
        };
        Some((contract, pointer))
    }

    /// Why a `$ref` written at `at` in contract `from` does not resolve, when the document it
    /// names is none of the project's: a note for the diagnostic.
    fn unknown_document(&self, from: usize, at: &Pointer, reference: &str) -> Option<String> {
        let (document, _) = reference.split_once('#').unwrap_or((reference, ""));
        if document.is_empty() {
            return None;
        }
        let base = self.resource(from, at).1;
        let known = [base, self.slice(from).file.as_str()]
            .into_iter()
            .any(|b| resolve_uri(b, document).is_some_and(|uri| self.globals().by_uri.contains_key(&uri)));
        let uri = resolve_uri(base, document).filter(|_| !known)?;
        Some(match uri.strip_prefix("contractc:///") {
            Some(file) => format!("no contract `{file}` in this project"),
            None => format!(
                "`{uri}` is neither a contract of this project nor a schema resource (a `$id`) in one: documents outside the project are not read"
            ),
        })
    }

    /// The type index of the schema at `pointer` of contract `contract`, if it has a named type:
    /// 0 for the root.
    fn type_at(&self, contract: usize, pointer: &Pointer) -> Option<usize> {
        if pointer.tokens().is_empty() { Some(0) } else { self.slice(contract).types.get(pointer).copied() }
    }

    /// The schemas of contract `contract` with a named type besides the root, by type index from 1.
    fn named(&self, contract: usize) -> &[Pointer] {
        &self.slice(contract).named
    }

    /// The order in which to lower the named types of contract `contract` (by `named` position):
    /// the schemas `$ref`s name besides `$defs` entries first, the deepest first, so that a
    /// schema that holds one finds it lowered (see `Lowerer::ty`); then the `$defs` entries.
    fn lowering_order(&self, contract: usize) -> Vec<usize> {
        let slice = self.slice(contract);
        let (named, definitions) = (&slice.named, slice.definitions);
        let mut others: Vec<usize> = (definitions..named.len()).collect();
        others.sort_by_key(|&k| std::cmp::Reverse(named[k].tokens().len()));
        others.into_iter().chain(0..definitions).collect()
    }

    /// The `$defs`/`definitions` of contract `contract` that are not objects.
    fn bad_definitions(&self, contract: usize) -> &[Pointer] {
        &self.slice(contract).bad_definitions
    }

    /// Writes each `$ref` of `node`, the schema at `at` of contract `contract`, so that it names
    /// the same schema wherever `node` is lowered (a composition merges it into another schema,
    /// perhaps of another contract): as its file's URI and the JSON pointer to the schema it names;
    /// a `$ref` that does not resolve, when `node` is `borrowed` into another contract, resolved
    /// against its base URI (and reported there by that URI). `at` may be where a composition
    /// merged the schema (a `$ref` in it is rebased already, its base URI the one around).
    fn rebase(&self, node: &mut Node, contract: usize, at: &Pointer, borrowed: bool) {
        let edits: Vec<(Pointer, String)> = subschemas(node)
            .0
            .iter()
            .filter_map(|s| {
                let r = s.node.get("$ref")?.as_str()?;
                let there = concat(at, &s.pointer);
                let text = match self.locate(contract, &there.join("$ref"), r) {
                    Some((c, p)) => format!("{}#{}", self.slice(c).file, utf8_percent_encode(&p.to_string(), FRAGMENT)),
                    None if borrowed => resolve_uri(self.resource(contract, &there).1, r)?,
                    None => return None,
                };
                Some((s.pointer.join("$ref"), text))
            })
            .collect();
        for (p, text) in edits {
            if let Some(r) = node.at_mut(&p) {
                r.value = Value::String(text);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The index from each contract's own part is the index of the whole project, diagnostics
    /// included: with `$id`s on subschemas, anchors, draft 7's `id` fragments, folders under an
    /// unknown keyword, `$ref`s into another contract's properties, and two contracts declaring
    /// one document (which the whole project decides).
    #[test]
    fn the_assembled_index_is_the_whole_projects() {
        let a = r##"{ "$id": "https://x.test/a.json", "type": "object",
            "properties": { "p": { "$ref": "B@1.0.json#/properties/q" }, "f": { "$ref": "#/folder/one" },
                "n": { "$id": "nested.json", "$anchor": "here", "type": "string" } },
            "folder": { "one": { "type": "integer" }, "two": { "$ref": "#here" } } }"##;
        let b = r##"{ "$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
            "properties": { "q": { "$id": "#plain", "type": "number" }, "r": { "$ref": "https://x.test/nested.json" } },
            "definitions": { "d": { "$ref": "#plain" } } }"##;
        let c = r##"{ "$id": "https://x.test/a.json", "$anchor": "bad anchor", "type": "string" }"##;
        for files in [vec![("A", a), ("B", b)], vec![("A", a), ("B", b), ("C", c)]] {
            let trees: Vec<(ContractId, String, Node)> = files
                .iter()
                .map(|(name, text)| {
                    let path = format!("contracts/events/{name}@1.0.json");
                    (contract_id(&path).unwrap(), path, contractc_syntax::parse(text).0.without_positions())
                })
                .collect();
            let ids: Vec<(ContractId, &str, &Node)> =
                trees.iter().map(|(id, p, n)| (id.clone(), p.as_str(), n)).collect();
            let (mut whole_diags, mut parts_diags) = (Vec::new(), Vec::new());
            let whole = IndexData::new(&ids, &mut whole_diags);
            let locals: Vec<Local> = ids.iter().map(|(id, p, n)| Local::new(id, p, n)).collect();
            let files: Vec<(ContractId, &str)> = ids.iter().map(|(id, p, _)| (id.clone(), *p)).collect();
            let tree = |c: usize| ids[c].2;
            let parts = IndexData::assemble(&files, &tree, &locals.iter().collect::<Vec<_>>(), &mut parts_diags);
            assert_eq!(parts, whole, "{} contracts", files.len());
            whole_diags.sort_by_key(|d| format!("{d:?}"));
            parts_diags.sort_by_key(|d| format!("{d:?}"));
            assert_eq!(parts_diags, whole_diags);
            assert_eq!(whole_diags.is_empty(), files.len() == 2, "{whole_diags:?}");
            // The `$ref`s resolved: into B's property, into A's folder, to an anchor of a nested resource.
            assert!(whole.slice(1).types.contains_key(&Pointer::parse("/properties/q").unwrap()));
            assert!(whole.slice(0).folders.contains(&Pointer::parse("/folder").unwrap()));
        }
    }
}
