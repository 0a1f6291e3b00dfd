/* The load "floor": a bare sqlite3 C-API scan of the columns Wenshu's CubeLoader reads
 * (customers, orders, feedback, order_items), with the accessor Wenshu uses for each column
 * (text → sqlite3_column_text + bytes, numbers → int64/double), doing nothing with the values
 * but folding them into a checksum. No hashing, no date parsing, no dictionaries: this is
 * what reading the file costs before any cube is built.
 *
 *   cc -O2 -o bench/floor bench/floor.c -lsqlite3 -lpthread
 *   bench/floor FILE [THREADS]     → one JSON line: {"threads":…, "seconds":…, "rows":…}
 *
 * With THREADS = 2, each table is split by rowid range and each thread scans its half through
 * its own read-only connection.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
  const char *table;
  const char *types; /* one letter per column: t text, i integer, d double */
  const char *columns;
} Scan;

/* The columns CubeLoader.build selects, in its order (the inferred mapping of the demo). */
static const Scan scans[] = {
    {"customers", "ittttttii", "id, gender, city, region, source_channel, member_level, name, birth_year, registered_at"},
    {"orders", "itdti", "customer_id, created_at, total_amount, channel, id"},
    {"feedback", "itdt", "customer_id, created_at, nps, comment"},
    {"order_items", "ittdd", "order_id, product_name, category, quantity, unit_price"},
};
#define NSCANS (sizeof scans / sizeof scans[0])

typedef struct {
  const char *path;
  int part, parts;
  int64_t rows;
  uint64_t sum;
  int failed;
} Job;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static int64_t scalar(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st;
  int64_t v = 0;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return 0;
  if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

static void *run(void *arg) {
  Job *job = arg;
  sqlite3 *db;
  if (sqlite3_open_v2(job->path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
    fprintf(stderr, "cannot open %s\n", job->path);
    job->failed = 1;
    return NULL;
  }
  for (size_t s = 0; s < NSCANS; s++) {
    const Scan *sc = &scans[s];
    char sql[512];
    if (job->parts == 1) {
      snprintf(sql, sizeof sql, "SELECT %s FROM %s", sc->columns, sc->table);
    } else {
      char q[256];
      snprintf(q, sizeof q, "SELECT min(rowid) FROM %s", sc->table);
      int64_t lo = scalar(db, q);
      snprintf(q, sizeof q, "SELECT max(rowid) FROM %s", sc->table);
      int64_t hi = scalar(db, q);
      int64_t span = (hi - lo + job->parts) / job->parts;
      int64_t a = lo + span * job->part, b = a + span;
      snprintf(sql, sizeof sql, "SELECT %s FROM %s WHERE rowid >= %lld AND rowid < %lld", sc->columns, sc->table,
               (long long)a, (long long)b);
    }
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
      fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
      job->failed = 1;
      continue;
    }
    int n = (int)strlen(sc->types);
    while (sqlite3_step(st) == SQLITE_ROW) {
      job->rows++;
      for (int i = 0; i < n; i++) {
        switch (sc->types[i]) {
          case 't': {
            const unsigned char *p = sqlite3_column_text(st, i);
            int len = sqlite3_column_bytes(st, i);
            job->sum += (uint64_t)len + (p && len ? p[0] : 0);
            break;
          }
          case 'i':
            job->sum += (uint64_t)sqlite3_column_int64(st, i);
            break;
          default: {
            double d = sqlite3_column_double(st, i);
            job->sum += (uint64_t)(int64_t)d;
          }
        }
      }
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s FILE [THREADS]\n", argv[0]);
    return 1;
  }
  int parts = argc > 2 ? atoi(argv[2]) : 1;
  if (parts < 1 || parts > 16) parts = 1;
  Job jobs[16];
  pthread_t th[16];
  double t0 = now();
  for (int i = 0; i < parts; i++) {
    jobs[i] = (Job){argv[1], i, parts, 0, 0, 0};
    if (parts == 1) {
      run(&jobs[0]);
    } else {
      pthread_create(&th[i], NULL, run, &jobs[i]);
    }
  }
  if (parts > 1)
    for (int i = 0; i < parts; i++) pthread_join(th[i], NULL);
  double t1 = now();
  int64_t rows = 0;
  uint64_t sum = 0;
  int failed = 0;
  for (int i = 0; i < parts; i++) {
    rows += jobs[i].rows;
    sum += jobs[i].sum;
    failed |= jobs[i].failed;
  }
  printf("{\"threads\": %d, \"seconds\": %.6f, \"rows\": %lld, \"checksum\": %llu}\n", parts, t1 - t0, (long long)rows,
         (unsigned long long)sum);
  return failed;
}
