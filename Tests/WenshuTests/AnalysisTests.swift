// The deeper analyses (semantics.md "Baskets, paths, clusters and comment sentiment") against
// independent SQL on retail_cn: bought together at the customer and the order level (categories
// and products), funnel step counts over app_events; sentiment against the feedback scores; the
// question words; and refusals where the data lacks what an analysis needs (CDNOW).

import CubeSQLite
import Engine
import Execution
import Planning
import Prediction
import QueryModel
import TestSupport
import XCTest

final class AnalysisTests: XCTestCase {
  let today = Day(year: 2026, month: 11, day: 22)

  func retail() throws -> (Engine, SQLiteDatabase) {
    guard let path = TestData.shared("retail_cn") else { throw XCTSkip("../shared/data/retail_cn.sqlite not present") }
    return (try TestData.engine(path, today: today), try SQLiteDatabase(path: path))
  }

  func answer(_ e: Engine, _ q: String, file: StaticString = #filePath, line: UInt = #line) -> ResultTable? {
    let a = e.ask(q, today: today)
    XCTAssertNotNil(a.table, "\(q): \(a.refusal?.message ?? "")", file: file, line: line)
    return a.table
  }

  func num(_ v: Value) -> Double? {
    switch v {
    case .int(let x): return Double(x)
    case .double(let x): return x
    default: return nil
    }
  }

  // MARK: - Bought together

  /// The full ranking computed in SQL: (name, co-buyers, confidence, lift), ranked as the contract says.
  func boughtTogetherSQL(_ db: SQLiteDatabase, column: String, value: String, sameOrder: Bool, from: String, to: String, limit: Int) throws -> [[SQLValue]] {
    let unit = sameOrder ? "o.id" : "o.customer_id"
    let sql = """
      WITH ui AS (SELECT DISTINCT \(unit) AS u, i.\(column) AS v FROM order_items i JOIN orders o ON o.id = i.order_id
                  WHERE date(o.created_at) BETWEEN ?1 AND ?2 AND i.\(column) IS NOT NULL \(sameOrder ? "" : "AND o.customer_id IS NOT NULL")),
           total AS (SELECT count(DISTINCT u) AS n FROM ui),
           a AS (SELECT DISTINCT u FROM ui WHERE v = ?3),
           b AS (SELECT v, count(*) AS buyers FROM ui GROUP BY v),
           co AS (SELECT ui.v, count(*) AS co FROM ui JOIN a ON a.u = ui.u WHERE ui.v <> ?3 GROUP BY ui.v)
      SELECT co.v, co.co, co.co * 1.0 / (SELECT count(*) FROM a) AS conf,
             (co.co * 1.0 / (SELECT count(*) FROM a)) / (b.buyers * 1.0 / (SELECT n FROM total)) AS lift, b.buyers
      FROM co JOIN b ON b.v = co.v
      ORDER BY co.co DESC, lift DESC, co.v ASC LIMIT ?4
      """
    return try db.rows(sql, [.text(from), .text(to), .text(value), .int(Int64(limit))])
  }

  func assertAgrees(_ t: ResultTable?, _ rows: [[SQLValue]], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    guard let t else { return }
    XCTAssertEqual(t.rows.count, rows.count, "\(what): row count", file: file, line: line)
    for (x, y) in zip(t.rows, rows) {
      XCTAssertEqual(x[0], .string(y[0].string ?? ""), what, file: file, line: line)
      XCTAssertEqual(x[1], .int(Int64(y[1].double ?? -1)), "\(what) \(y[0].string ?? "") co-buyers", file: file, line: line)
      XCTAssertEqual(num(x[2]) ?? -1, y[2].double ?? -2, accuracy: 1e-12, "\(what) confidence", file: file, line: line)
      XCTAssertEqual(num(x[3]) ?? -1, y[3].double ?? -2, accuracy: 1e-9, "\(what) lift", file: file, line: line)
      XCTAssertEqual(x[4], .int(Int64(y[4].double ?? -1)), "\(what) buyers of B", file: file, line: line)
    }
  }

  func testBoughtTogetherAgreesWithSQL() throws {
    let (e, db) = try retail()
    var checked = 0
    for cat in ["母婴", "数码", "食品"] {
      let rows = try boughtTogetherSQL(db, column: "category", value: cat, sameOrder: false, from: "0000-01-01", to: "2026-11-22", limit: 10)
      assertAgrees(answer(e, "买\(cat)的客户还买什么"), rows, "customers \(cat)")
      let orderRows = try boughtTogetherSQL(db, column: "category", value: cat, sameOrder: true, from: "0000-01-01", to: "2026-11-22", limit: 10)
      assertAgrees(answer(e, "同一订单中和\(cat)一起买的品类"), orderRows, "orders \(cat)")
      let lastYear = try boughtTogetherSQL(db, column: "category", value: cat, sameOrder: false, from: "2025-01-01", to: "2025-12-31", limit: 10)
      assertAgrees(answer(e, "去年买\(cat)的客户还买什么"), lastYear, "2025 customers \(cat)")
      checked += rows.count + orderRows.count + lastYear.count
    }
    for product in ["保温杯", "咖啡豆"] {
      let rows = try boughtTogetherSQL(db, column: "product_name", value: product, sameOrder: false, from: "0000-01-01", to: "2026-11-22", limit: 5)
      assertAgrees(answer(e, "买了\(product)的客户还买了什么前5"), rows, "customers \(product)")
      let orderRows = try boughtTogetherSQL(db, column: "product_name", value: product, sameOrder: true, from: "0000-01-01", to: "2026-11-22", limit: 10)
      assertAgrees(answer(e, "和\(product)在同一订单一起买的商品"), orderRows, "orders \(product)")
      checked += rows.count + orderRows.count
    }
    print("bought together: \(checked) rows agree with SQL")
    XCTAssertGreaterThan(checked, 50)
  }

  func testBoughtTogetherWithCustomerFilter() throws {
    let (e, db) = try retail()
    let t = answer(e, "华东地区买母婴的客户还买什么")
    let sql = """
      WITH ui AS (SELECT DISTINCT o.customer_id AS u, i.category AS v FROM order_items i JOIN orders o ON o.id = i.order_id
                  JOIN customers c ON c.id = o.customer_id WHERE c.region = '华东'),
           a AS (SELECT DISTINCT u FROM ui WHERE v = '母婴')
      SELECT ui.v, count(*) FROM ui JOIN a ON a.u = ui.u WHERE ui.v <> '母婴' GROUP BY ui.v ORDER BY 2 DESC, 1
      """
    let rows = try db.rows(sql)
    XCTAssertEqual(t?.rows.map { $0[1] }.sorted { (num($0) ?? 0) > (num($1) ?? 0) }, rows.map { .int(Int64($0[1].double ?? 0)) })
  }

  // MARK: - Funnel

  func funnelSQL(_ db: SQLiteDatabase, steps: [String], from: String, to: String, region: String? = nil) throws -> [Int] {
    var ctes = ["e AS (SELECT a.customer_id AS c, a.event_time AS t, a.event_type AS s FROM app_events a "
      + (region != nil ? "JOIN customers cu ON cu.id = a.customer_id AND cu.region = '\(region!)' " : "")
      + "WHERE a.customer_id IS NOT NULL AND date(a.event_time) BETWEEN '\(from)' AND '\(to)')"]
    ctes.append("s0 AS (SELECT c, min(t) AS t FROM e WHERE s = '\(steps[0])' GROUP BY c)")
    for k in 1..<steps.count {
      ctes.append("s\(k) AS (SELECT e.c, min(e.t) AS t FROM e JOIN s\(k - 1) p ON p.c = e.c AND e.t >= p.t WHERE e.s = '\(steps[k])' GROUP BY e.c)")
    }
    let sel = (0..<steps.count).map { "(SELECT count(*) FROM s\($0))" }.joined(separator: ", ")
    let row = try db.rows("WITH " + ctes.joined(separator: ",\n") + " SELECT " + sel)[0]
    return row.map { Int($0.double ?? -1) }
  }

  func counts(_ t: ResultTable?, column: Int = 1) -> [Int] {
    t?.rows.map { if case .int(let v) = $0[column] { return Int(v) }; return -1 } ?? []
  }

  func testFunnelAgreesWithSQL() throws {
    let (e, db) = try retail()
    let all = ["浏览", "加购", "下单", "支付"]
    var checked = 0
    let cases: [(String, [String], String, String)] = [
      ("转化漏斗", all, "0000-01-01", "2026-11-22"),
      ("上月的转化漏斗", all, "2026-10-01", "2026-10-31"),
      ("2026年3月的漏斗", all, "2026-03-01", "2026-03-31"),
      ("最近7天的转化漏斗", all, "2026-11-16", "2026-11-22"),
      ("上月加购到支付的转化率", ["加购", "支付"], "2026-10-01", "2026-10-31"),
      ("上周浏览到下单的转化率", ["浏览", "下单"], "2026-11-09", "2026-11-15"),
    ]
    for (q, steps, from, to) in cases {
      let expected = try funnelSQL(db, steps: steps, from: from, to: to)
      let t = answer(e, q)
      XCTAssertEqual(counts(t), expected, q)
      XCTAssertEqual(t?.rows.map { $0[0] }, steps.map { .string($0) }, q)
      checked += expected.count
    }
    // By a customer attribute.
    let t = answer(e, "上月各地区的转化漏斗")
    for region in ["华东", "西北"] {
      let expected = try funnelSQL(db, steps: all, from: "2026-10-01", to: "2026-10-31", region: region)
      let got = t?.rows.filter { $0[0] == .string(region) }.map { row -> Int in if case .int(let v) = row[2] { return Int(v) }; return -1 }
      XCTAssertEqual(got, expected, region)
      checked += expected.count
    }
    print("funnel: \(checked) step counts agree with SQL")
  }

  func testFunnelConversions() throws {
    let (e, _) = try retail()
    guard let t = answer(e, "上月的转化漏斗") else { return }
    let c = counts(t)
    XCTAssertTrue(zip(c, c.dropFirst()).allSatisfy { $0 >= $1 }, "a funnel narrows: \(c)")
    for (i, row) in t.rows.enumerated() where i > 0 {
      XCTAssertEqual(num(row[2]) ?? -1, Double(c[i]) / Double(c[i - 1]), accuracy: 1e-12)
      XCTAssertEqual(num(row[3]) ?? -1, Double(c[i]) / Double(c[0]), accuracy: 1e-12)
    }
  }

  // MARK: - Sentiment

  func testSentimentRules() throws {
    let g = try TestData.engine(try retail().0.database.path, today: today).vocabulary.analysis.sentiment
    let cl = SentimentClassifier(g)
    XCTAssertEqual(cl.classify("质量不好"), .negative)
    XCTAssertEqual(cl.classify("没有破损，很满意"), .positive)
    XCTAssertEqual(cl.classify("包装不错，但是物流太慢"), .negative)
    XCTAssertEqual(cl.classify("物流慢，不过客服态度很好"), .positive)
    XCTAssertEqual(cl.classify("不太满意"), .negative)
    XCTAssertEqual(cl.classify("快递一般般"), .negative)
    XCTAssertEqual(cl.classify("收到了"), .mixed)
    XCTAssertEqual(cl.classify("good quality but slow delivery"), .negative)
    XCTAssertEqual(cl.classify("not bad"), .positive)
  }

  func testSentimentAgainstScores() throws {
    let (e, db) = try retail()
    let cl = SentimentClassifier(e.vocabulary.analysis.sentiment)
    var high = (n: 0, positive: 0), low = (n: 0, negative: 0, mixedPraising: 0)
    for row in try db.rows("SELECT nps, comment FROM feedback WHERE comment IS NOT NULL AND trim(comment) <> ''") {
      guard let s = row[0].double, let c = row[1].string else { continue }
      let p = cl.classify(c)
      if s >= 9 {
        high.n += 1
        if p == .positive { high.positive += 1 }
      } else if s <= 4 {
        low.n += 1
        if p == .negative { low.negative += 1 } else if p == .mixed, cl.score(c).positive > 0 { low.mixedPraising += 1 }
      }
    }
    let hi = Double(high.positive) / Double(high.n), lo = Double(low.negative + low.mixedPraising) / Double(low.n)
    print(String(format: "sentiment: score ≥ 9 positive %.1f%% (%d of %d); score ≤ 4 negative or mixed-with-praise %.1f%% (%d + %d of %d)",
                 hi * 100, high.positive, high.n, lo * 100, low.negative, low.mixedPraising, low.n))
    XCTAssertGreaterThanOrEqual(hi, 0.9)
    XCTAssertGreaterThanOrEqual(lo, 0.9)

    // 好评率 = positive / comments with text, by the same classifier.
    let total = high.n + low.n + (try db.rows("SELECT count(*) FROM feedback WHERE nps BETWEEN 5 AND 8 AND trim(comment) <> ''")[0][0].double.map { Int($0) } ?? 0)
    guard let t = answer(e, "好评率") else { return }
    XCTAssertEqual(t.rows[0][3], .int(Int64(total)))
    var positive = 0
    for row in try db.rows("SELECT comment FROM feedback WHERE trim(comment) <> ''") where cl.classify(row[0].string ?? "") == .positive { positive += 1 }
    XCTAssertEqual(num(t.rows[0][0]) ?? -1, Double(positive) / Double(total), accuracy: 1e-12)
  }

  // MARK: - Clusters

  func testKMeansRecoversSeparatedGroups() {
    var x: [Double] = []
    var rng = SplitMix64(seed: 7)
    for g in 0..<3 {
      for _ in 0..<200 {
        for d in 0..<3 { x.append(Double(g * 10 + d) + (Double(rng.next() % 1000) / 1000 - 0.5)) }
      }
    }
    let r = KMeans.fit(x, dims: 3, k: 3)
    for g in 0..<3 {
      let labels = Set(r.assignment[(g * 200)..<(g * 200 + 200)])
      XCTAssertEqual(labels.count, 1, "group \(g) split")
    }
    XCTAssertEqual(Set(r.assignment).count, 3)
    XCTAssertEqual(KMeans.fit(x, dims: 3, k: 3).wcss, r.wcss, "a fixed seed gives the same answer")
  }

  func testClustersAnswer() throws {
    let (e, db) = try retail()
    guard let t = answer(e, "把客户分成5类") else { return }
    XCTAssertEqual(t.rows.count, 5)
    let buyers = Int(try db.rows("SELECT count(DISTINCT customer_id) FROM orders WHERE customer_id IS NOT NULL")[0][0].double ?? 0)
    XCTAssertEqual(t.rows.reduce(0) { s, r in if case .int(let v) = r[2] { return s + Int(v) }; return s }, buyers)
    XCTAssertEqual(answer(e, "客户聚类")?.rows.count, 4)
  }

  // MARK: - The compiled SQL agrees with the executor

  func assertCompiledAgrees(_ e: Engine, _ db: SQLiteDatabase, _ q: String, today: Day, file: StaticString = #filePath, line: UInt = #line) throws -> Int {
    let (planned, refusal, _, _) = e.plan(q, today: today)
    guard let planned else { XCTFail("\(q): \(refusal?.message ?? "")", file: file, line: line); return 0 }
    let table = try e.executor.run(planned.plan, language: planned.language)
    guard case .success(let sql) = e.sql(for: planned.plan, language: planned.language) else {
      XCTFail("\(q): no SQL", file: file, line: line); return 0
    }
    let rows = try db.rows(sql)
    XCTAssertEqual(table.rows.count, rows.count, "\(q): rows", file: file, line: line)
    for (x, y) in zip(table.rows, rows) {
      XCTAssertEqual(x.count, y.count, q, file: file, line: line)
      for (a, b) in zip(x, y) {
        switch (a, b) {
        case (.string(let s), _): XCTAssertEqual(s, b.string, q, file: file, line: line)
        case (.null, _): XCTAssertEqual(b, .null, q, file: file, line: line)
        default: XCTAssertEqual(num(a) ?? .nan, b.double ?? .nan, accuracy: 1e-9, "\(q) \(x)", file: file, line: line)
        }
      }
    }
    return rows.count
  }

  func testCompiledSQLAgreesWithExecutor() throws {
    let (e, db) = try retail()
    var n = 0
    for q in ["买母婴的客户还买什么", "同一订单中和数码一起买的品类", "去年买了保温杯的客户还买了什么", "和咖啡豆在同一订单一起买的商品",
              "金卡会员买母婴的客户还买什么", "转化漏斗", "上月的转化漏斗", "上月加购到支付的转化率", "上月各地区的转化漏斗",
              "今年按会员等级的转化漏斗", "华东客户上周的转化漏斗"] {
      n += try assertCompiledAgrees(e, db, q, today: today)
    }
    // The demo database (its clickstream is derived from its orders).
    let demo = try TestData.demoPath()
    let de = try TestData.engine(demo)
    let ddb = try SQLiteDatabase(path: demo)
    for q in ["上月的转化漏斗", "今年各地区的转化漏斗", "买美妆的客户还买什么"] {
      n += try assertCompiledAgrees(de, ddb, q, today: TestData.demoToday)
    }
    print("analysis SQL: \(n) rows agree with the executor")
    for q in ["客户聚类", "好评率"] {
      guard let p = e.plan(q, today: today).0 else { XCTFail(q); continue }
      guard case .failure(let r) = e.sql(for: p.plan, language: p.language) else { XCTFail("\(q) should have no SQL"); continue }
      XCTAssertTrue(r.message.contains("SQL"), r.message)
    }
  }

  // MARK: - Refusals

  func testRefusalsWhereDataLacks() throws {
    guard let path = TestData.shared("cdnow") else { throw XCTSkip("cdnow not present") }
    let e = try TestData.engine(path, today: Day(year: 1998, month: 7, day: 1))
    for q in ["买母婴的客户还买什么", "转化漏斗", "好评率", "customers who bought rock also bought"] {
      let a = e.ask(q, today: Day(year: 1998, month: 7, day: 1))
      XCTAssertNil(a.table, q)
      XCTAssertFalse(a.refusal?.message.isEmpty ?? true, q)
    }
    XCTAssertNotNil(e.ask("cluster customers into 3 groups", today: Day(year: 1998, month: 7, day: 1)).table)
  }
}

extension AnalysisTests {
  func testFollowUps() throws {
    let (e, _) = try retail()
    var c: Conversation? = Conversation()
    let first = e.ask("买母婴的客户还买什么", today: today, conversation: &c)
    XCTAssertNotNil(first.table)
    let next = e.ask("那买数码的呢", today: today, conversation: &c)
    XCTAssertEqual(next.planned?.plan.analysis?.anchor?.values, ["数码"], next.refusal?.message ?? "")
    let order = e.ask("那同一订单呢", today: today, conversation: &c)
    XCTAssertEqual(order.planned?.plan.analysis?.sameOrder, true, order.refusal?.message ?? "")
    XCTAssertEqual(order.planned?.plan.analysis?.anchor?.values, ["数码"])
    let month = e.ask("换成上月", today: today, conversation: &c)
    XCTAssertEqual(month.planned?.plan.period, DateRange(Day(year: 2026, month: 10, day: 1), Day(year: 2026, month: 10, day: 31)))
    XCTAssertEqual(month.planned?.plan.analysis?.kind, .boughtTogether)
    let sales = e.ask("那销售额呢", today: today, conversation: &c)
    XCTAssertNil(sales.planned?.plan.analysis, "a follow-up naming a figure leaves the analysis")
    XCTAssertNotNil(e.ask("同一订单的销售额", today: today).refusal, "同一订单 alone must not be dropped")
  }
}
