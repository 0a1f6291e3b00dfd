"""The comparison engines: DuckDB and Polars, each in a process of its own (so that its memory
is its own), run by bench/bench.py inside bench/.venv.

    engines.py duckdb|polars FILE --periods JSON [--load-only] [--reps N] [--warmup N] [--threads 2]

Prints one JSON object: load time (SQLite file → tables in memory, dates as DATE), peak and
current resident memory after the load (VmHWM / VmRSS of this process), and per question the
timed runs (query + fetching the whole result; no rendering).

Both load the same tables and columns as Wenshu's CubeLoader keeps in memory, from the same
SQLite file (so that peak memory compares like for like): customers, orders (with the discount),
order items, feedback, and the app events (customer, time to the second, event type; Wenshu
keeps no event product):
- DuckDB through its sqlite_scanner extension (the wheel from PyPI, loaded by path), into
  native tables (CREATE TABLE … AS SELECT), timestamps cut to DATE;
- Polars through the ADBC SQLite driver (Arrow batches), timestamps parsed to pl.Date.
"""

import argparse
import glob
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def proc_status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return -1


def question_ids():
    ids = []
    with open(os.path.join(HERE, "questions.tsv"), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                ids.append(line.split("\t")[0])
    return ids


# ---------------------------------------------------------------------------------------- DuckDB

DUCKDB_LOAD = [
    "CREATE TABLE customers AS SELECT id, name, gender, birth_year, city, region, source_channel, member_level,"
    " CAST(left(registered_at, 10) AS DATE) AS registered_at FROM s.customers",
    "CREATE TABLE orders AS SELECT id, customer_id, CAST(left(created_at, 10) AS DATE) AS created_at, channel,"
    " total_amount, discount_amount FROM s.orders",
    "CREATE TABLE order_items AS SELECT order_id, product_name, category, quantity, unit_price FROM s.order_items",
    "CREATE TABLE feedback AS SELECT customer_id, CAST(left(created_at, 10) AS DATE) AS created_at, nps, comment"
    " FROM s.feedback",
    "CREATE TABLE app_events AS SELECT customer_id, CAST(event_time AS TIMESTAMP) AS event_time, event_type"
    " FROM s.app_events",
]


def duckdb_connect(path, threads):
    import duckdb
    import duckdb_extension_sqlite_scanner as ext

    con = duckdb.connect()
    con.execute(f"SET threads TO {threads}")
    found = glob.glob(os.path.join(ext.__path__[0], "extensions", "*", "sqlite_scanner.duckdb_extension"))
    con.execute(f"LOAD '{found[0]}'")
    t0 = time.perf_counter()
    con.execute(f"ATTACH '{path}' AS s (TYPE sqlite, READ_ONLY)")
    for sql in DUCKDB_LOAD:
        con.execute(sql)
    con.execute("DETACH s")
    return con, time.perf_counter() - t0, duckdb.__version__


def duckdb_queries(con, periods):
    out = {}
    for qid in question_ids():
        with open(os.path.join(HERE, "sql", "duckdb", qid + ".sql"), encoding="utf-8") as f:
            sql = f.read().format(**periods)
        out[qid] = (lambda sql=sql: con.execute(sql).fetchall())
    return out


# ---------------------------------------------------------------------------------------- Polars

POLARS_LOAD = {
    "customers": "SELECT id, name, gender, birth_year, city, region, source_channel, member_level, registered_at FROM customers",
    "orders": "SELECT id, customer_id, created_at, channel, total_amount, discount_amount FROM orders",
    "order_items": "SELECT order_id, product_name, category, quantity, unit_price FROM order_items",
    "feedback": "SELECT customer_id, created_at, nps, comment FROM feedback",
    "app_events": "SELECT customer_id, event_time, event_type FROM app_events",
}
DATE_COLUMNS = {"customers": "registered_at", "orders": "created_at", "feedback": "created_at"}


def polars_load(path):
    import adbc_driver_sqlite.dbapi as adbc
    import polars as pl

    t0 = time.perf_counter()
    frames = {}
    # Type inference looks at a batch of rows: make it large enough that a column's NULLs and
    # numbers are seen together.
    with adbc.connect(f"file:{path}?mode=ro") as conn:
        for name, sql in POLARS_LOAD.items():
            with conn.cursor() as cur:
                cur.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": "1000000"})
                cur.execute(sql)
                df = pl.from_arrow(cur.fetch_arrow_table())
            if name in DATE_COLUMNS:
                c = DATE_COLUMNS[name]
                df = df.with_columns(pl.col(c).str.slice(0, 10).str.to_date("%Y-%m-%d"))
            if name == "app_events":
                df = df.with_columns(pl.col("event_time").str.to_datetime("%Y-%m-%d %H:%M:%S"))
            if name in ("orders", "order_items"):
                num = "total_amount" if name == "orders" else "unit_price"
                df = df.with_columns(pl.col(num).cast(pl.Float64))
            if name == "orders":
                df = df.with_columns(pl.col("discount_amount").cast(pl.Float64))
            frames[name] = df
    return frames, time.perf_counter() - t0, pl.__version__


def polars_queries(frames, periods):
    import datetime as dt

    import polars as pl

    d = {k: dt.date.fromisoformat(v) for k, v in periods.items() if len(v) == 10}
    o = frames["orders"].lazy()
    c = frames["customers"].lazy()
    items = frames["order_items"].lazy()
    fb = frames["feedback"].lazy()
    day = pl.col("created_at")
    # Group on the month's first day (cheap), label it YYYY-MM after the aggregation.
    month = day.dt.truncate("1mo").alias("month")

    def label(lf):
        return lf.with_columns(pl.col("month").dt.strftime("%Y-%m"))
    cid = pl.col("customer_id")

    def between(a, b):
        return day.is_between(d[a], d[b])

    up_to_today = day <= d["today"]

    def monthly_sales(where):
        return (o.filter(where).group_by(month)
                .agg(sales=pl.col("total_amount").sum(), orders=pl.len()).sort("month").pipe(label).collect())

    def top10(where):
        top = (o.filter(where & cid.is_not_null()).group_by("customer_id")
               .agg(sales=pl.col("total_amount").sum())
               .sort(["sales", "customer_id"], descending=[True, False]).head(10))
        return (top.join(c.select("id", "name"), left_on="customer_id", right_on="id", how="left")
                .sort(["sales", "customer_id"], descending=[True, False]).collect())

    def repeat_rate_by_region(where):
        b = (o.filter(where & cid.is_not_null()).group_by("customer_id").agg(n=pl.len()))
        return (b.join(c.select("id", "region"), left_on="customer_id", right_on="id", how="left")
                .group_by("region").agg(repeat_rate=(pl.col("n") >= 2).mean()).sort("region").collect())

    def monthly_buyers(where):
        return (o.filter(where).group_by(month)
                .agg(buyers=cid.drop_nulls().n_unique()).sort("month").pipe(label).collect())

    def monthly_new(since):
        first = (o.filter(up_to_today & cid.is_not_null()).group_by("customer_id").agg(first=day.min()))
        if since is not None:
            first = first.filter(pl.col("first") >= since)
        return (first.group_by(month=pl.col("first").dt.truncate("1mo")).agg(new_customers=pl.len()).sort("month")
                .pipe(label).collect())

    def q01():
        return monthly_sales(between("year_start", "today"))

    def q02():
        return top10(between("lm_start", "lm_end"))

    def q03():
        return repeat_rate_by_region(between("lm_start", "lm_end"))

    def q04():
        return (o.filter(between("lq_start", "lq_end")).select("id", "channel")
                .join(items, left_on="id", right_on="order_id")
                .group_by("category", "channel")
                .agg(sales=(pl.col("quantity") * pl.col("unit_price")).sum()).sort("category", "channel").collect())

    def per_customer():
        return (o.filter((day <= d["today"]) & cid.is_not_null()).group_by("customer_id")
                .agg(first=day.min(), last=day.max(), f=pl.len(), m=pl.col("total_amount").sum()))

    names = {7: "重要价值客户", 5: "重要发展客户", 3: "重要保持客户", 1: "重要挽留客户",
             6: "一般价值客户", 4: "一般发展客户", 2: "一般保持客户", 0: "一般挽留客户"}

    def q05():
        s = (o.filter((day <= d["today"]) & cid.is_not_null()).group_by("customer_id")
             .agg(r=(pl.lit(d["today"]) - day.max()).dt.total_days(), f=pl.len(), m=pl.col("total_amount").sum()))
        code = ((pl.col("r") < pl.col("r").mean()).cast(pl.Int32) * 4 + (pl.col("f") > pl.col("f").mean()).cast(pl.Int32) * 2
                + (pl.col("m") > pl.col("m").mean()).cast(pl.Int32))
        return (s.select(code.alias("code")).group_by("code").agg(customers=pl.len())
                .with_columns(segment=pl.col("code").replace_strict(names, return_dtype=pl.String))
                .select("segment", "customers").sort("segment").collect())

    def q06():
        return monthly_buyers(between("year_start", "today"))

    def q07():
        return (o.filter((day <= d["today"]) & cid.is_not_null()).group_by("customer_id").agg(last=day.max())
                .filter(pl.col("last") <= d["churn_last"]).select(churned=pl.len()).collect())

    def q08():
        first = (o.filter((day <= d["today"]) & cid.is_not_null()).group_by("customer_id").agg(first=day.min()))
        cohort = (first.filter(pl.col("first") >= d["year_start"])
                  .select("customer_id", cm=pl.col("first").dt.year() * 12 + pl.col("first").dt.month()))
        sizes = cohort.group_by("cm").agg(n=pl.len())
        active = (o.filter(between("year_start", "today")).join(cohort, on="customer_id", how="semi")
                  .select("customer_id", om=day.dt.year() * 12 + day.dt.month()).unique())
        return (cohort.join(active, on="customer_id").filter(pl.col("om") > pl.col("cm"))
                .group_by("cm", "om").agg(retained=pl.len()).join(sizes, on="cm")
                .with_columns(k=pl.col("om") - pl.col("cm"), retention=pl.col("retained") / pl.col("n"))
                .select("cm", "n", "k", "retained", "retention").sort("cm", "k").collect())

    def q09():
        return monthly_new(d["year_start"])

    def q10():
        return (fb.filter(between("year_start", "today") & pl.col("nps").is_not_null()).group_by(month)
                .agg(nps=100.0 * ((pl.col("nps") >= 9).sum() - (pl.col("nps") <= 6).sum()) / pl.len())
                .sort("month").pipe(label).collect())

    # q11–q15: the same questions with no period (all data up to today).
    table = {"q01": q01, "q02": q02, "q03": q03, "q04": q04, "q05": q05, "q06": q06, "q07": q07, "q08": q08,
             "q09": q09, "q10": q10,
             "q11": lambda: monthly_sales(up_to_today), "q12": lambda: top10(up_to_today),
             "q13": lambda: repeat_rate_by_region(up_to_today), "q14": lambda: monthly_buyers(up_to_today),
             "q15": lambda: monthly_new(None)}
    return {qid: table[qid[:3]] for qid in question_ids() if qid[:3] in table}


# ------------------------------------------------------------------------------------------ main


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("engine", choices=["duckdb", "polars"])
    ap.add_argument("file")
    ap.add_argument("--periods", required=True, help="JSON of the period bounds (see bench.py)")
    ap.add_argument("--load-only", action="store_true")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--dump", help="directory for each question's first result (text)")
    a = ap.parse_args()
    periods = json.loads(a.periods)
    if a.engine == "duckdb":
        import duckdb  # noqa: F401
    else:
        import adbc_driver_sqlite.dbapi  # noqa: F401
        import polars  # noqa: F401
    rss_before = proc_status("VmRSS")  # the interpreter and the library, no data yet

    if a.engine == "duckdb":
        con, load_s, version = duckdb_connect(a.file, a.threads)
        queries = None if a.load_only else duckdb_queries(con, periods)
    else:
        frames, load_s, version = polars_load(a.file)
        queries = None if a.load_only else polars_queries(frames, periods)
    out = {"engine": a.engine, "rss_before_load_kb": rss_before, "version": version, "threads": a.threads, "load_seconds": load_s,
           "hwm_after_load_kb": proc_status("VmHWM"), "rss_after_load_kb": proc_status("VmRSS")}
    if queries is not None:
        res = []
        for qid, fn in queries.items():
            times = []
            rows = None
            try:
                for rep in range(a.warmup + a.reps):
                    t0 = time.perf_counter()
                    r = fn()
                    t = time.perf_counter() - t0
                    if rep == 0:
                        rows = [list(x) for x in (r.rows() if hasattr(r, "rows") else r)]
                        if a.dump:
                            os.makedirs(a.dump, exist_ok=True)
                            with open(os.path.join(a.dump, qid + ".txt"), "w", encoding="utf-8") as f:
                                f.write(str(r) + "\n")
                    if rep >= a.warmup:
                        times.append(t)
                res.append({"id": qid, "ok": True, "rows": len(rows), "result": rows, "seconds": times,
                            "median": statistics.median(times), "min": min(times)})
            except Exception as e:  # a failed query is reported, not fatal
                res.append({"id": qid, "ok": False, "error": str(e)[:500]})
        out["questions"] = res
    out["hwm_end_kb"] = proc_status("VmHWM")
    json.dump(out, sys.stdout, ensure_ascii=False, default=str)
    print()


if __name__ == "__main__":
    main()
