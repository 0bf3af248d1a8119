"""Reading inputs and writing outputs the way the contractc runtime hands them over.

Inputs are files named by `CTC_INPUT_<NAME>` (JSON Lines for streams); the output goes to the
file named by `CTC_OUTPUT`. Messages are read (`from_json_lines`) and written with the generated
Pydantic models.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from pydantic import BaseModel

from trading_contracts import from_json_lines, to_json

M = TypeVar("M", bound=BaseModel)


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        sys.exit(f"error: ${name} is not set; run this step through the contractc runtime")
    return value


def read(name: str, model: type[M]) -> Iterator[M]:
    """The messages of input `name`, validated by `model`; a line that is not one raises
    `trading_contracts.LineError`, naming it. The file is read in binary mode, so that lines end
    at `\\n` alone, as JSON Lines have them."""
    with open(_env(f"CTC_INPUT_{name.upper()}"), "rb") as f:
        yield from from_json_lines(model, f)


def write(messages: Iterable[BaseModel]) -> int:
    """Writes messages as JSON Lines to the step's output; returns how many."""
    n = 0
    with open(_env("CTC_OUTPUT"), "w", encoding="utf-8") as f:
        for m in messages:
            f.write(to_json(m))
            f.write("\n")
            n += 1
    return n
