"""The generated Python's reading API beyond the conformance suite's verdicts: which exception
each refusal raises (`StrictJSONError` for what strict RFC 8259 refuses, Pydantic's
`ValidationError` for the schema's constraints), and `from_json_lines` over a stream."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pydantic import ValidationError
from trading_contracts import LineError, StrictJSONError, from_json, from_json_lines
from trading_contracts.events.price_tick_1_0 import PriceTick

ROOT = Path(__file__).resolve().parents[2]
TICK = (ROOT / "benches" / "codegen" / "messages" / "PriceTick@1.0.json").read_text().strip()


def spelled(old: str, new: str) -> str:
    assert old in TICK
    return TICK.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (spelled('"bid"', '"bid": 1, "bid"'), StrictJSONError),
        (spelled('"digits"', '"digits": 5, "digits"'), StrictJSONError),
        (spelled('"symbol"', '"sym\\u0062ol": "EURUSD", "symbol"'), StrictJSONError),
        (spelled('"EURUSD"', '"EUR\\u0000USD"'), StrictJSONError),
        (spelled('"EURUSD"', '"EUR\\ud800USD"'), StrictJSONError),
        (spelled('"EURUSD"', '"EUR\ud800USD"'), StrictJSONError),
        (spelled("1413", "1e400"), StrictJSONError),
        (spelled("1413", "NaN"), StrictJSONError),
        (TICK[:-1], StrictJSONError),
        ("\ufeff" + TICK, StrictJSONError),
        (spelled("1413", "-1"), ValidationError),
        (spelled("1413", "1.0"), ValidationError),
    ],
)
def test_each_refusal_raises_its_kind(text: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        from_json(PriceTick, text)


def test_bytes_are_utf8() -> None:
    assert from_json(PriceTick, TICK.encode()) == from_json(PriceTick, TICK)
    with pytest.raises(UnicodeDecodeError):
        from_json(PriceTick, TICK.encode().replace(b"EURUSD", b"EUR\xffUSD"))


def test_lines_are_read_one_message_each_blank_lines_skipped() -> None:
    second = spelled('"sequence": 0', '"sequence": 1')
    stream = io.BytesIO(f"{TICK}\n\n{second}\r\n  \n".encode())
    assert [t.sequence for t in from_json_lines(PriceTick, stream)] == [0, 1]
    assert [t.sequence for t in from_json_lines(PriceTick, [TICK, second])] == [0, 1]


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (spelled('"bid"', '"bid": 1, "bid"'), StrictJSONError),
        (spelled("1413", "-1"), ValidationError),
    ],
)
def test_a_bad_line_is_named(bad: str, error: type[Exception]) -> None:
    read = from_json_lines(PriceTick, io.StringIO(f"{TICK}\n\n{bad}\n{TICK}\n"))
    assert next(read).sequence == 0
    with pytest.raises(LineError) as caught:
        next(read)
    assert caught.value.line == 3
    assert isinstance(caught.value.error, error)
    assert caught.value.__cause__ is caught.value.error
    assert str(caught.value).startswith("line 3: ")
