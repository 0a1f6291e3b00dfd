// Scans split over threads (Sources/Execution/ParallelScan.swift): row ranges cover every row
// once, aligned splits keep an order's items together, and an order table in day order (a
// period's orders are then one run of rows, found by binary search) answers every random
// plan exactly as the same data in another row order does, on one thread and on three.

import Cube
@testable import Execution
import Foundation
import QueryModel
import TestSupport
import XCTest

final class ParallelScanTests: XCTestCase {
  func testRangesCoverEveryRowOnce() {
    for threads in 1...4 {
      for minRows in [0, 10, 200_000] {
        let p = ScanParallelism(threads: threads, minRows: minRows)
        for rows in [0..<0, 0..<1, 0..<7, 3..<250_003, 0..<1_000_001] {
          let rs = p.ranges(rows)
          XCTAssertEqual(rs.first?.lowerBound, rows.lowerBound)
          XCTAssertEqual(rs.last?.upperBound, rows.upperBound)
          for (a, b) in zip(rs, rs.dropFirst()) { XCTAssertEqual(a.upperBound, b.lowerBound) }
          let expected = rows.count < minRows || rows.count < 2 ? 1 : min(threads, rows.count)
          XCTAssertEqual(rs.count, expected, "threads \(threads) minRows \(minRows) rows \(rows)")
        }
      }
    }
  }

  func testAlignedSplitsKeepRunsTogether() {
    // Runs of equal values (an order's items) must not straddle two ranges.
    var owner: [Int] = []
    var rng = SplitMix64(seed: 7)
    for o in 0..<500 { owner += Array(repeating: o, count: 1 + rng.below(9)) }
    let p = ScanParallelism(threads: 3, minRows: 0)
    let parts = p.partials(0..<owner.count, alignedTo: { j in
      var j = j
      while j > 0 && j < owner.count && owner[j] == owner[j - 1] { j += 1 }
      return j
    }) { $0 }
    XCTAssertEqual(parts.map(\.count).reduce(0, +), owner.count)
    XCTAssertGreaterThan(parts.count, 1)
    for (a, b) in zip(parts, parts.dropFirst()) {
      XCTAssertEqual(a.upperBound, b.lowerBound)
      XCTAssertNotEqual(owner[a.upperBound - 1], owner[b.lowerBound])
    }
  }

  func testOrderRowsOfAPeriod() {
    let days: ContiguousArray<Int32> = [nullDay, 3, 3, 5, 8, 8, 8, 12]
    let n = days.count
    let orders = OrderTable(day: days, customer: ContiguousArray(repeating: 0, count: n),
                            amount: ContiguousArray(repeating: 1, count: n), channel: nil, quantity: nil)
    let customers = CustomerTable(keys: .int([1]), inCustomerTable: [true], name: nil, attributes: [:], birthYear: nil,
                                  signupDay: nil, tableRowCount: 1)
    let cube = Cube(customers: customers, orders: orders, items: nil, feedback: nil, source: "test")
    XCTAssertTrue(cube.ordersByDay)
    XCTAssertEqual(cube.orderRows(days: 3, 8), 1..<7)
    XCTAssertEqual(cube.orderRows(days: 4, 7), 3..<4)
    XCTAssertEqual(cube.orderRows(days: 9, 11), 7..<7)
    XCTAssertEqual(cube.orderRows(days: 13, 20), 8..<8)
    XCTAssertEqual(cube.orderRows(days: nullDay + 1, 2), 1..<1)
    var shuffled = orders
    shuffled.day.swapAt(2, 6)
    let unordered = Cube(customers: customers, orders: shuffled, items: nil, feedback: nil, source: "test")
    XCTAssertFalse(unordered.ordersByDay)
    XCTAssertEqual(unordered.orderRows(days: 4, 7), 0..<n)
  }

  /// The demo data with its orders in day order (items re-pointed at the moved orders) gives
  /// the answers of the original row order, whatever the number of threads.
  func testDayOrderedOrdersGiveTheSameAnswers() throws {
    let sets = try DiffData.all()
    let count = max(200, DifferentialTests.planCount / 2)
    var failures: [String] = []
    var checked = 0
    for ds in sets where ["demo-a", "demo-orphans", "edge-mixed"].contains(ds.name) {
      let cube = ds.executor.cube
      let sorted = Self.inDayOrder(cube)
      XCTAssertTrue(sorted.ordersByDay, ds.name)
      let executor = Executor(cube: sorted, topics: ds.topics)
      executor.parallelism = ScanParallelism(threads: 3, minRows: 0)
      executor.analysisGrammar = ds.executor.analysisGrammar
      for i in 0..<count {
        let s = DiffPlans.seed(run: DifferentialTests.runSeed, index: i)
        let (tree, lang) = DiffPlans.tree(s, ds)
        checked += 1
        if let f = DiffRunner.checkSame(tree, lang, ds, seed: s, (ds.singleThreaded, "stored order, 1 thread"), (executor, "day order, 3 threads")) {
          failures.append(f)
        }
      }
    }
    print("day-ordered orders: \(checked) plans, \(failures.count) differ")
    for f in failures.prefix(10) { XCTFail(f) }
  }

  /// The cube with its order rows sorted by day (stable), items following their orders.
  static func inDayOrder(_ cube: Cube) -> Cube {
    let o = cube.orders
    let perm = (0..<o.count).sorted { (o.day[$0], $0) < (o.day[$1], $1) }
    var newRow = [Int32](repeating: -1, count: o.count)
    for (r, i) in perm.enumerated() { newRow[i] = Int32(r) }
    func pick<T>(_ a: ContiguousArray<T>) -> ContiguousArray<T> { ContiguousArray(perm.map { a[$0] }) }
    var orders = OrderTable(day: pick(o.day), customer: pick(o.customer), amount: pick(o.amount),
                            channel: o.channel.map { DictColumn(codes: pick($0.codes), dictionary: $0.dictionary) },
                            quantity: o.quantity.map(pick))
    orders.discount = o.discount.map(pick)
    var items = cube.items
    if let it = cube.items {
      items?.order = ContiguousArray(it.order.map { $0 < 0 ? $0 : newRow[Int($0)] })
    }
    var out = Cube(customers: cube.customers, orders: orders, items: items, feedback: cube.feedback, source: cube.source)
    out.events = cube.events
    return out
  }
}
