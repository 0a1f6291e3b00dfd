// Differential tests of the SQL compiler: random valid plans run on the cube by the executor
// and, compiled, on SQLite; the two must give the same rows (same count, keys equal, counts
// exactly, sums and rates within 1e-9 relative, ties in the same order). Nothing is corrected
// or skipped: every disagreement fails (see DifferentialCompare.swift).
//
//   WENSHU_DIFF_PLANS   plans per run (default 300; CI runs 10,000 against a release build)
//   WENSHU_DIFF_SEED    the run's seed (a fixed default; "random" picks one and prints it)
//
// The executor under test splits every scan over three threads (DiffDataset.executor);
// testThreadCountInvariance runs each random plan on one thread as well and requires the same
// result.
//
// A failing plan prints its dataset and seed, the plan line, the literal SQL and both results;
// add (dataset, seed) to `regressions` to keep it.

import CubeSQLite
import Execution
import Foundation
import QueryModel
import SQLCompiler
import TestSupport
import XCTest

final class DifferentialTests: XCTestCase {
  /// Plans that once failed: (dataset, plan seed).
  static let regressions: [(String, UInt64)] = [
    ("demo-orphans", 6_737_082_681_499_161_828),  // one cohort cell: the executor moved retention_rate second
    ("demo-b", 5_228_837_133_591_343_561),  // month-0 retention (the executor says 0)
    ("demo-a", 7_605_994_222_540_194_717),  // a negated channel filter: rows differ in number, not only in values
    ("demo-a", 4),  // a category breakdown under a product filter (items joined to orders by id)
    ("cdnow_sample", 4),  // repeat customers by RFM segment and day
    ("retail_cn", 11_328_270_025_404_977_270),  // a ranking tie cut by floating-point noise (2510.1000000000004 vs 2510.1)
  ]

  static var planCount: Int {
    ProcessInfo.processInfo.environment["WENSHU_DIFF_PLANS"].flatMap { Int($0) } ?? 300
  }

  static var runSeed: UInt64 {
    let env = ProcessInfo.processInfo.environment["WENSHU_DIFF_SEED"]
    if env == "random" { return UInt64.random(in: 1...UInt64.max) }
    return env.flatMap { UInt64($0) } ?? 20_261_122
  }

  func testRandomPlans() throws {
    let sets = try DiffData.all()
    let seed = Self.runSeed
    let count = Self.planCount
    let report = DiffReport()
    let t0 = Date()
    let workers = ProcessInfo.processInfo.environment["WENSHU_DIFF_WORKERS"].flatMap { Int($0) }
      ?? max(1, min(ProcessInfo.processInfo.activeProcessorCount, 4))
    print("differential: \(count) plans, WENSHU_DIFF_SEED=\(seed), \(workers) workers, datasets: \(sets.map(\.name).joined(separator: ", "))")
    DispatchQueue.concurrentPerform(iterations: workers) { w in
      var i = w
      while i < count {
        let s = DiffPlans.seed(run: seed, index: i)
        if let ds = DiffPlans.dataset(s, sets) {
          let (tree, lang) = DiffPlans.tree(s, ds)
          report.add(DiffRunner.check(tree, lang, ds, seed: s), tree: tree, dataset: ds.name)
        }
        i += workers
      }
    }
    let seconds = Date().timeIntervalSince(t0)
    print(report.summary(seconds: seconds))
    for f in report.failures.prefix(10) { XCTFail(f) }
    if report.failures.count > 10 { XCTFail("… and \(report.failures.count - 10) more failing plans") }
  }

  /// Every random plan gives the same result on one thread and on three (scans split into
  /// row ranges however small the data): partial states merge without loss.
  func testThreadCountInvariance() throws {
    let sets = try DiffData.all()
    let seed = Self.runSeed
    let count = Self.planCount
    var failures: [String] = []
    var checked = 0
    for i in 0..<count {
      let s = DiffPlans.seed(run: seed, index: i)
      guard let ds = DiffPlans.dataset(s, sets) else { continue }
      let (tree, lang) = DiffPlans.tree(s, ds)
      checked += 1
      if let f = DiffRunner.checkThreads(tree, lang, ds, seed: s) { failures.append(f) }
    }
    print("thread-count invariance: \(checked) plans, \(failures.count) differ")
    for f in failures.prefix(10) { XCTFail(f) }
    if failures.count > 10 { XCTFail("… and \(failures.count - 10) more plans differ") }
  }

  func testRegressions() throws {
    let sets = try DiffData.all()
    for (name, seed) in Self.regressions {
      guard let ds = sets.first(where: { $0.name == name }) else { continue }
      let (tree, lang) = DiffPlans.tree(seed, ds)
      if let f = DiffRunner.check(tree, lang, ds, seed: seed).failure { XCTFail(f) }
    }
  }

  /// Hand-written plans on the edge databases: ties, orphans, NULLs, text ids, unix dates.
  func testEdgePlans() throws {
    let sets = try DiffData.all()
    func run(_ name: String, _ today: Day, _ lang: Language = .zh, _ build: (inout Plan) -> Void) {
      guard let ds = sets.first(where: { $0.name == name }) else { return XCTFail("no dataset \(name)") }
      var plan = Plan(today: today)
      build(&plan)
      if let f = DiffRunner.check(plan, lang, ds, seed: 0).failure { XCTFail(f) }
    }
    let t = Day(year: 2026, month: 1, day: 10)
    run("edge-mixed", t) { $0.metrics = [.sales, .orders, .buyers, .units]; $0.groupBy = [.region] }
    run("edge-mixed", t) { $0.metrics = [.sales]; $0.groupBy = [.customer]; $0.ranking = Ranking(limit: 4, descending: true) }
    run("edge-mixed", t) { $0.metrics = [.sales]; $0.groupBy = [.customer]; $0.ranking = Ranking(limit: 3, descending: false) }
    run("edge-mixed", t) { $0.metrics = [.sales, .units]; $0.groupBy = [.category]; $0.share = true }
    run("edge-mixed", t) { $0.metrics = [.nps, .negativeFeedback]; $0.groupBy = [.topic] }
    run("edge-mixed", t) { $0.metrics = [.customers]; $0.groupBy = [.segment] }
    run("edge-mixed", t, .en) { $0.list = .all }
    run("edge-mixed", t) { $0.list = .buyers; $0.period = DateRange(Day(year: 2024, month: 1, day: 1), Day(year: 2024, month: 12, day: 31)) }
    run("edge-mixed", t) { $0.metrics = [.sales]; $0.timeGrain = .month; $0.period = DateRange(Day(year: 2024, month: 11, day: 15), Day(year: 2025, month: 2, day: 10)) }
    run("edge-mixed", t) { $0.metrics = [.sales]; $0.filters = [Filter(.region, ["华东'; DROP TABLE orders; --"])] }
    run("edge-textids", Day(year: 2025, month: 7, day: 1)) { $0.metrics = [.sales, .buyers]; $0.groupBy = [.customer]; $0.ranking = Ranking(limit: 10, descending: true) }
    run("edge-textids", Day(year: 2025, month: 7, day: 1)) { $0.list = .churned }
    run("edge-intkeys", Day(year: 2025, month: 1, day: 1)) { $0.metrics = [.orders, .customers]; $0.groupBy = [.memberLevel] }
    run("edge-single", Day(year: 2025, month: 5, day: 6)) { $0.metrics = [.sales, .repeatRate, .churnRate]; $0.timeGrain = .week }
    run("edge-single", Day(year: 2025, month: 5, day: 6)) { $0.cohort = CohortSpec(cohorts: DateRange(Day(year: 2025, month: 5, day: 1), Day(year: 2025, month: 5, day: 31)), monthsAfter: nil) }
  }
}

/// Outcomes of a run, collected from several threads.
final class DiffReport: @unchecked Sendable {
  private let lock = NSLock()
  private(set) var failures: [String] = []
  private var plans = 0
  private var byDataset: [String: Int] = [:]
  private var timing: [String: (executor: Double, sql: Double)] = [:]
  private var byShape: [String: Int] = [:]
  private var refused = 0
  private var refusedShapes: [String: Int] = [:]

  func add(_ o: DiffOutcome, tree: LogicalPlan, dataset: String) {
    lock.lock()
    defer { lock.unlock() }
    plans += 1
    byDataset[dataset, default: 0] += 1
    let t = timing[dataset] ?? (0, 0)
    timing[dataset] = (t.executor + o.executorSeconds, t.sql + o.sqlSeconds)
    var shapes = tree.blocks.flatMap(DiffReport.shapes)
    switch tree {
    case .aggregate: break
    case .share: shapes.append("tree:share")
    case .difference: shapes.append("tree:difference")
    case .stack: shapes.append("tree:stack")
    }
    for s in Set(shapes) { byShape[s, default: 0] += 1 }
    if let f = o.failure { failures.append(f) }
    if o.refused {
      refused += 1
      for s in Set(tree.blocks.flatMap(DiffReport.shapes)) where s.hasPrefix("metric:") || s.hasPrefix("tree:") { refusedShapes[s, default: 0] += 1 }
    }
  }

  static func shapes(_ p: Plan) -> [String] {
    var s: [String] = []
    if let l = p.list { s.append("list:\(l.rawValue)") } else if let c = p.cohort { s.append(c.monthsAfter == nil ? "cohort triangle" : "cohort cell") } else {
      s += (p.metrics.isEmpty ? [MetricID.sales] : p.metrics).map { "metric:\($0.rawValue)" }
      s += p.groupBy.map { "by:\($0.rawValue)" }
      if let g = p.timeGrain { s.append("grain:\(g.rawValue)") }
      if p.share { s.append("share") }
      if let c = p.comparison { s.append("compare:\(c.rawValue)") }
    }
    s += p.filters.map { "filter:\($0.dimension.rawValue)\($0.negated ? "!" : "")" }
    if p.ranking != nil { s.append("ranking") }
    if !p.conditions.isEmpty { s.append("conditions") }
    s += p.customerPredicates.map { if case .kind(let k) = $0 { return "customers:\(k.rawValue)" } else { return "customers:age" } }
    if !p.orderPredicates.isEmpty { s.append("order amounts") }
    s.append(p.period == nil ? "period:none" : (p.period.map { $0.dayCount == 1 } ?? false ? "period:one day" : "period:range"))
    return s
  }

  func summary(seconds: Double) -> String {
    lock.lock()
    defer { lock.unlock() }
    var lines = [String(format: "differential: %d plans in %.1f s (%.1f ms/plan), %d failing", plans, seconds, seconds * 1000 / Double(max(plans, 1)), failures.count)]
    lines.append("  refused by both sides: \(refused) plans (" + refusedShapes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")")
    lines.append("  per dataset (plans, executor s, SQLite s): " + byDataset.sorted { $0.key < $1.key }.map {
      "\($0.key) \($0.value) " + String(format: "%.2f %.2f", timing[$0.key]?.executor ?? 0, timing[$0.key]?.sql ?? 0)
    }.joined(separator: ", "))
    lines.append("  coverage: " + byShape.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
    return lines.joined(separator: "\n")
  }
}
