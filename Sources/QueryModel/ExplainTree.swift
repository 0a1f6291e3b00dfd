// The printable form of a logical plan, as DuckDB's EXPLAIN prints its operators: one node
// per operator (SCAN, FILTER, AGGREGATE, COMPARE, TOP_N, SHARE, DIFFERENCE) with its
// parameters, drawn as an indented tree for `wenshu explain` and as nested JSON objects for
// `wenshu explain --format json`.
//
//     SHARE sales = part ÷ whole
//     ├─ AGGREGATE sales
//     │  └─ FILTER customers: returning (first order before 2026-11-01)
//     │     └─ SCAN orders 2026-11-01..2026-11-22
//     └─ AGGREGATE sales
//        └─ SCAN orders 2026-11-01..2026-11-22

/// One operator of the printed tree.
public struct ExplainNode: Hashable, Sendable {
  public var op: String
  public var details: [String]
  public var children: [ExplainNode]
  public init(_ op: String, _ details: [String] = [], _ children: [ExplainNode] = []) {
    self.op = op
    self.details = details
    self.children = children
  }

  /// The tree drawn with box characters, one operator per line.
  public var text: String {
    var lines: [String] = []
    func walk(_ n: ExplainNode, _ prefix: String, _ childPrefix: String) {
      lines.append(prefix + ([n.op] + n.details).joined(separator: " "))
      for (i, c) in n.children.enumerated() {
        let last = i == n.children.count - 1
        walk(c, childPrefix + (last ? "└─ " : "├─ "), childPrefix + (last ? "   " : "│  "))
      }
    }
    walk(self, "", "")
    return lines.joined(separator: "\n")
  }

  /// `{"operator": …, "details": [...], "children": [...]}`.
  public var json: String {
    func str(_ s: String) -> String {
      var out = "\""
      for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        default:
          if u.value < 0x20 { out += "\\u" + String(repeating: "0", count: 4 - String(u.value, radix: 16).count) + String(u.value, radix: 16) } else { out.unicodeScalars.append(u) }
        }
      }
      return out + "\""
    }
    return "{\"operator\":" + str(op) + ",\"details\":[" + details.map(str).joined(separator: ",") + "],\"children\":["
      + children.map(\.json).joined(separator: ",") + "]}"
  }
}

extension LogicalPlan {
  /// The operator tree of this plan.
  public var explainTree: ExplainNode {
    switch self {
    case .aggregate(let p): return p.explainTree
    case .share(let part, let whole):
      let ms = part.main.metrics.map(\.rawValue).joined(separator: ",")
      var p = part.explainTree, w = whole.explainTree
      p.details.append("[part]")
      w.details.append("[whole]")
      return ExplainNode("SHARE", ["\(ms) = part ÷ whole"], [p, w])
    case .difference(let d, let a, let b, let input):
      return ExplainNode("DIFFERENCE", ["\(d.rawValue): \(a) − \(b)"], [input.explainTree])
    case .stack(let key, let parts):
      return ExplainNode("STACK", ["by \(key)"], parts.map { p in
        var n = p.plan.explainTree
        n.details.append("[\(p.label)]")
        return n
      })
    }
  }
}

extension Plan {
  /// The fact a block scans.
  public var fact: String {
    if metrics.contains(where: \.isFeedback) || filters.contains(where: { $0.dimension == .topic }) { return "feedback" }
    if metrics.allSatisfy({ $0.isState || $0 == .customers }) && !metrics.isEmpty { return "customers" }
    if groupBy.contains(where: \.isItemAttribute) || filters.contains(where: { $0.dimension.isItemAttribute }) { return "order_items" }
    return "orders"
  }

  /// Scan → filter → aggregate → compare → top-N for one block.
  public var explainTree: ExplainNode {
    func scan(_ period: DateRange?) -> ExplainNode {
      ExplainNode("SCAN", [fact] + [period.map { "\($0.start.iso)..\($0.end.iso)" } ?? "..\(today.iso)"])
    }
    func filtered(_ period: DateRange?) -> ExplainNode {
      var preds: [String] = []
      for f in filters { preds.append("\(f.dimension.rawValue) \(f.negated ? "∉" : "∈") {\(f.values.joined(separator: ", "))}") }
      for c in customerPredicates {
        switch c {
        case .kind(let k):
          let when: String
          switch k {
          case .active, .atRisk, .churned: when = "as of \(today.iso)"
          default: when = period.map { "within \($0.start.iso)..\($0.end.iso)" } ?? "up to \(today.iso)"
          }
          preds.append("customer ∈ \(k.rawValue) (\(when))")
        case .age(let lo, let hi): preds.append("customer age \(lo.map { "≥ \($0)" } ?? "")\(lo != nil && hi != nil ? " and " : "")\(hi.map { "≤ \($0)" } ?? "")")
        }
      }
      for o in orderPredicates { preds.append("order \(o)") }
      for c in conditions {
        let v = c.value == c.value.rounded() && abs(c.value) < 1e15 ? String(Int64(c.value)) : String(c.value)
        preds.append("customer's \(c.measure.rawValue) in period \(c.op.rawValue) \(v)")
      }
      let s = scan(period)
      return preds.isEmpty ? s : ExplainNode("FILTER", [preds.joined(separator: " AND ")], [s])
    }
    func aggregate(_ period: DateRange?) -> ExplainNode {
      var d = [metrics.map(\.rawValue).joined(separator: ",")]
      var by = groupBy.map(\.rawValue)
      if let g = timeGrain { by.append(g.rawValue) }
      if !by.isEmpty { d.append("by " + by.joined(separator: ",")) }
      if let l = list { d.append("list \(l.rawValue)") }
      if let c = cohort { d.append("cohorts \(c.cohorts)" + (c.monthsAfter.map { " month +\($0)" } ?? "")) }
      if share { d.append("with share of all groups") }
      return ExplainNode("AGGREGATE", d, [filtered(period)])
    }
    var node = aggregate(period)
    if let c = comparison, let cp = comparisonPeriod {
      node = ExplainNode("COMPARE", ["\(c.rawValue): current − previous, change rate"], [node, aggregate(cp)])
    }
    if let r = ranking {
      node = ExplainNode("TOP_N", ["\(r.limit)", r.descending ? "descending" : "ascending"], [node])
    }
    return node
  }
}
