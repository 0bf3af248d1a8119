"""The generated migration JSON Schema (for editors) accepts the project's migrations and refuses
an unknown op and a misspelt key, as the checker does (E0308)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "generated" / "migration.schema.json").read_text(encoding="utf-8"))
MIGRATIONS = sorted((ROOT / "contracts" / "migrations").glob("**/*.json"))


@pytest.mark.parametrize("path", MIGRATIONS, ids=lambda p: p.name)
def test_migrations_validate(path):
    jsonschema.validate(json.loads(path.read_text(encoding="utf-8")), SCHEMA)


@pytest.mark.parametrize("op", [
    {"op": "renam", "path": "/volume_lots", "to": "quantity_lots"},
    {"op": "rename", "path": "/volume_lots", "into": "quantity_lots"},
    {"op": "enum_map", "path": "/side", "map": {"BUY": 1}},
    {"op": "convert", "path": "/time", "to": "date-time"},
])
def test_a_wrong_op_is_refused(op):
    migration = json.loads(MIGRATIONS[0].read_text(encoding="utf-8"))
    migration["ops"].append(op)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(migration, SCHEMA)
