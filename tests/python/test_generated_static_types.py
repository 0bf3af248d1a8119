"""The generated Python packages are honestly typed: `mypy --strict` and `ruff check` (its
default rules) find nothing in them. Optional fields are `T | None`, unions and aliases have
their real types, imports are exactly what each module uses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = [
    (ROOT / "generated" / "python" / "src", "trading_contracts"),
    (ROOT / "tests" / "conformance" / "generated" / "python" / "src", "conformance_contracts"),
    (ROOT / "tests" / "corpus" / "generated" / "python" / "src", "corpus_contracts"),
]


def run(tool: list[str], src: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *tool], cwd=src, capture_output=True, text=True, check=False)


@pytest.mark.parametrize(("src", "package"), PACKAGES, ids=[p for _, p in PACKAGES])
def test_mypy_strict_finds_nothing(src: Path, package: str) -> None:
    cache = ROOT / ".venv" / "mypy-cache"
    done = run(["mypy", "--strict", "--cache-dir", str(cache), package], src)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(("src", "package"), PACKAGES, ids=[p for _, p in PACKAGES])
def test_ruff_finds_nothing(src: Path, package: str) -> None:
    done = run(["ruff", "check", "--no-cache", package], src)
    assert done.returncode == 0, done.stdout + done.stderr
