"""Checks the tick stream: ordering, spreads and gaps. Prints a short report."""

from __future__ import annotations

from datetime import datetime

from ctc_step import read
from trading_contracts.events.price_tick_1_0 import PriceTick


def main() -> None:
    count = 0
    spreads: list[float] = []
    out_of_order = 0
    gaps = 0
    previous: datetime | None = None
    for tick in read("tick", PriceTick):
        count += 1
        spreads.append(tick.ask - tick.bid)
        at = datetime.fromisoformat(tick.time.replace("Z", "+00:00"))
        if previous is not None:
            if at <= previous:
                out_of_order += 1
            elif (at - previous).total_seconds() > 3 * 3600:
                gaps += 1
        previous = at
    point = 0.00001
    print(f"ticks: {count}, out of order: {out_of_order}, gaps over 3 h (weekends, holidays): {gaps}")
    if spreads:
        print(f"spread in points: min {min(spreads) / point:.1f}, max {max(spreads) / point:.1f}")
    if out_of_order:
        raise SystemExit("tick stream is not in time order")


if __name__ == "__main__":
    main()
