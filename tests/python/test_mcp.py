"""`contractc mcp` with a real client, the official Python SDK (the PyPI package `mcp`, pinned in
requirements.txt): the built binary started over stdio, the tools listed with their schemas, each
called on the example project (and an invalid spec, an invalid message, an unknown workflow), in
the legacy mode (the `initialize` handshake of protocol 2025-11-25 and before) and in the
stateless revision 2026-07-28, both probed (`server/discover`, the SDK's `mode="auto"`) and
pinned (no probe); then `run_status` of a real run and an edit seen between two calls."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import anyio
import pytest
from mcp.client.client import Client
from mcp.client.stdio import StdioServerParameters
from mcp.shared.exceptions import MCPError

ROOT = Path(__file__).resolve().parents[2]
TOOLS = {
    "workflow_list", "workflow_get", "workflow_validate", "workflow_next",
    "contract_list", "contract_get", "message_validate", "run_status",
}
# The codes README.md documents ("Agents: contractc mcp").
UNKNOWN_WORKFLOW, UNKNOWN_CONTRACT, UNKNOWN_STEP, NO_RUN = -32010, -32011, -32012, -32014
MODES = {"legacy": "2025-11-25", "auto": "2026-07-28", "2026-07-28": "2026-07-28"}


def binary(package: str, name: str) -> Path:
    """The debug binary of `package`, built as `make build` builds it, under cargo's target folder
    (CARGO_TARGET_DIR when set)."""
    subprocess.run(["cargo", "build", "--quiet", "-p", package], cwd=ROOT, check=True)
    meta = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )
    return Path(json.loads(meta.stdout)["target_directory"]) / "debug" / name


@pytest.fixture(scope="module")
def contractc() -> Path:
    return binary("contractc", "contractc")


def client(contractc: Path, cwd: Path, mode: str, env: dict[str, str] | None = None) -> Client:
    server = StdioServerParameters(command=str(contractc), args=["mcp"], cwd=str(cwd), env=env)
    return Client(server, mode=mode)


async def call(c: Client, tool: str, **arguments):
    """A tool's structured result; a tool error fails the test."""
    result = await c.call_tool(tool, arguments)
    assert not result.is_error, result.content
    # Structured content and its text copy say the same.
    assert json.loads(result.content[0].text) == result.structured_content
    return result.structured_content


async def refused(c: Client, tool: str, **arguments) -> MCPError:
    with pytest.raises(MCPError) as caught:
        await c.call_tool(tool, arguments)
    return caught.value


def check_json(contractc: Path, tmp: Path, path: str, text: str) -> list[dict]:
    """What `contractc check --message-format json` prints for a copy of the example project with
    `text` at `path`."""
    copy = tmp / "project"
    shutil.copytree(ROOT / "contracts", copy / "contracts")
    shutil.copytree(ROOT / "templates", copy / "templates")
    shutil.copy(ROOT / "contractc.toml", copy)
    (copy / path).write_text(text)
    run = subprocess.run([contractc, "check", "--message-format", "json"], cwd=copy, capture_output=True, text=True)
    assert run.returncode == 1, run.stderr
    return [json.loads(line) for line in run.stdout.splitlines()]


@pytest.mark.parametrize("mode", list(MODES))
def test_every_tool_on_the_example_project(contractc, mode, tmp_path):
    async def main():
        async with client(contractc, ROOT, mode) as c:
            assert c.protocol_version == MODES[mode]
            tools = {t.name: t for t in (await c.list_tools()).tools}
            assert set(tools) == TOOLS
            for t in tools.values():
                assert t.input_schema["type"] == "object" and t.output_schema["type"] == "object", t.name
            assert tools["workflow_validate"].input_schema["required"] == ["spec"]

            listed = await call(c, "workflow_list")
            names = [w["workflow"] for w in listed["workflows"]]
            assert names == ["eurusd_end_of_day@1.0", "eurusd_pipeline@1.0"]
            pipeline = next(w for w in listed["workflows"] if w["name"] == "eurusd_pipeline")
            assert (pipeline["steps"], pipeline["plan"]) == (6, "generated/plans/eurusd_pipeline@1.0.plan.bin")
            assert [w["workflow"] for w in (await call(c, "workflow_list", name="end_of"))["workflows"]] == [
                "eurusd_end_of_day@1.0"
            ]

            spec = await call(c, "workflow_get", workflow="eurusd_pipeline@1.0")
            steps = {s["name"]: s for s in spec["steps"]}
            assert list(steps) == ["load_ticks", "ma_crossover", "tick_quality", "risk", "broker", "summary"]
            risk = steps["risk"]
            assert risk["inputs"] == [
                {"name": "signal", "from": "ma_crossover", "contract": "events/Signal@1.0", "stream": True}
            ]
            assert risk["output"] == {"contract": "events/OrderIntent@1.2", "stream": True}
            assert risk["when"]["input"] == "signal" and "signal.strength" in risk["when"]["source"]
            assert risk["trigger_rule"] == "all_success"
            error = await refused(c, "workflow_get", workflow="no_such_flow@1.0")
            assert error.code == UNKNOWN_WORKFLOW and "eurusd_pipeline@1.0" in error.data["known"]

            # Stateless scheduling: nothing has run, then the first step succeeded.
            first = await call(c, "workflow_next", workflow="eurusd_pipeline@1.0")
            assert [s["step"] for s in first["ready"]] == ["load_ticks"] and not first["complete"]
            assert first["ready"][0]["argv"][1] == "examples/eurusd/steps/load_ticks.py"
            assert first["ready"][0]["output"] == {"contract": "events/PriceTick@1.0", "stream": True}
            after = await call(c, "workflow_next", workflow="eurusd_pipeline@1.0", statuses={"load_ticks": "succeeded"})
            assert [s["step"] for s in after["ready"]] == ["ma_crossover", "tick_quality"]
            assert after["ready"][0]["inputs"][0]["contract"] == "events/PriceTick@1.0"
            # A failed first step: everything that needs it is skipped by its trigger rule.
            failed = await call(c, "workflow_next", workflow="eurusd_pipeline@1.0", statuses={"load_ticks": "failed"})
            assert failed["complete"] and failed["ready"] == [] and failed["waiting"] == []
            assert {d["step"]: d["status"] for d in failed["decided"]}["risk"] == "skipped"
            everything = {s: "succeeded" for s in steps}
            assert (await call(c, "workflow_next", workflow="eurusd_pipeline@1.0", statuses=everything))["complete"]
            error = await refused(c, "workflow_next", workflow="eurusd_pipeline@1.0", statuses={"nope": "failed"})
            assert error.code == UNKNOWN_STEP and "risk" in error.data["known"]

            # A spec checked as `contractc check` would: here one whose step reads a field its
            # input's contract does not have, as a new version beside the project's.
            text = (ROOT / "contracts/workflows/eurusd_pipeline@1.0.json").read_text()
            ok = await call(c, "workflow_validate", spec=text, path="contracts/workflows/eurusd_pipeline@1.0.json")
            assert ok["valid"] and ok["errors"] == 0
            typo = text.replace("signal.strength", "signal.strenght", 1)
            bad = await call(c, "workflow_validate", spec=typo, path="contracts/workflows/eurusd_pipeline@1.1.json")
            assert not bad["valid"] and bad["errors"] == 1
            assert bad["diagnostics"] == check_json(contractc, tmp_path, "contracts/workflows/eurusd_pipeline@1.1.json",
                                                    typo)
            # Beside the notes of OrderIntent@2.0's changes that its migration explains.
            d = next(d for d in bad["diagnostics"] if d["severity"] == "error")
            assert (d["code"], d["file"], d["pointer"]) == (
                "E0111", "contracts/workflows/eurusd_pipeline@1.1.json", "/steps/3/when"
            )
            assert typo.splitlines()[d["line"] - 1][d["column"] - 1:].startswith("strenght")
            broken = await call(c, "workflow_validate", spec='{"name": "x", "steps": [')
            assert not broken["valid"] and broken["path"] == "contracts/workflows/candidate@1.0.json"
            assert next(d for d in broken["diagnostics"] if d["severity"] == "error")["line"] == 1

            contracts = (await call(c, "contract_list", namespace="events"))["contracts"]
            assert "events/OrderIntent@1.2" in [k["contract"] for k in contracts]
            intent = await call(c, "contract_get", contract="events/OrderIntent@1.2")
            root = intent["types"][0]
            assert root == {
                "name": "OrderIntent", "pointer": "",
                "rust": "trading_contracts::events::order_intent_1_2::OrderIntent",
                "python": "trading_contracts.events.order_intent_1_2.OrderIntent",
                "mql4": "OrderIntent_1_2",
            }
            assert intent["schema"]["type"] == "object"
            assert intent["versions"] == [
                "events/OrderIntent@1.0", "events/OrderIntent@1.1", "events/OrderIntent@1.2", "events/OrderIntent@2.0"
            ]
            assert intent["emitted_by"] == ["eurusd_pipeline@1.0.risk"]
            assert (await refused(c, "contract_get", contract="events/Nope@1.0")).code == UNKNOWN_CONTRACT

            # The committed samples say what the runtime accepts, and in which canonical form.
            samples = [json.loads(line) for line in (ROOT / "tests/samples/events/PriceTick@1.0.jsonl").open()]
            good = next(s for s in samples if s["valid"])
            accepted = await call(c, "message_validate", contract="events/PriceTick@1.0", message=good["json"])
            assert accepted == {"valid": True, "canonical": good["canonical"], "pointer": None, "reason": None}
            wrong = dict(json.loads(good["json"]), bid="1.08")
            refusal = await call(c, "message_validate", contract="events/PriceTick@1.0", message=json.dumps(wrong))
            assert (refusal["valid"], refusal["canonical"], refusal["pointer"]) == (False, None, "/bid")
            assert refusal["reason"]
            not_json = await call(c, "message_validate", contract="events/PriceTick@1.0", message="{\"bid\": NaN}")
            assert (not_json["valid"], not_json["pointer"]) == (False, "")
            assert (await refused(c, "message_validate", contract="x/Y@1.0", message="{}")).code == UNKNOWN_CONTRACT

            error = await refused(c, "run_status", workflow="eurusd_pipeline@1.0", run_dir="no/such/run")
            assert error.code == NO_RUN

    anyio.run(main)


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
def test_run_status_of_a_real_run_and_edits_seen_between_calls(contractc, tmp_path, mode):
    runtime = binary("runtime", "runtime")
    project = tmp_path / "hello"
    subprocess.run([contractc, "init", project], check=True, capture_output=True)
    subprocess.run([contractc, "build"], cwd=project, check=True, capture_output=True)
    subprocess.run([runtime, "generated/plans/hello@1.0.plan.bin", "-q"], cwd=project, check=True,
                   capture_output=True)

    async def main():
        # The environment the runtime ran in: step keys read its allowlisted variables (LANG,
        # TZ, ...), which an MCP client does not pass on by default.
        async with client(contractc, project, mode, env=dict(os.environ)) as c:
            status = await call(c, "run_status", workflow="hello")
            assert (status["run_dir"], status["plan"]) == (".runs/hello@1.0", "generated/plans/hello@1.0.plan.bin")
            assert [(s["step"], s["last"], s["attempts"], s["resume"]) for s in status["steps"]] == [
                ("tick", "succeeded", 1, "up_to_date")
            ]
            assert status["resume_runs"] == []

            # An edit between two calls is seen by the second (the database is warm, the files
            # are read again): a new property, then the file's step definition changed.
            path = project / "contracts/events/PriceTick@1.0.json"
            schema = json.loads(path.read_text())
            before = await call(c, "contract_get", contract="events/PriceTick@1.0")
            assert "venue" not in before["schema"]["properties"]
            schema["properties"]["venue"] = {"type": "string"}
            path.write_text(json.dumps(schema, indent=2))
            after = await call(c, "contract_get", contract="events/PriceTick@1.0")
            assert after["schema"]["properties"]["venue"] == {"type": "string"}
            (project / "contracts/workflows/hello@1.0.json").unlink()
            assert (await call(c, "workflow_list"))["workflows"] == []
            assert (await refused(c, "run_status", workflow="hello@1.0")).code == UNKNOWN_WORKFLOW

    anyio.run(main)
