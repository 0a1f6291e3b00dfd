// Reading + today + catalog → typed plan, with the interpretation that says how the question
// was understood, or a refusal that says what was not understood and what could be asked.

import Grammar
import QueryModel
import Understanding

/// A planned question: the plan and how it was understood.
public struct PlannedQuestion: Sendable {
  /// The question's operator tree (see `LogicalPlan`).
  public var tree: LogicalPlan
  /// The main aggregate block of the tree (its period, metrics and filters).
  public var plan: Plan {
    get { tree.main }
    set { tree = .aggregate(newValue) }
  }
  public var language: Language
  public var interpretation: String
  /// Words that were not understood but did not change the meaning (reported, not dropped).
  public var ignored: [String]
  public var chart: String?
  /// Other readings that scored close (门店: the order channel or the source channel), best first.
  public var alternatives: [PlannedQuestion] = []

  public init(plan: Plan, language: Language, interpretation: String, ignored: [String], chart: String?) {
    tree = .aggregate(plan)
    self.language = language
    self.interpretation = interpretation
    self.ignored = ignored
    self.chart = chart
  }
}

public struct Planner: Sendable {
  public var thresholds: Thresholds

  /// (Refusals' "did you mean" questions are written by the façade, which can re-read them.)
  public init(thresholds: Thresholds) {
    self.thresholds = thresholds
  }

  /// Thresholds from grammar settings (semantics.md defaults where absent).
  public static func thresholds(_ g: GrammarSet) throws -> Thresholds {
    var t = Thresholds()
    func int(_ k: String) throws -> Int? {
      guard let s = g.setting(k) else { return nil }
      guard let v = Int(s), v > 0 else {
        let loc = g.rules.last { $0.kind == "setting" && $0.id == k }?.location ?? SourceLocation(file: "settings", line: 0)
        throw GrammarError(loc, "setting \(k) must be a positive whole number, found “\(s)”")
      }
      return v
    }
    if let v = try int("active_days") { t.activeDays = v }
    if let v = try int("churn_days") { t.churnDays = v }
    if let v = try int("high_repurchase_orders") { t.highRepurchaseOrders = v }
    if let v = try int("negative_score_max") { t.negativeScoreMax = Double(v) }
    if t.churnDays <= t.activeDays {
      throw GrammarError(SourceLocation(file: "config/settings.rules", line: 0), "churn_days must be larger than active_days")
    }
    return t
  }

  func say(_ r: Reading, _ zh: String, _ en: String) -> String { r.language == .zh ? zh : en }

  /// Plans the best reading of a question and lists the close alternatives.
  ///
  /// A value that belongs to several dimensions (门店 is an order channel and a source
  /// channel) is read in the dimension the question names; when it names none, the order
  /// channel (or the first) wins and each other dimension becomes an alternative.
  public func plan(_ r: Reading, today: Day, catalog: Catalog) throws -> PlannedQuestion {
    var best = try planOne(r, today: today, catalog: catalog)
    // Every understood word shapes the tree, or the question is refused (never answered as
    // if the word were absent).
    let unused = WordUse.unused(r, best.tree)
    if !unused.isEmpty {
      let words = unused.map { "“\($0)”" }.joined(separator: r.language == .zh ? "、" : ", ")
      throw Refusal(say(r, "无法把 \(words) 和问题的其他部分组合起来：不用它们作答就是回答另一个问题，所以没有作答。",
                        "Could not combine \(words) with the rest of the question: answering without them would answer a different question, so no answer was given."),
                    suggestions: examples(r.language), uncombined: unused)
    }
    for (i, group) in r.values.enumerated() where group.count > 1 {
      let named = group.contains { r.namedDimensions.contains($0.0) || r.groupBy.contains($0.0) }
      if named { continue }
      let chosen = best.plan.filters.first { f in group.contains { $0.0 == f.dimension && f.values.contains($0.1) } }?.dimension
      for candidate in group where candidate.0 != chosen && catalog.dimensions.contains(candidate.0) {
        var alt = r
        alt.values[i] = [candidate]
        if let p = try? planOne(alt, today: today, catalog: catalog) { best.alternatives.append(p) }
      }
      break
    }
    return best
  }

  func planOne(_ r: Reading, today: Day, catalog: Catalog) throws -> PlannedQuestion {
    var plan = Plan(today: today)
    plan.thresholds = thresholds
    let zh = r.language == .zh

    // Words not understood: short leftovers are reported; longer ones refuse the question.
    // Any Chinese character, any digit, or an English word of two letters or more could carry
    // meaning; only stray punctuation and single letters are ignored (and reported).
    let significant = r.unknown.filter { w in
      let scalars = w.unicodeScalars
      if scalars.contains(where: { $0.value >= 0x2E80 || ($0.value >= 0x30 && $0.value <= 0x39) }) { return true }
      return scalars.filter { $0.properties.isAlphabetic }.count >= 2
    }
    if !r.negations.isEmpty {
      let words = r.negations.map { "“\($0)”" }.joined(separator: zh ? "、" : ", ")
      throw Refusal(say(r, "Wenshu 还不回答否定的问题（\(words)）。想找很久没有下单的客户，可以问流失客户或有流失风险的客户。",
                        "Wenshu does not answer questions about what did not happen (\(words)) yet. For customers who stopped ordering, ask about churned or at-risk customers."),
                    suggestions: [say(r, "流失客户有哪些", "list churned customers"), say(r, "有流失风险的客户有哪些", "which customers are at risk of churning")])
    }
    if r.analysis.ask != nil || r.analysis.hasOptions { return try planAnalysis(r, today: today, catalog: catalog, significant: significant) }
    if !r.unsupported.isEmpty {
      let words = r.unsupported.map { "“\($0)”" }.joined(separator: zh ? "、" : ", ")
      throw Refusal(say(r, "Wenshu 不计算 \(words)：可以问销售额、订单数、客单价、复购率、新客、流失、RFM、留存、NPS 等指标。",
                        "Wenshu does not compute \(words); it answers sales, orders, average order value, repeat purchase, new customers, churn, RFM, retention, NPS and related figures."),
                    suggestions: examples(r.language))
    }
    var metrics = r.metrics
    // 最好的客户 / 大客户 / best customers, 最好的品类 / best category: ranked by sales
    // (semantics.md "Superlatives without a figure"); a measure word ranks by its figure.
    let rankedThings = r.groupBy.contains(.customer) || r.mentionsCustomer && !r.which
      || r.groupBy.contains { $0 != .customer && $0 != .topic && $0 != .segment }
    if metrics.isEmpty, r.ranking != nil, rankedThings, r.conditions.isEmpty, !r.wantsList, r.segments.isEmpty, r.topics.isEmpty,
      r.measures.isEmpty, !r.predict, r.horizonDays == nil {
      metrics = [.sales]
    }
    // 会员等级分布 / RFM segments: a grouping with no figure counts customers (buyers in a period).
    if metrics.isEmpty, r.segments.isEmpty, r.topics.isEmpty, !r.wantsList, !r.predict, r.conditions.isEmpty, !r.bestSelling,
      !r.groupBy.isEmpty, r.groupBy.allSatisfy({ $0.isCustomerAttribute && $0 != .customer }) {
      metrics = [r.times.isEmpty ? .customers : .buyers]
    }
    let hasIntent = !metrics.isEmpty || r.bestSelling || r.predict || !r.segments.isEmpty || r.mentionsCustomer && (r.wantsList || r.wantsCount || r.ranking != nil || !r.groupBy.isEmpty)
      || !r.topics.isEmpty || r.groupBy.contains(.topic) || !r.conditions.isEmpty && (r.mentionsCustomer || r.wantsList)
      || !r.customerKinds.isEmpty
    if !significant.isEmpty {
      let words = significant.map { "“\($0)”" }.joined(separator: zh ? "、" : ", ")
      let msg = hasIntent
        ? say(r, "没有理解 \(words)，去掉它会改变问题的意思，所以没有作答。", "Did not understand \(words); answering without it would change the question, so no answer was given.")
        : say(r, "没有理解这个问题：\(words) 不是已知的指标、维度或数据中的值。", "Did not understand the question: \(words) is not a known metric, dimension or value in the data.")
      throw Refusal(msg, suggestions: examples(r.language), words: significant)
    }
    guard hasIntent else {
      throw Refusal(say(r, "没有识别出要计算的指标（例如 销售额、订单数、复购率、新客、流失率、NPS）。", "No metric was recognised (for example sales, orders, repeat purchase rate, new customers, churn rate, NPS)."),
                    suggestions: examples(r.language))
    }

    if r.conditions.contains(where: { !$0.value.isFinite }) {
      throw Refusal(say(r, "条件里的数字太大，无法比较。", "A number in the condition is too large to compare."))
    }

    // Time.
    var mainExpr: TimeExpr?
    var plain: [TimeExpr] = []
    for e in r.times {
      if case .sameTimeLastYear = e {
        plan.comparison = .yearOverYear
        continue
      }
      plain.append(e)
    }
    var resolved: [(TimeExpr, DateRange)] = []
    for e in plain {
      guard let range = TimeResolution.resolve(e, today: today) else {
        throw Refusal(say(r, "这个日期不存在或无法解析。", "That date does not exist or could not be resolved."))
      }
      resolved.append((e, range))
    }
    if resolved.count > 2 {
      throw Refusal(say(r, "问题里有 \(resolved.count) 个时间段，一次只能对比两个。", "The question names \(resolved.count) periods; two can be compared at a time."),
                    suggestions: [say(r, "本月和上月的销售额对比", "sales this month vs last month")])
    }
    if resolved.count == 2 {
      // Two periods named (本周和上周对比, 2025年和2026年的销售额): both figures, the later
      // against the earlier, each period as named (semantics.md "Explicit comparisons").
      let (a, b) = resolved[0].1.start >= resolved[1].1.start ? (resolved[0], resolved[1]) : (resolved[1], resolved[0])
      if a.1 == b.1 {
        throw Refusal(say(r, "两个时间段是同一段（\(a.1.start.iso) 至 \(a.1.end.iso)），没有可对比的。", "Both periods are the same (\(a.1.start.iso) to \(a.1.end.iso)); there is nothing to compare."))
      }
      mainExpr = a.0
      plan.period = a.1
      plan.comparison = .periods
      plan.comparisonPeriod = b.1
    } else if let (e, range) = resolved.first {
      mainExpr = e
      plan.period = range
    }
    if let c = r.comparison, plan.comparison != .periods { plan.comparison = c }
    if r.growth && plan.comparison == nil { plan.comparison = .previousPeriod }
    // 对比 / vs with one period and nothing else to compare: 销售额和上月比, sales vs last month
    // compare the current unit with the one named; 本月销售额对比 compares with the previous period.
    if r.compare && plan.comparison == nil && !r.difference && r.values.count < 2 && r.groupBy.isEmpty && r.grain == nil
      && r.customerKinds.count < 2 {
      if let e = mainExpr, case .unitOffset(let u, let back) = e, back >= 1, let cur = TimeResolution.resolve(.unitOffset(u, back: 0), today: today) {
        plan.comparisonPeriod = plan.period
        plan.period = cur
        mainExpr = .unitOffset(u, back: 0)
        plan.comparison = .periods
      } else {
        plan.comparison = .previousPeriod
      }
    }
    // Kinds of customer, ages and order amounts restrict every figure (semantics.md "Composition").
    // Several kinds (新老客) are stacked by `compose`, one block each; one kind restricts the block.
    plan.customerPredicates = (r.customerKinds.count == 1 ? [.kind(r.customerKinds[0])] : []) + r.ages.map { .age(min: $0.min, max: $0.max) }
    if !r.ages.isEmpty && !catalog.dimensions.contains(.ageBand) {
      throw missing(r, .ageBand, catalog)
    }
    if !r.orderConditions.isEmpty {
      // 金额超过1000的客户: with customers and no order figure, the amount is the customer's spend.
      let orderFigure = metrics.contains { [.orders, .sales, .aov, .units].contains($0) || $0.formula != nil }
      if r.mentionsCustomer && !orderFigure {
        plan.conditions += r.orderConditions.map { CustomerCondition(.spend, $0.op, $0.amount) }
      } else {
        plan.orderPredicates = r.orderConditions
      }
    }

    // Metrics: retention questions are cohorts; first-purchase words then name the cohort.
    if metrics.contains(.retention) || (r.cohort && r.monthsAfter != nil) {
      let range = plan.period ?? catalog.dataRange.map { DateRange($0.start, min($0.end, today)) } ?? DateRange(today, today)
      plan.cohort = CohortSpec(cohorts: range, monthsAfter: r.monthsAfter)
      // 首购客户的留存: a cohort is made of first-purchase customers already.
      plan.customerPredicates.removeAll { $0 == .kind(.new) }
      plan.metrics = [.retention]
      plan.period = range
      try applyFilters(r, &plan, catalog)
      return PlannedQuestion(plan: plan, language: r.language, interpretation: interpretation(r, plan, mainExpr), ignored: r.unknown, chart: r.chart)
    }
    if metrics.isEmpty && !r.topics.isEmpty { metrics = [.negativeFeedback] }
    // "top complaints": the topics of negative feedback, ranked.
    if metrics == [.negativeFeedback], r.ranking != nil, r.groupBy.isEmpty, r.topics.isEmpty, !r.mentionsCustomer {
      plan.groupBy = [.topic]
    }
    // 预计下个月的购买次数: a prediction of orders is the model's expected purchases, of money its CLV.
    if r.predict || (r.horizonDays != nil && !metrics.contains(where: \.isModel)) {
      metrics = metrics.map { m -> MetricID in
        switch m {
        case .orders, .buyers: return .predictedPurchases
        case .sales, .spendPerBuyer, .aov: return .clv
        case .churnedCustomers, .churnRate, .atRiskCustomers: return .churnProbability
        case .activeCustomers: return .pAlive
        default: return m
        }
      }
      if metrics.isEmpty { metrics = [.predictedPurchases] }
    }
    // Model figures look ahead from today; a period would not apply.
    if metrics.contains(where: \.isModel) {
      plan.horizonDays = r.horizonDays
      plan.period = nil
      plan.comparison = nil
      if metrics.contains(.churnProbability) && (r.wantsList || r.which || r.mentionsCustomer || r.groupBy.contains(.customer)) {
        plan.list = .churnRisk
        plan.metrics = [.churnProbability]
        plan.ranking = Ranking(limit: r.rankingExplicit ? (r.ranking?.limit ?? 20) : 20, descending: true)
        try applyFilters(r, &plan, catalog)
        return PlannedQuestion(plan: plan, language: r.language, interpretation: interpretation(r, plan, nil), ignored: r.unknown, chart: r.chart)
      }
    }
    if metrics.isEmpty && r.bestSelling { metrics = [.sales] }
    // 消费前5名的客户: a ranking by a measure word ranks by that figure.
    if metrics.isEmpty, r.ranking != nil, let m = r.measures.last, r.conditions.isEmpty { metrics = [m == .spend || m == .amount ? .sales : .orders] }


    // Lists of customers: 有哪些 / list / which customers.
    let setMetric = metrics.first { $0.customerSet != nil }
    // 下单至少3次的客户 / customers with at least 3 orders: the customers meeting the condition.
    // ("customers who ordered" names the customers, "下单客户数" counts them).
    let buyersAsNoun = metrics == [.buyers] && r.metricTokens.contains { t in
      t.metric == .buyers && !["数", "number", "count", "how many"].contains { r.tokens[t.index].text.contains($0) }
    }
    let conditionList = (r.mentionsCustomer || buyersAsNoun) && !r.conditions.isEmpty && (metrics.isEmpty || buyersAsNoun)
      && !r.wantsCount && r.ranking == nil && !r.share
    if conditionList && buyersAsNoun { metrics = [] }
    // 逾期未复购的客户 / overdue customers alone: the customers of that kind.
    let kindList = metrics.isEmpty && r.customerKinds.count == 1 && !r.wantsCount && r.ranking == nil && !r.share
    let listing = (r.wantsList || (r.which && r.mentionsCustomer) || conditionList || kindList) && !r.groupBy.contains(where: { $0 != .customer })
      && (setMetric != nil || !r.segments.isEmpty || !r.conditions.isEmpty || r.mentionsCustomer)
    if listing && !(r.ranking != nil && metrics.contains(where: { $0.customerSet == nil })) {
      plan.list = setMetric?.customerSet ?? (r.customerKinds.count == 1 ? r.customerKinds[0] : nil) ?? (r.conditions.isEmpty ? .all : .buyers)
      if let l = plan.list { plan.customerPredicates.removeAll { $0 == .kind(l) } }  // the list is that kind already
      if plan.list == .all && plan.period != nil { plan.list = .buyers }
      plan.metrics = setMetric.map { [$0] } ?? []
      plan.conditions = r.conditions + plan.conditions
      if let rk = r.ranking { plan.ranking = Ranking(limit: rk.limit ?? 10, descending: rk.descending) }
      try applyFilters(r, &plan, catalog)
      return PlannedQuestion(plan: plan, language: r.language, interpretation: interpretation(r, plan, mainExpr), ignored: r.unknown, chart: r.chart)
    }

    if metrics.isEmpty {
      if r.groupBy.contains(.topic) {
        metrics = [.negativeFeedback]  // 差评原因: complaints by topic
      } else {
        // 重要价值客户有多少 / how many customers spent more than 1000
        metrics = r.conditions.isEmpty ? [.customers] : [.buyers]
      }
    }
    // A customer count with conditions counts buyers who meet them.
    if !r.conditions.isEmpty && metrics == [.customers] { metrics = [.buyers] }
    plan.metrics = metrics
    plan.conditions = r.conditions + plan.conditions
    plan.share = r.share

    // Groupings.
    var groupBy = r.groupBy.filter { !r.namedDimensions.contains($0) || r.groupBy.filter({ $0 == $0 }).count > 1 }
    if r.ranking != nil && groupBy.isEmpty && r.mentionsCustomer { groupBy = [.customer] }
    if groupBy.contains(.customer) && r.ranking == nil && !r.which {
      // "客户" alone is no grouping unless ranked.
      groupBy.removeAll { $0 == .customer }
    }
    // 客户都在抱怨什么: the topics, not each customer.
    if groupBy.contains(.topic) { groupBy.removeAll { $0 == .customer } }
    // The topic of feedback is only a grouping for feedback figures.
    if groupBy.contains(.topic) && !metrics.contains(where: \.isFeedback) { plan.metrics = [.negativeFeedback] }
    plan.groupBy = plan.groupBy.isEmpty ? groupBy : plan.groupBy
    if let g = r.grain { plan.timeGrain = g }
    if r.trend && plan.timeGrain == nil {
      plan.timeGrain = (plan.period?.dayCount ?? 999) <= 31 ? .day : .month
    }
    if let rk = r.ranking, !groupBy.isEmpty || plan.timeGrain != nil {
      // 价值最高的客户: an implied size lists ten customers; 哪个 / 最高的地区 gives the one top group.
      let implied = groupBy == [.customer] && !r.which ? 10 : (rk.limit ?? 10)
      plan.ranking = Ranking(limit: r.rankingExplicit ? (rk.limit ?? 10) : (rk.limit == nil ? 10 : implied), descending: rk.descending)
    }
    if plan.ranking == nil, r.ranking != nil, groupBy.isEmpty, plan.timeGrain == nil {
      // "最高" with nothing to rank: the figure itself.
    }

    // Comparison periods. With no period: the last whole unit the comparison names
    // (week over week: last week; otherwise last month), or this year to date for 同比.
    if let c = plan.comparison {
      if plan.period == nil {
        let unit = r.compareUnit ?? .month
        let expr: TimeExpr = c == .yearOverYear && r.compareUnit == nil ? .unitOffset(.year, back: 0) : .unitOffset(unit, back: 1)
        plan.period = TimeResolution.resolve(expr, today: today)
        mainExpr = expr
      }
      let base = plan.period ?? DateRange(today.adding(days: -29), today)
      if plan.period == nil { plan.period = base }
      switch c {
      case .yearOverYear: plan.comparisonPeriod = TimeResolution.yearEarlier(of: mainExpr, range: base)
      case .previousPeriod:
        plan.comparisonPeriod = mainExpr.map { TimeResolution.previousPeriod(of: $0, range: base, today: today) }
          ?? DateRange(base.start - base.dayCount, base.start - 1)
      case .periods: break  // both periods were named (set above)
      }
    }

    // What the data has.
    for d in plan.groupBy where !catalog.dimensions.contains(d) {
      throw missing(r, d, catalog)
    }
    if plan.metrics.contains(where: \.isFeedback) && !catalog.hasFeedback {
      throw Refusal(say(r, "这份数据没有评价（反馈）表，无法回答 NPS、满意度或差评的问题。可以问销售额、订单数、复购率、新客、流失客户等。",
                        "This data has no feedback table, so NPS, satisfaction and complaints cannot be answered. Ask about sales, orders, repeat purchase, new or churned customers instead."),
                    suggestions: examples(r.language))
    }
    try applyFilters(r, &plan, catalog)
    try refuseCustomerFiguresByOrderDimensions(r, plan, catalog)
    let tree = try compose(r, &plan, catalog)
    var planned = PlannedQuestion(plan: plan, language: r.language, interpretation: interpretation(r, plan, mainExpr), ignored: r.unknown, chart: r.chart)
    planned.tree = tree
    planned.interpretation = interpretation(r, tree, mainExpr)
    return planned
  }

  func missing(_ r: Reading, _ d: DimensionID, _ catalog: Catalog) -> Refusal {
    let have = catalog.dimensions.subtracting([.customer, .segment, .topic]).map { $0.title(r.language) }.sorted()
    let haveText = have.isEmpty ? say(r, "（没有可分组的属性）", "(no attributes to group by)") : have.joined(separator: r.language == .zh ? "、" : ", ")
    return Refusal(say(r, "这份数据没有\(d.title(.zh))信息，无法按\(d.title(.zh))回答。可以按这些维度分析：\(haveText)，或按时间（按月、按周）。",
                       "This data has no \(d.title(.en)), so the question cannot be answered by \(d.title(.en)). You can ask by: \(haveText), or over time (by month, by week)."),
                   suggestions: examples(r.language))
  }

  /// Filter values (华东, 金卡, 门店 …) and RFM segments and feedback topics.
  func applyFilters(_ r: Reading, _ plan: inout Plan, _ catalog: Catalog) throws {
    var byDim: [DimensionID: [String]] = [:]
    var order: [DimensionID] = []
    for candidates in r.values {
      let dims = candidates.map(\.0)
      // Prefer a dimension the question names (来源渠道为门店), else the order channel, else the first.
      let chosen = candidates.first { r.namedDimensions.contains($0.0) || r.groupBy.contains($0.0) }
        ?? candidates.first { $0.0 == .channel } ?? candidates[0]
      _ = dims
      if !catalog.dimensions.contains(chosen.0) { throw missing(r, chosen.0, catalog) }
      if byDim[chosen.0] == nil { order.append(chosen.0) }
      if !(byDim[chosen.0]?.contains(chosen.1) ?? false) { byDim[chosen.0, default: []].append(chosen.1) }
    }
    for d in order { plan.filters.append(Filter(d, byDim[d] ?? [])) }
    // A value filter on a dimension also named for grouping: keep the filter, drop the grouping.
    plan.groupBy.removeAll { d in byDim[d] != nil }
    if !r.segments.isEmpty { plan.filters.append(Filter(.segment, r.segments)) }
    if !r.topics.isEmpty {
      guard catalog.hasFeedback else {
        throw Refusal(say(r, "这份数据没有评价（反馈）表。", "This data has no feedback table."))
      }
      plan.filters.append(Filter(.topic, r.topics))
    }
  }

  // MARK: - Saying what was understood

  func interpretation(_ r: Reading, _ plan: Plan, _ expr: TimeExpr?) -> String {
    let lang = r.language
    let zh = lang == .zh
    var parts: [String] = []
    if let p = plan.period {
      let name = expr.map { TimeResolution.describe($0, lang) } ?? (zh ? "期间" : "period")
      parts.append(zh ? "\(name)（\(p.start.iso) 至 \(p.end.iso)）" : "\(name) (\(p.start.iso) to \(p.end.iso))")
    } else if plan.metrics.contains(where: \.isModel) {
      let h = plan.horizonDays ?? 365
      parts.append(zh ? "基于截至 \(plan.today.iso) 的订单拟合模型，预测未来 \(h) 天" : "model fitted on orders up to \(plan.today.iso), looking \(h) days ahead")
    } else if plan.metrics.contains(where: \.isState) || plan.list == .active || plan.list == .atRisk || plan.list == .churned {
      parts.append(zh ? "截至 \(plan.today.iso)" : "as of \(plan.today.iso)")
    } else {
      parts.append(zh ? "全部数据（截至 \(plan.today.iso)）" : "all data up to \(plan.today.iso)")
    }
    for f in plan.filters {
      let vals = f.values.map { v in
        f.dimension == .segment ? (Segment(rawValue: v)?.name(lang) ?? v) : v
      }.joined(separator: zh ? "、" : ", ")
      parts.append(zh ? "\(f.dimension.title(lang))：\(vals)" : "\(f.dimension.title(lang)): \(vals)")
    }
    if let cohort = plan.cohort {
      let what = cohort.monthsAfter.map { zh ? "首购后第 \($0) 个月留存率" : "month-\($0) retention" } ?? (zh ? "首购月留存矩阵" : "cohort retention by month")
      parts.append("\(what) = \(MetricID.retention.definition(lang, plan.thresholds))")
    } else if let set = plan.list {
      parts.append(zh ? "列出客户：\(setName(set, lang))" : "list of customers: \(setName(set, lang))")
      if let m = plan.metrics.first { parts.append("\(m.title(lang)) = \(m.definition(lang, plan.thresholds))") }
    } else {
      let itemBased = plan.groupBy.contains(where: \.isItemAttribute) || plan.filters.contains { $0.dimension.isItemAttribute }
      for m in plan.metrics {
        if itemBased && m == .sales {
          parts.append(zh ? "销售额 = 商品数量 × 单价之和（按订单明细，不分摊订单折扣）" : "sales = sum of item quantity × unit price (order items, list price)")
        } else if m == .customers, plan.groupBy.contains(.segment) || plan.filters.contains(where: { $0.dimension == .segment }) {
          parts.append(zh ? "客户数 = 有订单的客户数（RFM 按订单中的全部客户计算）" : "customers = customers with an order (RFM covers every customer id in the orders)")
        } else {
          parts.append("\(m.title(lang)) = \(m.definition(lang, plan.thresholds))")
        }
      }
    }
    for c in plan.customerPredicates {
      switch c {
      case .kind(let k):
        parts.append(zh ? "客户：\(setName(k, lang))" : "customers: \(setName(k, lang))")
        if plan.comparison != nil, [.returning, .repeatBuyers, .highRepurchase, .buyers].contains(k) {
          // Both periods' figures are of the same customers: those of the main period.
          parts.append(zh ? "两期都按本期的\(k.shortName(.zh))计算" : "both periods for this period's \(k.shortName(.en))")
        }
      case .age(let lo, let hi):
        let range: String
        switch (lo, hi) {
        case (let a?, let b?): range = a == b ? "\(a)" : (zh ? "\(a)–\(b) 岁" : "\(a)–\(b)")
        case (let a?, nil): range = zh ? "≥ \(a) 岁" : "≥ \(a)"
        case (nil, let b?): range = zh ? "≤ \(b) 岁" : "≤ \(b)"
        default: range = ""
        }
        parts.append(zh ? "客户年龄：\(range)（今年 − 出生年）" : "customer age: \(range) (this year − birth year)")
      }
    }
    for o in plan.orderPredicates {
      let v = o.amount == o.amount.rounded() && abs(o.amount) < 1e15 ? String(Int64(o.amount)) : String(o.amount)
      parts.append(zh ? "单笔订单金额 \(o.op.rawValue) \(v)" : "order amount \(o.op.rawValue) \(v)")
    }
    for c in plan.conditions {
      let what = c.measure == .orders ? (zh ? "订单数" : "orders") : (zh ? "消费金额" : "spend")
      let v = c.value == c.value.rounded() && abs(c.value) < 1e15 ? String(Int64(c.value)) : String(c.value)
      parts.append("\(what) \(c.op.rawValue) \(v)")
    }
    if !plan.groupBy.isEmpty || plan.timeGrain != nil {
      var g = plan.groupBy.map { $0.title(lang) }
      if let t = plan.timeGrain { g.append(t.title(lang)) }
      parts.append(zh ? "按\(g.joined(separator: "、"))" : "by \(g.joined(separator: ", "))")
    }
    if let rk = plan.ranking {
      if rk.limit >= Ranking.everyGroup {
        parts.append(zh ? (rk.descending ? "全部，从高到低" : "全部，从低到高") : (rk.descending ? "all, highest first" : "all, lowest first"))
      } else {
        parts.append(zh ? (rk.descending ? "前 \(rk.limit) 名" : "后 \(rk.limit) 名") : (rk.descending ? "top \(rk.limit)" : "bottom \(rk.limit)"))
      }
    }
    if plan.share {
      if plan.groupBy.isEmpty, plan.timeGrain == nil, let m = plan.metrics.first, m.customerSet != nil, m != .buyers, m != .customers {
        parts.append(zh ? "占比 = \(m.title(lang)) ÷ 下单客户数" : "share = \(m.title(lang)) ÷ buyers")
      } else {
        parts.append(zh ? "占比 = 该组 ÷ 全部" : "share = group ÷ all groups")
      }
    }
    if let c = plan.comparison, let cp = plan.comparisonPeriod {
      let name = c == .yearOverYear ? (zh ? "同比" : "year over year") : c == .periods ? (zh ? "对比" : "compared") : (zh ? "环比" : "vs previous period")
      parts.append(zh ? "\(name)：对比 \(cp.start.iso) 至 \(cp.end.iso)" : "\(name): against \(cp.start.iso) to \(cp.end.iso)")
    }
    if !r.unknown.isEmpty {
      parts.append(zh ? "未理解：\(r.unknown.joined(separator: "、"))" : "not understood: \(r.unknown.joined(separator: ", "))")
    }
    return parts.joined(separator: " · ")
  }

  func setName(_ s: CustomerSet, _ lang: Language) -> String {
    switch s {
    case .all: return lang == .zh ? "全部客户" : "all customers"
    case .buyers: return lang == .zh ? "下单客户" : "buyers"
    case .repeatBuyers: return lang == .zh ? "复购客户（期内 ≥ 2 单）" : "repeat customers (≥ 2 orders)"
    case .highRepurchase: return lang == .zh ? "高复购客户（期内 ≥ \(thresholds.highRepurchaseOrders) 单）" : "high-repurchase customers (≥ \(thresholds.highRepurchaseOrders) orders)"
    case .new: return lang == .zh ? "新客（首单在期内）" : "new customers (first order in the period)"
    case .returning: return lang == .zh ? "老客" : "returning customers"
    case .active: return lang == .zh ? "活跃客户（\(thresholds.activeDays) 天内有订单）" : "active customers (ordered within \(thresholds.activeDays) days)"
    case .atRisk: return lang == .zh ? "流失风险客户（\(thresholds.activeDays)–\(thresholds.churnDays - 1) 天未下单）" : "at-risk customers (no order for \(thresholds.activeDays)–\(thresholds.churnDays - 1) days)"
    case .churned: return lang == .zh ? "流失客户（≥ \(thresholds.churnDays) 天未下单）" : "churned customers (no order for \(thresholds.churnDays)+ days)"
    case .overdue:
      return lang == .zh ? "逾期未复购的客户（最后一单距今超过自身平均购买间隔的 1.5 倍）" : "customers overdue for their cycle (last order older than 1.5 × their own mean interval)"
    case .churnRisk: return lang == .zh ? "流失风险最高的客户（BG/NBD 存活概率最低、值得挽留的客户）" : "customers most likely to have churned (lowest BG/NBD P(alive) among those worth keeping)"
    }
  }

  // MARK: - Suggestions

  public func examples(_ lang: Language) -> [String] {
    lang == .zh ? ["上月销售额", "今年各地区的复购率", "上月高复购客户有哪些", "流失率"]
      : ["sales last month", "repeat purchase rate by region this year", "top 10 customers by spend", "churn rate"]
  }

}
