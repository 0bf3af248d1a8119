//! A migration's include file (`<Name>_<A>_<B>_To_<C>_<D>.mqh`): `X_Upgrade` and, when every op
//! can be undone, `X_Downgrade`, each a straight line of `CtcMigrate*` calls (`ctc_json.mqh`) on
//! the message as JSON text, and the one-call readers `<To>_FromJson_<A>_<B>` (a message of the
//! old version read into the new type) and `<From>_FromJson_<C>_<D>` (back).

use contractc_emit::{EmitError, OutputFile, Renderer};
use contractc_ir::{Migration, MigrationHeader, OpKind};
use serde::Serialize;

use crate::{DIR, literal};

#[derive(Serialize)]
struct MigrationView {
    source: String,
    key: String,
    guard: String,
    /// `OrderIntent_1_2` and `OrderIntent_2_0`: the two versions' prefixes (and root structs).
    from: String,
    to: String,
    from_key: String,
    to_key: String,
    /// `OrderIntent_1_2_To_2_0`.
    prefix: String,
    /// `1_2` and `2_0`: the suffixes of the one-call readers.
    from_version: String,
    to_version: String,
    upgrade: Body,
    downgrade: Option<Body>,
    law: &'static str,
}

/// A function body: the arrays it declares, then its statements.
#[derive(Serialize, Default)]
struct Body {
    arrays: Vec<&'static str>,
    lines: Vec<String>,
}

impl Body {
    fn declare(&mut self, array: &'static str) {
        if !self.arrays.contains(&array) {
            self.arrays.push(array);
        }
    }

    /// Sets `array` to `tokens`.
    fn list(&mut self, array: &'static str, tokens: impl IntoIterator<Item = String>) {
        self.declare(array);
        self.lines.push(format!("ArrayResize({array}, 0);"));
        self.lines.extend(tokens.into_iter().map(|t| format!("CtcPathAdd({array}, {});", literal(&t))));
    }

    fn call(&mut self, call: String) {
        self.lines.push(format!("if(!{call}) return false;"));
    }

    fn op(&mut self, op: &OpKind, down: bool) {
        match op {
            OpKind::Move { from, to, created } => {
                let (a, b) = if down { (to, from) } else { (from, to) };
                self.list("a", a.iter().cloned());
                self.list("b", b.iter().cloned());
                self.call("CtcMigrateMove(js, a, b, err)".into());
                if down {
                    for c in created.iter().rev() {
                        self.list("a", c.iter().cloned());
                        self.call("CtcMigrateDropIfEmpty(js, a, err)".into());
                    }
                }
            }
            OpKind::Add { path, default } | OpKind::Remove { path, default } => {
                self.list("a", path.iter().cloned());
                if matches!(op, OpKind::Add { .. }) == down {
                    self.call("CtcMigrateRemove(js, a, err)".into());
                } else {
                    self.call(format!("CtcMigrateAdd(js, a, {}, err)", literal(default)));
                }
            }
            OpKind::EnumMap { path, pairs, .. } => {
                self.list("a", path.iter().cloned());
                let (olds, news): (Vec<String>, Vec<String>) = pairs
                    .iter()
                    .map(|(o, n)| if down { (n.clone(), o.clone()) } else { (o.clone(), n.clone()) })
                    .unzip();
                self.list("olds", olds);
                self.list("news", news);
                self.call("CtcMigrateEnumMap(js, a, olds, news, err)".into());
            }
            OpKind::Convert { .. } => {}
        }
    }
}

/// The include file of migration `m`, whose versions `header` names.
pub fn emit(m: &Migration, header: &MigrationHeader, r: &Renderer) -> Result<OutputFile, EmitError> {
    let (from, to) = (header.from.versioned(), header.to.versioned());
    let prefix = format!("{from}_To_{}_{}", header.to.major, header.to.minor);
    let mut upgrade = Body::default();
    for op in &m.ops {
        upgrade.op(&op.kind, false);
    }
    let downgrade = m.reversible().then(|| {
        let mut b = Body::default();
        for op in m.ops.iter().rev() {
            b.op(&op.kind, true);
        }
        b
    });
    let view = MigrationView {
        source: m.source.clone(),
        key: header.key(),
        guard: format!("CONTRACTC_{}_MQH", prefix.to_uppercase()),
        from_key: header.from.key(),
        to_key: header.to.key(),
        from_version: format!("{}_{}", header.from.major, header.from.minor),
        to_version: format!("{}_{}", header.to.major, header.to.minor),
        from,
        to,
        prefix: prefix.clone(),
        upgrade,
        downgrade,
        law: m.law(),
    };
    Ok(OutputFile::text(format!("{DIR}/{prefix}.mqh"), r.render("mql4/migration.mqh.j2", view)?))
}
