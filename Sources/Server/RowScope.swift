// A token's row scope, ANDed into a plan after understanding: every filter on a scoped
// dimension is narrowed to the scope (an empty intersection refuses), an unfiltered scoped
// dimension gets the scope's filter, and plans whose figures cannot be restricted to the
// scope's rows are refused. No wording can widen it: it is applied per request, to the plan.

import Planning
import QueryModel

public struct RowScope: Sendable {
  public var predicates: [ScopePredicate]

  public init(_ predicates: [ScopePredicate]) { self.predicates = predicates }

  public var isEmpty: Bool { predicates.isEmpty }
  /// Some predicate restricts orders (not customers): customer-level figures are then refused.
  public var restrictsOrders: Bool { predicates.contains { !$0.dimension.isCustomerAttribute } }

  /// The plan narrowed to the scope — every aggregate block of its tree (a share's part and
  /// whole, a difference's input, a stack's parts), and the alternatives too (those that cannot be scoped are
  /// dropped) — or why it cannot be answered within the scope.
  public func apply(_ planned: PlannedQuestion) -> Result<PlannedQuestion, Refusal> {
    guard !isEmpty else { return .success(planned) }
    let zh = planned.language == .zh
    switch apply(planned.tree, zh: zh) {
    case .failure(let r): return .failure(r)
    case .success(let tree):
      var out = planned
      out.tree = tree
      out.interpretation += note(zh: zh)
      out.alternatives = planned.alternatives.compactMap { alt in
        guard case .success(let t) = apply(alt.tree, zh: zh) else { return nil }
        var a = alt
        a.tree = t
        a.interpretation += note(zh: zh)
        a.alternatives = []
        return a
      }
      return .success(out)
    }
  }

  /// The tree with the scope ANDed into every block, or a refusal. A difference of two values
  /// of a scoped dimension needs both within the scope.
  public func apply(_ tree: LogicalPlan, zh: Bool) -> Result<LogicalPlan, Refusal> {
    if let r = outsideDifference(tree, zh: zh) { return .failure(r) }
    do {
      return .success(try tree.mapBlocks { block in
        switch apply(block, zh: zh) {
        case .success(let p): return p
        case .failure(let r): throw r
        }
      })
    } catch let r as Refusal {
      return .failure(r)
    } catch {
      return .failure(Refusal(String(describing: error)))
    }
  }

  func outsideDifference(_ tree: LogicalPlan, zh: Bool) -> Refusal? {
    switch tree {
    case .aggregate: return nil
    case .share(let a, let b): return outsideDifference(a, zh: zh) ?? outsideDifference(b, zh: zh)
    case .stack(_, let parts):
      for part in parts {
        if let r = outsideDifference(part.plan, zh: zh) { return r }
      }
      return nil
    case .difference(let d, let a, let b, let input):
      if let p = predicates.first(where: { $0.dimension == d }) {
        for v in [a, b] where !p.values.contains(v) {
          return Refusal(zh ? "超出数据范围：\(v)不在您可查看的范围内（\(p.description)）。" : "Outside your data scope: \(v) is not within \(p.description).")
        }
      }
      return outsideDifference(input, zh: zh)
    }
  }

  /// What the interpretation says of the scope.
  public func note(zh: Bool) -> String {
    (zh ? " · 数据范围：" : " · scope: ") + predicates.map(\.description).joined(separator: zh ? "，" : ", ")
  }

  /// The plan with the scope ANDed in, or a refusal.
  public func apply(_ input: Plan, zh: Bool) -> Result<Plan, Refusal> {
    var plan = input
    if let why = unscopable(plan, zh: zh) { return .failure(Refusal(why)) }
    for p in predicates {
      let allowed = p.values
      var found = false
      for i in plan.filters.indices where plan.filters[i].dimension == p.dimension {
        found = true
        let f = plan.filters[i]
        let kept = f.negated ? allowed.filter { !f.values.contains($0) } : f.values.filter { allowed.contains($0) }
        if kept.isEmpty {
          let asked = f.values.joined(separator: zh ? "、" : ", ")
          return .failure(Refusal(zh
            ? "超出数据范围：\(f.negated ? "除" : "")\(asked)\(f.negated ? "以外" : "")不在您可查看的范围内（\(p.description)）。"
            : "Outside your data scope: \(f.negated ? "all but " : "")\(asked) is not within \(p.description)."))
        }
        plan.filters[i] = Filter(p.dimension, kept, negated: false)
      }
      if !found { plan.filters.append(Filter(p.dimension, allowed, negated: false)) }
    }
    return .success(plan)
  }

  /// Why a plan's figures cannot be restricted to the scope's rows (nil: they can).
  /// - RFM segments and the fitted BG/NBD models are relative to the whole customer base.
  /// - With an order-level predicate (channel), customer states, first purchases, cohorts,
  ///   feedback, customer counts, customer lists (last order…) and kinds of customers (老客)
  ///   span all of a customer's orders.
  func unscopable(_ plan: Plan, zh: Bool) -> String? {
    let segment = plan.groupBy.contains(.segment) || plan.filters.contains { $0.dimension == .segment }
    let figures = plan.metrics.flatMap { [$0] + ($0.formula?.formula.metrics ?? []) }
    if figures.contains(where: \.isModel) || plan.list == .churnRisk || segment {
      return zh ? "您的令牌限定了数据范围，而模型预测与 RFM 分群是按全体客户计算的，无法只在范围内给出。"
        : "Your token is limited to a data scope; model predictions and RFM segments are computed over all customers, so they cannot be answered within it."
    }
    guard restrictsOrders else { return nil }
    let customerLevel: Set<MetricID> = [.customers, .newCustomers, .returningCustomers, .retention]
    // (Catalog metrics are formulas over built-in figures: those count too.)
    let badMetric = figures.contains { $0.isFeedback || $0.isState || $0.isCustomerLevel || customerLevel.contains($0) }
    // Customer lists show lifetime figures (last order, lifetime spend) of all channels; kinds
    // of customers (老客, 新客, 流失客户) are decided on all of a customer's orders.
    let badList = plan.list != nil
    let badPredicate = plan.customerPredicates.contains { if case .kind = $0 { return true } else { return false } }
    if badMetric || badList || badPredicate || plan.cohort != nil || plan.groupBy.contains(.topic)
      || plan.filters.contains(where: { $0.dimension == .topic }) {
      return zh ? "您的令牌按订单渠道限定了数据范围；客户名单、客户状态、新老客、留存、评价和客户总数要看客户的全部订单，无法只在范围内给出。"
        : "Your token's data scope is limited to some order channels; customer lists, customer states, new and returning customers, retention, feedback and customer counts depend on all of a customer's orders, so they cannot be answered within the scope."
    }
    return nil
  }
}
