"""The conformance testee of the generated Python: `canonicalize` of the trading contracts'
package and of the conformance suite's (protocol: tests/conformance/src/lib.rs)."""

import struct
import sys
import warnings

# Generated code must import cleanly: a field that shadows a Pydantic attribute, for one, only warns.
warnings.simplefilter("error")

import conformance_contracts  # noqa: E402
import trading_contracts  # noqa: E402

PACKAGES = (trading_contracts, conformance_contracts)
for _package in PACKAGES:
    for _key in _package.CONTRACTS:
        _package.model(_key)


def migrated(task: str, source: str, target: str, message: str) -> str:
    """`upgrade`: read as `source`, carried to `target`, written as `target`; `roundtrip`: the
    same, then carried back and written as `source`."""
    for package in PACKAGES:
        if (source, target) in package.UPGRADES:
            try:
                up = package.upgrade(source, target, message)
                if task == "upgrade":
                    return "accept\n" + package.to_canonical_json(up)
                if (target, source) not in package.DOWNGRADES:
                    return "unknown\n"
                down = package.downgrade(target, source, package.to_canonical_json(up))
                return "accept\n" + package.to_canonical_json(down)
            except ValueError as e:
                return "reject\n" + " ".join(str(e).split())
    return "unknown\n"


def answer(contract: str, message: str) -> str:
    task = contract.split(" ")
    if len(task) == 3 and task[0] in ("upgrade", "roundtrip"):
        return migrated(task[0], task[1], task[2], message)
    for package in PACKAGES:
        if contract in package.CONTRACTS:
            try:
                return "accept\n" + package.canonicalize(contract, message)
            except ValueError as e:  # StrictJSONError and pydantic's ValidationError
                return "reject\n" + " ".join(str(e).split())
    return "unknown\n"


def main() -> None:
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while header := stdin.read(4):
        (length,) = struct.unpack("<I", header)
        contract, _, message = stdin.read(length).decode("utf-8").partition("\n")
        reply = answer(contract, message).encode("utf-8", "surrogatepass")
        stdout.write(struct.pack("<I", len(reply)) + reply)
    stdout.flush()


if __name__ == "__main__":
    main()
