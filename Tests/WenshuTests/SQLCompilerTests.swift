// Tests of the SQL compiler itself: the literal form runs in the sqlite3 shell and gives the
// rows of the parameterised form; values from a question are bound, never spliced (an
// injection string leaves the database unchanged); literals quote safely; dates and customer
// ids are read in SQL exactly as the loader reads them; the RFM table matches the executor's;
// model-based figures are refused; output columns are named as the executor's columns; a plan
// tree compiles to one statement whose predicates and values are bound.

import CubeSQLite
import Execution
import Foundation
import QueryModel
@testable import SQLCompiler
import TestSupport
import XCTest

final class SQLCompilerTests: XCTestCase {
  func dataset(_ name: String) throws -> DiffDataset {
    guard let ds = try DiffData.all().first(where: { $0.name == name }) else { throw XCTSkip("no dataset \(name)") }
    return ds
  }

  /// A few plans of every kind, with awkward filter values.
  func samplePlans() -> [Plan] {
    let today = Day(year: 2026, month: 1, day: 10)
    var out: [Plan] = []
    var p = Plan(today: today)
    p.metrics = [.sales, .repeatRate]
    p.groupBy = [.region]
    p.filters = [Filter(.city, ["上海", "O'Hare", "tab\there", "line\nbreak"])]
    p.share = true
    out.append(p)
    p = Plan(today: today)
    p.metrics = [.orders]
    p.timeGrain = .month
    p.period = DateRange(Day(year: 2024, month: 11, day: 15), Day(year: 2025, month: 3, day: 2))
    p.comparison = .yearOverYear
    p.comparisonPeriod = DateRange(Day(year: 2023, month: 11, day: 15), Day(year: 2024, month: 3, day: 2))
    out.append(p)
    p = Plan(today: today)
    p.list = .buyers
    p.conditions = [CustomerCondition(.spend, .gt, 99.5)]
    p.ranking = Ranking(limit: 5, descending: true)
    out.append(p)
    p = Plan(today: today)
    p.cohort = CohortSpec(cohorts: DateRange(Day(year: 2024, month: 1, day: 1), Day(year: 2024, month: 6, day: 30)), monthsAfter: nil)
    p.metrics = [.retention]
    out.append(p)
    p = Plan(today: today)
    p.metrics = [.nps, .negativeFeedback]
    p.groupBy = [.topic]
    out.append(p)
    p = Plan(today: today)
    p.metrics = [.customers]
    p.groupBy = [.segment]
    p.filters = [Filter(.segment, ["important_value", "一般挽留客户"], negated: true)]
    out.append(p)
    return out
  }

  // MARK: The literal form

  func testLiteralFormRunsInShell() throws {
    let shell = "/usr/bin/sqlite3"
    guard FileManager.default.isExecutableFile(atPath: shell) else { throw XCTSkip("sqlite3 shell not installed") }
    let ds = try dataset("edge-mixed")
    for plan in samplePlans() {
      let c = try ds.compiler.compile(plan, language: .zh)
      let bound = try ds.withConnection { try $0.rows(c.sql, c.parameters) }
      let (status, out, err) = try runShell(shell, ["-json", "-readonly", ds.path], input: c.literalSQL + ";\n")
      XCTAssertEqual(status, 0, "\(plan): \(err)")
      let names = try ds.withConnection { db -> [String] in
        let st = try db.prepare(c.sql)
        return (0..<st.columnCount).map { st.columnName($0) }
      }
      let parsed = out.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? []
        : try XCTUnwrap(JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]], out)
      XCTAssertEqual(parsed.count, bound.count, "\(plan)")
      for (row, obj) in zip(bound, parsed) {
        for (j, v) in row.enumerated() {
          let s = obj[names[j]]
          switch v {
          case .null: XCTAssertTrue(s == nil || s is NSNull, "\(plan) \(names[j])")
          case .int(let i): XCTAssertEqual((s as? NSNumber)?.int64Value, i, "\(plan) \(names[j])")
          case .double(let d):
            let x = try XCTUnwrap((s as? NSNumber)?.doubleValue, "\(plan) \(names[j])")
            XCTAssertEqual(x, d, accuracy: 1e-12 * max(1, abs(d)), "\(plan) \(names[j])")
          case .text(let t): XCTAssertEqual(s as? String, t, "\(plan) \(names[j])")
          }
        }
      }
    }
  }

  func runShell(_ tool: String, _ args: [String], input: String) throws -> (Int32, String, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: tool)
    p.arguments = args
    let i = Pipe(), o = Pipe(), e = Pipe()
    p.standardInput = i
    p.standardOutput = o
    p.standardError = e
    try p.run()
    i.fileHandleForWriting.write(Data(input.utf8))
    try i.fileHandleForWriting.close()
    let out = o.fileHandleForReading.readDataToEndOfFile()
    let err = e.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
  }

  func testLiteralQuoting() throws {
    let db = try SQLiteDatabase(path: ":memory:", readOnly: false, create: true)
    let values = ["华东'; DROP TABLE orders; --", "''", "'", "a\"b", "tab\tnew\nline\r", "\u{7}bell", "C1\u{85}", "end'", "", "?", "naïve ☃"]
    for v in values {
      let lit = SQLDialect.sqlite.literal(.text(v))
      XCTAssertFalse(lit.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || ($0.value >= 0x80 && $0.value < 0xA0) }, lit)
      XCTAssertEqual(try db.rows("SELECT " + lit).first?.first, .text(v), lit)
    }
    for d in [0.1, -2.5e-12, 1e300, 12345678.0, -0.0] {
      XCTAssertEqual(try db.rows("SELECT " + SQLDialect.sqlite.literal(.double(d))).first?.first?.double, d)
    }
    XCTAssertEqual(try db.rows("SELECT typeof(" + SQLDialect.sqlite.literal(.double(3)) + ")").first?.first, .text("real"))
    XCTAssertEqual(SQLDialect.sqlite.quote("a\"b"), "\"a\"\"b\"")
  }

  // MARK: Injection

  func testInjectionIsBoundNeverSpliced() throws {
    let ds = try dataset("edge-mixed")
    let copy = DiffData.directory + "/injection-\(UUID().uuidString).sqlite"
    try FileManager.default.copyItem(atPath: ds.path, toPath: copy)
    defer { try? FileManager.default.removeItem(atPath: copy) }
    let evil = ["华东'; DROP TABLE orders; --", "x\"); DELETE FROM customers; --", "'; UPDATE orders SET total_amount = 0; --"]
    var plan = Plan(today: Day(year: 2026, month: 1, day: 10))
    plan.metrics = [.sales, .orders]
    plan.groupBy = [.channel]
    plan.filters = [Filter(.region, evil), Filter(.channel, [evil[0]]), Filter(.topic, [evil[2]])]
    let db = try SQLiteDatabase(path: copy, readOnly: false)
    func fingerprint() throws -> [[SQLValue]] {
      try db.rows("SELECT (SELECT count(*) FROM sqlite_master), (SELECT count(*) FROM orders), (SELECT total(total_amount) FROM orders), (SELECT count(*) FROM customers)")
    }
    let before = try fingerprint()
    for p in [plan, { var l = plan; l.list = .buyers; return l }(), { var l = plan; l.metrics = [.nps]; l.groupBy = []; return l }()] {
      let c = try ds.compiler.compile(p, language: .zh)
      for e in evil {
        XCTAssertFalse(c.sql.contains(e), "a question's value was spliced into the SQL")
        XCTAssertTrue(c.parameters.contains(.text(e)) || p.filters.allSatisfy { !$0.values.contains(e) || $0.dimension == .topic })
      }
      let rows = try db.rows(c.sql, c.parameters)  // a writable connection: binding is what protects it
      XCTAssertTrue(rows.allSatisfy { $0.count == rows.first?.count }, "\(p)")
      if FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3") {
        let (status, _, err) = try runShell("/usr/bin/sqlite3", [copy], input: c.literalSQL + ";\n")
        XCTAssertEqual(status, 0, err)
      }
      XCTAssertEqual(try fingerprint(), before, "the database changed")
    }
    XCTAssertEqual(try ds.executor.run(plan, language: .zh).rows.count, try db.rows(try ds.compiler.compile(plan, language: .zh).sql,
                                                                                  try ds.compiler.compile(plan, language: .zh).parameters).count)
  }

  /// A share tree with customer and order predicates, and a difference of two values: one
  /// statement each, every value of the question bound, the literal form runnable in a shell.
  func testTreesAreOneStatementWithBoundValues() throws {
    let ds = try dataset("demo-a")
    let channels = try XCTUnwrap(ds.values[.channel])
    var part = Plan(today: Day(year: 2026, month: 11, day: 22))
    part.metrics = [.sales, MetricID(catalog: "discount_rate")]
    part.groupBy = [.region]
    part.customerPredicates = [.age(min: 37, max: 52), .kind(.repeatBuyers)]
    part.orderPredicates = [OrderPredicate(.gt, 123.25)]
    var whole = part
    whole.customerPredicates = []
    whole.orderPredicates = []
    var by = Plan(today: part.today)
    by.metrics = [.aov]
    by.groupBy = [.channel]
    by.filters = [Filter(.channel, [channels[0], channels[1]])]
    let trees: [LogicalPlan] = [
      .share(part: .aggregate(part), whole: .aggregate(whole)),
      .difference(dimension: .channel, a: channels[0], b: channels[1], input: .aggregate(by)),
    ]
    for tree in trees {
      let c = try ds.compiler.compile(tree, language: .zh)
      XCTAssertFalse(c.sql.contains("123.25"), "an order amount was spliced into the SQL")
      XCTAssertFalse(c.sql.contains(channels[0]), "a value was spliced into the SQL")
      if case .share = tree {
        XCTAssertTrue(c.parameters.contains(.double(123.25)))
        XCTAssertTrue(c.parameters.contains(.int(37)) && c.parameters.contains(.int(52)))
      } else {
        XCTAssertTrue(c.parameters.contains(.text(channels[0])) && c.parameters.contains(.text(channels[1])))
      }
      let rows = try ds.withConnection { try $0.rows(c.sql, c.parameters) }
      XCTAssertEqual(rows.count, try ds.executor.run(tree, language: .zh).rows.count)
      if FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3") {
        let (status, out, err) = try runShell("/usr/bin/sqlite3", [ds.path], input: c.literalSQL + ";\n")
        XCTAssertEqual(status, 0, err)
        XCTAssertEqual(out.split(separator: "\n").count, rows.count)
      }
    }
  }

  // MARK: Reading values as the loader does

  /// Dates in every stored form, read by the loader and by SQL, must give the same days.
  func testDatesReadAsTheLoaderReadsThem() throws {
    var values: [String] = ["NULL", "'2026-11-22'", "'2026-11-22 10:00:00'", "'2026-11-22T10:00:00Z'", "'2026/3/5'", "'2026.03.05'",
                            "'2026-3-5x'", "'2026-03-051'", "'2026-02-30'", "'0000-01-01'", "'20260305'", "'20260305.9'", "20260305",
                            "20260305.0", "20260305.5", "1763769600", "1763769600000", "1763769600.7", "'1763769600'", "'1763769600000'",
                            "'not a date'", "''", "'2026-1-1'", "'2026-01-1 '", "'2026/01-05'", "'2026-13-01'", "'.20260305'",
                            "'12345678901234567'", "'1234567890123456'", "-5", "99999999", "100000000", "'2024-02-29'", "'2023-02-29'",
                            "'2026年3月5日'", "'２０２６-03-05'", "x'3230323630333035'", "1e9", "-1763769600"]
    var r = DiffRandom(seed: 7)
    for _ in 0..<400 {
      let y = r.int(1...9999), m = r.int(0...13), d = r.int(0...32)
      let seps = ["-", "/", ".", " ", "", "-"]
      let sep = seps[r.below(seps.count)]
      let pad = r.chance(0.7)
      let ms = pad ? String(format: "%02d", m) : String(m), ds = pad ? String(format: "%02d", d) : String(d)
      let ys = String(format: "%04d", y)
      let tails = ["", " 12:00", "T00:00:00Z", "9", "abc", ".5"]
      let text = ys + sep + ms + sep + ds + tails[r.below(tails.count)]
      values.append(r.chance(0.8) ? "'\(text)'" : String(r.int(1_000_000...20_000_000_000_000)))
    }
    let path = DiffData.directory + "/dates-\(UUID().uuidString).sqlite"
    defer { try? FileManager.default.removeItem(atPath: path) }
    let db = try SQLiteDatabase(path: path, readOnly: false, create: true)
    try db.execute("CREATE TABLE orders (customer_id INTEGER, created_at, total_amount REAL)")
    try db.execute("INSERT INTO orders VALUES " + values.enumerated().map { "(\($0.offset), \($0.element), 1)" }.joined(separator: ", "))
    let loaded = try CubeLoader.load(path: path)
    let c = Compilation(mapping: loaded.mapping, dialect: .sqlite, topics: [], plan: Plan(today: Day(year: 2026, month: 1, day: 1)), language: .en)
    let o = c.orders
    let full = c.withClause() + "SELECT day FROM \(raw: o) ORDER BY rid"
    let (sql, params) = full.parameterized { _ in "?" }
    let days = try db.rows(sql, params).map { $0[0] }
    XCTAssertEqual(days.count, loaded.cube.orders.count)
    for (i, v) in days.enumerated() {
      let expected = loaded.cube.orders.day[i]
      let got: Int32? = v == .null ? nil : v.double.map { Int32($0) }
      XCTAssertEqual(got, expected == Int32.min ? nil : expected, "stored \(values[i])")
    }
  }

  /// Customer ids: integer keys (integers, integer text with spaces and signs; anything else
  /// no customer) and text keys, as the loader keys them.
  func testCustomerKeysReadAsTheLoaderReadsThem() throws {
    for integerFirst in [true, false] {
      var ids: [String] = (0..<(integerFirst ? 1000 : 3)).map { String($0 % 50) }
      if !integerFirst { ids = ["'a'", "'b'", "7"] }
      ids += ["x'3432'", "'7'", "' 8'", "'\t9\t'", "'+10'", "'-11'", "'x12'", "'13 '", "14.0", "'15.0'", "NULL", "''", "'-'", "'0016'"]
      let path = DiffData.directory + "/keys-\(UUID().uuidString).sqlite"
      defer { try? FileManager.default.removeItem(atPath: path) }
      let db = try SQLiteDatabase(path: path, readOnly: false, create: true)
      try db.execute("CREATE TABLE orders (customer_id, created_at TEXT, total_amount REAL)")
      try db.execute("INSERT INTO orders VALUES " + ids.map { "(\($0), '2025-01-01', 1)" }.joined(separator: ", "))
      let loaded = try CubeLoader.load(path: path)
      let c = Compilation(mapping: loaded.mapping, dialect: .sqlite, topics: [], plan: Plan(today: Day(year: 2026, month: 1, day: 1)), language: .en)
      let o = c.orders
      let full = c.withClause() + "SELECT c FROM \(raw: o) ORDER BY rid"
      let (sql, params) = full.parameterized { _ in "?" }
      let keys = try db.rows(sql, params).map { $0[0] }
      for (i, k) in keys.enumerated() {
        let row = loaded.cube.orders.customer[i]
        let expected: SQLValue
        if row < 0 {
          expected = .null
        } else {
          switch loaded.cube.customers.keys.value(Int(row)) {
          case .int(let v): expected = .int(v)
          case .string(let s): expected = .text(s)
          default: expected = .null
          }
        }
        XCTAssertEqual(k, expected, "stored \(ids[i]) (integer keys: \(integerFirst))")
      }
    }
  }

  // MARK: RFM, refusals, column names

  func testRFMTableMatchesExecutor() throws {
    for name in ["retail_cn", "demo-a", "edge-mixed"] {
      guard let ds = try? dataset(name) else { continue }
      let today = (ds.dataRange?.end ?? Day(year: 2026, month: 1, day: 1)) + 1
      let c = ds.compiler.compileRFM(today: today, language: .zh)
      let rows = try ds.withConnection { try $0.rows(c.sql, c.parameters) }
      let t = ds.executor.rfm(today: today)
      let cube = ds.loaded.cube
      var expected: [[Value]] = []
      for i in 0..<cube.customers.count where t.segment[i] >= 0 {
        var r: [Value] = [cube.customers.keys.value(i)]
        if let n = cube.customers.name { r.append(n.value(i).map(Value.string) ?? .null) }
        r += [.int(Int64(t.r[i])), .int(Int64(t.f[i])), .double(t.m[i]), .int(Int64(t.rScore[i])), .int(Int64(t.fScore[i])),
              .int(Int64(t.mScore[i])), .string(Segment.allCases[Int(t.segment[i])].name(.zh))]
        expected.append(r)
      }
      expected.sort { a, b in
        switch (a[0], b[0]) {
        case (.int(let x), .int(let y)): return x < y
        case (.string(let x), .string(let y)): return x.utf8.lexicographicallyPrecedes(y.utf8)
        default: return false
        }
      }
      XCTAssertEqual(rows.count, expected.count, name)
      for (e, g) in zip(expected, rows) {
        for (a, b) in zip(e, g) { XCTAssertTrue(DiffRunner.same(a, DiffRunner.value(b), exact: false), "\(name): \(e) vs \(g)") }
      }
    }
  }

  func testModelFiguresAreRefused() throws {
    let ds = try dataset("demo-a")
    for m in MetricID.allCases where m.isModel {
      var p = Plan(today: Day(year: 2026, month: 11, day: 22))
      p.metrics = [m]
      XCTAssertThrowsError(try ds.compiler.compile(p, language: .en))
    }
    var p = Plan(today: Day(year: 2026, month: 11, day: 22))
    p.list = .churnRisk
    XCTAssertThrowsError(try ds.compiler.compile(p, language: .en))
  }

  func testColumnsNamedAsTheExecutorNamesThem() throws {
    let ds = try dataset("edge-mixed")
    for plan in samplePlans() {
      let table = try ds.executor.run(plan, language: .en)
      let c = try ds.compiler.compile(plan, language: .en)
      let names = try ds.withConnection { db -> [String] in
        let st = try db.prepare(c.sql)
        return (0..<st.columnCount).map { st.columnName($0) }
      }
      XCTAssertEqual(names, table.columns.map(\.id), "\(plan)")
    }
  }

  func testFeedbackFiguresWithoutFeedbackAreRefused() throws {
    let ds = try dataset("edge-textids")
    var p = Plan(today: Day(year: 2025, month: 7, day: 1))
    p.metrics = [.nps]
    XCTAssertThrowsError(try ds.compiler.compile(p, language: .zh))
    p.metrics = [.sales]
    p.filters = [Filter(.category, ["美妆"])]
    XCTAssertThrowsError(try ds.compiler.compile(p, language: .zh))
  }
}
