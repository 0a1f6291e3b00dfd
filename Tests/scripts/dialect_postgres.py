#!/usr/bin/env python3
"""The postgres dialect on a real PostgreSQL through psql (no Python driver needed).

Reads the JSON lines DialectExportTests writes (WENSHU_DIALECT=postgres), copies each dataset's
tables into a schema of its own (d_<name>) of the database at URL with the column types Wenshu
wrote for them (PostgresExport's rule), rows in the file's order, runs every statement
read-only, with its values bound to placeholders when the file has them (PREPARE/EXECUTE),
each row as JSON so that integers and text keep their type, and compares its rows with the cube's (dialect_compare.py: DifferentialCompare's rule). The schemas are dropped after.

  WENSHU_BIN=.build/debug/wenshu .ci/postgres.sh start
  WENSHU_DIALECT_EXPORT=/tmp/pg.jsonl WENSHU_DIALECT=postgres WENSHU_DIALECT_PLANS=2000 \\
    swift test --filter DialectExportTests
  python3 Tests/scripts/dialect_postgres.py /tmp/pg.jsonl "$(.ci/postgres.sh url wenshu_scratch)"
"""

import collections
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dialect_compare as dc  # noqa: E402

TYPES = {"integer": "bigint", "real": "double precision", "date": "date", "timestamp": "timestamp", "text": "text"}


def quote(name):
    return '"%s"' % name.replace('"', '""')


def psql(url, sql, stdin_sql=True):
    r = subprocess.run(["psql", url, "-X", "-At", "-v", "ON_ERROR_STOP=1", "-q"], input=sql,
                       capture_output=True, text=True, timeout=600)
    return r.returncode, r.stdout, r.stderr


def copy_field(v):
    if v is None:
        return "\\N"
    if isinstance(v, float):
        return repr(v)
    s = str(v)
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def schema_name(ds):
    return "d_" + re.sub(r"[^a-z0-9_]", "_", ds["name"].lower())


def load(url, ds):
    s = schema_name(ds)
    parts = ["DROP SCHEMA IF EXISTS %s CASCADE;" % s, "CREATE SCHEMA %s;" % s, "SET search_path TO %s;" % s]
    for table, columns in ds["tables"].items():
        parts.append("CREATE TABLE %s (%s);" % (quote(table), ", ".join("%s %s" % (quote(n), TYPES[k]) for n, k in columns)))
        parts.append("COPY %s FROM STDIN;" % quote(table))
        for row in dc.sqlite_rows(ds["path"], table, columns):
            parts.append("\t".join(copy_field(v) for v in row))
        parts.append("\\.")
    code, _, err = psql(url, "\n".join(parts) + "\n")
    if code != 0:
        sys.exit("loading %s: %s" % (ds["name"], err.strip()[:500]))


def run(url, ds, sql, parameters=None):
    """The statement's rows (values typed by JSON), read-only with a timeout; with parameters,
    the statement with placeholders prepared and executed with them (as a driver binds them)."""
    body = "SELECT CAST(row_to_json(t) AS text) FROM (\n%s\n) t" % sql
    if parameters is not None:
        body = "PREPARE q AS %s;\nEXECUTE q%s" % (body, "(%s)" % ", ".join(parameters) if parameters else "")
    wrapped = ("SET search_path TO %s;\nSET statement_timeout = '120s';\nBEGIN READ ONLY;\n%s;\nCOMMIT;\n") % (schema_name(ds), body)
    code, out, err = psql(url, wrapped)
    if code != 0:
        raise RuntimeError(err.strip().splitlines()[0] if err.strip() else "psql exit %d" % code)
    rows = []
    for line in out.splitlines():
        if line in ("SET", "BEGIN", "COMMIT", "PREPARE") or not line.strip():
            continue
        obj = json.loads(line, object_pairs_hook=collections.OrderedDict)
        rows.append(tuple(obj.values()))
    return rows


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: dialect_postgres.py export.jsonl postgresql://…/scratch_db")
    path, url = sys.argv[1], sys.argv[2]
    t0 = time.time()
    datasets, plans, errors = dc.read_export(path)
    used = {p["dataset"] for p in plans}
    for name in sorted(used):
        load(url, datasets[name])
    print("postgres: %d datasets loaded in %.1f s" % (len(used), time.time() - t0))
    differ = []
    for i, p in enumerate(plans):
        if (i + 1) % 250 == 0:
            print("  %d of %d statements, %.0f s" % (i + 1, len(plans), time.time() - t0), file=sys.stderr, flush=True)
        try:
            if "bound_sql" in p:  # as the pushdown engine runs it: placeholders, values bound
                got = run(url, datasets[p["dataset"]], p["bound_sql"], p["parameters"])
            else:
                got = run(url, datasets[p["dataset"]], p["sql"])
        except Exception as e:
            differ.append((p, "the SQL failed: %s" % e))
            continue
        # JSON has no integer/double distinction for whole doubles: keys are integers or text.
        why = dc.compare(p, got)
        if why:
            differ.append((p, why))
    psql(url, "".join("DROP SCHEMA IF EXISTS %s CASCADE;\n" % schema_name(datasets[n]) for n in used))
    return dc.report("postgres", plans, differ, errors, time.time() - t0, examples=5)


if __name__ == "__main__":
    sys.exit(main())
