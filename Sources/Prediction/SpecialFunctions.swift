// Special functions for the customer-base models: log-gamma with sign (negative arguments
// too), digamma, log-sum-exp, and the Gaussian hypergeometric function 2F1 on the real line
// z ≤ 1 (series, Pfaff and 1 − z transformations, the integer c − a − b case by symmetric
// perturbation). Everything here is pure and thread-safe.

import Foundation

enum SpecialFunctions {
  // MARK: Gamma family

  /// log|Γ(x)| and the sign of Γ(x); `pole` is true at x = 0, −1, −2, … (1/Γ = 0 there).
  ///
  ///     SpecialFunctions.signedLogGamma(-0.5)   // (log(2√π), -1, false): Γ(−½) = −2√π
  static func signedLogGamma(_ x: Double) -> (log: Double, sign: Double, pole: Bool) {
    if x > 0 { return (lgamma(x), 1, false) }
    if x.isNaN { return (.nan, 1, false) }
    if x == x.rounded(.down) { return (.infinity, 1, true) }
    // Reflection: Γ(x) Γ(1 − x) = π / sin(πx); reduce the argument of sin exactly first.
    let frac = x - x.rounded(.down)  // in (0, 1)
    let whole = x.rounded(.down)
    var s = sin(Double.pi * frac)
    if Int(whole.magnitude.truncatingRemainder(dividingBy: 2)) == 1 { s = -s }
    return (log(Double.pi) - log(abs(s)) - lgamma(1 - x), s < 0 ? -1 : 1, false)
  }

  /// Π Γ(num) / Π Γ(den) through logs (no overflow for large arguments); 0 when a
  /// denominator argument is a pole, ±∞ when only a numerator one is.
  static func gammaRatio(_ num: [Double], _ den: [Double]) -> Double {
    var logSum = 0.0
    var sign = 1.0
    for v in den {
      let g = signedLogGamma(v)
      if g.pole { return 0 }
      logSum -= g.log
      sign *= g.sign
    }
    for v in num {
      let g = signedLogGamma(v)
      if g.pole { return .infinity }
      logSum += g.log
      sign *= g.sign
    }
    return sign * exp(logSum)
  }

  /// ψ(x) = d/dx log Γ(x): recurrence up to x ≥ 10, then the asymptotic series
  /// (absolute error below 1e-15 there); reflection for negative x.
  ///
  ///     SpecialFunctions.digamma(1)   // −0.5772156649015329 (−γ)
  static func digamma(_ x: Double) -> Double {
    if x.isNaN { return .nan }
    if x <= 0 {
      if x == x.rounded(.down) { return .nan }
      return digamma(1 - x) - Double.pi / tan(Double.pi * x)
    }
    var v = x
    var acc = 0.0
    while v < 10 {
      acc -= 1 / v
      v += 1
    }
    let f = 1 / (v * v)
    let tail = f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132 - f * 691.0 / 32760)))))
    return acc + log(v) - 0.5 / v - tail
  }

  /// log(eᵘ + eᵛ) without overflow.
  @inline(__always)
  static func logAddExp(_ u: Double, _ v: Double) -> Double {
    if u == -.infinity { return v }
    if v == -.infinity { return u }
    return u > v ? u + log1p(exp(v - u)) : v + log1p(exp(u - v))
  }

  // MARK: Gaussian hypergeometric function

  /// ₂F₁(a, b; c; z) for real parameters and real z ≤ 1 (NaN for z > 1, where the real
  /// function is not single-valued, and for c a non-positive integer unless the series
  /// terminates first).
  ///
  /// - 0 ≤ z ≤ ½: the defining series (positive ratio, no cancellation for positive a, b, c).
  /// - ½ < z < 1: the 1 − z connection formula (Abramowitz & Stegun 15.3.6); when c − a − b
  ///   is within 1e-5 of an integer (where that formula degenerates) the value is
  ///   interpolated linearly in c between c − a − b = m ± 2·10⁻⁵: error about 1e-9 relative.
  /// - z < 0: Pfaff, (1 − z)^(−a) ₂F₁(a, c − b; c; z/(z − 1)), which maps z into (0, 1).
  /// - z = 1: Gauss's sum Γ(c)Γ(c − a − b)/(Γ(c − a)Γ(c − b)) when c − a − b > 0, else +∞.
  ///
  ///     SpecialFunctions.hyp2f1(1, 1, 2, 0.5)   // 1.3862943611198906 (= −log(1 − z)/z)
  ///
  /// - Complexity: O(max(|a|, |b|, |c|) + log(1/ε)) series terms.
  static func hyp2f1(_ a: Double, _ b: Double, _ c: Double, _ z: Double) -> Double {
    if a.isNaN || b.isNaN || c.isNaN || z.isNaN || z > 1 { return .nan }
    if z == 0 || a == 0 || b == 0 { return 1 }
    if isNonPositiveInteger(a) || isNonPositiveInteger(b) {
      // A polynomial: the series terminates (before hitting a pole of c when it is valid).
      let degree = min(isNonPositiveInteger(a) ? -a : .infinity, isNonPositiveInteger(b) ? -b : .infinity)
      if isNonPositiveInteger(c) && -c < degree { return .nan }
      return series(a, b, c, z) ?? .nan
    }
    if isNonPositiveInteger(c) { return .nan }
    if z == 1 {
      let s = c - a - b
      return s > 0 ? gammaRatio([c, s], [c - a, c - b]) : .infinity
    }
    if z < 0 {
      let w = z / (z - 1)
      return pow(1 - z, -a) * positive(a, c - b, c, w)
    }
    return positive(a, b, c, z)
  }

  /// 0 < z < 1.
  private static func positive(_ a: Double, _ b: Double, _ c: Double, _ z: Double) -> Double {
    if z <= 0.5 || isNonPositiveInteger(a) || isNonPositiveInteger(b) { return series(a, b, c, z) ?? .nan }
    let s = c - a - b
    let m = s.rounded()
    if abs(s - m) < 1e-5 {
      // Degenerate connection formula: interpolate in c across the integer.
      let h = 2e-5
      let c0 = c - (s - m)
      let lo = connection(a, b, c0 - h, z)
      let hi = connection(a, b, c0 + h, z)
      let t = (c - (c0 - h)) / (2 * h)
      return lo + t * (hi - lo)
    }
    return connection(a, b, c, z)
  }

  /// A&S 15.3.6, for ½ < z < 1 and c − a − b not an integer.
  private static func connection(_ a: Double, _ b: Double, _ c: Double, _ z: Double) -> Double {
    let w = 1 - z
    let s = c - a - b
    var total = 0.0
    let c1 = gammaRatio([c, s], [c - a, c - b])
    if c1 != 0 { total += c1 * (series(a, b, 1 - s, w) ?? .nan) }
    let c2 = gammaRatio([c, -s], [a, b])
    if c2 != 0 { total += c2 * pow(w, s) * (series(c - a, c - b, 1 + s, w) ?? .nan) }
    return total
  }

  /// The defining series Σ (a)ₙ(b)ₙ/((c)ₙ n!) zⁿ; nil when it has not converged.
  private static func series(_ a: Double, _ b: Double, _ c: Double, _ z: Double) -> Double? {
    var term = 1.0
    var sum = 1.0
    let limit = 200_000 + 20 * Int(min(max(abs(a), abs(b), abs(c)), 1e6))
    var n = 0.0
    for _ in 0..<limit {
      term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z
      sum += term
      n += 1
      if term == 0 { return sum }
      if abs(term) <= 1e-17 * abs(sum) {
        // Stop only where the terms keep shrinking from here on.
        let ratio = abs((a + n) * (b + n) / ((c + n) * (n + 1)) * z)
        if ratio < 1 && n > abs(a) && n > abs(b) || ratio < 0.5 { return sum }
      }
      if !sum.isFinite { return sum }
    }
    return nil
  }

  @inline(__always)
  static func isNonPositiveInteger(_ v: Double) -> Bool { v <= 0 && v == v.rounded(.down) }
}
