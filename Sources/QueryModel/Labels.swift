// Names of metrics and dimensions in both languages, with the definitions the
// interpretation line states (semantics.md).

extension MetricID {
  public func title(_ lang: Language) -> String {
    switch (self, lang) {
    case (.sales, .zh): return "销售额"
    case (.sales, .en): return "sales"
    case (.orders, .zh): return "订单数"
    case (.orders, .en): return "orders"
    case (.buyers, .zh): return "下单客户数"
    case (.buyers, .en): return "buyers"
    case (.customers, .zh): return "客户数"
    case (.customers, .en): return "customers"
    case (.aov, .zh): return "客单价"
    case (.aov, .en): return "average order value"
    case (.spendPerBuyer, .zh): return "人均消费"
    case (.spendPerBuyer, .en): return "spend per buyer"
    case (.repeatCustomers, .zh): return "复购客户数"
    case (.repeatCustomers, .en): return "repeat customers"
    case (.repeatRate, .zh): return "复购率"
    case (.repeatRate, .en): return "repeat purchase rate"
    case (.highRepurchaseCustomers, .zh): return "高复购客户数"
    case (.highRepurchaseCustomers, .en): return "high-repurchase customers"
    case (.newCustomers, .zh): return "新客数"
    case (.newCustomers, .en): return "new customers"
    case (.returningCustomers, .zh): return "老客数"
    case (.returningCustomers, .en): return "returning customers"
    case (.units, .zh): return "销量"
    case (.units, .en): return "units sold"
    case (.nps, .zh): return "NPS"
    case (.nps, .en): return "NPS"
    case (.averageScore, .zh): return "平均评分"
    case (.averageScore, .en): return "average score"
    case (.negativeFeedback, .zh): return "差评数"
    case (.negativeFeedback, .en): return "negative feedback"
    case (.feedbackCount, .zh): return "评价数"
    case (.feedbackCount, .en): return "feedback"
    case (.activeCustomers, .zh): return "活跃客户数"
    case (.activeCustomers, .en): return "active customers"
    case (.atRiskCustomers, .zh): return "流失风险客户数"
    case (.atRiskCustomers, .en): return "at-risk customers"
    case (.churnedCustomers, .zh): return "流失客户数"
    case (.churnedCustomers, .en): return "churned customers"
    case (.churnRate, .zh): return "流失率"
    case (.churnRate, .en): return "churn rate"
    case (.retention, .zh): return "留存率"
    case (.retention, .en): return "retention"
    case (.predictedPurchases, .zh): return "预计购买次数"
    case (.predictedPurchases, .en): return "expected purchases"
    case (.clv, .zh): return "客户生命周期价值"
    case (.clv, .en): return "customer lifetime value"
    case (.pAlive, .zh): return "存活概率"
    case (.pAlive, .en): return "P(alive)"
    case (.churnProbability, .zh): return "流失概率"
    case (.churnProbability, .en): return "churn probability"
    default: return formula?.titles[lang] ?? rawValue
    }
  }

  /// The definition stated in interpretations; thresholds filled in.
  public func definition(_ lang: Language, _ t: Thresholds) -> String {
    let zh = lang == .zh
    switch self {
    case .sales: return zh ? "订单金额之和" : "sum of order amounts"
    case .orders: return zh ? "订单笔数" : "count of orders"
    case .buyers: return zh ? "有订单的不同客户数" : "distinct customers with an order"
    case .customers: return zh ? "客户表的客户数" : "customers in the customer table"
    case .aov: return zh ? "销售额 ÷ 订单数" : "sales ÷ orders"
    case .spendPerBuyer: return zh ? "销售额 ÷ 下单客户数" : "sales ÷ buyers"
    case .repeatCustomers: return zh ? "期内下单 ≥ 2 次的客户" : "customers with ≥ 2 orders in the period"
    case .repeatRate: return zh ? "复购客户数 ÷ 下单客户数" : "repeat customers ÷ buyers"
    case .highRepurchaseCustomers:
      return zh ? "期内下单 ≥ \(t.highRepurchaseOrders) 次的客户" : "customers with ≥ \(t.highRepurchaseOrders) orders in the period"
    case .newCustomers: return zh ? "首单落在期内的客户" : "customers whose first order falls in the period"
    case .returningCustomers: return zh ? "期内下单且首单早于期初的客户" : "buyers whose first order was before the period"
    case .units: return zh ? "商品件数之和" : "sum of item quantities"
    case .nps: return zh ? "(9–10 分占比 − 0–6 分占比) × 100" : "(% scores 9–10 − % scores 0–6) × 100"
    case .averageScore: return zh ? "评分平均值" : "mean feedback score"
    case .negativeFeedback:
      return zh ? "评分 ≤ \(formatThreshold(t.negativeScoreMax)) 的评价" : "feedback scored ≤ \(formatThreshold(t.negativeScoreMax))"
    case .feedbackCount: return zh ? "评价条数" : "count of feedback"
    case .activeCustomers: return zh ? "最近 \(t.activeDays) 天内有订单" : "last order within \(t.activeDays) days"
    case .atRiskCustomers:
      return zh ? "最后一单在 \(t.activeDays)–\(t.churnDays - 1) 天前" : "last order \(t.activeDays)–\(t.churnDays - 1) days ago"
    case .churnedCustomers: return zh ? "最后一单在 \(t.churnDays) 天或更早以前" : "last order \(t.churnDays)+ days ago"
    case .churnRate:
      return zh ? "流失客户（≥ \(t.churnDays) 天未下单）÷ 有订单的客户" : "churned (no order for \(t.churnDays)+ days) ÷ customers with an order"
    case .retention:
      return zh ? "首购月后第 k 个月有订单的客户 ÷ 该月首购客户" : "cohort customers with an order in month k ÷ cohort size"
    case .predictedPurchases: return zh ? "BG/NBD 模型预计的购买天数之和" : "sum of BG/NBD expected purchase days"
    case .clv: return zh ? "BG/NBD × Gamma-Gamma 预计的未来消费（折现）" : "BG/NBD × Gamma-Gamma expected future spend, discounted"
    case .pAlive: return zh ? "BG/NBD 模型估计客户仍活跃的概率" : "BG/NBD probability the customer is still active"
    case .churnProbability: return zh ? "1 − BG/NBD 存活概率" : "1 − BG/NBD P(alive)"
    default: return formula.map { $0.definitions[lang] ?? $0.formula.description } ?? rawValue
    }
  }
}

func formatThreshold(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }

extension DimensionID {
  public func title(_ lang: Language) -> String {
    switch (self, lang) {
    case (.region, .zh): return "地区"
    case (.region, .en): return "region"
    case (.city, .zh): return "城市"
    case (.city, .en): return "city"
    case (.channel, .zh): return "渠道"
    case (.channel, .en): return "channel"
    case (.sourceChannel, .zh): return "来源渠道"
    case (.sourceChannel, .en): return "source channel"
    case (.memberLevel, .zh): return "会员等级"
    case (.memberLevel, .en): return "member level"
    case (.gender, .zh): return "性别"
    case (.gender, .en): return "gender"
    case (.ageBand, .zh): return "年龄段"
    case (.ageBand, .en): return "age band"
    case (.category, .zh): return "品类"
    case (.category, .en): return "category"
    case (.product, .zh): return "商品"
    case (.product, .en): return "product"
    case (.customer, .zh): return "客户"
    case (.customer, .en): return "customer"
    case (.segment, .zh): return "RFM 分群"
    case (.segment, .en): return "RFM segment"
    case (.topic, .zh): return "主题"
    case (.topic, .en): return "topic"
    }
  }
}

extension TimeUnit {
  public func title(_ lang: Language) -> String {
    switch (self, lang) {
    case (.day, .zh): return "日期"
    case (.week, .zh): return "周"
    case (.month, .zh): return "月份"
    case (.quarter, .zh): return "季度"
    case (.year, .zh): return "年份"
    case (.day, .en): return "day"
    case (.week, .en): return "week"
    case (.month, .en): return "month"
    case (.quarter, .en): return "quarter"
    case (.year, .en): return "year"
    }
  }

  /// The index of the unit containing `d` (consecutive units differ by one).
  public func index(of d: Day) -> Int {
    switch self {
    case .day: return Int(d.raw)
    case .week: return (Int(d.raw) - (d.weekday - 1) + 3) / 7  // Monday-based
    case .month: return d.monthIndex
    case .quarter: return d.monthIndex / 3
    case .year: return d.year
    }
  }

  /// The first day of unit `i`.
  public func start(ofIndex i: Int) -> Day {
    switch self {
    case .day: return Day(raw: Int32(i))
    case .week: return Day(raw: Int32(i * 7 - 3))
    case .month: return Day.firstOfMonth(index: i)
    case .quarter: return Day.firstOfMonth(index: i * 3)
    case .year: return Day(year: i, month: 1, day: 1)
    }
  }

  public func end(ofIndex i: Int) -> Day { start(ofIndex: i + 1) - 1 }

  /// The label of unit `i` as semantics.md's "Result shapes" says: 2026-10, 2026-Q3, the Monday's date…
  public func label(ofIndex i: Int) -> String {
    let s = start(ofIndex: i)
    switch self {
    case .day, .week: return s.iso
    case .month: return String(s.iso.prefix(7))
    case .quarter: return "\(s.year)-Q\((s.month - 1) / 3 + 1)"
    case .year: return String(s.year)
    }
  }
}

extension CustomerSet {
  /// The kind's short name, as a row label (新客, returning customers).
  public func shortName(_ lang: Language) -> String {
    let zh = lang == .zh
    switch self {
    case .all: return zh ? "全部客户" : "all customers"
    case .buyers: return zh ? "下单客户" : "buyers"
    case .repeatBuyers: return zh ? "复购客户" : "repeat customers"
    case .highRepurchase: return zh ? "高复购客户" : "high-repurchase customers"
    case .new: return zh ? "新客" : "new customers"
    case .returning: return zh ? "老客" : "returning customers"
    case .active: return zh ? "活跃客户" : "active customers"
    case .atRisk: return zh ? "流失风险客户" : "at-risk customers"
    case .churned: return zh ? "流失客户" : "churned customers"
    case .churnRisk: return zh ? "流失风险最高的客户" : "customers most likely to churn"
    case .overdue: return zh ? "逾期未复购的客户" : "customers overdue for their cycle"
    }
  }
}
