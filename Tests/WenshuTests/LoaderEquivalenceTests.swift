// The fast loader builds exactly the cube of a plain row-by-row reader: every column of every
// table, compared with `ReferenceLoader` below (the loader's original algorithm: one statement
// per table, a String per text value, Swift Dictionaries for ids), on the shared databases, a
// generated demo, and small databases made to hit every path (two chunks, holes in rowids,
// covering indexes, views, WITHOUT ROWID, text and mixed ids, canonically equivalent text,
// orphans, duplicate and NULL ids). Also the building blocks against Swift's own collections.

import Cube
@testable import CubeSQLite
import DemoData
import Foundation
import QueryModel
import TestSupport
import XCTest

/// The original loader, kept simple: the reference the fast one must match.
enum ReferenceLoader {
  struct CustomerIndex {
    var intIndex: [Int64: Int32] = [:]
    var textIndex: [String: Int32] = [:]
    var intKeys = ContiguousArray<Int64>()
    var textKeys: [String] = []
    let integer: Bool
    var count: Int { integer ? intKeys.count : textKeys.count }

    mutating func row(_ st: SQLiteStatement, _ i: Int, add: Bool) -> Int32 {
      if st.isNull(i) { return -1 }
      if integer {
        let k: Int64
        if st.type(i) == SQLiteStatement.typeInteger {
          k = st.int64(i)
        } else if let v = st.text(i).flatMap({ Int64($0.trimmingCharacters(in: .whitespaces)) }) {
          k = v
        } else {
          return -1
        }
        if let r = intIndex[k] { return r }
        guard add else { return -1 }
        let r = Int32(intKeys.count)
        intIndex[k] = r
        intKeys.append(k)
        return r
      }
      let k = st.text(i) ?? ""
      if let r = textIndex[k] { return r }
      guard add else { return -1 }
      let r = Int32(textKeys.count)
      textIndex[k] = r
      textKeys.append(k)
      return r
    }
  }

  static func day(_ st: SQLiteStatement, _ i: Int) -> Int32 {
    switch st.type(i) {
    case SQLiteStatement.typeInteger: return DateParsing.fromInteger(st.int64(i))
    case SQLiteStatement.typeFloat: return DateParsing.fromDouble(st.double(i))
    case SQLiteStatement.typeNull: return nullDay
    default: return Array((st.text(i) ?? "").utf8).withUnsafeBufferPointer { DateParsing.parse(bytes: $0) }
    }
  }

  static func build(db: SQLiteDatabase, mapping m: DataMapping) throws -> Cube {
    let q = quoteIdentifier
    var index = CustomerIndex(integer: try CubeLoader.columnIsInteger(db, table: m.orders.table, column: m.orders.customer))
    var attrBuilders: [DimensionID: DictBuilder] = [:]
    var nameBuilder: DictBuilder?
    var birth: ContiguousArray<Int32>?
    var signup: ContiguousArray<Int32>?
    var tableRows = 0
    if let c = m.customers {
      let dims = DimensionID.allCases.filter { c.attributes[$0] != nil }
      var cols = [c.id] + dims.compactMap { c.attributes[$0] }
      let nameAt = c.name.map { n in cols.append(n); return cols.count - 1 }
      let birthAt = c.birthYear.map { n in cols.append(n); return cols.count - 1 }
      let signupAt = c.signup.map { n in cols.append(n); return cols.count - 1 }
      let st = try db.prepare("SELECT \(cols.map(q).joined(separator: ", ")) FROM \(q(c.table))")
      for d in dims { attrBuilders[d] = DictBuilder() }
      if nameAt != nil { nameBuilder = DictBuilder() }
      if birthAt != nil { birth = [] }
      if signupAt != nil { signup = [] }
      while try st.step() {
        let before = index.count
        let r = index.row(st, 0, add: true)
        guard r >= 0, index.count > before else { continue }
        tableRows += 1
        for (k, d) in dims.enumerated() { attrBuilders[d]?.append(st.text(k + 1)) }
        if let i = nameAt { nameBuilder?.append(st.text(i)) }
        if let i = birthAt { birth?.append(st.isNull(i) ? nullDay : Int32(truncatingIfNeeded: st.int64(i))) }
        if let i = signupAt { signup?.append(day(st, i)) }
      }
    }
    let o = m.orders
    var ocols = [o.customer, o.date, o.amount]
    let channelAt = o.channel.map { ocols.append($0); return ocols.count - 1 }
    let qtyAt = o.quantity.map { ocols.append($0); return ocols.count - 1 }
    ocols.append(o.id ?? "rowid")
    let idAt = ocols.count - 1
    var dayCol = ContiguousArray<Int32>()
    var cust = ContiguousArray<Int32>()
    var amount = ContiguousArray<Double>()
    var channel = channelAt.map { _ in DictBuilder() }
    var qty: ContiguousArray<Double>? = qtyAt.map { _ in [] }
    var orderRowById: [Int64: Int32] = [:]
    let ost = try db.prepare(
      "SELECT \(ocols.enumerated().map { $0.offset == idAt && o.id == nil ? "rowid" : q($0.element) }.joined(separator: ", ")) FROM \(q(o.table))")
    while try ost.step() {
      let row = Int32(dayCol.count)
      cust.append(index.row(ost, 0, add: true))
      dayCol.append(day(ost, 1))
      amount.append(ost.isNull(2) ? .nan : ost.double(2))
      if let i = channelAt { channel?.append(ost.text(i)) }
      if let i = qtyAt { qty?.append(ost.isNull(i) ? 0 : ost.double(i)) }
      if m.items != nil { orderRowById[ost.int64(idAt)] = row }
    }
    var feedback: FeedbackTable?
    if let f = m.feedback {
      var fc = [f.customer, f.date, f.score]
      if let c = f.comment { fc.append(c) }
      let st = try db.prepare("SELECT \(fc.map(q).joined(separator: ", ")) FROM \(q(f.table))")
      var fcust = ContiguousArray<Int32>(), fday = ContiguousArray<Int32>(), fscore = ContiguousArray<Double>()
      var fcomment: [String] = []
      while try st.step() {
        fcust.append(index.row(st, 0, add: false))
        fday.append(day(st, 1))
        fscore.append(st.isNull(2) ? .nan : st.double(2))
        fcomment.append(f.comment != nil ? (st.text(3) ?? "") : "")
      }
      feedback = FeedbackTable(customer: fcust, day: fday, score: fscore, comment: fcomment)
    }
    var items: ItemTable?
    if let it = m.items {
      var ic = [it.order]
      let pAt = it.product.map { ic.append($0); return ic.count - 1 }
      let cAt = it.category.map { ic.append($0); return ic.count - 1 }
      let qAt = it.quantity.map { ic.append($0); return ic.count - 1 }
      let uAt = it.unitPrice.map { ic.append($0); return ic.count - 1 }
      let st = try db.prepare("SELECT \(ic.map(q).joined(separator: ", ")) FROM \(q(it.table))")
      var iorder = ContiguousArray<Int32>()
      var prod = pAt.map { _ in DictBuilder() }
      var cat = cAt.map { _ in DictBuilder() }
      var iq = ContiguousArray<Double>(), up = ContiguousArray<Double>()
      while try st.step() {
        iorder.append(orderRowById[st.int64(0)] ?? -1)
        if let i = pAt { prod?.append(st.text(i)) }
        if let i = cAt { cat?.append(st.text(i)) }
        iq.append(qAt.map { st.isNull($0) ? 0 : st.double($0) } ?? 1)
        up.append(uAt.map { st.isNull($0) ? 0 : st.double($0) } ?? 0)
      }
      items = ItemTable(order: iorder, product: prod?.build(), category: cat?.build(), quantity: iq, unitPrice: up)
    }
    let n = index.count
    var attributes: [DimensionID: DictColumn] = [:]
    for (d, b) in attrBuilders {
      var col = b.build()
      col.codes.append(contentsOf: repeatElement(-1, count: n - col.codes.count))
      attributes[d] = col
    }
    var name = nameBuilder?.build()
    if var col = name {
      col.codes.append(contentsOf: repeatElement(-1, count: n - col.codes.count))
      name = col
    }
    if var b = birth {
      b.append(contentsOf: repeatElement(nullDay, count: n - b.count))
      birth = b
    }
    if var s = signup {
      s.append(contentsOf: repeatElement(nullDay, count: n - s.count))
      signup = s
    }
    let customers = CustomerTable(
      keys: index.integer ? .int(index.intKeys) : .text(index.textKeys),
      inCustomerTable: ContiguousArray((0..<n).map { $0 < tableRows }), name: name, attributes: attributes,
      birthYear: birth, signupDay: signup, tableRowCount: m.customers == nil ? 0 : tableRows)
    let orders = OrderTable(day: dayCol, customer: cust, amount: amount, channel: channel?.build(), quantity: qty)
    return Cube(customers: customers, orders: orders, items: items, feedback: feedback, source: db.path)
  }
}

final class LoaderEquivalenceTests: XCTestCase {
  var dir = FileManager.default.temporaryDirectory

  override func setUpWithError() throws {
    dir = FileManager.default.temporaryDirectory.appendingPathComponent("wenshu-equiv-\(getpid())-\(UUID().uuidString.prefix(6))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(at: dir)
  }

  // MARK: comparing cubes

  func same<T: Equatable>(_ a: ContiguousArray<T>?, _ b: ContiguousArray<T>?, _ what: String,
                          file: StaticString = #filePath, line: UInt = #line) {
    guard let a, let b else {
      XCTAssertEqual(a == nil, b == nil, "\(what): present in one cube only", file: file, line: line)
      return
    }
    XCTAssertEqual(a.count, b.count, "\(what): row count", file: file, line: line)
    if let i = (0..<min(a.count, b.count)).first(where: { a[$0] != b[$0] }) ?? (a.count == b.count ? nil : min(a.count, b.count)) {
      XCTFail("\(what): first difference at row \(i): \(i < a.count ? "\(a[i])" : "-") vs \(i < b.count ? "\(b[i])" : "-")", file: file, line: line)
    }
  }

  func same(_ a: ContiguousArray<Double>?, _ b: ContiguousArray<Double>?, _ what: String,
            file: StaticString = #filePath, line: UInt = #line) {
    same(a.map { ContiguousArray($0.map(\.bitPattern)) }, b.map { ContiguousArray($0.map(\.bitPattern)) }, what, file: file, line: line)
  }

  /// Byte-exact: the same spelling, not only equal Strings.
  func same(_ a: [String]?, _ b: [String]?, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    same(a.map { ContiguousArray($0.map { Array($0.utf8) }) }, b.map { ContiguousArray($0.map { Array($0.utf8) }) }, what, file: file, line: line)
  }

  func same(_ a: DictColumn?, _ b: DictColumn?, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    same(a?.codes, b?.codes, what + " codes", file: file, line: line)
    same(a?.dictionary, b?.dictionary, what + " dictionary", file: file, line: line)
  }

  func same(_ a: CompactDictColumn?, _ b: CompactDictColumn?, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a?.codes.isNarrow, b?.codes.isNarrow, what + " code width", file: file, line: line)
    same(a?.codes.int32, b?.codes.int32, what + " codes", file: file, line: line)
    same(a?.dictionary, b?.dictionary, what + " dictionary", file: file, line: line)
  }

  func same(_ a: NumberColumn, _ b: NumberColumn, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.isIntegral, b.isIntegral, what + " storage", file: file, line: line)
    same(a.values, b.values, what, file: file, line: line)
  }

  func assertSame(_ fast: Cube, _ ref: Cube, _ name: String, file: StaticString = #filePath, line: UInt = #line) {
    let (c, r) = (fast.customers, ref.customers)
    switch (c.keys, r.keys) {
    case (.int(let a), .int(let b)): same(a, b, "\(name): customer keys", file: file, line: line)
    case (.text(let a), .text(let b)): same(a, b, "\(name): customer keys", file: file, line: line)
    default: XCTFail("\(name): customer keys of different types", file: file, line: line)
    }
    same(c.inCustomerTable, r.inCustomerTable, "\(name): inCustomerTable", file: file, line: line)
    XCTAssertEqual(c.tableRowCount, r.tableRowCount, "\(name): tableRowCount", file: file, line: line)
    same(c.name, r.name, "\(name): customer name", file: file, line: line)
    XCTAssertEqual(Set(c.attributes.keys), Set(r.attributes.keys), "\(name): attributes", file: file, line: line)
    for (d, col) in r.attributes { same(c.attributes[d], col, "\(name): \(d)", file: file, line: line) }
    same(c.birthYear, r.birthYear, "\(name): birth year", file: file, line: line)
    same(c.signupDay, r.signupDay, "\(name): signup", file: file, line: line)

    let (o, p) = (fast.orders, ref.orders)
    same(o.day, p.day, "\(name): order day", file: file, line: line)
    same(o.customer, p.customer, "\(name): order customer", file: file, line: line)
    same(o.amount, p.amount, "\(name): order amount", file: file, line: line)
    same(o.channel, p.channel, "\(name): order channel", file: file, line: line)
    same(o.quantity, p.quantity, "\(name): order quantity", file: file, line: line)

    XCTAssertEqual(fast.items == nil, ref.items == nil, "\(name): items", file: file, line: line)
    if let i = fast.items, let j = ref.items {
      same(i.order, j.order, "\(name): item order", file: file, line: line)
      same(i.product, j.product, "\(name): item product", file: file, line: line)
      same(i.category, j.category, "\(name): item category", file: file, line: line)
      same(i.quantity, j.quantity, "\(name): item quantity", file: file, line: line)
      same(i.unitPrice, j.unitPrice, "\(name): item unit price", file: file, line: line)
    }
    XCTAssertEqual(fast.feedback == nil, ref.feedback == nil, "\(name): feedback", file: file, line: line)
    if let f = fast.feedback, let g = ref.feedback {
      same(f.customer, g.customer, "\(name): feedback customer", file: file, line: line)
      same(f.day, g.day, "\(name): feedback day", file: file, line: line)
      same(f.score, g.score, "\(name): feedback score", file: file, line: line)
      same(f.comment, g.comment, "\(name): feedback comment", file: file, line: line)
    }
    same(fast.stats.orderCount, ref.stats.orderCount, "\(name): stats", file: file, line: line)
    XCTAssertEqual(fast.dateRange, ref.dateRange, "\(name): date range", file: file, line: line)
  }

  /// Loads `path` as `CubeLoader.load` does (and with every table of 2+ rows in two chunks),
  /// and compares both with the reference.
  func check(_ path: String, mapping: DataMapping? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
    let db = try SQLiteDatabase(path: path)
    let schema = try DatabaseSchema.read(db)
    let m = try mapping ?? MappingInference.infer(schema)
    let ref = try ReferenceLoader.build(db: db, mapping: m)
    let name = (path as NSString).lastPathComponent
    let folder = (path as NSString).deletingLastPathComponent
    let before = (try FileManager.default.contentsOfDirectory(atPath: folder).sorted(),
                  try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)
    defer {
      let after = ((try? FileManager.default.contentsOfDirectory(atPath: folder).sorted()) ?? [],
                   (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date)
      XCTAssertEqual(before.0, after.0, "\(name): no file appears beside the database", file: file, line: line)
      XCTAssertEqual(before.1, after.1, "\(name): the database is not modified", file: file, line: line)
    }
    if mapping == nil {
      assertSame(try CubeLoader.load(path: path).cube, ref, name, file: file, line: line)
    } else {
      assertSame(try CubeLoader.build(db: db, mapping: m, source: path, schema: schema), ref, name, file: file, line: line)
    }
    assertSame(try CubeLoader.build(db: db, mapping: m, source: path, schema: schema, parallelThreshold: 2), ref,
               name + " (chunked)", file: file, line: line)
  }

  func makeDB(_ name: String, _ statements: [String]) throws -> String {
    let path = dir.appendingPathComponent(name).path
    let db = try SQLiteDatabase(path: path, readOnly: false, create: true)
    try db.execute("BEGIN")
    for s in statements { try db.execute(s) }
    try db.execute("COMMIT")
    return path
  }

  static func series(_ n: Int) -> String { "WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < \(n))" }

  // MARK: real and generated databases

  func testSharedDatabases() throws {
    var found = 0
    for name in ["retail_cn", "cdnow_sample", "cdnow"] {
      guard let path = TestData.shared(name) else { continue }
      found += 1
      try check(path)
    }
    if found == 0 { throw XCTSkip("../shared/data not present") }
  }

  func testGeneratedDemo() throws {
    let path = dir.appendingPathComponent("demo.sqlite").path
    try DemoDatabase.write(DemoSpec(customers: 2000, orders: 12000, seed: 11, lastDay: Day(year: 2026, month: 11, day: 21)), to: path)
    try check(path)
  }

  /// A big file given by WENSHU_EQUIVALENCE_DB (e.g. the benchmark's), compared at full size.
  func testDatabaseFromEnvironment() throws {
    guard let path = ProcessInfo.processInfo.environment["WENSHU_EQUIVALENCE_DB"] else {
      throw XCTSkip("set WENSHU_EQUIVALENCE_DB=FILE to compare a database of your own")
    }
    try check(path)
  }

  // MARK: databases made to reach every path

  /// Integer ids with duplicates, NULLs, text and REAL spellings, orphans in orders and
  /// feedback; non-consecutive, repeated and NULL order ids; dates in every format; text with
  /// canonically equivalent spellings; values first seen in the second half only.
  func testMixedIntegerIds() throws {
    let s = Self.series
    let path = try makeDB("mixed.sqlite", [
      "CREATE TABLE clients (id, name TEXT, region TEXT, level TEXT, birth_year INTEGER, signup)",
      """
      \(s(2100)) INSERT INTO clients SELECT CASE WHEN x % 97 = 0 THEN NULL WHEN x > 2000 THEN x - 2000 ELSE x END,
        'n' || (x % 300), CASE x % 4 WHEN 0 THEN '华东' WHEN 1 THEN NULL WHEN 2 THEN 'e' || char(769) ELSE char(233) END,
        CASE WHEN x > 1500 THEN 'late' || (x % 3) ELSE 'L' || (x % 5) END, 1950 + x % 50,
        CASE x % 3 WHEN 0 THEN '2023-05-' || printf('%02d', x % 28 + 1) WHEN 1 THEN 20230101 + x % 28 ELSE NULL END FROM s
      """,
      "CREATE TABLE sales (oid INTEGER, client_id, sold_at, total REAL, channel TEXT, qty REAL)",
      """
      \(s(6000)) INSERT INTO sales SELECT
        CASE WHEN x % 50 = 0 THEN (x - 1) * 3 WHEN x % 77 = 0 THEN NULL ELSE x * 3 END,
        CASE WHEN x <= 1000 THEN (x * 37) % 2500 + 1 WHEN x % 11 = 0 THEN ' ' || ((x * 37) % 2500 + 1) || ' '
             WHEN x % 13 = 0 THEN 'abc' WHEN x % 17 = 0 THEN 3.0 WHEN x % 19 = 0 THEN NULL ELSE (x * 41) % 2700 + 1 END,
        CASE x % 6 WHEN 0 THEN '2024-01-' || printf('%02d', x % 28 + 1) || ' 10:00:00' WHEN 1 THEN 20240101 + x % 28
             WHEN 2 THEN 1704067200 + x * 3600 WHEN 3 THEN 'garbage' WHEN 4 THEN 1704067200000.0 + x ELSE NULL END,
        CASE WHEN x % 23 = 0 THEN NULL ELSE x * 1.5 END,
        CASE WHEN x > 3000 AND x % 7 = 0 THEN 'second-half ' || (x % 4) ELSE
          CASE x % 6 WHEN 0 THEN NULL WHEN 1 THEN '线上' WHEN 2 THEN 'e' || char(769) WHEN 3 THEN char(233) WHEN 4 THEN '' ELSE 'store' END END,
        CASE WHEN x % 9 = 0 THEN NULL ELSE x % 5 END FROM s
      """,
      "CREATE TABLE lines (order_ref, product TEXT, category TEXT, quantity, unit_price)",
      """
      \(s(9000)) INSERT INTO lines SELECT CASE WHEN x % 31 = 0 THEN NULL WHEN x % 29 = 0 THEN 'x' ELSE ((x * 7) % 6100) * 3 END,
        CASE WHEN x > 4500 THEN 'p' || (x % 45) ELSE 'p' || (x % 40) END, CASE WHEN x % 8 = 0 THEN NULL ELSE 'c' || (x % 7) END,
        CASE WHEN x % 10 = 0 THEN NULL ELSE x % 4 END, CASE WHEN x % 12 = 0 THEN NULL ELSE x * 0.25 END FROM s
      """,
      "CREATE TABLE reviews (client_id, at TEXT, score, comment TEXT)",
      """
      \(s(3000)) INSERT INTO reviews SELECT CASE WHEN x % 5 = 0 THEN 2600 + x % 150 WHEN x % 7 = 0 THEN 'abc' ELSE x % 2200 END,
        '2024-02-' || printf('%02d', x % 28 + 1), CASE WHEN x % 6 = 0 THEN NULL ELSE x % 11 END,
        CASE x % 4 WHEN 0 THEN NULL WHEN 1 THEN '质量很好' WHEN 2 THEN 'unique ' || x ELSE '推荐给朋友，质量很好' END FROM s
      """,
    ])
    let m = DataMapping(
      orders: .init(table: "sales", id: "oid", customer: "client_id", date: "sold_at", amount: "total", channel: "channel", quantity: "qty"),
      customers: .init(table: "clients", id: "id", name: "name", attributes: [.region: "region", .memberLevel: "level"],
                       birthYear: "birth_year", signup: "signup"),
      items: .init(table: "lines", order: "order_ref", product: "product", category: "category", quantity: "quantity", unitPrice: "unit_price"),
      feedback: .init(table: "reviews", customer: "client_id", date: "at", score: "score", comment: "comment"))
    try check(path, mapping: m)
    // The same database with holes in every table's rowids (read by one statement).
    let holes = dir.appendingPathComponent("holes.sqlite").path
    try FileManager.default.copyItem(atPath: path, toPath: holes)
    let w = try SQLiteDatabase(path: holes, readOnly: false)
    for t in ["clients", "sales", "lines", "reviews"] { try w.execute("DELETE FROM \(t) WHERE rowid % 101 = 0") }
    try check(holes, mapping: m)
  }

  /// Text ids (with é spelled two ways, which are one id), orphans, no customer attributes.
  func testTextIds() throws {
    let s = Self.series
    let path = try makeDB("text.sqlite", [
      "CREATE TABLE members (member_id TEXT, tier TEXT)",
      "\(s(1500)) INSERT INTO members SELECT CASE WHEN x % 50 = 0 THEN 'C' || char(233) WHEN x % 51 = 0 THEN 'C' || 'e' || char(769) ELSE 'M' || x END, 't' || (x % 3) FROM s",
      "CREATE TABLE txn (txn_id INTEGER PRIMARY KEY, member_id TEXT, ts INTEGER, amount REAL)",
      "\(s(5000)) INSERT INTO txn SELECT x, CASE WHEN x % 9 = 0 THEN 'ghost' || (x % 40) WHEN x % 10 = 0 THEN 'C' || 'e' || char(769) WHEN x % 21 = 0 THEN NULL WHEN x % 23 = 0 THEN x ELSE 'M' || ((x * 13) % 1600) END, 1761955200 + x * 60, x FROM s",
      "CREATE TABLE fb (member_id TEXT, at TEXT, nps INTEGER)",
      "\(s(800)) INSERT INTO fb SELECT CASE WHEN x % 3 = 0 THEN 'ghost' || (x % 60) ELSE 'M' || x END, '2025-11-01', x % 11 FROM s",
    ])
    let m = DataMapping(
      orders: .init(table: "txn", id: nil, customer: "member_id", date: "ts", amount: "amount", channel: nil, quantity: nil),
      customers: .init(table: "members", id: "member_id", name: nil, attributes: [.memberLevel: "tier"], birthYear: nil, signup: nil),
      items: nil, feedback: .init(table: "fb", customer: "member_id", date: "at", score: "nps", comment: nil))
    try check(path, mapping: m)
  }

  /// No customer table; ids spread over the whole Int64 range, in no order.
  func testSparseIdsWithoutCustomerTable() throws {
    let s = Self.series
    let path = try makeDB("sparse.sqlite", [
      "CREATE TABLE purchases (cust_id INTEGER, txn_date TEXT, dollars REAL)",
      """
      \(s(20000)) INSERT INTO purchases SELECT CASE WHEN x % 1000 = 1 THEN 9223372036854775807 - x % 3 WHEN x % 1000 = 2 THEN -9223372036854775808 + x % 3
        WHEN x % 3 = 0 THEN (x * 7919) % 100003 ELSE (x * 104729) % 5000 END, '1997-01-' || printf('%02d', x % 28 + 1), x FROM s
      """,
    ])
    try check(path)
  }

  /// Orders read through a covering index (not in rowid order), a column named rowid, a view
  /// and a WITHOUT ROWID table: each must give the plain reader's rows, in its order.
  func testTablesNotReadInRowidOrder() throws {
    let s = Self.series
    let path = try makeDB("odd.sqlite", [
      "CREATE TABLE covered (customer_id INTEGER, created_at TEXT, amount REAL, notes TEXT)",
      "\(s(3000)) INSERT INTO covered SELECT (x * 37) % 500, '2024-03-' || printf('%02d', x % 28 + 1), x, printf('%.300c', 'n') FROM s",
      "CREATE INDEX covering ON covered(customer_id, created_at, amount)",
      "CREATE TABLE named (rowid INTEGER, customer_id INTEGER, created_at TEXT, amount REAL)",
      "\(s(3000)) INSERT INTO named SELECT 3000 - x, (x * 37) % 500, '2024-03-' || printf('%02d', x % 28 + 1), x FROM s",
      "CREATE VIEW viewed AS SELECT * FROM covered WHERE amount > 10",
      "CREATE TABLE nor (id INTEGER PRIMARY KEY, customer_id INTEGER, created_at TEXT, amount REAL) WITHOUT ROWID",
      "\(s(3000)) INSERT INTO nor SELECT (x * 7) % 3001, (x * 37) % 500, '2024-03-' || printf('%02d', x % 28 + 1), x FROM s",
      "CREATE TABLE items (order_id INTEGER, product TEXT)",
      "\(s(4000)) INSERT INTO items SELECT x % 3100, 'p' || (x % 9) FROM s",
    ])
    let plan = try SQLiteDatabase(path: path).rows("EXPLAIN QUERY PLAN SELECT customer_id, created_at, amount, rowid FROM covered")
    XCTAssertTrue(plan.first?.last?.string?.contains("COVERING INDEX") == true, "the test needs a covering index scan: \(plan)")
    for (table, id) in [("covered", nil), ("named", "rowid"), ("named", nil), ("viewed", nil), ("nor", "id"), ("nor", nil)] as [(String, String?)] {
      if table == "nor" && id == nil { continue }  // a WITHOUT ROWID table has no rowid to default to
      let m = DataMapping(
        orders: .init(table: table, id: id, customer: "customer_id", date: "created_at", amount: "amount", channel: nil, quantity: nil),
        customers: nil, items: .init(table: "items", order: "order_id", product: "product", category: nil, quantity: nil, unitPrice: nil),
        feedback: nil)
      try check(path, mapping: m)
    }
  }

  /// Integer customer ids that repeat (no NULLs): the two-chunk read of the customer table
  /// must give way to the row-by-row one, where the first row of an id wins.
  func testRepeatedCustomerIds() throws {
    let s = Self.series
    let path = try makeDB("repeated.sqlite", [
      "CREATE TABLE customers (id INTEGER, region TEXT)",
      "\(s(2000)) INSERT INTO customers SELECT (x * 7) % 1500 + 1, 'r' || (x % 5) FROM s",
      "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, created_at TEXT, amount REAL)",
      "\(s(3000)) INSERT INTO orders SELECT x, (x * 11) % 1700 + 1, '2024-05-01', x FROM s",
    ])
    let m = DataMapping(
      orders: .init(table: "orders", id: "id", customer: "customer_id", date: "created_at", amount: "amount", channel: nil, quantity: nil),
      customers: .init(table: "customers", id: "id", name: nil, attributes: [.region: "region"], birthYear: nil, signup: nil),
      items: nil, feedback: nil)
    try check(path, mapping: m)
  }

  /// A table that does not have the rows its plan expects (as when another program writes to
  /// it between counting and reading) is read again in one piece.
  func testPlansThatNoLongerFitAreReadAgain() throws {
    let s = Self.series
    let path = try makeDB("plan.sqlite", [
      "CREATE TABLE t (v INTEGER)",
      "\(s(1000)) INSERT INTO t SELECT x * 3 FROM s",
    ])
    struct Part: ChunkPart { var rows: Int }
    let connections = LoadConnections(try SQLiteDatabase(path: path), parallelThreshold: 2)
    func read(_ plan: ScanPlan) throws -> [Int32] {
      let scanned = try connections.scan(plan, into: ColumnCounts(int32: 1)) { chunk, st, b in
        var i = chunk.start
        while try st.step() {
          guard i < chunk.positions.upperBound else { throw ChunkOverflow() }
          b.int32[0][i] = Int32(st.int64(0))
          i += 1
        }
        return Part(rows: i - chunk.start)
      }
      return Array(scanned.int32[0])
    }
    let expected = (1...1000).map { Int32($0 * 3) }
    var plan = connections.plan(table: "t", columns: ["v"], select: "SELECT v FROM t", rows: 1000)
    XCTAssertTrue(plan.isSplit)
    XCTAssertEqual(try read(plan), expected)
    plan.chunks[1].capacity += 5  // the second chunk finds fewer rows than planned
    XCTAssertEqual(try read(plan), expected)
    plan.chunks[0].capacity -= 7  // the first chunk finds more rows than fit
    plan.chunks[1].start -= 7
    XCTAssertEqual(try read(plan), expected)
    XCTAssertEqual(try read(ScanPlan(table: "t", select: "SELECT v FROM t", rows: 10)), expected, "more rows than counted")
  }

  // MARK: building blocks

  func testIntRowMapMatchesDictionary() {
    var rng = SystemRandomNumberGenerator()
    for pattern in 0..<5 {
      var map = IntRowMap()
      var dict: [Int64: Int32] = [:]
      for i in 0..<60_000 {
        let k: Int64
        switch pattern {
        case 0: k = Int64(i + 1)  // 1…N in order
        case 1: k = Int64.random(in: 1...40_000, using: &rng)  // dense, any order, repeats
        case 2: k = Int64.random(in: Int64.min...Int64.max, using: &rng)  // sparse
        case 3: k = i % 7 == 0 ? Int64.random(in: Int64.min...Int64.max, using: &rng) : Int64(50_000 - i)  // descending + outliers
        default: k = i % 2 == 0 ? Int64.max - Int64(i % 5000) : Int64.min + Int64(i % 5000)  // both ends
        }
        let r = Int32(i)
        map.set(k, r)
        dict[k] = r
        if i % 997 == 0 {
          for (dk, dr) in dict.prefix(50) { XCTAssertEqual(map.row(dk), dr, "pattern \(pattern)") }
          let probe = Int64.random(in: -10...90_000, using: &rng)
          XCTAssertEqual(map.row(probe), dict[probe] ?? -1, "pattern \(pattern)")
        }
      }
      XCTAssertEqual(map.count, dict.count, "pattern \(pattern)")
      for (k, r) in dict { XCTAssertEqual(map.row(k), r, "pattern \(pattern) key \(k)") }
      for k: Int64 in [0, -1, Int64.min, Int64.max, 1_000_000_007] where dict[k] == nil { XCTAssertEqual(map.row(k), -1) }
    }
  }

  func testTextDictionaryMatchesDictBuilder() {
    var rng = SystemRandomNumberGenerator()
    let pieces = ["a", "b", "é", "e\u{301}", "华东", "\u{F900}", "\u{8C48}", "", "K", "\u{212A}", "long value with more than sixteen bytes"]
    var values: [String?] = []
    for _ in 0..<20_000 {
      if Int.random(in: 0..<20, using: &rng) == 0 { values.append(nil); continue }
      let n = Int.random(in: 0...3, using: &rng)
      values.append((0..<n).map { _ in pieces[Int.random(in: 0..<pieces.count, using: &rng)] }.joined())
    }
    var builder = DictBuilder()
    var dict = TextDictionary()
    var codes = ContiguousArray<Int32>()
    for v in values {
      builder.append(v)
      if let v {
        var s = v
        codes.append(s.withUTF8 { dict.code($0) })
      } else {
        codes.append(-1)
      }
    }
    let ref = builder.build()
    same(codes, ref.codes, "codes")
    same(dict.strings, ref.dictionary, "dictionary")
    // Split in two and merged: the numbering of one pass.
    var first = TextDictionary(), second = TextDictionary()
    var merged = ContiguousArray<Int32>()
    for (i, v) in values.enumerated() {
      guard var s = v else { merged.append(-1); continue }
      merged.append(s.withUTF8 { i < values.count / 2 ? first.code($0) : second.code($0) })
    }
    let chunks = [ScanChunk(rowids: nil, start: 0, capacity: values.count / 2, exact: true),
                  ScanChunk(rowids: nil, start: values.count / 2, capacity: values.count - values.count / 2, exact: true)]
    let dictionary = CubeLoader.mergeDictionaries([first, second], chunks: chunks, rows: chunks.map(\.capacity), codes: &merged)
    same(merged, ref.codes, "merged codes")
    same(dictionary.strings, ref.dictionary, "merged dictionary")
  }

  func testInternedCommentsKeepTheirBytes() {
    var interner = StringInterner(limit: 3)
    for v in ["x", "é", "e\u{301}", "x", "y", "z", "é", "e\u{301}"] {
      var s = v
      XCTAssertEqual(Array(s.withUTF8 { interner.string($0) }.utf8), Array(v.utf8))
    }
  }
}
