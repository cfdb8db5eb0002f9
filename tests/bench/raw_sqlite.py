"""The ceiling of the durable-sales figure: raw sqlite3, WAL, synchronous=FULL, one
transaction per sale holding what the product writes for it (sale, lines, tender, ledger)."""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from pathlib import Path

SCHEMA = """
CREATE TABLE sale (id TEXT PRIMARY KEY, number TEXT UNIQUE, total TEXT, completed_at TEXT);
CREATE TABLE sale_line (id TEXT PRIMARY KEY, sale_id TEXT, position INTEGER, sku TEXT,
                        quantity TEXT, amount TEXT);
CREATE TABLE tender (id TEXT PRIMARY KEY, sale_id TEXT, method TEXT, amount TEXT);
CREATE TABLE ledger (seq INTEGER PRIMARY KEY, uuid TEXT UNIQUE, kind TEXT, sku TEXT,
                     quantity TEXT, document_id TEXT, payload TEXT);
"""


def raw_sales_per_second(path: Path, *, lines: int, seconds: float) -> float:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.executescript(SCHEMA)
    seq = count = 0
    deadline = time.monotonic() + seconds
    started = time.monotonic()
    while time.monotonic() < deadline:
        sale = str(uuid.uuid4())
        rows = [(str(uuid.uuid4()), sale, n, f"sku{n}", "1.000", "1.99") for n in range(lines)]
        document = json.dumps({"id": sale, "lines": rows, "total": "19.90"})
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO sale VALUES (?, ?, ?, ?)", (sale, f"n{count}", "19.90", "now"))
        db.executemany("INSERT INTO sale_line VALUES (?, ?, ?, ?, ?, ?)", rows)
        db.execute(
            "INSERT INTO tender VALUES (?, ?, ?, ?)", (str(uuid.uuid4()), sale, "cash", "20")
        )
        ledger = [(seq + 1, str(uuid.uuid4()), "sale_completed", "", None, sale, document)]
        ledger += [(seq + 2 + n, str(uuid.uuid4()), "sale", f"sku{n}", "-1", sale, "{}")
                   for n in range(lines)]  # fmt: skip
        db.executemany("INSERT INTO ledger VALUES (?, ?, ?, ?, ?, ?, ?)", ledger)
        db.execute("COMMIT")
        seq += len(ledger)
        count += 1
    elapsed = time.monotonic() - started
    db.close()
    return count / elapsed
