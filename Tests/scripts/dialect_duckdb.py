#!/usr/bin/env python3
"""The duckdb dialect on a real DuckDB (the duckdb package from PyPI; pip install duckdb).

Reads the JSON lines DialectExportTests writes (WENSHU_DIALECT=duckdb), loads each dataset's
tables into an in-memory DuckDB with the column types Wenshu wrote for them (PostgresExport's
rule), rows in the file's order (DuckDB's rowid), runs every statement and compares its rows
with the cube's (dialect_compare.py: DifferentialCompare's rule).

  WENSHU_DIALECT_EXPORT=/tmp/duck.jsonl WENSHU_DIALECT=duckdb WENSHU_DIALECT_PLANS=2000 \\
    swift test --filter DialectExportTests
  python3 Tests/scripts/dialect_duckdb.py /tmp/duck.jsonl
"""

import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dialect_compare as dc  # noqa: E402

try:
    import duckdb
except ImportError:
    sys.exit("dialect_duckdb.py: the duckdb package is missing: pip install duckdb")

TYPES = {"integer": "BIGINT", "real": "DOUBLE", "date": "DATE", "timestamp": "TIMESTAMP", "text": "VARCHAR"}


def quote(name):
    return '"%s"' % name.replace('"', '""')


def field(v):
    if v is None:
        return ""
    if isinstance(v, (int, float)):
        return repr(v)
    return '"' + str(v).replace('"', '""') + '"'


def load(ds, scratch):
    """An in-memory DuckDB holding the dataset's mapped tables (through a CSV file: every text
    quoted, NULL an unquoted empty field)."""
    con = duckdb.connect(":memory:")
    for table, columns in ds["tables"].items():
        cols = ", ".join("%s %s" % (quote(n), TYPES[k]) for n, k in columns)
        con.execute("CREATE TABLE %s (%s)" % (quote(table), cols))
        path = os.path.join(scratch, "%s.%s.csv" % (ds["name"], table))
        with open(path, "w", encoding="utf-8", newline="") as f:
            for row in dc.sqlite_rows(ds["path"], table, columns):
                f.write(",".join(field(v) for v in row) + "\n")
        types = "{%s}" % ", ".join("'%s': '%s'" % (n.replace("'", "''"), TYPES[k]) for n, k in columns)
        con.execute("INSERT INTO %s SELECT * FROM read_csv('%s', header = false, delim = ',', quote = '\"', escape = '\"', "
                    "columns = %s, nullstr = '', allow_quoted_nulls = false, parallel = false, auto_detect = false)"
                    % (quote(table), path.replace("'", "''"), types))
        os.remove(path)
    return con


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("WENSHU_DIALECT_EXPORT", "")
    if not path:
        sys.exit("usage: dialect_duckdb.py export.jsonl")
    t0 = time.time()
    datasets, plans, errors = dc.read_export(path)
    used = {p["dataset"] for p in plans}
    with tempfile.TemporaryDirectory() as scratch:
        cons = {name: load(ds, scratch) for name, ds in datasets.items() if name in used}
    print("duckdb %s: %d datasets loaded in %.1f s" % (duckdb.__version__, len(cons), time.time() - t0))
    differ = []
    for i, p in enumerate(plans):
        if (i + 1) % 250 == 0:
            print("  %d of %d statements, %.0f s" % (i + 1, len(plans), time.time() - t0), file=sys.stderr, flush=True)
        try:
            got = cons[p["dataset"]].execute(p["sql"]).fetchall()
        except Exception as e:  # the statement failed: a difference
            differ.append((p, "the SQL failed: %s" % str(e).splitlines()[0]))
            continue
        why = dc.compare(p, got)
        if why:
            differ.append((p, why))
    return dc.report("duckdb", plans, differ, errors, time.time() - t0, examples=5)


if __name__ == "__main__":
    sys.exit(main())
