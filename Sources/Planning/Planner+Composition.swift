// How words combine into a plan tree (semantics.md, "Composition"): several values side by
// side, a named part's share of its whole, the difference between two values, plural
// rankings, and the refusal of customer figures broken down by order-level dimensions.
// Every word that shapes the question lands in the tree; what cannot be combined is refused
// with the words named and a question that can be asked instead.

import QueryModel
import Understanding

extension Planner {
  /// Builds the tree over the planned block: side-by-side values, difference, share.
  func compose(_ r: Reading, _ plan: inout Plan, _ catalog: Catalog) throws -> LogicalPlan {
    // 新老客的销售额 / sales of new and returning customers: one block per kind, stacked.
    if r.customerKinds.count >= 2 {
      guard !r.merge, !r.difference else {
        throw Refusal(say(r, "几类客户放在一起时，只能分别列出各自的数字（例如 上月新老客的销售额）。",
                          "Several kinds of customer can only be listed side by side (sales of new and returning customers last month)."),
                      suggestions: [say(r, "上月新老客的销售额", "sales of new and returning customers last month")])
      }
      var each = plan
      each.share = false
      let parts = r.customerKinds.map { k -> StackPart in
        var p = each
        p.customerPredicates.append(.kind(k))
        return StackPart(label: k.shortName(r.language), plan: .aggregate(p))
      }
      let stack = LogicalPlan.stack(key: "customer_kind", parts: parts)
      guard plan.share else { return stack }
      // 新老客的销售额占比: each kind's share of the figure over all customers.
      var whole = each
      whole.ranking = nil
      return .share(part: stack, whole: .aggregate(whole))
    }
    // A plural "which" ranks every group; "which" alone gives the top one.
    if r.plural, let rk = plan.ranking, rk.limit == 1, !r.rankingExplicit, !plan.groupBy.isEmpty, plan.groupBy != [.customer] {
      plan.ranking = Ranking(limit: Ranking.everyGroup, descending: rk.descending)
    }
    // Several values of one dimension: one row per value, never one merged figure.
    var sideBySide: Filter?
    if !r.merge {
      for f in plan.filters where f.values.count >= 2 && !f.negated && f.dimension != .topic {
        if !plan.groupBy.contains(f.dimension) { plan.groupBy.insert(f.dimension, at: 0) }
        if sideBySide == nil { sideBySide = f }
      }
    }
    if r.difference || (r.compare && sideBySide != nil && plan.comparison == nil) {
      guard let f = sideBySide, f.values.count == 2 else {
        if plan.comparison == .periods { return try shareTree(r, plan) }
        throw Refusal(say(r, "“差多少 / 对比”需要两个值（例如 线上商城的客单价比门店高多少）或两个时间段（本周和上周的销售额对比）。",
                          "A difference needs two values (how much higher is the average order value online than in stores) or two periods (sales this week vs last week)."),
                      suggestions: [say(r, "上个月线上商城的客单价比门店高多少", "sales this week vs last week")])
      }
      guard plan.metrics.count == 1, plan.groupBy == [f.dimension], plan.timeGrain == nil, !r.share else {
        throw Refusal(say(r, "两个值的差只能对一个指标、不再分组时计算。", "A difference between two values is computed for one figure without other groupings."),
                      suggestions: [say(r, "上个月线上商城的客单价比门店高多少", "how much higher was the average order value of 线上商城 than 门店 last month")])
      }
      plan.ranking = nil
      return .difference(dimension: f.dimension, a: f.values[0], b: f.values[1], input: .aggregate(plan))
    }
    return try shareTree(r, plan)
  }

  /// A named part's share of its whole: the part (values, kinds of customer, ages, order
  /// amounts) ÷ the same figure without it, every other filter and the period kept.
  func shareTree(_ r: Reading, _ plan: Plan) throws -> LogicalPlan {
    guard plan.share else { return .aggregate(plan) }
    let kindShare = plan.groupBy.isEmpty && plan.timeGrain == nil && plan.metrics.count == 1
      && plan.metrics[0].customerSet != nil && plan.customerPredicates.isEmpty
    let partFilters = plan.filters.filter { !$0.negated }
    let hasPart = !partFilters.isEmpty || !plan.customerPredicates.isEmpty || !plan.orderPredicates.isEmpty
    if kindShare && partFilters.isEmpty { return .aggregate(plan) }  // 复购客户占比: of the buyers
    guard hasPart else {
      if plan.groupBy.isEmpty && plan.timeGrain == nil {
        throw Refusal(say(r, "占比需要一个部分（例如 直播渠道的销售额占比、老客的销售额占比）或一个分组（各渠道的销售额占比）。",
                          "A share needs a part (the live-stream channel's share of sales, returning customers' share of sales) or a breakdown (share of sales by channel)."),
                      suggestions: [say(r, "今年各渠道的销售额占比", "share of sales by channel this year")])
      }
      return .aggregate(plan)  // each group's share of all groups
    }
    var part = plan
    part.share = false
    var whole = plan
    whole.share = false
    whole.ranking = nil
    whole.filters = plan.filters.filter(\.negated)
    let partDims = Set(partFilters.map(\.dimension))
    whole.groupBy = plan.groupBy.filter { !partDims.contains($0) }
    whole.customerPredicates = []
    whole.orderPredicates = []
    whole.conditions = []
    return .share(part: .aggregate(part), whole: .aggregate(whole))
  }

  /// States, churn, RFM, retention and predictions belong to customers: a breakdown by an
  /// order-level dimension is refused, offering the closest customer attribute.
  func refuseCustomerFiguresByOrderDimensions(_ r: Reading, _ plan: Plan, _ catalog: Catalog) throws {
    let customerLevel = plan.metrics.filter(\.isCustomerLevel)
    let orderDims = plan.groupBy.filter { $0 == .channel || $0.isItemAttribute }
    guard let m = customerLevel.first, let d = orderDims.first else { return }
    let zh = r.language == .zh
    var suggestion: String?
    if d == .channel, catalog.dimensions.contains(.sourceChannel) {
      suggestion = zh ? "各来源渠道的\(m.title(.zh))" : "\(m.title(.en)) by source channel"
    } else if let other = [DimensionID.region, .memberLevel, .sourceChannel].first(where: { catalog.dimensions.contains($0) }) {
      suggestion = zh ? "各\(other.title(.zh))的\(m.title(.zh))" : "\(m.title(.en)) by \(other.title(.en))"
    }
    let offer = suggestion.map { zh ? "可以问：\($0)" : "You could ask: \($0)" } ?? ""
    throw Refusal(
      say(r, "\(m.title(.zh))是客户层面的指标（每位客户截至今天的状态），不能按订单的\(d.title(.zh))拆分：一位客户可能在多个\(d.title(.zh))下过单。\(offer)",
          "\(m.title(.en)) belongs to customers (each customer's state as of today), so it cannot be broken down by the order-level \(d.title(.en)): one customer may order in several. \(offer)"),
      suggestions: suggestion.map { [$0] } ?? examples(r.language))
  }

  /// The interpretation of a whole tree: the main block's, plus what the nodes above add.
  func interpretation(_ r: Reading, _ tree: LogicalPlan, _ expr: TimeExpr?) -> String {
    let zh = r.language == .zh
    switch tree {
    case .aggregate(let p): return interpretation(r, p, expr)
    case .share(let part, let whole):
      let base = interpretation(r, part, expr)
      let m = part.main.metrics.map { $0.title(r.language) }.joined(separator: zh ? "、" : ", ")
      var wholeParts: [String] = []
      for f in whole.main.filters { wholeParts.append(f.values.joined(separator: zh ? "、" : ", ")) }
      let wholeName = wholeParts.isEmpty ? (zh ? "全部" : "all") : wholeParts.joined(separator: " ")
      return base + (zh ? " · 占比 = 该部分的\(m) ÷ \(wholeName)的\(m)（期间与其他条件相同）" : " · share = the part's \(m) ÷ \(wholeName) \(m) (same period and other filters)")
    case .difference(let d, let a, let b, let input):
      let base = interpretation(r, input.main, expr)
      let isRate = input.main.metrics.first?.format == .rate
      return base + (zh ? " · 差值 = \(a) − \(b)（\(d.title(.zh))）" + (isRate ? "，以百分点表示" : "")
        : " · difference = \(a) − \(b) (\(d.title(.en)))" + (isRate ? ", in percentage points" : ""))
    case .stack(_, let parts):
      // The first part's interpretation names its kind; say that each kind has its own row.
      var p = tree.main
      p.customerPredicates.removeAll { if case .kind = $0 { return true }; return false }
      let labels = parts.map(\.label).joined(separator: zh ? "、" : ", ")
      return interpretation(r, p, expr) + (zh ? " · 分别计算：\(labels)（每类客户一行）" : " · each on its own row: \(labels)")
    }
  }
}
