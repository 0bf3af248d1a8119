"""`contractc import` on a folder of Pydantic `model_json_schema()` exports (enums, nested models,
optional fields with defaults, constraints, `uuid` and `date-time`), then `contractc build`:
every backend is generated, and the generated Python reads a message and writes it back."""

from __future__ import annotations

import datetime
import enum
import importlib
import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Literal, Optional

from pydantic import BaseModel, Field

ROOT = Path(__file__).resolve().parents[2]


class Side(str, enum.Enum):
    BUY = "BUY"
    SELL = "SELL"


class Money(BaseModel):
    amount: float = Field(ge=0)
    currency: str = Field(min_length=3, max_length=3)


class OrderLine(BaseModel):
    sku: str
    quantity: int = Field(gt=0, default=1)
    price: Money


class Order(BaseModel):
    """An order of a customer."""

    id: uuid.UUID
    side: Side
    placed_at: datetime.datetime
    lines: list[OrderLine] = Field(min_length=1)
    note: Optional[str] = None
    tags: list[str] = []
    kind: Literal["limit", "market"] = "market"


def contractc(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["cargo", "run", "--quiet", "-p", "contractc", "--", *args, "--config", str(project / "contractc.toml")],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )


def test_pydantic_exports_import_and_build_in_every_language(tmp_path, monkeypatch):
    exports, project = tmp_path / "exports", tmp_path / "project"
    exports.mkdir()
    project.mkdir()
    for model in (Money, OrderLine, Order):
        (exports / f"{model.__name__}.json").write_text(json.dumps(model.model_json_schema(), indent=2))
    (project / "contractc.toml").write_text(
        'backends = ["rust", "python", "mql4"]\n[python]\npackage = "imported_models"\n'
    )
    run = contractc(project, "import", str(exports), "--namespace", "models")
    assert run.returncode == 0, run.stderr
    assert "3 compile, 0 with errors" in run.stderr, run.stderr
    run = contractc(project, "build")
    assert run.returncode == 0, run.stderr
    generated = project / "generated"
    assert (generated / "rust" / "src" / "models" / "order_1_0.rs").is_file()
    assert (generated / "mql4" / "Include" / "contractc" / "Order_1_0.mqh").is_file()
    monkeypatch.syspath_prepend(str(generated / "python" / "src"))
    package = importlib.import_module("imported_models")
    module = importlib.import_module("imported_models.models.order_1_0")
    message = Order(
        id=uuid.UUID(int=7), side=Side.BUY, placed_at=datetime.datetime(2026, 1, 2, 9, tzinfo=datetime.timezone.utc),
        lines=[OrderLine(sku="A-1", price=Money(amount=10.5, currency="EUR"))],
    ).model_dump_json()
    order = package.from_json(module.Order, message)
    assert order.lines[0].quantity == 1
    assert json.loads(package.to_canonical_json(order)) == json.loads(message)
    for name in [n for n in sys.modules if n.startswith("imported_models")]:
        sys.modules.pop(name)


def test_an_initialised_project_builds_and_its_python_reads_the_example(tmp_path, monkeypatch):
    project = tmp_path / "new"
    run = subprocess.run(
        ["cargo", "run", "--quiet", "-p", "contractc", "--", "init", str(project)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert run.returncode == 0, run.stderr
    run = contractc(project, "build")
    assert run.returncode == 0, run.stderr
    monkeypatch.syspath_prepend(str(project / "generated" / "python" / "src"))
    package = importlib.import_module("contracts")
    module = importlib.import_module("contracts.events.price_tick_1_0")
    example = json.loads((project / "contracts" / "events" / "PriceTick@1.0.json").read_text())["examples"][0]
    tick = package.from_json(module.PriceTick, json.dumps(example))
    assert tick.symbol == "EURUSD"
    for name in [n for n in sys.modules if n == "contracts" or n.startswith("contracts.")]:
        sys.modules.pop(name)
