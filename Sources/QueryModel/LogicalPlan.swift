// The logical plan of a question: a tree of typed operators. Leaves are aggregate blocks
// (scan a fact → filter → aggregate → order / top-N), which the cube runs with its fused
// scans and the SQL compiler turns into one SELECT; the nodes above them combine blocks:
// a named part's share of its whole, or two values of one dimension side by side with
// their difference. `ExplainTree` prints it (text and JSON) for `wenshu explain`.

/// One labelled input of a STACK node (新客: the block restricted to new customers).
public struct StackPart: Hashable, Sendable, Codable {
  public var label: String
  public var plan: LogicalPlan
  public init(label: String, plan: LogicalPlan) {
    self.label = label
    self.plan = plan
  }
}

/// A question's plan as a tree.
public indirect enum LogicalPlan: Hashable, Sendable, Codable {
  /// One aggregate block over one fact.
  case aggregate(Plan)
  /// Each figure of `part` ÷ the same figure of `whole`, row by row (直播渠道的销售额占比).
  case share(part: LogicalPlan, whole: LogicalPlan)
  /// The rows `a` and `b` of `input` (a breakdown by `dimension`) side by side, with a − b
  /// (线上商城的客单价比门店高多少).
  case difference(dimension: DimensionID, a: String, b: String, input: LogicalPlan)
  /// The rows of several blocks one under another, each under its label in a key column `key`
  /// (新老客的销售额: the sales of new customers, then of returning ones; never their overlap).
  case stack(key: String, parts: [StackPart])

  /// The block that carries the question's period, metrics and filters (the leftmost leaf).
  public var main: Plan {
    switch self {
    case .aggregate(let p): return p
    case .share(let part, _): return part.main
    case .difference(_, _, _, let input): return input.main
    case .stack(_, let parts): return parts.first?.plan.main ?? Plan(today: Day(raw: 0))
    }
  }

  /// Every aggregate block, left to right.
  public var blocks: [Plan] {
    switch self {
    case .aggregate(let p): return [p]
    case .share(let a, let b): return a.blocks + b.blocks
    case .difference(_, _, _, let input): return input.blocks
    case .stack(_, let parts): return parts.flatMap(\.plan.blocks)
    }
  }

  /// The same tree with `f` applied to every block (a follow-up's scope, a token's row scope).
  public func mapBlocks(_ f: (Plan) throws -> Plan) rethrows -> LogicalPlan {
    switch self {
    case .aggregate(let p): return .aggregate(try f(p))
    case .share(let a, let b): return .share(part: try a.mapBlocks(f), whole: try b.mapBlocks(f))
    case .difference(let d, let a, let b, let input): return .difference(dimension: d, a: a, b: b, input: try input.mapBlocks(f))
    case .stack(let key, let parts):
      return .stack(key: key, parts: try parts.map { StackPart(label: $0.label, plan: try $0.plan.mapBlocks(f)) })
    }
  }

  /// One line: the block's line, or `share(part ; whole)` / `difference(dim a-b ; block)`.
  public var line: String {
    switch self {
    case .aggregate(let p): return p.description
    case .share(let a, let b): return "share(\(a.line) ; \(b.line))"
    case .difference(let d, let a, let b, let input): return "difference(\(d.rawValue) \(a)-\(b) ; \(input.line))"
    case .stack(let key, let parts): return "stack(\(key) " + parts.map { "\($0.label): \($0.plan.line)" }.joined(separator: " ; ") + ")"
    }
  }
}
