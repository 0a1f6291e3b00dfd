// Cohort retention (semantics.md "Cohort retention"): a customer's cohort is the month of the
// first order up to today; month-k retention = cohort customers with an order in the k-th
// calendar month after the cohort month ÷ cohort size. Either the triangle (one row per cohort
// month of the plan, a column per month after it up to today's month) or one cell (month k,
// over the cohorts whose k-th month has begun).

import QueryModel

extension Compilation {
  func monthIndex(_ day: SQL) -> SQL { unit(.month, day) }

  func cohortStatement(_ spec: CohortSpec) throws -> SQL {
    let u = customerRows
    let o = orders
    let lo = monthIndex(day(spec.cohorts.start))
    let hi = monthIndex(day(spec.cohorts.end))
    let todayMonth = monthIndex(today)
    let co = cte("co") {
      let r = RowContext(customer: "u.key", universe: "u", rfm: needsRFM ? "u" : nil, channel: nil, category: nil, product: nil, topic: nil)
      let from: SQL = "\(raw: u) u"
      let cond = allOf(["u.n_orders > 0", customerPredicate(r), "\(monthIndex("u.first_day")) BETWEEN \(lo) AND \(hi)"])
      return "SELECT u.key AS c, \(monthIndex("u.first_day")) AS cm FROM \(from) WHERE \(cond)"
    }
    // (customer, cohort month, k): the customer ordered in the k-th month after the cohort month.
    let active = cte("ca") {
      """
      SELECT DISTINCT co.c, co.cm, \(monthIndex("o.day")) - co.cm AS k FROM \(raw: o) o JOIN \(raw: co) co ON o.c = co.c \
      WHERE o.day IS NOT NULL AND o.day <= \(today)
      """
    }
    let startMonth = spec.cohorts.start.monthIndex
    let endMonth = spec.cohorts.end.monthIndex

    if let k = spec.monthsAfter {
      let label = startMonth == endMonth ? TimeUnit.month.label(ofIndex: startMonth)
        : "\(TimeUnit.month.label(ofIndex: startMonth))…\(TimeUnit.month.label(ofIndex: endMonth))"
      let kk = bind(k)
      return """
        SELECT \(bind(label)) AS \(raw: q("cohort")), CASE WHEN total = 0 THEN NULL ELSE \(d.real("retained")) / total END AS \(raw: q("retention_rate")), \
        total AS \(raw: q("cohort_size")), retained AS \(raw: q("retained")) \
        FROM (SELECT coalesce(sum(CASE WHEN cm + \(kk) <= \(todayMonth) THEN 1 ELSE 0 END), 0) AS total FROM \(raw: co)) a \
        CROSS JOIN (SELECT count(*) AS retained FROM \(raw: active) WHERE k = \(kk) AND cm + \(kk) <= \(todayMonth)) b
        """
    }

    let months = seriesCTE("cmx", column: "cm", lo: lo, hi: hi, step: 1, from: "(SELECT 1 AS one) one", condition: "1 = 1")
    let width = max(0, plan.today.monthIndex - startMonth)
    let sizes = cte("csz") { "SELECT cm, count(*) AS n FROM \(raw: co) GROUP BY cm" }
    let kept = cte("ckp") { "SELECT cm, k, count(*) AS n FROM \(raw: active) WHERE k >= 1 GROUP BY cm, k" }
    let pivot = cte("cpv") {
      var cols: [SQL] = ["a.cm AS cm", "coalesce(max(s.n), 0) AS size"]
      for j in stride(from: 1, through: width, by: 1) {
        cols.append("coalesce(max(CASE WHEN kp.k = \(raw: String(j)) THEN kp.n END), 0) AS c\(raw: String(j))")
      }
      return """
        SELECT \(cols.joined(", ")) FROM \(raw: months) a LEFT JOIN \(raw: sizes) s ON s.cm = a.cm \
        LEFT JOIN \(raw: kept) kp ON kp.cm = a.cm GROUP BY a.cm
        """
    }
    var cols: [SQL] = ["\(unitLabel(.month, "cm")) AS \(raw: q("cohort"))", "size AS \(raw: q("cohort_size"))"]
    for j in stride(from: 1, through: width, by: 1) {
      let c = "c\(j)"
      // The executor keeps 128 months of activity per customer; later months have no value.
      let cell: SQL = j > 127 ? "NULL"
        : "CASE WHEN cm + \(raw: String(j)) > \(todayMonth) OR size = 0 THEN NULL ELSE \(d.real(SQL(raw: c))) / size END"
      cols.append("\(cell) AS \(raw: q("m\(j)"))")
    }
    return "SELECT \(cols.joined(", ")) FROM \(raw: pivot) ORDER BY \(raw: d.ascending("cm", text: false))"
  }
}
