"""Emits one PriceTick@1.0 per hourly EURUSD bar: bid = close, ask = close + a fixed spread.

The bars are the EURUSD.csv that ships inside the PyPI package `backtesting` (5,000 hourly bars,
2017-04-19 to 2018-02-07). `EURUSD_CSV` names another file of the same columns instead.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import os
import sys
from pathlib import Path

from ctc_step import write
from trading_contracts.events.instrument_1_0 import Instrument
from trading_contracts.events.price_tick_1_0 import PriceTick


def bars_path() -> Path:
    override = os.environ.get("EURUSD_CSV")
    if override:
        return Path(override)
    spec = importlib.util.find_spec("backtesting")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("error: the PyPI package `backtesting` is not installed; run `make setup`")
    return Path(spec.submodule_search_locations[0]) / "test" / "EURUSD.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spread-points", type=int, default=12, help="ask - bid, in points (0.00001)")
    args = parser.parse_args()
    instrument = Instrument(symbol="EURUSD", digits=5, point=0.00001, contract_size=100000.0)
    spread = args.spread_points * instrument.point

    def ticks():
        with open(bars_path(), newline="", encoding="utf-8") as f:
            for seq, row in enumerate(csv.DictReader(f)):
                stamp = row[""].replace(" ", "T") + "Z"
                bid = float(row["Close"])
                yield PriceTick(
                    instrument=instrument,
                    time=stamp,
                    bid=bid,
                    ask=round(bid + spread, instrument.digits),
                    volume=int(row["Volume"]),
                    sequence=seq,
                )

    n = write(ticks())
    print(f"{n} ticks from {bars_path().name}")


if __name__ == "__main__":
    main()
