// Loading: mapping inference on the shared databases, date parsing, orphans and NULLs kept,
// the customer-level table, read-only opening.

import CubeSQLite
import Cube
import QueryModel
import TestSupport
import XCTest

final class LoaderTests: XCTestCase {
  func testDateParsing() {
    func p(_ s: String) -> String? {
      let d = Array(s.utf8).withUnsafeBufferPointer { DateParsing.parse(bytes: $0) }
      return d == nullDay ? nil : Day(raw: d).iso
    }
    XCTAssertEqual(p("2026-11-22"), "2026-11-22")
    XCTAssertEqual(p("2026-11-22 10:11:12"), "2026-11-22")
    XCTAssertEqual(p("2026-11-22T10:11:12Z"), "2026-11-22")
    XCTAssertEqual(p("2026/3/5"), "2026-03-05")
    XCTAssertEqual(p("2026.03.05"), "2026-03-05")
    XCTAssertEqual(p("20260305"), "2026-03-05")
    XCTAssertEqual(p("1763769600"), "2025-11-22")  // Unix seconds
    XCTAssertEqual(p("1763769600000"), "2025-11-22")  // Unix milliseconds
    XCTAssertNil(p("2026-02-30"))
    XCTAssertNil(p("not a date"))
    XCTAssertNil(p(""))
    XCTAssertEqual(Day(raw: DateParsing.fromInteger(20240229)).iso, "2024-02-29")
  }

  func testDayArithmetic() {
    let d = Day(year: 2026, month: 11, day: 22)
    XCTAssertEqual(d.weekday, 7)
    XCTAssertEqual(Day(iso: "1970-01-01")?.raw, 0)
    XCTAssertEqual(Day(year: 2024, month: 3, day: 31).adding(months: -1).iso, "2024-02-29")
    XCTAssertEqual(TimeUnit.week.label(ofIndex: TimeUnit.week.index(of: d)), "2026-11-16")
    XCTAssertEqual(TimeUnit.quarter.label(ofIndex: TimeUnit.quarter.index(of: d)), "2026-Q4")
    for raw in stride(from: -1000, to: 30000, by: 37) {
      let day = Day(raw: Int32(raw))
      let c = day.civil
      XCTAssertEqual(Day(year: c.year, month: c.month, day: c.day), day)
    }
  }

  func testRetailInference() throws {
    guard let path = TestData.shared("retail_cn") else { throw XCTSkip("../shared/data not present") }
    let db = try CubeLoader.load(path: path)
    XCTAssertEqual(db.mapping.orders.table, "orders")
    XCTAssertEqual(db.mapping.orders.customer, "customer_id")
    XCTAssertEqual(db.mapping.orders.amount, "total_amount")
    XCTAssertEqual(db.mapping.customers?.table, "customers")
    XCTAssertEqual(db.mapping.customers?.attributes[.region], "region")
    XCTAssertEqual(db.mapping.customers?.attributes[.sourceChannel], "source_channel")
    XCTAssertEqual(db.mapping.items?.table, "order_items")
    XCTAssertEqual(db.mapping.feedback?.table, "feedback")
    let c = db.cube
    XCTAssertEqual(c.orders.count, 38_222)
    XCTAssertEqual(c.customers.tableRowCount, 8_000)
    XCTAssertEqual(c.orders.amount.filter(\.isNaN).count, 12)
    let orphanOrders = (0..<c.orders.count).filter { !c.customers.inCustomerTable[Int(c.orders.customer[$0])] }.count
    XCTAssertEqual(orphanOrders, 7)
    XCTAssertEqual(c.items?.count, 55_660)
    XCTAssertEqual(c.feedback?.count, 4_502)
    XCTAssertEqual(c.dateRange?.start.iso, "2024-01-01")
  }

  func testCdnowInference() throws {
    guard let path = TestData.shared("cdnow_sample") else { throw XCTSkip("../shared/data not present") }
    let db = try CubeLoader.load(path: path)
    XCTAssertEqual(db.mapping.orders.table, "purchases")
    XCTAssertEqual(db.mapping.orders.customer, "cust_id")
    XCTAssertEqual(db.mapping.orders.date, "txn_date")
    XCTAssertEqual(db.mapping.orders.amount, "dollars")
    XCTAssertNil(db.mapping.customers)
    XCTAssertEqual(db.cube.orders.count, 6_919)
    XCTAssertEqual(db.cube.customers.count, 2_357)
    if case .int = db.cube.customers.keys {} else { XCTFail("integer ids must stay integers") }
  }

  func testCustomerStatsMatchOrders() throws {
    let path = try TestData.demoPath()
    let c = try CubeLoader.load(path: path).cube
    var count = [Int32](repeating: 0, count: c.customers.count)
    for i in 0..<c.orders.count { count[Int(c.orders.customer[i])] += 1 }
    XCTAssertEqual(Array(c.stats.orderCount), count)
  }

  func testMappingFileErrorsNameFileAndLine() throws {
    let path = try TestData.demoPath()
    let db = try SQLiteDatabase(path: path)
    let schema = try DatabaseSchema.read(db)
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("bad-mapping-\(getpid()).rules")
    try "orders table: orders\norders customer: no_such_column\n".write(to: file, atomically: true, encoding: .utf8)
    XCTAssertThrowsError(try DataMapping.load(file: file.path, schema: schema)) { e in
      let s = String(describing: e)
      XCTAssertTrue(s.contains(":2:"), s)
      XCTAssertTrue(s.contains("no_such_column"), s)
      XCTAssertTrue(s.contains("customer_id"), "lists the columns that exist: \(s)")
    }
  }

  func testBadFilesAreRefusedClearly() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wenshu-bad-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let empty = dir.appendingPathComponent("empty.sqlite").path
    FileManager.default.createFile(atPath: empty, contents: Data())
    let text = dir.appendingPathComponent("text.sqlite").path
    try "hello, not a database".write(toFile: text, atomically: true, encoding: .utf8)
    for (path, word) in [(empty, "empty"), (text, "not a SQLite"), (dir.path, "directory"), (dir.path + "/missing.db", "no such file")] {
      XCTAssertThrowsError(try CubeLoader.load(path: path)) { e in
        XCTAssertTrue(String(describing: e).contains(word), "\(path): \(e)")
        XCTAssertTrue(String(describing: e).contains(path), "the message names the path: \(e)")
      }
    }
  }
}
