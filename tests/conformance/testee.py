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


def answer(contract: str, message: str) -> str:
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
