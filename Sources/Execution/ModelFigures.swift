// Model-based figures: BG/NBD and Gamma-Gamma (module Prediction) fitted once per
// calibration end, then per-customer predictions aggregated over customer groups, and the
// churn-risk list of customers worth keeping. These figures have no SQL form.

import Cube
import Prediction
import QueryModel

extension ExecutionContext {
  /// The horizon of a plan in days (a year unless the question names one).
  var horizonDays: Int { plan.horizonDays ?? 365 }

  /// Per-customer values of a model metric (NaN for customers without a purchase).
  func modelValues(_ m: MetricID, _ model: CustomerModel) -> ContiguousArray<Double> {
    switch m {
    case .pAlive: return model.pAliveByCustomer()
    case .churnProbability: return ContiguousArray(model.pAliveByCustomer().map { $0.isNaN ? .nan : 1 - $0 })
    case .predictedPurchases: return model.expectedPurchasesByCustomer(horizon: model.units(days: Double(horizonDays)))
    default:
      let months = max(1, Int((Double(horizonDays) / 30.4).rounded()))
      return model.clvByCustomer(months: months, monthlyDiscount: CustomerModel.defaultMonthlyDiscount)
    }
  }

  func modelFigures(_ keys: GroupKeys, metric m: MetricID, model: CustomerModel) throws -> [Int64: Figures] {
    guard keys.parts.allSatisfy({ $0.dimension?.isCustomerAttribute ?? false }) else {
      throw ExecutionError(lang == .zh ? "模型预测只能按客户属性（地区、会员等级、RFM 分群等）分组，不能按时间或订单属性分组。"
        : "Model predictions can be grouped by customer attributes (region, member level, RFM segment …), not by time or order attributes.")
    }
    let values = modelValues(m, model)
    let sources = partSources(keys)
    var groups: [Int64: Figures] = [:]
    for c in 0..<cube.customers.count {
      let v = values[c]
      guard !v.isNaN, customerPasses(Int32(c)), let k = fastKey(sources, keys.strides, c: Int32(c), order: -1, item: -1, day: today) else { continue }
      groups[k, default: Figures()].modelSum += v
      groups[k, default: Figures()].modelCount += 1
    }
    return groups
  }

  /// What the answer says about the model: parameters, data used, horizon.
  func modelNote(_ model: CustomerModel) -> String {
    func f(_ v: Double) -> String { String((v * 1000).rounded() / 1000) }
    let b = model.bgnbd
    var s = "BG/NBD r=\(f(b.r)) α=\(f(b.alpha)) a=\(f(b.a)) b=\(f(b.b))"
    if let g = model.gammaGamma { s += " · Gamma-Gamma p=\(f(g.p)) q=\(f(g.q)) γ=\(f(g.gamma))" }
    let months = max(1, Int((Double(horizonDays) / 30.4).rounded()))
    if lang == .zh {
      s += "（\(model.customersUsed) 位客户，校准期 \(model.calibrationStart.iso) 至 \(model.calibrationEnd.iso)，预测 \(horizonDays) 天"
      if plan.metrics.contains(.clv) { s += "，\(months) 个月、月折现率 1%" }
      s += "）"
    } else {
      s += " (\(model.customersUsed) customers, calibration \(model.calibrationStart.iso) to \(model.calibrationEnd.iso), horizon \(horizonDays) days"
      if plan.metrics.contains(.clv) { s += ", \(months) months discounted at 1% a month" }
      s += ")"
    }
    if model.repeatCustomers < 30 || !model.converged {
      s += lang == .zh ? "；重复购买的客户太少，模型参数不可靠" : "; too few repeat customers: the parameters are unreliable"
    }
    return s
  }
}

enum ChurnRiskList {
  /// Customers worth keeping (at least two purchase days and total spend at or above the
  /// median of such customers), the least likely to be still active first.
  static func run(_ ctx: ExecutionContext, model: CustomerModel) -> ResultTable {
    let cube = ctx.cube
    let st = ctx.stats
    let zh = ctx.lang == .zh
    let alive = model.pAliveByCustomer()
    var repeaters: [Int] = []
    for c in 0..<cube.customers.count where st.orderCount[c] >= 2 && !alive[c].isNaN && ctx.customerPasses(Int32(c)) {
      repeaters.append(c)
    }
    let spends = repeaters.map { st.totalSpend[$0] }.sorted()
    let median = spends.isEmpty ? 0 : spends[spends.count / 2]
    var members = repeaters.filter { st.totalSpend[$0] >= median }
    members.sort { a, b in
      if alive[a] != alive[b] { return alive[a] < alive[b] }
      if st.totalSpend[a] != st.totalSpend[b] { return st.totalSpend[a] > st.totalSpend[b] }
      return a < b
    }
    let limit = ctx.plan.ranking?.limit ?? 20
    if members.count > limit { members.removeLast(members.count - limit) }
    var columns = [ResultColumn(id: "customer", title: zh ? "客户" : "customer", format: .label, isKey: true)]
    if cube.customers.name != nil { columns.append(ResultColumn(id: "name", title: zh ? "姓名" : "name", format: .label, isKey: false)) }
    columns += [
      ResultColumn(id: "p_alive", title: zh ? "存活概率" : "P(alive)", format: .rate, isKey: false),
      ResultColumn(id: "last_order", title: zh ? "最后下单日" : "last order", format: .date, isKey: false),
      ResultColumn(id: "orders", title: zh ? "累计订单数" : "lifetime orders", format: .count, isKey: false),
      ResultColumn(id: "spend", title: zh ? "累计消费" : "lifetime spend", format: .money, isKey: false),
    ]
    let rows: [[Value]] = members.map { c in
      var r: [Value] = [cube.customers.keys.value(c)]
      if let n = cube.customers.name { r.append(n.value(c).map(Value.string) ?? .null) }
      r += [.double(alive[c]), .string(Day(raw: st.lastDay[c]).iso), .int(Int64(st.orderCount[c])), .double(st.totalSpend[c])]
      return r
    }
    let note = zh ? "值得挽留：至少两个购买日、累计消费不低于这类客户的中位数（\(String(format: "%.2f", median))）；只买过一次的客户在 BG/NBD 中存活概率为 1，不在此列"
      : "worth keeping: at least two purchase days and lifetime spend at or above their median (\(String(format: "%.2f", median))); one-time buyers have P(alive) = 1 in BG/NBD and are not listed"
    return ResultTable(columns: columns, rows: rows, shape: .list, notes: [note])
  }
}
