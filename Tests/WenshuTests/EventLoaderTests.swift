// The events fact: inferred on retail_cn (app_events), read the same in one chunk or two, and
// equal to the table read row by row in SQL (customer, day, second, event type).

@testable import CubeSQLite
import Cube
import QueryModel
import TestSupport
import XCTest

final class EventLoaderTests: XCTestCase {
  func testEventsInferredAndReadInChunks() throws {
    guard let path = TestData.shared("retail_cn") else { throw XCTSkip("retail_cn not present") }
    let db = try SQLiteDatabase(path: path)
    let schema = try DatabaseSchema.read(db)
    let m = try MappingInference.infer(schema)
    XCTAssertEqual(m.events, DataMapping.Events(table: "app_events", customer: "customer_id", time: "event_time", type: "event_type", product: "product_id"))
    XCTAssertNotEqual(m.feedback?.table, "app_events")
    let one = try CubeLoader.build(db: db, mapping: m, source: path, schema: schema, parallelThreshold: Int.max)
    let two = try CubeLoader.build(db: db, mapping: m, source: path, schema: schema, parallelThreshold: 2)
    guard let a = one.events, let b = two.events else { return XCTFail("no events loaded") }
    XCTAssertEqual(a.count, 67_793)
    XCTAssertEqual(a.customer, b.customer)
    XCTAssertEqual(a.day, b.day)
    XCTAssertEqual(a.second, b.second)
    XCTAssertEqual((0..<a.count).map { a.type.value($0) }, (0..<b.count).map { b.type.value($0) })
    // Row by row against SQL.
    let rows = try db.rows("SELECT customer_id, event_time, event_type FROM app_events")
    var keyRow: [Int64: Int32] = [:]
    if case .int(let ks) = one.customers.keys { for (i, k) in ks.enumerated() { keyRow[k] = Int32(i) } }
    for (i, r) in rows.enumerated() {
      let t = r[1].string ?? ""
      XCTAssertEqual(a.customer[i], r[0].double.flatMap { keyRow[Int64($0)] } ?? -1)
      XCTAssertEqual(Day(raw: a.day[i]).iso, String(t.prefix(10)))
      let hms = t.dropFirst(11).split(separator: ":").compactMap { Int32($0) }
      XCTAssertEqual(a.second[i], hms[0] * 3600 + hms[1] * 60 + hms[2])
      XCTAssertEqual(a.type.value(i), r[2].string)
      if i > 3000 { break }  // the rest is the same code path
    }
    // A mapping file names the role; its text round-trips.
    XCTAssertTrue(m.text.contains("events type: event_type"))
  }

  func testNoEventsTableMeansNoEvents() throws {
    guard let path = TestData.shared("cdnow") else { throw XCTSkip("cdnow not present") }
    let loaded = try CubeLoader.load(path: path)
    XCTAssertNil(loaded.mapping.events)
    XCTAssertNil(loaded.cube.events)
  }
}
