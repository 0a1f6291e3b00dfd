// A reading of a question: what its words say, before today and the data resolve it.
//
// The parser fills a `Reading` from the tokens; Planning turns it into a `Plan`. A reading
// keeps the words it could not understand so that they are reported, never dropped.

import QueryModel

/// One scanned piece of a question.
public struct Token: Hashable, Sendable {
  public enum Kind: Hashable, Sendable {
    case time(TimeExpr)
    case number(Double)
    /// An amount with its money unit (123元1角): a threshold on spend.
    case money(Double)
    case word([Meaning])
    case unknown
  }
  public var kind: Kind
  public var start: Int
  public var end: Int
  public var text: String
}

public struct Reading: Sendable {
  public var question: String
  public var normalized: String
  public var language: Language
  public var tokens: [Token] = []
  public var metrics: [MetricID] = []
  public var times: [TimeExpr] = []
  public var groupBy: [DimensionID] = []
  public var grain: TimeUnit?
  /// Each filter value with the dimensions it may belong to (门店: channel or source channel).
  public var values: [[(DimensionID, String)]] = []
  /// Dimensions named next to a value (华东地区): they pick the value's dimension, no grouping.
  public var namedDimensions: Set<DimensionID> = []
  public var segments: [String] = []
  public var topics: [String] = []
  /// A ranking: limit (nil = the cue's default) and direction.
  public var ranking: (limit: Int?, descending: Bool)?
  public var wantsList = false
  public var wantsCount = false
  public var comparison: Comparison?
  public var growth = false
  public var share = false
  public var trend = false
  public var chart: String?
  public var conditions: [CustomerCondition] = []
  public var cohort = false
  public var monthsAfter: Int?
  public var mentionsCustomer = false
  public var which = false
  /// Said as a change of the previous question (那华东呢, what about last year).
  public var followUp = false
  /// 卖得最好 / best-selling: rank by sales unless another figure is named.
  public var bestSelling = false
  /// Measure words seen (消费, 下单): with no metric named, a ranking ranks by them.
  public var measures: [CustomerCondition.Measure] = []
  /// How far ahead a prediction looks (下个月 = 30 days).
  public var horizonDays: Int?
  /// 预计 / predict: figures are predictions of the customer model.
  public var predict = false
  /// The unit a comparison names (week over week, 月环比), for questions without a period.
  public var compareUnit: TimeUnit?
  /// The ranking's size was written (前10, top 5), not implied (最高的).
  public var rankingExplicit = false
  /// Kinds of customer that qualify the figures (老客的销售额, sales of new customers).
  public var customerKinds: [CustomerSet] = []
  /// Age bounds, inclusive (25到34岁, 50岁以上).
  public var ages: [(min: Int?, max: Int?)] = []
  /// Conditions on one order's amount (金额大于500的订单).
  public var orderConditions: [OrderPredicate] = []
  /// An explicit comparison word (对比, vs, 比).
  public var compare = false
  /// The difference A − B is asked (高多少, how much higher).
  public var difference = false
  /// Several values are to be merged into one figure (合计, combined).
  public var merge = false
  /// A plural "which" (哪些, which categories): every group, ranked.
  public var plural = false
  /// Where each figure word stands, and each "and" (和, and): to tell 新客的销售额 (a kind
  /// qualifying a figure) from 新客数和销售额 (two figures).
  public var metricTokens: [(metric: MetricID, index: Int)] = []
  public var andTokens: [Int] = []
  /// Text that matched nothing in the grammar or the data.
  public var unknown: [String] = []
  /// Words naming figures Wenshu does not compute (中位数, profit).
  public var unsupported: [String] = []
  /// Negations (没有, never): questions about what did not happen are refused, never answered
  /// as their opposite.
  public var negations: [String] = []
  /// The deeper analysis asked for (bought together, funnel, clusters, sentiment) and its
  /// options: Reading+Analysis.swift.
  public var analysis = AnalysisReading()

  /// Whether this reading can only be understood against the previous question: it names
  /// no figure and no kind of customer, but changes a period, a filter or a grouping (and is
  /// not whole on its own, `standsAlone`, unless said as a follow-up: 那…呢).
  public var isFragment: Bool {
    metrics.isEmpty && segments.isEmpty && topics.isEmpty && !wantsList && !cohort
      && !(mentionsCustomer && !groupBy.isEmpty)
      && (followUp || !standsAlone)
      && (!times.isEmpty || !values.isEmpty || !groupBy.isEmpty || grain != nil || followUp || comparison != nil || share || ranking != nil)
  }

  /// Words that make a question whole without naming a figure: one implied (卖得最好: sales),
  /// an analysis (还买了什么, 转化漏斗), conditions on customers (下单至少5次的客户), "how many
  /// customers", a prediction.
  public var standsAlone: Bool {
    bestSelling || analysis.ask != nil || !conditions.isEmpty || predict || mentionsCustomer && wantsCount
  }

  /// This reading laid over the previous one: what it says replaces what that said.
  ///
  ///     previous: 上月各地区的复购率    this: 那华东呢    →  上月 华东 的复购率
  public func merged(onto old: Reading) -> Reading {
    var r = old
    r.question = question
    r.normalized = normalized
    r.tokens = tokens
    if !metrics.isEmpty {
      r.metrics = metrics
      r.customerKinds = customerKinds
    } else if !customerKinds.isEmpty {
      r.customerKinds = customerKinds
    }
    // 那老客呢 after a figure: the kind qualifies the previous figure.
    let kinds = metrics.compactMap { QuestionParser.kindMetrics[$0] }
    if !metrics.isEmpty, kinds.count == metrics.count, old.metrics.contains(where: { QuestionParser.kindMetrics[$0] == nil }) {
      r.metrics = old.metrics.filter { QuestionParser.kindMetrics[$0] == nil }
      r.customerKinds = kinds
    }
    if !ages.isEmpty { r.ages = ages }
    if !orderConditions.isEmpty { r.orderConditions = orderConditions }
    if compare { r.compare = true }
    if difference { r.difference = true }
    if merge { r.merge = true }
    if plural { r.plural = true }
    r.metricTokens = metricTokens
    r.andTokens = andTokens
    if !times.isEmpty { r.times = times }
    for group in values {
      let dims = Set(group.map(\.0))
      r.values.removeAll { old in old.contains { dims.contains($0.0) } }
      r.groupBy.removeAll { dims.contains($0) }
      r.values.append(group)
    }
    r.namedDimensions.formUnion(namedDimensions)
    // A ranking ranks what it names (哪个渠道最高 after 各地区的复购率: channels, not regions ×
    // channels); otherwise a grouping splits the previous one further (按渠道拆开).
    if ranking != nil || which, !groupBy.isEmpty { r.groupBy.removeAll() }
    for d in groupBy where !r.groupBy.contains(d) { r.groupBy.append(d) }
    if let g = grain { r.grain = g }
    if !segments.isEmpty { r.segments = segments }
    if !topics.isEmpty { r.topics = topics }
    if let rk = ranking { r.ranking = rk }
    if bestSelling { r.bestSelling = true }
    r.wantsList = old.wantsList || wantsList
    r.wantsCount = old.wantsCount || wantsCount
    if let c = comparison { r.comparison = c }
    r.growth = old.growth || growth
    r.share = old.share || share
    r.trend = old.trend || trend
    if let c = chart { r.chart = c }
    if !conditions.isEmpty { r.conditions = conditions }
    if let h = horizonDays { r.horizonDays = h }
    if rankingExplicit { r.rankingExplicit = true }
    if let m = monthsAfter { r.monthsAfter = m }
    r.mentionsCustomer = old.mentionsCustomer || mentionsCustomer
    r.analysis = analysis.merged(onto: old.analysis, figureNamed: !metrics.isEmpty)
    r.unknown = unknown
    r.followUp = true
    return r
  }

  public init(question: String, normalized: String, language: Language) {
    self.question = question
    self.normalized = normalized
    self.language = language
  }
}
