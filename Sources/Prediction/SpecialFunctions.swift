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
    // Reflection: Γ(x) Γ(1 − x) = π / sin(πx). sin(πx) = (−1)ⁿ sin(π(x − n)) for the nearest
    // integer n, and x − n is exact, so sin keeps full relative accuracy next to the poles.
    let n = x.rounded()
    var s = sin(Double.pi * (x - n))
    if Int(n.magnitude.truncatingRemainder(dividingBy: 2)) == 1 { s = -s }
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
  /// - 0 ≤ z ≤ ½, and up to z = 0.99 when its terms do not cancel (a, b, c > 0 for instance):
  ///   the defining series.
  /// - Otherwise for z < 1: the 1 − z connection formula (Abramowitz & Stegun 15.3.6); when c − a − b is
  ///   an integer m, its limiting form with logarithms and ψ (A&S 15.3.10–12); within 1e-4 of an
  ///   integer, quadratic interpolation in c through m − 10⁻⁴, m, m + 10⁻⁴ (about 1e-11 relative).
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
    if z <= 0.99, let (sum, magnitude) = seriesWithMagnitude(a, b, c, z), magnitude <= 1e3 * abs(sum) {
      // The direct series loses at most 3 digits here (always so when a, b, c > 0), while the
      // connection formula can cancel badly for large parameters.
      return sum
    }
    let s = c - a - b
    let m = s.rounded()
    let delta = s - m
    if abs(m) > 1e6 { return connection(a, b, c, z) }
    if delta == 0 { return integerCase(a, b, Int(m), z) }
    let h = 1e-4
    if abs(delta) < h {
      // Near the degenerate case: interpolate in c through s = m − h, m, m + h.
      let c0 = a + b + m
      let f0 = integerCase(a, b, Int(m), z)
      let fm = connection(a, b, c0 - h, z), fp = connection(a, b, c0 + h, z)
      let t = delta / h
      return f0 + t * (fp - fm) / 2 + t * t * (fp - 2 * f0 + fm) / 2
    }
    return connection(a, b, c, z)
  }

  /// ₂F₁(a, b; a + b + m; z) for an integer m, ½ < z < 1 (A&S 15.3.10–15.3.12).
  private static func integerCase(_ a: Double, _ b: Double, _ m: Int, _ z: Double) -> Double {
    let w = 1 - z
    if m < 0 {
      // Euler: ₂F₁(a, b; c; z) = (1 − z)^(c−a−b) ₂F₁(c − a, c − b; c; z), and c = (c−a) + (c−b) − m.
      let k = Double(-m)
      let c = a + b - k
      let (a2, b2) = (b - k, a - k)
      if isNonPositiveInteger(a2) || isNonPositiveInteger(b2) { return pow(w, -k) * (series(a2, b2, c, z) ?? .nan) }
      return pow(w, -k) * integerCase(a2, b2, -m, z)
    }
    let md = Double(m)
    var total = 0.0
    if m > 0 {
      // Γ(m)Γ(a+b+m)/(Γ(a+m)Γ(b+m)) Σ_{n<m} (a)ₙ(b)ₙ/(n!(1−m)ₙ) wⁿ
      let coefficient = gammaRatio([md, a + b + md], [a + md, b + md])
      if coefficient != 0 {
        var term = 1.0, sum = 1.0
        for n in 0..<(m - 1) {
          let nd = Double(n)
          term *= (a + nd) * (b + nd) / ((nd + 1) * (1 - md + nd)) * w
          sum += term
        }
        total += coefficient * sum
      }
    }
    // − (−1)^m Γ(a+b+m)/(Γ(a)Γ(b)) wᵐ Σₙ (a+m)ₙ(b+m)ₙ/(n!(n+m)!) wⁿ
    //   · [ln w − ψ(n+1) − ψ(n+m+1) + ψ(a+n+m) + ψ(b+n+m)]
    let coefficient = gammaRatio([a + b + md], [a, b])
    if coefficient == 0 { return total }
    let lw = log(w)
    var psi1 = digamma(1), psiM = digamma(md + 1)
    var psiA = digamma(a + md), psiB = digamma(b + md)
    var term = exp(-lgamma(md + 1))  // 1/m!
    var sum = 0.0
    let limit = 200_000 + 20 * Int(min(max(abs(a), abs(b)) + md, 1e6))
    var n = 0.0
    for _ in 0..<limit {
      let piece = term * (lw - psi1 - psiM + psiA + psiB)
      sum += piece
      let ratio = (a + md + n) * (b + md + n) / ((n + 1) * (n + md + 1)) * w
      if abs(piece) <= 1e-17 * abs(sum) && abs(ratio) < 1 && n > abs(a + md) && n > abs(b + md) { break }
      psi1 += 1 / (n + 1)
      psiM += 1 / (n + md + 1)
      psiA += 1 / (a + md + n)
      psiB += 1 / (b + md + n)
      term *= ratio
      n += 1
      if term == 0 { break }
    }
    let sign: Double = m % 2 == 0 ? 1 : -1
    return total - sign * coefficient * pow(w, md) * sum
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
  static func series(_ a: Double, _ b: Double, _ c: Double, _ z: Double) -> Double? {
    seriesWithMagnitude(a, b, c, z)?.sum
  }

  /// The series and Σ|terms| (their ratio to |sum| measures the cancellation).
  /// - Complexity: O(max(|a|, |b|) + log ε / log |z|) terms.
  static func seriesWithMagnitude(_ a: Double, _ b: Double, _ c: Double, _ z: Double) -> (sum: Double, magnitude: Double)? {
    var term = 1.0
    var sum = 1.0
    var magnitude = 1.0
    let limit = 200_000 + 20 * Int(min(max(abs(a), abs(b), abs(c)), 1e6))
    var n = 0.0
    for _ in 0..<limit {
      term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z
      sum += term
      magnitude += abs(term)
      n += 1
      if term == 0 || !sum.isFinite { return (sum, magnitude) }
      if abs(term) <= 1e-17 * abs(sum) {
        // Stop only where the terms keep shrinking from here on.
        let ratio = abs((a + n) * (b + n) / ((c + n) * (n + 1)) * z)
        if ratio < 1 && n > abs(a) && n > abs(b) || ratio < 0.5 { return (sum, magnitude) }
      }
    }
    return nil
  }

  @inline(__always)
  static func isNonPositiveInteger(_ v: Double) -> Bool { v <= 0 && v == v.rounded(.down) }
}
