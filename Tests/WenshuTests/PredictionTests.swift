// Prediction: special functions and optimisers against known values, BG/NBD and Gamma-Gamma
// likelihoods and predictions against hand computations and independent references, the CDNOW
// fit reproducing the published parameters, and a synthetic 200k-customer fit (timed).

import Cube
import CubeSQLite
import Foundation
@testable import Prediction
import QueryModel
import TestSupport
import XCTest

final class PredictionTests: XCTestCase {
  private func close(_ a: Double?, _ b: Double, rel: Double, _ what: String = "", file: StaticString = #filePath, line: UInt = #line) {
    guard let a else { return XCTFail("nil, expected \(b) \(what)", file: file, line: line) }
    XCTAssertLessThanOrEqual(abs(a - b), rel * max(abs(b), 1e-300), "\(a) vs \(b) \(what)", file: file, line: line)
  }

  // MARK: Special functions

  func testDigammaAndLogGamma() {
    // Reference values from mpmath (mp.dps = 40): mp.digamma(v), log|mp.gamma(v)|.
    let cases: [(Double, Double, Double)] = [
      (0.1, -10.423754940411076232, 2.252712651734205902),
      (1, -0.57721566490153286061, 0),
      (1.5, 0.036489973978576520559, -0.12078223763524522235),
      (2.5, 0.70315664064524318723, 0.28468287047291915963),
      (7.3, 1.9178203356379860723, 7.1478925230222486921),
      (12.5, 2.4851956512749120482, 18.734347511936445702),
      (100.25, 4.6026712432747125591, 360.28455963776423497),
      (-0.5, 0.036489973978576520559, 1.2655121234846453965),
      (-2.7, -1.1153471291406896119, -0.071407085315645687684),
    ]
    for (v, psi, lg) in cases {
      close(SpecialFunctions.digamma(v), psi, rel: 1e-13, "ψ(\(v))")
      XCTAssertEqual(SpecialFunctions.signedLogGamma(v).log, lg, accuracy: 1e-13, "log|Γ(\(v))|")
    }
    XCTAssertEqual(SpecialFunctions.signedLogGamma(-0.5).sign, -1)  // Γ(−½) = −2√π
    XCTAssertEqual(SpecialFunctions.signedLogGamma(-1.5).sign, 1)  // Γ(−3/2) = 4√π/3
    XCTAssertTrue(SpecialFunctions.signedLogGamma(-2).pole)
    XCTAssertEqual(SpecialFunctions.gammaRatio([5], [3]), 12, accuracy: 1e-12)  // 4!/2!
    XCTAssertEqual(SpecialFunctions.gammaRatio([1], [-3]), 0)
    XCTAssertEqual(SpecialFunctions.logAddExp(1000, 1000), 1000 + log(2.0), accuracy: 1e-12)
    XCTAssertEqual(SpecialFunctions.logAddExp(-.infinity, 3), 3)
  }

  func testHypergeometricClosedForms() {
    let f = SpecialFunctions.hyp2f1
    for z in [-3.0, -0.9, -0.2, 0.1, 0.45, 0.5, 0.51, 0.8, 0.99, 0.9999] {
      close(f(1, 1, 2, z), -log(1 - z) / z, rel: 1e-12, "−log(1−z)/z at \(z)")
      close(f(2.5, 1.7, 1.7, z), pow(1 - z, -2.5), rel: 1e-12, "(1−z)^−a at \(z)")
      if z > 0 {
        let s = z.squareRoot()
        close(f(0.5, 0.5, 1.5, z), asin(s) / s, rel: 1e-12, "asin at \(z)")
        close(f(0.5, 1, 1.5, z), atanh(s) / s, rel: 1e-12, "atanh at \(z)")
      }
    }
    // Gauss at z = 1: Γ(c)Γ(c−a−b)/(Γ(c−a)Γ(c−b)) = Γ(5)Γ(2)/(Γ(4)Γ(3)) = 2.
    XCTAssertEqual(f(1, 2, 5, 1), 2, accuracy: 1e-12)
    XCTAssertEqual(f(1.5, 2, 3.5, 1), .infinity)
    XCTAssertEqual(f(1, 1, 2, 0), 1)
    XCTAssertTrue(f(1, 1, 2, 1.5).isNaN)
    XCTAssertTrue(f(1, 1, -2, 0.5).isNaN)
    // Polynomial: ₂F₁(−2, b; c; z) = 1 − 2bz/c + b(b+1)z²/(c(c+1)).
    let poly: Double = 1 - 2 * 3 * 0.9 / 4 + 3 * 4 * 0.81 / 20
    XCTAssertEqual(f(-2, 3, 4, 0.9), poly, accuracy: 1e-14)
  }

  func testHypergeometricAgainstMpmath() {
    // (a, b, c, z, ₂F₁) from mpmath.hyp2f1 with mp.dps = 40: series, 1 − z (incl. c − a − b an
    // integer or within 1e-7 of one), Pfaff (z < 0 and z < −1), and the BG/NBD shapes.
    let cases: [(Double, Double, Double, Double, Double)] = [
      (1, 1, 2, 0.5, 1.3862943611198906188),
      (0.5, 0.5, 1.5, 0.25, 1.0471975511965977462),
      (2.3, 1.7, 4.1, 0.3, 1.387646208127083517),
      (2.3, 1.7, 4.1, 0.75, 3.111485817068073306),
      (2.3, 1.7, 4.1, 0.99, 13.441496486711868858),
      (2.3, 1.7, 4.1, -0.6, 0.62507199595168254761),
      (2.3, 1.7, 4.1, -5, 0.13364148301292895096),
      (0.3, 0.7, 1.0, 0.9, 1.5295042158423403834),
      (1.5, 2.5, 4.0, 0.8, 3.6054818372519089914),
      (1.5, 2.5, 4.0000001, 0.8, 3.6054816720346303322),
      (2, 3, 5, 0.95, 13.208819466901175634),
      (1.2, -0.2, 10.5, 0.9, 0.97776404555816586207),
      (5.0, 3.0, 2.5, 0.7, 995.38024833468536017),
      (0.25, 1.5, 3.3, 0.999, 1.2213421975545340763),
      (-3, 2, 1.5, 0.6, -0.066971428571428566658),
      (20.5, -0.207, 22.2, 0.6, 0.84569509633934369199),
      (2.0, 1.0, 0.5, 0.55, 13.138221963280936339),
      (0.5, -2.5, 3.0, -0.3, 1.1358050868461858728),
      (0.5, 1.5, 4.0, 0.9, 1.2829345524616517401),
      (1.5, 2.5, 3.0, 0.7, 4.2609219148403926101),
      (1.5, 2.5, 3.000003, 0.7, 4.2609142168107785083),
      (2.976, -0.207, 202.219, 0.97, 0.99702247407740085459),
      (200.243, 202.426, 202.219, 0.2, 26633986561565727958.0),
      (1.0, 1.0, 2.0, -0.5, 0.81093021621632876396),
      (0.7, 1.3, 2.9, -40.0, 0.17029199912343306049),
    ]
    for (a, b, c, z, want) in cases {
      close(SpecialFunctions.hyp2f1(a, b, c, z), want, rel: 2e-9, "₂F₁(\(a), \(b); \(c); \(z))")
    }
  }

  // MARK: Optimisers

  private func rosenbrock(_ x: [Double]) -> Double {
    var s = 0.0
    for i in 0..<(x.count - 1) { s += 100 * pow(x[i + 1] - x[i] * x[i], 2) + pow(1 - x[i], 2) }
    return s
  }

  private func rosenbrockGradient(_ x: [Double]) -> [Double] {
    var g = [Double](repeating: 0, count: x.count)
    for i in 0..<(x.count - 1) {
      g[i] += -400 * x[i] * (x[i + 1] - x[i] * x[i]) - 2 * (1 - x[i])
      g[i + 1] += 200 * (x[i + 1] - x[i] * x[i])
    }
    return g
  }

  func testNelderMead() {
    let r2 = NelderMead.minimize(rosenbrock, from: [-1.2, 1], xTolerance: 1e-10, fTolerance: 1e-14)
    XCTAssertTrue(r2.converged)
    XCTAssertEqual(r2.point[0], 1, accuracy: 1e-6)
    XCTAssertEqual(r2.point[1], 1, accuracy: 1e-6)
    let r4 = NelderMead.minimize(rosenbrock, from: [-1.2, 1, -1.2, 1], xTolerance: 1e-10, fTolerance: 1e-14,
                                 maxEvaluations: 50_000, restarts: 5)
    for v in r4.point { XCTAssertEqual(v, 1, accuracy: 1e-5) }
    // Himmelblau: four minima, all with f = 0.
    let himmelblau: ([Double]) -> Double = { x in pow(x[0] * x[0] + x[1] - 11, 2) + pow(x[0] + x[1] * x[1] - 7, 2) }
    for start in [[0.0, 0.0], [-3.0, 3.0], [-3.0, -3.0], [4.0, -2.0]] {
      XCTAssertEqual(NelderMead.minimize(himmelblau, from: start).value, 0, accuracy: 1e-10)
    }
    // +∞ marks the region outside the domain: minimum of x − ln x (x > 0) at 1.
    let barrier: ([Double]) -> Double = { x in x[0] > 0 ? x[0] - log(x[0]) : .infinity }
    XCTAssertEqual(NelderMead.minimize(barrier, from: [0.2], step: 1).point[0], 1, accuracy: 1e-6)
  }

  func testBFGS() {
    let rosen = { (x: [Double], g: inout [Double]) -> Double in
      g = self.rosenbrockGradient(x)
      return self.rosenbrock(x)
    }
    let r2 = BFGS.minimize(from: [-1.2, 1], gradientTolerance: 1e-10, fTolerance: 0, rosen)
    XCTAssertTrue(r2.converged)
    XCTAssertEqual(r2.point[0], 1, accuracy: 1e-8)
    XCTAssertEqual(r2.point[1], 1, accuracy: 1e-8)
    // With the default relative f tolerance it stops once f is within ~1e-13 of the minimum.
    let loose = BFGS.minimize(from: [-1.2, 1], rosen)
    XCTAssertTrue(loose.converged)
    XCTAssertLessThan(loose.value, 1e-11)
    XCTAssertLessThan(loose.evaluations, 100)
    let r6 = BFGS.minimize(from: [-1.2, 1, -1.2, 1, -1.2, 1], gradientTolerance: 1e-10, fTolerance: 0, rosen)
    for v in r6.point { XCTAssertEqual(v, 1, accuracy: 1e-7) }
    // Numeric gradients.
    let rn = BFGS.minimize(from: [-1.2, 1], gradientTolerance: 1e-7, numeric: rosenbrock)
    XCTAssertEqual(rn.point[0], 1, accuracy: 1e-5)
    XCTAssertEqual(rn.point[1], 1, accuracy: 1e-5)
    // An ill-conditioned quadratic (condition number 1e6) is solved exactly.
    let quad = { (x: [Double], g: inout [Double]) -> Double in
      g = [2e6 * (x[0] - 3), 2 * (x[1] + 2)]
      return 1e6 * (x[0] - 3) * (x[0] - 3) + (x[1] + 2) * (x[1] + 2)
    }
    let rq = BFGS.minimize(from: [0, 0], gradientTolerance: 1e-9, fTolerance: 0, quad)
    XCTAssertEqual(rq.point[0], 3, accuracy: 1e-9)
    XCTAssertEqual(rq.point[1], -2, accuracy: 1e-8)
    // The line search backs off from +∞.
    let barrier = { (x: [Double], g: inout [Double]) -> Double in
      guard x[0] > 0 else { return .infinity }
      g = [1 - 1 / x[0]]
      return x[0] - log(x[0])
    }
    XCTAssertEqual(BFGS.minimize(from: [5], barrier).point[0], 1, accuracy: 1e-7)
    XCTAssertEqual(BFGS.numericGradient(rosenbrock, at: [0.5, 0.5])[0], rosenbrockGradient([0.5, 0.5])[0], accuracy: 1e-6)
  }

  // MARK: Likelihoods and predictions by hand

  func testBGNBDByHand() {
    // r = α = a = b = 1, x = 1, tₓ = 1, T = 2:
    // L = B(a, b+x)/B(a, b) · Γ(r+x)α^r/Γ(r) · [1/(α+T)^(r+x) + a/(b+x−1) · 1/(α+tₓ)^(r+x)]
    //   = ½ · (1/9 + 1/4) = 13/72;  P(alive) = 1/(1 + (3/2)²) = 4/13.
    let p = BGNBDParameters(r: 1, alpha: 1, a: 1, b: 1)
    XCTAssertEqual(p.logLikelihood(x: 1, recency: 1, age: 2), log(13.0 / 72), accuracy: 1e-14)
    XCTAssertEqual(p.pAlive(x: 1, recency: 1, age: 2), 4.0 / 13, accuracy: 1e-15)
    // x = 0 with r = 2, α = 3: L = α^r/(α+T)^r = 9/49 whatever a, b; P(alive) = 1.
    let q = BGNBDParameters(r: 2, alpha: 3, a: 0.7, b: 1.9)
    XCTAssertEqual(q.logLikelihood(x: 0, recency: 0, age: 4), log(9.0 / 49), accuracy: 1e-14)
    XCTAssertEqual(q.pAlive(x: 0, recency: 0, age: 4), 1)
    // No dropout evidence when the last purchase is at T: P(alive) = 1/(1 + a/(b+x−1)).
    XCTAssertEqual(q.pAlive(x: 3, recency: 10, age: 10), 1 / (1 + 0.7 / 3.9), accuracy: 1e-15)
    // Gamma-Gamma, p = 1, q = 2, γ = 1, x = 1, m̄ = 1: Γ(3)/(Γ(1)Γ(2)) · 1/(1+1)³ = 1/4.
    let g = GammaGammaParameters(p: 1, q: 2, gamma: 1)
    XCTAssertEqual(g.logLikelihood(x: 1, meanSpend: 1), log(0.25), accuracy: 1e-14)
    XCTAssertEqual(g.expectedSpend(x: 1, meanSpend: 1), 1 * (1 + 1) / (1 + 2 - 1), accuracy: 1e-15)
    XCTAssertEqual(g.expectedSpend(x: 0, meanSpend: .nan), 1, accuracy: 1e-15)  // pγ/(q−1)
  }

  func testGradientsMatchNumeric() {
    // The analytic gradients used by the fits agree with central differences.
    let s = RFMSummary(triples: [(0, 0, 30), (1, 5, 40), (3, 20, 40), (7, 35, 41), (2, 3, 9), (0, 0, 2)],
                       calibrationEnd: Day(year: 2024, month: 1, day: 31))
    let d = BGNBDFit.Data(s)
    let t0: [Double] = [log(0.4), log(3.0), log(0.8), log(2.2)]
    func ll(_ t: [Double]) -> Double {
      BGNBDFit.logLikelihood(BGNBDParameters(r: exp(t[0]), alpha: exp(t[1]), a: exp(t[2]), b: exp(t[3])), d)
    }
    var grad = [Double](repeating: 0, count: 4)
    _ = grad.withUnsafeMutableBufferPointer {
      BGNBDFit.logLikelihood(BGNBDParameters(r: 0.4, alpha: 3, a: 0.8, b: 2.2), d, gradient: $0.baseAddress)
    }
    let num = BFGS.numericGradient(ll, at: t0)
    for i in 0..<4 { XCTAssertEqual(grad[i], num[i], accuracy: 1e-6 * max(1, abs(num[i]))) }

    var gd = GammaGammaFit.Data()
    for (x, m) in [(1, 10.0), (2, 25.5), (5, 8.0), (1, 40.0), (3, 17.25)] { gd.append(x: x, mean: m) }
    func gl(_ t: [Double]) -> Double {
      GammaGammaFit.logLikelihood(GammaGammaParameters(p: exp(t[0]), q: exp(t[1]), gamma: exp(t[2])), gd)
    }
    var gg = [Double](repeating: 0, count: 3)
    _ = gg.withUnsafeMutableBufferPointer {
      GammaGammaFit.logLikelihood(GammaGammaParameters(p: 3, q: 2.5, gamma: 12), gd, gradient: $0.baseAddress)
    }
    let gnum = BFGS.numericGradient(gl, at: [log(3.0), log(2.5), log(12.0)])
    for i in 0..<3 { XCTAssertEqual(gg[i], gnum[i], accuracy: 1e-6 * max(1, abs(gnum[i]))) }
    // The grouped likelihood is the sum of the per-customer ones.
    let p = BGNBDParameters(r: 0.4, alpha: 3, a: 0.8, b: 2.2)
    let direct = [(0, 0.0, 30.0), (1, 5, 40), (3, 20, 40), (7, 35, 41), (2, 3, 9), (0, 0, 2)]
      .map { p.logLikelihood(x: $0.0, recency: $0.1 / 7, age: $0.2 / 7) }.reduce(0, +)
    XCTAssertEqual(BGNBDFit.logLikelihood(p, d), direct, accuracy: 1e-10)
  }

  func testConditionalExpectationNearAEqualsOne() {
    // At a = 1 the closed form is 0/0; the value must be continuous through it.
    let base = BGNBDParameters(r: 0.5, alpha: 3, a: 1, b: 2)
    var below = base, above = base
    below.a = 1 - 1e-3
    above.a = 1 + 1e-3
    let mid = base.expectedPurchases(horizon: 20, x: 3, recency: 15, age: 30)
    let lo = below.expectedPurchases(horizon: 20, x: 3, recency: 15, age: 30)
    let hi = above.expectedPurchases(horizon: 20, x: 3, recency: 15, age: 30)
    XCTAssertTrue(mid.isFinite)
    XCTAssertEqual(mid, (lo + hi) / 2, accuracy: 1e-5 * mid)
    XCTAssertEqual(base.expectedPurchases(horizon: 0, x: 3, recency: 15, age: 30), 0)
    // E[X(t)] grows with t and is the x = 0, T = 0 case of the conditional expectation.
    XCTAssertLessThan(base.expectedPurchases(horizon: 10), base.expectedPurchases(horizon: 20))
    XCTAssertEqual(base.expectedPurchases(horizon: 10), base.expectedPurchases(horizon: 10, x: 0, recency: 0, age: 0))
  }

  // MARK: The summary from a cube

  private func smallCube() -> Cube {
    func d(_ day: Int) -> Int32 { Day(year: 2024, month: 1, day: day).raw }
    // (customer row, day, amount)
    let rows: [(Int32, Int32, Double)] = [
      (0, d(1), 10), (0, d(1), 5), (0, d(10), .nan), (0, d(10), 7), (0, d(31), 3),  // on the end date: counts
      (0, Day(year: 2024, month: 2, day: 5).raw, 100),  // after the end: left out
      (1, d(20), 50),
      (2, Day(year: 2024, month: 3, day: 1).raw, 9),  // only after the end
      (3, nullDay, 4),  // NULL day
      (-1, d(3), 8),  // NULL customer
      (4, d(5), 1), (4, d(15), 20),
      (5, d(5), 2), (5, d(15), 0),  // same (x, tₓ, T) as row 4; repeat spend 0
    ]
    let customers = CustomerTable(keys: .int([10, 11, 12, 13, 14, 15]), inCustomerTable: ContiguousArray(repeating: true, count: 6),
                                  name: nil, attributes: [:], birthYear: nil, signupDay: nil, tableRowCount: 6)
    let orders = OrderTable(day: ContiguousArray(rows.map(\.1)), customer: ContiguousArray(rows.map(\.0)),
                            amount: ContiguousArray(rows.map(\.2)), channel: nil, quantity: nil)
    return Cube(customers: customers, orders: orders, items: nil, feedback: nil, source: "test")
  }

  func testSummaryFromCube() {
    let end = Day(year: 2024, month: 1, day: 31)
    let s = RFMSummary(cube: smallCube(), calibrationEnd: end, unit: .days)
    XCTAssertEqual(s.customers, 4)
    XCTAssertEqual(s.groups, 3)
    XCTAssertEqual(s.calibrationStart.iso, "2024-01-01")
    XCTAssertEqual(s.frequency(customerRow: 0), 2)  // 01-01, 01-10, 01-31
    XCTAssertEqual(s.recency(customerRow: 0), 30)
    XCTAssertEqual(s.age(customerRow: 0), 30)
    XCTAssertEqual(s.repeatSpend[0], 5)  // (0 + 7) and 3: NULL as 0, first day left out
    XCTAssertEqual(s.frequency(customerRow: 1), 0)
    XCTAssertEqual(s.age(customerRow: 1), 11)
    XCTAssertTrue(s.repeatSpend[1].isNaN)
    XCTAssertNil(s.frequency(customerRow: 2))
    XCTAssertNil(s.frequency(customerRow: 3))
    XCTAssertNil(s.frequency(customerRow: 99))
    XCTAssertEqual(s.frequency(customerRow: 4), 1)
    XCTAssertEqual(s.recency(customerRow: 4), 10)
    XCTAssertEqual(s.age(customerRow: 4), 26)
    XCTAssertEqual(s.groupOfCustomer[4], s.groupOfCustomer[5])
    XCTAssertEqual(s.groupCount[Int(s.groupOfCustomer[4])], 2)
    XCTAssertEqual(s.repeatSpend[5], 0)
    let w = RFMSummary(cube: smallCube(), calibrationEnd: end, unit: .weeks)
    XCTAssertEqual(w.age(customerRow: 4) ?? 0, 26.0 / 7, accuracy: 1e-15)
    // The model over it: P(alive) only for rows with purchases; customer 5 (spend 0) is not in
    // the Gamma-Gamma data.
    let model = CustomerModel(summary: s, bgnbd: BGNBDParameters(r: 0.5, alpha: 10, a: 0.8, b: 2.4),
                              gammaGamma: GammaGammaParameters(p: 6, q: 4, gamma: 15))
    XCTAssertNotNil(model.pAlive(customerRow: 0))
    XCTAssertNil(model.pAlive(customerRow: 2))
    XCTAssertNil(model.clv(customerRow: 3))
    let all = model.pAliveByCustomer()
    XCTAssertEqual(all.count, 6)
    XCTAssertTrue(all[2].isNaN)
    XCTAssertEqual(all[4], model.pAlive(customerRow: 4))
    XCTAssertEqual(model.expectedSpend(customerRow: 5) ?? -1, 6 * 15 / (6 + 4 - 1.0), accuracy: 1e-12)
    let clvs = model.clvByCustomer()
    XCTAssertEqual(clvs[0], model.clv(customerRow: 0) ?? .nan, accuracy: 1e-12)
    XCTAssertEqual(model.expectedPurchasesByCustomer(horizon: 30)[1], model.expectedPurchases(customerRow: 1, horizon: 30))
  }

  func testFitErrors() {
    let cube = smallCube()
    XCTAssertThrowsError(try CustomerModel.fit(cube: cube, calibrationEnd: Day(year: 2023, month: 12, day: 31))) {
      XCTAssertEqual($0 as? PredictionError, .noCustomers(calibrationEnd: Day(year: 2023, month: 12, day: 31)))
    }
    XCTAssertThrowsError(try CustomerModel.fit(cube: cube, calibrationEnd: Day(year: 2024, month: 1, day: 4))) {
      XCTAssertEqual($0 as? PredictionError, .noRepeatPurchases)
    }
  }

  func testDegenerateDataStillEnds() throws {
    let end = Day(year: 2024, month: 12, day: 31)
    // Everyone bought on the last day (no sign of dropout), and identical spends (no spread).
    let triples = (0..<300).map { i in (x: 1 + i % 4, recencyDays: 50 + i % 7, ageDays: 50 + i % 7) }
    let m1 = try CustomerModel.fit(summary: RFMSummary(triples: triples, spend: triples.map { _ in 10 }, calibrationEnd: end))
    XCTAssertTrue(m1.logLikelihood.isFinite)
    XCTAssertTrue((0..<300).allSatisfy { (m1.pAlive(customerRow: $0) ?? -1) > 0.5 })
    if let spend = m1.expectedSpend(customerRow: 0) { XCTAssertEqual(spend, 10, accuracy: 0.5) }
    XCTAssertTrue(m1.clvByCustomer().allSatisfy(\.isFinite))
    XCTAssertTrue(m1.expectedPurchasesByCustomer(horizon: 13).allSatisfy(\.isFinite))
    // Two customers only.
    let m2 = try CustomerModel.fit(summary: RFMSummary(triples: [(1, 10, 30), (0, 0, 12)], calibrationEnd: end))
    XCTAssertTrue(m2.logLikelihood.isFinite)
    XCTAssertEqual(m2.repeatCustomers, 1)
    // Two customers do not identify the model (the parameters run to extremes), but the
    // predictions stay finite.
    XCTAssertTrue(m2.expectedPurchases(customerRow: 0, horizon: 10)?.isFinite ?? false)
    XCTAssertTrue(m2.expectedPurchases(customerRow: 1, horizon: 10)?.isFinite ?? false)
    XCTAssertThrowsError(try CustomerModel.fit(summary: RFMSummary(triples: [], calibrationEnd: end)))
  }

  // MARK: CDNOW: the published fits

  private struct CDNOW {
    var cube: Cube
    var rowOf: [Int64: Int]
  }

  private func cdnow() throws -> CDNOW {
    guard let path = TestData.shared("cdnow_sample") else { throw XCTSkip("../shared/data/cdnow_sample.sqlite not present") }
    let cube = try CubeLoader.load(path: path).cube
    var rowOf: [Int64: Int] = [:]
    if case .int(let keys) = cube.customers.keys { for (i, k) in keys.enumerated() { rowOf[k] = i } }
    return CDNOW(cube: cube, rowOf: rowOf)
  }

  private let calibrationEnd = Day(year: 1997, month: 9, day: 30)

  func testCDNOWFitReproducesThePapers() throws {
    let data = try cdnow()
    let started = Date()
    let model = try CustomerModel.fit(cube: data.cube, calibrationEnd: calibrationEnd, unit: .weeks)
    print(String(format: "CDNOW sample fit: %.3f s", Date().timeIntervalSince(started)))
    print(model.json())
    // Fader, Hardie & Lee (2005), Marketing Science, table/figure: r 0.243, α 4.414, a 0.793, b 2.426.
    close(model.bgnbd.r, 0.243, rel: 0.005, "r")
    close(model.bgnbd.alpha, 4.414, rel: 0.005, "α")
    close(model.bgnbd.a, 0.793, rel: 0.005, "a")
    close(model.bgnbd.b, 2.426, rel: 0.005, "b")
    // The maximum from scipy (Nelder–Mead then BFGS on the same data): LL −9582.429206673929
    // at (0.24259453, 4.41360239, 0.79292205, 2.42590692); lifetimes 0.11.3 agrees.
    XCTAssertEqual(model.logLikelihood, -9582.429206673929, accuracy: 1e-5)
    close(model.bgnbd.r, 0.24259453, rel: 1e-5, "r vs scipy")
    close(model.bgnbd.alpha, 4.41360239, rel: 1e-5, "α vs scipy")
    close(model.bgnbd.a, 0.79292205, rel: 1e-5, "a vs scipy")
    close(model.bgnbd.b, 2.42590692, rel: 1e-5, "b vs scipy")
    XCTAssertTrue(model.converged)
    XCTAssertEqual(model.customersUsed, 2357)
    XCTAssertEqual(model.calibrationStart.iso, "1997-01-01")
    XCTAssertEqual(model.calibrationEnd.iso, "1997-09-30")
    // Fader, Hardie & Lee (2005), JMR: p 6.25, q 3.74, γ 15.44 on the 946 repeat customers.
    let gg = try XCTUnwrap(model.gammaGamma)
    XCTAssertEqual(model.gammaGammaCustomers, 946)
    close(gg.p, 6.25, rel: 0.005, "p")
    close(gg.q, 3.74, rel: 0.005, "q")
    close(gg.gamma, 15.44, rel: 0.005, "γ")
    // scipy: (6.24957369, 3.74422469, 15.44351775), LL −4055.917694801871.
    close(gg.p, 6.24957369, rel: 1e-5, "p vs scipy")
    close(gg.q, 3.74422469, rel: 1e-5, "q vs scipy")
    close(gg.gamma, 15.44351775, rel: 1e-5, "γ vs scipy")
    XCTAssertEqual(model.gammaGammaLogLikelihood ?? 0, -4055.917694801871, accuracy: 1e-5)
    // Customer 4 bought first on 1997-01-01: T = 272 days = 38.857 weeks.
    let row4 = try XCTUnwrap(data.rowOf[4])
    XCTAssertEqual(model.summary.age(customerRow: row4) ?? 0, 272.0 / 7, accuracy: 1e-12)

    // The unit only rescales α: in days α is 7 times larger, r, a, b and P(alive) unchanged.
    let days = try CustomerModel.fit(cube: data.cube, calibrationEnd: calibrationEnd, unit: .days)
    close(days.bgnbd.alpha, 7 * model.bgnbd.alpha, rel: 1e-5, "α in days")
    close(days.bgnbd.r, model.bgnbd.r, rel: 1e-5, "r in days")
    close(days.bgnbd.a, model.bgnbd.a, rel: 1e-5, "a in days")
    close(days.bgnbd.b, model.bgnbd.b, rel: 1e-5, "b in days")
    close(days.pAlive(customerRow: row4), model.pAlive(customerRow: row4) ?? 0, rel: 1e-5, "P(alive) in days")
    close(days.expectedPurchases(customerRow: row4, horizon: 91), model.expectedPurchases(customerRow: row4, horizon: 13) ?? 0,
          rel: 1e-5, "next 13 weeks in days")

    let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(model.json().utf8)) as? [String: Any])
    let bg = try XCTUnwrap(json["bgnbd"] as? [String: Double])
    XCTAssertEqual(Set(bg.keys), ["r", "alpha", "a", "b"])
    XCTAssertEqual(bg["alpha"] ?? 0, model.bgnbd.alpha, accuracy: 1e-12)
    let ggj = try XCTUnwrap(json["gammagamma"] as? [String: Any])
    XCTAssertEqual(ggj["gamma"] as? Double ?? 0, gg.gamma, accuracy: 1e-12)
    XCTAssertEqual(json["customers"] as? Int, 2357)
    XCTAssertEqual(json["repeat_customers"] as? Int, 946)
    XCTAssertEqual((json["log_likelihood"] as? Double) ?? 0, model.logLikelihood, accuracy: 1e-9)
    XCTAssertEqual(json["calibration"] as? [String: String], ["start": "1997-01-01", "end": "1997-09-30"])
  }

  func testCDNOWPredictionsAgainstReferences() throws {
    let data = try cdnow()
    let summary = RFMSummary(cube: data.cube, calibrationEnd: calibrationEnd, unit: .weeks)
    // With the published parameters (not our fit), so the comparison is of formulas only.
    let model = CustomerModel(summary: summary, bgnbd: BGNBDParameters(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426),
                              gammaGamma: GammaGammaParameters(p: 6.25, q: 3.74, gamma: 15.44))
    // Σ ln L over the 2357 customers at the published parameters, from the closed form with
    // scipy.special.gammaln / numpy.logaddexp: −9582.430478013674.
    XCTAssertEqual(model.logLikelihood, -9582.430478013674, accuracy: 1e-7)
    var ggData = GammaGammaFit.Data()
    for c in 0..<summary.groupOfCustomer.count {
      if let x = summary.frequency(customerRow: c) { ggData.append(x: x, mean: summary.repeatSpend[c]) }
    }
    // Gamma-Gamma Σ ln f on the 946 repeat customers (scipy): −4055.919232049544.
    XCTAssertEqual(GammaGammaFit.logLikelihood(GammaGammaParameters(p: 6.25, q: 3.74, gamma: 15.44), ggData),
                   -4055.919232049544, accuracy: 1e-7)
    // The paper's worked example: x = 2, tₓ = 30.43, T = 38.86 expects 1.226 purchases in 39 weeks
    // (scipy.special.hyp2f1 closed form and lifetimes: 1.226028174767135; P(alive) 0.726578570080673).
    close(model.bgnbd.expectedPurchases(horizon: 39, x: 2, recency: 30.43, age: 38.86), 1.226028174767135, rel: 1e-10)
    close(model.bgnbd.pAlive(x: 2, recency: 30.43, age: 38.86), 0.726578570080673, rel: 1e-12)
    // E[X(t)] (paper eq. 7) with scipy.special.hyp2f1: t = 39 and 78 weeks.
    close(model.expectedPurchasesOfNewCustomer(horizon: 39), 1.1967231933207985, rel: 1e-10)
    close(model.expectedPurchasesOfNewCustomer(horizon: 78), 1.8605190579427455, rel: 1e-10)
    // Per customer, from lifetimes 0.11.3 (BetaGeoFitter / GammaGammaFitter with these parameters
    // set, customer_lifetime_value(time=12, discount_rate=0.01, freq="W")) and the scipy closed
    // forms: (id, x, P(alive), E[Y(13)], E[Y(39)], expected spend, CLV).
    let expected: [(Int64, Int, Double, Double, Double, Double, Double)] = [
      (4, 2, 0.7265897218354948, 0.4572450779075377, 1.2261158061493334, 24.659612860892388, 36.28570155466234),
      (18, 0, 1.0, 0.07060209517448836, 0.19686757534031532, 35.21897810218978, 8.443184223116138),
      (21, 1, 0.21226006255461333, 0.07473683661340073, 0.20335104108680657, 18.91685205784205, 4.641030866939842),
      (1760, 29, 0.9692183999179924, 7.838621734628548, 20.054788102259753, 26.394776890048377, 625.4236976218184),
      (15562, 26, 0.968851562851896, 8.276939950703715, 20.748353694337993, 39.89121883321229, 972.0367539305142),
      (226, 3, 0.6946023106053214, 0.6298862144464704, 1.6726767786271415, 26.369823173569102, 52.75302785415084),
      (151, 0, 1.0, 0.06993102552132882, 0.19510966499308482, 35.21897810218978, 8.369491263485592),
    ]
    // The holdout (1997-10-01 … 1998-06-30, 39 weeks): Σ E[Y(39)] over all customers, scipy
    // closed form: 1653.9412593133425 (the data hold 1882 repeat purchase days there).
    let all = model.expectedPurchasesByCustomer(horizon: 39)
    close(all.reduce(0) { $0 + ($1.isNaN ? 0 : $1) }, 1653.9412593133425, rel: 1e-10, "Σ E[Y(39)]")
    for (id, x, alive, e13, e39, spend, clv) in expected {
      let row = try XCTUnwrap(data.rowOf[id])
      XCTAssertEqual(summary.frequency(customerRow: row), x, "customer \(id)")
      close(model.pAlive(customerRow: row), alive, rel: 1e-12, "P(alive) \(id)")
      close(model.expectedPurchases(customerRow: row, horizon: 13), e13, rel: 1e-10, "E[Y(13)] \(id)")
      close(model.expectedPurchases(customerRow: row, horizon: 39), e39, rel: 1e-10, "E[Y(39)] \(id)")
      close(model.expectedSpend(customerRow: row), spend, rel: 1e-12, "spend \(id)")
      close(model.clv(customerRow: row), clv, rel: 1e-9, "CLV \(id)")
    }
  }

  func testFitsTheOtherSharedDatabases() throws {
    // Whole CDNOW (23,570 customers) and the retail data (NULL amounts, orphan orders): the fits
    // converge and every prediction is a finite number in range.
    for (name, end) in [("cdnow", Day(year: 1997, month: 9, day: 30)), ("retail_cn", Day(year: 2026, month: 6, day: 30))] {
      guard let path = TestData.shared(name) else { throw XCTSkip("../shared/data/\(name).sqlite not present") }
      let cube = try CubeLoader.load(path: path).cube
      for unit in TimeUnitLength.allCases {
        let started = Date()
        let model = try CustomerModel.fit(cube: cube, calibrationEnd: end, unit: unit)
        print(String(format: "%@ (%@): %.3f s ", name, unit.rawValue, Date().timeIntervalSince(started)) + model.json())
        XCTAssertTrue(model.converged, name)
        XCTAssertNotNil(model.gammaGamma, name)
        let alive = model.pAliveByCustomer().filter { !$0.isNaN }
        XCTAssertEqual(alive.count, model.customersUsed)
        XCTAssertTrue(alive.allSatisfy { $0 >= 0 && $0 <= 1 }, name)
        let quarter = model.expectedPurchasesByCustomer(horizon: model.units(days: 91)).filter { !$0.isNaN }
        XCTAssertTrue(quarter.allSatisfy { $0.isFinite && $0 >= 0 }, name)
        let clv = model.clvByCustomer().filter { !$0.isNaN }
        XCTAssertEqual(clv.count, model.customersUsed, name)
        XCTAssertTrue(clv.allSatisfy { $0.isFinite && $0 >= 0 }, name)
      }
    }
  }

  // MARK: Scale


  /// Gamma(shape, 1) by Marsaglia–Tsang (with the U^(1/shape) boost below shape 1).
  private func gammaVariate(_ shape: Double, _ rng: inout SplitMix64) -> Double {
    if shape < 1 { return gammaVariate(shape + 1, &rng) * pow(Double.random(in: Double.ulpOfOne..<1, using: &rng), 1 / shape) }
    let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
    while true {
      var x = 0.0, v = 0.0
      repeat {
        // Box–Muller normal.
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &rng), u2 = Double.random(in: 0..<1, using: &rng)
        x = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        v = 1 + c * x
      } while v <= 0
      v = v * v * v
      let u = Double.random(in: Double.ulpOfOne..<1, using: &rng)
      if log(u) < 0.5 * x * x + d - d * v + d * log(v) { return d * v }
    }
  }

  func testSyntheticFit200k() throws {
    // 200,000 customers drawn from BG/NBD (r 0.243, α 4.414 weeks, a 0.793, b 2.426), acquired
    // over half a year and observed for 26–52 weeks, purchase times rounded down to days.
    var rng = SplitMix64(state: 20_051_105)
    let truth = BGNBDParameters(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426)
    var triples: [(x: Int, recencyDays: Int, ageDays: Int)] = []
    triples.reserveCapacity(200_000)
    for _ in 0..<200_000 {
      let lambdaPerDay = gammaVariate(truth.r, &rng) / (truth.alpha * 7)
      let ga = gammaVariate(truth.a, &rng), gb = gammaVariate(truth.b, &rng)
      let p = ga / (ga + gb)
      let ageDays = Int.random(in: 182...364, using: &rng)
      var t = 0.0, x = 0, lastDay = 0
      while true {
        t += -log(Double.random(in: Double.ulpOfOne..<1, using: &rng)) / lambdaPerDay
        if !(t <= Double(ageDays)) { break }
        let day = Int(t)
        if day > lastDay {  // a second purchase on the same day is not a new purchase day
          x += 1
          lastDay = day
          if Double.random(in: 0..<1, using: &rng) < p { break }
        }
      }
      triples.append((x, lastDay, ageDays))
    }
    let started = Date()
    let summary = RFMSummary(triples: triples, calibrationEnd: Day(year: 2025, month: 12, day: 31), unit: .weeks)
    let grouped = Date()
    let model = try CustomerModel.fit(summary: summary)
    let fitted = Date()
    print(String(format: "synthetic 200k: %d customers in %d (x, tₓ, T) groups; grouping %.3f s, fit %.3f s; r %.4f α %.4f a %.4f b %.4f",
                 summary.customers, summary.groups, grouped.timeIntervalSince(started), fitted.timeIntervalSince(grouped),
                 model.bgnbd.r, model.bgnbd.alpha, model.bgnbd.a, model.bgnbd.b))
    XCTAssertEqual(model.customersUsed, 200_000)
    XCTAssertTrue(model.converged)
    // Recovery (sampling error and day rounding make this loose).
    close(model.bgnbd.r, truth.r, rel: 0.1, "r")
    close(model.bgnbd.alpha, truth.alpha, rel: 0.1, "α")
    close(model.bgnbd.a, truth.a, rel: 0.15, "a")
    close(model.bgnbd.b, truth.b, rel: 0.15, "b")
    XCTAssertNil(model.gammaGamma)  // no spend given
  }
}
