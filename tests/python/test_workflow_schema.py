"""The generated workflow JSON Schema (for editors) accepts the project's workflow specs and
refuses a misspelt key, as the checker does."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "generated" / "workflow.schema.json").read_text(encoding="utf-8"))
WORKFLOWS = sorted((ROOT / "contracts" / "workflows").glob("*.json"))


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflows_validate(path):
    jsonschema.validate(json.loads(path.read_text(encoding="utf-8")), SCHEMA)


def test_a_misspelt_step_key_is_refused():
    spec = json.loads(WORKFLOWS[0].read_text(encoding="utf-8"))
    spec["steps"][0]["retries"] = 3
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(spec, SCHEMA)
