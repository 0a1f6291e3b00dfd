// The natural order of dimension values (age bands young to old, member levels entry to top),
// read from `setting order DIMENSION: v1 | v2 | …` lines of grammars/config/order.rules, and
// the re-sort of a breakdown's rows by it. Execution sorts group keys as text; this is applied
// after, at the Engine, so that the order is data (grammars/) and not code.

import Grammar
import QueryModel

/// Declared orders of dimension values.
///
///     setting order age_band: <25 | 25–34 | 35–44 | 45–54 | ≥55
///
/// makes 各年龄段的客户数 list <25 first and ≥55 last.
public struct DimensionOrder: Sendable {
  /// For each dimension, the rank of each declared value (compared case-insensitively).
  public private(set) var ranks: [DimensionID: [String: Int]] = [:]

  public init(ranks: [DimensionID: [String: Int]] = [:]) { self.ranks = ranks }

  /// Reads the `setting order …` rules of a grammar.
  ///
  /// - Throws: `GrammarError` at the rule for an unknown dimension or a missing one.
  public init(grammar: GrammarSet) throws {
    for r in grammar.rules where r.kind == "setting" && r.id == "order" {
      guard let name = r.args.first, let d = DimensionID(rawValue: name) else {
        throw GrammarError(r.location, "an order is `setting order DIMENSION: value | value …` with a known dimension (region, member_level, age_band, …)")
      }
      var ranks = self.ranks[d] ?? [:]
      for p in r.phrases where ranks[p.lowercased()] == nil { ranks[p.lowercased()] = ranks.count }
      self.ranks[d] = ranks
    }
  }

  /// Re-sorts rows by the declared order of their key columns, when the rows are ordered by
  /// key (not a ranking, not a list) and some key has a declared order; key columns without
  /// one keep comparing as Execution compares them (unknown first, numbers, then text).
  ///
  /// - Complexity: O(n log n) for n rows; nothing when no key column has a declared order.
  public func sort(_ t: inout ResultTable, plan: Plan) {
    guard plan.ranking == nil, t.shape != .list, t.shape != .ranking, t.rows.count > 1 else { return }
    let keys = t.columns.indices.filter { t.columns[$0].isKey }
    let declared = keys.map { j in DimensionID(rawValue: t.columns[j].id).flatMap { ranks[$0] } }
    guard declared.contains(where: { $0 != nil }) else { return }
    func less(_ a: [Value], _ b: [Value]) -> Bool {
      for (n, j) in keys.enumerated() {
        let x = j < a.count ? a[j] : .null, y = j < b.count ? b[j] : .null
        if x == y { continue }
        if let order = declared[n] {
          let rx = rank(x, order), ry = rank(y, order)
          if rx != ry { return rx < ry }
        }
        return DimensionOrder.valueLess(x, y)
      }
      return false
    }
    // Rows carry their partial marks with them.
    let partial = Set(t.partialRows)
    let sorted = t.rows.indices.sorted { i, k in
      less(t.rows[i], t.rows[k]) || (!less(t.rows[k], t.rows[i]) && i < k)
    }
    t.rows = sorted.map { t.rows[$0] }
    t.partialRows = sorted.indices.filter { partial.contains(sorted[$0]) }
  }

  /// Unknown first (-1), declared values by rank, others after them all.
  private func rank(_ v: Value, _ order: [String: Int]) -> Int {
    guard case .string(let s) = v else { return v.isNull ? -1 : Int.max }
    return order[s.lowercased()] ?? Int.max
  }

  /// Execution's key order: NULL first, numbers before text, text by code points.
  static func valueLess(_ a: Value, _ b: Value) -> Bool {
    switch (a, b) {
    case (.null, .null): return false
    case (.null, _): return true
    case (_, .null): return false
    case (.string(let x), .string(let y)): return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars)
    case (.string, _): return false
    case (_, .string): return true
    default: return (a.doubleValue ?? 0) < (b.doubleValue ?? 0)
    }
  }
}
