// The cube's compact storage (Cube/Columns.swift, Cube.swift): narrow codes and integral
// numbers read back exactly what was stored, wide or fractional data keeps its full width,
// item rows of a run of orders come from the binary search, and the per-customer figures match
// a plain recount.

import Cube
import QueryModel
import XCTest

final class CompactColumnTests: XCTestCase {
  func testCodesNarrowOnlyWhenTheDictionaryFitsInAByte() {
    let codes: ContiguousArray<Int32> = [0, -1, 254, 7, -1, 0]
    let narrow = CompactCodes(codes, values: 255)
    XCTAssertTrue(narrow.isNarrow)
    XCTAssertEqual(narrow.bytes, codes.count)
    XCTAssertEqual(Array(narrow.int32), Array(codes))
    XCTAssertEqual((0..<codes.count).map { narrow[$0] }, Array(codes))

    let big: ContiguousArray<Int32> = [255, -1, 300, 0]
    let wide = CompactCodes(big, values: 301)
    XCTAssertFalse(wide.isNarrow)
    XCTAssertEqual(wide.bytes, 4 * big.count)
    XCTAssertEqual((0..<big.count).map { wide[$0] }, Array(big))
    XCTAssertTrue(CompactCodes().isEmpty)
  }

  func testDictColumnReadsTheSameValues() {
    var b = DictBuilder()
    for s in ["书", nil, "食品", "书", nil, "服装"] as [String?] { b.append(s) }
    let plain = b.build()
    let compact = CompactDictColumn(plain)
    XCTAssertTrue(compact.codes.isNarrow)
    XCTAssertEqual((0..<6).map { compact.value($0) }, (0..<6).map { plain.value($0) })
    XCTAssertEqual(compact.code(of: "服装"), plain.code(of: "服装"))
    XCTAssertNil(compact.code(of: "家电"))
  }

  func testNumbersNarrowOnlyWhenEveryValueIsAnExactInt32() {
    let ints: ContiguousArray<Double> = [1, 0, 3, -2, 2_147_483_647, -2_147_483_648]
    let a = NumberColumn(ints)
    XCTAssertTrue(a.isIntegral)
    XCTAssertEqual(a.bytes, 4 * ints.count)
    XCTAssertEqual(Array(a.values), Array(ints))
    XCTAssertEqual((0..<ints.count).map { a[$0] }, Array(ints))

    for odd: Double in [0.5, 2_147_483_648, -2_147_483_649, -0.0, .nan, .infinity] {
      let values: ContiguousArray<Double> = [1, odd, 2]
      let c = NumberColumn(values)
      XCTAssertFalse(c.isIntegral, "\(odd) must keep the column Double")
      XCTAssertEqual(c.values.map(\.bitPattern), values.map(\.bitPattern))
      XCTAssertEqual(c[1].bitPattern, odd.bitPattern)
    }
  }

  func testItemRowsOfARunOfOrders() {
    func items(_ order: [Int32]) -> ItemTable {
      ItemTable(order: ContiguousArray(order), product: nil, category: nil,
                quantity: ContiguousArray(repeating: 1, count: order.count), unitPrice: ContiguousArray(repeating: 2, count: order.count))
    }
    let sorted = items([-1, -1, 0, 0, 1, 3, 3, 3, 4, 7])
    XCTAssertTrue(sorted.inOrderRowOrder)
    // Every run of orders: the rows found are exactly the rows whose order is in the run.
    for lo in 0...8 {
      for hi in lo...8 {
        let expected = sorted.order.indices.filter { (lo..<hi).contains(Int(sorted.order[$0])) }
        let r = sorted.rows(ofOrders: lo..<hi)
        XCTAssertEqual(Array(r).filter { (lo..<hi).contains(Int(sorted.order[$0])) }, expected, "\(lo)..<\(hi)")
        XCTAssertEqual(r.count, expected.count, "\(lo)..<\(hi): no rows outside the run")
      }
    }
    let shuffled = items([0, 2, 1, 1])
    XCTAssertFalse(shuffled.inOrderRowOrder)
    XCTAssertEqual(shuffled.rows(ofOrders: 1..<2), 0..<4, "out of order: every row")
    XCTAssertTrue(items([]).inOrderRowOrder)
    XCTAssertEqual(items([]).rows(ofOrders: 0..<5), 0..<0)
  }

  func testCustomerStatsMatchAPlainRecount() {
    var rng = SystemRandomNumberGenerator()
    let n = 5_000, customers = 300
    var day = ContiguousArray<Int32>(), cust = ContiguousArray<Int32>(), amount = ContiguousArray<Double>()
    for _ in 0..<n {
      day.append(Int.random(in: 0..<20, using: &rng) == 0 ? nullDay : Int32.random(in: 19_000...19_400, using: &rng))
      cust.append(Int.random(in: 0..<25, using: &rng) == 0 ? -1 : Int32.random(in: 0..<Int32(customers), using: &rng))
      amount.append(Int.random(in: 0..<15, using: &rng) == 0 ? .nan : Double(Int.random(in: 1...50_000, using: &rng)) / 100)
    }
    let orders = OrderTable(day: day, customer: cust, amount: amount, channel: nil, quantity: nil)
    for until in [Int32.max, 19_200] {
      let s = CustomerStats(orders: orders, customers: customers, until: until)
      for c in 0..<customers {
        let mine = (0..<n).filter { Int(cust[$0]) == c && day[$0] != nullDay && day[$0] <= until }
        XCTAssertEqual(Int(s.orderCount[c]), mine.count)
        XCTAssertEqual(s.firstDay[c], mine.map { day[$0] }.min() ?? nullDay)
        XCTAssertEqual(s.lastDay[c], mine.map { day[$0] }.max() ?? nullDay)
        // Summed in row order, as the stats are: equal to the last bit.
        var spend = 0.0
        for i in mine where !amount[i].isNaN { spend += amount[i] }
        XCTAssertEqual(s.totalSpend[c].bitPattern, spend.bitPattern)
      }
    }
  }
}
