// Scans split over threads (Sources/Execution/ParallelScan.swift): row ranges cover every row
// once, aligned splits keep an order's items together, and order and feedback tables in day
// order (a period's rows are then one run, found by binary search) answer every random
// plan exactly as the same data in another row order does, on one thread and on three; and
// the scans with partial states of their own (units split between threads, rankings, feedback
// per month) give on three threads what hand-written SQL gives; the per-customer sums of a
// top-N ranking tell customers without orders apart and split by customers without change.

import Cube
import CubeSQLite
import Engine
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

  func testFeedbackRowsOfAPeriod() {
    let days: ContiguousArray<Int32> = [nullDay, 3, 3, 5, 8, 8, 8, 12]
    let n = days.count
    func table(_ d: ContiguousArray<Int32>) -> FeedbackTable {
      FeedbackTable(customer: ContiguousArray(repeating: 0, count: n), day: d,
                    score: ContiguousArray(repeating: 9, count: n), comment: Array(repeating: "", count: n))
    }
    let fb = table(days)
    XCTAssertTrue(fb.byDay)
    XCTAssertEqual(fb.rows(days: 3, 8), 1..<7)
    XCTAssertEqual(fb.rows(days: 4, 7), 3..<4)
    XCTAssertEqual(fb.rows(days: 13, 20), 8..<8)
    XCTAssertEqual(fb.rows(days: 9, 3), 0..<0)
    XCTAssertEqual(fb.rows(days: Int32.min, Int32.max), 0..<n)
    var shuffled = days
    shuffled.swapAt(2, 6)
    let unordered = table(shuffled)
    XCTAssertFalse(unordered.byDay)
    XCTAssertEqual(unordered.rows(days: 4, 7), 0..<n)
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
      XCTAssertTrue(sorted.feedback?.byDay ?? true, ds.name)
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
    // Feedback in day order too (stable), so its period is found by binary search.
    let feedback = cube.feedback.map { fb in
      let p = (0..<fb.count).sorted { (fb.day[$0], $0) < (fb.day[$1], $1) }
      return FeedbackTable(customer: ContiguousArray(p.map { fb.customer[$0] }), day: ContiguousArray(p.map { fb.day[$0] }),
                           score: ContiguousArray(p.map { fb.score[$0] }), comment: p.map { fb.comment[$0] })
    }
    var out = Cube(customers: cube.customers, orders: orders, items: items, feedback: feedback, source: cube.source)
    out.events = cube.events
    return out
  }

  /// Figures whose partial states are split between three threads from the first row on
  /// (a unit's customers counted by several threads; rankings over a month and over all data)
  /// equal hand-written SQL on retail_cn.
  func testSplitScansMatchSQL() throws {
    guard let path = TestData.shared("retail_cn") else { throw XCTSkip("../shared/data not present") }
    let today = Day(iso: "2026-11-22")!
    let e = try Engine(database: path, grammars: TestData.grammars.path, today: today)
    e.executor.parallelism = ScanParallelism(threads: 3, minRows: 0)
    let db = try SQLiteDatabase(path: path)
    func table(_ q: String) throws -> [String: Double] {
      let a = e.ask(q, today: today)
      let t = try XCTUnwrap(a.table, "\(q): \(a.refusal?.message ?? "")")
      var out: [String: Double] = [:]
      for r in t.rows {
        guard case .string(let k) = r[0] else { continue }
        out[k] = r[r.count - 1].doubleValue
      }
      return out
    }
    func sql(_ q: String) throws -> [String: Double] {
      var out: [String: Double] = [:]
      for r in try db.rows(q) { if let k = r[0].string { out[k] = r[1].double } }
      return out
    }
    func assertClose(_ got: [String: Double], _ want: [String: Double], _ what: String) {
      XCTAssertFalse(want.isEmpty, what)
      XCTAssertEqual(Set(got.keys), Set(want.keys), what)
      for (k, v) in want { XCTAssertEqual(got[k] ?? .nan, v, accuracy: 1e-9 * max(1, abs(v)), "\(what) \(k)") }
    }
    let lastMonth = "date(o.created_at) BETWEEN '2026-10-01' AND '2026-10-31'"
    assertClose(try table("上月各地区的复购率"), try sql("""
      SELECT c.region, 1.0 * sum(n >= 2) / count(*) FROM (SELECT customer_id, count(*) AS n FROM orders o
      WHERE \(lastMonth) AND customer_id IS NOT NULL GROUP BY customer_id) p JOIN customers c ON c.id = p.customer_id
      WHERE c.region IS NOT NULL GROUP BY c.region
      """), "repeat rate by region")
    assertClose(try table("今年每月的复购客户数"), try sql("""
      SELECT m, sum(n >= 2) FROM (SELECT strftime('%Y-%m', created_at) AS m, customer_id, count(*) AS n FROM orders
      WHERE date(created_at) BETWEEN '2026-01-01' AND '2026-11-22' AND customer_id IS NOT NULL GROUP BY m, customer_id) GROUP BY m
      """), "repeat customers per month")
    assertClose(try table("今年每月的下单客户数"), try sql("""
      SELECT strftime('%Y-%m', created_at), count(DISTINCT customer_id) FROM orders
      WHERE date(created_at) BETWEEN '2026-01-01' AND '2026-11-22' GROUP BY 1
      """), "buyers per month")
    assertClose(try table("今年每月的NPS"), try sql("""
      SELECT strftime('%Y-%m', created_at), 100.0 * (sum(nps >= 9) - sum(nps <= 6)) / count(*) FROM feedback
      WHERE date(created_at) BETWEEN '2026-01-01' AND '2026-11-22' AND nps IS NOT NULL GROUP BY 1
      """), "NPS per month")
    // Rankings over a month and over all data.
    for (q, period) in [("上月消费金额前10的客户", "AND \(lastMonth)"), ("消费金额前10的客户", "AND date(o.created_at) <= '2026-11-22'")] {
      let t = try XCTUnwrap(e.ask(q, today: today).table, q)
      let want = try db.rows("""
        SELECT o.customer_id, sum(coalesce(o.total_amount, 0)) AS s FROM orders o WHERE o.customer_id IS NOT NULL \(period)
        GROUP BY o.customer_id ORDER BY s DESC, o.customer_id LIMIT 10
        """)
      XCTAssertEqual(t.rows.count, want.count, q)
      for (r, w) in zip(t.rows, want) {
        XCTAssertEqual(r[0].doubleValue, w[0].double, q)
        XCTAssertEqual(r[r.count - 1].doubleValue ?? .nan, w[1].double ?? 0, accuracy: 1e-6, q)
      }
    }
  }

  /// The per-customer sums of a top-N ranking (CustomerRanking): a customer whose orders add up
  /// to nothing (an amount of -0.0, a NULL amount, +5 and -5) has orders and ranks with 0, one
  /// whose orders all fall outside the period does not rank, and sums over ranges of customers
  /// equal the sums over all of them bit for bit.
  func testRankingSumsTellCustomersWithoutOrders() {
    // Customer rows 0...4 are slots 1...5; slot 0 takes orders without a customer (-1).
    var day = ContiguousArray<Int32>(repeating: 100, count: 9)
    day[7] = 200
    let customer: ContiguousArray<Int32> = [0, 1, 2, 2, 4, -1, 4, 3, 4]
    let amount: ContiguousArray<Double> = [-0.0, .nan, 5, -5, 3, 2, 4, 7, 0.5]
    let filter = OrderFilter(lo: 50, hi: 150, customerMask: nil, channelOK: nil, channelCodes: nil, orderOK: nil)
    let sales = CustomerRanking.Scan(filter: filter, day: day, customer: customer, column: amount)
    let orders = CustomerRanking.Scan(filter: filter, day: day, customer: customer, column: nil)
    func sums(_ scan: CustomerRanking.Scan, _ split: [Range<Int>]) -> [Double?] {
      var out: [Double?] = []
      for r in split {
        let s = CustomerRanking.Sums(slots: r)
        defer { s.release() }
        scan.add(0..<9, into: s)
        for j in 0..<r.count { out.append(CustomerRanking.Sums.isNone(s.base[j]) ? nil : s.base[j]) }
      }
      return out
    }
    let wantSales: [Double?] = [2, 0, 0, 0, nil, 7.5]
    let wantOrders: [Double?] = [1, 1, 1, 2, nil, 3]
    for split in [[0..<6], [0..<3, 3..<6], [0..<1, 1..<2, 2..<6]] {
      let s = sums(sales, split), o = sums(orders, split)
      XCTAssertEqual(s, wantSales, "\(split)")
      XCTAssertEqual(o, wantOrders, "\(split)")
      // No sum is -0.0: the slot of the -0.0 order holds +0.0.
      XCTAssertEqual(s[1]?.sign, .plus, "\(split)")
    }
    let whole = CustomerRanking.Sums(slots: 0..<6)
    defer { whole.release() }
    sales.add(0..<9, into: whole)
    let byValueThenSlot: (CustomerRanking.Candidate, CustomerRanking.Candidate) -> Bool = {
      rankValue($0.value) != rankValue($1.value) ? rankValue($0.value) > rankValue($1.value) : $0.slot < $1.slot
    }
    let top3 = CustomerRanking.top(whole, 0..<6, limit: 3, descending: true, byValueThenSlot)
    XCTAssertEqual(top3.map(\.slot), [5, 0, 1])
    let ascending: (CustomerRanking.Candidate, CustomerRanking.Candidate) -> Bool = {
      rankValue($0.value) != rankValue($1.value) ? rankValue($0.value) < rankValue($1.value) : $0.slot < $1.slot
    }
    let all = CustomerRanking.top(whole, 0..<6, limit: 10, descending: false, ascending)
    XCTAssertEqual(all.map(\.slot), [1, 2, 3, 0, 5])
  }

  /// The top-N walk skips values that cannot enter a full list by one comparison; near ties
  /// (values equal after rounding to 1e-6) and large values it still picks exactly what a full
  /// sort picks, ascending and descending.
  func testRankingTopEqualsFullSort() {
    var rng = SystemRandomNumberGenerator()
    for round in 0..<40 {
      let n = 2000
      let s = CustomerRanking.Sums(slots: 0..<n)
      defer { s.release() }
      let scale = [1e-7, 1e-6, 1, 1e12][round % 4]
      for x in 0..<n where Int.random(in: 0..<10, using: &rng) > 0 {
        s.base[x] = Double(Int.random(in: -300...300, using: &rng)) * scale + 0.0
      }
      for descending in [true, false] {
        let before: (CustomerRanking.Candidate, CustomerRanking.Candidate) -> Bool = {
          let a = rankValue($0.value), b = rankValue($1.value)
          return a != b ? (descending ? a > b : a < b) : $0.slot > $1.slot
        }
        let every = (0..<n).filter { !CustomerRanking.Sums.isNone(s.base[$0]) }.map { CustomerRanking.Candidate(slot: $0, value: s.base[$0]) }
        for limit in [1, 10, 50] {
          let want = every.sorted(by: before).prefix(limit).map(\.slot)
          let got = CustomerRanking.top(s, 0..<n, limit: limit, descending: descending, before).map(\.slot)
          XCTAssertEqual(got, want, "scale \(scale) descending \(descending) limit \(limit)")
        }
      }
    }
  }
}
