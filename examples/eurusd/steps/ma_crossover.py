"""Fast/slow simple moving averages of the mid price; one Signal@1.0 per tick once both are
defined. Side: BUY when fast > slow, SELL when fast < slow, FLAT when equal. Strength: the gap
between the averages relative to `--full-gap`, capped at 1.
"""

from __future__ import annotations

import argparse
from collections import deque

from ctc_step import read, write
from trading_contracts.events.price_tick_1_0 import PriceTick
from trading_contracts.events.signal_1_0 import Signal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fast", type=int, default=10)
    parser.add_argument("--slow", type=int, default=30)
    parser.add_argument("--full-gap", type=float, default=0.0020, help="gap (in price) that means strength 1")
    args = parser.parse_args()
    strategy = f"sma_cross_{args.fast}_{args.slow}"

    def signals():
        window: deque[float] = deque(maxlen=args.slow)
        for tick in read("tick", PriceTick):
            window.append((tick.bid + tick.ask) / 2)
            if len(window) < args.slow:
                continue
            fast = sum(list(window)[-args.fast:]) / args.fast
            slow = sum(window) / args.slow
            side = "BUY" if fast > slow else "SELL" if fast < slow else "FLAT"
            yield Signal(
                signal_id=f"{strategy}-{tick.sequence}",
                time=tick.time,
                symbol=tick.instrument.symbol,
                side=side,
                strength=round(min(1.0, abs(fast - slow) / args.full_gap), 4),
                price=round(window[-1], 6),
                strategy=strategy,
            )

    print(f"{write(signals())} signals from {strategy}")


if __name__ == "__main__":
    main()
