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

  /// The plan narrowed to the scope (alternatives too: those that cannot be scoped are dropped),
  /// or why it cannot be answered within the scope.
  public func apply(_ planned: PlannedQuestion) -> Result<PlannedQuestion, Refusal> {
    guard !isEmpty else { return .success(planned) }
    let zh = planned.language == .zh
    switch apply(planned.plan, zh: zh) {
    case .failure(let r): return .failure(r)
    case .success(let plan):
      var out = planned
      out.plan = plan
      out.interpretation += note(zh: zh)
      out.alternatives = planned.alternatives.compactMap { alt in
        guard case .success(let p) = apply(alt.plan, zh: zh) else { return nil }
        var a = alt
        a.plan = p
        a.interpretation += note(zh: zh)
        a.alternatives = []
        return a
      }
      return .success(out)
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
  ///   feedback, customer counts and customer lists (last order…) span all of a customer's orders.
  func unscopable(_ plan: Plan, zh: Bool) -> String? {
    let segment = plan.groupBy.contains(.segment) || plan.filters.contains { $0.dimension == .segment }
    if plan.metrics.contains(where: \.isModel) || plan.list == .churnRisk || segment {
      return zh ? "您的令牌限定了数据范围，而模型预测与 RFM 分群是按全体客户计算的，无法只在范围内给出。"
        : "Your token is limited to a data scope; model predictions and RFM segments are computed over all customers, so they cannot be answered within it."
    }
    guard restrictsOrders else { return nil }
    let customerLevel: Set<MetricID> = [.customers, .newCustomers, .returningCustomers, .retention]
    let badMetric = plan.metrics.contains { $0.isFeedback || $0.isState || customerLevel.contains($0) }
    // Customer lists show lifetime figures (last order, lifetime spend) of all channels.
    let badList = plan.list != nil
    if badMetric || badList || plan.cohort != nil || plan.groupBy.contains(.topic) || plan.filters.contains(where: { $0.dimension == .topic }) {
      return zh ? "您的令牌按订单渠道限定了数据范围；客户名单、客户状态、新老客、留存、评价和客户总数要看客户的全部订单，无法只在范围内给出。"
        : "Your token's data scope is limited to some order channels; customer lists, customer states, new and returning customers, retention, feedback and customer counts depend on all of a customer's orders, so they cannot be answered within the scope."
    }
    return nil
  }
}
