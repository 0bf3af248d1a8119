#!/usr/bin/env python3
"""contractc side by side with the peer generators, and the cost of the Rust it generates.

    compare.py tools --corpus DIR --contractc BIN --dcg BIN --quicktype BIN --out DIR
        `make bench-compare`: datamodel-code-generator (Pydantic v2, its default formatting),
        quicktype (Python Pydantic) and a cold `contractc build` (every backend DIR/contractc.toml
        lists) on the corpus DIR/contracts, interleaved, BENCH_RUNS times each (default 5).
    compare.py watch --corpus DIR --contractc BIN --out DIR
        `make bench-watch`: `contractc watch` on a copy of the corpus in DIR, edited BENCH_RUNS
        times each way (a leaf contract's description, whitespace only, the description of
        core/Money@1.0 that most contracts refer to, a core contract's property): the rebuild
        times it prints, medians.
    compare.py rust-check --crate DIR --workspace FILE --lock FILE --out DIR
        `make bench-rust-check`: the generated crate in a workspace of its own, its lines and the
        wall time and peak RSS of its own `cargo check` (dependencies checked beforehand).

Each run is one child process, measured with os.wait4: wall time, user+sys CPU and peak RSS of
the process tree (the largest single process; Linux reports children's peaks as a maximum, not
a sum). A run that fails is reported with the tail of its stderr. Standard library only.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

TAIL = 12  # stderr lines shown for a failed run


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # user + sys seconds, the process and every child it waited for
    rss: int  # bytes, the peak of the largest process of the tree
    code: int
    stderr: str


def measure(argv, env=None, cwd=None):
    """Runs argv to completion; its stdout is discarded, its stderr kept."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=cwd)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, child.returncode, stderr)


def tail(text, n=TAIL):
    lines = text.rstrip().splitlines()
    return "\n".join("    " + line for line in lines[-n:])


def remove(path):
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def lines_of(path, suffixes):
    """(files, lines) of the files under path (or path itself) whose names end in one of suffixes."""
    files = [path] if path.is_file() else [p for p in sorted(path.rglob("*")) if p.is_file()]
    files = [p for p in files if p.name.endswith(suffixes)]
    return len(files), sum(p.read_bytes().count(b"\n") for p in files)


def mib(n):
    return f"{n / 2**20:.0f} MiB"


@dataclass
class Tool:
    name: str
    argv: list
    output: Path  # removed before every run, so each one starts cold
    suffixes: tuple  # the generated files counted in the output column


def load():
    """The machine's 1-minute load average and core count: other work on it slows every tool."""
    return f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"


def tools_mode(args):
    runs = int(os.environ.get("BENCH_RUNS", "5"))
    corpus = Path(args.corpus).resolve()
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    schemas = sorted(str(p) for p in (corpus / "contracts").rglob("*.json"))
    backends = re.search(r"^backends = \[(.*)\]$", (corpus / "contractc.toml").read_text(), re.M).group(1)
    workflows = sorted((corpus / "contracts" / "workflows").glob("*.json"))
    schemas = [s for s in schemas if Path(s).parent.name != "workflows"]
    plan = "" if workflows else " (the corpus has no workflow, hence no plan)"
    print(f"corpus: {len(schemas)} schemas, {len(workflows)} workflows in {corpus}; contractc backends {backends}{plan}")
    tools = [
        Tool("datamodel-code-generator",
             [args.dcg, "--input", str(corpus / "contracts"), "--input-file-type", "jsonschema",
              "--output", str(out / "dcg"), "--output-model-type", "pydantic_v2.BaseModel"],
             out / "dcg", (".py",)),
        # quicktype reads a folder given as --src as JSON samples, not schemas: every file is named.
        Tool("quicktype",
             [args.quicktype, "--src-lang", "schema", "--lang", "python", "--python-version", "3.7",
              "--pydantic-base-model", "--out", str(out / "quicktype.py"), *schemas],
             out / "quicktype.py", (".py",)),
        Tool("contractc",
             [args.contractc, "build", "--config", str(corpus / "contractc.toml")],
             corpus / "generated", (".rs", ".py", ".mqh", ".mq4", ".bin")),
    ]
    print(f"before: {load()}")
    results = {t.name: [] for t in tools}
    for i in range(runs):
        for t in tools:  # interleaved, so drift in the machine's load touches every tool alike
            # The last run's output is deleted and the deletion flushed before this run starts:
            # freeing thousands of inodes just before a tool creates thousands would bill the
            # file system's work on the one to the other.
            remove(t.output)
            os.sync()
            time.sleep(1)
            r = measure(t.argv)
            results[t.name].append(r)
            state = "ok" if r.code == 0 else f"FAILED (exit {r.code})"
            print(f"run {i + 1}/{runs} {t.name:<25} {r.wall:7.2f} s wall {r.cpu:7.2f} s CPU {mib(r.rss):>9}  {state}",
                  flush=True)
            if r.code != 0:
                print(f"  stderr of {t.name}, last lines:\n{tail(r.stderr)}", flush=True)

    print(f"after: {load()}")
    medians = {}
    print()
    print(f"| tool | runs ok | median wall | median CPU | peak RSS | output |")
    print(f"|---|---|---|---|---|---|")
    for t in tools:
        ok = [r for r in results[t.name] if r.code == 0]
        if not ok:
            print(f"| {t.name} | 0/{runs} | failed | failed | - | - |")
            continue
        medians[t.name] = statistics.median(r.wall for r in ok)
        files, lines = lines_of(t.output, t.suffixes)
        print(f"| {t.name} | {len(ok)}/{runs} | {medians[t.name]:.2f} s "
              f"| {statistics.median(r.cpu for r in ok):.2f} s | {mib(max(r.rss for r in ok))} "
              f"| {files} file{'s' if files != 1 else ''}, {lines:,} lines |")
    print()
    for peer in ("datamodel-code-generator", "quicktype"):
        if peer in medians and "contractc" in medians:
            print(f"ratio {peer}/contractc: {medians[peer] / medians['contractc']:.1f}")
        else:
            print(f"ratio {peer}/contractc: n/a (a tool failed every run)")
    # What the tools said on stderr when they succeeded (deprecations, dropped schemas): shown once.
    for t in tools:
        said = [r.stderr for r in results[t.name] if r.code == 0 and r.stderr.strip()]
        if said:
            print(f"\nstderr of {t.name} (last successful run), last lines:\n{tail(said[-1], 4)}")
    return 0 if len(medians) == len(tools) else 1


def rust_check_mode(args):
    runs = int(os.environ.get("BENCH_CHECK_RUNS", "1"))
    crate = Path(args.crate).resolve()
    work = Path(args.out).resolve()
    work.mkdir(parents=True, exist_ok=True)
    # The crate's `workspace = true` dependencies, as the repository's manifest pins them.
    manifest = Path(args.workspace).read_text()
    deps = []
    for name in ("serde", "serde_json", "regex"):
        found = re.search(rf"^{name} = .*$", manifest, re.M)
        if not found:
            sys.exit(f"rust-check: no `{name} = ...` in {args.workspace}")
        deps.append(found.group(0))
    remove(work / "rust")
    shutil.copytree(crate, work / "rust")
    (work / "Cargo.toml").write_text(
        "# Written by benches/compare/compare.py: the generated crate on its own.\n"
        '[workspace]\nresolver = "3"\nmembers = ["rust"]\n\n[workspace.dependencies]\n' + "\n".join(deps) + "\n")
    shutil.copyfile(args.lock, work / "Cargo.lock")
    env = dict(os.environ, CARGO_TARGET_DIR=str(work / "target"))
    files, lines = lines_of(work / "rust", (".rs",))
    print(f"generated Rust: {files} files, {lines:,} lines ({crate})")
    print(f"before: {load()}")
    # The first check builds the dependencies' metadata; the timed ones check the crate alone.
    warm = measure(["cargo", "check", "--quiet"], env=env, cwd=work)
    if warm.code != 0:
        print(f"rust-check: cargo check failed (exit {warm.code}):\n{tail(warm.stderr, 40)}")
        return 1
    # Two kinds of check of the crate alone: after a touch, with the incremental cache the first
    # check left (what an edit-check loop pays), and from scratch (CARGO_INCREMENTAL=0: what CI
    # and a fresh clone pay).
    rows = []
    for kind, extra in (("incremental, after a touch", {}), ("from scratch", {"CARGO_INCREMENTAL": "0"})):
        checks = []
        for _ in range(runs):
            os.utime(work / "rust" / "src" / "lib.rs")
            r = measure(["cargo", "check", "--quiet"], env=dict(env, **extra), cwd=work)
            if r.code != 0:
                print(f"rust-check: cargo check failed (exit {r.code}):\n{tail(r.stderr, 40)}")
                return 1
            checks.append(r)
        rows.append((kind, checks))
    print(f"after: {load()}")
    print(f"| generated Rust | cargo check of the crate alone | wall | CPU | peak RSS |")
    print(f"|---|---|---|---|---|")
    for kind, checks in rows:
        print(f"| {lines:,} lines, {files} files | {kind} | {statistics.median(r.wall for r in checks):.2f} s "
              f"| {statistics.median(r.cpu for r in checks):.2f} s | {mib(max(r.rss for r in checks))} |")
    if checks[-1].stderr.strip():
        print(f"\ncargo check's stderr, last lines:\n{tail(checks[-1].stderr, 8)}")
    return 0


def watch_mode(args):
    """Edits a copy of the corpus under `contractc watch` and reads the rebuild times it prints."""
    import queue
    import threading

    runs = int(os.environ.get("BENCH_RUNS", "5"))
    work = Path(args.out).resolve()
    remove(work)
    shutil.copytree(Path(args.corpus).resolve(), work, ignore=shutil.ignore_patterns("generated"))
    config = str(work / "contractc.toml")
    first = measure([args.contractc, "build", "--config", config])
    if first.code != 0:
        print(f"watch: the first build failed (exit {first.code}):\n{tail(first.stderr)}")
        return 1
    leaf = sorted((work / "contracts" / "orders").glob("*.json"))[-1]
    core = work / "contracts" / "core" / "Money@1.0.json"
    child = subprocess.Popen([args.contractc, "watch", "--config", config], stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(l) for l in child.stderr], daemon=True).start()

    def wait_for(prefix):
        while True:
            line = lines.get(timeout=120)
            if line.startswith(prefix):
                return line

    def edit(path, change):
        text = path.read_text()
        path.write_text(change(text))
        line = wait_for("rebuilt in ")
        return float(re.match(r"rebuilt in (\d+) ms", line).group(1)), line.split(": ", 1)[-1].strip()

    cases = [
        ("a leaf contract's description", leaf, lambda t: t.replace('"description": "', '"description": "Edited: ', 1)),
        ("whitespace only, in the leaf", leaf, lambda t: t.replace("{", "{ ", 1)),
        ("core/Money@1.0's description", core, lambda t: t.replace('"description": "', '"description": "Edited: ', 1)),
        ("core/Money@1.0's properties", core, lambda t: t.replace('"currency"', '"currency_code"')),
    ]
    rows = []
    try:
        wait_for("watching ")
        for name, path, change in cases:
            original = path.read_text()
            if change(original) == original:
                print(f"watch: the edit \"{name}\" changes nothing in {path.name}")
                return 1
            times, what = [], ""
            for _ in range(runs):
                t, what = edit(path, change)
                times.append(t)
                time.sleep(0.3)
                edit(path, lambda _: original)
                time.sleep(0.3)
            rows.append((name, statistics.median(times), min(times), max(times), what))
    finally:
        child.send_signal(2)
        child.wait(timeout=30)
    print(f"`contractc watch` on {sum(1 for _ in (work / 'contracts').rglob('*.json'))} contracts, {runs} edits each, "
          f"the rebuild time it prints (debouncing aside); {load()}")
    print("| edit | median | min | max | what it did |")
    print("|---|---|---|---|---|")
    for name, median, lo, hi, what in rows:
        print(f"| {name} | {median:.0f} ms | {lo:.0f} ms | {hi:.0f} ms | {what} |")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    t = sub.add_parser("tools", help="contractc, datamodel-code-generator and quicktype, side by side")
    for flag in ("--corpus", "--contractc", "--dcg", "--quicktype", "--out"):
        t.add_argument(flag, required=True)
    c = sub.add_parser("rust-check", help="cargo check of the generated Rust crate on its own")
    for flag in ("--crate", "--workspace", "--lock", "--out"):
        c.add_argument(flag, required=True)
    w = sub.add_parser("watch", help="contractc watch's rebuild after an edit")
    for flag in ("--corpus", "--contractc", "--out"):
        w.add_argument(flag, required=True)
    args = parser.parse_args()
    return {"tools": tools_mode, "rust-check": rust_check_mode, "watch": watch_mode}[args.mode](args)


if __name__ == "__main__":
    sys.exit(main())
