// Focused regression tests for the disagreements the differential test once papered over
// (a correction layer repaired the executor's table before comparing). Each plan runs both
// ways and must agree with no correction, and each checks the behaviour semantics.md asks
// for against independent runs of the executor: month-0 retention is 1; a negated filter
// is the complement of the filter; several topic filters all hold; customers whose orders
// all lie after today are new or returning by their first order ever; units obey customer
// conditions; a grouped share divides by the figure over all groups; a compared time series
// pairs unit k with unit k. Then the new plan parts: customer and order predicates, catalog
// metrics, share, difference and stack trees.

import CubeSQLite
import Execution
import Foundation
import QueryModel
import XCTest

final class DifferentialFixesTests: XCTestCase {
  var sets: [DiffDataset] = []

  override func setUpWithError() throws { sets = try DiffData.all() }

  func dataset(_ name: String) throws -> DiffDataset {
    try XCTUnwrap(sets.first { $0.name == name }, "no dataset \(name)")
  }

  /// Runs the tree both ways (they must agree) and returns the executor's table.
  @discardableResult
  func agree(_ tree: LogicalPlan, _ ds: DiffDataset, _ lang: Language = .zh, file: StaticString = #filePath, line: UInt = #line) throws -> ResultTable {
    if let f = DiffRunner.check(tree, lang, ds, seed: 0).failure { XCTFail(f, file: file, line: line) }
    return try ds.executor.run(tree, language: lang)
  }

  @discardableResult
  func agree(_ plan: Plan, _ ds: DiffDataset, _ lang: Language = .zh, file: StaticString = #filePath, line: UInt = #line) throws -> ResultTable {
    try agree(.aggregate(plan), ds, lang, file: file, line: line)
  }

  func col(_ t: ResultTable, _ id: String) throws -> Int {
    try XCTUnwrap(t.columns.firstIndex { $0.id == id }, "no column \(id) in \(t.columns.map(\.id))")
  }

  func number(_ t: ResultTable, _ id: String, row: Int = 0) throws -> Double {
    try XCTUnwrap(t.rows[row][try col(t, id)].doubleValue, "\(id) has no value")
  }

  // MARK: The deviations once corrected

  func testMonthZeroRetentionIsOne() throws {
    let ds = try dataset("demo-b")
    var plan = Plan(today: Day(year: 2025, month: 3, day: 11))
    plan.metrics = [.retention]
    plan.cohort = CohortSpec(cohorts: DateRange(Day(year: 2024, month: 5, day: 1), Day(year: 2024, month: 8, day: 31)), monthsAfter: 0)
    plan.period = plan.cohort?.cohorts
    let t = try agree(plan, ds)
    XCTAssertGreaterThan(try number(t, "cohort_size"), 0)
    XCTAssertEqual(try number(t, "retention_rate"), 1)
    XCTAssertEqual(try number(t, "retained"), try number(t, "cohort_size"))
  }

  func testNegatedChannelFilterIsTheComplement() throws {
    let ds = try dataset("demo-a")
    let channel = try XCTUnwrap(ds.values[.channel]?.first)
    var plan = Plan(today: Day(year: 2026, month: 11, day: 22))
    plan.metrics = [.sales, .orders]
    let all = try agree(plan, ds)
    plan.filters = [Filter(.channel, [channel])]
    let only = try agree(plan, ds)
    plan.filters = [Filter(.channel, [channel], negated: true)]
    let others = try agree(plan, ds)
    XCTAssertGreaterThan(try number(only, "orders"), 0)
    XCTAssertGreaterThan(try number(others, "orders"), 0)
    XCTAssertEqual(try number(only, "orders") + number(others, "orders"), try number(all, "orders"))
    XCTAssertEqual(try number(only, "sales") + number(others, "sales"), try number(all, "sales"), accuracy: 1e-6)
  }

  func testNegatedAndSeveralTopicFilters() throws {
    let ds = try XCTUnwrap(sets.first { $0.hasFeedback && ($0.values[.topic]?.count ?? 0) >= 2 })
    let topics = try XCTUnwrap(ds.values[.topic])
    var plan = Plan(today: (ds.dataRange?.end ?? Day(year: 2026, month: 1, day: 1)) + 1)
    plan.metrics = [.feedbackCount]
    let all = try number(try agree(plan, ds), "feedback_count")
    plan.filters = [Filter(.topic, [topics[0]])]
    let first = try number(try agree(plan, ds), "feedback_count")
    plan.filters = [Filter(.topic, [topics[0]], negated: true)]
    let notFirst = try number(try agree(plan, ds), "feedback_count")
    XCTAssertEqual(first + notFirst, all)
    plan.filters = [Filter(.topic, [topics[1]])]
    let second = try number(try agree(plan, ds), "feedback_count")
    plan.filters = [Filter(.topic, [topics[0]]), Filter(.topic, [topics[1]])]
    let both = try number(try agree(plan, ds), "feedback_count")
    XCTAssertLessThanOrEqual(both, min(first, second))
    plan.filters = [Filter(.topic, [topics[0]]), Filter(.topic, [topics[1]], negated: true)]
    let firstOnly = try number(try agree(plan, ds), "feedback_count")
    XCTAssertEqual(both + firstOnly, first)
  }

  /// Today inside the data and a period running past it: some customers' orders all lie
  /// after today. They are new or returning by their first order ever, never returning
  /// because they have no first order up to today.
  func testCustomersWithOrdersOnlyAfterToday() throws {
    let ds = try dataset("demo-a")
    var plan = Plan(today: Day(year: 2026, month: 3, day: 1))
    plan.period = DateRange(Day(year: 2026, month: 1, day: 1), Day(year: 2026, month: 12, day: 31))
    plan.metrics = [.buyers, .newCustomers, .returningCustomers]
    let t = try agree(plan, ds)
    XCTAssertEqual(try number(t, "new_customers") + number(t, "returning_customers"), try number(t, "buyers"))
    // The same kinds as lists and as predicates qualifying a figure.
    var list = plan
    list.metrics = []
    list.list = .new
    let news = try agree(list, ds).rows.count
    list.list = .returning
    let returning = try agree(list, ds).rows.count
    XCTAssertEqual(Double(news), try number(t, "new_customers"))
    XCTAssertEqual(Double(returning), try number(t, "returning_customers"))
    var qualified = plan
    qualified.metrics = [.buyers]
    qualified.customerPredicates = [.kind(.new)]
    XCTAssertEqual(try number(try agree(qualified, ds), "buyers"), try number(t, "new_customers"))
    qualified.customerPredicates = [.kind(.returning)]
    XCTAssertEqual(try number(try agree(qualified, ds), "buyers"), try number(t, "returning_customers"))
  }

  func testUnitsObeyCustomerConditions() throws {
    let ds = try dataset("demo-a")
    var plan = Plan(today: Day(year: 2026, month: 11, day: 22))
    plan.metrics = [.units, .orders]
    plan.groupBy = [.region]
    let all = try agree(plan, ds)
    plan.conditions = [CustomerCondition(.orders, .ge, 12)]
    let some = try agree(plan, ds)
    let u = try col(all, "units")
    let totalAll = all.rows.compactMap { $0[u].doubleValue }.reduce(0, +)
    let totalSome = some.rows.compactMap { $0[u].doubleValue }.reduce(0, +)
    XCTAssertLessThan(totalSome, totalAll, "units must drop with the customers that fail the condition")
  }

  func testGroupedShareDividesByAllGroups() throws {
    let ds = try dataset("demo-a")
    var plan = Plan(today: Day(year: 2026, month: 11, day: 22))
    plan.metrics = [.sales, .buyers]
    plan.groupBy = [.region]
    plan.share = true
    plan.ranking = Ranking(limit: 2, descending: true)
    let t = try agree(plan, ds)
    var total = plan
    total.groupBy = []
    total.share = false
    total.ranking = nil
    let whole = try agree(total, ds)
    for r in t.rows.indices {
      XCTAssertEqual(try number(t, "sales_share", row: r), try number(t, "sales", row: r) / number(whole, "sales"), accuracy: 1e-12)
      XCTAssertEqual(try number(t, "buyers_share", row: r), try number(t, "buyers", row: r) / number(whole, "buyers"), accuracy: 1e-12)
    }
  }

  func testComparedSeriesPairsUnitByUnit() throws {
    let ds = try dataset("demo-a")
    var plan = Plan(today: Day(year: 2026, month: 11, day: 22))
    plan.metrics = [.sales]
    plan.timeGrain = .month
    plan.period = DateRange(Day(year: 2026, month: 7, day: 1), Day(year: 2026, month: 9, day: 30))
    plan.comparison = .previousPeriod
    plan.comparisonPeriod = DateRange(Day(year: 2026, month: 4, day: 1), Day(year: 2026, month: 6, day: 30))
    let t = try agree(plan, ds)
    var earlier = plan
    earlier.period = plan.comparisonPeriod
    earlier.comparison = nil
    earlier.comparisonPeriod = nil
    let e = try agree(earlier, ds)
    XCTAssertEqual(t.rows.count, 3)
    XCTAssertEqual(e.rows.count, 3)
    for k in 0..<3 {
      XCTAssertEqual(try number(t, "sales_previous", row: k), try number(e, "sales", row: k), accuracy: 1e-9)
    }
  }

  // MARK: New plan parts

  func testCustomerAndOrderPredicates() throws {
    let ds = try dataset("demo-a")
    var plan = Plan(today: Day(year: 2026, month: 11, day: 22))
    plan.period = DateRange(Day(year: 2026, month: 10, day: 1), Day(year: 2026, month: 10, day: 31))
    plan.metrics = [.sales, .orders, .buyers]
    let all = try agree(plan, ds)
    var returning = plan
    returning.customerPredicates = [.kind(.returning)]
    var new = plan
    new.customerPredicates = [.kind(.new)]
    XCTAssertEqual(try number(try agree(returning, ds), "sales") + number(try agree(new, ds), "sales"), try number(all, "sales"), accuracy: 1e-6)
    for p: CustomerPredicate in [.kind(.repeatBuyers), .kind(.highRepurchase), .kind(.active), .kind(.churned), .age(min: 25, max: 34), .age(min: nil, max: 40)] {
      var q = plan
      q.customerPredicates = [p]
      q.groupBy = [.region]
      try agree(q, ds)
    }
    var big = plan
    big.orderPredicates = [OrderPredicate(.gt, 200)]
    var small = plan
    small.orderPredicates = [OrderPredicate(.le, 200)]
    XCTAssertEqual(try number(try agree(big, ds), "orders") + number(try agree(small, ds), "orders"), try number(all, "orders"))
  }

  func testCatalogMetrics() throws {
    let ds = try dataset("demo-a")
    XCTAssertNotNil(ds.loaded.mapping.orders.discount, "the demo data has a discount column")
    var plan = Plan(today: Day(year: 2026, month: 11, day: 22))
    plan.period = DateRange(Day(year: 2026, month: 1, day: 1), Day(year: 2026, month: 10, day: 31))
    plan.metrics = DiffPlans.catalogMetrics + [.sales, .orders]
    let t = try agree(plan, ds)
    let discount = try number(t, "discount"), sales = try number(t, "sales"), orders = try number(t, "orders")
    XCTAssertGreaterThan(discount, 0)
    XCTAssertEqual(try number(t, "discount_rate"), discount / (sales + discount), accuracy: 1e-12)
    XCTAssertEqual(try number(t, "discount_per_order"), discount / orders, accuracy: 1e-9)
    XCTAssertGreaterThan(try number(t, "purchase_interval"), 0)
    plan.groupBy = [.region]
    plan.timeGrain = .quarter
    try agree(plan, ds)
    plan.conditions = [CustomerCondition(.orders, .ge, 2)]
    try agree(plan, ds)
    // Order figures are not split by category: both sides refuse.
    plan.conditions = []
    plan.groupBy = [.category]
    XCTAssertThrowsError(try ds.executor.run(plan, language: .zh))
    XCTAssertThrowsError(try ds.compiler.compile(plan, language: .zh))
  }

  func testShareAndDifferenceTrees() throws {
    let ds = try dataset("demo-a")
    let channels = try XCTUnwrap(ds.values[.channel])
    var part = Plan(today: Day(year: 2026, month: 11, day: 22))
    part.period = DateRange(Day(year: 2026, month: 1, day: 1), Day(year: 2026, month: 10, day: 31))
    part.metrics = [.sales, .buyers]
    part.customerPredicates = [.kind(.returning)]
    part.groupBy = [.region]
    var whole = part
    whole.customerPredicates = []
    let t = try agree(.share(part: .aggregate(part), whole: .aggregate(whole)), ds)
    let s = try col(t, "sales_share")
    XCTAssertFalse(t.rows.isEmpty)
    for row in t.rows { if let v = row[s].doubleValue { XCTAssertLessThanOrEqual(v, 1 + 1e-12) } }
    // A value's share of the whole: the part is filtered, the whole is not.
    part.customerPredicates = []
    part.groupBy = []
    part.filters = [Filter(.channel, [channels[0]])]
    whole = part
    whole.filters = []
    let one = try agree(.share(part: .aggregate(part), whole: .aggregate(whole)), ds)
    XCTAssertLessThan(try number(one, "sales_share"), 1)
    // Two values side by side and their difference.
    var by = Plan(today: Day(year: 2026, month: 11, day: 22))
    by.metrics = [.aov]
    by.groupBy = [.channel]
    by.filters = [Filter(.channel, [channels[0], channels[1]])]
    let d = try agree(.difference(dimension: .channel, a: channels[0], b: channels[1], input: .aggregate(by)), ds)
    XCTAssertEqual(try number(d, "average_order_value_difference"),
                   try number(d, "average_order_value_a") - number(d, "average_order_value_b"), accuracy: 1e-9)
  }

  /// New and returning customers one under another (新老客的销售额), and each kind's share of
  /// the figure over all customers: the two kinds split the period's sales.
  func testStackOfCustomerKinds() throws {
    let ds = try dataset("demo-a")
    var each = Plan(today: Day(year: 2026, month: 11, day: 22))
    each.period = DateRange(Day(year: 2026, month: 9, day: 1), Day(year: 2026, month: 9, day: 30))
    each.metrics = [.sales, .buyers]
    let parts = [CustomerSet.new, .returning].map { k -> StackPart in
      var p = each
      p.customerPredicates = [.kind(k)]
      return StackPart(label: k.rawValue, plan: .aggregate(p))
    }
    let t = try agree(.share(part: .stack(key: "customer_kind", parts: parts), whole: .aggregate(each)), ds)
    XCTAssertEqual(t.rows.count, 2)
    XCTAssertEqual(t.rows.map { $0[0] }, [.string("new"), .string("returning")])
    XCTAssertEqual(try number(t, "sales_share", row: 0) + number(t, "sales_share", row: 1), 1, accuracy: 1e-9)
    XCTAssertEqual(try number(t, "buyers", row: 0) + number(t, "buyers", row: 1), try number(t, "buyers_whole"))
  }
}
