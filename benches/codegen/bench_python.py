#!/usr/bin/env python3
"""`make bench-codegen`, Python: the generated package's reading and writing of one message,
beside the local alternatives on the same text, in one run.

    bench_python.py [--processes N] [--seconds S]

Messages (benches/codegen/messages/): OrderIntent@1.2 (the project's), PriceTick@1.0 (the
project's) and Portfolio@1.0 (tests/conformance, 20 positions of 3 fills each, about 10 kB).
Reading: `from_json(Model, text)` (strict RFC 8259 and every constraint), Pydantic's own
`Model.model_validate_json(text)` (the same strict model, no check of the text), msgspec's
`msgspec.json.Decoder` of an equivalent `Struct` (the same bounds, lengths, enums and RFC 3339
times as `datetime`) and python-jsonschema (`json.loads`, then a Draft 2020-12 validator of the
contract with its format checker). Writing: `to_canonical_json(m)`, Pydantic's
`m.model_dump_json()` and msgspec's `Encoder`.

Each of N processes (default 5) warms every call up, then times them with `timeit` in 5 rounds
in which every call runs for about S seconds (default 0.2) in turn, and keeps each call's best;
the table shows the median of the processes' bests per call: time per message, messages per second, MB/s of the message's
text, and the ratio to Pydantic's own call on the same model and text (reads to
`model_validate_json`, writes to `model_dump_json`). Standard library only, but for the
packages of benches/codegen/requirements.txt and the generated packages.
"""

import argparse
import json
import statistics
import subprocess
import sys
import timeit
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = ROOT / "benches" / "codegen" / "messages"
REPEATS = 5


Positive = Annotated[float, Meta(gt=0)]


class Instrument(Struct, forbid_unknown_fields=True):
    symbol: Annotated[str, Meta(min_length=6, max_length=12)]
    digits: Annotated[int, Meta(ge=0, le=8)]
    point: Positive
    contract_size: Positive


class OrderIntent(Struct, forbid_unknown_fields=True):
    intent_id: Annotated[str, Meta(min_length=1, max_length=64)]
    time: datetime
    instrument: Instrument
    side: Literal["BUY", "SELL"]
    order_type: Literal["MARKET", "LIMIT", "STOP"]
    volume_lots: Annotated[float, Meta(ge=0.01, le=100.0)]
    time_in_force: Literal["GTC", "IOC", "FOK", "GTD"]
    price: Positive | UnsetType = UNSET
    stop_loss: Positive | UnsetType = UNSET
    take_profit: Positive | UnsetType = UNSET
    magic_number: Annotated[int, Meta(ge=0, le=2147483647)] | UnsetType = UNSET
    comment: Annotated[str, Meta(max_length=31)] | UnsetType = UNSET


class PriceTick(Struct, forbid_unknown_fields=True):
    instrument: Instrument
    time: datetime
    bid: Positive
    ask: Positive
    sequence: Annotated[int, Meta(ge=0)]
    volume: Annotated[int, Meta(ge=0)] | UnsetType = UNSET


class Fill(Struct, forbid_unknown_fields=True):
    fill_id: Annotated[str, Meta(min_length=1, max_length=32)]
    time: datetime
    price: Positive
    lots: Positive
    commission: float


class Position(Struct, forbid_unknown_fields=True):
    ticket: Annotated[int, Meta(ge=1)]
    symbol: Annotated[str, Meta(min_length=6, max_length=12)]
    side: Literal["BUY", "SELL"]
    lots: Annotated[float, Meta(gt=0, le=100)]
    open_price: Positive
    open_time: datetime
    fills: Annotated[list[Fill], Meta(min_length=1)]
    stop_loss: Positive | UnsetType = UNSET
    take_profit: Positive | UnsetType = UNSET
    comment: Annotated[str, Meta(max_length=31)] | UnsetType = UNSET


class Portfolio(Struct, forbid_unknown_fields=True):
    account: Annotated[str, Meta(min_length=1, max_length=32)]
    time: datetime
    currency: Literal["USD", "EUR", "GBP", "JPY"]
    balance: Annotated[float, Meta(ge=0)]
    positions: list[Position]


#: The `msgspec.Struct` equivalents of the three contracts (absent optional members `UNSET`).
STRUCTS = {"OrderIntent@1.2": OrderIntent, "PriceTick@1.0": PriceTick, "Portfolio@1.0": Portfolio}


def jsonschema_validators() -> dict[str, Any]:
    """Draft 2020-12 validators of the contracts, `$ref`s between files resolved by `$id`."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    files = [
        *(ROOT / "contracts" / "events").glob("*.json"),
        ROOT / "tests/conformance/contracts/shapes/Portfolio@1.0.json",
    ]
    schemas = {f.stem: json.loads(f.read_text()) for f in files}
    registry = Registry().with_resources((s["$id"], Resource.from_contents(s)) for s in schemas.values())
    checker = Draft202012Validator.FORMAT_CHECKER
    return {
        key: Draft202012Validator(schemas[key], registry=registry, format_checker=checker)
        for key in ("OrderIntent@1.2", "PriceTick@1.0", "Portfolio@1.0")
    }


def calls() -> list[tuple[str, str, str, Callable[[], object]]]:
    """(message, read or write, label, call) for every message and implementation; each call is
    run once here, so that one that refuses its message stops the run."""
    import trading_contracts
    from conformance_contracts import from_json as from_json_conformance
    from conformance_contracts import to_canonical_json as to_canonical_conformance
    from conformance_contracts.shapes.portfolio_1_0 import Portfolio
    from trading_contracts.events.order_intent_1_2 import OrderIntent
    from trading_contracts.events.price_tick_1_0 import PriceTick

    models = {"OrderIntent@1.2": OrderIntent, "PriceTick@1.0": PriceTick, "Portfolio@1.0": Portfolio}
    validators = jsonschema_validators()
    out = []
    for key, model in models.items():
        text = (MESSAGES / f"{key}.json").read_text().strip()
        from_json, to_canonical = (
            (from_json_conformance, to_canonical_conformance)
            if key == "Portfolio@1.0"
            else (trading_contracts.from_json, trading_contracts.to_canonical_json)
        )
        decoder, encoder = msgspec.json.Decoder(STRUCTS[key]), msgspec.json.Encoder()
        validator = validators[key]
        message, struct = from_json(model, text), decoder.decode(text)
        out += [
            (key, "read", "contractc from_json", lambda m=model, t=text, f=from_json: f(m, t)),
            (key, "read", "pydantic model_validate_json", lambda m=model, t=text: m.model_validate_json(t)),
            (key, "read", "msgspec Decoder", lambda d=decoder, t=text: d.decode(t)),
            (key, "read", "jsonschema", lambda v=validator, t=text: v.validate(json.loads(t))),
            (key, "write", "contractc to_canonical_json", lambda m=message, f=to_canonical: f(m)),
            (key, "write", "pydantic model_dump_json", lambda m=message: m.model_dump_json()),
            (key, "write", "msgspec Encoder", lambda e=encoder, s=struct: e.encode(s)),
        ]
    for _, _, _, call in out:
        call()
    return out


def worker(seconds: float) -> None:
    """One process: every call's best time, as JSON on stdout. Each call is warmed up and its
    count per run set to take about `seconds`; then the calls take turns, `REPEATS` rounds, so
    that a change in the machine's load falls on all of them alike."""
    timers = {}
    for key, kind, label, call in calls():
        timer = timeit.Timer(call)
        number, took = timer.autorange()
        number = max(1, int(number * seconds / took))
        timer.timeit(number)
        timers[f"{key}\t{kind}\t{label}"] = (timer, number)
    times = dict.fromkeys(timers, float("inf"))
    for _ in range(REPEATS):
        for name, (timer, number) in timers.items():
            times[name] = min(times[name], timer.timeit(number) / number)
    json.dump(times, sys.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.2)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.seconds)
        return
    runs = []
    for _ in range(args.processes):
        argv = [sys.executable, __file__, "--worker", "--seconds", str(args.seconds)]
        runs.append(json.loads(subprocess.run(argv, check=True, stdout=subprocess.PIPE, text=True).stdout))
    medians = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    print(f"Python {sys.version.split()[0]}, {args.processes} processes, median of each process's best of {REPEATS}")
    print("| message | bytes | call | per message | messages/s | MB/s | ratio |")
    print("|---|---|---|---|---|---|---|")
    for k, t in medians.items():
        key, kind, label = k.split("\t")
        size = len((MESSAGES / f"{key}.json").read_bytes().strip())
        base = medians[f"{key}\t{kind}\tpydantic {'model_validate_json' if kind == 'read' else 'model_dump_json'}"]
        print(f"| {key} | {size} | {label} | {t * 1e6:.2f} µs | {1 / t:,.0f} | {size / t / 1e6:.1f} | {t / base:.2f} |")


if __name__ == "__main__":
    main()
