// Planning the deeper analyses (semantics.md "Baskets, paths, clusters and comment sentiment"):
// a reading that asks for bought together, a funnel, clusters or comment sentiment becomes a
// plan with an `Analysis`; its period, customer filters and groupings stay in the plan. Words
// that would not shape such an answer refuse the question.

import QueryModel
import Understanding

extension Planner {
  func planAnalysis(_ r: Reading, today: Day, catalog: Catalog, significant: [String]) throws -> PlannedQuestion {
    let zh = r.language == .zh
    guard let ask = r.analysis.ask else {
      throw Refusal(say(r, "“同一订单”“分成N类”只用于关联购买（买A的客户还买什么）和客户聚类的问题。",
                        "“In the same order” and “into N groups” belong to bought-together (customers who bought A also bought) and clustering questions."),
                    suggestions: analysisExamples(r.language))
    }
    var plan = Plan(today: today)
    plan.thresholds = thresholds
    var a = Analysis(kind: .boughtTogether)
    switch ask {
    case "bought_together": a.kind = .boughtTogether
    case "funnel": a.kind = .funnel
    case "clusters": a.kind = .clusters
    default:
      a.kind = .sentiment
      a.negativeTopics = ask == "negative_topics"
    }

    // What the data must have.
    switch a.kind {
    case .boughtTogether where !catalog.hasItems:
      throw Refusal(say(r, "这份数据没有订单明细（商品、品类），无法分析买了什么还买了什么。可以问销售额、复购率、客户聚类等。",
                        "This data has no order items (products or categories), so what is bought together cannot be answered. Ask about sales, repeat purchase or customer clusters instead."),
                    suggestions: analysisExamples(r.language))
    case .funnel where !catalog.hasEvents:
      throw Refusal(say(r, "这份数据没有行为事件表（浏览、加购、下单、支付的点击流），无法做漏斗分析。",
                        "This data has no events table (a clickstream of views, add-to-carts, orders and payments), so a funnel cannot be answered."),
                    suggestions: analysisExamples(r.language))
    case .sentiment where !catalog.hasFeedback:
      throw Refusal(say(r, "这份数据没有评价（反馈）表，无法分析评论情感。", "This data has no feedback table, so comment sentiment cannot be answered."),
                    suggestions: analysisExamples(r.language))
    default: break
    }

    if !significant.isEmpty {
      let words = significant.map { "“\($0)”" }.joined(separator: zh ? "、" : ", ")
      throw Refusal(say(r, "没有理解 \(words)，去掉它会改变问题的意思，所以没有作答。", "Did not understand \(words); answering without it would change the question, so no answer was given."),
                    suggestions: analysisExamples(r.language))
    }

    // Figures named beside the analysis would be dropped: refuse (funnel step words such as
    // 下单 / 支付 are also figure words, so a funnel ignores them).
    // (buyers / customers describe who bought A, or who is clustered.)
    let figures = r.metrics.filter { !([.buyers, .customers].contains($0) && (a.kind == .boughtTogether || a.kind == .clusters)) }
    if a.kind != .funnel, !figures.isEmpty || !r.conditions.isEmpty || r.cohort || r.comparison != nil || r.share && a.kind != .sentiment {
      let what = figures.map { $0.title(r.language) }.joined(separator: zh ? "、" : ", ")
      throw Refusal(say(r, "这个分析不能同时回答\(what.isEmpty ? "其他条件" : what)，请分开问。", "This analysis cannot also answer \(what.isEmpty ? "the other conditions" : what); ask them separately."),
                    suggestions: analysisExamples(r.language))
    }

    // Period.
    var mainExpr: TimeExpr?
    for e in r.times where mainExpr == nil {
      if case .sameTimeLastYear = e { continue }
      mainExpr = e
    }
    if let e = mainExpr {
      guard let range = TimeResolution.resolve(e, today: today) else {
        throw Refusal(say(r, "这个日期不存在或无法解析。", "That date does not exist or could not be resolved."))
      }
      plan.period = range
    }
    if a.kind == .clusters, plan.period != nil {
      throw Refusal(say(r, "聚类按截至今天的全部订单计算 R、F、M，不能限定时间段。", "Clusters use R, F, M over all orders up to today; a period does not apply."))
    }

    // Values: the anchor of bought together; customer attributes filter the customers.
    for candidates in r.values {
      if a.kind == .boughtTogether, a.anchor == nil || a.anchor!.dimension == candidates[0].0,
        let item = candidates.first(where: { $0.0.isItemAttribute }) {
        if a.anchor == nil { a.anchor = Filter(item.0, [item.1]) } else { a.anchor!.values.append(item.1) }
        continue
      }
      guard let c = candidates.first(where: { $0.0.isCustomerAttribute && catalog.dimensions.contains($0.0) }) else {
        let v = candidates[0].1
        throw Refusal(say(r, "“\(v)”不能用来筛选这个分析（只能按客户属性筛选，如地区、会员等级）。",
                          "“\(v)” cannot filter this analysis (only customer attributes such as region or member level can)."))
      }
      if let i = plan.filters.firstIndex(where: { $0.dimension == c.0 }) { plan.filters[i].values.append(c.1) } else { plan.filters.append(Filter(c.0, [c.1])) }
    }
    if !r.segments.isEmpty { plan.filters.append(Filter(.segment, r.segments)) }
    if !r.topics.isEmpty {
      throw Refusal(say(r, "评论主题不能用来筛选这个分析。", "A feedback topic cannot filter this analysis."))
    }

    // Groupings and sizes.
    var groupBy = r.groupBy.filter { $0 != .customer && !r.namedDimensions.contains($0) }
    switch a.kind {
    case .boughtTogether:
      guard let anchor = a.anchor else {
        throw Refusal(say(r, "请说明是买了哪个商品或品类的客户，例如“买母婴的客户还买什么”。", "Say which product or category was bought, for example “customers who bought 母婴 also bought”."),
                      suggestions: analysisExamples(r.language))
      }
      groupBy.removeAll { $0 == anchor.dimension }
      a.sameOrder = r.analysis.sameOrder
      if let rk = r.ranking { a.limit = rk.limit ?? 10 }
    case .funnel:
      var steps: [FunnelStep] = []
      for s in r.analysis.steps where !steps.contains(s) { steps.append(s) }
      if steps.count == 1 { steps = FunnelStep.allCases.filter { $0 >= steps[0] } }
      if steps.count > 2 { steps.sort() }
      if !steps.isEmpty { a.steps = steps }
      if a.steps.count < 2 {
        throw Refusal(say(r, "漏斗至少要有两步。", "A funnel needs at least two steps."))
      }
    case .clusters:
      a.clusters = r.analysis.clusterCount ?? 4
      if a.clusters < 2 || a.clusters > 20 {
        throw Refusal(say(r, "聚类的类数要在 2 到 20 之间。", "The number of clusters must be between 2 and 20."))
      }
    case .sentiment:
      if let g = r.grain { plan.timeGrain = g }
      if r.trend && plan.timeGrain == nil { plan.timeGrain = .month }
    }
    if a.kind != .sentiment, let g = r.grain {
      throw Refusal(say(r, "这个分析不能按\(g.title(.zh))拆分。", "This analysis cannot be split by \(g.title(.en))."))
    }
    for d in groupBy {
      guard catalog.dimensions.contains(d) else { throw missing(r, d, catalog) }
      guard d.isCustomerAttribute, a.kind == .funnel || a.kind == .sentiment else {
        throw Refusal(say(r, "这个分析不能按\(d.title(.zh))拆分。", "This analysis cannot be split by \(d.title(.en))."))
      }
    }
    if groupBy.count > 1 || a.kind == .funnel && groupBy.count > 1 {
      throw Refusal(say(r, "一次只能按一个属性拆分。", "Split by one attribute at a time."))
    }
    plan.groupBy = groupBy
    plan.analysis = a
    // A funnel is drawn as bars narrowing step by step (the table with conversions follows).
    let chart = r.chart ?? (a.kind == .funnel && groupBy.isEmpty ? "bar" : nil)
    return PlannedQuestion(plan: plan, language: r.language, interpretation: analysisInterpretation(r, plan, a, mainExpr), ignored: r.unknown, chart: chart)
  }

  func analysisInterpretation(_ r: Reading, _ plan: Plan, _ a: Analysis, _ expr: TimeExpr?) -> String {
    let lang = r.language
    let zh = lang == .zh
    var parts: [String] = []
    if let p = plan.period {
      let name = expr.map { TimeResolution.describe($0, lang) } ?? (zh ? "期间" : "period")
      parts.append(zh ? "\(name)（\(p.start.iso) 至 \(p.end.iso)）" : "\(name) (\(p.start.iso) to \(p.end.iso))")
    } else {
      parts.append(zh ? "全部数据（截至 \(plan.today.iso)）" : "all data up to \(plan.today.iso)")
    }
    for f in plan.filters {
      let vals = f.values.map { v in f.dimension == .segment ? (Segment(rawValue: v)?.name(lang) ?? v) : v }.joined(separator: zh ? "、" : ", ")
      parts.append(zh ? "\(f.dimension.title(lang))：\(vals)" : "\(f.dimension.title(lang)): \(vals)")
    }
    switch a.kind {
    case .boughtTogether:
      let what = a.anchor!.values.joined(separator: zh ? "、" : ", ")
      let dim = a.anchor!.dimension.title(lang)
      if a.sameOrder {
        parts.append(zh ? "同一订单中与“\(what)”一起购买的\(dim)：同单订单数、置信度 = 同单订单数 ÷ 含“\(what)”的订单数、提升度 = 置信度 ÷（含该\(dim)的订单占比）"
          : "\(dim) bought in the same order as “\(what)”: orders together, confidence = orders together ÷ orders with “\(what)”, lift = confidence ÷ share of orders with it")
      } else {
        parts.append(zh ? "买过“\(what)”的客户还买的\(dim)：共同购买客户数、置信度 = 共同购买客户数 ÷ 买过“\(what)”的客户数、提升度 = 置信度 ÷（买过该\(dim)的客户占比）"
          : "\(dim) also bought by customers who bought “\(what)”: co-buyers, confidence = co-buyers ÷ buyers of “\(what)”, lift = confidence ÷ share of customers buying it")
      }
      parts.append(zh ? "按共同购买数、提升度排序，前 \(a.limit) 名" : "ranked by co-buyers then lift, top \(a.limit)")
    case .funnel:
      let steps = a.steps.map { $0.title(lang) }.joined(separator: " → ")
      parts.append(zh ? "转化漏斗：\(steps)（每一步须在到达上一步之后）" : "funnel: \(steps) (each step at or after reaching the previous one)")
    case .clusters:
      parts.append(zh ? "客户聚类：k-means 分成 \(a.clusters) 类（有订单的客户，标准化的 log(1+R)、log(1+F)、log(1+M)）"
        : "customer clusters: k-means into \(a.clusters) groups (customers with orders, standardised log(1+R), log(1+F), log(1+M))")
    case .sentiment:
      parts.append(a.negativeTopics
        ? (zh ? "负面评论（按情感词表）的主题" : "topics of the negative comments (by the sentiment lexicon)")
        : (zh ? "评论情感：好评率 = 正面评论 ÷ 有内容的评论" : "comment sentiment: positive share = positive comments ÷ comments with text"))
    }
    if !plan.groupBy.isEmpty || plan.timeGrain != nil {
      var g = plan.groupBy.map { $0.title(lang) }
      if let t = plan.timeGrain { g.append(t.title(lang)) }
      parts.append(zh ? "按\(g.joined(separator: "、"))" : "by \(g.joined(separator: ", "))")
    }
    if !r.unknown.isEmpty {
      parts.append(zh ? "未理解：\(r.unknown.joined(separator: "、"))" : "not understood: \(r.unknown.joined(separator: ", "))")
    }
    return parts.joined(separator: " · ")
  }

  func analysisExamples(_ lang: Language) -> [String] {
    lang == .zh ? ["买母婴的客户还买什么", "转化漏斗", "客户聚类", "好评率"]
      : ["customers who bought 母婴 also bought", "conversion funnel", "cluster customers into 4 groups", "sentiment of comments"]
  }
}

extension Analysis {
  /// What of a question an analysis uses (for the check that every word shapes the answer):
  /// the anchor's values and dimension, the ranking size or the number of clusters, and the
  /// figure words it stands for (the buyers of A; 下单 / 支付 are funnel steps as well as figures).
  var wordUse: (values: [String], dimensions: [DimensionID], numbers: [Double], metrics: [MetricID]) {
    switch kind {
    case .boughtTogether:
      return (anchor?.values ?? [], anchor.map { [$0.dimension] } ?? [], [Double(limit)], [.buyers, .customers])
    case .funnel:
      return ([], [], [], [.orders, .buyers, .sales, .customers])
    case .clusters:
      return ([], [], [Double(clusters)], [.customers, .buyers])
    case .sentiment:
      return ([], [], [], [])
    }
  }
}
