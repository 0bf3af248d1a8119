"""Summarises the execution reports: fills, volume, and the result of flipping positions."""

from __future__ import annotations

from ctc_step import read
from trading_contracts.events.execution_report_1_0 import ExecutionReport


def main() -> None:
    reports = list(read("report", ExecutionReport))
    filled = [r for r in reports if r.status == "FILLED"]
    rejected = [r for r in reports if r.status == "REJECTED"]
    lots = sum(r.filled_lots for r in filled)
    print(f"execution reports: {len(reports)} ({len(filled)} filled, {len(rejected)} rejected), {lots:.2f} lots traded")
    pnl_pips = 0.0
    for prev, cur in zip(filled, filled[1:]):
        direction = 1 if prev.side == "BUY" else -1
        pnl_pips += direction * (cur.average_price - prev.average_price) / 0.0001
    if filled:
        print(f"first fill {filled[0].time}, last fill {filled[-1].time}")
        print(f"closed-trade result of the always-in-market crossover: {pnl_pips:+.1f} pips")


if __name__ == "__main__":
    main()
