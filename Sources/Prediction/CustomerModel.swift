// The public face of Prediction: fit BG/NBD and Gamma-Gamma on a cube's calibration period,
// then answer per customer (P(alive), expected purchases, expected spend, CLV), in bulk for
// whole-customer-base questions, and describe the fit as JSON.

import Cube
import Foundation
import QueryModel

/// Why a model could not be fitted.
public enum PredictionError: Error, Sendable, Equatable, CustomStringConvertible {
  /// No customer bought anything up to the calibration end (nil: the data has no dated order).
  case noCustomers(calibrationEnd: Day?)
  /// Nobody came back: BG/NBD cannot separate purchase rate from dropout.
  case noRepeatPurchases
  /// The optimiser ended somewhere the likelihood is not finite.
  case fitFailed(String)

  public var description: String {
    switch self {
    case .noCustomers(let end?): return "No customer has a purchase on or before \(end.iso); choose a later calibration end."
    case .noCustomers(nil): return "The data has no dated purchases to fit a model on."
    case .noRepeatPurchases: return "No customer made a repeat purchase in the calibration period, so purchase frequency cannot be modelled."
    case .fitFailed(let why): return "The model could not be fitted: \(why)."
    }
  }

  /// The same in Chinese, for zh answers.
  public var chineseDescription: String {
    switch self {
    case .noCustomers(let end?): return "截至 \(end.iso) 没有任何客户有购买记录，请选择更晚的校准截止日。"
    case .noCustomers(nil): return "数据中没有带日期的购买记录，无法建立模型。"
    case .noRepeatPurchases: return "校准期内没有客户复购，无法建立购买频次模型。"
    case .fitFailed(let why): return "模型拟合失败：\(why)。"
    }
  }
}

/// BG/NBD (purchase frequency and dropout) and Gamma-Gamma (spend per purchase) fitted by
/// maximum likelihood on every customer's purchases up to `calibrationEnd` (included).
///
/// Frequency x is the number of distinct purchase days minus one, recency tₓ the last minus the
/// first purchase day and age T the calibration end minus the first purchase day, in `unit`.
/// Gamma-Gamma uses customers with x ≥ 1 and a positive mean of their repeat purchase days'
/// totals (the first purchase day left out, NULL amounts as 0).
///
///     let model = try CustomerModel.fit(cube: cube, calibrationEnd: Day(year: 1997, month: 9, day: 30))
///     model.bgnbd                                        // r 0.243, α 4.414, a 0.793, b 2.426 on CDNOW
///     model.pAlive(customerRow: 17)                      // 0…1
///     model.expectedPurchases(customerRow: 17, horizon: model.units(days: 91))   // next quarter
///     model.clv(customerRow: 17)                         // 12 months at 1% a month
///     print(model.json())
public struct CustomerModel: Sendable {
  /// CLV defaults (as lifetimes' `customer_lifetime_value`): 12 months, 1% discount a month.
  public static let defaultMonths = 12
  public static let defaultMonthlyDiscount = 0.01

  public let summary: RFMSummary
  public let bgnbd: BGNBDParameters
  /// Nil when fewer than 2 customers have a repeat purchase with positive spend, or the fit
  /// gives q ≤ 1 (no finite mean spend).
  public let gammaGamma: GammaGammaParameters?
  /// BG/NBD log-likelihood at the fit, summed over customers.
  public let logLikelihood: Double
  public let gammaGammaLogLikelihood: Double?
  /// Customers in the BG/NBD fit (with a purchase up to the calibration end).
  public let customersUsed: Int
  /// Customers in the Gamma-Gamma fit.
  public let gammaGammaCustomers: Int
  /// Customers with at least one repeat purchase day (what identifies BG/NBD: with few of
  /// them, say under 30, the parameters can run to extremes; treat the fit as unreliable).
  public var repeatCustomers: Int {
    var n = 0
    for g in 0..<summary.groups where summary.groupFrequency[g] > 0 { n += Int(summary.groupCount[g]) }
    return n
  }
  /// Both optimisers met their convergence tests.
  public let converged: Bool

  public var unit: TimeUnitLength { summary.unit }
  public var calibrationStart: Day { summary.calibrationStart }
  public var calibrationEnd: Day { summary.calibrationEnd }

  /// Fits both models on the cube's orders up to `calibrationEnd` (default: the last order day).
  /// - Complexity: O(orders + customers) to summarise, then O(distinct (x, tₓ, T)) per
  ///   likelihood evaluation (typically 30–80 of them) and O(repeat customers) per Gamma-Gamma one.
  public static func fit(cube: Cube, calibrationEnd: Day? = nil, unit: TimeUnitLength = .weeks) throws -> CustomerModel {
    guard let end = calibrationEnd ?? cube.dateRange?.end else { throw PredictionError.noCustomers(calibrationEnd: nil) }
    return try fit(summary: RFMSummary(cube: cube, calibrationEnd: end, unit: unit))
  }

  /// Fits both models on a prepared summary.
  public static func fit(summary s: RFMSummary) throws -> CustomerModel {
    guard s.customers > 0 else { throw PredictionError.noCustomers(calibrationEnd: s.calibrationEnd) }
    guard s.groupFrequency.contains(where: { $0 > 0 }) else { throw PredictionError.noRepeatPurchases }
    let data = BGNBDFit.Data(s)
    let (bg, ll, result) = BGNBDFit.fit(data)
    guard ll.isFinite, [bg.r, bg.alpha, bg.a, bg.b].allSatisfy({ $0.isFinite && $0 > 0 }) else {
      throw PredictionError.fitFailed("BG/NBD log-likelihood not finite")
    }
    var gg = GammaGammaFit.Data()
    for c in 0..<s.groupOfCustomer.count {
      guard let g = s.group(c) else { continue }
      gg.append(x: Int(s.groupFrequency[g]), mean: s.repeatSpend[c])
    }
    var ggParams: GammaGammaParameters?
    var ggLL: Double?
    var ggConverged = true
    if gg.count >= 2 {
      let (p, l, r) = GammaGammaFit.fit(gg)
      if l.isFinite && p.q > 1 && [p.p, p.q, p.gamma].allSatisfy({ $0.isFinite && $0 > 0 }) {
        ggParams = p
        ggLL = l
        ggConverged = r.converged
      }
    }
    return CustomerModel(summary: s, bgnbd: bg, gammaGamma: ggParams, logLikelihood: ll, gammaGammaLogLikelihood: ggLL,
                         customersUsed: s.customers, gammaGammaCustomers: ggParams == nil ? 0 : gg.count,
                         converged: result.converged && ggConverged)
  }

  /// A model with given parameters over a summary (no fitting), e.g. to score with published values.
  public init(summary: RFMSummary, bgnbd: BGNBDParameters, gammaGamma: GammaGammaParameters?, logLikelihood: Double? = nil,
              gammaGammaLogLikelihood: Double? = nil, customersUsed: Int? = nil, gammaGammaCustomers: Int = 0,
              converged: Bool = true) {
    self.summary = summary
    self.bgnbd = bgnbd
    self.gammaGamma = gammaGamma
    self.logLikelihood = logLikelihood ?? BGNBDFit.logLikelihood(bgnbd, BGNBDFit.Data(summary))
    self.gammaGammaLogLikelihood = gammaGammaLogLikelihood
    self.customersUsed = customersUsed ?? summary.customers
    self.gammaGammaCustomers = gammaGammaCustomers
    self.converged = converged
  }

  /// A length in days, in the model's unit (e.g. a quarter: `units(days: 91)`).
  public func units(days: Double) -> Double { days / unit.days }

  // MARK: Per customer

  /// P(alive | x, tₓ, T) at the calibration end; nil when the row has no purchase by then.
  ///
  ///     model.pAlive(customerRow: c).map { 1 - $0 }   // churn risk
  public func pAlive(customerRow c: Int) -> Double? {
    guard let g = summary.group(c) else { return nil }
    return pAlive(group: g)
  }

  /// Expected purchases (purchase days) in the `horizon` units after the calibration end.
  ///
  ///     model.expectedPurchases(customerRow: c, horizon: model.units(days: 91))
  public func expectedPurchases(customerRow c: Int, horizon: Double) -> Double? {
    guard let g = summary.group(c) else { return nil }
    return expectedPurchases(group: g, horizon: horizon)
  }

  /// Expected spend per purchase day (Gamma-Gamma conditional mean); for customers without a
  /// repeat purchase the population mean. Nil without a Gamma-Gamma fit or a purchase.
  ///
  ///     model.expectedSpend(customerRow: c)   // e.g. 34.3 (currency of the data)
  public func expectedSpend(customerRow c: Int) -> Double? {
    guard let gg = gammaGamma, let g = summary.group(c) else { return nil }
    let x = Int(summary.groupFrequency[g])
    let v = gg.expectedSpend(x: x, meanSpend: max(0, x > 0 ? summary.repeatSpend[c] : 0))
    return v.isFinite ? v : nil
  }

  /// Customer lifetime value over `months` months, as lifetimes' `customer_lifetime_value`:
  /// Σᵢ E[purchases in month i] · expected spend / (1 + monthlyDiscount)^i, a month being
  /// `unit.month` units (30 days; 4.345 weeks).
  ///
  ///     model.clv(customerRow: c)                                 // 12 months, 1% a month
  ///     model.clv(customerRow: c, months: 24, monthlyDiscount: 0.02)
  public func clv(customerRow c: Int, months: Int = CustomerModel.defaultMonths,
                  monthlyDiscount: Double = CustomerModel.defaultMonthlyDiscount) -> Double? {
    guard let spend = expectedSpend(customerRow: c), let g = summary.group(c) else { return nil }
    return spend * discountedPurchases(group: g, months: months, monthlyDiscount: monthlyDiscount)
  }

  /// E[X(t)]: expected purchases in `horizon` units of a customer just acquired.
  public func expectedPurchasesOfNewCustomer(horizon: Double) -> Double { bgnbd.expectedPurchases(horizon: horizon) }

  // MARK: Whole customer base (one evaluation per distinct (x, tₓ, T), NaN for rows without a purchase)

  /// P(alive) per customer row.
  /// - Complexity: O(customers + groups).
  public func pAliveByCustomer() -> ContiguousArray<Double> {
    let perGroup = (0..<summary.groups).map { pAlive(group: $0) }
    return summary.groupOfCustomer.reduce(into: ContiguousArray<Double>()) { out, g in out.append(g < 0 ? .nan : perGroup[Int(g)]) }
  }

  /// Expected purchases in `horizon` units per customer row.
  /// - Complexity: O(customers + groups · ₂F₁).
  public func expectedPurchasesByCustomer(horizon: Double) -> ContiguousArray<Double> {
    let perGroup = (0..<summary.groups).map { expectedPurchases(group: $0, horizon: horizon) }
    return summary.groupOfCustomer.reduce(into: ContiguousArray<Double>()) { out, g in out.append(g < 0 ? .nan : perGroup[Int(g)]) }
  }

  /// CLV per customer row (NaN where `clv(customerRow:)` is nil).
  /// - Complexity: O(customers + groups · months · ₂F₁).
  public func clvByCustomer(months: Int = CustomerModel.defaultMonths,
                            monthlyDiscount: Double = CustomerModel.defaultMonthlyDiscount) -> ContiguousArray<Double> {
    let perGroup = (0..<summary.groups).map { discountedPurchases(group: $0, months: months, monthlyDiscount: monthlyDiscount) }
    var out = ContiguousArray<Double>(repeating: .nan, count: summary.groupOfCustomer.count)
    for c in 0..<out.count {
      let g = summary.groupOfCustomer[c]
      if g >= 0, let s = expectedSpend(customerRow: c) { out[c] = s * perGroup[Int(g)] }
    }
    return out
  }

  // MARK: Description

  /// The fit as one JSON object:
  /// `{"bgnbd": {"r", "alpha", "a", "b"}, "gammagamma": {"p", "q", "gamma", "customers",
  /// "log_likelihood"} or null, "log_likelihood", "customers", "repeat_customers",
  /// "calibration": {"start", "end"}, "time_unit", "converged"}`.
  ///
  ///     model.json()   // {"bgnbd":{"r":0.2425945…,"alpha":4.41360…,…},…}
  public func json() -> String {
    func num(_ v: Double?) -> String {
      guard let v, v.isFinite else { return "null" }
      return "\(v)"
    }
    var out = "{\"bgnbd\":{\"r\":\(num(bgnbd.r)),\"alpha\":\(num(bgnbd.alpha)),\"a\":\(num(bgnbd.a)),\"b\":\(num(bgnbd.b))}"
    if let gg = gammaGamma {
      out += ",\"gammagamma\":{\"p\":\(num(gg.p)),\"q\":\(num(gg.q)),\"gamma\":\(num(gg.gamma))"
      out += ",\"customers\":\(gammaGammaCustomers),\"log_likelihood\":\(num(gammaGammaLogLikelihood))}"
    } else {
      out += ",\"gammagamma\":null"
    }
    out += ",\"log_likelihood\":\(num(logLikelihood)),\"customers\":\(customersUsed),\"repeat_customers\":\(repeatCustomers)"
    out += ",\"calibration\":{\"start\":\"\(calibrationStart.iso)\",\"end\":\"\(calibrationEnd.iso)\"}"
    out += ",\"time_unit\":\"\(unit.rawValue)\",\"converged\":\(converged)}"
    return out
  }

  // MARK: Per group

  func pAlive(group g: Int) -> Double {
    bgnbd.pAlive(x: Int(summary.groupFrequency[g]), recency: Double(summary.groupRecencyDays[g]) / unit.days,
                 age: Double(summary.groupAgeDays[g]) / unit.days)
  }

  func expectedPurchases(group g: Int, horizon: Double) -> Double {
    bgnbd.expectedPurchases(horizon: horizon, x: Int(summary.groupFrequency[g]),
                            recency: Double(summary.groupRecencyDays[g]) / unit.days,
                            age: Double(summary.groupAgeDays[g]) / unit.days)
  }

  /// Σᵢ (E[Y(i·month)] − E[Y((i−1)·month)]) / (1 + d)^i.
  func discountedPurchases(group g: Int, months: Int, monthlyDiscount d: Double) -> Double {
    var total = 0.0
    var previous = 0.0
    if months < 1 { return 0 }
    for i in 1...months {
      let e = expectedPurchases(group: g, horizon: Double(i) * unit.month)
      total += (e - previous) / pow(1 + d, Double(i))
      previous = e
    }
    return total
  }
}
