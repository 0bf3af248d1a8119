//! Compatibility between the minors of one contract, with buf's and Confluent Schema Registry's
//! vocabulary: a policy per contract (BACKWARD, FORWARD, FULL, their TRANSITIVE forms, NONE;
//! default BACKWARD_TRANSITIVE), named rules with stable codes, and for each finding both
//! versions, the JSON pointer in each, and whom it breaks.
//!
//! Every rule is one question: does the reader's schema accept every message the writer's
//! schema accepts? BACKWARD asks it with the old version writing and the new one reading (new
//! readers of old messages); FORWARD with the new writing and the old reading. A closed reader
//! rejects a property only the writer knows; an open reader keeps it as an unknown member, but an
//! open writer's messages may carry any member the reader declares, with any value (Confluent's
//! rule for open content models).
//! Different majors are compared only through their migration (`crate::migration`), BACKWARD:
//! [`backward`] and [`backward_ty`].

use contractc_diagnostics::{Code, Diagnostic, codes};
use contractc_ir::{Additional, Bound, ContractId, Contracts, Ty, TypeKind, TypeRef};
use contractc_syntax::{Pointer, Span};

/// A compatibility policy (Confluent Schema Registry's names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Compatibility {
    Backward,
    #[default]
    BackwardTransitive,
    Forward,
    ForwardTransitive,
    Full,
    FullTransitive,
    None,
}

impl Compatibility {
    /// Parses `BACKWARD`, `FULL_TRANSITIVE`, ... (case-insensitive).
    pub fn parse(s: &str) -> Option<Compatibility> {
        Some(match s.to_ascii_uppercase().as_str() {
            "BACKWARD" => Compatibility::Backward,
            "BACKWARD_TRANSITIVE" => Compatibility::BackwardTransitive,
            "FORWARD" => Compatibility::Forward,
            "FORWARD_TRANSITIVE" => Compatibility::ForwardTransitive,
            "FULL" => Compatibility::Full,
            "FULL_TRANSITIVE" => Compatibility::FullTransitive,
            "NONE" => Compatibility::None,
            _ => return None,
        })
    }

    fn backward(self) -> bool {
        matches!(
            self,
            Compatibility::Backward
                | Compatibility::BackwardTransitive
                | Compatibility::Full
                | Compatibility::FullTransitive
        )
    }

    fn forward(self) -> bool {
        matches!(
            self,
            Compatibility::Forward
                | Compatibility::ForwardTransitive
                | Compatibility::Full
                | Compatibility::FullTransitive
        )
    }

    fn transitive(self) -> bool {
        matches!(
            self,
            Compatibility::BackwardTransitive | Compatibility::ForwardTransitive | Compatibility::FullTransitive
        )
    }
}

/// What the project's configuration tells the checker.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Settings {
    pub compatibility: Policies,
    /// The MQL4 backend is enabled, so its limit applies to every contract (MQL4.md): no
    /// recursive types (a struct cannot contain itself, and generated functions do not recurse).
    pub mql4: bool,
}

/// The policy of each contract (`namespace/Name`), and the default for the others.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Policies {
    pub default: Compatibility,
    pub contracts: Vec<(String, Compatibility)>,
}

impl Policies {
    fn of(&self, subject: &str) -> Compatibility {
        self.contracts.iter().find(|(s, _)| s == subject).map_or(self.default, |(_, c)| *c)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    /// The old version writes, the new one reads.
    Backward,
    /// The new version writes, the old one reads.
    Forward,
}

/// The versions contract `new` (its place in contract order) is compared with under the
/// policies: the earlier minors of its line (same namespace, name and major; `id` gives each
/// contract's id in contract order, where a line's minors stand together, oldest first), all of
/// them under a TRANSITIVE policy, else the one before it. None for a line's first minor.
pub(crate) fn earlier<'a>(id: &dyn Fn(usize) -> &'a ContractId, new: usize, policies: &Policies) -> Vec<usize> {
    let this = id(new);
    let same_line = |c: &ContractId| c.namespace == this.namespace && c.name == this.name && c.major == this.major;
    let first = (0..new).rev().take_while(|&c| same_line(id(c))).last().unwrap_or(new);
    let earlier = first..new;
    if policy_of(policies, this).transitive() { earlier.collect() } else { earlier.last().into_iter().collect() }
}

fn policy_of(policies: &Policies, id: &ContractId) -> Compatibility {
    policies.of(&format!("{}/{}", id.namespace, id.name))
}

/// Checks contract `new` (its place in contract order) against the earlier minors of its line
/// that [`earlier`] gives, in the directions its policy asks for: BACKWARD (new readers of old
/// messages), FORWARD (old readers of new messages), both for FULL (Confluent Schema Registry's
/// compatibility types). `contracts` reads the contracts the two versions reach; `span` locates a
/// pointer in a file.
pub(crate) fn check(
    contracts: &dyn Contracts,
    earlier: &[usize],
    new: usize,
    policies: &Policies,
    span: &dyn Fn(&str, &str) -> Span,
    diags: &mut Vec<Diagnostic>,
) {
    let policy = policy_of(policies, &contracts.at(new).id);
    for &old in earlier {
        // Where FORWARD is checked a new enum value is an error; elsewhere a warning.
        let warn_new_values = !policy.forward();
        let mut pair = Pair { contracts, old, new, span, warn_new_values, findings: Vec::new() };
        if policy.backward() {
            pair.types(TypeRef { contract: old, index: 0 }, TypeRef { contract: new, index: 0 }, Direction::Backward);
        } else if warn_new_values {
            pair.new_enum_values(TypeRef { contract: old, index: 0 }, TypeRef { contract: new, index: 0 });
        }
        if policy.forward() {
            pair.types(TypeRef { contract: new, index: 0 }, TypeRef { contract: old, index: 0 }, Direction::Forward);
        }
        diags.extend(pair.findings.into_iter().map(|f| f.diagnostic));
    }
}

/// A finding, with the two pointers it compares: `old` in the old version's file, `new` in the
/// new one's (where the diagnostic is).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Finding {
    pub old: String,
    pub new: String,
    pub diagnostic: Diagnostic,
}

/// The BACKWARD findings of contract `new` reading the messages of contract `old` (their places
/// in contract order), whatever their versions: two majors a migration joins. New readers know
/// every old enum value, so a new one is no finding.
pub(crate) fn backward(
    contracts: &dyn Contracts,
    old: usize,
    new: usize,
    span: &dyn Fn(&str, &str) -> Span,
) -> Vec<Finding> {
    let mut pair = Pair { contracts, old, new, span, warn_new_values: false, findings: Vec::new() };
    pair.types(TypeRef { contract: old, index: 0 }, TypeRef { contract: new, index: 0 }, Direction::Backward);
    pair.findings
}

/// [`backward`] for one value: of type `w` of contract `old` (its schema at `wp` there) read as
/// type `r` of contract `new` (at `rp`).
#[allow(clippy::too_many_arguments)]
pub(crate) fn backward_ty(
    contracts: &dyn Contracts,
    old: usize,
    new: usize,
    span: &dyn Fn(&str, &str) -> Span,
    w: &Ty,
    r: &Ty,
    wp: &str,
    rp: &str,
) -> Vec<Finding> {
    let mut pair = Pair { contracts, old, new, span, warn_new_values: false, findings: Vec::new() };
    pair.ty(w, r, wp, rp, Direction::Backward);
    pair.findings
}

struct Pair<'a> {
    contracts: &'a dyn Contracts,
    old: usize,
    new: usize,
    span: &'a dyn Fn(&str, &str) -> Span,
    warn_new_values: bool,
    findings: Vec<Finding>,
}

impl Pair<'_> {
    /// Reports at the new version's pointer; names the old version's pointer and the victims.
    fn report(&mut self, code: Code, dir: Direction, writer_ptr: &str, reader_ptr: &str, message: String) {
        let (old_ptr, new_ptr) = match dir {
            Direction::Backward => (writer_ptr, reader_ptr),
            Direction::Forward => (reader_ptr, writer_ptr),
        };
        let (old, new) = (self.contracts.at(self.old), self.contracts.at(self.new));
        let victims = match dir {
            Direction::Backward => "new readers of old messages (BACKWARD)",
            Direction::Forward => "old readers of new messages (FORWARD)",
        };
        let file = &new.source;
        let d = Diagnostic {
            code,
            severity: code.severity(),
            message: format!("{} → {}: {message}", old.id.file_name(), new.id.file_name()),
            file: file.clone(),
            span: (self.span)(file, new_ptr),
            pointer: Pointer::parse(new_ptr).unwrap_or_default(),
            label: message,
            notes: vec![
                format!("in {}: \"{old_ptr}\"", old.source),
                format!("breaks: {victims}"),
                "help: keep the change for a new major version with a migration, or choose another compatibility policy for this contract in contractc.toml".into(),
            ],
        };
        if !self.findings.iter().any(|f| f.diagnostic == d) {
            self.findings.push(Finding { old: old_ptr.to_string(), new: new_ptr.to_string(), diagnostic: d });
        }
    }

    /// The warning for enum values a newer minor adds, when FORWARD is not checked.
    fn new_enum_values(&mut self, old: TypeRef, new: TypeRef) {
        let (o, n) = (self.contracts.named(old), self.contracts.named(new));
        match (&o.kind, &n.kind) {
            (TypeKind::Enum(ov), TypeKind::Enum(nv)) => {
                for v in nv.iter().filter(|v| !ov.contains(v)) {
                    let (op, np) = (o.pointer.clone(), n.pointer.clone());
                    self.report(
                        codes::NEW_ENUM_VALUE,
                        Direction::Backward,
                        &op,
                        &np,
                        format!("enum value \"{v}\" is new: exhaustive matches in old readers break"),
                    );
                }
            }
            (TypeKind::Object(of), TypeKind::Object(nf)) => {
                for f in &nf.fields {
                    if let (Some(g), Ty::Named(nr)) = (of.fields.iter().find(|g| g.name == f.name), &f.ty)
                        && let Ty::Named(or) = &g.ty
                    {
                        self.new_enum_values(*or, *nr);
                    }
                }
            }
            _ => {}
        }
    }

    fn types(&mut self, w: TypeRef, r: TypeRef, dir: Direction) {
        let (wt, rt) = (self.contracts.named(w), self.contracts.named(r));
        let (wp, rp) = (wt.pointer.clone(), rt.pointer.clone());
        match (&wt.kind, &rt.kind) {
            (TypeKind::Enum(wv), TypeKind::Enum(rv)) => {
                for v in wv.iter().filter(|v| !rv.contains(v)) {
                    let (code, what) = match dir {
                        Direction::Backward => (codes::ENUM_VALUE_REMOVED, format!("enum value \"{v}\" was removed")),
                        Direction::Forward => {
                            (codes::ENUM_VALUE_ADDED, format!("enum value \"{v}\" is new and unknown to old readers"))
                        }
                    };
                    self.report(code, dir, &wp, &rp, what);
                }
                if dir == Direction::Backward && self.warn_new_values {
                    for v in rv.iter().filter(|v| !wv.contains(v)) {
                        self.report(
                            codes::NEW_ENUM_VALUE,
                            dir,
                            &wp,
                            &rp,
                            format!("enum value \"{v}\" is new: exhaustive matches in old readers break"),
                        );
                    }
                }
            }
            (TypeKind::Object(wo), TypeKind::Object(ro)) => {
                // A closed reader rejects the unknown members an open writer's messages may carry.
                let (code, verb) = match dir {
                    Direction::Backward => (codes::CONSTRAINT_TIGHTENED, "tightened"),
                    Direction::Forward => (codes::CONSTRAINT_LOOSENED, "loosened"),
                };
                if ro.min_properties.unwrap_or(0) > wo.min_properties.unwrap_or(0) {
                    let what = format!("minProperties {verb} to {}", ro.min_properties.unwrap_or(0));
                    self.report(code, dir, &wp, &rp, what);
                }
                if let Some(m) = ro.max_properties.filter(|&m| wo.max_properties.is_none_or(|w| m < w)) {
                    self.report(code, dir, &wp, &rp, format!("maxProperties {verb} to {m}"));
                }
                // A reader's `dependentRequired` holds for the writer's messages when the writer
                // states it too, or requires the member.
                for (name, needed) in &ro.dependent_required {
                    let stated = wo.dependent_required.iter().find(|(w, _)| w == name).map_or(&[][..], |(_, n)| n);
                    let required = |n: &String| wo.fields.iter().any(|f| &f.name == n && f.required);
                    for n in needed.iter().filter(|n| !stated.contains(n) && !required(n)) {
                        let what = format!("dependentRequired {verb}: `{name}` needs `{n}`");
                        self.report(code, dir, &wp, &rp, what);
                    }
                }
                // The names of unknown members compare as strings do.
                if !matches!(ro.additional, Additional::Forbidden)
                    && let Some(names) = &ro.extra_names
                {
                    let before = wo.extra_names.clone().unwrap_or_default();
                    self.ty(
                        &Ty::String(before),
                        &Ty::String(names.clone()),
                        &format!("{wp}/propertyNames"),
                        &format!("{rp}/propertyNames"),
                        dir,
                    );
                }
                // `patternProperties` rules: the same pattern's types compare as types; a pattern
                // the reader adds, or forbids, narrows what unknown members may be.
                for r in &ro.pattern_rules {
                    let token = contractc_syntax::escape_token(&r.pattern.source);
                    let (wr, rr) =
                        (format!("{wp}/patternProperties/{token}"), format!("{rp}/patternProperties/{token}"));
                    match (wo.pattern_rules.iter().find(|w| w.pattern.source == r.pattern.source), &r.ty) {
                        (Some(w), Some(b)) => {
                            if let Some(a) = &w.ty {
                                self.ty(a, b, &wr, &rr, dir);
                            }
                        }
                        (Some(w), None) if w.ty.is_some() => {
                            let what =
                                format!("patternProperties `{}` {verb}: no such member any more", r.pattern.source);
                            self.report(code, dir, &wr, &rr, what);
                        }
                        (Some(_), None) => {}
                        (None, _) => {
                            let what = format!("patternProperties `{}` {verb}", r.pattern.source);
                            self.report(code, dir, &wp, &rr, what);
                        }
                    }
                }
                match (wo.unmatched.as_ref().or(wo.map_values()), &ro.unmatched) {
                    (Some(a), Some(b)) => {
                        self.ty(a, b, &format!("{wp}/additionalProperties"), &format!("{rp}/additionalProperties"), dir)
                    }
                    (None, Some(_)) => {
                        let what = format!("additionalProperties beside patternProperties {verb}");
                        self.report(code, dir, &wp, &format!("{rp}/additionalProperties"), what);
                    }
                    _ => {}
                }
                // Unknown members: a map's values compare as types; any value to a map narrows.
                let (wa, ra) = (format!("{wp}/additionalProperties"), format!("{rp}/additionalProperties"));
                match (&wo.additional, &ro.additional) {
                    (Additional::Typed(a), Additional::Typed(b)) => self.ty(a, b, &wa, &ra, dir),
                    (Additional::Any, Additional::Typed(_)) => {
                        let (code, what) = match dir {
                            Direction::Backward => (
                                codes::ADDITIONAL_PROPERTIES_REMOVED,
                                format!(
                                    "`{}` became a map; old messages may carry unknown members of any type",
                                    rt.name
                                ),
                            ),
                            Direction::Forward => (
                                codes::ADDITIONAL_PROPERTIES_ADDED,
                                format!("`{}` is no longer a map; old readers reject other unknown members", rt.name),
                            ),
                        };
                        self.report(code, dir, &wp, &ra, what);
                    }
                    _ => {}
                }
                if !matches!(wo.additional, Additional::Forbidden) && matches!(ro.additional, Additional::Forbidden) {
                    // The closed side states `additionalProperties: false`; the open side may not.
                    let closed = format!("{rp}/additionalProperties");
                    let (code, what) = match dir {
                        Direction::Backward => (
                            codes::ADDITIONAL_PROPERTIES_REMOVED,
                            format!("`{}` was closed; old messages may carry unknown members", rt.name),
                        ),
                        Direction::Forward => (
                            codes::ADDITIONAL_PROPERTIES_ADDED,
                            format!("`{}` was opened; old readers reject unknown members", rt.name),
                        ),
                    };
                    self.report(code, dir, &wp, &closed, what);
                }
                for f in &wo.fields {
                    let fp = format!("{wp}/properties/{}", contractc_syntax::escape_token(&f.name));
                    match ro.fields.iter().find(|g| g.name == f.name) {
                        // An open reader keeps it as an unknown member, a map as one of its values.
                        None if ro.is_open() => {}
                        None if ro.map_values().is_some() => {
                            let values = ro.map_values().expect("a map");
                            self.ty(&f.ty, values, &fp, &format!("{rp}/additionalProperties"), dir);
                        }
                        None => {
                            let (code, what) = match dir {
                                Direction::Backward => (
                                    codes::PROPERTY_REMOVED,
                                    format!("property `{}` was removed; old messages may have it", f.name),
                                ),
                                Direction::Forward => (
                                    codes::PROPERTY_ADDED,
                                    format!("property `{}` is new; old readers reject it (closed object)", f.name),
                                ),
                            };
                            self.report(code, dir, &fp, &rp, what);
                        }
                        Some(g) => {
                            let gp = format!("{rp}/properties/{}", contractc_syntax::escape_token(&g.name));
                            if g.required && !f.required {
                                let (code, what) = match dir {
                                    Direction::Backward => (
                                        codes::OPTIONAL_BECAME_REQUIRED,
                                        format!("property `{}` became required; old messages may lack it", f.name),
                                    ),
                                    Direction::Forward => (
                                        codes::REQUIRED_BECAME_OPTIONAL,
                                        format!("property `{}` became optional; old readers require it", f.name),
                                    ),
                                };
                                self.report(code, dir, &fp, &gp, what);
                            }
                            self.ty(&f.ty, &g.ty, &fp, &gp, dir);
                        }
                    }
                }
                for g in ro.fields.iter().filter(|g| g.required && !wo.fields.iter().any(|f| f.name == g.name)) {
                    let gp = format!("{rp}/properties/{}", contractc_syntax::escape_token(&g.name));
                    let (code, what) = match dir {
                        Direction::Backward => (
                            codes::REQUIRED_PROPERTY_ADDED,
                            format!("required property `{}` was added; old messages lack it", g.name),
                        ),
                        Direction::Forward => (
                            codes::PROPERTY_REMOVED,
                            format!("property `{}` was removed; old readers require it", g.name),
                        ),
                    };
                    self.report(code, dir, &wp, &gp, what);
                }
                // An open writer's messages may carry an optional property the reader declares
                // as an unknown member with any value (Confluent: PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL).
                // A map's old messages may carry the property as one of its values.
                if let Some(values) = wo.map_values() {
                    for g in ro.fields.iter().filter(|g| !g.required && !wo.fields.iter().any(|f| f.name == g.name)) {
                        let gp = format!("{rp}/properties/{}", contractc_syntax::escape_token(&g.name));
                        self.ty(values, &g.ty, &format!("{wp}/additionalProperties"), &gp, dir);
                    }
                }
                if wo.is_open() {
                    for g in ro.fields.iter().filter(|g| !g.required && !wo.fields.iter().any(|f| f.name == g.name)) {
                        let gp = format!("{rp}/properties/{}", contractc_syntax::escape_token(&g.name));
                        let (code, what) = match dir {
                            Direction::Backward => (
                                codes::PROPERTY_ADDED,
                                format!(
                                    "property `{}` is new in an open object; old messages may carry it with any value",
                                    g.name
                                ),
                            ),
                            Direction::Forward => (
                                codes::PROPERTY_REMOVED,
                                format!(
                                    "property `{}` was removed from an open object; new messages may carry it with any value",
                                    g.name
                                ),
                            ),
                        };
                        self.report(code, dir, &wp, &gp, what);
                    }
                }
            }
            (TypeKind::Alias(a), TypeKind::Alias(b)) => self.ty(a, b, &wp, &rp, dir),
            // A writer's branch needs the reader's branch of its JSON type.
            (TypeKind::Choice(wb), TypeKind::Choice(rb)) => {
                for (kind, wty) in wb {
                    match rb.iter().find(|(k, _)| k == kind) {
                        Some((_, rty)) => self.ty(wty, rty, &wp, &rp, dir),
                        None => {
                            let what = format!("a JSON {} is no longer one of the union's types", kind.name());
                            self.report(codes::TYPE_CHANGED, dir, &wp, &rp, what);
                        }
                    }
                }
            }
            // Branch by branch: the first that accepts a value holds it, so order matters.
            (TypeKind::Untagged(wu), TypeKind::Untagged(ru)) => {
                if wu.exactly_one != ru.exactly_one || wu.branches.len() != ru.branches.len() {
                    let what = "the union's branches changed (their number, or `anyOf` against `oneOf`)".to_string();
                    self.report(codes::TYPE_CHANGED, dir, &wp, &rp, what);
                    return;
                }
                for (wty, rty) in wu.branches.iter().zip(&ru.branches) {
                    self.ty(wty, rty, &wp, &rp, dir);
                }
            }
            (TypeKind::Union(wu), TypeKind::Union(ru)) => {
                if wu.tag != ru.tag {
                    self.report(codes::TYPE_CHANGED, dir, &wp, &rp, format!("the union's tag changed to `{}`", ru.tag));
                    return;
                }
                for (value, wv) in &wu.variants {
                    match ru.variants.iter().find(|(v, _)| v == value) {
                        Some((_, rv)) => self.types(
                            TypeRef { contract: w.contract, index: *wv },
                            TypeRef { contract: r.contract, index: *rv },
                            dir,
                        ),
                        None => {
                            let (code, what) = match dir {
                                Direction::Backward => {
                                    (codes::ENUM_VALUE_REMOVED, format!("variant \"{value}\" was removed"))
                                }
                                Direction::Forward => (
                                    codes::ENUM_VALUE_ADDED,
                                    format!("variant \"{value}\" is new and unknown to old readers"),
                                ),
                            };
                            self.report(code, dir, &wp, &rp, what);
                        }
                    }
                }
            }
            _ => self.report(
                codes::TYPE_CHANGED,
                dir,
                &wp,
                &rp,
                format!("`{}` changed between an enum, an object and a union", rt.name),
            ),
        }
    }

    fn ty(&mut self, w: &Ty, r: &Ty, wp: &str, rp: &str, dir: Direction) {
        let strict = |d: Direction| match d {
            Direction::Backward => codes::CONSTRAINT_TIGHTENED,
            Direction::Forward => codes::CONSTRAINT_LOOSENED,
        };
        let verb = match dir {
            Direction::Backward => "tightened",
            Direction::Forward => "loosened",
        };
        match (w, r) {
            (Ty::Nullable(a), Ty::Nullable(b)) => self.ty(a, b, wp, rp, dir),
            (Ty::Nullable(a), b) => {
                let what = match dir {
                    Direction::Backward => "`null` is no longer allowed; old messages may have it",
                    Direction::Forward => "`null` is allowed now; old readers reject it",
                };
                self.report(codes::TYPE_CHANGED, dir, wp, rp, what.into());
                self.ty(a, b, wp, rp, dir);
            }
            // The reader takes `null` besides what the writer sends.
            (a, Ty::Nullable(b)) => self.ty(a, b, wp, rp, dir),
            (Ty::Named(a), Ty::Named(b)) => {
                let (ca, cb) = (&self.contracts.at(a.contract).id, &self.contracts.at(b.contract).id);
                let (old, new) = (self.old, self.new);
                let local = |x: &TypeRef| x.contract == old || x.contract == new;
                let both_local = local(a) && local(b);
                let same_line = ca.namespace == cb.namespace && ca.name == cb.name && ca.major == cb.major;
                if !both_local && !same_line {
                    self.report(
                        codes::REF_TARGET_CHANGED,
                        dir,
                        wp,
                        rp,
                        format!("`$ref` changed from {} to {}", ca.key(), cb.key()),
                    );
                } else if a != b {
                    // Compare the named types; findings land where this property refers to them.
                    let before = self.findings.len();
                    self.types(*a, *b, dir);
                    if !both_local {
                        for f in &mut self.findings[before..] {
                            f.diagnostic.notes.push(format!("through `$ref` at \"{rp}\""));
                        }
                    }
                }
            }
            (Ty::Named(a), Ty::String(s))
                if matches!(self.contracts.named(*a).kind, TypeKind::Enum(_)) && *s == Default::default() => {}
            (Ty::String(a), Ty::String(b)) => {
                if b.min_length.unwrap_or(0) > a.min_length.unwrap_or(0) {
                    self.report(strict(dir), dir, wp, rp, format!("minLength {verb} to {}", b.min_length.unwrap_or(0)));
                }
                if let Some(m) = b.max_length.filter(|&m| a.max_length.is_none_or(|am| m < am)) {
                    self.report(strict(dir), dir, wp, rp, format!("maxLength {verb} to {m}"));
                }
                // Whether one regular language holds another is not decided here: any new or
                // changed pattern counts as a tightening.
                if let Some(p) = b.pattern.as_ref().filter(|p| a.pattern.as_ref().is_none_or(|q| q.source != p.source))
                {
                    self.report(strict(dir), dir, wp, rp, format!("pattern {verb} to `{}`", p.source));
                }
                if b.format.is_some() && b.format != a.format {
                    self.report(
                        codes::FORMAT_CHANGED,
                        dir,
                        wp,
                        rp,
                        format!("format changed to `{}`", b.format.map_or("", |f| f.keyword())),
                    );
                }
            }
            (Ty::Number(a), Ty::Number(b)) => {
                self.bounds(a.minimum, a.maximum, b.minimum, b.maximum, wp, rp, dir);
                self.multiples(a.multiple_of, b.multiple_of, wp, rp, dir);
            }
            (Ty::Integer(a), Ty::Number(b)) => {
                let as_bound = |v: Option<i64>| v.map(|v| Bound { value: v as f64, exclusive: false });
                self.bounds(as_bound(a.minimum), as_bound(a.maximum), b.minimum, b.maximum, wp, rp, dir);
                self.multiples(a.multiple_of.or(Some(1.0)), b.multiple_of, wp, rp, dir);
            }
            (Ty::Integer(a), Ty::Integer(b)) => {
                self.multiples(a.multiple_of, b.multiple_of, wp, rp, dir);
                if let Some(m) = b.minimum.filter(|&m| a.minimum.is_none_or(|am| m > am)) {
                    self.report(strict(dir), dir, wp, rp, format!("minimum {verb} to {m}"));
                }
                if let Some(m) = b.maximum.filter(|&m| a.maximum.is_none_or(|am| m < am)) {
                    self.report(strict(dir), dir, wp, rp, format!("maximum {verb} to {m}"));
                }
            }
            (Ty::Boolean, Ty::Boolean) => {}
            (Ty::Values(a), Ty::Values(b)) => {
                for v in a.iter().filter(|v| !b.contains(v)) {
                    let (code, what) = match dir {
                        Direction::Backward => (codes::ENUM_VALUE_REMOVED, format!("value {v} was removed")),
                        Direction::Forward => {
                            (codes::ENUM_VALUE_ADDED, format!("value {v} is new and unknown to old readers"))
                        }
                    };
                    self.report(code, dir, wp, rp, what);
                }
            }
            (Ty::Array(a), Ty::Array(b)) => {
                if b.min_items.unwrap_or(0) > a.min_items.unwrap_or(0) {
                    self.report(strict(dir), dir, wp, rp, format!("minItems {verb} to {}", b.min_items.unwrap_or(0)));
                }
                if let Some(m) = b.max_items.filter(|&m| a.max_items.is_none_or(|am| m < am)) {
                    self.report(strict(dir), dir, wp, rp, format!("maxItems {verb} to {m}"));
                }
                if b.unique_items && !a.unique_items {
                    self.report(strict(dir), dir, wp, rp, format!("uniqueItems {verb} to true"));
                }
                // A reader's `contains` holds for the writer's arrays when the writer's says as much.
                if let Some(c) = &b.contains {
                    let implied = a.contains.as_ref().is_some_and(|w| {
                        w.ty == c.ty && w.min >= c.min && c.max.is_none_or(|m| w.max.is_some_and(|wm| wm <= m))
                    });
                    if !implied {
                        self.report(strict(dir), dir, wp, rp, format!("contains {verb}"));
                    }
                }
                // Item by item: each position of a tuple (either side's), then the items after them.
                let positions =
                    [a, b].iter().map(|x| x.tuple.as_ref().map_or(0, |t| t.prefix.len())).max().unwrap_or(0);
                for i in 0..=positions {
                    let at = if i < positions { format!("prefixItems/{i}") } else { "items".to_string() };
                    self.ty(a.item(i), b.item(i), &format!("{wp}/{at}"), &format!("{rp}/{at}"), dir);
                }
            }
            _ => self.report(
                codes::TYPE_CHANGED,
                dir,
                wp,
                rp,
                format!("type changed from {} to {}", self.describe(w), self.describe(r)),
            ),
        }
    }

    /// `multipleOf`: the reader's narrows unless every multiple of the writer's is one of it.
    fn multiples(&mut self, w: Option<f64>, r: Option<f64>, wp: &str, rp: &str, dir: Direction) {
        let Some(r) = r else { return };
        if w.is_some_and(|w| runtime::decimal::is_multiple_of(w, r)) {
            return;
        }
        let (code, verb) = match dir {
            Direction::Backward => (codes::CONSTRAINT_TIGHTENED, "tightened"),
            Direction::Forward => (codes::CONSTRAINT_LOOSENED, "loosened"),
        };
        self.report(code, dir, wp, rp, format!("multipleOf {verb} to {r}"));
    }

    #[allow(clippy::too_many_arguments)]
    fn bounds(
        &mut self,
        wmin: Option<Bound>,
        wmax: Option<Bound>,
        rmin: Option<Bound>,
        rmax: Option<Bound>,
        wp: &str,
        rp: &str,
        dir: Direction,
    ) {
        let code = match dir {
            Direction::Backward => codes::CONSTRAINT_TIGHTENED,
            Direction::Forward => codes::CONSTRAINT_LOOSENED,
        };
        let verb = if dir == Direction::Backward { "tightened" } else { "loosened" };
        // Is the reader's lower bound stricter than the writer's?
        let stricter_min = |r: Bound, w: Option<Bound>| {
            w.is_none_or(|w| r.value > w.value || (r.value == w.value && r.exclusive && !w.exclusive))
        };
        let stricter_max = |r: Bound, w: Option<Bound>| {
            w.is_none_or(|w| r.value < w.value || (r.value == w.value && r.exclusive && !w.exclusive))
        };
        if let Some(r) = rmin.filter(|&r| stricter_min(r, wmin)) {
            let kw = if r.exclusive { "exclusiveMinimum" } else { "minimum" };
            self.report(code, dir, wp, rp, format!("{kw} {verb} to {}", r.value));
        }
        if let Some(r) = rmax.filter(|&r| stricter_max(r, wmax)) {
            let kw = if r.exclusive { "exclusiveMaximum" } else { "maximum" };
            self.report(code, dir, wp, rp, format!("{kw} {verb} to {}", r.value));
        }
    }

    fn describe(&self, t: &Ty) -> String {
        match t {
            Ty::String(_) => "string".into(),
            Ty::Number(_) => "number".into(),
            Ty::Integer(_) => "integer".into(),
            Ty::Boolean => "boolean".into(),
            Ty::Array(_) => "array".into(),
            Ty::Named(r) => match &self.contracts.named(*r).kind {
                TypeKind::Enum(_) => "enum".into(),
                TypeKind::Object(_) => "object".into(),
                TypeKind::Union(_) => "union".into(),
                TypeKind::Alias(t) => self.describe(t),
                TypeKind::Choice(branches) => {
                    branches.iter().map(|(_, t)| self.describe(t)).collect::<Vec<_>>().join(" or ")
                }
                TypeKind::Untagged(u) => {
                    let branches: Vec<String> = u.branches.iter().map(|t| self.describe(t)).collect();
                    format!("{} of {}", if u.exactly_one { "one" } else { "any" }, branches.join(", "))
                }
            },
            Ty::Nullable(t) => format!("{} or null", self.describe(t)),
            Ty::Values(v) => format!("one of {}", v.join(", ")),
            Ty::Any => "any value".into(),
        }
    }
}
