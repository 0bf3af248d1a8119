//! Migrations between the majors of a contract: the files
//! (`contracts/migrations/<namespace>/<Name>@<A.B>..<C.D>.json`, [`crate::spec::MigrationSpec`]),
//! the rule that a new major needs one (E0301), and the check that a migration carries every
//! valid message of `A.B` to a valid message of `C.D` (E0302–E0308), into the IR's
//! [`Migration`].
//!
//! The check runs the ops in order over the shape of `A.B`'s messages (its object types, member
//! by member, each with the type and schema pointer it has in `A.B`), then compares the shape
//! they leave with `C.D`'s types: every member as the BACKWARD compatibility rules compare a
//! writer's type with a reader's ([`crate::compat::backward_ty`]), every required member present,
//! no member a closed object of `C.D` rejects. The findings of comparing the two versions as they
//! are ([`crate::compat::backward`]) that an op explains (it reads or writes the member they
//! name) become notes (N0301); the others are errors of the migration (E0307).

use contractc_diagnostics::{Code, Diagnostic, codes};
use contractc_ir::{
    Additional, ContractId, Contracts, Migration, MigrationOp, OpKind, StringTy, Ty, TypeKind, TypeRef, Widening,
};
use contractc_syntax::{Node, Pointer, Span, escape_token};

use crate::compat::Finding;
use crate::spec::{ConvertTo, MigrationSpec, OpSpec};

/// `<namespace>/<Name>@<A.B>..<C.D>`: a migration's identity, from its file name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct MigrationId {
    pub from: ContractId,
    pub to: ContractId,
}

impl MigrationId {
    /// `OrderIntent@1.2..2.0`.
    fn name(&self) -> String {
        format!("{}@{}.{}..{}.{}", self.from.name, self.from.major, self.from.minor, self.to.major, self.to.minor)
    }
}

/// Whether a file (by its project-relative path) is a migration: it stands in a `migrations`
/// folder.
pub fn is_migration(path: &str) -> bool {
    path.split('/').any(|seg| seg == "migrations")
}

/// The id of migration file `path` (`.../migrations/<namespace>/<Name>@<A.B>..<C.D>.json`);
/// `None` when it is not named so ([`misnamed`]).
pub(crate) fn migration_id(path: &str) -> Option<MigrationId> {
    let mut parts = path.rsplit('/');
    let (file, namespace) = (parts.next()?, parts.next()?);
    if parts.next()? != "migrations" {
        return None;
    }
    let (from, to) = file.strip_suffix(".json")?.split_once("..")?;
    let (name, _) = from.split_once('@')?;
    let from = crate::schema::contract_id(&format!("{namespace}/{from}.json"))?;
    let to = crate::schema::contract_id(&format!("{namespace}/{name}@{to}.json"))?;
    Some(MigrationId { from, to })
}

/// E0308 for migration file `path`, which is not named like one.
pub(crate) fn misnamed(path: &str) -> Diagnostic {
    Diagnostic::error(
        codes::INVALID_MIGRATION,
        path,
        Span::default(),
        Pointer::root(),
        format!("`{path}` is not named like a migration"),
    )
    .with_label("file name")
    .with_help(
        "name migration files `migrations/<namespace>/<Name>@<A.B>..<C.D>.json`, e.g. `migrations/events/OrderIntent@1.2..2.0.json`",
    )
}

/// Whether contracts `a` and `b` are versions of one contract.
fn same_contract(a: &ContractId, b: &ContractId) -> bool {
    a.namespace == b.namespace && a.name == b.name
}

/// The pair a new major needs a migration for: for contract `k` of `ids` (contract order) that
/// is the first minor of a major after another major of its contract, the latest minor of the
/// major before it.
fn needs(ids: &[&ContractId], k: usize) -> Option<usize> {
    let before = k.checked_sub(1)?;
    (same_contract(ids[before], ids[k]) && ids[before].major != ids[k].major).then_some(before)
}

/// E0301 for every new major of `ids` (contract order; `paths` their files) that no migration
/// of `migrations` reaches from the latest minor of the major before it.
pub(crate) fn check_majors(
    ids: &[&ContractId],
    paths: &[&str],
    migrations: &[&MigrationId],
    diags: &mut Vec<Diagnostic>,
) {
    for k in 0..ids.len() {
        let Some(before) = needs(ids, k) else { continue };
        let wanted = MigrationId { from: ids[before].clone(), to: ids[k].clone() };
        if migrations.contains(&&wanted) {
            continue;
        }
        diags.push(
            Diagnostic::error(
                codes::MISSING_MIGRATION,
                paths[k],
                Span::default(),
                Pointer::root(),
                format!("{} is a new major with no migration from {}", ids[k].key(), ids[before].key()),
            )
            .with_label("new major")
            .with_help(format!(
                "write `migrations/{}/{}.json` with the ops (rename, move, add, remove, enum_map, convert) that carry a {}.{} message to {}.{}",
                wanted.from.namespace,
                wanted.name(),
                wanted.from.major,
                wanted.from.minor,
                wanted.to.major,
                wanted.to.minor
            )),
        );
    }
}

/// What a migration check reads: the contracts, in contract order, and how to locate a pointer
/// in a contract's file.
pub(crate) struct Context<'a> {
    pub contracts: &'a dyn Contracts,
    pub ids: &'a [&'a ContractId],
    pub span: &'a dyn Fn(&str, &str) -> Span,
}

/// Checks migration `id` (file `path`, position-free tree `root`): its versions (E0302), its
/// shape (E0308), each op against the two schemas (E0303–E0306, E0308) and the message the ops
/// leave (E0307); the compatibility findings between the two versions that an op explains are
/// notes (N0301). The IR of the migration when it has no errors.
pub(crate) fn check(
    cx: &Context<'_>,
    id: &MigrationId,
    path: &str,
    root: &Node,
    diags: &mut Vec<Diagnostic>,
) -> Option<Migration> {
    let (from, to) = versions(cx.ids, id, path, diags)?;
    let spec = read(path, root, diags)?;
    let mut run = Run { cx, path, root, from, to, ops: Vec::new(), diags: Vec::new() };
    let mut shape = Member {
        name: String::new(),
        required: true,
        origin: Some(String::new()),
        value: Value::Old(Ty::Named(TypeRef { contract: from, index: 0 })),
    };
    for (i, op) in spec.ops.iter().enumerate() {
        run.op(&mut shape, i, op);
    }
    if run.diags.is_empty() {
        run.result(&shape);
    }
    let clean = run.diags.iter().all(|d| d.severity != contractc_diagnostics::Severity::Error);
    diags.append(&mut run.diags);
    let ops = run.ops.into_iter().map(|(_, op)| op).collect();
    clean.then(|| Migration { from, to, source: path.to_string(), ops })
}

/// The places of the two versions of `id` in contract order, when they are the latest minor of
/// a major and the first minor of the next (E0302 otherwise).
fn versions(ids: &[&ContractId], id: &MigrationId, path: &str, diags: &mut Vec<Diagnostic>) -> Option<(usize, usize)> {
    let find = |c: &ContractId| ids.iter().position(|i| *i == c);
    let problem = match (find(&id.from), find(&id.to)) {
        (None, _) => format!("there is no contract {}", id.from.key()),
        (_, None) => format!("there is no contract {}", id.to.key()),
        (Some(_), Some(_)) if id.from.major >= id.to.major => {
            format!("{} is no later major than {}: minors of one major need no migration", id.to.key(), id.from.key())
        }
        (Some(_), Some(to)) => match needs(ids, to) {
            Some(before) if ids[before] == &id.from => return Some((before, to)),
            Some(before) => {
                let wanted = MigrationId { from: ids[before].clone(), to: id.to.clone() };
                format!(
                    "{} follows {}, the latest minor of the major before it, not {}: name the migration `{}.json`",
                    id.to.key(),
                    ids[before].key(),
                    id.from.key(),
                    wanted.name()
                )
            }
            None => format!("{} is not the first minor of a major after another", id.to.key()),
        },
    };
    diags.push(
        Diagnostic::error(codes::MIGRATION_UNKNOWN_VERSION, path, Span::default(), Pointer::root(), problem)
            .with_label("file name")
            .with_help("a migration joins the latest minor of one major and the first minor of the next: name it after them (`<Name>@<A.B>..<C.D>.json`)"),
    );
    None
}

/// The file as a [`MigrationSpec`], or E0308 at the op (or the key) that does not fit.
fn read(path: &str, root: &Node, diags: &mut Vec<Diagnostic>) -> Option<MigrationSpec> {
    let error = match crate::schema::json_value(root).map(serde_json::from_value::<MigrationSpec>) {
        Some(Ok(spec)) => return Some(spec),
        Some(Err(e)) => e.to_string(),
        None => "a number no double holds".to_string(),
    };
    // The first op that does not read as an op, when that is what is wrong.
    let ops = root.get("ops").and_then(Node::as_array).unwrap_or_default();
    let (pointer, message) = ops
        .iter()
        .enumerate()
        .find_map(|(i, op)| {
            let e = match crate::schema::json_value(op).map(serde_json::from_value::<OpSpec>) {
                Some(Ok(_)) => return None,
                Some(Err(e)) => e.to_string(),
                None => "a number no double holds".to_string(),
            };
            Some((Pointer::root().join("ops").join(i.to_string()), format!("op {i} is not an op: {e}")))
        })
        .unwrap_or_else(|| (Pointer::root(), format!("not a migration: {error}")));
    diags.push(
        Diagnostic::error(codes::INVALID_MIGRATION, path, root.locate(&pointer), pointer, message)
            .with_label("not a migration")
            .with_help("a migration is `{\"ops\": [...]}`, each op one of rename, move, add, remove, enum_map, convert (generated/migration.schema.json)"),
    );
    None
}

/// A member of a message as the ops so far leave it.
#[derive(Clone, Debug)]
struct Member {
    name: String,
    /// Present in every message (each object on its way, and it, required in `from`).
    required: bool,
    /// JSON pointer of its schema in `from`'s file; `None` for what the ops made.
    origin: Option<String>,
    value: Value,
}

#[derive(Clone, Debug)]
enum Value {
    /// A value of this type of `from`.
    Old(Ty),
    /// An object whose members the ops changed: an object of `from` opened up (its schema at
    /// `pointer`, what its undeclared members may be in `additional`), or one a move made (no
    /// undeclared members).
    Object { members: Vec<Member>, pointer: String, additional: Additional },
    /// `add`'s default, checked against `to` already.
    Added,
    /// An enum of `from` (its type, maybe nullable), with its values mapped.
    Mapped { ty: Ty, values: Vec<String> },
}

impl Member {
    /// Present in every message: a made object when one of its members is.
    fn present(&self) -> bool {
        match &self.value {
            Value::Object { members, .. } if self.origin.is_none() => members.iter().any(Member::present),
            _ => self.required,
        }
    }
}

/// Why a path does not lead to a member.
enum Miss {
    /// No member at the first `.0` tokens.
    Absent(usize),
    /// The value at the first `.0` tokens is not an object the path may go into.
    NotObject(usize),
}

struct Run<'a, 'c> {
    cx: &'a Context<'c>,
    path: &'a str,
    root: &'a Node,
    from: usize,
    to: usize,
    /// Each op resolved, with its name.
    ops: Vec<(&'static str, MigrationOp)>,
    diags: Vec<Diagnostic>,
}

/// The compatibility rules on an object's members that the comparison of the migrated shape
/// decides itself, member by member (a removed member may have been moved, a required one added).
const DECIDED: [Code; 4] = [
    codes::PROPERTY_REMOVED,
    codes::REQUIRED_PROPERTY_ADDED,
    codes::OPTIONAL_BECAME_REQUIRED,
    codes::ADDITIONAL_PROPERTIES_REMOVED,
];

/// Whether pointer `a` is `b` or names a schema inside it.
fn within(b: &str, a: &str) -> bool {
    a == b || a.strip_prefix(b).is_some_and(|rest| rest.starts_with('/'))
}

/// The values of `ty` when it is a string enum (maybe nullable).
fn enum_values<'c>(contracts: &'c dyn Contracts, ty: &Ty) -> Option<&'c Vec<String>> {
    match ty.non_null() {
        Ty::Named(r) => match &contracts.named(*r).kind {
            TypeKind::Enum(values) => Some(values),
            _ => None,
        },
        _ => None,
    }
}

/// `/a/b` from tokens.
fn show(path: &[String]) -> String {
    path.iter().map(|t| format!("/{}", escape_token(t))).collect()
}

impl Run<'_, '_> {
    fn error(&mut self, code: Code, at: &Pointer, message: String, label: &str, help: &str) {
        let d = Diagnostic::error(code, self.path, self.root.locate(at), at.clone(), message)
            .with_label(label)
            .with_help(help);
        self.diags.push(d);
    }

    /// The object members of `value` (an object of `from` is opened up into its fields).
    fn members<'v>(&self, value: &'v mut Value) -> Option<&'v mut Vec<Member>> {
        if let Value::Old(Ty::Named(r)) = value
            && let TypeKind::Object(o) = &self.cx.contracts.named(*r).kind
        {
            let at = &self.cx.contracts.named(*r).pointer;
            let members = o
                .fields
                .iter()
                .map(|f| Member {
                    name: f.name.clone(),
                    required: f.required,
                    origin: Some(format!("{at}/properties/{}", escape_token(&f.name))),
                    value: Value::Old(f.ty.clone()),
                })
                .collect();
            *value = Value::Object { members, pointer: at.clone(), additional: o.additional.clone() };
        }
        match value {
            Value::Object { members, .. } => Some(members),
            _ => None,
        }
    }

    /// The members of the object at `path` and whether every object on the way is present in
    /// every message; with `make`, the objects missing on the way are made (their paths added
    /// to `made`).
    fn object<'m>(
        &self,
        shape: &'m mut Member,
        path: &[String],
        mut made: Option<&mut Vec<Vec<String>>>,
    ) -> Result<(&'m mut Vec<Member>, bool), Miss> {
        let mut required = true;
        let mut here = self.members(&mut shape.value).ok_or(Miss::NotObject(0))?;
        for (depth, token) in path.iter().enumerate() {
            let i = match here.iter().position(|m| &m.name == token) {
                Some(i) => i,
                None => {
                    let made = made.as_deref_mut().ok_or(Miss::Absent(depth + 1))?;
                    made.push(path[..=depth].to_vec());
                    let value = Value::Object {
                        members: Vec::new(),
                        pointer: String::new(),
                        additional: Additional::Forbidden,
                    };
                    here.push(Member { name: token.clone(), required: false, origin: None, value });
                    here.len() - 1
                }
            };
            required &= here[i].required;
            here = self.members(&mut here[i].value).ok_or(Miss::NotObject(depth + 1))?;
        }
        Ok((here, required))
    }

    /// The path an op names (`field` of op `i`), or E0308 when it names no member.
    fn path(&mut self, at: &Pointer, text: &str) -> Option<Vec<String>> {
        match Pointer::parse(text) {
            Some(p) if !p.tokens().is_empty() => Some(p.tokens().to_vec()),
            _ => {
                self.error(
                    codes::INVALID_MIGRATION,
                    at,
                    format!("`{text}` is not a JSON pointer to a member of the message"),
                    "not a member's pointer",
                    "name members by JSON pointer from the message's root (RFC 6901), e.g. `/protection/stop_loss`",
                );
                None
            }
        }
    }

    /// The diagnostic of a path that leads nowhere.
    fn miss(&mut self, at: &Pointer, path: &[String], miss: Miss) {
        let version = self.cx.contracts.at(self.from).id.key();
        match miss {
            Miss::Absent(n) => self.error(
                codes::MIGRATION_MISSING_PROPERTY,
                at,
                format!("a message of {version} has no member `{}` at this point of the migration", show(&path[..n])),
                "no such member",
                "name a property the old version declares, as the ops before this one leave it (a renamed or moved member goes by its new path)",
            ),
            Miss::NotObject(n) => self.error(
                codes::INVALID_MIGRATION,
                at,
                format!("`{}` is not an object of {version}: a path goes through object members only", show(&path[..n])),
                "not an object",
                "name a member of an object (not of an array, a union or a nullable value)",
            ),
        }
    }

    /// The member at `path`, taken out of the shape (E0303 or E0308 when there is none), and
    /// whether every object on its way is present in every message.
    fn take(&mut self, shape: &mut Member, at: &Pointer, path: &[String]) -> Option<(Member, bool)> {
        let (last, parent) = path.split_last().expect("a path names a member");
        let found = self.object(shape, parent, None).and_then(|(members, required)| {
            let i = members.iter().position(|m| &m.name == last).ok_or(Miss::Absent(path.len()))?;
            Ok((members.remove(i), required))
        });
        found.map_err(|miss| self.miss(at, path, miss)).ok()
    }

    /// Puts `member` at `path`, or E0308 when the place is taken or no object; with `made`, the
    /// objects missing on the way are made and listed there (a move), else E0303.
    fn put(
        &mut self,
        shape: &mut Member,
        at: &Pointer,
        path: &[String],
        mut member: Member,
        made: Option<&mut Vec<Vec<String>>>,
    ) {
        let (last, parent) = path.split_last().expect("a path names a member");
        match self.object(shape, parent, made) {
            Ok((members, _)) if members.iter().any(|m| &m.name == last) => self.error(
                codes::INVALID_MIGRATION,
                at,
                format!("a message has a member `{}` already at this point of the migration", show(path)),
                "taken",
                "remove or move that member first, or choose another name",
            ),
            Ok((members, _)) => {
                member.name = last.clone();
                members.push(member);
            }
            Err(miss) => self.miss(at, path, miss),
        }
    }

    /// The schema pointer and type `to` declares at `path`, through its object types.
    fn target(&self, path: &[String]) -> Option<(String, Ty)> {
        let mut ty = Ty::Named(TypeRef { contract: self.to, index: 0 });
        let mut pointer = String::new();
        for token in path {
            let Ty::Named(r) = ty.non_null() else { return None };
            let named = self.cx.contracts.named(*r);
            let TypeKind::Object(o) = &named.kind else { return None };
            let f = o.fields.iter().find(|f| &f.name == token)?;
            pointer = format!("{}/properties/{}", named.pointer, escape_token(token));
            ty = f.ty.clone();
        }
        Some((pointer, ty))
    }

    /// The canonical text of the `default` at `at`, checked against `ty` (a type of `version`)
    /// when there is one: E0304 when it is refused.
    fn default(&mut self, at: &Pointer, ty: Option<&Ty>, version: usize) -> Option<String> {
        let node = self.root.at(at)?;
        let checked = match (crate::schema::json_value(node), ty) {
            (None, _) => Err((Pointer::root(), "a number no double holds".to_string())),
            (Some(json), None) => Ok(json),
            (Some(json), Some(ty)) => {
                let validator = contractc_validator::validator_of(self.cx.contracts, ty, self.path);
                crate::schema::instance(&validator, node).map(|()| json)
            }
        };
        match checked {
            Ok(json) => Some(runtime::validate::canonical(&json)),
            Err((inner, why)) => {
                let shown = if inner.tokens().is_empty() { String::new() } else { format!(" at \"{inner}\"") };
                let key = self.cx.contracts.at(version).id.key();
                self.error(
                    codes::MIGRATION_DEFAULT_INVALID,
                    at,
                    format!("the default is not a valid value of {key}{shown}: {why}"),
                    &why,
                    "give a default the version's schema accepts: it is what the member holds after the op (or after a downgrade)",
                );
                None
            }
        }
    }

    fn op(&mut self, shape: &mut Member, i: usize, op: &OpSpec) {
        let at = Pointer::root().join("ops").join(i.to_string());
        let key = |k: &str| at.join(k);
        let (kind, source, target) = match op {
            OpSpec::Rename { path, to } => {
                let Some(from) = self.path(&key("path"), path) else { return };
                let mut dest = from.clone();
                *dest.last_mut().expect("a member") = to.clone();
                let Some((member, _)) = self.take(shape, &key("path"), &from) else { return };
                let source = member.origin.clone();
                self.put(shape, &key("to"), &dest, member, None);
                let target = self.target(&dest).map(|(p, _)| p);
                (OpKind::Move { from, to: dest, created: Vec::new() }, source, target)
            }
            OpSpec::Move { from, to } => {
                let (Some(from), Some(dest)) = (self.path(&key("from"), from), self.path(&key("to"), to)) else {
                    return;
                };
                let Some((mut member, required)) = self.take(shape, &key("from"), &from) else { return };
                member.required &= required;
                let source = member.origin.clone();
                let mut made = Vec::new();
                self.put(shape, &key("to"), &dest, member, Some(&mut made));
                let target = self.target(&dest).map(|(p, _)| p);
                (OpKind::Move { from, to: dest, created: made }, source, target)
            }
            OpSpec::Add { path, .. } => {
                let Some(dest) = self.path(&key("path"), path) else { return };
                let target = self.target(&dest);
                let default = self.default(&key("default"), target.as_ref().map(|(_, ty)| ty), self.to);
                let member = Member { name: String::new(), required: true, origin: None, value: Value::Added };
                self.put(shape, &key("path"), &dest, member, None);
                let Some(default) = default else { return };
                (OpKind::Add { path: dest, default }, None, target.map(|(p, _)| p))
            }
            OpSpec::Remove { path, .. } => {
                let Some(from) = self.path(&key("path"), path) else { return };
                let Some((member, _)) = self.take(shape, &key("path"), &from) else { return };
                // A member the ops made or changed has no type of `from` to check it against.
                let old = match &member.value {
                    Value::Old(ty) => Some(ty.clone()),
                    _ => None,
                };
                let default = self.default(&key("default"), old.as_ref(), self.from);
                let Some(default) = default else { return };
                (OpKind::Remove { path: from, default }, member.origin, None)
            }
            OpSpec::EnumMap { path, map, lossy } => {
                let Some(from) = self.path(&key("path"), path) else { return };
                let Some((mut member, _)) = self.take(shape, &key("path"), &from) else { return };
                let source = member.origin.clone();
                let mapped = self.enum_map(&key("map"), &from, &mut member, map, *lossy);
                self.put(shape, &key("path"), &from, member, None);
                let Some((pairs, bijective)) = mapped else { return };
                let target = self.target(&from).map(|(p, _)| p);
                (OpKind::EnumMap { path: from, pairs, bijective }, source, target)
            }
            OpSpec::Convert { path, to, format } => {
                let Some(from) = self.path(&key("path"), path) else { return };
                let Some((mut member, _)) = self.take(shape, &key("path"), &from) else { return };
                let source = member.origin.clone();
                let widening = self.convert(&at, &mut member, *to, format.as_deref());
                self.put(shape, &key("path"), &from, member, None);
                let Some(widening) = widening else { return };
                let target = self.target(&from).map(|(p, _)| p);
                (OpKind::Convert { path: from, widening }, source, target)
            }
        };
        self.ops.push((op.name(), MigrationOp { pointer: at.to_string(), kind, source, target }));
    }

    /// The type of `member` when the ops so far left it as `from` has it; E0308 otherwise.
    fn old_type(&mut self, at: &Pointer, member: &Member, what: &str) -> Option<Ty> {
        match &member.value {
            Value::Old(ty) => Some(ty.clone()),
            _ => {
                self.error(
                    codes::INVALID_MIGRATION,
                    at,
                    format!("`{}` is no longer a value of the old version here: {what} applies to one", member.name),
                    "changed by an earlier op",
                    "apply this op before the ops that change the member",
                );
                None
            }
        }
    }

    /// `enum_map` on `member` (at `path`): its pairs in the old enum's order, and whether they
    /// make a bijection between the two enums (E0305 when not, unless `lossy`).
    fn enum_map(
        &mut self,
        at: &Pointer,
        path: &[String],
        member: &mut Member,
        map: &std::collections::BTreeMap<String, String>,
        lossy: bool,
    ) -> Option<(Vec<(String, String)>, bool)> {
        let ty = self.old_type(at, member, "enum_map")?;
        let version = self.cx.contracts.at(self.from).id.key();
        let Some(values) = enum_values(self.cx.contracts, &ty).cloned() else {
            self.error(
                codes::INVALID_MIGRATION,
                at,
                format!("`{}` is not an enum of {version}", show(path)),
                "not an enum",
                "map the values of a string enum; for another change of type use convert",
            );
            return None;
        };
        if let Some(unknown) = map.keys().find(|k| !values.contains(k)) {
            self.error(
                codes::MIGRATION_ENUM_NOT_BIJECTIVE,
                &at.join(unknown.clone()),
                format!("\"{unknown}\" is not a value of the enum at `{}` in {version}", show(path)),
                "no such value",
                &format!("map values of the old enum: {}", values.join(", ")),
            );
            return None;
        }
        let image: Vec<String> = values.iter().map(|v| map.get(v).unwrap_or(v).clone()).collect();
        let twice = image.iter().enumerate().find(|(i, v)| image[..*i].contains(v)).map(|(_, v)| v.clone());
        let target = self.target(path).map(|(_, t)| t);
        let new = target.as_ref().and_then(|t| enum_values(self.cx.contracts, t));
        let unreached = new.and_then(|new| new.iter().find(|v| !image.contains(v)).cloned());
        let bijective = twice.is_none() && unreached.is_none();
        if !bijective && !lossy {
            let why = match (twice, unreached) {
                (Some(v), _) => format!("two old values become \"{v}\""),
                (None, v) => format!("the new value \"{}\" has no old value", v.unwrap_or_default()),
            };
            self.error(
                codes::MIGRATION_ENUM_NOT_BIJECTIVE,
                at,
                format!("the enum_map at `{}` is not a bijection: {why}", show(path)),
                "not a bijection",
                "map each old value to a new value of its own and reach every new value, or mark the op `\"lossy\": true` (then there is no downgrade)",
            );
        }
        let pairs = values.iter().filter_map(|v| Some((v.clone(), map.get(v)?.clone()))).collect();
        member.value = Value::Mapped { ty, values: image };
        Some((pairs, bijective))
    }

    /// `convert` of `member` (op at `at`) to `to` (with `format`): the widening, or E0306.
    fn convert(&mut self, at: &Pointer, member: &mut Member, to: ConvertTo, format: Option<&str>) -> Option<Widening> {
        let ty = self.old_type(&at.join("path"), member, "convert")?;
        let contracts = self.cx.contracts;
        let name = |t: &Ty| match t {
            Ty::String(s) => s.format.map_or("a string".to_string(), |f| format!("a `{}` string", f.keyword())),
            Ty::Number(_) => "a number".into(),
            Ty::Integer(_) => "an integer".into(),
            Ty::Boolean => "a boolean".into(),
            Ty::Array(_) => "an array".into(),
            Ty::Named(r) => match &contracts.named(*r).kind {
                TypeKind::Enum(_) => "an enum".into(),
                TypeKind::Object(_) => "an object".into(),
                TypeKind::Alias(_) => "a named type".into(),
                TypeKind::Union(_) | TypeKind::Choice(_) | TypeKind::Untagged(_) => "a union".into(),
            },
            _ => "a value of any type".into(),
        };
        let target = match (to, format) {
            (ConvertTo::String, Some(f)) => format!("a `{f}` string"),
            (ConvertTo::String, None) => "a string".into(),
            (ConvertTo::Number, _) => "a number".into(),
            (ConvertTo::Integer, _) => "an integer".into(),
        };
        let widened = match (ty.non_null(), to, format) {
            (Ty::Integer(_), ConvertTo::Number, None) => Ok((Widening::IntegerToNumber, ty.non_null().clone())),
            (Ty::String(s @ StringTy { format: Some(f), .. }), ConvertTo::String, None) => {
                Ok((Widening::FormatToString(*f), Ty::String(StringTy { format: None, ..s.clone() })))
            }
            (Ty::Number(_), ConvertTo::Integer, _) => {
                Err("a narrowing: an old number such as 1.5 is no integer".to_string())
            }
            (Ty::String(_), ConvertTo::String, Some(_)) => {
                Err("a narrowing: not every old string is one of that format".to_string())
            }
            _ => Err("no widening".to_string()),
        };
        match widened {
            Ok((widening, new)) => {
                member.value = Value::Old(if ty.is_nullable() { Ty::Nullable(Box::new(new)) } else { new });
                Some(widening)
            }
            Err(why) => {
                self.error(
                    codes::MIGRATION_NARROWING_CONVERT,
                    &at.join("to"),
                    format!("convert of {} to {target} is {why}", name(ty.non_null())),
                    "not a widening",
                    "convert widens only (integer → number, a formatted string → string), so that every old value stays valid; a narrowing needs the old messages that do not fit dealt with by hand",
                );
                None
            }
        }
    }

    /// Compares the message the ops leave (`shape`) with `to`: E0307 for what it may violate,
    /// N0301 for each finding between the two versions that an op explains.
    fn result(&mut self, shape: &Member) {
        let mut findings = Vec::new();
        let mut own = Vec::new();
        self.compare(shape, &Ty::Named(TypeRef { contract: self.to, index: 0 }), "", &mut findings, &mut own);
        // What each op reads in `from` and writes in `to`, with the objects its move makes.
        let touched: Vec<(&str, &MigrationOp, Vec<String>)> = self
            .ops
            .iter()
            .map(|(name, op)| {
                let made = match &op.kind {
                    OpKind::Move { created, .. } => {
                        created.iter().filter_map(|p| self.target(p).map(|(t, _)| t)).collect()
                    }
                    _ => Vec::new(),
                };
                (*name, op, op.target.iter().cloned().chain(made).collect())
            })
            .collect();
        let mut notes = Vec::new();
        for f in crate::compat::backward(self.cx.contracts, self.from, self.to, self.cx.span) {
            let by = touched.iter().find(|(_, op, targets)| {
                op.source.as_deref().is_some_and(|s| within(s, &f.old)) || targets.iter().any(|t| within(t, &f.new))
            });
            match by {
                Some((name, op, _)) => notes.push(self.note(f, name, op)),
                // The members of the objects the ops opened up are compared one by one above.
                None if DECIDED.contains(&f.diagnostic.code) => {}
                None if !findings.iter().any(|g: &Finding| g.diagnostic == f.diagnostic) => findings.push(f),
                None => {}
            }
        }
        let (old, new) = (self.cx.contracts.at(self.from), self.cx.contracts.at(self.to));
        let errors = findings
            .into_iter()
            .map(|f| {
                let through = f.diagnostic.notes.iter().filter(|n| n.starts_with("through")).cloned();
                let notes = [format!("in {}: \"{}\"", new.source, f.new), format!("in {}: \"{}\"", old.source, f.old)];
                (f.diagnostic.label, notes.into_iter().chain(through).collect::<Vec<_>>())
            })
            .chain(own.into_iter().map(|(at, what)| (what, vec![format!("in {}: \"{at}\"", new.source)])))
            .collect::<Vec<_>>();
        let ops = Pointer::root().join("ops");
        for (what, notes) in errors {
            let mut d = Diagnostic::error(
                codes::MIGRATION_RESULT_INVALID,
                self.path,
                self.root.locate(&ops),
                ops.clone(),
                format!("after the ops, a message of {} may not be one of {}: {what}", old.id.key(), new.id.key()),
            )
            .with_label(what);
            d.notes = notes;
            self.diags.push(d.with_help(
                "add the op that carries this member across (rename, move, add with a default, remove with a default, enum_map, convert), or change the new version",
            ));
        }
        self.diags.extend(notes);
    }

    /// N0301: finding `f` between the two versions, which `op` explains.
    /// Located at the op, which says how messages cross the change.
    fn note(&self, f: Finding, name: &str, op: &MigrationOp) -> Diagnostic {
        let d = f.diagnostic;
        let at = Pointer::parse(&op.pointer).unwrap_or_default();
        let (old, new) = (self.cx.contracts.at(self.from), self.cx.contracts.at(self.to));
        Diagnostic::note(codes::EXPLAINED_BY_MIGRATION, self.path, self.root.locate(&at), at, d.message)
            .with_label(format!("explained by `{name}`"))
            .with_note(format!("in {}: \"{}\"", new.source, f.new))
            .with_note(format!("in {}: \"{}\"", old.source, f.old))
            .with_note(format!("without the migration: {}/{}", d.code.id, d.code.name))
            .with_help("nothing to do: the migration carries old messages across this change")
    }

    /// The findings of the compatibility rules for a value of `from`'s type `w` (its schema at
    /// `wp`) read as `to`'s type `r` (at `rp`), each once.
    fn types(&self, w: &Ty, r: &Ty, wp: &str, rp: &str, findings: &mut Vec<Finding>) {
        for f in crate::compat::backward_ty(self.cx.contracts, self.from, self.to, self.cx.span, w, r, wp, rp) {
            if !findings.iter().any(|g| g.diagnostic == f.diagnostic) {
                findings.push(f);
            }
        }
    }

    /// Compares member `m` of the shape with type `r` of `to` (its schema at `rp`): findings of
    /// the compatibility rules, and the shape's own problems (pointer in `to`, what).
    fn compare(&self, m: &Member, r: &Ty, rp: &str, findings: &mut Vec<Finding>, own: &mut Vec<(String, String)>) {
        let contracts = self.cx.contracts;
        let to = contracts.at(self.to).id.key();
        match &m.value {
            Value::Added => {}
            Value::Old(ty) => {
                self.types(ty, r, m.origin.as_deref().unwrap_or_default(), rp, findings);
            }
            Value::Mapped { ty, values } => {
                if ty.is_nullable() && !contracts.admits_null(r) {
                    own.push((rp.to_string(), format!("`{}` may be `null`, which {to} refuses", m.name)));
                }
                match (enum_values(contracts, r), r.non_null()) {
                    (Some(new), _) => {
                        for v in values.iter().filter(|v| !new.contains(v)) {
                            own.push((
                                rp.to_string(),
                                format!("enum value \"{v}\" of `{}` is not a value of {to}", m.name),
                            ));
                        }
                    }
                    (None, Ty::String(s)) if *s == StringTy::default() => {}
                    _ => own.push((rp.to_string(), format!("`{}` is an enum, which {to} does not take here", m.name))),
                }
            }
            Value::Object { members, pointer, additional } => {
                let object = match r.non_null() {
                    Ty::Named(x) => match &contracts.named(*x).kind {
                        TypeKind::Object(o) => Some((&contracts.named(*x).pointer, o)),
                        _ => None,
                    },
                    _ => None,
                };
                let Some((at, o)) = object else {
                    own.push((rp.to_string(), format!("`{}` is an object, which {to} does not take here", m.name)));
                    return;
                };
                for g in &o.fields {
                    let gp = format!("{at}/properties/{}", escape_token(&g.name));
                    match members.iter().find(|m| m.name == g.name) {
                        Some(m) => {
                            if g.required && !m.present() {
                                own.push((gp.clone(), format!("`{}` may be absent, and {to} requires it", g.name)));
                            }
                            self.compare(m, &g.ty, &gp, findings, own);
                        }
                        None if g.required => {
                            own.push((gp, format!("required property `{}` of {to} is missing", g.name)));
                        }
                        None => {}
                    }
                }
                for m in members.iter().filter(|m| !o.fields.iter().any(|g| g.name == m.name)) {
                    match &o.additional {
                        Additional::Forbidden => own.push((
                            at.clone(),
                            format!("`{}` is left over, and {to} does not declare it (closed object)", m.name),
                        )),
                        Additional::Typed(t) => {
                            self.compare(m, t, &format!("{at}/additionalProperties"), findings, own)
                        }
                        Additional::Any => {}
                    }
                }
                // The undeclared members old messages may carry, as the compatibility rules
                // compare them (a map's values as types).
                let (wa, ra) = (format!("{pointer}/additionalProperties"), format!("{at}/additionalProperties"));
                match (additional, &o.additional) {
                    (Additional::Forbidden, _) | (Additional::Any, Additional::Any) => {}
                    (Additional::Typed(a), Additional::Typed(b)) => self.types(a, b, &wa, &ra, findings),
                    (Additional::Typed(_), _) => own
                        .push((ra, format!("old messages may carry members of a map here, which {to} does not take"))),
                    (Additional::Any, _) => own.push((
                        ra,
                        format!("old messages may carry unknown members of any value here, which {to} does not take"),
                    )),
                }
            }
        }
    }
}
