//! A step's key: what its result depends on (definition, inputs, allowed host environment),
//! whether a committed result is up to date, and why a step runs (`--explain`).

use std::ffi::OsString;
use std::fs;
use std::path::Path;
use std::time::Duration;

use sha2::{Digest as _, Sha256};

use super::{Produced, Status, StepReport};
use crate::exec::DEFAULT_ENV_ALLOWLIST;
use crate::journal::{Digest, KeyParts, Outcome, Record, hex};
use crate::plan::{Plan, Step};

fn sha256(parts: &[&[u8]]) -> Digest {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    h.finalize().into()
}

/// The environment a step sees: allowlisted host variables that are set, then its own.
pub(super) fn environment(step: &Step) -> Vec<(String, OsString)> {
    let mut names: Vec<&str> = DEFAULT_ENV_ALLOWLIST.to_vec();
    names.extend(step.env_from_host.iter().map(String::as_str));
    names.sort();
    names.dedup();
    let mut env: Vec<(String, OsString)> =
        names.into_iter().filter_map(|n| std::env::var_os(n).map(|v| (n.to_string(), v))).collect();
    for (k, v) in &step.env {
        env.retain(|(n, _)| n != k);
        env.push((k.clone(), v.into()));
    }
    env
}

pub(super) fn key_parts(plan: &Plan, step: &Step, inputs: &[(String, Produced)]) -> KeyParts {
    let def = postcard::to_stdvec(step).expect("steps serialize");
    let validator = step
        .output
        .as_ref()
        .and_then(|o| plan.validators.get(o.validator as usize))
        .map(|v| postcard::to_stdvec(v).expect("validators serialize"))
        .unwrap_or_default();
    let host: Vec<u8> = environment(step)
        .iter()
        .filter(|(k, _)| !step.env.iter().any(|(n, _)| n == k))
        .flat_map(|(k, v)| [k.as_bytes(), b"=", v.as_encoded_bytes(), b"\0"].concat())
        .collect();
    // What a conversion carries inputs through: the migrations and the contract read.
    let conversions: Vec<u8> = step
        .inputs
        .iter()
        .filter_map(|i| i.conversion.as_ref())
        .flat_map(|c| {
            let migrations = c.migrations.iter().filter_map(|&m| plan.migrations.get(m as usize));
            let mut bytes: Vec<u8> =
                migrations.flat_map(|m| postcard::to_stdvec(m).expect("migrations serialize")).collect();
            if let Some(v) = plan.validators.get(c.validator as usize) {
                bytes.extend(postcard::to_stdvec(v).expect("validators serialize"));
            }
            bytes
        })
        .collect();
    KeyParts {
        definition: sha256(&[&def, &validator, &conversions]),
        inputs: inputs.iter().map(|(n, p)| (n.clone(), p.digest)).collect(),
        environment: sha256(&[&host]),
    }
}

pub(super) fn key_of(parts: &KeyParts) -> Digest {
    sha256(&[&postcard::to_stdvec(parts).expect("key parts serialize")])
}

/// The committed result for `key`, if its output is still exactly what was recorded.
/// `stream`: the step's output is JSON Lines.
pub(super) fn up_to_date(
    run_dir: &Path,
    record: Option<&Record>,
    key: &Digest,
    stream: bool,
) -> Option<(StepReport, Produced)> {
    let Record::Committed { step, key: k, outcome, output, messages, admitted, attempts, duration_ms, .. } = record?
    else {
        return None;
    };
    if k != key {
        return None;
    }
    let produced = match output {
        Some((rel, digest)) => {
            let path = run_dir.join(rel);
            if file_digest(&path).ok()? != *digest {
                return None;
            }
            Produced { path: Some(path), digest: *digest, stream }
        }
        None => Produced { path: None, digest: *key, stream },
    };
    let status = match outcome {
        Outcome::Succeeded => Status::UpToDate,
        Outcome::Skipped(why) => Status::Skipped(why.clone()),
    };
    let report = StepReport {
        name: step.clone(),
        status,
        duration: Duration::from_millis(*duration_ms),
        attempts: *attempts,
        messages: *messages,
        rejected: 0,
        admitted: *admitted,
        carried: Vec::new(),
        started: Duration::ZERO,
        finished: Duration::ZERO,
        reason: format!("up to date: committed with key {}", &hex(key)[..12]),
    };
    Some((report, produced))
}

/// Why a step that is not up to date runs (`--explain`).
pub(super) fn explain(previous: Option<&Record>, parts: &KeyParts) -> String {
    let Some(Record::Committed { parts: old, .. }) = previous else {
        return "no committed result for this step".into();
    };
    let mut why = Vec::new();
    if old.definition != parts.definition {
        why.push("its definition changed".to_string());
    }
    for (name, digest) in &parts.inputs {
        if old.inputs.iter().find(|(n, _)| n == name).map(|(_, d)| d) != Some(digest) {
            why.push(format!("input `{name}` changed"));
        }
    }
    if old.environment != parts.environment {
        why.push("its allowed environment changed".to_string());
    }
    if why.is_empty() { "its committed output is missing or was modified".into() } else { why.join(", ") }
}

fn file_digest(path: &Path) -> std::io::Result<Digest> {
    let mut h = Sha256::new();
    let mut f = fs::File::open(path)?;
    std::io::copy(&mut f, &mut h)?;
    Ok(h.finalize().into())
}
