#!/usr/bin/env python3
"""The spark dialect on a real Spark SQL: pyspark from PyPI in local mode (pip install pyspark;
Java 17).

Reads the JSON lines DialectExportTests writes (WENSHU_DIALECT=spark; random plans, and with
WENSHU_DIALECT_CASES every acceptance case), creates each dataset's tables as temporary views
with the column types Wenshu wrote for them (PostgresExport's rule), rows in the file's order
(one local partition, so monotonically_increasing_id() follows it), runs every statement and
compares its rows with the cube's (dialect_compare.py: DifferentialCompare's rule). With --bin,
each acceptance case's SQL is also checked to be what `wenshu explain --sql --dialect spark`
prints for its question.

  WENSHU_DIALECT_EXPORT=/tmp/spark.jsonl WENSHU_DIALECT=spark WENSHU_DIALECT_PLANS=300 \\
    WENSHU_DIALECT_CASES=../shared/acceptance/cases.jsonl swift test --filter DialectExportTests
  python3 Tests/scripts/dialect_spark.py /tmp/spark.jsonl [--bin .build/debug/wenshu]
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


def session():
    return (SparkSession.builder.master("local[2]").appName("wenshu-dialect")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            # Small tables: one shuffle partition, no adaptive re-planning of each statement.
            .config("spark.sql.shuffle.partitions", "1")
            .config("spark.sql.adaptive.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.driver.memory", "2g")
            .getOrCreate())


def register(spark, ds):
    """The dataset's tables as temporary views (replacing the previous dataset's)."""
    for table, columns in ds["tables"].items():
        schema = T.StructType([T.StructField(n, TYPES[k], True) for n, k in columns])
        rows = list(dc.sqlite_rows(ds["path"], table, columns))
        df = spark.createDataFrame(rows, schema).coalesce(1)
        df.cache().count()
        df.createOrReplaceTempView(table)


def cli_sql(binary, case):
    db = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data", case["db"] + ".sqlite")
    r = subprocess.run([binary, "explain", "--sql", "--dialect", "spark", "--db", db, "--today", case["today"], case["q"]],
                       capture_output=True, text=True, timeout=120)
    return r.stdout.rstrip("\n") if r.returncode == 0 else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("export", nargs="?", default=os.environ.get("WENSHU_DIALECT_EXPORT", ""))
    ap.add_argument("--bin", help="check each acceptance case's SQL against `wenshu explain --sql --dialect spark`")
    ap.add_argument("--cases", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "acceptance", "cases.jsonl"))
    a = ap.parse_args()
    if not a.export:
        sys.exit("usage: dialect_spark.py export.jsonl [--bin wenshu]")
    t0 = time.time()
    datasets, plans, errors = dc.read_export(a.export)
    spark = session()
    spark.sparkContext.setLogLevel("ERROR")
    print("spark %s (local[2]) started in %.1f s" % (spark.version, time.time() - t0))
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

    # Two statements at a time (one plans while the other runs), one dataset's views at a time.
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for name, ps in sorted(by_dataset.items()):
            register(spark, datasets[name])
            differ += [(p, why) for p, why in pool.map(check, ps) if why]
    cases = [p for p in plans if "case" in p]
    randoms = [p for p in plans if "case" not in p]
    bad_cases = {p["case"] for p, _ in differ if "case" in p}
    print("random plans: %d, %d differ; acceptance cases with SQL: %d, %d differ"
          % (len(randoms), sum(1 for p, _ in differ if "case" not in p), len(cases), len(bad_cases)))
    status = dc.report("spark", plans, differ, errors, time.time() - t0, examples=5)
    if a.bin and cases:
        wanted = {}
        with open(a.cases, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    c = json.loads(line)
                    wanted[c["id"]] = c
        mismatched = [p["case"] for p in cases if cli_sql(a.bin, wanted[p["case"]]) != p["sql"]]
        print("acceptance SQL from `wenshu explain --sql --dialect spark`: %d of %d identical" % (len(cases) - len(mismatched), len(cases)))
        if mismatched:
            print("  differs: " + ", ".join(mismatched))
            status = 1
    spark.stop()
    return status


if __name__ == "__main__":
    sys.exit(main())
