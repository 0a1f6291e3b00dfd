#!/usr/bin/env python3
"""The benchmark of issue "Fast at ten million orders": orchestrates every measurement for
each data size, prints a Markdown report whose last table is the ratios with the targets, and
saves it as bench/results/<date>-<machine>.md. Run through bench/run.sh (which builds, makes
the data and the venv first); see bench/README.md.

Standard library only: DuckDB and Polars run in bench/engines.py under bench/.venv.
"""

import argparse
import csv
import datetime as dt
import io
import json
import math
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# The generated sizes: name → (customers, orders). The data's last day is fixed, so the
# questions' periods (and --today, the day after) are the same on every run.
SIZES = {"1m": (100_000, 1_000_000), "10m": (1_000_000, 10_000_000)}
LAST_DAY = "2026-11-21"
SEED = 20261122

TARGETS = {
    "vs_best": 1.0,      # Wenshu / min(DuckDB, Polars) per question
    "vs_sqlite": 30.0,   # sqlite3 / Wenshu per question
    "load_floor": 1.5,   # Wenshu load / one-thread floor
    "rss_duckdb": 0.5,   # Wenshu peak RSS after load / DuckDB's
    "parse_us": 50.0,    # µs per question (parse + plan)
    "vs_floor": 3.0,     # Wenshu / the C floor of the question (the faster of its 1- and 2-thread runs)
    "cpu_wall": 1.6,     # Wenshu's CPU time / wall time on the scan questions (2 cores)
}

# The questions whose work is a scan of the order (or feedback) rows of a period; the others are
# customer-level (RFM, churn, cohorts, first orders), which Wenshu can answer from per-customer
# tables built at load. The CPU ÷ wall target applies to the scan questions.
SCAN = {"q01", "q02", "q03", "q04", "q06", "q10", "q11", "q12", "q13", "q14"}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def data_file(size):
    c, o = SIZES[size]
    return os.path.join(HERE, "data", f"retail-{c // 1000}k-{o // 1_000_000}m-seed{SEED}.sqlite")


def periods(today):
    """The bounds of the questions' periods (semantics.md), for the SQL and Polars versions."""
    t = dt.date.fromisoformat(today)
    lm_end = t.replace(day=1) - dt.timedelta(days=1)
    q_start_month = 3 * ((t.month - 1) // 3) + 1
    this_q = dt.date(t.year, q_start_month, 1)
    lq_end = this_q - dt.timedelta(days=1)
    lq_start = dt.date(lq_end.year, 3 * ((lq_end.month - 1) // 3) + 1, 1)
    churn_last = t - dt.timedelta(days=180)  # churned: last order 180 or more days before today
    iso = lambda d: d.isoformat()
    return {
        "today": iso(t), "tomorrow": iso(t + dt.timedelta(days=1)), "year_start": iso(dt.date(t.year, 1, 1)),
        "lm_start": iso(lm_end.replace(day=1)), "lm_end": iso(lm_end), "lm_next": iso(lm_end + dt.timedelta(days=1)),
        "lq_start": iso(lq_start), "lq_end": iso(lq_end), "lq_next": iso(this_q),
        "churn_last": iso(churn_last), "churn_next": iso(churn_last + dt.timedelta(days=1)),
    }


def questions():
    out = []
    with open(os.path.join(HERE, "questions.tsv"), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                qid, q = line.split("\t", 1)
                out.append((qid, q.strip()))
    return out


def run_json(cmd, env=None, timeout=None):
    """Runs a command that prints JSON; adds "_cpu_share": its CPU time ÷ wall time (for a
    one-thread program, well below 1 means it was waiting for a CPU: a noisy machine)."""
    ru0, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    ru1, t1 = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr[-2000:]}")
    out = json.loads(p.stdout)
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    out["_cpu_share"] = cpu / max(t1 - t0, 1e-9)
    return out


def warm_cache(path):
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


# -------------------------------------------------------------------------------- measurements


GRAMMARS = []  # ["--grammars", DIR] when a snapshot of grammars/ is used (run.sh makes one)


def measure_wenshu_load(wenshu, db, today, reps, warmup):
    runs = []
    for i in range(warmup + reps):
        r = run_json([wenshu, "bench", "--db", db, "--today", today, "--load-only"] + GRAMMARS)
        if i >= warmup:
            runs.append(r)
    return {
        "load_s": [r["load_seconds"] for r in runs],
        "engine_s": [r["engine_seconds"] for r in runs],
        "hwm_kb": [r["hwm_after_load_kb"] for r in runs],
        "rss_kb": [r["rss_after_load_kb"] for r in runs],
        "counts": {k: runs[-1][k] for k in ("orders", "customers", "items", "feedback")},
    }


def measure_floor(floor, db, threads, reps, warmup):
    out = []
    for i in range(warmup + reps):
        r = run_json([floor, db, str(threads)])
        if i >= warmup:
            out.append(r["seconds"])
    return out


def measure_floor_questions(floor_query, db, per, reps, warmup):
    """bench/floor_query.c: each question's aggregation in plain C over in-memory columns, 1 and
    2 threads (the load is not timed); the result rows are checked like any engine's."""
    dates = ",".join(per[k] for k in ("today", "year_start", "lm_start", "lm_end", "lq_start", "lq_end", "churn_last"))
    r = run_json([floor_query, db, dates, str(reps), str(warmup)])
    out = {}
    for qid, q in questions():
        f = r["questions"].get(qid[:3])
        if f:
            out[qid] = {"t1": f["t1"], "t2": f["t2"], "median1": median(f["t1"]), "median2": median(f["t2"]),
                        "best": min(median(f["t1"]), median(f["t2"])), "result": f["rows"]}
    return {"load_seconds": r["load_seconds"], "questions": out}


def measure_wenshu_questions(wenshu, db, today, reps, warmup, dump):
    return run_json([wenshu, "bench", "--db", db, "--today", today, "--questions",
                     os.path.join(HERE, "questions.tsv"), "--reps", str(reps), "--warmup", str(warmup),
                     "--dump", dump] + GRAMMARS)


def measure_parse(wenshu, db, today, rounds):
    return run_json([wenshu, "bench", "--db", db, "--today", today, "--parse", "--rounds", str(rounds)]
                    + GRAMMARS)["parse"]


def measure_pushdown(wenshu, url, today, reps, warmup, dump, timeout):
    """Wenshu answering through PostgreSQL (`--engine pushdown`: each question compiled to one
    SQL statement run on the server). In-process through `wenshu bench` when it accepts the
    engine; otherwise each question is timed externally through `wenshu ask` (process start,
    connection and catalog included, said in the report). Returns {"skipped": reason} when the
    engine is refused."""
    cmd = [wenshu, "bench", "--db", url, "--engine", "pushdown", "--today", today, "--questions",
           os.path.join(HERE, "questions.tsv"), "--reps", str(reps), "--warmup", str(warmup), "--dump", dump] + GRAMMARS
    try:
        r = run_json(cmd, timeout=timeout * len(questions()))
        return {"mode": "in-process (wenshu bench)", "questions": {q["id"]: q for q in r["questions"]}}
    except (RuntimeError, subprocess.TimeoutExpired, json.JSONDecodeError) as e:
        first_error = str(e)[-300:]
    out = {}
    for qid, q in questions():
        times, refusal, text = [], None, None
        for i in range(warmup + reps):
            t0 = time.perf_counter()
            try:
                p = subprocess.run([wenshu, "ask", "--db", url, "--engine", "pushdown", "--today", today,
                                    "--format", "csv", q] + GRAMMARS, capture_output=True, text=True, timeout=timeout)
            except subprocess.TimeoutExpired:
                refusal = f"> {timeout:.0f} s"
                break
            t = time.perf_counter() - t0
            if p.returncode != 0:
                refusal = (p.stderr or p.stdout).strip()[-300:]
                break
            if text is None:
                text = p.stdout
            if i >= warmup:
                times.append(t)
        if refusal is None:
            out[qid] = {"id": qid, "ok": True, "median": median(times), "seconds": times,
                        "result": list(csv.reader(io.StringIO(text)))[1:]}
        else:
            out[qid] = {"id": qid, "ok": False, "refusal": refusal}
    if not any(q["ok"] for q in out.values()):
        reason = next(iter(out.values()))["refusal"] if out else first_error
        return {"skipped": f"the pushdown engine refused: {reason}"}
    return {"mode": "external (wenshu ask per run: process start, connection and catalog included)",
            "questions": out}


def sqlite_once(sqlite3, db, sql, timeout):
    """One run through the sqlite3 shell; the statement's own time from `.timer on` (the shell's
    start and the file's opening are not counted). Returns (seconds, rows) or (None, None) on
    timeout."""
    script = ".timer on\n" + sql + "\n"
    try:
        p = subprocess.run([sqlite3, "-readonly", "-batch", "-csv", db], input=script, capture_output=True,
                           text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, None
    if p.returncode != 0 or p.stderr.strip():
        raise RuntimeError(f"sqlite3 failed: {p.stderr[-1000:]}")
    seconds = 0.0
    rows = []
    for line in p.stdout.splitlines():
        m = re.match(r"Run Time: real ([0-9.]+)", line)
        if m:
            seconds += float(m.group(1))
        elif line.strip():
            rows.append(next(csv.reader([line])))
    return seconds, rows


def measure_sqlite(sqlite3, db, per, reps, warmup, timeout):
    out = {}
    for qid, _ in questions():
        with open(os.path.join(HERE, "sql", "sqlite", qid + ".sql"), encoding="utf-8") as f:
            sql = f.read().format(**per)
        times, result, timed_out = [], None, False
        for i in range(warmup + reps):
            s, rows = sqlite_once(sqlite3, db, sql, timeout)
            if s is None:
                timed_out = True
                break
            if result is None:
                result = rows
            if i >= warmup:
                times.append(s)
        out[qid] = {"seconds": times, "median": median(times) if times else None, "timed_out": timed_out,
                    "result": result}
        log(f"    sqlite3 {qid}: " + (f"> {timeout} s" if timed_out else f"{median(times):.3f} s"))
    return out


def measure_engine(python, name, db, per, reps, warmup, load_reps, threads):
    env = dict(os.environ, POLARS_MAX_THREADS=str(threads))
    base = [python, os.path.join(HERE, "engines.py"), name, db, "--periods", json.dumps(per), "--threads", str(threads)]
    loads = []
    for i in range(1 + load_reps):  # one warm-up load
        r = run_json(base + ["--load-only"], env=env)
        if i >= 1:
            loads.append(r)
    full = run_json(base + ["--reps", str(reps), "--warmup", str(warmup)], env=env)
    full["load_runs_s"] = [r["load_seconds"] for r in loads]
    full["load_hwm_kb"] = [r["hwm_after_load_kb"] for r in loads]
    return full


# ----------------------------------------------------------------------------- result checks


def num(x):
    if x is None:
        return None
    if isinstance(x, (int, float)):
        return float(x)
    try:
        return float(str(x).replace(",", ""))
    except ValueError:
        return None


def norm_rows(rows):
    """Rows as (text cells, number cells), sorted; '' and None are the same (the unknown group)."""
    out = []
    for r in rows:
        texts, nums = [], []
        for c in r:
            n = num(c)
            if n is not None and not (isinstance(c, str) and re.fullmatch(r"\d{4}-\d{2}", c)):
                nums.append(n)
            else:
                texts.append("" if c is None else str(c))
        out.append((tuple(texts), tuple(nums)))
    return sorted(out, key=lambda t: (t[0], [round(v, 2) for v in t[1]]))


def close(a, b):
    # Wenshu's CSV keeps money to the cent and other figures to 6 significant digits.
    return abs(a - b) <= max(5e-6 * max(abs(a), abs(b)), 0.005 if max(abs(a), abs(b)) >= 1 else 1e-9)


def wenshu_rows(dump, qid):
    with open(os.path.join(dump, qid + ".csv"), encoding="utf-8") as f:
        rows = list(csv.reader(f))[1:]
    return rows


def cohort_cells(rows, wide):
    """Retention rates of a cohort table, in either shape, as a sorted list (labels differ)."""
    vals = []
    for r in rows:
        cells = [num(c) for c in r]
        if wide:  # cohort, size, month 1 … month N (rates; '' when not reached)
            vals += [v for v in cells[2:] if v is not None]
        else:     # cohort, size, k, retained, rate
            vals.append(cells[-1])
    return sorted(vals)


def same_result(qid, wenshu, other, other_is_wenshu=False):
    """Whether another engine's result has the same figures as Wenshu's (tolerance 1e-6);
    `other_is_wenshu`: the other result has Wenshu's own shape (the push-down engine's)."""
    if other is None:
        return None
    if qid.startswith("q08"):
        a, b = cohort_cells(wenshu, True), cohort_cells(other, other_is_wenshu)
        # Wenshu's matrix has zero cells where a cohort kept nobody; the long form has no row.
        a = [v for v in a if v != 0]
        b = [v for v in b if v != 0]
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    a, b = norm_rows(wenshu), norm_rows(other)
    if len(a) != len(b):
        return False
    for (ta, na), (tb, nb) in zip(a, b):
        if ta != tb or len(na) != len(nb) or not all(close(x, y) for x, y in zip(na, nb)):
            return False
    return True


# ------------------------------------------------------------------------------------ machine


def machine():
    cpu = "?"
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                cpu = line.split(":", 1)[1].strip()
    except OSError:
        pass
    mem_kb = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    def version(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.strip().splitlines()[0]
        except (OSError, IndexError):
            return "?"
    return {
        "nproc": os.cpu_count(), "cpu": cpu, "mem_gib": round(mem_kb / 1024 / 1024, 1), "kernel": platform.release(),
        "swift": version(["swift", "--version"]), "sqlite3": version(["sqlite3", "--version"]).split(" ")[0],
        "cc": version(["cc", "--version"]),
    }


def busy_processes():
    """Other processes using a CPU now (the machines are shared): `ps` over the last interval."""
    p = subprocess.run(["ps", "-eo", "pid,pcpu,etimes,comm", "--sort=-pcpu"], capture_output=True, text=True)
    out = []
    for line in p.stdout.splitlines()[1:8]:
        parts = line.split(None, 3)
        if len(parts) == 4 and float(parts[1]) >= 20 and int(parts[0]) != os.getpid():
            out.append(f"{parts[3]} (pid {parts[0]}, {parts[1]}% CPU)")
    return out


def loadavg():
    return "%.2f %.2f %.2f" % os.getloadavg()


# ------------------------------------------------------------------------------------- report


def fmt_s(s):
    if s is None or (isinstance(s, float) and math.isnan(s)):
        return "—"
    if s >= 10:
        return f"{s:.1f} s"
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 0.001:
        return f"{s * 1000:.1f} ms"
    return f"{s * 1e6:.0f} µs"


def fmt_mb(kb):
    return f"{kb / 1024:.0f} MB"


def fmt_ratio(r):
    if r is None or math.isnan(r):
        return "—"
    return f"{r:.2f}" if r >= 0.1 else f"{r:.3f}" if r >= 0.001 else f"{r:.1e}"


def mark(ok):
    return "met" if ok else "**missed**"


def geomean(xs):
    xs = [x for x in xs if x and x > 0 and not math.isnan(x)]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


def report(res, mach, args):
    L = []
    w = L.append
    w(f"# Wenshu benchmark — {res['date']} — {res['machine_name']}")
    w("")
    w(f"- machine: {mach['nproc']} CPUs, {mach['cpu']}, {mach['mem_gib']} GiB memory, Linux {mach['kernel']}")
    w(f"- tools: {mach['swift']}; sqlite3 {mach['sqlite3']}; DuckDB {res.get('duckdb_version', '?')}; "
      f"Polars {res.get('polars_version', '?')}; {mach['cc']}")
    w(f"- git: {res['git']}")
    if res.get("reused"):
        w(f"- measurements reused from an earlier run of the same build (--reuse-raw): {'; '.join(res['reused'])}")
    w(f"- command: `{res['command']}`; {res['reps']} timed runs after {res['warmup']} warm-up for every figure "
      f"(medians) unless said otherwise; DuckDB and Polars with {args.threads} threads; sqlite3 with one thread; "
      "the floors with one and two threads; Wenshu with its own threads "
      f"(WENSHU_THREADS={os.environ.get('WENSHU_THREADS', 'unset')})")
    w(f"- data: `wenshu demo --seed {SEED} --last-day {LAST_DAY}`; questions asked with --today {res['today']}")
    for size, r in res["sizes"].items():
        w(f"- load average ({size}): {r['load_before']} before, {r['load_after']} after; Wenshu's question run "
          f"used {r['wenshu_q']['_cpu_share']:.2f} CPUs on average (load included)"
          + "".join(f"; the {e} run used {r[e]['_cpu_share']:.2f} CPUs on average (load included)"
                    for e in ("duckdb", "polars") if e in r)
          + (f"; other busy processes: {', '.join(r['busy'])}" if r["busy"] else ""))
    w("")
    for size, r in res["sizes"].items():
        c = r["wenshu_load"]["counts"]
        w(f"## {size}: {c['customers']:,} customers, {c['orders']:,} orders, {c['items']:,} items, "
          f"{c['feedback']:,} feedback rows ({r['file_mb']:.0f} MB file)")
        w("")
        w("### Load (SQLite file → data in memory) and memory")
        w("")
        wl = r["wenshu_load"]
        w("| what | median | min | peak RSS after load |")
        w("|---|---:|---:|---:|")
        w(f"| Wenshu: CubeLoader.load (file → cube) | {fmt_s(median(wl['load_s']))} | {fmt_s(min(wl['load_s']))} | "
          f"{fmt_mb(median(wl['hwm_kb']))} (RSS {fmt_mb(median(wl['rss_kb']))}) |")
        w(f"| Wenshu: whole Engine init (grammar, cube, vocabulary) | {fmt_s(median(wl['engine_s']))} | "
          f"{fmt_s(min(wl['engine_s']))} | |")
        w(f"| floor: bare sqlite3 C scan, 1 thread | {fmt_s(median(r['floor1']))} | {fmt_s(min(r['floor1']))} | |")
        w(f"| floor: bare sqlite3 C scan, 2 threads by rowid range | {fmt_s(median(r['floor2']))} | "
          f"{fmt_s(min(r['floor2']))} | |")
        for e in ("duckdb", "polars"):
            if e in r:
                er = r[e]
                w(f"| {'DuckDB (sqlite_scanner → tables)' if e == 'duckdb' else 'Polars (ADBC → DataFrames)'} | "
                  f"{fmt_s(median(er['load_runs_s']))} | {fmt_s(min(er['load_runs_s']))} | "
                  f"{fmt_mb(median(er['load_hwm_kb']))} (RSS {fmt_mb(er['rss_after_load_kb'])}; "
                  f"{fmt_mb(er['rss_before_load_kb'])} before loading) |")
        w("")
        w("Memory is compared like for like: DuckDB and Polars load the same tables and columns Wenshu keeps "
          "in memory (customers, orders with the discount, order items, feedback, and the app events' customer, "
          "time and type), and each figure is the whole process's peak resident memory (VmHWM) after the load.")
        w("")
        w("### Questions (median of timed runs; Wenshu = parse + plan + execute + render to a string)")
        w("")
        sq_note = f" ({r['sqlite_reps']} runs" + (", no warm-up" if r["sqlite_warmup"] == 0 else
                                                   f" after {r['sqlite_warmup']} warm-up") + ")"
        w(f"| question | Wenshu | (min) | plan | execute | render | CPU ÷ wall | sqlite3{sq_note} | DuckDB | Polars "
          "| C floor 1 thread | C floor 2 threads | same figures |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for q in r["wenshu_q"]["questions"]:
            qid = q["id"]
            if not q["ok"]:
                w(f"| {q['question']} | refused: {q.get('refusal', '?')} | | | | | | | | | | | |")
                continue
            sq = r["sqlite"][qid]
            sq_s = f"> {args.sqlite_timeout:.0f} s" if sq["timed_out"] else fmt_s(sq["median"])
            dd = r.get("duckdb_q", {}).get(qid, {})
            pl = r.get("polars_q", {}).get(qid, {})
            checks = r["checks"][qid]
            chk = ", ".join(f"{k} {'✓' if v else '✗' if v is False else '—'}" for k, v in checks.items())
            fq = r["floor_q"]["questions"].get(qid)
            w(f"| {q['question']} | {fmt_s(q['median'])} | {fmt_s(q['min'])} | {fmt_s(q['plan_median'])} | "
              f"{fmt_s(q['execute_median'])} | {fmt_s(q['render_median'])} | {q.get('cpu_per_wall', float('nan')):.2f} | "
              f"{sq_s} | {fmt_s(dd.get('median')) if dd.get('ok') else 'failed'} | "
              f"{fmt_s(pl.get('median')) if pl.get('ok') else 'failed'} | "
              f"{fmt_s(fq['median1']) if fq else '—'} | {fmt_s(fq['median2']) if fq else '—'} | {chk} |")
        w("")
    if "parse" in res:
        p = res["parse"]
        w(f"## Parse throughput ({p['phrases']} corpus phrasings: zh {p['per_language'].get('zh', 0)}, "
          f"en {p['per_language'].get('en', 0)}; median of {p['rounds']} rounds)")
        w("")
        w(f"- read (parser alone): {p['read_us_median']:.1f} µs/question, {p['read_per_second']:,.0f} questions/s")
        w(f"- read + plan (Engine.plan): {p['plan_us_median']:.1f} µs/question, {p['plan_per_second']:,.0f} questions/s "
          f"({p['planned']} of {p['phrases']} planned; the rest are refusals by design)")
        w("")
    pg = res.get("pg", {})
    w("## PostgreSQL push-down")
    w("")
    if "skipped" in pg:
        w(f"Skipped: {pg['skipped']}.")
    else:
        size = pg["size"]
        cube = {q["id"]: q for q in res["sizes"].get(size, {}).get("wenshu_q", {}).get("questions", [])}
        shown = re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", args.pg)  # never a password in the report
        w(f"The questions answered by `wenshu --db {shown} --engine pushdown` (one SQL statement per question on "
          f"the server), timed {pg['mode']}, next to the in-memory cube on the {size} file of the same run.")
        w("")
        w("| question | push-down | cube | push-down ÷ cube | same figures |")
        w("|---|---:|---:|---:|---|")
        for qid, qtext in questions():
            q = pg["questions"].get(qid, {})
            c = cube.get(qid, {})
            if not q.get("ok"):
                w(f"| {qtext} | refused: {str(q.get('refusal', '?'))[:120]} | {fmt_s(c.get('median'))} | | |")
                continue
            ratio = q["median"] / c["median"] if c.get("ok") else float("nan")
            same = q.get("same")
            w(f"| {qtext} | {fmt_s(q['median'])} | {fmt_s(c.get('median'))} | {fmt_ratio(ratio)} | "
              f"{'✓' if same else '✗' if same is False else '—'} |")
    w("")
    # The ratio table, last.
    w("## Ratios and targets")
    w("")
    w("Per question: Wenshu's median ÷ the other's median (below 1 = Wenshu faster). Targets: "
      f"≤ {TARGETS['vs_best']:.1f} against the better of DuckDB and Polars; ≥ {TARGETS['vs_sqlite']:.0f}× faster "
      f"than sqlite3 (ratio ≤ {1 / TARGETS['vs_sqlite']:.3f}); ≤ {TARGETS['vs_floor']:.0f}× the C floor (the "
      "faster of its 1- and 2-thread runs: the aggregation alone, in plain C over in-memory columns; Wenshu's time "
      "also holds parse, plan and render); CPU ÷ wall ≥ "
      f"{TARGETS['cpu_wall']} on the scan questions (marked *; the others are customer-level: RFM, churn, "
      "cohorts, first orders).")
    w("")
    summary = []
    for size, r in res["sizes"].items():
        w(f"### {size}")
        w("")
        w("| question | ÷ sqlite3 | ÷ DuckDB | ÷ Polars | ÷ better of the two | ÷ C floor | CPU ÷ wall "
          "| better of DuckDB/Polars (≤ 1.0) | sqlite3 (≥ 30× faster) | C floor (≤ 3×) | CPU ÷ wall (≥ 1.6, scans) |")
        w("|---|---:|---:|---:|---:|---:|---:|---|---|---|---|")
        rs, rd, rp, rb, rf, met_best, met_sq, met_floor, met_cpu = [], [], [], [], [], 0, 0, 0, 0
        n = n_floor = n_scan = 0
        for q in r["wenshu_q"]["questions"]:
            scan = q["id"][:3] in SCAN
            label = q["question"] + (" *" if scan else "")
            if not q["ok"]:
                w(f"| {label} | refused | | | | | | **missed** | **missed** | | |")
                n += 1
                continue
            n += 1
            qid = q["id"]
            ws = q["median"]
            sq = r["sqlite"][qid]
            if sq["timed_out"]:
                ratio_s = ws / args.sqlite_timeout
                s_txt = f"< {fmt_ratio(ratio_s)}"
                ok_s = ratio_s <= 1 / TARGETS["vs_sqlite"]
            else:
                ratio_s = ws / sq["median"]
                s_txt = fmt_ratio(ratio_s)
                ok_s = ratio_s <= 1 / TARGETS["vs_sqlite"]
            dd = r.get("duckdb_q", {}).get(qid, {})
            pl = r.get("polars_q", {}).get(qid, {})
            ratio_d = ws / dd["median"] if dd.get("ok") else float("nan")
            ratio_p = ws / pl["median"] if pl.get("ok") else float("nan")
            best = min([x["median"] for x in (dd, pl) if x.get("ok")] or [float("nan")])
            ok_b = None if math.isnan(best) else ws / best <= TARGETS["vs_best"]
            rs.append(ratio_s); rd.append(ratio_d); rp.append(ratio_p)
            met_best += bool(ok_b)
            met_sq += ok_s
            vs_best = "not measured" if ok_b is None else mark(ok_b)
            ratio_b = ws / best
            rb.append(ratio_b)
            fq = r["floor_q"]["questions"].get(qid)
            if fq:
                ratio_f = ws / fq["best"]
                rf.append(ratio_f)
                n_floor += 1
                met_floor += ratio_f <= TARGETS["vs_floor"]
                vs_floor = mark(ratio_f <= TARGETS["vs_floor"])
            else:
                ratio_f, vs_floor = float("nan"), "no floor"
            cpu = q.get("cpu_per_wall", float("nan"))
            if scan:
                n_scan += 1
                met_cpu += cpu >= TARGETS["cpu_wall"]
                vs_cpu = mark(cpu >= TARGETS["cpu_wall"])
            else:
                vs_cpu = "—"
            w(f"| {label} | {s_txt} ({fmt_ratio(1 / ratio_s)}× faster) | {fmt_ratio(ratio_d)} | "
              f"{fmt_ratio(ratio_p)} | {fmt_ratio(ratio_b)} | {fmt_ratio(ratio_f)} | {cpu:.2f} | {vs_best} | "
              f"{mark(ok_s)} | {vs_floor} | {vs_cpu} |")
        w(f"| geometric mean | {fmt_ratio(geomean(rs))} | {fmt_ratio(geomean(rd))} | {fmt_ratio(geomean(rp))} | "
          f"{fmt_ratio(geomean(rb))} | {fmt_ratio(geomean(rf))} | | {met_best}/{n} met | {met_sq}/{n} met | "
          f"{met_floor}/{n_floor} met | {met_cpu}/{n_scan} met |")
        w("")
        wl = r["wenshu_load"]
        load_ratio = median(wl["load_s"]) / median(r["floor1"])
        if "duckdb" in r or "polars" in r:
            summary.append((size, "questions ≤ 1.0× the better of DuckDB/Polars", f"{met_best}/{n} questions",
                            mark(met_best == n)))
        summary.append((size, "questions ≥ 30× faster than sqlite3", f"{met_sq}/{n} questions", mark(met_sq == n)))
        summary.append((size, f"questions ≤ {TARGETS['vs_floor']:.0f}× the C floor", f"{met_floor}/{n_floor} questions "
                        "with a floor", mark(met_floor == n_floor)))
        summary.append((size, f"CPU ÷ wall ≥ {TARGETS['cpu_wall']} on the scan questions", f"{met_cpu}/{n_scan} questions",
                        mark(met_cpu == n_scan)))
        summary.append((size, f"load ≤ {TARGETS['load_floor']}× the floor (1 thread)",
                        f"{fmt_s(median(wl['load_s']))} / {fmt_s(median(r['floor1']))} = {load_ratio:.2f}×",
                        mark(load_ratio <= TARGETS["load_floor"])))
        if "duckdb" in r:
            rss_ratio = median(wl["hwm_kb"]) / median(r["duckdb"]["load_hwm_kb"])
            summary.append((size, f"peak RSS after load ≤ {TARGETS['rss_duckdb']}× DuckDB's (same tables)",
                            f"{fmt_mb(median(wl['hwm_kb']))} / {fmt_mb(median(r['duckdb']['load_hwm_kb']))} = {rss_ratio:.2f}×",
                            mark(rss_ratio <= TARGETS["rss_duckdb"])))
    if "parse" in res:
        p = res["parse"]
        summary.append(("—", f"parse < {TARGETS['parse_us']:.0f} µs/question (read + plan)",
                        f"{p['plan_us_median']:.1f} µs (read alone {p['read_us_median']:.1f} µs)",
                        mark(p["plan_us_median"] < TARGETS["parse_us"])))
    w("### Targets")
    w("")
    w("| size | target | measured | |")
    w("|---|---|---|---|")
    for s in summary:
        w("| " + " | ".join(s) + " |")
    return "\n".join(L) + "\n"


# --------------------------------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wenshu", default=os.path.join(ROOT, ".build", "release", "wenshu"))
    ap.add_argument("--floor", default=os.path.join(HERE, "data", "floor"))
    ap.add_argument("--floor-query", default=os.path.join(HERE, "data", "floor_query"),
                    help="the per-question C floor (floor_query.c)")
    ap.add_argument("--pg", metavar="URL",
                    help="also answer the questions through PostgreSQL at URL with --engine pushdown (a database "
                         "holding the same data as --pg-size's file); skipped when not given")
    ap.add_argument("--reuse-raw", action="store_true",
                    help="take each size's measurements from bench/data/results/raw-SIZE.json of an earlier run "
                         "instead of measuring again (the report says when they were taken)")
    ap.add_argument("--pg-reps", type=int, default=1,
                    help="timed runs per question through push-down (each takes seconds at 10M orders)")
    ap.add_argument("--pg-warmup", type=int, default=0, help="untimed push-down runs per question first")
    ap.add_argument("--pg-size", help="the size whose data the --pg database holds (default: the last of --sizes)")
    ap.add_argument("--python", default=os.path.join(HERE, ".venv", "bin", "python"))
    ap.add_argument("--sqlite3", default=shutil.which("sqlite3") or "sqlite3")
    ap.add_argument("--sizes", default="1m,10m", help="comma-separated: " + ", ".join(SIZES))
    ap.add_argument("--reps", type=int, default=5, help="timed runs of everything (after the warm-up)")
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--sqlite-reps-10m", type=int, default=2,
                    help="timed sqlite3 runs at 10m, without warm-up (default 2: its questions take seconds each "
                         "there; 0 = --reps after the warm-up, as at 1m)")
    ap.add_argument("--sqlite-timeout", type=float, default=60.0, help="seconds per sqlite3 question run")
    ap.add_argument("--threads", type=int, default=2, help="threads for DuckDB and Polars")
    ap.add_argument("--parse-rounds", type=int, default=20)
    ap.add_argument("--no-engines", action="store_true", help="skip DuckDB and Polars")
    ap.add_argument("--grammars", help="grammar directory for wenshu (run.sh passes a snapshot taken at build time)")
    ap.add_argument("--machine", default=os.environ.get("BENCH_MACHINE"), help="machine name for the result file")
    ap.add_argument("--out", help="result file (default bench/results/<date>-<machine>.md; "
                                  "<date>-<machine>-<sizes>.md when not every size is run; <date>b-… and so on "
                                  "when that file exists)")
    args = ap.parse_args()

    if args.grammars:
        GRAMMARS[:] = ["--grammars", args.grammars]
    mach = machine()
    name = args.machine or re.sub(r"[^a-z0-9]+", "-", f"{mach['cpu']}-{mach['nproc']}cpu".lower()).strip("-")
    today = (dt.date.fromisoformat(LAST_DAY) + dt.timedelta(days=1)).isoformat()
    per = periods(today)
    git = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"], capture_output=True,
                         text=True).stdout.strip() or "?"
    changed = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no", "--", "Sources",
                              "grammars", "Package.swift"], capture_output=True, text=True).stdout.splitlines()
    if changed:
        git += f" ({len(changed)} files under Sources/, grammars/ or Package.swift differ from the commit)"
    res = {"date": dt.date.today().isoformat(), "machine_name": name, "today": today, "git": git,
           "command": re.sub(r"(://[^:/@\s]*):[^@\s]*@", r"\1:***@",
                             os.environ.get("BENCH_COMMAND") or "bench/bench.py " + " ".join(sys.argv[1:])),
           "reps": args.reps, "warmup": args.warmup,
           "sizes": {}}
    dump_root = os.path.join(HERE, "data", "results")
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    for size in sizes:
        db = data_file(size)
        raw = os.path.join(dump_root, f"raw-{size}.json")
        if args.reuse_raw and os.path.exists(raw):
            with open(raw, encoding="utf-8") as f:
                res["sizes"][size] = json.load(f)
            res.setdefault("reused", []).append(
                f"{size}: measured at {dt.datetime.fromtimestamp(os.path.getmtime(raw)).strftime('%Y-%m-%d %H:%M')}")
            log(f"== {size}: reusing {os.path.relpath(raw, ROOT)} (--reuse-raw)")
            continue
        r = {"load_before": loadavg(), "busy": busy_processes(), "file_mb": os.path.getsize(db) / 1e6}
        log(f"== {size}: {db} (load average {r['load_before']})")
        warm_cache(db)
        log("  floor (bare sqlite3 scan)")
        r["floor1"] = measure_floor(args.floor, db, 1, args.reps, args.warmup)
        r["floor2"] = measure_floor(args.floor, db, 2, args.reps, args.warmup)
        log(f"    1 thread {median(r['floor1']):.2f} s, 2 threads {median(r['floor2']):.2f} s")
        log("  Wenshu load")
        r["wenshu_load"] = measure_wenshu_load(args.wenshu, db, today, args.reps, args.warmup)
        log(f"    {median(r['wenshu_load']['load_s']):.2f} s, peak {median(r['wenshu_load']['hwm_kb']) / 1024:.0f} MB")
        log("  C floor per question (1 and 2 threads)")
        r["floor_q"] = measure_floor_questions(args.floor_query, db, per, args.reps, args.warmup)
        log("    " + ", ".join(f"{qid[:3]} {f['median1'] * 1000:.2f}/{f['median2'] * 1000:.2f} ms"
                               for qid, f in r["floor_q"]["questions"].items()))
        log("  Wenshu questions")
        dump = os.path.join(dump_root, size, "wenshu")
        r["wenshu_q"] = measure_wenshu_questions(args.wenshu, db, today, args.reps, args.warmup, dump)
        for q in r["wenshu_q"]["questions"]:
            log(f"    {q['id']}: " + (f"{q['median'] * 1000:.1f} ms, CPU ÷ wall {q.get('cpu_per_wall', 0):.2f}"
                                      if q["ok"] else "REFUSED " + q.get("refusal", "")))
        if size == sizes[0]:
            log("  parse throughput")
            res["parse"] = measure_parse(args.wenshu, db, today, args.parse_rounds)
            log(f"    {res['parse']['plan_us_median']:.1f} µs/question")
        fewer = size == "10m" and args.sqlite_reps_10m > 0
        r["sqlite_reps"] = args.sqlite_reps_10m if fewer else args.reps
        r["sqlite_warmup"] = 0 if fewer else args.warmup
        log(f"  sqlite3 ({r['sqlite_reps']} runs, timeout {args.sqlite_timeout:.0f} s)")
        r["sqlite"] = measure_sqlite(args.sqlite3, db, per, r["sqlite_reps"], r["sqlite_warmup"], args.sqlite_timeout)
        if not args.no_engines:
            for e in ("duckdb", "polars"):
                log(f"  {e}")
                er = measure_engine(args.python, e, db, per, args.reps, args.warmup, args.reps, args.threads)
                r[e] = er
                r[e + "_q"] = {q["id"]: q for q in er["questions"]}
                res[e + "_version"] = er["version"]
                log(f"    load {median(er['load_runs_s']):.2f} s; " + ", ".join(
                    f"{q['id'][:3]} {q['median'] * 1000:.1f} ms" if q["ok"] else f"{q['id'][:3]} FAILED"
                    for q in er["questions"]))
        # Cross-checks: the same figures as Wenshu's answer.
        r["checks"] = {}
        for q in r["wenshu_q"]["questions"]:
            if not q["ok"]:
                continue
            w_rows = wenshu_rows(dump, q["id"])
            c = {"sqlite3": same_result(q["id"], w_rows, r["sqlite"][q["id"]]["result"])}
            for e in ("duckdb", "polars"):
                eq = r.get(e + "_q", {}).get(q["id"])
                c[e] = same_result(q["id"], w_rows, eq["result"]) if eq and eq.get("ok") else None
            fq = r["floor_q"]["questions"].get(q["id"])
            c["C floor"] = same_result(q["id"], w_rows, fq["result"]) if fq else None
            r["checks"][q["id"]] = c
        r["load_after"] = loadavg()
        res["sizes"][size] = r
        with open(os.path.join(dump_root, f"raw-{size}.json"), "w", encoding="utf-8") as f:
            json.dump(r, f, ensure_ascii=False, indent=1, default=str)

    # PostgreSQL push-down (optional): the same questions, answered on the server.
    if args.pg:
        pg_size = args.pg_size or sizes[-1]
        log(f"== PostgreSQL push-down (holding the {pg_size} data)")
        pg = measure_pushdown(args.wenshu, args.pg, today, args.pg_reps, args.pg_warmup,
                              os.path.join(dump_root, "pg", "wenshu"), args.sqlite_timeout)
        pg["size"] = pg_size
        if "skipped" in pg:
            log("    skipped: " + pg["skipped"])
        elif pg_size in res["sizes"]:
            cube_dump = os.path.join(dump_root, pg_size, "wenshu")
            for qid, q in pg["questions"].items():
                if q.get("ok"):
                    rows = q.get("result")
                    if rows is None and os.path.exists(os.path.join(dump_root, "pg", "wenshu", qid + ".csv")):
                        rows = wenshu_rows(os.path.join(dump_root, "pg", "wenshu"), qid)
                    q["same"] = (same_result(qid, wenshu_rows(cube_dump, qid), rows, other_is_wenshu=True)
                                 if rows is not None and os.path.exists(os.path.join(cube_dump, qid + ".csv")) else None)
        res["pg"] = pg
    else:
        res["pg"] = {"skipped": "not asked for (bench/run.sh --pg postgresql://… runs it)"}

    text = report(res, mach, args)
    # A run of some sizes only gets a name of its own (it never replaces the full run's report).
    partial = "" if sizes == list(SIZES) else "-" + "-".join(sizes)
    out = args.out
    if not out:
        # A second run on the same day gets a letter (b, c, …): a report is never overwritten.
        stem = os.path.join(HERE, "results", f"{res['date']}")
        tail = f"-{name}{partial}.md"
        out = stem + tail
        for letter in "bcdefghijklmnopqrstuvwxyz":
            if not os.path.exists(out):
                break
            out = stem + letter + tail
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)
    print(text)
    log(f"saved {os.path.relpath(out, ROOT)}")
    for size, r in res["sizes"].items():
        for q in r["wenshu_q"]["questions"]:
            if not q["ok"]:
                log(f"WARNING {size}: Wenshu refused {q['id']} ({q['question']}): {q.get('refusal')}")
        for qid, c in r["checks"].items():
            bad = [k for k, v in c.items() if v is False]
            if bad:
                log(f"WARNING {size}: {qid}: {', '.join(bad)} disagree with Wenshu's answer")


if __name__ == "__main__":
    main()
