// Bring your own SQLite: databases with other names (Chinese tables and columns, English
// synonyms), other date formats (Unix seconds and milliseconds, YYYYMMDD, YYYY/MM/DD) and
// distracting extra tables are inferred without a mapping file and answer correctly.

import CubeSQLite
import Engine
import Foundation
import QueryModel
import TestSupport
import XCTest

final class InferenceTests: XCTestCase {
  func makeDB(_ name: String, _ statements: [String]) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wenshu-infer-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let path = dir.appendingPathComponent(name).path
    try? FileManager.default.removeItem(atPath: path)
    let db = try SQLiteDatabase(path: path, readOnly: false, create: true)
    for s in statements { try db.execute(s) }
    return path
  }

  func testChineseNamesAndUnixSeconds() throws {
    // 2026-10-05 = 1791158400 (UTC midnight) + an hour
    let path = try makeDB("zh.sqlite", [
      "CREATE TABLE 客户 (客户编号 INTEGER PRIMARY KEY, 姓名 TEXT, 地区 TEXT, 会员等级 TEXT)",
      "INSERT INTO 客户 VALUES (1, '张三', '华东', '金卡'), (2, '李四', '华北', '银卡'), (3, '王五', '华东', '银卡')",
      "CREATE TABLE 订单 (订单编号 INTEGER PRIMARY KEY, 客户编号 INTEGER, 下单时间 INTEGER, 金额 REAL)",
      "INSERT INTO 订单 VALUES (1, 1, 1791158400 + 3600, 100.0), (2, 1, 1791244800, 50.0), (3, 2, 1791331200, 70.0), (4, 3, 1793836800, 30.0)",
      "CREATE TABLE 浏览日志 (客户编号 INTEGER, 时间 TEXT, 页面 TEXT)",
      "INSERT INTO 浏览日志 VALUES (1, '2026-10-01', 'home')",
    ])
    let loaded = try CubeLoader.load(path: path)
    XCTAssertEqual(loaded.mapping.orders.table, "订单")
    XCTAssertEqual(loaded.mapping.orders.customer, "客户编号")
    XCTAssertEqual(loaded.mapping.orders.date, "下单时间")
    XCTAssertEqual(loaded.mapping.orders.amount, "金额")
    XCTAssertEqual(loaded.mapping.customers?.table, "客户")
    XCTAssertEqual(loaded.mapping.customers?.attributes[.region], "地区")
    XCTAssertEqual(loaded.mapping.customers?.attributes[.memberLevel], "会员等级")
    let engine = try Engine(database: path, grammars: TestData.grammars.path, today: Day(iso: "2026-11-22")!)
    let a = engine.ask("上月华东的销售额", today: Day(iso: "2026-11-22")!)
    XCTAssertEqual(a.table?.rows.first?.first?.doubleValue, 150.0, "\(a.refusal?.message ?? "")")
    let r = engine.ask("上月复购率", today: Day(iso: "2026-11-22")!)
    XCTAssertEqual(r.table?.rows.first?.first?.doubleValue ?? -1, 0.5, accuracy: 1e-12)
  }

  func testEnglishSynonymsAndDateFormats() throws {
    let path = try makeDB("en.sqlite", [
      "CREATE TABLE members (member_id TEXT, tier TEXT, city TEXT)",
      "INSERT INTO members VALUES ('A1', 'gold', 'Paris'), ('B2', 'silver', 'Lyon')",
      "CREATE TABLE txn (txn_id INTEGER, member_id TEXT, ts INTEGER, total REAL)",
      "INSERT INTO txn VALUES (1, 'A1', 1761955200000, 10), (2, 'A1', 1761955200000, 20), (3, 'B2', 1761955200000, 5)",
      "CREATE TABLE purchases_by_day (day TEXT, n INTEGER)",
      "CREATE TABLE ymd (cust TEXT, d INTEGER, amount REAL)",
    ])
    let loaded = try CubeLoader.load(path: path)
    XCTAssertEqual(loaded.mapping.orders.table, "txn")
    XCTAssertEqual(loaded.mapping.orders.date, "ts")
    XCTAssertEqual(loaded.cube.dateRange?.start.iso, "2025-11-01", "Unix milliseconds")
    if case .text = loaded.cube.customers.keys {} else { XCTFail("text ids stay text") }
    let engine = try Engine(database: path, grammars: TestData.grammars.path, today: Day(iso: "2025-12-15")!)
    let a = engine.ask("top 1 customers by spend last month", today: Day(iso: "2025-12-15")!)
    XCTAssertEqual(a.table?.rows.first?.first, .string("A1"), "\(a.refusal?.message ?? "")")
  }

  func testCompactAndSlashDates() throws {
    let path = try makeDB("dates.sqlite", [
      "CREATE TABLE orders (id INTEGER, customer_id INTEGER, order_date INTEGER, amount REAL)",
      "INSERT INTO orders VALUES (1, 1, 20260301, 1), (2, 2, 20260315, 2)",
      "CREATE TABLE sales (id INTEGER, customer_id INTEGER, date TEXT, amount REAL)",
    ])
    let loaded = try CubeLoader.load(path: path)
    XCTAssertEqual(loaded.mapping.orders.table, "orders")
    XCTAssertEqual(loaded.cube.dateRange.map { "\($0)" }, "2026-03-01..2026-03-15")
    let path2 = try makeDB("slash.sqlite", [
      "CREATE TABLE orders (id INTEGER, customer_id INTEGER, created TEXT, amount REAL)",
      "INSERT INTO orders VALUES (1, 1, '2026/3/1', 1), (2, 2, '20260315', 2), (3, 2, 'not a date', 4)",
    ])
    let l2 = try CubeLoader.load(path: path2)
    XCTAssertEqual(l2.cube.dateRange.map { "\($0)" }, "2026-03-01..2026-03-15")
    XCTAssertEqual(l2.cube.orders.day.filter { $0 == Int32.min }.count, 1, "the unparseable date is kept as NULL")
  }

  func testNoOrdersTableIsAClearError() throws {
    let path = try makeDB("none.sqlite", ["CREATE TABLE notes (id INTEGER, text TEXT)"])
    XCTAssertThrowsError(try CubeLoader.load(path: path)) { e in
      XCTAssertTrue(String(describing: e).contains("no orders table"), "\(e)")
      XCTAssertTrue(String(describing: e).contains("--mapping"), "\(e)")
    }
  }
}
