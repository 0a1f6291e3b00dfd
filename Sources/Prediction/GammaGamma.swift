// The Gamma-Gamma spend model (Fader, Hardie & Lee, "RFM and CLV: Using Iso-Value Curves for
// Customer Base Analysis", JMR 2005): its log-likelihood and gradient, the maximum-likelihood fit
// on customers with repeat purchases, and the conditional expected average spend.

import Foundation

/// Gamma-Gamma parameters: a purchase's spend is Gamma(p, ν) with ν ~ Gamma(q, γ); the mean
/// spend per purchase of a customer is then p/ν, and of the population pγ/(q − 1).
///
///     let g = GammaGammaParameters(p: 6.25, q: 3.74, gamma: 15.44)
///     g.expectedSpend(x: 2, meanSpend: 35)   // 35.04: pulled toward the population mean
///     g.populationMeanSpend                  // 35.22
public struct GammaGammaParameters: Sendable, Codable, Equatable {
  public var p: Double
  public var q: Double
  public var gamma: Double

  public init(p: Double, q: Double, gamma: Double) {
    self.p = p
    self.q = q
    self.gamma = gamma
  }

  /// ln f(m̄ | p, q, γ; x): the density of the mean m̄ of x purchases (x ≥ 1, m̄ > 0),
  /// Γ(px+q)/(Γ(px)Γ(q)) · γ^q m̄^(px−1) x^(px) / (γ + m̄x)^(px+q).
  public func logLikelihood(x: Int, meanSpend m: Double) -> Double {
    let px = p * Double(x)
    return lgamma(px + q) - lgamma(px) - lgamma(q) + q * log(gamma) + (px - 1) * log(m) + px * log(Double(x))
      - (px + q) * log(gamma + m * Double(x))
  }

  /// E[M | x, m̄] = p(γ + x m̄)/(px + q − 1): the customer's expected spend per purchase
  /// (for x = 0, the population mean pγ/(q − 1)). NaN when the denominator is not positive.
  public func expectedSpend(x: Int, meanSpend m: Double) -> Double {
    let xd = Double(x)
    let den = p * xd + q - 1
    guard den > 0 else { return .nan }
    return p * (gamma + (x > 0 ? xd * m : 0)) / den
  }

  /// The population mean spend per purchase, pγ/(q − 1) (NaN when q ≤ 1).
  public var populationMeanSpend: Double { q > 1 ? p * gamma / (q - 1) : .nan }
}

enum GammaGammaFit {
  /// Customers with x ≥ 1 and a positive mean, with the x-only sums factored out.
  struct Data {
    var x: [Double] = []
    var m: [Double] = []
    var distinctX: [Double] = []
    var countOfX: [Double] = []
    var xIndex: [Int32] = []
    private var slot: [Int: Int32] = [:]
    var sumLogM = 0.0  // Σ ln m̄
    var sumXLogM = 0.0  // Σ x ln m̄
    var sumXLogX = 0.0  // Σ x ln x
    var count: Int { x.count }

    mutating func append(x xv: Int, mean: Double) {
      guard xv >= 1, mean > 0, mean.isFinite else { return }
      let xd = Double(xv)
      if let k = slot[xv] {
        xIndex.append(k)
        countOfX[Int(k)] += 1
      } else {
        slot[xv] = Int32(distinctX.count)
        xIndex.append(Int32(distinctX.count))
        distinctX.append(xd)
        countOfX.append(1)
      }
      x.append(xd)
      m.append(mean)
      sumLogM += log(mean)
      sumXLogM += xd * log(mean)
      sumXLogX += xd * log(xd)
    }
  }

  /// Σ ln f over the customers, and its gradient with respect to (ln p, ln q, ln γ) when asked.
  /// - Complexity: O(customers) with one log each (lgamma and ψ only per distinct x).
  static func logLikelihood(_ par: GammaGammaParameters, _ d: Data, gradient: UnsafeMutablePointer<Double>? = nil) -> Double {
    let p = par.p, q = par.q, g = par.gamma
    let n = Double(d.count)
    var ll = -n * lgamma(q) + n * q * log(g) + p * d.sumXLogM - d.sumLogM + p * d.sumXLogX
    var gp = d.sumXLogM + d.sumXLogX, gq = n * (log(g) - SpecialFunctions.digamma(q)), gg = n * q / g
    let want = gradient != nil
    for k in 0..<d.distinctX.count {
      let px = p * d.distinctX[k], c = d.countOfX[k]
      ll += c * (lgamma(px + q) - lgamma(px))
      if want {
        let psiPXQ = SpecialFunctions.digamma(px + q)
        gp += c * d.distinctX[k] * (psiPXQ - SpecialFunctions.digamma(px))
        gq += c * psiPXQ
      }
    }
    for i in 0..<d.count {
      let x = d.x[i]
      let u = g + d.m[i] * x
      let lu = log(u)
      ll -= (p * x + q) * lu
      if want {
        gp -= x * lu
        gq -= lu
        gg -= (p * x + q) / u
      }
    }
    if let gradient {
      gradient[0] = gp * p
      gradient[1] = gq * q
      gradient[2] = gg * g
    }
    return ll
  }

  static let bound = 25.0

  /// Maximum likelihood on log-parameters from p = 1, q = 2, γ = mean m̄ (population mean
  /// spend pγ/(q − 1) matching the data), BFGS with the analytic gradient, Nelder–Mead with
  /// restarts as the fallback.
  static func fit(_ d: Data) -> (GammaGammaParameters, logLikelihood: Double, result: OptimizationResult) {
    let scale = 1 / max(Double(d.count), 1)
    func params(_ t: [Double]) -> GammaGammaParameters { GammaGammaParameters(p: exp(t[0]), q: exp(t[1]), gamma: exp(t[2])) }
    func inRange(_ t: [Double]) -> Bool { t.allSatisfy { $0.isFinite && abs($0) <= bound } }
    let objective: ([Double], inout [Double]) -> Double = { t, g in
      guard inRange(t) else { return .infinity }
      var grad = [Double](repeating: 0, count: 3)
      let ll = grad.withUnsafeMutableBufferPointer { logLikelihood(params(t), d, gradient: $0.baseAddress) }
      g = grad.map { -$0 * scale }
      return -ll * scale
    }
    let plain: ([Double]) -> Double = { t in
      guard inRange(t) else { return .infinity }
      return -logLikelihood(params(t), d) * scale
    }
    let meanM = d.m.reduce(0, +) * scale
    let start: [Double] = [0, log(2.0), log(max(meanM, 1e-6))]
    let best = RobustMinimizer.minimize(from: start, objective, plain: plain)
    return (params(best.point), -best.value / scale, best)
  }
}
