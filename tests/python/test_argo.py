"""`contractc export argo` against Argo Workflows' own JSON Schema (v4.1.2, vendored in
../shared/vendor/argo-workflows-4.1.2), read with every object closed (the schema's objects are
open, so a misspelt key would pass: here a key the schema does not define is an error), plus the
checks the schema cannot make: unique task names, every `depends` names a task, no cycle, every
artifact `from` names an artifact its task's template produces. The YAML and the JSON of each
document must load to the same value with PyYAML (a YAML 1.1 loader, as Kubernetes' is: it reads
`on` and `yes` as booleans). The upstream examples are the harness's positive control.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT.parent / "shared" / "vendor" / "argo-workflows-4.1.2"
assert VENDOR.is_dir(), f"{VENDOR} is missing: the tests expect ../shared beside the repository"
SCHEMA = json.loads((VENDOR / "schema.json").read_text())
DEFINITIONS = SCHEMA["definitions"]
RUNTIME = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "debug" / "runtime"
# Kubernetes' free-form maps: any key.
OPEN = {"annotations", "labels", "data", "nodeSelector"}


def export(project: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["cargo", "run", "--quiet", "-p", "contractc", "--", "export", "argo", "--out", str(out),
         "--config", str(project / "contractc.toml")],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )


def resolve(schema: dict) -> dict:
    while "$ref" in schema:
        schema = DEFINITIONS[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def closed(value, schema: dict, at: str, errors: list[str]) -> None:
    """Every key of every object of `value` is one `schema` defines there."""
    schema = resolve(schema)
    if isinstance(value, dict):
        props = schema.get("properties")
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            if props is not None and key in props:
                closed(item, props[key], f"{at}/{key}", errors)
            elif isinstance(extra, dict):
                closed(item, extra, f"{at}/{key}", errors)
            elif props is not None and at.rsplit("/", 1)[-1] not in OPEN:
                errors.append(f"{at}/{key}: not a key of this object")
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            closed(item, schema["items"], f"{at}/{i}", errors)


def schema_errors(doc: dict) -> list[str]:
    """The schema's verdict (the branch of its `oneOf` that `kind` names), objects closed."""
    branch = next(
        (o for o in SCHEMA["oneOf"] if resolve(o)["properties"]["kind"].get("const") == doc.get("kind")), None
    )
    if branch is None:
        return [f"kind {doc.get('kind')!r} is not one the schema describes"]
    validator = jsonschema.Draft202012Validator({**branch, "definitions": DEFINITIONS})
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]
    closed(doc, branch, "", errors)
    return errors


# Argo's task names: `[a-zA-Z0-9][-a-zA-Z0-9]*`, at most 128 characters.
NAME = r"[a-zA-Z0-9][-a-zA-Z0-9]*"
TASK_REF = re.compile(rf"({NAME})\.(Succeeded|Failed|Errored|Skipped|Omitted|Daemoned)\b")
FROM = re.compile(rf"tasks(?:\.({NAME})|\['({NAME})'\])\.outputs\.artifacts\.([A-Za-z0-9_-]+)")


def dag_errors(doc: dict) -> list[str]:
    """What the schema cannot say of each DAG template: task names unique and valid, `depends`
    naming tasks of the DAG, no cycle, artifacts taken from tasks whose templates produce them."""
    errors = []
    templates = {t["name"]: t for t in doc["spec"]["templates"]}
    for t in templates.values():
        if "dag" not in t:
            continue
        tasks = t["dag"]["tasks"]
        names = [task["name"] for task in tasks]
        if len(set(names)) != len(names):
            errors.append(f"{t['name']}: task names repeat: {names}")
        by_name = {task["name"]: task for task in tasks}
        parents: dict[str, set[str]] = {}
        for task in tasks:
            if not re.fullmatch(NAME, task["name"]) or len(task["name"]) > 128:
                errors.append(f"{task['name']}: not an Argo task name")
            if "dependencies" in task and "depends" in task:
                errors.append(f"{task['name']}: both `dependencies` and `depends`")
            named = {m.group(1) for m in TASK_REF.finditer(task.get("depends", ""))} | set(task.get("dependencies", []))
            parents[task["name"]] = named
            errors += [f"{task['name']}: depends on `{n}`, no task of the DAG" for n in named - by_name.keys()]
            for art in task.get("arguments", {}).get("artifacts", []):
                source = art.get("from", "") + art.get("fromExpression", "")
                for m in FROM.finditer(source):
                    producer, artifact = m.group(1) or m.group(2), m.group(3)
                    if producer not in by_name:
                        errors.append(f"{task['name']}: artifact from `{producer}`, no task of the DAG")
                        continue
                    produced = templates[by_name[producer]["template"]].get("outputs", {}).get("artifacts", [])
                    if artifact not in {a["name"] for a in produced}:
                        errors.append(f"{task['name']}: `{producer}` produces no artifact `{artifact}`")
                    if producer not in parents[task["name"]]:
                        errors.append(f"{task['name']}: reads `{producer}` without waiting for it")
        # No cycle: repeatedly remove the tasks whose parents are gone.
        left = {n: set(p) & by_name.keys() for n, p in parents.items()}
        while left:
            ready = [n for n, p in left.items() if not p]
            if not ready:
                errors.append(f"{t['name']}: a cycle among {sorted(left)}")
                break
            for n in ready:
                del left[n]
            for p in left.values():
                p.difference_update(ready)
    return errors


def test_the_harness_accepts_the_upstream_examples_and_refuses_a_misspelt_key():
    checked = 0
    for path in sorted(VENDOR.glob("examples/*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if not doc:
                continue
            errors = schema_errors(doc)
            # The one known exception (the vendor README): a document of templates.yaml.
            if path.name == "templates.yaml" and errors:
                continue
            assert errors == [], f"{path.name}: {errors}"
            if "spec" in doc and "templates" in doc["spec"]:
                assert dag_errors(doc) == [], path.name
            checked += 1
    assert checked >= 9
    doc = yaml.safe_load((VENDOR / "examples" / "dag-diamond.yaml").read_text())
    doc["spec"]["templates"][0]["dag"]["tasks"][0]["dependss"] = "A.Succeeded"
    assert any("dependss" in e for e in schema_errors(doc))
    doc["spec"]["templates"][0]["dag"]["tasks"][0]["depends"] = "nobody.Succeeded"
    assert any("nobody" in e for e in dag_errors(doc))


def exported(project: Path, tmp_path: Path) -> dict[str, dict]:
    out = tmp_path / "argo"
    run = export(project, out)
    assert run.returncode == 0, run.stderr
    docs = {}
    for path in sorted(out.glob("*.json")):
        doc = json.loads(path.read_text())
        as_yaml = yaml.safe_load(path.with_suffix(".yaml").read_text())
        assert as_yaml == doc, f"{path.name}: its YAML loads to another value"
        docs[path.stem] = doc
    again = export(project, out)
    assert "wrote 0 file(s)" in again.stderr, again.stderr
    return docs


def test_the_eurusd_workflows_export_to_templates_argo_accepts(tmp_path):
    docs = exported(ROOT, tmp_path)
    assert set(docs) == {"eurusd-pipeline-1-0.workflowtemplate", "eurusd-end-of-day-1-0.workflowtemplate"}
    for name, doc in docs.items():
        assert schema_errors(doc) == [], name
        assert dag_errors(doc) == [], name
        # contractc's names are lowercase, the workflow's at most 63 characters (a DNS label).
        assert re.fullmatch(r"[a-z0-9][-a-z0-9]{0,62}", doc["metadata"]["name"])
        assert all(re.fullmatch(r"[a-z0-9][-a-z0-9]*", t["name"]) for t in doc["spec"]["templates"][0]["dag"]["tasks"])
    pipeline = docs["eurusd-pipeline-1-0.workflowtemplate"]
    tasks = {t["name"]: t for t in pipeline["spec"]["templates"][0]["dag"]["tasks"]}
    assert tasks["broker"]["depends"] == "load-ticks.Succeeded && risk.Succeeded"
    broker = next(t for t in pipeline["spec"]["templates"] if t["name"] == "step-broker")
    assert broker["retryStrategy"]["limit"] == "1"
    assert broker["activeDeadlineSeconds"] == "60"
    assert broker["metadata"]["annotations"]["contractc.dev/step"] == "broker"


def test_every_spec_feature_exports(tmp_path):
    """The checker's `valid-workflow` case: a condition, retries, a timeout and a deadline, a
    fallback, a resource, `depends_on` with `all_done`."""
    case = (ROOT / "tests" / "cases" / "valid-workflow.case").read_text()
    project = tmp_path / "project"
    for part in case.split("--- ")[1:]:
        path, _, body = part.partition("\n")
        (project / path.strip()).parent.mkdir(parents=True, exist_ok=True)
        (project / path.strip()).write_text(body)
    (project / "contractc.toml").write_text('backends = ["plan"]\n[argo]\nimage = "registry.test/trading:1"\nnamespace = "trading"\n')
    docs = exported(project, tmp_path)
    template, config_map = docs["w-1-0.workflowtemplate"], docs["w-1-0-resources.configmap"]
    assert schema_errors(template) == [] and dag_errors(template) == []
    assert config_map == {"apiVersion": "v1", "kind": "ConfigMap",
                          "metadata": {"name": "w-1-0-resources", "namespace": "trading"}, "data": {"api": "1"}}
    tasks = {t["name"]: t for t in template["spec"]["templates"][0]["dag"]["tasks"]}
    assert tasks["c"]["depends"] == "b.Failed || b.Errored"
    assert tasks["d"]["depends"] == "(b.Succeeded || b.Failed || b.Errored || b.Skipped || b.Omitted)"
    b = next(t for t in template["spec"]["templates"] if t["name"] == "step-b")
    assert b["retryStrategy"] == {
        "limit": "2", "retryPolicy": "Always", "expression": "asInt(lastRetry.exitCode) in [75]",
        "backoff": {"duration": "200ms", "factor": "2", "cap": "5s", "maxDuration": "2m"},
    }
    assert (b["activeDeadlineSeconds"], b["timeout"]) == ("30", "2m")
    assert b["synchronization"] == {"semaphores": [{"configMapKeyRef": {"name": "w-1-0-resources", "key": "api"}}]}
    assert b["container"]["image"] == "registry.test/trading:1"


def test_strings_yaml_1_1_would_misread_keep_their_type(tmp_path):
    """Arguments and values that a YAML 1.1 loader reads as booleans, null or numbers when bare
    are written so that they load back as the strings they are."""
    tricky = ["on", "yes", "no", "off", "y", "n", "true", "null", "~", "1e3", "0x10", "010", "1_000", "12:30"]
    project = tmp_path / "project"
    (project / "contracts" / "workflows").mkdir(parents=True)
    (project / "contracts" / "events").mkdir(parents=True)
    (project / "contracts" / "events" / "Tick@1.0.json").write_text(
        '{"type": "object", "properties": {"p": {"type": "number"}}, "required": ["p"], "additionalProperties": false}'
    )
    spec = {"name": "w", "steps": [{"name": "s", "run": ["prog", *tricky], "env": {"FLAG": "yes"},
                                     "output": {"contract": "events/Tick@1.0", "stream": True}}]}
    (project / "contracts" / "workflows" / "w@1.0.json").write_text(json.dumps(spec))
    (project / "contractc.toml").write_text('backends = ["plan"]\n')
    docs = exported(project, tmp_path)
    step = next(t for t in docs["w-1-0.workflowtemplate"]["spec"]["templates"] if t["name"] == "step-s")
    assert step["container"]["command"][:2] == ["runtime", "step"]
    assert step["container"]["env"] == [{"name": "FLAG", "value": "yes"}]


# --- The dry run: the exported DAG executed as Argo would, each task a `runtime step` in a folder
# standing in for its pod, beside a local run of the same plan.

STATUS_TERM = re.compile(rf"({NAME})\.(Succeeded|Failed|Errored|Skipped|Omitted)")


def holds(expression: str, status: dict[str, str]) -> bool:
    """Argo's `depends`, over the tasks' phases."""
    python = STATUS_TERM.sub(lambda m: str(status[m.group(1)] == m.group(2)), expression)
    return eval(python.replace("&&", " and ").replace("||", " or "), {})  # the expression is our own export's text


def argo_dry_run(template: dict, plan: Path, pods: Path, env: dict | None = None) -> tuple[dict[str, str], dict[str, bytes]]:
    """Each task in `depends` order: omitted when its `depends` is false, skipped when its `when`
    is false, else its container's `runtime step` run in a fresh pod folder, its input artifacts
    copied in. The tasks' phases, and the output artifact of each that produced one."""
    templates = {t["name"]: t for t in template["spec"]["templates"]}
    tasks = templates["main"]["dag"]["tasks"]
    status: dict[str, str] = {}
    skipped: dict[str, str] = {}
    artifacts: dict[str, Path] = {}
    while len(status) < len(tasks):
        for task in tasks:
            name = task["name"]
            parents = {m.group(1) for m in STATUS_TERM.finditer(task.get("depends", ""))}
            if name in status or not parents <= status.keys():
                continue
            if "depends" in task and not holds(task["depends"], status):
                status[name] = "Omitted"
                continue
            when = re.sub(r"\{\{tasks\.([-a-z0-9]+)\.outputs\.parameters\.skipped\}\}", lambda m: skipped[m.group(1)],
                          task.get("when", "true"))
            if not eval(when.replace("&&", " and "), {"true": True, "false": False}):  # the same
                status[name] = "Skipped"
                continue
            pod = pods / name
            (pod / "in").mkdir(parents=True)
            (pod / "out").mkdir()
            for art in task.get("arguments", {}).get("artifacts", []):
                if "from" in art:
                    producer = FROM.search(art["from"]).group(1)
                else:
                    first, second = [m.group(2) for m in FROM.finditer(art["fromExpression"])]
                    producer = first if status[first] == "Succeeded" else second
                (pod / "in" / art["name"]).write_bytes(artifacts[producer].read_bytes())
            tpl = templates[task["template"]]
            command = [str(RUNTIME), "step", str(plan), *tpl["container"]["command"][3:]]
            command = [c.replace("/ctc/out", str(pod / "out")) for c in command]
            run = subprocess.run([*command, "--inputs", str(pod / "in"), "--output", str(pod / "out" / "output"),
                                  "--run-dir", str(pod / "run")], cwd=ROOT, capture_output=True, text=True, check=False,
                                 env=env)
            status[name] = "Succeeded" if run.returncode == 0 else "Failed"
            if (pod / "out" / "skipped").exists():
                skipped[name] = (pod / "out" / "skipped").read_text()
            if (pod / "out" / "output").exists() and run.returncode == 0:
                artifacts[name] = pod / "out" / "output"
    return status, {name: path.read_bytes() for name, path in artifacts.items()}


DRY = {
    "name": "dry",
    "steps": [
        {"name": "src", "run": ["sh", "-c", "printf '{\"p\":1}\\n{\"p\":2}\\n{\"p\":3}\\n' > \"$CTC_OUTPUT\""],
         "output": {"contract": "events/Tick@1.0", "stream": True}},
        {"name": "big", "run": ["sh", "-c", "cat \"$CTC_INPUT_TICK\" > \"$CTC_OUTPUT\""],
         "inputs": {"tick": {"from": "src"}}, "when": "tick.p > 100",
         "output": {"contract": "events/Tick@1.0", "stream": True}},
        {"name": "after_big", "run": ["sh", "-c", "cat \"$CTC_INPUT_TICK\" > \"$CTC_OUTPUT\""],
         "inputs": {"tick": {"from": "big"}}, "output": {"contract": "events/Tick@1.0", "stream": True}},
        {"name": "some", "run": ["sh", "-c", "cat \"$CTC_INPUT_TICK\" > \"$CTC_OUTPUT\""],
         "inputs": {"tick": {"from": "src"}}, "when": "tick.p >= 2",
         "output": {"contract": "events/Tick@1.0", "stream": True}},
        {"name": "flaky", "run": ["sh", "-c", "exit 3"], "inputs": {"tick": {"from": "src"}},
         "output": {"contract": "events/Tick@1.0", "stream": True}, "fallback": "backup"},
        {"name": "backup", "run": ["sh", "-c", "printf '{\"p\":9}\\n' > \"$CTC_OUTPUT\""],
         "output": {"contract": "events/Tick@1.0", "stream": True}},
        {"name": "use", "run": ["sh", "-c", "cat \"$CTC_INPUT_TICK\" > \"$CTC_OUTPUT\""],
         "inputs": {"tick": {"from": "flaky"}}, "output": {"contract": "events/Tick@1.0", "stream": True}},
    ],
}


def compare(report: dict, local: Path, phases: dict[str, str], outputs: dict[str, bytes]) -> None:
    """The local run's statuses and outputs against the dry run's phases and artifacts."""
    as_argo = {"succeeded": {"Succeeded"}, "recovered": {"Failed"}, "skipped": {"Skipped", "Omitted"},
               "not needed": {"Omitted"}}
    for step in report["steps"]:
        task = step["name"].replace("_", "-")
        phase = phases[task]
        # A step whose condition admitted nothing succeeds in its pod, saying it skipped.
        if step["status"] == "skipped" and step["detail"].endswith("messages") and "admitted none" in step["detail"]:
            assert phase == "Succeeded" and outputs.get(task, b"") == b"", (task, phase)
        else:
            assert phase in as_argo[step["status"]], (task, step["status"], phase)
        local_output = local / step["name"] / "output.jsonl"
        if step["status"] == "succeeded" and local_output.exists():
            assert outputs[task] == local_output.read_bytes(), task


def test_the_eurusd_pipelines_dry_run_matches_its_local_run(tmp_path):
    """The example pipeline on 300 real hourly bars, exported and run as Argo would run it."""
    assert (ROOT / ".bin" / "eurusd-broker").exists(), "run `make build` first"
    import importlib.util
    csv = Path(importlib.util.find_spec("backtesting").submodule_search_locations[0]) / "test" / "EURUSD.csv"
    rows = csv.read_text().splitlines()[:301]
    (tmp_path / "slice.csv").write_text("\n".join(rows) + "\n")
    env = {**os.environ, "EURUSD_CSV": str(tmp_path / "slice.csv")}
    docs = exported(ROOT, tmp_path)
    plan = ROOT / "generated" / "plans" / "eurusd_pipeline@1.0.plan.bin"
    phases, outputs = argo_dry_run(docs["eurusd-pipeline-1-0.workflowtemplate"], plan, tmp_path / "pods", env)
    local = subprocess.run([str(RUNTIME), str(plan), "-q", "--run-dir", str(tmp_path / "local")], cwd=ROOT,
                           capture_output=True, text=True, check=False, env=env)
    assert local.returncode == 0, local.stdout + local.stderr
    compare(json.loads((tmp_path / "local" / "report.json").read_text()), tmp_path / "local", phases, outputs)
    assert all(phase == "Succeeded" for phase in phases.values()), phases
    assert outputs["broker"], "the broker filled orders"


def test_the_dry_run_matches_the_local_run_byte_for_byte(tmp_path):
    """A failing step with a fallback, a condition that admits none (its consumer skipped), and
    one that admits some: the same phases and the same output bytes, task by task."""
    project = tmp_path / "project"
    (project / "contracts" / "workflows").mkdir(parents=True)
    (project / "contracts" / "events").mkdir(parents=True)
    (project / "contracts" / "events" / "Tick@1.0.json").write_text(
        '{"type": "object", "properties": {"p": {"type": "integer"}}, "required": ["p"], "additionalProperties": false}'
    )
    (project / "contracts" / "workflows" / "dry@1.0.json").write_text(json.dumps(DRY))
    (project / "contractc.toml").write_text('backends = ["plan"]\n')
    build = subprocess.run(["cargo", "run", "--quiet", "-p", "contractc", "--", "build", "--config",
                            str(project / "contractc.toml")], cwd=ROOT, capture_output=True, text=True, check=False)
    assert build.returncode == 0, build.stderr
    plan = project / "generated" / "plans" / "dry@1.0.plan.bin"
    docs = exported(project, tmp_path)
    template = docs["dry-1-0.workflowtemplate"]
    assert schema_errors(template) == [] and dag_errors(template) == []
    phases, outputs = argo_dry_run(template, plan, tmp_path / "pods")

    local = subprocess.run([str(RUNTIME), str(plan), "-q", "--run-dir", str(tmp_path / "local")], cwd=ROOT,
                           capture_output=True, text=True, check=False)
    assert local.returncode == 0, local.stdout + local.stderr
    compare(json.loads((tmp_path / "local" / "report.json").read_text()), tmp_path / "local", phases, outputs)
    assert phases["after-big"] == "Skipped" and phases["backup"] == "Succeeded"
    assert outputs["use"] == b'{"p":9}\n' and outputs["some"] == b'{"p":2}\n{"p":3}\n'
