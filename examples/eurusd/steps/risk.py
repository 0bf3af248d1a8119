"""Turns admitted signals into OrderIntent@1.2 market orders: one order each time the wanted
side changes, sized by signal strength, with a stop loss and a take profit in pips.

Only signals that pass the step's `when` condition reach this step (the runtime filters them).
"""

from __future__ import annotations

import argparse

from ctc_step import read, write
from trading_contracts.events.instrument_1_0 import Instrument
from trading_contracts.events.order_intent_1_2 import OrderIntent
from trading_contracts.events.signal_1_0 import Signal

MAGIC = 20240601
PIP = 0.0001


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-lots", type=float, default=1.0)
    parser.add_argument("--stop-pips", type=float, default=50.0)
    parser.add_argument("--target-pips", type=float, default=100.0)
    args = parser.parse_args()
    instrument = Instrument(symbol="EURUSD", digits=5, point=0.00001, contract_size=100000.0)

    def intents():
        position = None
        for s in read("signal", Signal):
            if s.side == position:
                continue
            position = s.side
            direction = 1 if s.side == "BUY" else -1
            yield OrderIntent(
                intent_id=f"oi-{s.signal_id}",
                time=s.time,
                instrument=instrument,
                side=s.side,
                order_type="MARKET",
                volume_lots=max(0.01, round(args.max_lots * s.strength, 2)),
                time_in_force="IOC",
                stop_loss=round(s.price - direction * args.stop_pips * PIP, 5),
                take_profit=round(s.price + direction * args.target_pips * PIP, 5),
                magic_number=MAGIC,
                comment=s.strategy[:31],
            )

    print(f"{write(intents())} order intents")


if __name__ == "__main__":
    main()
