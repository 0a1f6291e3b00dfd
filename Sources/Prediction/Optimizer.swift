// Unconstrained minimisation for the model fits, written once: Nelder–Mead with restarts
// (derivative-free, robust) and BFGS with a strong-Wolfe line search (gradients analytic or
// by central differences). Objectives may return +∞ (or NaN) to reject a point: both
// methods treat it as "worse than anything", which is how the fits keep log-parameters in range.

import Foundation

/// Where a minimisation ended.
public struct OptimizationResult: Sendable, Equatable {
  public var point: [Double]
  public var value: Double
  /// Objective evaluations (gradient evaluations count once each).
  public var evaluations: Int
  public var iterations: Int
  /// True when the method's own convergence test passed (not just the iteration budget ran out).
  public var converged: Bool
}

/// Nelder–Mead simplex search with restarts.
///
///     let r = NelderMead.minimize({ x in (x[0] - 1) * (x[0] - 1) + x[1] * x[1] }, from: [0, 0])
///     // r.point ≈ [1, 0]
public enum NelderMead {
  /// - Parameters:
  ///   - step: initial simplex edge along each axis.
  ///   - xTolerance, fTolerance: stop when every vertex is within xTolerance of the best (∞-norm)
  ///     and every value within fTolerance of the best (both, as scipy does).
  ///   - restarts: after convergence, rebuild the simplex around the best point and search again,
  ///     up to this many times, until a restart no longer improves by more than fTolerance.
  /// - Complexity: O(n) evaluations per iteration for n parameters (usually 1–2).
  public static func minimize(_ f: ([Double]) -> Double, from x0: [Double], step: Double = 0.5,
                              xTolerance: Double = 1e-8, fTolerance: Double = 1e-10,
                              maxEvaluations: Int = 20_000, restarts: Int = 3) -> OptimizationResult {
    var best = run(f, from: x0, step: step, xTol: xTolerance, fTol: fTolerance, maxEvaluations: maxEvaluations)
    var used = best.evaluations
    var iterations = best.iterations
    var r = 0
    while r < restarts && used < maxEvaluations {
      r += 1
      let next = run(f, from: best.point, step: step, xTol: xTolerance, fTol: fTolerance, maxEvaluations: maxEvaluations - used)
      used += next.evaluations
      iterations += next.iterations
      let improved = next.value < best.value - fTolerance
      if next.value <= best.value { best = OptimizationResult(point: next.point, value: next.value, evaluations: 0,
                                                             iterations: 0, converged: next.converged) }
      if !improved { break }
    }
    best.evaluations = used
    best.iterations = iterations
    return best
  }

  private static func run(_ f: ([Double]) -> Double, from x0: [Double], step: Double, xTol: Double, fTol: Double,
                          maxEvaluations: Int) -> OptimizationResult {
    let n = x0.count
    var evals = 0
    func eval(_ x: [Double]) -> Double {
      evals += 1
      let v = f(x)
      return v.isNaN ? .infinity : v
    }
    var simplex: [[Double]] = [x0]
    for i in 0..<n {
      var v = x0
      v[i] += step
      simplex.append(v)
    }
    var values = simplex.map(eval)
    // Standard coefficients: reflection 1, expansion 2, contraction ½, shrink ½.
    var iterations = 0
    var converged = false
    while evals < maxEvaluations {
      let order = (0...n).sorted { values[$0] < values[$1] }
      simplex = order.map { simplex[$0] }
      values = order.map { values[$0] }
      var xSpread = 0.0
      for i in 1...n { for j in 0..<n { xSpread = max(xSpread, abs(simplex[i][j] - simplex[0][j])) } }
      let fSpread = values[n] - values[0]
      if xSpread <= xTol && (fSpread <= fTol || fSpread.isNaN) {
        converged = true
        break
      }
      iterations += 1
      var centroid = [Double](repeating: 0, count: n)
      for i in 0..<n { for j in 0..<n { centroid[j] += simplex[i][j] / Double(n) } }
      func along(_ t: Double) -> [Double] { (0..<n).map { centroid[$0] + t * (simplex[n][$0] - centroid[$0]) } }
      let xr = along(-1)
      let fr = eval(xr)
      if fr < values[0] {
        let xe = along(-2)
        let fe = eval(xe)
        if fe < fr { simplex[n] = xe; values[n] = fe } else { simplex[n] = xr; values[n] = fr }
        continue
      }
      if fr < values[n - 1] {
        simplex[n] = xr
        values[n] = fr
        continue
      }
      let outside = fr < values[n]
      let xc = along(outside ? -0.5 : 0.5)
      let fc = eval(xc)
      if fc < (outside ? fr : values[n]) {
        simplex[n] = xc
        values[n] = fc
        continue
      }
      for i in 1...n {
        simplex[i] = (0..<n).map { simplex[0][$0] + 0.5 * (simplex[i][$0] - simplex[0][$0]) }
        values[i] = eval(simplex[i])
      }
    }
    var bestIndex = 0
    for i in 1...n where values[i] < values[bestIndex] { bestIndex = i }
    return OptimizationResult(point: simplex[bestIndex], value: values[bestIndex], evaluations: evals,
                              iterations: iterations, converged: converged)
  }
}

/// Quasi-Newton (BFGS, inverse-Hessian form) with a strong-Wolfe line search.
///
///     let r = BFGS.minimize(from: [-1.2, 1]) { x, g in
///       g[0] = -2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] * x[0])
///       g[1] = 200 * (x[1] - x[0] * x[0])
///       return (1 - x[0]) * (1 - x[0]) + 100 * (x[1] - x[0] * x[0]) * (x[1] - x[0] * x[0])
///     }
///     // r.point ≈ [1, 1]
public enum BFGS {
  /// `fg(x, &g)` returns f(x) and writes ∇f(x) into g (sized like x).
  ///
  /// Converges when ‖∇f‖∞ ≤ gradientTolerance; or when the decrease the quasi-Newton model still
  /// predicts, ½ ∇fᵀ H ∇f, or the last two steps' decreases, are at most fTolerance·(|f| + 1);
  /// or when the line search finds no decrease while the predicted one is below 1e-9·(|f| + 1)
  /// (f is at its rounding-noise floor).
  /// - Complexity: O(n²) arithmetic per iteration plus the line-search evaluations (usually 1).
  public static func minimize(from x0: [Double], gradientTolerance: Double = 1e-8, fTolerance: Double = 1e-13,
                              maxIterations: Int = 500,
                              _ fg: ([Double], inout [Double]) -> Double) -> OptimizationResult {
    let n = x0.count
    var evals = 0
    func eval(_ x: [Double], _ g: inout [Double]) -> Double {
      evals += 1
      let v = fg(x, &g)
      return v.isNaN ? .infinity : v
    }
    var x = x0
    var g = [Double](repeating: 0, count: n)
    var fx = eval(x, &g)
    if !fx.isFinite || g.contains(where: { !$0.isFinite }) {
      return OptimizationResult(point: x, value: fx, evaluations: evals, iterations: 0, converged: false)
    }
    var h = identity(n)
    var iterations = 0
    var flatSteps = 0
    var converged = false
    var firstStep = true
    while iterations < maxIterations {
      if g.map(abs).max() ?? 0 <= gradientTolerance {
        converged = true
        break
      }
      iterations += 1
      var d = matVec(h, g).map { -$0 }
      var slope = dot(d, g)
      if !(slope < 0) {  // not a descent direction: reset to steepest descent
        h = identity(n)
        firstStep = true
        d = g.map { -$0 }
        slope = dot(d, g)
      }
      let predicted = -slope / 2
      if !firstStep && predicted <= fTolerance * (abs(fx) + 1) {
        converged = true
        break
      }
      var initial = 1.0
      if firstStep {
        // Keep the first step to a unit move in the largest coordinate.
        initial = min(1, 1 / (d.map(abs).max() ?? 1))
      }
      guard let ls = lineSearch(x: x, fx: fx, slope: slope, d: d, initial: initial, eval: eval) else {
        if !firstStep && predicted <= 1e-9 * (abs(fx) + 1) {
          converged = true
          break
        }
        if !firstStep {  // retry along steepest descent with a fresh H
          h = identity(n)
          firstStep = true
          continue
        }
        break
      }
      let s = (0..<n).map { ls.alpha * d[$0] }
      let y = (0..<n).map { ls.g[$0] - g[$0] }
      let change = fx - ls.f
      x = ls.x
      fx = ls.f
      g = ls.g
      let sy = dot(s, y)
      if sy > 1e-12 * sqrt(dot(s, s) * dot(y, y)) {
        if firstStep {
          // Scale the initial inverse Hessian (Nocedal & Wright 6.20).
          let scale = sy / dot(y, y)
          h = identity(n).map { $0.map { $0 * scale } }
        }
        let rho = 1 / sy
        let hy = matVec(h, y)
        let yhy = dot(y, hy)
        for i in 0..<n {
          for j in 0..<n {
            h[i][j] += (1 + rho * yhy) * rho * s[i] * s[j] - rho * (hy[i] * s[j] + s[i] * hy[j])
          }
        }
      }
      firstStep = false
      if change <= fTolerance * (abs(fx) + 1) {
        flatSteps += 1
        if flatSteps >= 2 {
          converged = true
          break
        }
      } else {
        flatSteps = 0
      }
    }
    return OptimizationResult(point: x, value: fx, evaluations: evals, iterations: iterations, converged: converged)
  }

  /// BFGS with central-difference gradients (step ∛ε·max(1, |xᵢ|)).
  public static func minimize(from x0: [Double], gradientTolerance: Double = 1e-6, maxIterations: Int = 500,
                              numeric f: @escaping ([Double]) -> Double) -> OptimizationResult {
    minimize(from: x0, gradientTolerance: gradientTolerance, maxIterations: maxIterations) { x, g in
      let v = f(x)
      g = numericGradient(f, at: x)
      return v
    }
  }

  /// Central differences.
  /// - Complexity: 2n evaluations of f.
  public static func numericGradient(_ f: ([Double]) -> Double, at x: [Double]) -> [Double] {
    var g = [Double](repeating: 0, count: x.count)
    var p = x
    for i in 0..<x.count {
      let h = 6.055454452393343e-06 * max(1, abs(x[i]))  // ∛(2.2e-16)
      p[i] = x[i] + h
      let up = f(p)
      p[i] = x[i] - h
      let down = f(p)
      p[i] = x[i]
      g[i] = (up - down) / (2 * h)
    }
    return g
  }

  private struct Step {
    var alpha: Double
    var x: [Double]
    var f: Double
    var g: [Double]
  }

  /// Strong Wolfe conditions (c₁ = 1e-4, c₂ = 0.9) by bracketing and zooming (Nocedal &
  /// Wright, algorithms 3.5–3.6) with safeguarded quadratic interpolation; non-finite values
  /// shrink the step. Returns nil when no decrease is found.
  private static func lineSearch(x: [Double], fx: Double, slope: Double, d: [Double], initial: Double,
                                 eval: ([Double], inout [Double]) -> Double) -> Step? {
    let c1 = 1e-4, c2 = 0.9
    let n = x.count
    func at(_ a: Double) -> Step {
      let p = (0..<n).map { x[$0] + a * d[$0] }
      var g = [Double](repeating: 0, count: n)
      let v = eval(p, &g)
      let ok = v.isFinite && g.allSatisfy(\.isFinite)
      return Step(alpha: a, x: p, f: ok ? v : .infinity, g: g)
    }
    func derivative(_ s: Step) -> Double { dot(s.g, d) }
    var best: Step?
    func note(_ s: Step) { if s.f < fx && s.f < (best?.f ?? .infinity) { best = s } }

    func zoom(_ lo0: Step, _ hi0: Step) -> Step? {
      var lo = lo0, hi = hi0
      for _ in 0..<24 {
        // Quadratic through lo (value, slope) and hi (value), kept inside the bracket.
        let dlo = lo.alpha == 0 ? slope : derivative(lo)
        let width = hi.alpha - lo.alpha
        var trial = lo.alpha + width / 2
        if hi.f.isFinite {
          let denom = 2 * (hi.f - lo.f - dlo * width)
          if denom != 0 {
            let q = lo.alpha - dlo * width * width / denom
            let low = min(lo.alpha, hi.alpha), high = max(lo.alpha, hi.alpha)
            let margin = 0.1 * abs(width)
            if q > low + margin && q < high - margin { trial = q }
          }
        }
        let s = at(trial)
        note(s)
        if s.f > fx + c1 * trial * slope || s.f >= lo.f {
          hi = s
        } else {
          let ds = derivative(s)
          if abs(ds) <= -c2 * slope { return s }
          if ds * (hi.alpha - lo.alpha) >= 0 { hi = lo }
          lo = s
        }
        if abs(hi.alpha - lo.alpha) < 1e-16 * max(1, abs(lo.alpha)) { break }
      }
      return lo.alpha > 0 ? lo : best
    }

    var prev = Step(alpha: 0, x: x, f: fx, g: [])
    var a = initial
    for i in 0..<60 {
      let s = at(a)
      note(s)
      if !s.f.isFinite {
        // Outside the domain: bracket between the last good point and here.
        if let z = zoom(prev, s) { return z }
        return best
      }
      if s.f > fx + c1 * a * slope || (i > 0 && s.f >= prev.f) {
        if let z = zoom(prev, s) { return z }
        return best
      }
      let ds = derivative(s)
      if abs(ds) <= -c2 * slope { return s }
      if ds >= 0 {
        if let z = zoom(s, prev) { return z }
        return best
      }
      prev = s
      a *= 2
    }
    return best
  }

  private static func identity(_ n: Int) -> [[Double]] {
    (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }
  }

  private static func matVec(_ m: [[Double]], _ v: [Double]) -> [Double] {
    m.map { row in dot(row, v) }
  }

  private static func dot(_ u: [Double], _ v: [Double]) -> Double {
    var s = 0.0
    for i in 0..<u.count { s += u[i] * v[i] }
    return s
  }
}

/// The fitting strategy both models use: BFGS with the analytic gradient; if it does not
/// converge, Nelder–Mead with restarts from the best point so far, polished by BFGS again.
enum RobustMinimizer {
  static func minimize(from start: [Double], _ objective: ([Double], inout [Double]) -> Double,
                       plain: ([Double]) -> Double) -> OptimizationResult {
    var best = BFGS.minimize(from: start, gradientTolerance: 1e-9, fTolerance: 1e-14, maxIterations: 400, objective)
    if !best.converged {
      let nm = NelderMead.minimize(plain, from: best.value.isFinite ? best.point : start, step: 0.5,
                                   xTolerance: 1e-7, fTolerance: 1e-12, maxEvaluations: 1000, restarts: 3)
      var polished = BFGS.minimize(from: nm.point, gradientTolerance: 1e-9, fTolerance: 1e-14, maxIterations: 400, objective)
      polished.evaluations += best.evaluations + nm.evaluations
      if polished.value <= nm.value {
        best = polished
      } else {
        best = nm
        best.evaluations = polished.evaluations
      }
    }
    return best
  }
}
