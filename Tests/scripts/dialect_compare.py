"""What the dialect scripts share (dialect_duckdb.py, dialect_spark.py): reading the JSON lines
DialectExportTests writes, reading a SQLite file's tables as `wenshu export` copies them to a
server (each column converted to the kind Wenshu wrote for it), and DifferentialCompare's rule:

  rows compared in order, same count and width; keys keep their type (an integer id must come
  back as an integer, text as text, NULL as NULL); text exactly; a count column whose expected
  value is whole exactly; other numbers within 1e-9 relative (max(1, |x|, |y|)).
"""

import datetime
import decimal
import json
import sqlite3


def read_export(path):
    """(datasets by name, plans, compile errors) of a DialectExportTests file."""
    datasets, plans, errors = {}, [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            x = json.loads(line)
            if x["kind"] == "dataset":
                datasets[x["name"]] = x
            elif x["kind"] == "plan":
                plans.append(x)
            elif x["kind"] == "compile_error":
                errors.append(x)
    return datasets, plans, errors


def sqlite_rows(path, table, columns, rowid=False):
    """The rows of `table` in the file's order, each value as the column's kind holds it:
    integer → int, real → float, date → datetime.date, timestamp → datetime.datetime,
    text → SQLite's text of the value (as PostgresExport writes mixed columns). With rowid,
    each row starts with its SQLite rowid (the row-order column of engines without one)."""
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    db.text_factory = lambda b: b.decode("utf-8", errors="replace")
    exprs = []
    if rowid:
        taken = {n.lower() for n, _ in columns}
        exprs.append(next(n for n in ("rowid", "_rowid_", "oid") if n not in taken))
    for name, kind in columns:
        q = '"%s"' % name.replace('"', '""')
        exprs.append({"integer": q, "real": "CAST(%s AS REAL)" % q}.get(kind, "CAST(%s AS TEXT)" % q))
    convert = ([int] if rowid else []) + [CONVERT[kind] for _, kind in columns]
    cur = db.execute('SELECT %s FROM "%s"' % (", ".join(exprs), table.replace('"', '""')))
    for row in cur:
        yield tuple(None if v is None else c(v) for c, v in zip(convert, row))
    db.close()


def _timestamp(s):
    return datetime.datetime.fromisoformat(s.replace("T", " "))


CONVERT = {
    "integer": int,
    "real": float,
    "date": datetime.date.fromisoformat,
    "timestamp": _timestamp,
    "text": str,
}


def _number(v):
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float, decimal.Decimal)):
        return float(v)
    if isinstance(v, str) and v in ("NaN", "Infinity", "-Infinity"):
        return float(v)
    return None


def same(expected, got, key, count):
    if key:
        if expected is None or got is None:
            return expected is None and got is None
        if isinstance(expected, str) or isinstance(got, str):
            return isinstance(expected, str) and isinstance(got, str) and expected == got
        return type(got) is int and type(expected) is int and expected == got
    if expected is None or got is None:
        return expected is None and got is None
    if isinstance(expected, str) and expected not in ("NaN", "Infinity", "-Infinity"):
        return isinstance(got, str) and expected == got
    x, y = _number(expected), _number(got)
    if x is None or y is None:
        return False
    if count and x == int(x):
        return x == y
    return abs(x - y) <= 1e-9 * max(1.0, abs(x), abs(y))


def compare(plan, got):
    """The first difference between the executor's rows and the engine's, or None."""
    rows, cols = plan["rows"], plan["columns"]
    if len(rows) != len(got):
        return "row count: executor %d, engine %d" % (len(rows), len(got))
    for i, (e, g) in enumerate(zip(rows, got)):
        g = list(g)
        if len(e) != len(g):
            return "row %d: executor has %d columns, engine %d" % (i, len(e), len(g))
        for j, c in enumerate(cols):
            if not same(e[j], g[j], c["key"], c["count"]):
                return "row %d column %s: executor %r, engine %r" % (i, c["id"], e[j], g[j])
    return None


def report(name, plans, differ, errors, seconds, examples):
    """Prints the summary; returns the process exit status."""
    print("%s: %d plans, %d agree, %d differ, %d not compiled (%.1f s)"
          % (name, len(plans), len(plans) - len(differ), len(differ), len(errors), seconds))
    kinds = {}
    for _, why in differ:
        k = why.split(":")[0] if why.startswith("row ") is False else why.split(":")[0].split(" column ")[-1]
        k = why[:70] if why.startswith("the SQL failed") else k
        kinds[k] = kinds.get(k, 0) + 1
    for k, n in sorted(kinds.items(), key=lambda x: -x[1])[:15]:
        print("  %4d  %s" % (n, k))
    for plan, why in differ[:examples]:
        print("--- dataset=%s seed=%s: %s" % (plan["dataset"], plan["seed"], why))
        print(plan["sql"][:4000])
    for e in errors[:examples]:
        print("--- not compiled: dataset=%s seed=%s: %s" % (e["dataset"], e.get("seed"), e["error"]))
    return 0 if not differ and not errors else 1
