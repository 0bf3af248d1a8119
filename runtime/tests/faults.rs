//! The fault matrix: the disk fails at each point of a step's commit (fsync of the output, its
//! rename, fsync of its folder, the journal write, fsync of the journal), as an I/O error, a full
//! disk or a short write. Each cell: the run stops with an error naming what failed, the journal
//! stays readable, and the next run (on a sound disk) completes without re-running a committed
//! step or losing a committed output.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use runtime::disk::{Fault, FaultyDisk, Point};
use runtime::journal::{Journal, Record};
use runtime::plan::{Input, Integers, Keyword, Node, Output, Plan, Step, Type, Validator, VerifiedPlan};
use runtime::run::{Options, RunResult, Status, run};
use sha2::{Digest, Sha256};

static NOT_INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// `a` emits a message, `b` copies it, `c` needs `b`; each counts its runs in `ran/<step>`.
fn plan(ran: &Path) -> VerifiedPlan {
    let count = |name: &str, then: &str| {
        let script = format!("echo run >> {}/{name}; {then}", ran.display());
        Step::command(name, &["sh", "-c", &script])
    };
    let emitting = |s: Step| Step { output: Some(Output { validator: 0, stream: true }), ..s };
    let a = emitting(count("a", r#"printf '{"x":1}\n' > "$CTC_OUTPUT""#));
    let mut b = emitting(count("b", r#"cat "$CTC_INPUT_IN" > "$CTC_OUTPUT""#));
    b.needs = vec![0];
    b.inputs = vec![Input { name: "in".into(), from: 0, conversion: None }];
    let mut c = count("c", "true");
    c.needs = vec![1];
    let validator = Validator {
        contract: "t/Msg@1.0".into(),
        integers: Integers::Int64Literal,
        compiled: Default::default(),
        nodes: vec![Node::Keywords(vec![Keyword::Type(vec![Type::Object])])],
    };
    VerifiedPlan::new(Plan {
        workflow: "faults@1.0".into(),
        steps: vec![a, b, c],
        validators: vec![validator],
        resources: vec![],
        migrations: vec![],
    })
    .unwrap()
}

/// How many times each step ran.
fn runs(ran: &Path, step: &str) -> usize {
    std::fs::read_to_string(ran.join(step)).map_or(0, |t| t.lines().count())
}

/// The steps the journal says are committed, each with whether its output matches its digest,
/// and the bytes of a torn tail that opening it cut off.
fn committed(run_dir: &Path) -> (Vec<(String, bool)>, u64) {
    let opened = Journal::open(&run_dir.join("journal")).expect("the journal stays readable");
    let truncated = opened.truncated;
    let mut out: Vec<(String, bool)> = Vec::new();
    for r in opened.records {
        if let Record::Committed { step, output, .. } = r {
            let intact = output.is_none_or(|(rel, digest)| {
                let bytes = std::fs::read(run_dir.join(rel)).unwrap_or_default();
                <[u8; 32]>::from(Sha256::digest(&bytes)) == digest
            });
            out.retain(|(s, _)| *s != step);
            out.push((step, intact));
        }
    }
    (out, truncated)
}

fn run_on(p: &VerifiedPlan, run_dir: &Path, disk: Option<&FaultyDisk>) -> std::io::Result<RunResult> {
    let mut o = Options::new(run_dir.to_path_buf(), &NOT_INTERRUPTED);
    o.jobs = 1;
    if let Some(d) = disk {
        o.disk = d;
    }
    run(p, &o, |_| {})
}

/// The disk fails with `fault` at `point` of step `b`'s commit (the second operation there;
/// `a` committed before it).
fn check(point: Point, fault: Fault) {
    let dir = tempfile::tempdir().unwrap();
    let ran = dir.path().join("ran");
    std::fs::create_dir_all(&ran).unwrap();
    let run_dir = dir.path().join("run");
    let p = plan(&ran);
    let disk = FaultyDisk::new(point, fault, 1);
    let Err(e) = run_on(&p, &run_dir, Some(&disk)) else { panic!("{point:?} {fault:?}: the run went on") };
    assert!(disk.struck(), "{point:?} {fault:?}: the fault happened");
    let says = e.to_string();
    let what = if matches!(point, Point::JournalWrite | Point::JournalSync) {
        "cannot journal step(s) b"
    } else {
        "b/output.jsonl durable"
    };
    let why = if fault == Fault::Error { "Input/output error" } else { "No space left on device" };
    assert!(says.contains(what) && says.contains(why), "{point:?} {fault:?}: {says}");
    assert_eq!(runs(&ran, "c"), 0, "{point:?} {fault:?}: nothing ran after the failed commit");

    let (before, torn) = committed(&run_dir);
    assert_eq!(torn > 0, fault == Fault::Short, "{point:?} {fault:?}: only a short write leaves a torn record");
    assert!(before.iter().any(|(s, _)| s == "a"), "{point:?} {fault:?}: a's commit is kept: {before:?}");
    let counts: Vec<usize> = before.iter().map(|(s, _)| runs(&ran, s)).collect();

    let resumed = run_on(&p, &run_dir, None).unwrap();
    let status: Vec<&str> = resumed.reports.iter().map(|r| r.status.label()).collect();
    assert!(resumed.reports.iter().all(|r| r.status.is_ok()), "{point:?} {fault:?}: {status:?}");
    assert_eq!(resumed.reports[0].status, Status::UpToDate, "{point:?} {fault:?}: a did not run again");
    for ((step, intact), count) in before.iter().zip(counts) {
        assert!(intact, "{point:?} {fault:?}: committed output of {step} matches its digest");
        assert_eq!(runs(&ran, step), count, "{point:?} {fault:?}: {step} was committed, then ran again");
    }
    let (after, _) = committed(&run_dir);
    assert_eq!(after.len(), 3, "{point:?} {fault:?}: every step committed: {after:?}");
    assert!(after.iter().all(|(_, intact)| *intact), "{point:?} {fault:?}: {after:?}");
}

macro_rules! cells {
    ($($name:ident: $point:ident, $fault:ident;)*) => {$(
        #[test]
        fn $name() {
            check(Point::$point, Fault::$fault);
        }
    )*};
}

cells! {
    output_fsync_fails: OutputSync, Error;
    output_fsync_finds_the_disk_full: OutputSync, Full;
    output_rename_fails: OutputRename, Error;
    output_rename_finds_the_disk_full: OutputRename, Full;
    folder_fsync_fails: FolderSync, Error;
    folder_fsync_finds_the_disk_full: FolderSync, Full;
    journal_write_fails: JournalWrite, Error;
    journal_write_finds_the_disk_full: JournalWrite, Full;
    journal_write_is_short: JournalWrite, Short;
    journal_fsync_fails: JournalSync, Error;
    journal_fsync_finds_the_disk_full: JournalSync, Full;
}
