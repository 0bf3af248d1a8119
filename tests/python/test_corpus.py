"""The corpus's Python package (tests/corpus, written by benches/src/corpus.rs) imports, every
module of it, and reads and writes an event as the generated Rust and MQL4 do (tests/corpus.rs)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from pydantic import ValidationError

import corpus_contracts
from corpus_contracts import CONTRACTS, canonicalize, model

# The message and canonical form of tests/corpus.rs: cross-file `$ref`s, an open object with an
# unknown member, an array of objects holding an array of objects, members with defaults left out.
ORDER = (
    '{"event":"order_new","event_id":"3f1c2a4e-8b7d-4c1e-9f2a-1b2c3d4e5f60","time":"2026-12-01T09:30:00Z",'
    '"instrument":{"symbol":"EURUSD","asset_class":"FX","currency":"USD"},"client_order_id":"ord-1",'
    '"side":"BUY","quantity":1000.5,"order_type":"LIMIT","legs":[{"leg_no":1,"side":"SELL","fees":'
    '[{"kind":"BROKER","amount":{"amount":1.25,"currency":"EUR"}}]}],"account":{"account_id":'
    '"9b2e7c1d-0a3f-4e5b-8c6d-7e8f9a0b1c2d","desk":"FX1","venue_tier":2}}'
)
ORDER_CANONICAL = (
    '{"account":{"account_id":"9b2e7c1d-0a3f-4e5b-8c6d-7e8f9a0b1c2d","desk":"FX1","venue_tier":2},'
    '"client_order_id":"ord-1","comment":"","event":"order_new","event_id":"3f1c2a4e-8b7d-4c1e-9f2a-1b2c3d4e5f60",'
    '"instrument":{"asset_class":"FX","currency":"USD","digits":5,"symbol":"EURUSD"},"legs":[{"fees":'
    '[{"amount":{"amount":1.25,"currency":"EUR"},"kind":"BROKER"}],"leg_no":1,"ratio":1,"side":"SELL"}],'
    '"order_type":"LIMIT","quantity":1000.5,"reduce_only":false,"side":"BUY","time":"2026-12-01T09:30:00Z"}'
)


def test_every_module_imports() -> None:
    names = [m.name for m in pkgutil.walk_packages(corpus_contracts.__path__, "corpus_contracts.")]
    for name in names:
        importlib.import_module(name)
    # One module per contract version, beside the namespace packages and the support module.
    assert len([n for n in names if n.count(".") == 2]) == len(CONTRACTS) == 100


def test_every_contract_has_its_model() -> None:
    for key in CONTRACTS:
        assert model(key).__name__


def test_an_event_round_trips() -> None:
    assert canonicalize("orders/OrderNew@1.0", ORDER) == ORDER_CANONICAL
    assert canonicalize("orders/OrderNew@1.0", ORDER_CANONICAL) == ORDER_CANONICAL


def test_an_event_breaking_its_contract_is_refused() -> None:
    with pytest.raises(ValidationError, match="multiple"):
        canonicalize("orders/OrderNew@1.0", ORDER.replace("1000.5", "1000.505"))
