// The typed query plan: what a question asks, fully resolved, ready to execute or compile.
//
// A plan is the contract between understanding and execution. It is printable (JSON for
// `explain`, one line for corpora) and contains no text from the question except data values,
// which executors match as values and SQL compilers bind as parameters.

/// A figure Wenshu can compute (see semantics.md, "Metrics" and "Customer states").
///
/// The built-in figures are computed by the engines' fused scans; every other metric is a
/// catalog entry (grammars/metrics/catalog.rules): a formula over base measures, declared as
/// data and read by both the cube executor and the SQL compiler.
public struct MetricID: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
  public let rawValue: String

  /// A built-in metric or one the catalog declares; nil for an unknown name.
  public init?(rawValue: String) {
    guard MetricID.builtIn.contains(where: { $0.rawValue == rawValue }) || MetricCatalog.shared.formula(rawValue) != nil else { return nil }
    self.rawValue = rawValue
  }
  init(builtIn name: String) { rawValue = name }
  /// A catalog metric's id (declared by the catalog as it loads).
  public init(catalog name: String) { rawValue = name }

  public init(from decoder: Decoder) throws {
    rawValue = try decoder.singleValueContainer().decode(String.self)
  }
  public func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(rawValue)
  }
  public var description: String { rawValue }

  public static let sales = MetricID(builtIn: "sales")
  public static let orders = MetricID(builtIn: "orders")
  public static let buyers = MetricID(builtIn: "buyers")
  public static let customers = MetricID(builtIn: "customers")
  public static let aov = MetricID(builtIn: "average_order_value")
  public static let spendPerBuyer = MetricID(builtIn: "spend_per_buyer")
  public static let repeatCustomers = MetricID(builtIn: "repeat_customers")
  public static let repeatRate = MetricID(builtIn: "repeat_purchase_rate")
  public static let highRepurchaseCustomers = MetricID(builtIn: "high_repurchase_customers")
  public static let newCustomers = MetricID(builtIn: "new_customers")
  public static let returningCustomers = MetricID(builtIn: "returning_customers")
  public static let units = MetricID(builtIn: "units")
  public static let nps = MetricID(builtIn: "nps")
  public static let averageScore = MetricID(builtIn: "average_score")
  public static let negativeFeedback = MetricID(builtIn: "negative_feedback")
  public static let feedbackCount = MetricID(builtIn: "feedback_count")
  public static let activeCustomers = MetricID(builtIn: "active_customers")
  public static let atRiskCustomers = MetricID(builtIn: "at_risk_customers")
  public static let churnedCustomers = MetricID(builtIn: "churned_customers")
  public static let churnRate = MetricID(builtIn: "churn_rate")
  public static let retention = MetricID(builtIn: "retention_rate")
  /// BG/NBD: expected purchases in the horizon (sum over the group's customers).
  public static let predictedPurchases = MetricID(builtIn: "predicted_purchases")
  /// BG/NBD × Gamma-Gamma: customer lifetime value over the horizon (mean per customer).
  public static let clv = MetricID(builtIn: "clv")
  /// BG/NBD: probability that a customer is still active (mean per customer).
  public static let pAlive = MetricID(builtIn: "p_alive")
  /// 1 − P(alive): the model's churn risk (mean per customer).
  public static let churnProbability = MetricID(builtIn: "churn_probability")

  /// The figures the engines compute natively, in a stable order.
  public static let builtIn: [MetricID] = [
    .sales, .orders, .buyers, .customers, .aov, .spendPerBuyer, .repeatCustomers, .repeatRate, .highRepurchaseCustomers,
    .newCustomers, .returningCustomers, .units, .nps, .averageScore, .negativeFeedback, .feedbackCount, .activeCustomers,
    .atRiskCustomers, .churnedCustomers, .churnRate, .retention, .predictedPurchases, .clv, .pAlive, .churnProbability,
  ]
  /// Built-in metrics and the catalog's.
  public static var allCases: [MetricID] { builtIn + MetricCatalog.shared.all.map(\.id) }

  /// The catalog's formula, for metrics declared as data.
  public var formula: CatalogMetric? { MetricCatalog.shared.formula(rawValue) }

  /// Figures that are counts of customers: a list of them makes sense.
  public var customerSet: CustomerSet? {
    switch self {
    case .buyers: return .buyers
    case .repeatCustomers: return .repeatBuyers
    case .highRepurchaseCustomers: return .highRepurchase
    case .newCustomers: return .new
    case .returningCustomers: return .returning
    case .activeCustomers: return .active
    case .atRiskCustomers: return .atRisk
    case .churnedCustomers: return .churned
    case .customers: return .all
    default: return nil
    }
  }

  public var format: ValueFormat {
    if let f = formula { return f.format }
    switch self {
    case .sales, .aov, .spendPerBuyer: return .money
    case .repeatRate, .churnRate, .retention, .pAlive, .churnProbability: return .rate
    case .nps, .averageScore: return .score
    case .clv: return .money
    case .predictedPurchases: return .number
    default: return .count
    }
  }

  /// Computed from the fitted BG/NBD and Gamma-Gamma models (no SQL form).
  public var isModel: Bool { self == .predictedPurchases || self == .clv || self == .pAlive || self == .churnProbability }

  /// Uses the feedback table.
  public var isFeedback: Bool { self == .nps || self == .averageScore || self == .negativeFeedback || self == .feedbackCount }
  /// A state as of today, not a figure of a period.
  public var isState: Bool {
    self == .activeCustomers || self == .atRiskCustomers || self == .churnedCustomers || self == .churnRate
  }
  /// A figure that belongs to customers as of today (states, churn, model predictions):
  /// it cannot be broken down by an order-level dimension.
  public var isCustomerLevel: Bool { isState || isModel || self == .retention }
}

/// A kind of customer: what a customer list or count is made of.
public enum CustomerSet: String, Hashable, Sendable, Codable {
  case all, buyers
  case repeatBuyers = "repeat"
  case highRepurchase = "high_repurchase"
  case new, returning, active
  case atRisk = "at_risk"
  case churned
  /// Overdue for their usual cycle (as of today): at least two orders, and the last one older
  /// than 1.5 × the customer's own mean interval between orders.
  case overdue
  /// The customers worth keeping that the model thinks most likely gone (lowest P(alive)).
  case churnRisk = "churn_risk"
}

/// What a group key or filter refers to.
public enum DimensionID: String, Hashable, Sendable, Codable, CaseIterable {
  case region, city
  case channel
  case sourceChannel = "source_channel"
  case memberLevel = "member_level"
  case gender
  case ageBand = "age_band"
  case category, product
  case customer
  case segment
  case topic

  /// Attributes stored on the customer row.
  public var isCustomerAttribute: Bool {
    switch self {
    case .region, .city, .sourceChannel, .memberLevel, .gender, .ageBand, .segment, .customer: return true
    default: return false
    }
  }
  public var isItemAttribute: Bool { self == .category || self == .product }
}

/// `dimension ∈ values`; a nil value means the unknown group.
public struct Filter: Hashable, Sendable, Codable {
  public var dimension: DimensionID
  public var values: [String]
  public var negated: Bool
  public init(_ dimension: DimensionID, _ values: [String], negated: Bool = false) {
    self.dimension = dimension
    self.values = values
    self.negated = negated
  }
}

/// A condition on a customer's own figures in the period: 下单至少3次, spent more than 1000.
public struct CustomerCondition: Hashable, Sendable, Codable {
  /// `amount` is the amount of one order (金额大于500的订单): an order-level predicate.
  public enum Measure: String, Hashable, Sendable, Codable { case orders, spend, amount }
  public enum Op: String, Hashable, Sendable, Codable {
    case ge = ">=", gt = ">", le = "<=", lt = "<", eq = "="
    public func test(_ a: Double, _ b: Double) -> Bool {
      switch self {
      case .ge: return a >= b
      case .gt: return a > b
      case .le: return a <= b
      case .lt: return a < b
      case .eq: return a == b
      }
    }
  }
  public var measure: Measure
  public var op: Op
  public var value: Double

  /// Whether a customer with `orders` orders and `spend` spent satisfies the condition.
  public func test(_ orders: Double, _ spend: Double) -> Bool {
    op.test(measure == .orders ? orders : spend, value)
  }
  public init(_ measure: Measure, _ op: Op, _ value: Double) {
    self.measure = measure
    self.op = op
    self.value = value
  }
}

public struct Ranking: Hashable, Sendable, Codable {
  /// The limit of a ranking of every group (哪些品类卖得最好, best-selling categories).
  public static let everyGroup = 1_000_000
  public var limit: Int
  public var descending: Bool
  public init(limit: Int, descending: Bool) {
    self.limit = limit
    self.descending = descending
  }
}

public enum Comparison: String, Hashable, Sendable, Codable {
  /// 环比: the previous period of the same kind.
  case previousPeriod = "previous_period"
  /// 同比: the same period one year earlier.
  case yearOverYear = "year_over_year"
  /// 本周和上周对比 / this week vs last week: two periods as named, the later against the earlier.
  case periods
}

/// A predicate on customers that restricts every figure of a plan to those customers
/// (老客的销售额, 新客的复购率, 25到34岁的客户的订单数). Kinds decided within the period (new,
/// returning, repeat, high-repurchase) use the plan's period; states use today.
public enum CustomerPredicate: Hashable, Sendable, Codable, CustomStringConvertible {
  case kind(CustomerSet)
  /// Age (today's year − birth year) within bounds, both inclusive when present.
  case age(min: Int?, max: Int?)

  public var description: String {
    switch self {
    case .kind(let k): return k.rawValue
    case .age(let lo, let hi): return "age:\(lo.map(String.init) ?? "")..\(hi.map(String.init) ?? "")"
    }
  }
}

/// A predicate on single orders (金额大于500的订单).
public struct OrderPredicate: Hashable, Sendable, Codable, CustomStringConvertible {
  public var op: CustomerCondition.Op
  public var amount: Double
  public init(_ op: CustomerCondition.Op, _ amount: Double) {
    self.op = op
    self.amount = amount
  }
  public func test(_ a: Double) -> Bool { !a.isNaN && op.test(a, amount) }
  public var description: String {
    "amount\(op.rawValue)\(amount == amount.rounded() && abs(amount) < 1e15 ? String(Int64(amount)) : String(amount))"
  }
}

/// Cohort retention: cohorts are first-order months; `monthsAfter` picks one column.
public struct CohortSpec: Hashable, Sendable, Codable {
  public var cohorts: DateRange
  public var monthsAfter: Int?
  public init(cohorts: DateRange, monthsAfter: Int?) {
    self.cohorts = cohorts
    self.monthsAfter = monthsAfter
  }
}

/// Thresholds used by customer definitions (grammar settings; defaults from semantics.md).
public struct Thresholds: Hashable, Sendable, Codable {
  public var activeDays: Int = 90
  public var churnDays: Int = 180
  public var highRepurchaseOrders: Int = 3
  public var negativeScoreMax: Double = 6
  public init() {}
}

/// A fully resolved question.
public struct Plan: Hashable, Sendable, Codable {
  public var metrics: [MetricID] = []
  /// The main period; nil means all data up to today.
  public var period: DateRange?
  public var filters: [Filter] = []
  public var groupBy: [DimensionID] = []
  public var timeGrain: TimeUnit?
  public var ranking: Ranking?
  /// List the customers of this set (with their figures) instead of computing figures.
  public var list: CustomerSet?
  public var conditions: [CustomerCondition] = []
  /// The figures are computed over these customers only.
  public var customerPredicates: [CustomerPredicate] = []
  /// Only orders passing these count (in every figure).
  public var orderPredicates: [OrderPredicate] = []
  public var comparison: Comparison?
  /// The period compared with, when `comparison` is set.
  public var comparisonPeriod: DateRange?
  /// Figures as a share of the total over all groups.
  public var share: Bool = false
  public var cohort: CohortSpec?
  public var today: Day
  public var thresholds: Thresholds = Thresholds()
  /// Days ahead for model predictions (expected purchases, CLV); nil = the default year.
  public var horizonDays: Int?
  /// A deeper analysis (bought together, funnel, clusters, sentiment): Analysis.swift.
  public var analysis: Analysis?

  public init(today: Day) { self.today = today }
}

/// A feedback topic of the grammar: comments containing one of `phrases` are about it.
public struct Topic: Hashable, Sendable, Codable {
  public var name: String
  public var negative: Bool
  public var phrases: [String]
  public init(name: String, negative: Bool, phrases: [String]) {
    self.name = name
    self.negative = negative
    self.phrases = phrases
  }
}

/// The eight RFM segments of semantics.md, in display order.
public enum Segment: String, CaseIterable, Sendable, Codable {
  case importantValue = "important_value"
  case importantDevelopment = "important_development"
  case importantRetention = "important_retention"
  case importantWinback = "important_winback"
  case generalValue = "general_value"
  case generalDevelopment = "general_development"
  case generalRetention = "general_retention"
  case generalWinback = "general_winback"

  /// (R high, F high, M high) of the segment.
  public var profile: (r: Bool, f: Bool, m: Bool) {
    switch self {
    case .importantValue: return (true, true, true)
    case .importantDevelopment: return (true, false, true)
    case .importantRetention: return (false, true, true)
    case .importantWinback: return (false, false, true)
    case .generalValue: return (true, true, false)
    case .generalDevelopment: return (true, false, false)
    case .generalRetention: return (false, true, false)
    case .generalWinback: return (false, false, false)
    }
  }

  public static func of(rHigh: Bool, fHigh: Bool, mHigh: Bool) -> Segment {
    allCases.first { $0.profile == (rHigh, fHigh, mHigh) } ?? .generalWinback
  }

  public func name(_ lang: Language) -> String {
    switch (self, lang) {
    case (.importantValue, .zh): return "重要价值客户"
    case (.importantDevelopment, .zh): return "重要发展客户"
    case (.importantRetention, .zh): return "重要保持客户"
    case (.importantWinback, .zh): return "重要挽留客户"
    case (.generalValue, .zh): return "一般价值客户"
    case (.generalDevelopment, .zh): return "一般发展客户"
    case (.generalRetention, .zh): return "一般保持客户"
    case (.generalWinback, .zh): return "一般挽留客户"
    case (.importantValue, .en): return "important value"
    case (.importantDevelopment, .en): return "important development"
    case (.importantRetention, .en): return "important retention"
    case (.importantWinback, .en): return "important win-back"
    case (.generalValue, .en): return "general value"
    case (.generalDevelopment, .en): return "general development"
    case (.generalRetention, .en): return "general retention"
    case (.generalWinback, .en): return "general win-back"
    }
  }
}
