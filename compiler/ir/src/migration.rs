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

use crate::{ContractId, Format};

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
    pub fn new(m: &Migration, from: crate::Header, to: crate::Header) -> MigrationHeader {
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
