//! No input makes the checker panic: proptest mutates real contracts, the workflow spec, the
//! migration and the case files (deletions, insertions of JSON and condition fragments,
//! duplications, swaps) and compiles each mutant with the files it refers to. A bounded number
//! of cases per run.

use std::path::Path;

use contractc_sema::{Database, Settings, SourceFile, Workspace, compile};
use proptest::prelude::*;

/// Fragments that push parsers and checkers to their edges.
const FRAGMENTS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\\",
    "\\u",
    "\\ud800",
    "\\u0000",
    "null",
    "true",
    "1e999",
    "-0",
    "0.5",
    "9223372036854775808",
    "\"$ref\"",
    "\"#/$defs/X\"",
    "\"../x/Y@1.0.json\"",
    "\"Instrument@1.0.json\"",
    "\"type\"",
    "\"object\"",
    "\"array\"",
    "\"integer\"",
    "\"enum\"",
    "\"required\"",
    "\"items\"",
    "\"properties\"",
    "\"$defs\"",
    "\"minimum\"",
    "\"exclusiveMaximum\"",
    "\"format\"",
    "\"date-time\"",
    "\"additionalProperties\"",
    "\"when\"",
    "\"fallback\"",
    "\"retry\"",
    "\"timeout\"",
    "\"depends_on\"",
    "\"inputs\"",
    "&&",
    "||",
    "==",
    "!",
    "(",
    ")",
    ".",
    "\"op\"",
    "\"rename\"",
    "\"move\"",
    "\"enum_map\"",
    "\"convert\"",
    "\"/protection/stop_loss\"",
    "\"1ms\"",
    "\"0s\"",
    "é",
    "😀",
];

fn corpus() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    for dir in ["contracts/events", "contracts/workflows", "contracts/migrations/events"] {
        for e in std::fs::read_dir(root.join(dir)).unwrap() {
            let p = e.unwrap().path();
            files.push((
                format!("{dir}/{}", p.file_name().unwrap().to_string_lossy()),
                std::fs::read_to_string(&p).unwrap(),
            ));
        }
    }
    files.sort();
    files
}

#[derive(Clone, Debug)]
enum Mutation {
    Delete(usize, usize),
    Insert(usize, usize),
    Duplicate(usize, usize),
    Swap(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1..40usize).prop_map(|(a, n)| Mutation::Delete(a, n)),
        (any::<usize>(), 0..FRAGMENTS.len()).prop_map(|(a, f)| Mutation::Insert(a, f)),
        (any::<usize>(), 1..200usize).prop_map(|(a, n)| Mutation::Duplicate(a, n)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
    ]
}

fn apply(text: &str, ms: &[Mutation]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for m in ms {
        let len = chars.len().max(1);
        match *m {
            Mutation::Delete(a, n) => {
                let a = a % len;
                let end = (a + n).min(chars.len());
                chars.drain(a.min(end)..end);
            }
            Mutation::Insert(a, f) => {
                let a = a % (chars.len() + 1);
                chars.splice(a..a, FRAGMENTS[f].chars());
            }
            Mutation::Duplicate(a, n) => {
                let a = a % len;
                let end = (a + n).min(chars.len());
                let piece: Vec<char> = chars[a.min(end)..end].to_vec();
                chars.splice(end..end, piece);
            }
            Mutation::Swap(a, b) => {
                if !chars.is_empty() {
                    let (a, b) = (a % chars.len(), b % chars.len());
                    chars.swap(a, b);
                }
            }
        }
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_checker_never_panics(which in any::<prop::sample::Index>(), ms in prop::collection::vec(mutation(), 1..6)) {
        let files = corpus();
        let target = which.index(files.len());
        let db = Database::default();
        let sources = files
            .iter()
            .enumerate()
            .map(|(i, (p, t))| SourceFile::new(&db, p.clone(), if i == target { apply(t, &ms) } else { t.clone() }))
            .collect();
        let ws = Workspace::new(&db, sources, Settings::default());
        let compiled = compile(&db, ws);
        // Whatever came out is consistent: a program exactly when there is no error.
        let errors = compiled.diagnostics.iter().any(|d| d.severity == contractc_diagnostics::Severity::Error);
        prop_assert_eq!(compiled.program.is_some(), !errors);
    }
}
