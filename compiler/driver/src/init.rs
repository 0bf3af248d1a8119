//! `contractc init [DIR]`: a new project, ready to build: a commented `contractc.toml`, one
//! example contract and a one-step example workflow. It writes no file that exists already.

use std::path::{Path, PathBuf};

use crate::Failure;

/// The files of a new project: each path (inside the project folder) and its text.
pub const FILES: &[(&str, &str)] = &[
    (
        "contractc.toml",
        r#"# contractc configuration (README.md, "CLI", has every setting).

# Contracts: <contracts>/<namespace>/<Name>@<MAJOR>.<MINOR>.json, JSON Schema (draft 2020-12,
# 2019-09, 7, 6 or 4); workflow specs in <contracts>/workflows/.
contracts = "contracts"
# Everything generated goes here, and nowhere else; commit it, and run `contractc build --check` in CI.
output = "generated"
# What to generate: rust (a crate), python (a Pydantic v2 package), mql4 (include files for
# MetaTrader 4 Expert Advisors), plan (a plan per workflow for the runtime:
# generated/plans/<name>@<MAJOR>.<MINOR>.plan.bin, e.g. `runtime generated/plans/hello@1.0.plan.bin`).
backends = ["rust", "python", "mql4", "plan"]
# Templates are built in; a folder of *.j2 files overrides them file by file
# (`contractc templates export templates` writes them out to start from).
# templates = "templates"

[rust]
crate = "contracts"

[python]
package = "contracts"

[compatibility]
# Between the minors of a contract: BACKWARD, FORWARD, FULL, their _TRANSITIVE forms, or NONE.
default = "BACKWARD_TRANSITIVE"
"#,
    ),
    (
        "contracts/events/PriceTick@1.0.json",
        r#"{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "PriceTick",
  "description": "One quote of an instrument: the best bid and ask at a point in time.",
  "type": "object",
  "properties": {
    "symbol": { "type": "string", "pattern": "^[A-Z]{6}$", "description": "The instrument, e.g. EURUSD." },
    "bid": { "type": "number", "exclusiveMinimum": 0 },
    "ask": { "type": "number", "exclusiveMinimum": 0 },
    "time": { "type": "string", "format": "date-time", "description": "When the quote was taken (RFC 3339)." }
  },
  "required": ["symbol", "bid", "ask", "time"],
  "additionalProperties": false,
  "examples": [{ "symbol": "EURUSD", "bid": 1.0841, "ask": 1.0843, "time": "2026-01-02T09:00:00Z" }]
}
"#,
    ),
    (
        "contracts/workflows/hello@1.0.json",
        r#"{
  "$schema": "../../generated/workflow.schema.json",
  "name": "hello",
  "description": "One step that writes one PriceTick; the runtime validates it against its contract.",
  "steps": [
    {
      "name": "tick",
      "run": ["sh", "-c", "echo '{\"symbol\":\"EURUSD\",\"bid\":1.0841,\"ask\":1.0843,\"time\":\"2026-01-02T09:00:00Z\"}' > \"$CTC_OUTPUT\""],
      "output": { "contract": "events/PriceTick@1.0" }
    }
  ]
}
"#,
    ),
];

/// Writes a new project into `dir` (created if missing): the paths written. Refuses, writing
/// nothing, when any of its files exists already.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>, Failure> {
    crate::write_new_files(dir, FILES)
}
