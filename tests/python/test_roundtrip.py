"""The generated Python package (strict Pydantic v2) accepts every valid sample, refuses every
invalid one, and writes accepted messages back as their canonical bytes."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from trading_contracts import StrictJSONError, from_json, to_canonical_json

TESTS = Path(__file__).resolve().parents[1]


def _model(key: str):
    """`events/PriceTick@1.0` -> trading_contracts.events.price_tick_1_0.PriceTick"""
    namespace, rest = key.split("/")
    name, version = rest.split("@")
    major, minor = version.split(".")
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
    module = importlib.import_module(f"trading_contracts.{namespace}.{snake}_{major}_{minor}")
    return getattr(module, name)


def _cases():
    # Hand-written samples and the vectors generated from the IR.
    for path in sorted([*TESTS.glob("samples/*/*.jsonl"), *TESTS.glob("vectors/*/*.jsonl")]):
        key = f"{path.parent.name}/{path.name.removesuffix('.jsonl')}"
        # Lines end at "\n" only: str.splitlines() would also split at U+2028 inside a string.
        for line in path.read_text(encoding="utf-8").split("\n"):
            if not line:
                continue
            sample = json.loads(line)
            yield pytest.param(key, sample, id=f"{key}:{sample['name']}")


CASES = list(_cases())


def test_there_are_enough_samples():
    assert len(CASES) >= 500


@pytest.mark.parametrize(("key", "sample"), CASES)
def test_sample(key, sample):
    model = _model(key)
    if sample["valid"]:
        message = from_json(model, sample["json"])
        assert to_canonical_json(message) == sample["canonical"]
    else:
        with pytest.raises((ValidationError, StrictJSONError)):
            from_json(model, sample["json"])
