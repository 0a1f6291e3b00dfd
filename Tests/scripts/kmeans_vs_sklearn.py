#!/usr/bin/env python3
"""Wenshu's customer clusters against scikit-learn (semantics.md "Clusters").

For each dataset the features are computed here, independently, in SQL: per customer with an
order up to today, R = days since the last order, F = orders, M = spend (NULL amounts ignored);
then log(1 + x), standardised to zero mean and unit variance. scikit-learn's
KMeans(n_clusters=N, n_init=10) gives its within-cluster sum of squares (inertia); Wenshu's
answer to "cluster customers into N groups" states its WCSS in a note. The check: Wenshu's WCSS
is at most 1% above scikit-learn's, on the same number of customers.

    pip install scikit-learn numpy
    python3 Tests/scripts/kmeans_vs_sklearn.py [--bin .build/release/wenshu] [--shared ../shared/data]

Exit status 0 when every comparison holds, 1 otherwise.
"""
import argparse
import math
import os
import re
import sqlite3
import subprocess
import sys
import time

import numpy as np
from sklearn.cluster import KMeans

DATASETS = [
    # file, today, orders table, customer, date, amount
    ("retail_cn.sqlite", "2026-11-22", "orders", "customer_id", "created_at", "total_amount"),
    ("cdnow.sqlite", "1998-07-01", "purchases", "cust_id", "txn_date", "dollars"),
]


def features(path, today, table, cust, date, amount):
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    rows = con.execute(
        f"""SELECT {cust}, julianday(?) - julianday(max(date({date}))), count(*), coalesce(sum({amount}), 0)
            FROM {table} WHERE {cust} IS NOT NULL AND date({date}) <= ? GROUP BY {cust}""",
        (today, today),
    ).fetchall()
    con.close()
    x = np.array([[math.log1p(max(r[1], 0)), math.log1p(r[2]), math.log1p(max(r[3], 0))] for r in rows])
    sd = x.std(axis=0)
    sd[sd == 0] = 1
    return (x - x.mean(axis=0)) / sd


def wenshu_wcss(binary, path, today, k):
    out = subprocess.run(
        [binary, "ask", "--db", path, "--today", today, "--chart", "none", f"cluster customers into {k} groups"],
        capture_output=True, text=True, check=True,
    ).stdout
    m = re.search(r"WCSS = ([0-9.]+)", out)
    n = re.search(r"k-means on (\d+) customers", out)
    if not m or not n:
        raise SystemExit(f"no WCSS in Wenshu's answer:\n{out}")
    return float(m.group(1)), int(n.group(1))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=None, help="the wenshu binary (default: .build/release, else .build/debug)")
    ap.add_argument("--shared", default=os.path.join(root, "..", "shared", "data"))
    ap.add_argument("--k", default="3,4,5")
    args = ap.parse_args()
    binary = args.bin
    if binary is None:
        for b in ("release", "debug"):
            p = os.path.join(root, ".build", b, "wenshu")
            if os.path.exists(p):
                binary = p
                break
    if binary is None:
        raise SystemExit("build wenshu first (swift build -c release)")
    ok = True
    for file, today, *mapping in DATASETS:
        path = os.path.join(args.shared, file)
        if not os.path.exists(path):
            print(f"skip {file}: not present")
            continue
        x = features(path, today, *mapping)
        for k in (int(v) for v in args.k.split(",")):
            t0 = time.time()
            sk = KMeans(n_clusters=k, n_init=10, random_state=0).fit(x).inertia_
            t1 = time.time()
            ws, n = wenshu_wcss(binary, path, today, k)
            t2 = time.time()
            ratio = ws / sk
            good = ratio <= 1.01 and n == len(x)
            ok &= good
            print(f"{file} k={k}: customers {n} (SQL {len(x)}), WCSS wenshu {ws:.3f} sklearn {sk:.3f}, "
                  f"ratio {ratio:.5f} ({'ok' if good else 'FAIL'}; sklearn {t1 - t0:.2f} s, wenshu {t2 - t1:.2f} s)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
