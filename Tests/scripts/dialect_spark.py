#!/usr/bin/env python3
"""The spark dialect on a real Spark SQL: pyspark from PyPI in local mode (pip install pyspark;
Java 17).

Reads the JSON lines DialectExportTests writes (WENSHU_DIALECT=spark; random plans, and with
WENSHU_DIALECT_CASES every acceptance case), creates each dataset's tables once as cached
temporary views with the column types Wenshu wrote for them (PostgresExport's rule) plus the
row-order column the spark dialect reads (`row_column` of the dataset line: a bigint holding
each row's SQLite rowid, as `wenshu export-sql --dialect spark` says the tables must carry),
runs every statement in one SparkSession and compares its rows with the cube's
(dialect_compare.py: DifferentialCompare's rule). With --bin, each acceptance case's SQL is
also checked to be what `wenshu explain --sql --dialect spark` prints for its question.

  WENSHU_DIALECT_EXPORT=/tmp/spark.jsonl WENSHU_DIALECT=spark WENSHU_DIALECT_PLANS=300 \\
    WENSHU_DIALECT_CASES=../shared/acceptance/cases.jsonl swift test --filter DialectExportTests
  python3 Tests/scripts/dialect_spark.py /tmp/spark.jsonl [--bin .build/debug/wenshu]

The last line is the summary CI prints: plans, agree, differ, refused, acceptance, seconds.
"""

import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dialect_compare as dc  # noqa: E402

try:
    from pyspark.sql import SparkSession
    from pyspark.sql import types as T
except ImportError:
    sys.exit("dialect_spark.py: pyspark is missing: pip install pyspark (and Java 17)")

TYPES = {
    "integer": T.LongType(),
    "real": T.DoubleType(),
    "date": T.DateType(),
    "timestamp": T.TimestampType(),
    "text": T.StringType(),
}


def session(conf=()):
    """One local SparkSession for every statement: two cores, one shuffle partition (the tables
    are small), no adaptive re-planning, no UI, no Hive catalog, quiet logs; `conf`: more
    (key, value) settings."""
    builder = SparkSession.builder
    for k, v in conf:
        builder = builder.config(k, v)
    spark = (builder.master("local[2]").appName("wenshu-dialect")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.catalogImplementation", "in-memory")
             .config("spark.sql.shuffle.partitions", "1")
             .config("spark.default.parallelism", "2")
             .config("spark.sql.adaptive.enabled", "false")
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.driver.memory", "2g")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def register(spark, ds, previous):
    """The dataset's tables as cached temporary views (replacing the previous dataset's), each
    row led by the row-order column: the row's SQLite rowid."""
    for df in previous:
        df.unpersist()
    row_column = ds.get("row_column")
    frames = []
    for table, columns in ds["tables"].items():
        fields = [T.StructField(n, TYPES[k], True) for n, k in columns]
        if row_column:
            fields.insert(0, T.StructField(row_column, T.LongType(), False))
        rows = list(dc.sqlite_rows(ds["path"], table, columns, rowid=bool(row_column)))
        df = spark.createDataFrame(rows, T.StructType(fields)).coalesce(1).cache()
        df.count()
        df.createOrReplaceTempView(table)
        frames.append(df)
    return frames


def cli_sql(binary, case):
    db = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data", case["db"] + ".sqlite")
    r = subprocess.run([binary, "explain", "--sql", "--dialect", "spark", "--db", db, "--today", case["today"], case["q"]],
                       capture_output=True, text=True, timeout=120)
    return r.stdout.rstrip("\n") if r.returncode == 0 else None


def refusals(path):
    """(random plans, acceptance cases) that both the executor and the spark compiler refused."""
    plans = cases = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            if '"kind": "refused"' in line or '"kind": "case_refused"' in line:
                x = json.loads(line)
                if x["kind"] == "refused":
                    plans += 1
                else:
                    cases += 1
    return plans, cases


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("export", nargs="?", default=os.environ.get("WENSHU_DIALECT_EXPORT", ""))
    ap.add_argument("--bin", help="check each acceptance case's SQL against `wenshu explain --sql --dialect spark`")
    ap.add_argument("--cases", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "acceptance", "cases.jsonl"))
    ap.add_argument("--threads", type=int, default=2, help="statements run at a time (one plans while another runs)")
    ap.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE", help="one more Spark setting (repeatable)")
    a = ap.parse_args()
    if not a.export:
        sys.exit("usage: dialect_spark.py export.jsonl [--bin wenshu]")
    t0 = time.time()
    datasets, plans, errors = dc.read_export(a.export)
    refused_plans, refused_cases = refusals(a.export)
    spark = session([c.split("=", 1) for c in a.conf])
    print("spark %s (local[2]) started in %.1f s" % (spark.version, time.time() - t0), flush=True)
    differ = []
    by_dataset = {}
    for p in plans:
        by_dataset.setdefault(p["dataset"], []).append(p)
    done = [0]

    def check(p):
        try:
            got = [tuple(r) for r in spark.sql(p["sql"]).collect()]
        except Exception as e:  # the statement failed: a difference
            return p, "the SQL failed: %s" % str(e).strip().splitlines()[0][:300]
        finally:
            done[0] += 1
            if done[0] % 50 == 0:
                print("  %d of %d statements, %.0f s" % (done[0], len(plans), time.time() - t0), file=sys.stderr, flush=True)
        return p, dc.compare(p, got)

    # Each dataset's tables created once; its statements run a.threads at a time.
    loading = 0.0
    frames = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.threads)) as pool:
        for name, ps in sorted(by_dataset.items()):
            t1 = time.time()
            frames = register(spark, datasets[name], frames)
            loading += time.time() - t1
            differ += [(p, why) for p, why in pool.map(check, ps) if why]
    cases = [p for p in plans if "case" in p]
    randoms = [p for p in plans if "case" not in p]
    bad_cases = {p["case"] for p, _ in differ if "case" in p}
    print("tables of %d datasets created in %.1f s" % (len(by_dataset), loading))
    status = dc.report("spark", plans, differ, errors, time.time() - t0, examples=5)
    mismatched = []
    if a.bin and cases:
        wanted = {}
        with open(a.cases, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    c = json.loads(line)
                    wanted[c["id"]] = c
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            printed = list(pool.map(lambda p: cli_sql(a.bin, wanted[p["case"]]), cases))
        mismatched = [p["case"] for p, sql in zip(cases, printed) if sql != p["sql"]]
        print("acceptance SQL from `wenshu explain --sql --dialect spark`: %d of %d identical" % (len(cases) - len(mismatched), len(cases)))
        if mismatched:
            print("  differs: " + ", ".join(mismatched))
            status = 1
    spark.stop()
    random_differ = sum(1 for p, _ in differ if "case" not in p)
    print("spark dialect: random plans %d agree, %d differ, %d refused by both; acceptance %d agree, %d differ, %d refused by both; "
          "%d not compiled; %.0f s"
          % (len(randoms) - random_differ, random_differ, refused_plans, len(cases) - len(bad_cases), len(bad_cases),
             refused_cases, len(errors), time.time() - t0))
    return status


if __name__ == "__main__":
    sys.exit(main())
