//! Crash safety: 50 trials SIGKILL the runtime at random moments of a 20-step plan with parallel
//! branches and retries, then resume until it completes. Checked after every resume: no step
//! whose success was committed before it ran again (the steps count their own runs in a side
//! file), and every committed output matches its recorded digest.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use runtime::journal::{Journal, Record};
use runtime::plan::{
    self, Input, Integers, Keyword, Node, Num, Output, Plan, RetryPolicy, Step, TriggerRule, Type, Validator,
};
use sha2::{Digest, Sha256};

const TRIALS: usize = 50;

/// 4 branches of 5 steps; branch heads read a shared source, each step reads its predecessor,
/// the last step of each branch also needs the previous branch's third step; every third step
/// fails its first attempt and is retried.
fn twenty_step_plan(counts: &Path) -> Plan {
    let mut steps = Vec::new();
    for b in 0..4u32 {
        for k in 0..5u32 {
            let i = b * 5 + k;
            let name = format!("b{b}s{k}");
            let flaky = i % 3 == 0;
            let body = format!(
                "echo run >> {counts}/{name}; sleep 0.0{d}; {fail}if [ -n \"$CTC_INPUT_IN\" ]; then x=$(sed 's/[^0-9]//g' \"$CTC_INPUT_IN\"); else x=0; fi; printf '{{\"x\":%d}}\\n' $((x+1)) > \"$CTC_OUTPUT\"",
                counts = counts.display(),
                d = 1 + (i * 7) % 9,
                fail = if flaky { "[ \"$CTC_ATTEMPT\" = 1 ] && exit 75; " } else { "" },
            );
            let mut s = Step::command(&name, &["sh", "-c", &body]);
            s.output = Some(Output { validator: 0, stream: true });
            if k > 0 {
                s.inputs = vec![Input { name: "in".into(), from: i - 1, conversion: None }];
                s.needs = vec![i - 1];
            }
            if k == 4 && b > 0 {
                s.needs.push((b - 1) * 5 + 2);
            }
            if flaky {
                s.retry = RetryPolicy {
                    max_attempts: 3,
                    initial_ms: 5,
                    factor: 2.0,
                    max_interval_ms: 20,
                    jitter: 0.5,
                    exit_codes: Some(vec![75]),
                    signals: None,
                    on_timeout: false,
                };
            }
            s.trigger = TriggerRule::AllSuccess;
            steps.push(s);
        }
    }
    let validator = Validator {
        contract: "t/Count@1.0".into(),
        integers: Integers::Int64Literal,
        compiled: Default::default(),
        nodes: vec![
            Node::Keywords(vec![
                Keyword::Type(vec![Type::Object]),
                Keyword::Properties(vec![("x".into(), 1)]),
                Keyword::Required(vec!["x".into()]),
                Keyword::AdditionalProperties(2),
            ]),
            Node::Keywords(vec![Keyword::Type(vec![Type::Integer]), Keyword::Minimum(Num::Integer(1))]),
            Node::Bool(false),
        ],
    };
    Plan { workflow: "crash@1.0".into(), steps, validators: vec![validator], resources: vec![], migrations: vec![] }
}

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn runs(counts: &Path) -> BTreeMap<String, usize> {
    std::fs::read_dir(counts)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (e.file_name().to_string_lossy().into_owned(), std::fs::read_to_string(e.path()).unwrap().lines().count())
        })
        .collect()
}

/// Committed steps and their outputs, after checking each output's digest.
fn committed(run_dir: &Path) -> BTreeMap<String, bool> {
    let journal = run_dir.join("journal");
    if !journal.exists() {
        return BTreeMap::new();
    }
    let opened = Journal::open(&journal).unwrap();
    let mut out = BTreeMap::new();
    for r in opened.records {
        if let Record::Committed { step, output, .. } = r {
            out.insert(step.clone(), true);
            if let Some((rel, digest)) = output {
                let bytes = std::fs::read(run_dir.join(&rel)).unwrap_or_default();
                let actual: [u8; 32] = Sha256::digest(&bytes).into();
                // A later, uncommitted attempt may have replaced the file: only the newest
                // record of a step must match, and it is the one that counts on resume.
                out.insert(step, actual == digest);
            }
        }
    }
    out
}

#[test]
fn fifty_sigkills_never_rerun_a_committed_step_or_lose_its_output() {
    let exe = env!("CARGO_BIN_EXE_runtime");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut kills = 0;
    for trial in 0..TRIALS {
        let dir = tempfile::tempdir().unwrap();
        let counts = dir.path().join("counts");
        std::fs::create_dir_all(&counts).unwrap();
        let plan_path = dir.path().join("plan.bin");
        std::fs::write(&plan_path, plan::encode(&twenty_step_plan(&counts))).unwrap();
        let run_dir = dir.path().join("run");
        let mut finished = false;
        for round in 0..12 {
            let before_commit = committed(&run_dir);
            let before_runs = if counts.read_dir().unwrap().next().is_some() { runs(&counts) } else { BTreeMap::new() };
            let mut child = Command::new(exe)
                .arg(&plan_path)
                .args(["-j", "4", "-q", "--grace", "0.2", "--run-dir"])
                .arg(&run_dir)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            // Kill in most rounds; the last rounds let the run finish.
            let kill = round < 10 && rng.below(4) != 0;
            if kill {
                std::thread::sleep(Duration::from_millis(rng.below(250)));
                let _ = child.kill();
                kills += 1;
            }
            let status = child.wait().unwrap();
            let after_runs = runs(&counts);
            for (step, ok) in &before_commit {
                assert!(ok, "trial {trial} round {round}: committed output of {step} does not match its digest");
                assert_eq!(
                    before_runs.get(step),
                    after_runs.get(step),
                    "trial {trial} round {round}: {step} was committed, then ran again"
                );
            }
            if status.success() {
                finished = true;
                break;
            }
            assert!(kill, "trial {trial} round {round}: the run failed without being killed: {status}");
        }
        assert!(finished, "trial {trial} never completed");
        let done = committed(&run_dir);
        assert_eq!(done.len(), 20, "trial {trial}: every step committed");
        assert!(done.values().all(|ok| *ok), "trial {trial}: every committed output matches its digest");
        let last = std::fs::read_to_string(run_dir.join("b3s4/output.jsonl")).unwrap();
        assert_eq!(last.trim(), "{\"x\":5}", "trial {trial}: the chain computed its value");
    }
    assert!(kills >= TRIALS, "the runtime was killed {kills} times");
}
