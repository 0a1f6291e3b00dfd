// 2,000 random plans (the differential generator's idea: metrics × groupings × filters with
// values inside and outside the scope, negated now and then × periods × series × rankings ×
// shares × comparisons × customer lists × cohorts × customer and order predicates; trees:
// a share of a block in a wider whole, a difference of two values, a stack of customer kinds) under a random scope, through the server's
// own scope → run → mask → encode path: no row of any answer lies outside the scope. A row is
// outside when a scoped dimension's column holds a value outside the scope (or NULL), or a
// customer column holds a customer outside it — the in-scope customers computed with SQL on
// the database (customer predicates; for channel predicates, customers with an order in the
// channels). Every answered plan also carries each scoped dimension as a positive filter
// within the scope. WENSHU_SCOPE_PLANS sets the count; the seed is fixed (WENSHU_SCOPE_SEED).

import CubeSQLite
import Engine
import Foundation
import Planning
import QueryModel
import Server
import TestSupport
import XCTest

final class RandomScopeTests: XCTestCase {
  struct Pools {
    var values: [DimensionID: [String]]
    var range: DateRange
  }

  func testRandomPlansUnderRandomScopesNeverLeaveTheScope() throws {
    let env = ProcessInfo.processInfo.environment
    let count = Int(env["WENSHU_SCOPE_PLANS"] ?? "") ?? 2_000
    let seed = UInt64(env["WENSHU_SCOPE_SEED"] ?? "") ?? 19_2026
    let path = try ServerFixtures.retailPath()
    let engine = try TestData.engine(path, today: ServerFixtures.today)
    let service = try AskService(engine: engine, config: ServerConfig(), today: ServerFixtures.today)
    let db = try SQLiteDatabase(path: path)
    func column(_ sql: String) throws -> [String] { try db.rows(sql).compactMap { $0[0].string } }
    var values: [DimensionID: [String]] = [:]
    for d in [DimensionID.region, .city, .sourceChannel, .memberLevel, .gender] {
      values[d] = try column("SELECT DISTINCT \(d.rawValue) FROM customers WHERE \(d.rawValue) IS NOT NULL ORDER BY 1")
    }
    values[.channel] = try column("SELECT DISTINCT channel FROM orders WHERE channel IS NOT NULL ORDER BY 1")
    values[.category] = try column("SELECT DISTINCT category FROM order_items WHERE category IS NOT NULL ORDER BY 1")
    values[.ageBand] = ["<25", "25–34", "35–44", "45–54", "≥55"]
    values[.segment] = Segment.allCases.map(\.rawValue)
    let pools = Pools(values: values, range: engine.database.cube.dateRange!)
    guard let template = engine.plan("销售额", today: ServerFixtures.today).0 else { return XCTFail("no template plan") }

    var rng = SplitMix64(seed: seed)
    var answered = 0, refused = 0, rowsChecked = 0, customerRowsChecked = 0, scopedKeyCells = 0
    var inScopeCache: [String: Set<Int64>] = [:]
    for i in 0..<count {
      let scope = randomScope(&rng, pools)
      let key = scope.map(\.description).joined(separator: " AND ")
      if inScopeCache[key] == nil { inScopeCache[key] = try inScopeCustomers(db, scope) }
      let inScope = inScopeCache[key]!
      var planned = template
      planned.tree = randomTree(&rng, pools)
      planned.language = rng.chance(0.5) ? .zh : .en
      planned.alternatives = []
      let policy = TokenPolicy(name: "t\(i % 7)", secret: "s", scope: scope, showPersonal: rng.chance(0.5), ratePerMinute: 0)
      let answer = service.scopedRun(policy: policy, planned: planned, question: "plan \(i)")
      let (body, _) = service.encode(answer, policy: policy)
      guard let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else {
        XCTFail("plan \(i): the body is not JSON")
        continue
      }
      guard let rows = json["rows"] as? [[Any]], let columns = json["columns"] as? [String] else {
        refused += 1
        XCTAssertNotNil(json["error"], "plan \(i): neither rows nor an error")
        continue
      }
      answered += 1
      // Every block of the tree that ran carries the scope.
      for plan in answer.planned?.tree.blocks ?? [] {
        for p in scope {
          let fs = plan.filters.filter { $0.dimension == p.dimension }
          XCTAssertFalse(fs.isEmpty, "plan \(i): no filter on \(p.dimension) [\(key)]")
          for f in fs {
            XCTAssertFalse(f.negated, "plan \(i): negated filter on a scoped dimension")
            XCTAssertTrue(Set(f.values).isSubset(of: p.values), "plan \(i): \(f.values) not within \(p.values)")
          }
        }
      }
      for row in rows {
        rowsChecked += 1
        for (j, col) in columns.enumerated() where j < row.count {
          if col == "customer" {
            customerRowsChecked += 1
            guard let n = row[j] as? NSNumber, inScope.contains(n.int64Value) else {
              XCTFail("plan \(i) [\(key)]: customer \(row[j]) outside the scope: \(AnswerJSON.plan(planned.plan))")
              return
            }
          } else if let d = DimensionID(rawValue: col), let p = scope.first(where: { $0.dimension == d }) {
            scopedKeyCells += 1
            guard let v = row[j] as? String, p.values.contains(v) else {
              XCTFail("plan \(i) [\(key)]: \(col) = \(row[j]) outside the scope: \(AnswerJSON.plan(planned.plan))")
              return
            }
          }
        }
      }
    }
    report("random scoped plans: \(count) plans, \(answered) answered (\(rowsChecked) rows, \(customerRowsChecked) customer cells, \(scopedKeyCells) scoped group cells checked), \(refused) refused")
    XCTAssertGreaterThan(answered, count / 3)
    XCTAssertGreaterThan(customerRowsChecked, 1000)
    XCTAssertGreaterThan(scopedKeyCells, 100)
  }

  /// Customers a scope lets through, by SQL on the database.
  func inScopeCustomers(_ db: SQLiteDatabase, _ scope: [ScopePredicate]) throws -> Set<Int64> {
    func list(_ vs: [String]) -> String { vs.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" }.joined(separator: ",") }
    var conds: [String] = []
    for p in scope {
      if p.dimension == .channel {
        conds.append("id IN (SELECT customer_id FROM orders WHERE channel IN (\(list(p.values))))")
      } else {
        conds.append("\(p.dimension.rawValue) IN (\(list(p.values)))")
      }
    }
    let sql = "SELECT id FROM customers" + (conds.isEmpty ? "" : " WHERE " + conds.joined(separator: " AND "))
    return Set(try db.rows(sql).compactMap { row -> Int64? in
      if case .int(let i) = row[0] { return i }
      return nil
    })
  }

  func pick<T>(_ r: inout SplitMix64, _ a: [T]) -> T { a[r.below(a.count)] }

  func subset(_ r: inout SplitMix64, _ a: [String], max: Int) -> [String] {
    var out: [String] = []
    for _ in 0..<(1 + r.below(max)) {
      let v = pick(&r, a)
      if !out.contains(v) { out.append(v) }
    }
    return out
  }

  func randomScope(_ r: inout SplitMix64, _ pools: Pools) -> [ScopePredicate] {
    var dims: [DimensionID] = []
    for _ in 0..<(r.chance(0.6) ? 1 : 2) {
      let d = pick(&r, [DimensionID.region, .region, .city, .sourceChannel, .memberLevel, .gender, .channel, .channel])
      if !dims.contains(d) { dims.append(d) }
    }
    return dims.map { ScopePredicate($0, subset(&r, pools.values[$0]!, max: 3)) }
  }

  func period(_ r: inout SplitMix64, _ pools: Pools, _ today: Day) -> DateRange? {
    let d = pools.range.start + r.below(max(1, pools.range.dayCount))
    switch r.below(6) {
    case 0: return nil
    case 1: return DateRange(Day.firstOfMonth(index: d.monthIndex), Day.lastOfMonth(index: d.monthIndex))
    case 2: return DateRange(Day(year: d.year, month: 1, day: 1), Day(year: d.year, month: 12, day: 31))
    case 3: return DateRange(today - r.int(0...120), today)
    default: return DateRange(d, d + r.int(0...200))
    }
  }

  /// A block, or a share of a block in a wider whole, or a difference of two values of a dimension.
  func randomTree(_ r: inout SplitMix64, _ pools: Pools) -> LogicalPlan {
    var plan = randomPlan(&r, pools)
    switch r.below(10) {
    case 0, 1:
      plan.list = nil
      plan.cohort = nil
      var whole = plan
      whole.filters = Array(plan.filters.dropLast())
      if plan.filters.isEmpty { plan.filters = [Filter(.channel, [pick(&r, pools.values[.channel]!)])] }
      return .share(part: .aggregate(plan), whole: .aggregate(whole))
    case 2:
      let d = pick(&r, [DimensionID.region, .channel, .sourceChannel, .memberLevel])
      let vs = pools.values[d]!
      let a = pick(&r, vs), b = pick(&r, vs)
      guard a != b else { return .aggregate(plan) }
      plan.list = nil
      plan.cohort = nil
      plan.groupBy = [d]
      plan.timeGrain = nil
      plan.ranking = nil
      plan.filters.removeAll { $0.dimension == d }
      plan.filters.append(Filter(d, [a, b]))
      return .difference(dimension: d, a: a, b: b, input: .aggregate(plan))
    case 3:
      plan.list = nil
      plan.cohort = nil
      var new = plan, returning = plan
      new.customerPredicates = [.kind(.new)]
      returning.customerPredicates = [.kind(.returning)]
      return .stack(key: "customer_kind", parts: [StackPart(label: "新客", plan: .aggregate(new)), StackPart(label: "老客", plan: .aggregate(returning))])
    default:
      return .aggregate(plan)
    }
  }

  func randomPlan(_ r: inout SplitMix64, _ pools: Pools) -> Plan {
    var plan = Plan(today: ServerFixtures.today)
    let groupable: [DimensionID] = [.region, .city, .channel, .sourceChannel, .memberLevel, .gender, .ageBand, .category, .customer, .segment]
    let filterable: [DimensionID] = [.region, .city, .channel, .sourceChannel, .memberLevel, .gender, .ageBand, .category, .segment]
    // Filters: values inside and outside any scope, negated now and then.
    for _ in 0..<(r.chance(0.5) ? 0 : 1 + r.below(2)) {
      let d = pick(&r, filterable)
      var vs = subset(&r, pools.values[d]!, max: 3)
      if r.chance(0.1) { vs.append("不存在的值") }
      plan.filters.append(Filter(d, vs, negated: r.chance(0.15)))
    }
    if r.chance(0.1) {
      plan.customerPredicates = [r.chance(0.7) ? .kind(pick(&r, [CustomerSet.new, .returning, .repeatBuyers, .highRepurchase, .active, .churned]))
        : .age(min: r.int(18...40), max: r.chance(0.5) ? nil : r.int(41...70))]
    }
    if r.chance(0.1) { plan.orderPredicates = [OrderPredicate(pick(&r, [.gt, .le]), pick(&r, [100.0, 300, 800]))] }
    let kind = r.below(100)
    if kind < 8 {
      let start = pools.range.start + r.below(pools.range.dayCount)
      let range = DateRange(Day.firstOfMonth(index: start.monthIndex), Day.lastOfMonth(index: start.monthIndex + r.int(0...5)))
      plan.cohort = CohortSpec(cohorts: range, monthsAfter: r.chance(0.5) ? nil : r.int(0...6))
      plan.metrics = [.retention]
      plan.period = range
      return plan
    }
    if kind < 30 {
      plan.list = pick(&r, [CustomerSet.all, .buyers, .repeatBuyers, .highRepurchase, .new, .returning, .active, .atRisk, .churned, .churnRisk])
      if let m = MetricID.allCases.first(where: { $0.customerSet == plan.list }), r.chance(0.6) { plan.metrics = [m] }
      if plan.list != .churnRisk, r.chance(0.6) { plan.period = period(&r, pools, plan.today) }
      if r.chance(0.5) { plan.ranking = Ranking(limit: r.int(1...50), descending: r.chance(0.8)) }
      if r.chance(0.2) { plan.conditions = [CustomerCondition(.orders, .ge, Double(r.int(1...4)))] }
      return plan
    }
    let metrics = MetricID.allCases.filter { $0 != .retention }
    plan.metrics = [pick(&r, metrics)]
    if r.chance(0.3) {
      let m = pick(&r, metrics)
      if !plan.metrics.contains(m) { plan.metrics.append(m) }
    }
    plan.period = period(&r, pools, plan.today)
    let orderBasis = plan.metrics.allSatisfy { !$0.isFeedback && !$0.isState && !$0.isModel && $0 != .customers }
    for _ in 0..<(r.chance(0.3) ? 0 : 1 + r.below(2)) {
      let d = pick(&r, groupable)
      if (d != .channel || orderBasis) && !plan.groupBy.contains(d) { plan.groupBy.append(d) }
    }
    if plan.groupBy.contains(.customer) || r.chance(0.3), !plan.groupBy.isEmpty {
      plan.ranking = Ranking(limit: r.int(1...30), descending: r.chance(0.8))
    }
    if !plan.groupBy.contains(.customer), r.chance(0.2) { plan.timeGrain = pick(&r, [TimeUnit.month, .quarter, .year]) }
    if r.chance(0.15) { plan.share = true }
    if r.chance(0.1), orderBasis { plan.conditions = [CustomerCondition(.spend, .gt, pick(&r, [100.0, 500, 1000]))] }
    if r.chance(0.1) {
      let base = plan.period ?? DateRange(plan.today - 29, plan.today)
      plan.period = base
      plan.comparison = .yearOverYear
      plan.comparisonPeriod = TimeResolution.yearEarlier(base)
    }
    return plan
  }
}
