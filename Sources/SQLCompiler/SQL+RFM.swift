// RFM as of today (semantics.md "RFM"), as the CTE `rfm`: for each customer with an order up
// to today, R (days since the last order), F (orders), M (spend, NULL amounts as 0), the 1–5
// quintile scores (score = 1 + ⌊5 · customers strictly below / customers⌋, R counted from the
// other end, equal values scored equally) and the segment index into `Segment.allCases`,
// from comparing R, F and M with their means.

import QueryModel

extension Compilation {
  /// The CTE `rfm(key, r, f, m, r_score, f_score, m_score, seg)`.
  var rfm: String {
    let u = universe
    return cte("rfm") {
      let t = today
      // Segment index of each (R high, F high, M high), from the segments' own profiles.
      var cases: [SQL] = []
      for code in 0..<8 {
        let s = Segment.of(rHigh: code & 4 != 0, fHigh: code & 2 != 0, mHigh: code & 1 != 0)
        let idx = Segment.allCases.firstIndex(of: s) ?? 7
        cases.append("WHEN \(raw: String(code)) THEN \(raw: String(idx))")
      }
      let profile: SQL = """
        (CASE WHEN r < r_avg THEN 4 ELSE 0 END + CASE WHEN f > f_avg THEN 2 ELSE 0 END + CASE WHEN m > m_avg THEN 1 ELSE 0 END)
        """
      let score: (String, String) -> SQL = { value, order in
        "1 + (5 * (rank() OVER (ORDER BY \(raw: value) \(raw: order)) - 1)) / count(*) OVER ()"
      }
      return """
        SELECT key, r, f, m, \(score("r", "DESC")) AS r_score, \(score("f", "ASC")) AS f_score, \(score("m", "ASC")) AS m_score, \
        CASE \(profile) \(cases.joined(" ")) END AS seg \
        FROM (SELECT key, r, f, m, avg(r) OVER () AS r_avg, avg(f) OVER () AS f_avg, avg(m) OVER () AS m_avg \
        FROM (SELECT key, \(t) - last_day AS r, n_orders AS f, spend AS m FROM \(raw: u) WHERE n_orders > 0) a) b
        """
    }
  }

  /// The segment name (in the question's language) of an index of `Segment.allCases`.
  func segmentLabel(_ index: SQL) -> SQL {
    let arms: [SQL] = Segment.allCases.enumerated().map { i, s in "WHEN \(raw: String(i)) THEN \(constant(s.name(lang)))" }
    return "(CASE \(index) \(arms.joined(" ")) END)"
  }
}
