// The BG/NBD model (Fader, Hardie & Lee, "Counting Your Customers the Easy Way", Marketing
// Science 2005): its log-likelihood and gradient over grouped (x, tₓ, T), the maximum-likelihood
// fit, and per-customer P(alive), conditional expected purchases and the unconditional E[X(t)].

import Foundation

/// BG/NBD parameters: purchase rates λ ~ Gamma(r, α) (α in the summary's time unit), dropout
/// probabilities p ~ Beta(a, b).
///
///     let m = BGNBDParameters(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426)
///     m.pAlive(x: 2, recency: 30.43, age: 38.86)                              // 0.7266
///     m.expectedPurchases(horizon: 39, x: 2, recency: 30.43, age: 38.86)     // 1.226 (the paper's example)
///     m.expectedPurchases(horizon: 39)                                        // 1.197 for a new customer
public struct BGNBDParameters: Sendable, Codable, Equatable {
  public var r: Double
  public var alpha: Double
  public var a: Double
  public var b: Double

  public init(r: Double, alpha: Double, a: Double, b: Double) {
    self.r = r
    self.alpha = alpha
    self.a = a
    self.b = b
  }

  /// One customer's log-likelihood (the paper's equation 6, in the stable form of its appendix:
  /// ln L = A₁ + A₂ + ln(e^A₃ + δₓ₌₀̸ e^A₄)).
  public func logLikelihood(x: Int, recency tx: Double, age T: Double) -> Double {
    let xd = Double(x)
    let a1 = lgamma(r + xd) - lgamma(r) + r * log(alpha)
    let a2 = lgamma(a + b) + lgamma(b + xd) - lgamma(b) - lgamma(a + b + xd)
    let a3 = -(r + xd) * log(alpha + T)
    if x == 0 { return a1 + a2 + a3 }
    let a4 = log(a) - log(b + xd - 1) - (r + xd) * log(alpha + tx)
    return a1 + a2 + SpecialFunctions.logAddExp(a3, a4)
  }

  /// P(alive | x, tₓ, T) = 1 / (1 + δₓ₌₀̸ · a/(b + x − 1) · ((α + T)/(α + tₓ))^(r + x)) (paper eq. 11).
  public func pAlive(x: Int, recency tx: Double, age T: Double) -> Double {
    if x == 0 { return 1 }
    let xd = Double(x)
    let logOdds = log(a) - log(b + xd - 1) + (r + xd) * (log(alpha + T) - log(alpha + tx))
    return 1 / (1 + exp(logOdds))
  }

  /// E[X(t)]: expected purchases of a new customer in a period of length t (paper eq. 7).
  public func expectedPurchases(horizon t: Double) -> Double {
    conditionalCore(t: t, x: 0, T: 0)
  }

  /// E[Y(t) | x, tₓ, T]: expected purchases in the next t units of a customer with history
  /// (x, tₓ, T) (paper eq. 10).
  /// - Complexity: one ₂F₁ evaluation, O(x) series terms at worst.
  public func expectedPurchases(horizon t: Double, x: Int, recency tx: Double, age T: Double) -> Double {
    if t <= 0 { return 0 }
    return conditionalCore(t: t, x: x, T: T) * pAlive(x: x, recency: tx, age: T)
  }

  /// (a + b + x − 1)/(a − 1) · [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))],
  /// the numerator of eq. 10. By Euler's transformation the bracketed product equals
  /// (1 − z)^(a−1) ₂F₁(a+b−1−r, a−1; a+b+x−1; z), whose parameters stay small for large x.
  /// At a = 1 the ratio has a removable singularity: near it, interpolate across it. For extreme
  /// a (≫ x) the untransformed form is used instead.
  func conditionalCore(t: Double, x: Int, T: Double) -> Double {
    if t <= 0 { return 0 }
    let gap = 1e-4
    if abs(a - 1) < gap {
      var lo = self, hi = self
      lo.a = 1 - gap
      hi.a = 1 + gap
      let fl = lo.closedForm(t: t, x: x, T: T), fh = hi.closedForm(t: t, x: x, T: T)
      return fl + (a - (1 - gap)) / (2 * gap) * (fh - fl)
    }
    return closedForm(t: t, x: x, T: T)
  }

  private func closedForm(t: Double, x: Int, T: Double) -> Double {
    let xd = Double(x)
    let z = t / (alpha + T + t)
    let c = a + b + xd - 1
    var g = pow(1 - z, a - 1) * SpecialFunctions.hyp2f1(a + b - 1 - r, a - 1, c, z)
    if !g.isFinite {
      // Extreme a (a fit at the edge of its range): the untransformed product is then the tame one.
      g = exp((r + xd) * log1p(-z)) * SpecialFunctions.hyp2f1(r + xd, b + xd, c, z)
    }
    return c / (a - 1) * (1 - g)
  }
}

/// Fitting and evaluating BG/NBD over a summary's groups.
enum BGNBDFit {
  /// The grouped data, with the per-x constants and the distinct day values factored out:
  /// each evaluation takes lgamma and ψ once per distinct x and log(α + d) once per distinct
  /// day count d, leaving one exp and one log1p per group.
  struct Data {
    var xIndex: [Int32] = []  // per group, into distinctX
    var ageIndex: [Int32] = []  // per group, into distinctDays (T)
    var recencyIndex: [Int32] = []  // per group, into distinctDays (tₓ)
    var x: [Double] = []
    var weight: [Double] = []
    var distinctX: [Double] = []
    /// Distinct T and tₓ values, in the model's unit.
    var distinctDays: [Double] = []
    var totalWeight = 0.0
    var groups: Int { x.count }

    init(_ s: RFMSummary) {
      var xSlot: [Int32: Int32] = [:]
      var daySlot: [Int32: Int32] = [:]
      func day(_ d: Int32) -> Int32 {
        if let k = daySlot[d] { return k }
        let k = Int32(distinctDays.count)
        daySlot[d] = k
        distinctDays.append(Double(d) / s.unit.days)
        return k
      }
      xIndex.reserveCapacity(s.groups)
      ageIndex.reserveCapacity(s.groups)
      recencyIndex.reserveCapacity(s.groups)
      x.reserveCapacity(s.groups)
      weight.reserveCapacity(s.groups)
      for g in 0..<s.groups {
        let xv = s.groupFrequency[g]
        let k: Int32
        if let v = xSlot[xv] { k = v } else {
          k = Int32(distinctX.count)
          xSlot[xv] = k
          distinctX.append(Double(xv))
        }
        xIndex.append(k)
        ageIndex.append(day(s.groupAgeDays[g]))
        recencyIndex.append(day(s.groupRecencyDays[g]))
        x.append(Double(xv))
        weight.append(Double(s.groupCount[g]))
        totalWeight += Double(s.groupCount[g])
      }
    }
  }

  /// Σ count · ln L over the groups, and its gradient with respect to (ln r, ln α, ln a, ln b)
  /// when `gradient` is given.
  /// - Complexity: O(groups) with one exp and one log1p each, plus O(distinct x + distinct days)
  ///   lgamma, ψ and log.
  static func logLikelihood(_ p: BGNBDParameters, _ d: Data, gradient: UnsafeMutablePointer<Double>? = nil) -> Double {
    let r = p.r, al = p.alpha, a = p.a, b = p.b
    let m = d.distinctX.count
    var constX = [Double](repeating: 0, count: m)  // A1 + A2
    var logA4 = [Double](repeating: 0, count: m)  // ln a − ln(b + x − 1)
    var dr = [Double](repeating: 0, count: m), da = dr, db = dr  // per-x parts of the gradient
    let lgr: Double = lgamma(r), lgb: Double = lgamma(b), lgab: Double = lgamma(a + b)
    let la: Double = log(a), lal: Double = log(al)
    let wantGradient = gradient != nil
    let psiR = wantGradient ? SpecialFunctions.digamma(r) : 0
    let psiB = wantGradient ? SpecialFunctions.digamma(b) : 0
    let psiAB = wantGradient ? SpecialFunctions.digamma(a + b) : 0
    for k in 0..<m {
      let x = d.distinctX[k]
      constX[k] = lgamma(r + x) - lgr + r * lal + lgab + lgamma(b + x) - lgb - lgamma(a + b + x)
      logA4[k] = x > 0 ? la - log(b + x - 1) : -.infinity
      if wantGradient {
        dr[k] = SpecialFunctions.digamma(r + x) - psiR + lal
        let psiABX = SpecialFunctions.digamma(a + b + x)
        da[k] = psiAB - psiABX
        db[k] = psiAB + SpecialFunctions.digamma(b + x) - psiB - psiABX
      }
    }
    let logDay = d.distinctDays.map { log(al + $0) }
    let invDay = wantGradient ? d.distinctDays.map { 1 / (al + $0) } : []
    var ll = 0.0
    var gr = 0.0, gal = 0.0, ga = 0.0, gb = 0.0
    for g in 0..<d.groups {
      let k = Int(d.xIndex[g])
      let x = d.x[g], w = d.weight[g]
      let rx = r + x
      let iT = Int(d.ageIndex[g])
      let lT = logDay[iT]
      let a3 = -rx * lT
      if x == 0 {
        ll += w * (constX[k] + a3)
        if wantGradient {
          gr += w * (dr[k] - lT)
          gal += w * (r / al - rx * invDay[iT])
          ga += w * da[k]
          gb += w * db[k]
        }
        continue
      }
      let iR = Int(d.recencyIndex[g])
      let ltx = logDay[iR]
      let a4 = logA4[k] - rx * ltx
      // log(e^a3 + e^a4) and the weight w4 = e^a4 / (e^a3 + e^a4).
      let w4: Double, lse: Double
      if a3 >= a4 {
        let e = exp(a4 - a3)
        lse = a3 + log1p(e)
        w4 = e / (1 + e)
      } else {
        let e = exp(a3 - a4)
        lse = a4 + log1p(e)
        w4 = 1 / (1 + e)
      }
      ll += w * (constX[k] + lse)
      if wantGradient {
        let w3 = 1 - w4
        gr += w * (dr[k] - w3 * lT - w4 * ltx)
        gal += w * (r / al - rx * (w3 * invDay[iT] + w4 * invDay[iR]))
        ga += w * (da[k] + w4 / a)
        gb += w * (db[k] - w4 / (b + x - 1))
      }
    }
    if let gradient {
      gradient[0] = gr * r
      gradient[1] = gal * al
      gradient[2] = ga * a
      gradient[3] = gb * b
    }
    return ll
  }

  /// Log-parameters beyond ±`bound` are rejected (the objective is +∞ there).
  static let bound = 25.0

  /// Maximum likelihood on log-parameters: BFGS with the analytic gradient from a
  /// moment-based start; if that does not converge, Nelder–Mead with restarts from the best
  /// point so far, polished by BFGS again.
  static func fit(_ d: Data) -> (BGNBDParameters, logLikelihood: Double, result: OptimizationResult) {
    let scale = 1 / max(d.totalWeight, 1)
    func params(_ t: [Double]) -> BGNBDParameters { BGNBDParameters(r: exp(t[0]), alpha: exp(t[1]), a: exp(t[2]), b: exp(t[3])) }
    func inRange(_ t: [Double]) -> Bool { t.allSatisfy { $0.isFinite && abs($0) <= bound } }
    let objective: ([Double], inout [Double]) -> Double = { t, g in
      guard inRange(t) else { return .infinity }
      var grad = [Double](repeating: 0, count: 4)
      let ll = grad.withUnsafeMutableBufferPointer { logLikelihood(params(t), d, gradient: $0.baseAddress) }
      g = grad.map { -$0 * scale }
      return -ll * scale
    }
    let plain: ([Double]) -> Double = { t in
      guard inRange(t) else { return .infinity }
      return -logLikelihood(params(t), d) * scale
    }
    // Start: r = 1 and α from the mean purchase rate (E[λ] = r/α), a = b = 1 as lifetimes does.
    var sumX = 0.0, sumT = 0.0
    for g in 0..<d.groups {
      sumX += d.weight[g] * d.x[g]
      sumT += d.weight[g] * d.distinctDays[Int(d.ageIndex[g])]
    }
    let alpha0 = sumX > 0 && sumT > 0 ? min(max(sumT / sumX, 1e-3), 1e6) : 1
    let start = [0, log(alpha0), 0, 0]
    let best = RobustMinimizer.minimize(from: start, objective, plain: plain)
    let p = params(best.point)
    return (p, -best.value / scale, best)
  }
}
