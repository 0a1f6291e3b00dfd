// RFM as of today (semantics.md "RFM"): for each customer with an order up to today, R (days
// since the last order), F (orders), M (spend, NULL amounts as 0), the segment index into
// `Segment.allCases` from comparing R, F and M with their means (CTE `ur`, which plans join),
// and the 1–5 quintile scores, equal values scored equally (CTE `rq`, the RFM table of
// `SQLCompiler.compileRFM`; segments do not depend on scores).

import QueryModel

extension Compilation {
  /// The customers rows joined by key: `u`, or `ur` (u with the RFM columns) when the plan
  /// groups or filters by segment.
  var customerRows: String { needsRFM ? rfm : universe }

  /// The CTE `ur`: every customer of `u` with r (days since the last order), f, m and seg
  /// (the index into `Segment.allCases`), all NULL for customers without an order up to
  /// today. The means come from the one-row CTE `rm`; no window function, so that SQLite
  /// estimates `ur` like `u` and readers find a customer by key through an index.
  var rfm: String {
    let u = universe
    let t = today
    let means = cte("rm") {
      "SELECT avg(\(t) - last_day) AS r_avg, avg(n_orders) AS f_avg, avg(spend) AS m_avg, count(*) AS pop FROM \(raw: u) WHERE n_orders > 0"
    }
    return cte("ur") {
      // Segment index of each (R high, F high, M high), from the segments' own profiles.
      var cases: [SQL] = []
      for code in 0..<8 {
        let s = Segment.of(rHigh: code & 4 != 0, fHigh: code & 2 != 0, mHigh: code & 1 != 0)
        let idx = Segment.allCases.firstIndex(of: s) ?? 7
        cases.append("WHEN \(raw: String(code)) THEN \(raw: String(idx))")
      }
      let r: SQL = "(\(t) - u.last_day)"
      let profile: SQL = """
        (CASE WHEN \(r) < rm.r_avg THEN 4 ELSE 0 END + CASE WHEN u.n_orders > rm.f_avg THEN 2 ELSE 0 END \
        + CASE WHEN u.spend > rm.m_avg THEN 1 ELSE 0 END)
        """
      return """
        SELECT u.*, CASE WHEN u.n_orders > 0 THEN \(r) END AS r, CASE WHEN u.n_orders > 0 THEN u.n_orders END AS f, \
        CASE WHEN u.n_orders > 0 THEN u.spend END AS m, \
        CASE WHEN u.n_orders > 0 THEN CASE \(profile) \(cases.joined(" ")) END END AS seg \
        FROM \(raw: u) u CROSS JOIN \(raw: means) rm
        """
    }
  }

  /// The CTE `rq`: the 1–5 quintile scores of each customer with an order up to today,
  /// score = 1 + ⌊5 · (customers with a strictly smaller value) / customers⌋, for R with a
  /// strictly larger recency (5 = most recent, most frequent, largest spend).
  var rfmScores: String {
    let ur = rfm
    return cte("rq") {
      let score: (String, String) -> SQL = { value, order in
        "1 + \(self.d.intDivision("(5 * (rank() OVER (ORDER BY \(raw: value) \(raw: order)) - 1))", "count(*) OVER ()"))"
      }
      return """
        SELECT key, name, r, f, m, \(score("r", "DESC")) AS r_score, \(score("f", "ASC")) AS f_score, \
        \(score("m", "ASC")) AS m_score, seg FROM \(raw: ur) WHERE seg IS NOT NULL
        """
    }
  }

  /// Every customer with an order up to today: id, [name], R, F, M, the three scores and the
  /// segment name, by id.
  func rfmStatement() -> SQL {
    let rq = rfmScores
    var cols: [SQL] = ["key AS \(raw: q("customer"))"]
    if hasNames { cols.append("name AS \(raw: q("name"))") }
    cols += ["r AS \(raw: q("recency"))", "f AS \(raw: q("frequency"))", "m AS \(raw: q("monetary"))",
             "r_score AS \(raw: q("r_score"))", "f_score AS \(raw: q("f_score"))", "m_score AS \(raw: q("m_score"))",
             "\(segmentLabel("seg")) AS \(raw: q("segment"))"]
    return "SELECT \(cols.joined(", ")) FROM \(raw: rq) ORDER BY \(raw: d.ascending("key", text: !(reader?.integerKeys ?? true)))"
  }

  /// The segment name (in the question's language) of an index of `Segment.allCases`.
  func segmentLabel(_ index: SQL) -> SQL {
    let arms: [SQL] = Segment.allCases.enumerated().map { i, s in "WHEN \(raw: String(i)) THEN \(constant(s.name(lang)))" }
    return "(CASE \(index) \(arms.joined(" ")) END)"
  }
}
