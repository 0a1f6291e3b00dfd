// Tests of the built-in demo database generator (DemoData/DemoDatabase.swift): determinism,
// sizes, the last day and the months before it, dirty rows, coherence, and the cache.

import CubeSQLite
import DemoData
import Foundation
import QueryModel
import XCTest

final class DemoDatabaseTests: XCTestCase {
  private var directory = ""

  override func setUpWithError() throws {
    directory = NSTemporaryDirectory() + "wenshu-demo-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: directory)
  }

  private let november21 = Day(year: 2026, month: 11, day: 21)

  /// Writes `spec` into the test directory and opens the result read-only.
  private func make(_ spec: DemoSpec, _ name: String) throws -> SQLiteDatabase {
    let path = directory + "/" + name
    try DemoDatabase.write(spec, to: path)
    return try SQLiteDatabase(path: path)
  }

  private func scalar(_ db: SQLiteDatabase, _ sql: String, _ params: [SQLValue] = []) throws -> SQLValue {
    try db.rows(sql, params).first?.first ?? .null
  }

  private func int(_ db: SQLiteDatabase, _ sql: String, _ params: [SQLValue] = []) throws -> Int {
    guard case .int(let v) = try scalar(db, sql, params) else {
      XCTFail("not an integer: \(sql)")
      return -1
    }
    return Int(v)
  }

  /// FNV-1a over every value of every table, rows in rowid order.
  private func checksum(_ db: SQLiteDatabase) throws -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    func mix(_ text: String) {
      for b in text.utf8 {
        hash ^= UInt64(b)
        hash = hash &* 0x100_0000_01B3
      }
    }
    for table in ["customers", "orders", "order_items", "feedback"] {
      mix(table)
      let st = try db.prepare("SELECT * FROM \(table) ORDER BY rowid")
      while try st.step() {
        for i in 0..<st.columnCount {
          switch st.value(i) {
          case .null: mix("∅")
          case .int(let v): mix("i\(v)")
          case .double(let v): mix("d\(v)")
          case .text(let s): mix("t" + s)
          }
          mix("|")
        }
      }
    }
    return hash
  }

  func testSameSpecGivesSameContent() throws {
    let spec = DemoSpec(customers: 400, orders: 3000, lastDay: november21)
    let a = try checksum(make(spec, "a.sqlite"))
    let b = try checksum(make(spec, "b.sqlite"))
    XCTAssertEqual(a, b)
    var other = spec
    other.seed += 1
    XCTAssertNotEqual(a, try checksum(make(other, "c.sqlite")))
  }

  func testRowCountsMatchTheSpecAndTheSchemaIsRetailShaped() throws {
    let db = try make(DemoSpec(customers: 1200, orders: 9000, lastDay: november21), "counts.sqlite")
    XCTAssertEqual(try int(db, "SELECT count(*) FROM customers"), 1200)
    XCTAssertEqual(try int(db, "SELECT count(*) FROM orders"), 9000)
    XCTAssertGreaterThan(try int(db, "SELECT count(*) FROM order_items"), 9000)
    XCTAssertGreaterThan(try int(db, "SELECT count(*) FROM feedback"), 300)
    let indexes = try db.rows("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name").compactMap {
      $0.first?.string
    }
    XCTAssertEqual(indexes, ["items_order", "orders_customer"])
    let columns = try db.rows("SELECT name FROM pragma_table_info('orders')").compactMap { $0.first?.string }
    XCTAssertEqual(columns, ["id", "customer_id", "created_at", "channel", "total_amount", "discount_amount"])

    // Value sets.
    func distinct(_ sql: String) throws -> Set<String> { Set(try db.rows(sql).compactMap { $0.first?.string }) }
    XCTAssertEqual(try distinct("SELECT DISTINCT gender FROM customers"), ["男", "女"])
    XCTAssertEqual(try distinct("SELECT DISTINCT member_level FROM customers"), ["普通会员", "银卡", "金卡", "钻石"])
    XCTAssertEqual(try distinct("SELECT DISTINCT source_channel FROM customers"), ["线上商城", "小程序", "门店", "直播"])
    XCTAssertEqual(try distinct("SELECT DISTINCT channel FROM orders"), ["线上商城", "小程序", "门店", "直播"])
    XCTAssertEqual(
      try distinct("SELECT DISTINCT region FROM customers"), ["华东", "华北", "华南", "华中", "西南", "西北", "东北"])
    XCTAssertEqual(
      try distinct("SELECT DISTINCT category FROM order_items"), ["母婴", "美妆", "服饰", "食品", "数码", "家居", "运动"])
    // One region per city, and a few cities checked by name.
    XCTAssertEqual(
      try int(db, "SELECT count(*) FROM (SELECT city FROM customers GROUP BY city HAVING count(DISTINCT region) > 1)"),
      0)
    for (city, region) in [("上海", "华东"), ("北京", "华北"), ("深圳", "华南"), ("成都", "西南"), ("哈尔滨", "东北")] {
      XCTAssertEqual(
        try scalar(db, "SELECT DISTINCT region FROM customers WHERE city = ?", [.text(city)]), .text(region))
    }
    XCTAssertEqual(try int(db, "SELECT count(*) FROM feedback WHERE nps NOT BETWEEN 0 AND 10 OR comment IS NULL"), 0)
  }

  func testDataEndsAtTheLastDayWithThisAndThePreviousMonth() throws {
    let cases: [(Day, Int, Int)] = [
      (november21, 2000, 12000),
      (Day(year: 2026, month: 12, day: 1), 50, 300),
      (Day(year: 2025, month: 3, day: 1), 50, 300),
      (Day(year: 2026, month: 1, day: 1), 5, 12),
    ]
    for (lastDay, customers, orders) in cases {
      let db = try make(DemoSpec(customers: customers, orders: orders, lastDay: lastDay), "end-\(lastDay.iso).sqlite")
      let label = "\(lastDay.iso) \(customers)/\(orders)"
      XCTAssertEqual(try scalar(db, "SELECT substr(max(created_at), 1, 10) FROM orders"), .text(lastDay.iso), label)
      let first = Day(year: lastDay.year - 2, month: 1, day: 1).iso
      XCTAssertGreaterThanOrEqual(try scalar(db, "SELECT min(created_at) FROM orders").string ?? "", first, label)
      let thisMonth = Day.firstOfMonth(index: lastDay.monthIndex)
      let previousMonth = Day.firstOfMonth(index: lastDay.monthIndex - 1)
      let known = "customer_id IN (SELECT id FROM customers)"
      XCTAssertGreaterThan(
        try int(db, "SELECT count(*) FROM orders WHERE \(known) AND created_at >= ?", [.text(lastDay.iso)]), 0, label)
      XCTAssertGreaterThan(
        try int(
          db, "SELECT count(*) FROM orders WHERE \(known) AND created_at >= ? AND created_at < ?",
          [.text(previousMonth.iso), .text(thisMonth.iso)]), 0, label)
      XCTAssertEqual(
        try int(db, "SELECT count(*) FROM customers WHERE registered_at >= ?", [.text((lastDay + 1).iso)]), 0)
      XCTAssertEqual(try int(db, "SELECT count(*) FROM feedback WHERE created_at >= ?", [.text((lastDay + 1).iso)]), 0)
    }
  }

  func testOrdersAndFeedbackAreInDateOrderWithCustomersMixed() throws {
    let db = try make(DemoSpec(customers: 800, orders: 6000, lastDay: november21), "order.sqlite")
    for table in ["orders", "feedback"] {
      let late = "SELECT count(*) FROM \(table) a JOIN \(table) b ON b.id = a.id + 1 WHERE b.created_at < a.created_at"
      XCTAssertEqual(try int(db, late), 0, table)
    }
    // As in a real order table, the next order is seldom the same customer's.
    let same = try int(db, "SELECT count(*) FROM orders a JOIN orders b ON b.id = a.id + 1 WHERE b.customer_id = a.customer_id")
    XCTAssertLessThan(same, 6000 / 50)
    XCTAssertEqual(try int(db, "SELECT count(*) FROM order_items WHERE order_id NOT IN (SELECT id FROM orders)"), 0)
  }

  func testDirtyRowsArePresentAndFew() throws {
    let db = try make(DemoSpec(customers: 2000, orders: 15000, lastDay: november21), "dirty.sqlite")
    let nulls = try int(db, "SELECT count(*) FROM orders WHERE total_amount IS NULL")
    let orphans = try int(db, "SELECT count(*) FROM orders WHERE customer_id NOT IN (SELECT id FROM customers)")
    XCTAssertGreaterThan(nulls, 0)
    XCTAssertLessThan(nulls, 30)
    XCTAssertGreaterThan(orphans, 0)
    XCTAssertLessThan(orphans, 20)
  }

  func testSmallSpecIsCoherent() throws {
    let db = try make(DemoSpec(customers: 50, orders: 300, lastDay: november21), "small.sqlite")
    XCTAssertEqual(try int(db, "SELECT count(*) FROM customers"), 50)
    XCTAssertEqual(try int(db, "SELECT count(*) FROM orders"), 300)
    // Every order of a known customer comes after the sign-up.
    XCTAssertEqual(
      try int(
        db,
        "SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.created_at < c.registered_at"),
      0)
    // Total = items × price − discount, to the fen.
    XCTAssertEqual(
      try int(
        db,
        """
        SELECT count(*) FROM (
          SELECT o.id, o.total_amount + o.discount_amount - sum(i.quantity * i.unit_price) AS d
          FROM orders o JOIN order_items i ON i.order_id = o.id
          WHERE o.total_amount IS NOT NULL GROUP BY o.id) WHERE abs(d) > 0.005
        """), 0)
    XCTAssertEqual(
      try int(
        db,
        "SELECT count(*) FROM orders WHERE total_amount IS NOT NULL AND (total_amount < 10 OR total_amount > 100000)"),
      0)
    let stamp = try scalar(db, "SELECT created_at FROM orders LIMIT 1").string ?? ""
    XCTAssertEqual(stamp.count, 19)
    XCTAssertNotNil(Day(iso: String(stamp.prefix(10))))
  }

  func testRealisticShape() throws {
    let db = try make(DemoSpec(customers: 3000, orders: 20000, lastDay: november21), "shape.sqlite")
    let buyers = try int(db, "SELECT count(DISTINCT customer_id) FROM orders")
    let oneTime = try int(db, "SELECT count(*) FROM (SELECT customer_id FROM orders GROUP BY 1 HAVING count(*) = 1)")
    XCTAssertGreaterThan(Double(oneTime) / Double(buyers), 0.2)
    XCTAssertLessThan(Double(oneTime) / Double(buyers), 0.5)
    // Customers in every state as of the day after the last.
    let states = try db.rows(
      """
      SELECT sum(d < 90), sum(d BETWEEN 90 AND 179), sum(d >= 180) FROM (
        SELECT julianday('2026-11-22') - julianday(substr(max(created_at), 1, 10)) AS d FROM orders GROUP BY customer_id)
      """)
    for value in states.first ?? [] { XCTAssertGreaterThan(value.double ?? 0, 100) }
    // 双十一 outsells an ordinary day, Spring Festival is slow.
    let singlesDay = try int(db, "SELECT count(*) FROM orders WHERE created_at LIKE '2025-11-11%'")
    let october = try int(db, "SELECT count(*) FROM orders WHERE created_at LIKE '2025-10-%'")
    XCTAssertGreaterThan(Double(singlesDay), 2.5 * Double(october) / 31)
    let springFestival = try int(
      db, "SELECT count(*) FROM orders WHERE created_at >= '2026-02-17' AND created_at < '2026-02-25'")
    let march = try int(db, "SELECT count(*) FROM orders WHERE created_at LIKE '2026-03-%'")
    XCTAssertLessThan(Double(springFestival) / 8, 0.7 * Double(march) / 31)
    // Member level follows spend.
    let spend = try db.rows(
      """
      SELECT c.member_level, avg(s) FROM customers c
      JOIN (SELECT customer_id, total(total_amount) AS s FROM orders GROUP BY 1) o ON o.customer_id = c.id
      GROUP BY 1
      """
    ).reduce(into: [String: Double]()) { $0[$1[0].string ?? ""] = $1[1].double }
    XCTAssertLessThan(spend["普通会员"] ?? 0, spend["银卡"] ?? 0)
    XCTAssertLessThan(spend["银卡"] ?? 0, spend["金卡"] ?? 0)
    XCTAssertLessThan(spend["金卡"] ?? 0, spend["钻石"] ?? 0)
  }

  func testWriteReplacesAnExistingFileAndLeavesNoTemporaryFile() throws {
    let path = directory + "/replace.sqlite"
    try Data("not a database".utf8).write(to: URL(fileURLWithPath: path))
    try DemoDatabase.write(DemoSpec(customers: 20, orders: 80, lastDay: november21), to: path)
    XCTAssertEqual(try int(SQLiteDatabase(path: path), "SELECT count(*) FROM orders"), 80)
    XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".tmp"))
    XCTAssertThrowsError(try DemoDatabase.write(DemoSpec(customers: -1, orders: 5, lastDay: november21), to: path))
  }

  func testCachedDemoIsTheDefaultSizeEndingYesterday() throws {
    let previous = ProcessInfo.processInfo.environment["XDG_CACHE_HOME"]
    setenv("XDG_CACHE_HOME", directory, 1)
    defer {
      if let previous { setenv("XDG_CACHE_HOME", previous, 1) } else { unsetenv("XDG_CACHE_HOME") }
    }
    let today = Day(year: 2026, month: 11, day: 22)
    let path = try DemoDatabase.cachedDemo(today: today)
    XCTAssertEqual(path, directory + "/wenshu/demo-2026-11-21-v3.sqlite")
    let db = try SQLiteDatabase(path: path)
    XCTAssertGreaterThanOrEqual(try int(db, "SELECT count(*) FROM customers"), 5000)
    XCTAssertGreaterThanOrEqual(try int(db, "SELECT count(*) FROM orders"), 30000)
    XCTAssertEqual(try scalar(db, "SELECT substr(max(created_at), 1, 10) FROM orders"), .text("2026-11-21"))
    // The second call finds the file and leaves it as it is.
    let before = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
    XCTAssertEqual(try DemoDatabase.cachedDemo(today: today), path)
    XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date, before)
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory + "/wenshu").filter {
      $0.hasSuffix(".tmp")
    }
    XCTAssertEqual(leftovers, [])
  }
}
