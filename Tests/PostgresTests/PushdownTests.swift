// Engine pushdown on a real PostgreSQL server (WENSHU_PG_URL, as PostgresTests; skipped
// without it, a failure under CI): every database of the differential tests (the generated
// demos and edge databases, exported into databases of their own, wenshu_diff_*; the shared
// ones as .ci/postgres.sh exports them) is answered by an Engine with --engine pushdown, and
//
//   - its facts (dimension values, date range, what the data has) are those of the whole data;
//   - random plan trees (the generator of the differential tests, Tests/WenshuTests/
//     DifferentialPlans.swift, linked here) answered by the server agree with the cube loaded
//     from the same database (--engine cube): the same columns, shape and notes, the same rows
//     by the rules of DifferentialCompare.swift; nothing is corrected or skipped. (The cube
//     from the server is the cube from the SQLite file where the export keeps every value's
//     kind: PostgresTests checks retail_cn; a column of mixed kinds is stored as text.)
//   - plans with no SQL form are refused with a pointer to --engine cube;
//   - statements run read-only, bound and under the timeout; the automatic choice follows the
//     server's order count.
//
//   WENSHU_PG_DIFF_PLANS   plans per run (default 2000)
//   WENSHU_DIFF_SEED       the run's seed (as DifferentialTests)
//   WENSHU_PG_DIFF_LOG     a file to write every differing plan to (the test shows ten)

import CubeSQLite
import Engine
import Execution
import Foundation
import PostgresIO
import QueryModel
import SQLCompiler
import TestSupport
import XCTest

final class PushdownTests: XCTestCase {
  static var planCount: Int {
    ProcessInfo.processInfo.environment["WENSHU_PG_DIFF_PLANS"].flatMap { Int($0) } ?? 2000
  }

  /// Each differential dataset with its engines on the server, pushdown and cube (built once
  /// per process).
  static func servers() throws -> [(DiffDataset, Engine, Engine)] {
    let base = try serverBase()
    lock.lock()
    defer { lock.unlock() }
    if let c = cached { return c }
    let sets = try DiffData.all()
    var out: [(DiffDataset, Engine, Engine)] = []
    for ds in sets {
      let url = try database(for: ds, base: base)
      func engine(_ kind: EngineKind) throws -> Engine {
        try Engine(database: url, grammars: TestData.grammars.path, today: TestData.demoToday, engine: kind)
      }
      out.append((ds, try engine(.pushdown), try engine(.cube)))
    }
    cached = out
    return out
  }

  static let lock = NSLock()
  nonisolated(unsafe) static var cached: [(DiffDataset, Engine, Engine)]?

  /// postgresql://user@host:port of the test server.
  static func serverBase() throws -> String {
    let url = try PostgresURL(try PostgresTests.serverURL())
    return "postgresql://\(url.user ?? "wenshu")@\(url.host ?? "127.0.0.1"):\(url.port ?? 5432)"
  }

  /// The dataset's database on the server: the shared ones as .ci/postgres.sh exported them,
  /// the generated ones exported now (replacing an earlier run's tables).
  static func database(for ds: DiffDataset, base: String) throws -> String {
    if ["retail_cn", "cdnow_sample", "cdnow"].contains(ds.name) { return base + "/" + ds.name }
    let name = "wenshu_diff_" + ds.name.replacingOccurrences(of: "-", with: "_")
    let admin = try PostgresConnection(url: base + "/wenshu_scratch", mode: .write)
    if try admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]).rows.isEmpty {
      try admin.execute("CREATE DATABASE " + quotePostgresIdentifier(name))
    }
    let url = base + "/" + name
    _ = try PostgresExport.export(sqlitePath: ds.path, to: url, replace: true)
    return url
  }

  // MARK: - facts

  /// The pushdown engine reads only the facts, and they are the whole data's facts.
  func testFactsAreTheWholeDataFacts() throws {
    for (ds, engine, cube) in try Self.servers() {
      let facts = engine.database.cube
      let whole = cube.database.cube
      XCTAssertEqual(engine.choice.kind, .pushdown)
      XCTAssertEqual(facts.dateRange, whole.dateRange, ds.name)
      XCTAssertEqual(facts.availableDimensions, whole.availableDimensions, ds.name)
      XCTAssertEqual(facts.feedback != nil, whole.feedback != nil, ds.name)
      XCTAssertEqual(facts.items != nil, whole.items != nil, ds.name)
      XCTAssertEqual(facts.events != nil, whole.events != nil, ds.name)
      XCTAssertEqual(facts.customers.tableRowCount > 0, whole.customers.tableRowCount > 0, ds.name)
      XCTAssertEqual(facts.events.map { Set($0.type.dictionary) }, whole.events.map { Set($0.type.dictionary) }, ds.name)
      for d in DimensionID.allCases {
        XCTAssertEqual(Set(facts.values(of: d)), Set(whole.values(of: d)), "\(ds.name) \(d)")
      }
      XCTAssertEqual(engine.orderCount, ds.loaded.schema.tables.first { $0.name == ds.loaded.mapping.orders.table }?.rowCount, ds.name)
      if whole.orders.count > 1000 {
        XCTAssertLessThan(facts.orders.count, whole.orders.count, "\(ds.name): only the facts are read")
      }
    }
  }

  // MARK: - random plans

  func testRandomPlansAgreeWithTheCube() throws {
    let servers = try Self.servers()
    let sets = servers.map(\.0)
    let engineOf = Dictionary(servers.map { ($0.0.name, ($0.1, $0.2)) }, uniquingKeysWith: { a, _ in a })
    let seed = ProcessInfo.processInfo.environment["WENSHU_DIFF_SEED"].flatMap { UInt64($0) } ?? 20_261_122
    let count = Self.planCount
    let tally = Tally()
    let t0 = Date()
    let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 4))
    DispatchQueue.concurrentPerform(iterations: workers) { w in
      var i = w
      while i < count {
        defer { i += workers }
        let s = DiffPlans.seed(run: seed, index: i)
        guard let ds = DiffPlans.dataset(s, sets), let (pushdown, inMemory) = engineOf[ds.name] else { continue }
        let (tree, lang) = DiffPlans.tree(s, ds)
        let cube = Result { try inMemory.answers.table(tree, language: lang) }
        let pushed = Result { try pushdown.answers.table(tree, language: lang) }
        let failure: String?
        var bothRefused = false
        switch (cube, pushed) {
        case (.failure, .failure): bothRefused = true; failure = nil
        case (.failure(let e), .success): failure = "the cube refused (\(e)) but the server answered"
        case (.success, .failure(let e)): failure = "the server refused: \(e)"
        case (.success(let a), .success(let b)): failure = Self.difference(a, b)
        }
        tally.add(ds.name, kind: failure.map(Self.kind), failure.map { "dataset=\(ds.name) seed=\(s) lang=\(lang.rawValue)\n  tree: \(tree.line)\n  \($0)" },
                  refused: bothRefused)
      }
    }
    let (failures, agreed, refused, perDataset) = (tally.failures, tally.agreed, tally.refused, tally.perDataset)
    print("pushdown differential: \(count) plans, WENSHU_DIFF_SEED=\(seed), \(agreed) agree, \(refused) refused by both, \(failures.count) differ, "
      + String(format: "%.1f s", Date().timeIntervalSince(t0)) + "; per dataset: "
      + perDataset.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
    if let log = ProcessInfo.processInfo.environment["WENSHU_PG_DIFF_LOG"] {
      try failures.joined(separator: "\n\n").write(toFile: log, atomically: true, encoding: .utf8)
    }
    for (k, n) in tally.kinds.sorted(by: { $0.value > $1.value }).prefix(15) { print("  \(n)× \(k)") }
    for f in failures.prefix(10) { XCTFail(f) }
    if failures.count > 10 { XCTFail("… and \(failures.count - 10) more differing plans") }
  }

  final class Tally: @unchecked Sendable {
    let lock = NSLock()
    var failures: [String] = []
    var agreed = 0
    var refused = 0
    var perDataset: [String: Int] = [:]

    var kinds: [String: Int] = [:]

    func add(_ dataset: String, kind: String?, _ failure: String?, refused both: Bool) {
      lock.lock()
      defer { lock.unlock() }
      perDataset[dataset, default: 0] += 1
      if let kind { kinds[kind, default: 0] += 1 }
      if let failure { failures.append(failure) } else if both { refused += 1 } else { agreed += 1 }
    }
  }

  /// A failure's kind for the summary: the server's error without its statement, or what differs.
  static func kind(_ failure: String) -> String {
    var k = failure.split(separator: "\n").first.map(String.init) ?? failure
    if let e = k.range(of: "ERROR:") { k = "server error:" + k[e.upperBound...] }
    if let c = k.range(of: ":", options: [], range: k.index(k.startIndex, offsetBy: min(k.count, 8))..<k.endIndex), k.hasPrefix("row") {
      k = String(k[..<c.lowerBound])
    }
    return String(k.prefix(110))
  }

  /// The first difference between the cube's table and the server's, or nil.
  static func difference(_ a: ResultTable, _ b: ResultTable) -> String? {
    if a.columns != b.columns { return "columns: cube \(a.columns.map(\.id)), server \(b.columns.map(\.id))" }
    if a.shape != b.shape { return "shape: cube \(a.shape), server \(b.shape)" }
    if a.notes != b.notes { return "notes: cube \(a.notes), server \(b.notes)" }
    if let d = DiffRunner.compare(a, b.rows.map { $0.map(DiffRunner.sqlValue) }) {
      return d + "\n  cube:\n" + DiffRunner.render(a.rows) + "\n  server:\n" + DiffRunner.render(b.rows)
    }
    return nil
  }

  // MARK: - the engine choice

  func testModelFiguresAreRefusedPointingToTheCube() throws {
    let url = try PostgresTests.serverURL()
    let engine = try Engine(database: url, grammars: TestData.grammars.path, today: TestData.demoToday, engine: .pushdown)
    for q in ["各地区的客户终身价值", "predicted CLV by region", "客户聚类"] {
      let a = engine.ask(q, today: TestData.demoToday)
      XCTAssertNil(a.table, q)
      XCTAssertTrue(a.refusal?.message.contains("--engine cube") ?? false, "\(q): \(a.refusal?.message ?? "answered")")
    }
  }

  /// The automatic choice: the cube up to cubeOrderLimit orders, the server beyond; a choice
  /// asked for is kept. (No server needed.)
  func testTheAutomaticChoiceFollowsTheOrderCount() {
    XCTAssertEqual(Engine.choose(nil, orders: Engine.cubeOrderLimit).kind, .cube)
    XCTAssertEqual(Engine.choose(nil, orders: Engine.cubeOrderLimit + 1).kind, .pushdown)
    XCTAssertTrue(Engine.choose(nil, orders: Engine.cubeOrderLimit + 1).reason.contains("--engine cube"))
    XCTAssertEqual(Engine.choose(.cube, orders: 10 * Engine.cubeOrderLimit).kind, .cube)
    XCTAssertEqual(Engine.choose(.pushdown, orders: 3).kind, .pushdown)
  }

  /// Statements for questions run read-only, with their values bound, under the timeout; a
  /// refused statement leaves the pool usable.
  func testPoolStatementsAreReadOnlyBoundAndTimed() throws {
    let pool = try PostgresPool(url: try PostgresTests.serverURL(), statementTimeout: 1)
    XCTAssertEqual(try pool.rows("SELECT $1::text, $2::bigint", ["华东'; DROP TABLE orders; --", "7"]),
                   [[.text("华东'; DROP TABLE orders; --"), .int(7)]])
    XCTAssertThrowsError(try pool.rows("CREATE TABLE wenshu_must_not_exist (x int)", [])) { e in
      XCTAssertEqual((e as? PostgresError)?.kind, .readOnly, String(describing: e))
    }
    XCTAssertThrowsError(try pool.rows("SELECT pg_sleep(3)", [])) { e in
      XCTAssertEqual((e as? PostgresError)?.kind, .timeout, String(describing: e))
    }
    XCTAssertEqual(try pool.rows("SELECT count(*) FROM orders", []), [[.int(38222)]])
  }

  func testTheChoiceIsSaid() throws {
    let url = try PostgresTests.serverURL()
    let automatic = try Engine(database: url, grammars: TestData.grammars.path, today: TestData.demoToday)
    XCTAssertEqual(automatic.choice.kind, .cube)
    XCTAssertTrue(automatic.choice.reason.contains("fit in memory"), automatic.choice.reason)
    XCTAssertThrowsError(try Engine(database: TestData.demoPath(), grammars: TestData.grammars.path, today: TestData.demoToday, engine: .pushdown)) { e in
      XCTAssertTrue(String(describing: e).contains("postgresql://"), String(describing: e))
    }
  }
}
