/* The question "floor": each benchmark question that aggregates order (or feedback) rows,
 * answered by a plain C loop over in-memory columns — what the aggregation costs with no
 * planning, no dictionaries, no generic operators. The columns are loaded once from the SQLite
 * file (not timed): order day (days since 1970-01-01), customer (a dense index, ids in
 * ascending order), amount (NaN = NULL), channel code; customer region; item order row,
 * category code and quantity × unit price; feedback day and score. Each question is then
 * timed with 1 thread and with 2 threads (the rows split in two halves, each thread filling
 * its own partial state, then merged: sums add, distinct customers merge as bitsets, first and
 * last days by min/max); thread start, the merge and producing the result rows are inside the
 * timed region.
 *
 *   cc -O2 -o bench/data/floor_query bench/floor_query.c -lsqlite3 -lpthread -lm
 *   floor_query FILE PERIODS REPS WARMUP
 *     PERIODS = today,year_start,lm_start,lm_end,lq_start,lq_end,churn_last (YYYY-MM-DD)
 *
 * Prints one JSON object: {"load_seconds": …, "questions": {"q01": {"t1": [s…], "t2": [s…],
 * "rows": [[…]…]}, …}} with the result rows shaped like the hand-written SQL's, so bench.py
 * checks them against Wenshu's answer like any other engine's. The questions are known by the
 * first three characters of their id in bench/questions.tsv (q01 … q15).
 */
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------------------ the columns */

static int64_t n_orders, n_items, n_feedback, n_cust;
static int32_t *o_day, *o_cust; /* o_cust: dense customer index, -1 = NULL */
static double *o_amount;
static uint8_t *o_channel;
static int32_t *i_row; /* the item's order row */
static uint8_t *i_cat;
static double *i_line; /* quantity × unit price */
static int32_t *f_day;
static int8_t *f_nps; /* -1 = NULL */
static int64_t *c_id;  /* dense index → customer id */
static int8_t *c_region; /* -1 = not in the customer table or NULL */
static char **c_name;

/* Small dictionaries of text values (channels, categories, regions). */
typedef struct {
  char *v[64];
  int n;
} Dict;
static Dict channels, categories, regions;

static int code(Dict *d, const unsigned char *s) {
  if (!s) return -1;
  for (int i = 0; i < d->n; i++)
    if (strcmp(d->v[i], (const char *)s) == 0) return i;
  if (d->n == 64) return -1;
  d->v[d->n] = strdup((const char *)s);
  return d->n++;
}

static int32_t days_from_civil(int y, int m, int d) { /* days since 1970-01-01 */
  y -= m <= 2;
  int era = (y >= 0 ? y : y - 399) / 400;
  int yoe = y - era * 400;
  int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static int32_t parse_day(const unsigned char *s) {
  if (!s) return INT32_MIN;
  return days_from_civil(atoi((const char *)s), atoi((const char *)s + 5), atoi((const char *)s + 8));
}

static void civil_from_days(int32_t z, int *y, int *m, int *d) {
  z += 719468;
  int era = (z >= 0 ? z : z - 146096) / 146097;
  int doe = z - era * 146097;
  int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp + (mp < 10 ? 3 : -9);
  *y = yoe + era * 400 + (*m <= 2);
}

/* Months as indices from the first order's month; day → month through a table. */
static int32_t day0, n_days, month0, n_months;
static int16_t *day_month;

static int month_of_day(int32_t day) {
  int y, m, d;
  civil_from_days(day, &y, &m, &d);
  return y * 12 + m - 1;
}

static void month_label(int mi, char *out) {
  int ym = month0 + mi;
  sprintf(out, "%04d-%02d", ym / 12, ym % 12 + 1);
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

static int64_t find_id(const int64_t *ids, int64_t n, int64_t id) {
  int64_t lo = 0, hi = n;
  while (lo < hi) {
    int64_t mid = (lo + hi) / 2;
    if (ids[mid] < id) lo = mid + 1; else hi = mid;
  }
  return lo < n && ids[lo] == id ? lo : -1;
}

static sqlite3_stmt *query(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
    fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
    exit(1);
  }
  return st;
}

static int64_t count(sqlite3 *db, const char *table) {
  char sql[128];
  snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
  sqlite3_stmt *st = query(db, sql);
  int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  return n;
}

static void load(const char *path) {
  sqlite3 *db;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(1);
  }
  n_orders = count(db, "orders");
  n_items = count(db, "order_items");
  n_feedback = count(db, "feedback");
  int64_t n_custrows = count(db, "customers");

  /* Customer ids: those of the customer table and of the orders, sorted, distinct. */
  int64_t *ids = malloc(sizeof(int64_t) * (n_custrows + n_orders + n_feedback + 1));
  int64_t *o_rawcust = malloc(sizeof(int64_t) * (n_orders + 1));
  int64_t *o_id = malloc(sizeof(int64_t) * (n_orders + 1));
  int64_t k = 0;
  sqlite3_stmt *st = query(db, "SELECT id FROM customers WHERE id IS NOT NULL");
  while (sqlite3_step(st) == SQLITE_ROW) ids[k++] = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);

  o_day = malloc(sizeof(int32_t) * (n_orders + 1));
  o_cust = malloc(sizeof(int32_t) * (n_orders + 1));
  o_amount = malloc(sizeof(double) * (n_orders + 1));
  o_channel = malloc(n_orders + 1);
  st = query(db, "SELECT id, customer_id, created_at, channel, total_amount FROM orders");
  int64_t r = 0;
  while (sqlite3_step(st) == SQLITE_ROW && r < n_orders) {
    o_id[r] = sqlite3_column_int64(st, 0);
    int null_cust = sqlite3_column_type(st, 1) == SQLITE_NULL;
    o_rawcust[r] = null_cust ? INT64_MIN : sqlite3_column_int64(st, 1);
    if (!null_cust) ids[k++] = o_rawcust[r];
    o_day[r] = parse_day(sqlite3_column_text(st, 2));
    o_channel[r] = (uint8_t)code(&channels, sqlite3_column_text(st, 3));
    o_amount[r] = sqlite3_column_type(st, 4) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 4);
    r++;
  }
  n_orders = r;
  sqlite3_finalize(st);

  qsort(ids, k, sizeof(int64_t), cmp_i64);
  int64_t u = 0;
  for (int64_t i = 0; i < k; i++)
    if (u == 0 || ids[i] != ids[u - 1]) ids[u++] = ids[i];
  n_cust = u;
  c_id = ids;
  for (int64_t i = 0; i < n_orders; i++)
    o_cust[i] = o_rawcust[i] == INT64_MIN ? -1 : (int32_t)find_id(ids, n_cust, o_rawcust[i]);
  free(o_rawcust);

  c_region = malloc(n_cust + 1);
  memset(c_region, -1, n_cust + 1);
  c_name = calloc(n_cust + 1, sizeof(char *));
  st = query(db, "SELECT id, region, name FROM customers WHERE id IS NOT NULL");
  while (sqlite3_step(st) == SQLITE_ROW) {
    int64_t c = find_id(ids, n_cust, sqlite3_column_int64(st, 0));
    if (c < 0) continue;
    c_region[c] = (int8_t)code(&regions, sqlite3_column_text(st, 1));
    const unsigned char *nm = sqlite3_column_text(st, 2);
    c_name[c] = nm ? strdup((const char *)nm) : NULL;
  }
  sqlite3_finalize(st);

  /* Items: their order's row, found by binary search over the order ids (in ascending order,
   * as the table is read in rowid order and the ids are the rowids). */
  for (int64_t i = 1; i < n_orders; i++)
    if (o_id[i] <= o_id[i - 1]) {
      fprintf(stderr, "floor_query: orders are not in id order\n");
      exit(1);
    }
  i_row = malloc(sizeof(int32_t) * (n_items + 1));
  i_cat = malloc(n_items + 1);
  i_line = malloc(sizeof(double) * (n_items + 1));
  st = query(db, "SELECT order_id, category, quantity, unit_price FROM order_items");
  r = 0;
  while (sqlite3_step(st) == SQLITE_ROW && r < n_items) {
    int64_t row = find_id(o_id, n_orders, sqlite3_column_int64(st, 0));
    if (row < 0) continue;
    i_row[r] = (int32_t)row;
    i_cat[r] = (uint8_t)code(&categories, sqlite3_column_text(st, 1));
    i_line[r] = sqlite3_column_double(st, 2) * sqlite3_column_double(st, 3);
    r++;
  }
  n_items = r;
  sqlite3_finalize(st);
  free(o_id);

  f_day = malloc(sizeof(int32_t) * (n_feedback + 1));
  f_nps = malloc(n_feedback + 1);
  st = query(db, "SELECT created_at, nps FROM feedback");
  r = 0;
  while (sqlite3_step(st) == SQLITE_ROW && r < n_feedback) {
    f_day[r] = parse_day(sqlite3_column_text(st, 0));
    f_nps[r] = sqlite3_column_type(st, 1) == SQLITE_NULL ? -1 : (int8_t)sqlite3_column_int(st, 1);
    r++;
  }
  n_feedback = r;
  sqlite3_finalize(st);
  sqlite3_close(db);

  /* The day → month table over every day of the data. */
  int32_t lo = INT32_MAX, hi = INT32_MIN;
  for (int64_t i = 0; i < n_orders; i++) {
    if (o_day[i] < lo) lo = o_day[i];
    if (o_day[i] > hi) hi = o_day[i];
  }
  for (int64_t i = 0; i < n_feedback; i++) {
    if (f_day[i] < lo) lo = f_day[i];
    if (f_day[i] > hi) hi = f_day[i];
  }
  day0 = lo;
  n_days = hi - lo + 1;
  month0 = month_of_day(lo);
  n_months = month_of_day(hi) - month0 + 1;
  day_month = malloc(sizeof(int16_t) * n_days);
  for (int32_t d = 0; d < n_days; d++) day_month[d] = (int16_t)(month_of_day(day0 + d) - month0);
}

/* ------------------------------------------------------------------------- the aggregations */

/* A question's work: each thread runs `part` over rows [lo, hi) of its table into its own
 * state; `merge` folds state 1 into state 0; `emit` writes the result rows (not timed). */
typedef struct {
  int64_t lo, hi;
  void *state;
} Part;

typedef struct Question Question;
struct Question {
  const char *id;
  int table; /* 0 orders, 1 items, 2 feedback */
  void *(*make)(void);
  void (*part)(const Question *q, Part *p);
  void (*merge)(void *into, void *from);
  void (*emit)(void *state, FILE *out);
  void (*release)(void *state);
  int32_t dlo, dhi; /* the period [dlo, dhi] in days */
};

static int32_t P_today, P_year, P_lm0, P_lm1, P_lq0, P_lq1, P_churn;

/* Monthly sales and orders. */
typedef struct {
  double *sum;
  int64_t *n;
} MonthSums;

static void *ms_make(void) {
  MonthSums *s = malloc(sizeof *s);
  s->sum = calloc(n_months, sizeof(double));
  s->n = calloc(n_months, sizeof(int64_t));
  return s;
}
static void ms_part(const Question *q, Part *p) {
  MonthSums *s = p->state;
  int32_t lo = q->dlo, hi = q->dhi;
  for (int64_t i = p->lo; i < p->hi; i++) {
    int32_t d = o_day[i];
    if (d < lo || d > hi) continue;
    int m = day_month[d - day0];
    double a = o_amount[i];
    s->sum[m] += a == a ? a : 0;
    s->n[m]++;
  }
}
static void ms_merge(void *into, void *from) {
  MonthSums *a = into, *b = from;
  for (int m = 0; m < n_months; m++) {
    a->sum[m] += b->sum[m];
    a->n[m] += b->n[m];
  }
}
static void ms_emit(void *state, FILE *out) {
  MonthSums *s = state;
  char lab[16];
  int first = 1;
  for (int m = 0; m < n_months; m++) {
    if (!s->n[m]) continue;
    month_label(m, lab);
    fprintf(out, "%s[\"%s\", %.6f, %lld]", first ? "" : ", ", lab, s->sum[m], (long long)s->n[m]);
    first = 0;
  }
}
static void ms_release(void *state) {
  MonthSums *s = state;
  free(s->sum);
  free(s->n);
  free(s);
}

/* Per-customer figures over the period: count, sum, first and last day. */
typedef struct {
  uint32_t *n;
  double *sum;
  int32_t *first, *last;
} PerCustomer;

static void *pc_make(void) {
  PerCustomer *s = malloc(sizeof *s);
  s->n = calloc(n_cust, sizeof(uint32_t));
  s->sum = calloc(n_cust, sizeof(double));
  s->first = malloc(sizeof(int32_t) * n_cust);
  s->last = malloc(sizeof(int32_t) * n_cust);
  for (int64_t c = 0; c < n_cust; c++) {
    s->first[c] = INT32_MAX;
    s->last[c] = INT32_MIN;
  }
  return s;
}
static void pc_release(void *state) {
  PerCustomer *s = state;
  free(s->n);
  free(s->sum);
  free(s->first);
  free(s->last);
  free(s);
}
/* Count and sum (top N, repeat rate). */
static void pc_sum_part(const Question *q, Part *p) {
  PerCustomer *s = p->state;
  int32_t lo = q->dlo, hi = q->dhi;
  for (int64_t i = p->lo; i < p->hi; i++) {
    int32_t d = o_day[i], c = o_cust[i];
    if (d < lo || d > hi || c < 0) continue;
    double a = o_amount[i];
    s->n[c]++;
    s->sum[c] += a == a ? a : 0;
  }
}
static void pc_sum_merge(void *into, void *from) {
  PerCustomer *a = into, *b = from;
  for (int64_t c = 0; c < n_cust; c++) {
    a->n[c] += b->n[c];
    a->sum[c] += b->sum[c];
  }
}
/* Count only (repeat rate). */
static void pc_count_part(const Question *q, Part *p) {
  PerCustomer *s = p->state;
  int32_t lo = q->dlo, hi = q->dhi;
  for (int64_t i = p->lo; i < p->hi; i++) {
    int32_t d = o_day[i], c = o_cust[i];
    if (d < lo || d > hi || c < 0) continue;
    s->n[c]++;
  }
}
static void pc_count_merge(void *into, void *from) {
  PerCustomer *a = into, *b = from;
  for (int64_t c = 0; c < n_cust; c++) a->n[c] += b->n[c];
}
/* First day, last day, count and sum (new customers, RFM, churn, cohorts). */
static void pc_all_part(const Question *q, Part *p) {
  PerCustomer *s = p->state;
  int32_t hi = q->dhi;
  for (int64_t i = p->lo; i < p->hi; i++) {
    int32_t d = o_day[i], c = o_cust[i];
    if (d > hi || c < 0) continue;
    double a = o_amount[i];
    s->n[c]++;
    s->sum[c] += a == a ? a : 0;
    if (d < s->first[c]) s->first[c] = d;
    if (d > s->last[c]) s->last[c] = d;
  }
}
static void pc_all_merge(void *into, void *from) {
  PerCustomer *a = into, *b = from;
  for (int64_t c = 0; c < n_cust; c++) {
    a->n[c] += b->n[c];
    a->sum[c] += b->sum[c];
    if (b->first[c] < a->first[c]) a->first[c] = b->first[c];
    if (b->last[c] > a->last[c]) a->last[c] = b->last[c];
  }
}
/* First day only (new customers). */
static void pc_first_part(const Question *q, Part *p) {
  PerCustomer *s = p->state;
  int32_t hi = q->dhi;
  for (int64_t i = p->lo; i < p->hi; i++) {
    int32_t d = o_day[i], c = o_cust[i];
    if (d > hi || c < 0) continue;
    if (d < s->first[c]) s->first[c] = d;
  }
}
static void pc_first_merge(void *into, void *from) {
  PerCustomer *a = into, *b = from;
  for (int64_t c = 0; c < n_cust; c++)
    if (b->first[c] < a->first[c]) a->first[c] = b->first[c];
}
/* Last day only (churned). */
static void pc_last_part(const Question *q, Part *p) {
  PerCustomer *s = p->state;
  int32_t hi = q->dhi;
  for (int64_t i = p->lo; i < p->hi; i++) {
    int32_t d = o_day[i], c = o_cust[i];
    if (d > hi || c < 0) continue;
    if (d > s->last[c]) s->last[c] = d;
  }
}
static void pc_last_merge(void *into, void *from) {
  PerCustomer *a = into, *b = from;
  for (int64_t c = 0; c < n_cust; c++)
    if (b->last[c] > a->last[c]) a->last[c] = b->last[c];
}

static void json_text(FILE *out, const char *s) {
  if (!s) {
    fputs("null", out);
    return;
  }
  fputc('"', out);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') fputc('\\', out);
    fputc(*s, out);
  }
  fputc('"', out);
}

/* The result-producing step after the merge is part of the timed work too; its rows are kept
 * in a buffer (written to the JSON only once). */
static void top10_emit(void *state, FILE *out) {
  PerCustomer *s = state;
  int64_t best[10];
  int nb = 0;
  for (int64_t c = 0; c < n_cust; c++) {
    if (!s->n[c]) continue;
    double v = s->sum[c];
    if (nb == 10 && !(v > s->sum[best[9]])) continue; /* ties: the lower id (earlier) stays */
    int j = nb < 10 ? nb++ : 9;
    while (j > 0 && v > s->sum[best[j - 1]]) {
      best[j] = best[j - 1];
      j--;
    }
    best[j] = c;
  }
  for (int i = 0; i < nb; i++) {
    fprintf(out, "%s[%lld, ", i ? ", " : "", (long long)c_id[best[i]]);
    json_text(out, c_name[best[i]]);
    fprintf(out, ", %.6f]", s->sum[best[i]]);
  }
}

static void repeat_emit(void *state, FILE *out) {
  PerCustomer *s = state;
  int64_t buyers[65] = {0}, repeat[65] = {0};
  for (int64_t c = 0; c < n_cust; c++) {
    if (!s->n[c]) continue;
    int g = c_region[c] + 1;
    buyers[g]++;
    repeat[g] += s->n[c] >= 2;
  }
  int first = 1;
  for (int g = 0; g <= regions.n; g++) {
    if (!buyers[g]) continue;
    fprintf(out, "%s[", first ? "" : ", ");
    json_text(out, g ? regions.v[g - 1] : NULL);
    fprintf(out, ", %.9f]", (double)repeat[g] / buyers[g]);
    first = 0;
  }
}

/* New customers per month: first order in [dlo, dhi]. */
static const Question *emit_q;
static void new_emit(void *state, FILE *out) {
  PerCustomer *s = state;
  int64_t *per = calloc(n_months, sizeof(int64_t));
  for (int64_t c = 0; c < n_cust; c++) {
    int32_t f = s->first[c];
    if (f >= emit_q->dlo && f <= emit_q->dhi) per[day_month[f - day0]]++;
  }
  char lab[16];
  int first = 1;
  for (int m = 0; m < n_months; m++) {
    if (!per[m]) continue;
    month_label(m, lab);
    fprintf(out, "%s[\"%s\", %lld]", first ? "" : ", ", lab, (long long)per[m]);
    first = 0;
  }
  free(per);
}

static void churn_emit(void *state, FILE *out) {
  PerCustomer *s = state;
  int64_t n = 0;
  for (int64_t c = 0; c < n_cust; c++) n += s->last[c] != INT32_MIN && s->last[c] <= P_churn;
  fprintf(out, "[%lld]", (long long)n);
}

static void rfm_emit(void *state, FILE *out) {
  PerCustomer *s = state;
  double sr = 0, sf = 0, sm = 0;
  int64_t k = 0;
  for (int64_t c = 0; c < n_cust; c++) {
    if (!s->n[c]) continue;
    sr += P_today - s->last[c];
    sf += s->n[c];
    sm += s->sum[c];
    k++;
  }
  if (!k) return;
  double ar = sr / k, af = sf / k, am = sm / k;
  int64_t seg[8] = {0};
  for (int64_t c = 0; c < n_cust; c++) {
    if (!s->n[c]) continue;
    seg[((P_today - s->last[c]) < ar) * 4 + (s->n[c] > af) * 2 + (s->sum[c] > am)]++;
  }
  static const char *names[8] = {"一般挽留客户", "重要挽留客户", "一般保持客户", "重要保持客户",
                                 "一般发展客户", "重要发展客户", "一般价值客户", "重要价值客户"};
  int first = 1;
  for (int i = 0; i < 8; i++) {
    if (!seg[i]) continue;
    fprintf(out, "%s[\"%s\", %lld]", first ? "" : ", ", names[i], (long long)seg[i]);
    first = 0;
  }
}

/* Distinct buyers per month: one bitset of customers per month. */
typedef struct {
  uint64_t *bits; /* n_months × words */
  int64_t words;
} MonthBits;

static void *mb_make(void) {
  MonthBits *s = malloc(sizeof *s);
  s->words = (n_cust + 63) / 64;
  s->bits = calloc((size_t)n_months * s->words, sizeof(uint64_t));
  return s;
}
static void mb_part(const Question *q, Part *p) {
  MonthBits *s = p->state;
  int32_t lo = q->dlo, hi = q->dhi;
  for (int64_t i = p->lo; i < p->hi; i++) {
    int32_t d = o_day[i], c = o_cust[i];
    if (d < lo || d > hi || c < 0) continue;
    s->bits[(int64_t)day_month[d - day0] * s->words + (c >> 6)] |= 1ULL << (c & 63);
  }
}
static void mb_merge(void *into, void *from) {
  MonthBits *a = into, *b = from;
  int64_t n = (int64_t)n_months * a->words;
  for (int64_t i = 0; i < n; i++) a->bits[i] |= b->bits[i];
}
static void mb_emit(void *state, FILE *out) {
  MonthBits *s = state;
  char lab[16];
  int first = 1;
  for (int m = 0; m < n_months; m++) {
    int64_t n = 0;
    for (int64_t w = 0; w < s->words; w++) n += __builtin_popcountll(s->bits[(int64_t)m * s->words + w]);
    if (!n) continue;
    month_label(m, lab);
    fprintf(out, "%s[\"%s\", %lld]", first ? "" : ", ", lab, (long long)n);
    first = 0;
  }
}
static void mb_release(void *state) {
  MonthBits *s = state;
  free(s->bits);
  free(s);
}

/* Cohort retention: each customer's first day, and per-month bitsets of the customers with an
 * order in the period; a cohort's month-k retention counts its customers whose bit is set k
 * months after the cohort month. */
typedef struct {
  int32_t *first;
  MonthBits *active;
} Cohorts;

static void *co_make(void) {
  Cohorts *s = malloc(sizeof *s);
  s->first = malloc(sizeof(int32_t) * n_cust);
  for (int64_t c = 0; c < n_cust; c++) s->first[c] = INT32_MAX;
  s->active = mb_make();
  return s;
}
static void co_part(const Question *q, Part *p) {
  Cohorts *s = p->state;
  int32_t lo = q->dlo, hi = q->dhi;
  int64_t words = s->active->words;
  for (int64_t i = p->lo; i < p->hi; i++) {
    int32_t d = o_day[i], c = o_cust[i];
    if (d > hi || c < 0) continue;
    if (d < s->first[c]) s->first[c] = d;
    if (d >= lo) s->active->bits[(int64_t)day_month[d - day0] * words + (c >> 6)] |= 1ULL << (c & 63);
  }
}
static void co_merge(void *into, void *from) {
  Cohorts *a = into, *b = from;
  for (int64_t c = 0; c < n_cust; c++)
    if (b->first[c] < a->first[c]) a->first[c] = b->first[c];
  mb_merge(a->active, b->active);
}
static void co_emit(void *state, FILE *out) {
  Cohorts *s = state;
  int64_t words = s->active->words;
  int64_t *size = calloc(n_months, sizeof(int64_t));
  int64_t *kept = calloc((size_t)n_months * n_months, sizeof(int64_t));
  for (int64_t c = 0; c < n_cust; c++) {
    int32_t f = s->first[c];
    if (f < emit_q->dlo || f > emit_q->dhi) continue;
    int cm = day_month[f - day0];
    size[cm]++;
    for (int om = cm + 1; om < n_months; om++)
      kept[cm * n_months + om] += (s->active->bits[(int64_t)om * words + (c >> 6)] >> (c & 63)) & 1;
  }
  char lab[16];
  int first = 1;
  for (int cm = 0; cm < n_months; cm++)
    for (int om = cm + 1; om < n_months; om++) {
      int64_t k = kept[cm * n_months + om];
      if (!k) continue;
      month_label(cm, lab);
      fprintf(out, "%s[\"%s\", %lld, %d, %lld, %.9f]", first ? "" : ", ", lab, (long long)size[cm], om - cm,
              (long long)k, (double)k / size[cm]);
      first = 0;
    }
  free(size);
  free(kept);
}
static void co_release(void *state) {
  Cohorts *s = state;
  free(s->first);
  mb_release(s->active);
  free(s);
}

/* Sales by item category and order channel. */
typedef struct {
  double sum[64][64];
  uint8_t seen[64][64];
} CatChannel;

static void *cc_make(void) { return calloc(1, sizeof(CatChannel)); }
static void cc_part(const Question *q, Part *p) {
  CatChannel *s = p->state;
  int32_t lo = q->dlo, hi = q->dhi;
  for (int64_t i = p->lo; i < p->hi; i++) {
    int32_t row = i_row[i];
    int32_t d = o_day[row];
    if (d < lo || d > hi) continue;
    s->sum[i_cat[i]][o_channel[row]] += i_line[i];
    s->seen[i_cat[i]][o_channel[row]] = 1;
  }
}
static void cc_merge(void *into, void *from) {
  CatChannel *a = into, *b = from;
  for (int i = 0; i < 64; i++)
    for (int j = 0; j < 64; j++) {
      a->sum[i][j] += b->sum[i][j];
      a->seen[i][j] |= b->seen[i][j];
    }
}
static void cc_emit(void *state, FILE *out) {
  CatChannel *s = state;
  int first = 1;
  for (int i = 0; i < categories.n; i++)
    for (int j = 0; j < channels.n; j++) {
      if (!s->seen[i][j]) continue;
      fprintf(out, "%s[", first ? "" : ", ");
      json_text(out, categories.v[i]);
      fputs(", ", out);
      json_text(out, channels.v[j]);
      fprintf(out, ", %.6f]", s->sum[i][j]);
      first = 0;
    }
}

/* NPS per month over feedback. */
typedef struct {
  int64_t *n, *pro, *det;
} MonthNPS;

static void *nps_make(void) {
  MonthNPS *s = malloc(sizeof *s);
  s->n = calloc(n_months, sizeof(int64_t));
  s->pro = calloc(n_months, sizeof(int64_t));
  s->det = calloc(n_months, sizeof(int64_t));
  return s;
}
static void nps_part(const Question *q, Part *p) {
  MonthNPS *s = p->state;
  int32_t lo = q->dlo, hi = q->dhi;
  for (int64_t i = p->lo; i < p->hi; i++) {
    int32_t d = f_day[i];
    int v = f_nps[i];
    if (d < lo || d > hi || v < 0) continue;
    int m = day_month[d - day0];
    s->n[m]++;
    s->pro[m] += v >= 9;
    s->det[m] += v <= 6;
  }
}
static void nps_merge(void *into, void *from) {
  MonthNPS *a = into, *b = from;
  for (int m = 0; m < n_months; m++) {
    a->n[m] += b->n[m];
    a->pro[m] += b->pro[m];
    a->det[m] += b->det[m];
  }
}
static void nps_emit(void *state, FILE *out) {
  MonthNPS *s = state;
  char lab[16];
  int first = 1;
  for (int m = 0; m < n_months; m++) {
    if (!s->n[m]) continue;
    month_label(m, lab);
    fprintf(out, "%s[\"%s\", %.9f]", first ? "" : ", ", lab, 100.0 * (s->pro[m] - s->det[m]) / s->n[m]);
    first = 0;
  }
}
static void nps_release(void *state) {
  MonthNPS *s = state;
  free(s->n);
  free(s->pro);
  free(s->det);
  free(s);
}

/* ------------------------------------------------------------------------------ the driver */

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

typedef struct {
  const Question *q;
  Part part;
} Job;

static void *run_part(void *arg) {
  Job *j = arg;
  j->q->part(j->q, &j->part);
  return NULL;
}

static int64_t table_rows(int table) { return table == 0 ? n_orders : table == 1 ? n_items : n_feedback; }

/* One timed answer: make the states, run the parts, merge, and produce the rows (into a
 * memory buffer, so the result step is counted as Wenshu's is). Returns seconds. */
static double answer(const Question *q, int threads, char **rows_out) {
  double t0 = now();
  int64_t n = table_rows(q->table);
  Job jobs[2];
  pthread_t th[2];
  for (int t = 0; t < threads; t++) {
    jobs[t] = (Job){q, {n * t / threads, n * (t + 1) / threads, q->make()}};
    if (t > 0) pthread_create(&th[t], NULL, run_part, &jobs[t]);
  }
  run_part(&jobs[0]);
  for (int t = 1; t < threads; t++) {
    pthread_join(th[t], NULL);
    q->merge(jobs[0].part.state, jobs[t].part.state);
  }
  char *buf = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&buf, &len);
  emit_q = q;
  q->emit(jobs[0].part.state, mem);
  fclose(mem);
  double t1 = now();
  for (int t = 0; t < threads; t++) q->release(jobs[t].part.state);
  if (rows_out) *rows_out = buf; else free(buf);
  return t1 - t0;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: %s FILE today,year_start,lm_start,lm_end,lq_start,lq_end,churn_last REPS WARMUP\n",
            argv[0]);
    return 1;
  }
  int32_t *pd[] = {&P_today, &P_year, &P_lm0, &P_lm1, &P_lq0, &P_lq1, &P_churn};
  const char *s = argv[2];
  for (int i = 0; i < 7; i++) {
    if (strlen(s) < 10) {
      fprintf(stderr, "expected 7 dates YYYY-MM-DD separated by commas\n");
      return 1;
    }
    *pd[i] = parse_day((const unsigned char *)s);
    s += 10;
    if (*s == ',') s++;
  }
  int reps = atoi(argv[3]), warmup = atoi(argv[4]);
  if (reps < 1) reps = 1;
  if (warmup < 0) warmup = 0;

  double l0 = now();
  load(argv[1]);
  double load_s = now() - l0;

  const int32_t ALL = INT32_MIN;
  Question qs[] = {
      {"q01", 0, ms_make, ms_part, ms_merge, ms_emit, ms_release, P_year, P_today},
      {"q02", 0, pc_make, pc_sum_part, pc_sum_merge, top10_emit, pc_release, P_lm0, P_lm1},
      {"q03", 0, pc_make, pc_count_part, pc_count_merge, repeat_emit, pc_release, P_lm0, P_lm1},
      {"q04", 1, cc_make, cc_part, cc_merge, cc_emit, free, P_lq0, P_lq1},
      {"q05", 0, pc_make, pc_all_part, pc_all_merge, rfm_emit, pc_release, ALL, P_today},
      {"q06", 0, mb_make, mb_part, mb_merge, mb_emit, mb_release, P_year, P_today},
      {"q07", 0, pc_make, pc_last_part, pc_last_merge, churn_emit, pc_release, ALL, P_today},
      {"q08", 0, co_make, co_part, co_merge, co_emit, co_release, P_year, P_today},
      {"q09", 0, pc_make, pc_first_part, pc_first_merge, new_emit, pc_release, P_year, P_today},
      {"q10", 2, nps_make, nps_part, nps_merge, nps_emit, nps_release, P_year, P_today},
      {"q11", 0, ms_make, ms_part, ms_merge, ms_emit, ms_release, ALL, P_today},
      {"q12", 0, pc_make, pc_sum_part, pc_sum_merge, top10_emit, pc_release, ALL, P_today},
      {"q13", 0, pc_make, pc_count_part, pc_count_merge, repeat_emit, pc_release, ALL, P_today},
      {"q14", 0, mb_make, mb_part, mb_merge, mb_emit, mb_release, ALL, P_today},
      {"q15", 0, pc_make, pc_first_part, pc_first_merge, new_emit, pc_release, ALL, P_today},
  };
  int nq = sizeof qs / sizeof qs[0];
  printf("{\"load_seconds\": %.6f, \"orders\": %lld, \"customers\": %lld, \"months\": %d, \"questions\": {",
         load_s, (long long)n_orders, (long long)n_cust, n_months);
  for (int i = 0; i < nq; i++) {
    printf("%s\"%s\": {", i ? ", " : "", qs[i].id);
    for (int threads = 1; threads <= 2; threads++) {
      char *rows = NULL;
      printf("%s\"t%d\": [", threads > 1 ? ", " : "", threads);
      for (int r = 0; r < warmup + reps; r++) {
        double t = answer(&qs[i], threads, r == 0 && threads == 1 ? &rows : NULL);
        if (r >= warmup) printf("%s%.9f", r > warmup ? ", " : "", t);
      }
      printf("]");
      if (rows) {
        printf(", \"rows\": [%s]", rows);
        free(rows);
      }
    }
    printf("}");
  }
  printf("}}\n");
  return 0;
}
