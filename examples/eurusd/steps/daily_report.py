"""End of day: one line per trading day of the tick stream (UTC), with the mid price's open,
high, low and close, the number of ticks and the mean spread in points; the last days printed."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from ctc_step import read
from trading_contracts.events.price_tick_1_0 import PriceTick

POINT = 0.00001


@dataclass
class Day:
    open: float
    high: float
    low: float
    close: float
    ticks: int = 1
    spread: float = 0.0

    def add(self, mid: float, spread: float) -> None:
        self.high = max(self.high, mid)
        self.low = min(self.low, mid)
        self.close = mid
        self.ticks += 1
        self.spread += spread


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=5, help="how many of the last days to print")
    args = parser.parse_args()
    days: dict[str, Day] = {}
    for tick in read("tick", PriceTick):
        mid, spread = (tick.bid + tick.ask) / 2, tick.ask - tick.bid
        day = tick.time[:10]  # RFC 3339: the date comes first
        if day in days:
            days[day].add(mid, spread)
        else:
            days[day] = Day(mid, mid, mid, mid, spread=spread)
    print(f"trading days: {len(days)}")
    print("day         open     high     low      close    ticks  spread (points)")
    for date, d in list(days.items())[-args.days :]:
        print(
            f"{date}  {d.open:.5f}  {d.high:.5f}  {d.low:.5f}  {d.close:.5f}  {d.ticks:5d}  "
            f"{d.spread / d.ticks / POINT:.1f}"
        )


if __name__ == "__main__":
    main()
