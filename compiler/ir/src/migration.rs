//! A checked migration between two majors of a contract, what backends render `upgrade` and
//! `downgrade` from.
//!
//! The source is a migration file (`contracts/migrations/<namespace>/<Name>@<A.B>..<C.D>.json`);
//! the checker resolved every op against the two schemas and proved that the ops, applied in
//! order, carry every valid message of `from` to a valid message of `to`. Paths are instance
//! paths (JSON pointer tokens, RFC 6901) through object members; pointers name schemas in the
//! contracts' files, as [`NamedType::pointer`](crate::NamedType::pointer) does.
//!
//! `upgrade` applies the ops in order; `downgrade`, when [`Migration::reversible`], undoes them in
//! the reverse order. The lens law `down(up(x)) == x` holds for every valid `x` of `from` unless
//! [`Migration::lossy`].

use crate::{ContractId, Format, Header};

/// A migration, checked: `from` and `to` are places in contract order ([`Program::contracts`](crate::Program::contracts)).
#[derive(Clone, Debug, PartialEq)]
pub struct Migration {
    /// The old version: the latest minor of its major.
    pub from: usize,
    /// The new version: the first minor of the next major.
    pub to: usize,
    /// Project-relative path of the migration file.
    pub source: String,
    /// In file order.
    pub ops: Vec<MigrationOp>,
}

impl Migration {
    /// Whether `downgrade` exists: every op can be undone.
    pub fn reversible(&self) -> bool {
        self.ops.iter().all(MigrationOp::reversible)
    }

    /// What generated code says of the lens law on its `downgrade` (ASCII, one sentence): that
    /// the downgrade after the upgrade gives every message back, or, for a lossy migration, why
    /// it may not.
    pub fn law(&self) -> &'static str {
        if self.lossy() {
            "Lossy: a remove restores its default, not the value, and an integer widened to a number comes back rounded past 2^53."
        } else {
            "The downgrade after the upgrade gives every message back."
        }
    }

    /// Whether an op loses what a message said, so that `down(up(x)) == x` does not hold for
    /// every `x` (a `remove`, whose downgrade restores the default, not the value; an `enum_map`
    /// marked `lossy`; an `integer` → `number` `convert`, past 2^53).
    pub fn lossy(&self) -> bool {
        self.ops.iter().any(MigrationOp::lossy)
    }
}

/// What a file that lists every migration (a crate's `lib.rs`, a package's registry) reads of
/// one: the versions it joins and whether `downgrade` exists. Equal after any edit that keeps
/// these, so such a file is not made again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MigrationHeader {
    pub from: ContractId,
    pub to: ContractId,
    /// The two versions' root types' names ([`Header::root`](crate::Header::root)).
    pub from_root: String,
    pub to_root: String,
    pub reversible: bool,
    /// [`Migration::lossy`].
    pub lossy: bool,
}

impl MigrationHeader {
    /// The header of `m`, which joins the contracts whose headers are `from` and `to`.
    pub fn new(m: &Migration, from: Header, to: Header) -> MigrationHeader {
        MigrationHeader {
            from: from.id,
            to: to.id,
            from_root: from.root,
            to_root: to.root,
            reversible: m.reversible(),
            lossy: m.lossy(),
        }
    }

    /// `events/OrderIntent@1.2..2.0`, as the migration's file is named.
    pub fn key(&self) -> String {
        format!("{}..{}.{}", self.from.key(), self.to.major, self.to.minor)
    }

    /// `order_intent_1_2_to_2_0`: the module of the migration's code (Rust, Python).
    pub fn module(&self) -> String {
        format!("{}_to_{}_{}", self.from.module(), self.to.major, self.to.minor)
    }
}

/// One op, resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct MigrationOp {
    /// JSON pointer of the op in the migration file (`/ops/0`).
    pub pointer: String,
    pub kind: OpKind,
    /// JSON pointer of the schema of the member the op reads in `from`'s file
    /// (`/properties/volume_lots`); `None` for `add`.
    pub source: Option<String>,
    /// JSON pointer of the schema of the member the op writes in `to`'s file
    /// (`/properties/quantity_lots`); `None` for `remove`, and where `to` declares no such
    /// property (an open object keeps it as an unknown member).
    pub target: Option<String>,
}

impl MigrationOp {
    /// Whether `downgrade` can undo the op.
    pub fn reversible(&self) -> bool {
        !matches!(self.kind, OpKind::EnumMap { bijective: false, .. })
    }

    /// Whether the op loses what a message said (see [`Migration::lossy`]): a `remove`, an
    /// `enum_map` that is no bijection, and an `integer` → `number` `convert`, since a double
    /// holds integers exactly only up to 2^53 (RFC 8259 §6), so a larger one comes back rounded.
    pub fn lossy(&self) -> bool {
        matches!(
            self.kind,
            OpKind::Remove { .. }
                | OpKind::EnumMap { bijective: false, .. }
                | OpKind::Convert { widening: Widening::IntegerToNumber, .. }
        )
    }
}

/// What an op does to a message.
#[derive(Clone, Debug, PartialEq)]
pub enum OpKind {
    /// `rename` (a move inside one object) and `move`: the member at `from`, when present, moves
    /// to `to`. `created` lists the objects on `to`'s way that messages of `from` do not have,
    /// outermost first: upgrade makes them when the member is present; downgrade drops them when
    /// the move back leaves them empty.
    Move { from: Vec<String>, to: Vec<String>, created: Vec<Vec<String>> },
    /// `add`: the member at `path` is set to `default` (canonical JSON text) when absent;
    /// downgrade drops it.
    Add { path: Vec<String>, default: String },
    /// `remove`: the member at `path` is dropped; downgrade sets it to `default` (canonical
    /// JSON text).
    Remove { path: Vec<String>, default: String },
    /// `enum_map`: the string at `path`, when present, becomes the second value of the pair whose
    /// first value it is; a value no pair lists is kept. `bijective`: the pairs, with the kept
    /// values, are one-to-one between the two enums, and downgrade maps back.
    EnumMap { path: Vec<String>, pairs: Vec<(String, String)>, bijective: bool },
    /// `convert`: a widening, which leaves the value's canonical JSON as it is; downgrade keeps
    /// it too (every upgraded value is valid under the narrower type).
    Convert { path: Vec<String>, widening: Widening },
}

/// The widenings `convert` knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Widening {
    /// `integer` to `number` (Validation §6.1.1: every integer is a number).
    IntegerToNumber,
    /// A string of this `format` to a plain string.
    FormatToString(Format),
}

/// A path a router carries a message along: from an earlier version of a contract to a
/// migration's target, by `migrations` in the order they apply ([`upgrade_paths`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpgradePath<'a> {
    pub from: &'a Header,
    pub to: &'a Header,
    pub migrations: Vec<&'a MigrationHeader>,
}

impl UpgradePath<'_> {
    /// Whether `downgrade(upgrade(x)) == x` holds for every valid `x` of `from`: the path can be
    /// walked back and no migration on it is lossy.
    pub fn lossless(&self) -> bool {
        self.reversible() && self.migrations.iter().all(|m| !m.lossy)
    }

    /// Whether the path can be walked back ([`downgrade`](UpgradePath::migrations)): it starts at
    /// a migration's own `from` (the latest minor of its major) and every migration on it is
    /// reversible.
    pub fn reversible(&self) -> bool {
        self.migrations.first().is_some_and(|m| m.from == self.from.id) && self.migrations.iter().all(|m| m.reversible)
    }
}

/// Every path from an earlier version of a contract to a migration's target (README,
/// "Migrations": chained across versions, minors by construction, majors by their migration):
/// a minor of an earlier major is read as the latest minor of its major, which the checker's
/// compatibility rules let read it, and carried by the migration out of that major, then by
/// each next major's, to the target. In the order of `contracts` (contract order), then of the
/// targets.
pub fn upgrade_paths<'a>(contracts: &'a [Header], migrations: &'a [MigrationHeader]) -> Vec<UpgradePath<'a>> {
    let family = |a: &ContractId, b: &ContractId| (&a.namespace, &a.name) == (&b.namespace, &b.name);
    let mut paths = Vec::new();
    for from in contracts {
        for target in migrations.iter().filter(|t| family(&t.to, &from.id) && from.id.major < t.to.major) {
            let Some(to) = contracts.iter().find(|h| h.id == target.to) else { continue };
            let mut chain = Vec::new();
            let mut major = from.id.major;
            while let Some(m) = migrations.iter().find(|m| family(&m.from, &from.id) && m.from.major == major) {
                if chain.is_empty() && m.from.minor < from.id.minor {
                    break;
                }
                chain.push(m);
                major = m.to.major;
                if m.to == target.to || major >= target.to.major {
                    break;
                }
            }
            if chain.last().is_some_and(|m| m.to == target.to) {
                paths.push(UpgradePath { from, to, migrations: chain });
            }
        }
    }
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(major: u32, minor: u32) -> ContractId {
        ContractId { namespace: "events".into(), name: "Order".into(), major, minor }
    }

    fn header(major: u32, minor: u32) -> Header {
        Header { id: id(major, minor), root: "Order".into(), object: true }
    }

    fn migration(from: (u32, u32), to: (u32, u32), reversible: bool) -> MigrationHeader {
        MigrationHeader {
            from: id(from.0, from.1),
            to: id(to.0, to.1),
            from_root: "Order".into(),
            to_root: "Order".into(),
            reversible,
            lossy: false,
        }
    }

    #[test]
    fn paths_read_minors_as_their_majors_latest_and_chain_across_majors() {
        let contracts = [header(1, 0), header(1, 2), header(2, 0), header(2, 1), header(3, 0)];
        let migrations = [migration((1, 2), (2, 0), true), migration((2, 1), (3, 0), false)];
        let paths = upgrade_paths(&contracts, &migrations);
        let listed: Vec<(String, String, usize, bool, bool)> = paths
            .iter()
            .map(|p| (p.from.id.key(), p.to.id.key(), p.migrations.len(), p.reversible(), p.lossless()))
            .collect();
        let row = |f: &str, t: &str, n, r, l| (format!("events/Order@{f}"), format!("events/Order@{t}"), n, r, l);
        assert_eq!(
            listed,
            [
                row("1.0", "2.0", 1, false, false),
                row("1.0", "3.0", 2, false, false),
                row("1.2", "2.0", 1, true, true),
                row("1.2", "3.0", 2, false, false),
                row("2.0", "3.0", 1, false, false),
                row("2.1", "3.0", 1, false, false),
            ]
        );
    }
}
