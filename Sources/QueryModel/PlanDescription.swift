// The one-line printable form of a plan: used by corpora, golden tests and `explain`.
//
//     metric=repeat_purchase_rate period=2026-10-01..2026-10-31 filter=region:华东 by=region grain=month

extension Plan: CustomStringConvertible {
  public var description: String {
    var parts: [String] = []
    if !metrics.isEmpty { parts.append("metric=" + metrics.map(\.rawValue).joined(separator: ",")) }
    if let p = period { parts.append("period=\(p)") }
    for f in filters { parts.append("filter=\(f.dimension.rawValue)\(f.negated ? "!" : ""):" + f.values.joined(separator: ",")) }
    if !groupBy.isEmpty { parts.append("by=" + groupBy.map(\.rawValue).joined(separator: ",")) }
    if let g = timeGrain { parts.append("grain=\(g.rawValue)") }
    if let r = ranking { parts.append("\(r.descending ? "top" : "bottom")=\(r.limit >= Ranking.everyGroup ? "all" : String(r.limit))") }
    if let l = list { parts.append("list=\(l.rawValue)") }
    for c in conditions {
      let v = c.value == c.value.rounded() && abs(c.value) < 1e15 ? String(Int64(c.value)) : String(c.value)
      parts.append("cond=\(c.measure.rawValue)\(c.op.rawValue)\(v)")
    }
    for c in customerPredicates { parts.append("customers=\(c)") }
    for o in orderPredicates { parts.append("order=\(o)") }
    if let c = comparison { parts.append("compare=\(c.rawValue)") }
    if let cp = comparisonPeriod { parts.append("against=\(cp)") }
    if share { parts.append("share") }
    if let h = horizonDays { parts.append("horizon=\(h)") }
    if let c = cohort { parts.append("cohort=\(c.cohorts)" + (c.monthsAfter.map { "+\($0)" } ?? "")) }
    if let a = analysis { parts.append(a.description) }
    return parts.joined(separator: " ")
  }
}
