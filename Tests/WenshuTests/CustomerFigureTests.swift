// Every customer figure checked against an independent computation: hand-written SQL on the
// shared databases through SQLite, following semantics.md (states, churn rate, new and
// returning customers, repeat purchase, RFM segments, cohort retention, NPS, topics).

import CubeSQLite
import Engine
import QueryModel
import TestSupport
import XCTest

final class CustomerFigureTests: XCTestCase {
  func engineAndDB(_ name: String, today: String) throws -> (Engine, SQLiteDatabase, Day) {
    guard let path = TestData.shared(name) else { throw XCTSkip("../shared/data not present") }
    let day = Day(iso: today)!
    return (try TestData.engine(path, today: day), try SQLiteDatabase(path: path), day)
  }

  func figure(_ e: Engine, _ q: String, _ today: Day, column: Int = -1) throws -> Double {
    let a = e.ask(q, today: today)
    let t = try XCTUnwrap(a.table, "\(q): \(a.refusal?.message ?? "")")
    let row = try XCTUnwrap(t.rows.first)
    let idx = column >= 0 ? column : t.columns.firstIndex { !$0.isKey } ?? 0
    return try XCTUnwrap(row[idx].doubleValue, "\(q) gave no number")
  }

  func sql(_ db: SQLiteDatabase, _ q: String) throws -> Double {
    try XCTUnwrap(try db.rows(q).first?.first?.double, q)
  }

  /// Last order day per customer as of today, in SQL.
  let lastOrders = """
    WITH last AS (SELECT customer_id AS c, julianday('2026-11-22') - julianday(max(date(created_at))) AS days
                  FROM orders WHERE date(created_at) <= '2026-11-22' AND customer_id IS NOT NULL GROUP BY customer_id)
    """

  func testStatesOnRetail() throws {
    let (e, db, today) = try engineAndDB("retail_cn", today: "2026-11-22")
    XCTAssertEqual(try figure(e, "活跃客户数", today), try sql(db, lastOrders + " SELECT count(*) FROM last WHERE days <= 89"))
    XCTAssertEqual(try figure(e, "沉睡客户有多少", today), try sql(db, lastOrders + " SELECT count(*) FROM last WHERE days BETWEEN 90 AND 179"))
    XCTAssertEqual(try figure(e, "流失客户有多少", today), try sql(db, lastOrders + " SELECT count(*) FROM last WHERE days >= 180"))
    XCTAssertEqual(try figure(e, "流失率", today),
                   try sql(db, lastOrders + " SELECT 1.0 * sum(days >= 180) / count(*) FROM last"), accuracy: 1e-12)
  }

  func testNewReturningRepeatOnRetail() throws {
    let (e, db, today) = try engineAndDB("retail_cn", today: "2026-11-22")
    let firsts = "WITH f AS (SELECT customer_id AS c, min(date(created_at)) AS d FROM orders WHERE customer_id IS NOT NULL GROUP BY customer_id)"
    XCTAssertEqual(try figure(e, "最近30天新客户有多少", today), try sql(db, firsts + " SELECT count(*) FROM f WHERE d BETWEEN '2026-10-24' AND '2026-11-22'"))
    XCTAssertEqual(try figure(e, "上月老客数", today), try sql(db, firsts + """
       SELECT count(DISTINCT o.customer_id) FROM orders o JOIN f ON f.c = o.customer_id
       WHERE date(o.created_at) BETWEEN '2026-10-01' AND '2026-10-31' AND f.d < '2026-10-01'
      """))
    let perCustomer = "WITH p AS (SELECT customer_id, count(*) AS n FROM orders WHERE date(created_at) BETWEEN '2026-10-01' AND '2026-10-31' AND customer_id IS NOT NULL GROUP BY customer_id)"
    XCTAssertEqual(try figure(e, "上月复购率", today), try sql(db, perCustomer + " SELECT 1.0 * sum(n >= 2) / count(*) FROM p"), accuracy: 1e-12)
    XCTAssertEqual(try figure(e, "上月高复购客户有多少", today), try sql(db, perCustomer + " SELECT sum(n >= 3) FROM p"))
    XCTAssertEqual(try figure(e, "今年下单至少3次的客户有多少", today), try sql(db, """
      SELECT count(*) FROM (SELECT customer_id FROM orders WHERE date(created_at) BETWEEN '2026-01-01' AND '2026-11-22'
      AND customer_id IS NOT NULL GROUP BY customer_id HAVING count(*) >= 3)
      """))
  }

  func testRFMSegmentsOnRetail() throws {
    let (e, db, today) = try engineAndDB("retail_cn", today: "2026-11-22")
    let segments = """
      WITH c AS (SELECT customer_id AS id, julianday('2026-11-22') - julianday(max(date(created_at))) AS r, count(*) AS f,
                        sum(coalesce(total_amount, 0)) AS m
                 FROM orders WHERE customer_id IS NOT NULL AND date(created_at) <= '2026-11-22' GROUP BY customer_id),
      mean AS (SELECT avg(r) AS r, avg(f) AS f, avg(m) AS m FROM c)
      SELECT (c.r < mean.r) || (c.f > mean.f) || (c.m > mean.m) AS k, count(*) FROM c, mean GROUP BY k
      """
    var expected: [String: Double] = [:]
    let names = ["111": "重要价值客户", "101": "重要发展客户", "011": "重要保持客户", "001": "重要挽留客户",
                 "110": "一般价值客户", "100": "一般发展客户", "010": "一般保持客户", "000": "一般挽留客户"]
    for row in try db.rows(segments) { expected[names[row[0].string ?? ""] ?? "?"] = row[1].double }
    let t = try XCTUnwrap(e.ask("RFM各分群的客户数", today: today).table)
    var got: [String: Double] = [:]
    for r in t.rows { if case .string(let s) = r[0] { got[s] = r[1].doubleValue } }
    XCTAssertEqual(got, expected)
    XCTAssertEqual(try figure(e, "重要价值客户有多少", today), expected["重要价值客户"])
  }

  func testCohortRetentionOnRetail() throws {
    let (e, db, today) = try engineAndDB("retail_cn", today: "2026-11-22")
    let cohort = """
      WITH f AS (SELECT customer_id AS c, min(strftime('%Y-%m', created_at)) AS m FROM orders WHERE customer_id IS NOT NULL GROUP BY customer_id)
      SELECT 1.0 * count(DISTINCT CASE WHEN strftime('%Y-%m', o.created_at) = '2025-02' THEN o.customer_id END)
             / (SELECT count(*) FROM f WHERE m = '2025-01')
      FROM orders o JOIN f ON f.c = o.customer_id WHERE f.m = '2025-01'
      """
    XCTAssertEqual(try figure(e, "2025年1月首购客户的次月留存率", today, column: 1), try sql(db, cohort), accuracy: 1e-12)
  }

  func testFeedbackOnRetail() throws {
    let (e, db, today) = try engineAndDB("retail_cn", today: "2026-11-22")
    XCTAssertEqual(try figure(e, "今年的NPS是多少", today), try sql(db, """
      SELECT 100.0 * (sum(nps >= 9) - sum(nps <= 6)) / count(*) FROM feedback WHERE date(created_at) BETWEEN '2026-01-01' AND '2026-11-22'
      """), accuracy: 1e-9)
    XCTAssertEqual(try figure(e, "今年满意度", today), try sql(db, """
      SELECT avg(nps) FROM feedback WHERE date(created_at) BETWEEN '2026-01-01' AND '2026-11-22'
      """), accuracy: 1e-9)
    XCTAssertEqual(try figure(e, "关于物流的差评有多少", today), try sql(db, """
      SELECT count(*) FROM feedback WHERE nps <= 6 AND (comment LIKE '%物流慢%' OR comment LIKE '%发货慢%' OR comment LIKE '%配送慢%'
        OR comment LIKE '%快递慢%' OR comment LIKE '%送货慢%' OR comment LIKE '%物流太慢%' OR comment LIKE '%到货慢%')
      """))
  }

  func testCdnowWithoutCustomerTable() throws {
    let (e, db, today) = try engineAndDB("cdnow", today: "1998-07-01")
    XCTAssertEqual(try figure(e, "1997年第一季度有多少新客户", today), try sql(db, "SELECT count(DISTINCT cust_id) FROM purchases"))
    XCTAssertEqual(try figure(e, "churn rate", today), try sql(db, """
      SELECT 1.0 * sum(julianday('1998-07-01') - julianday(l) >= 180) / count(*) FROM (SELECT max(txn_date) AS l FROM purchases GROUP BY cust_id)
      """), accuracy: 1e-12)
    XCTAssertEqual(try figure(e, "复购率", today), try sql(db, """
      SELECT 1.0 * sum(n >= 2) / count(*) FROM (SELECT count(*) AS n FROM purchases GROUP BY cust_id)
      """), accuracy: 1e-12)
    let refusal = e.ask("今年的NPS是多少", today: today).refusal
    XCTAssertTrue(refusal?.message.contains("feedback") ?? false || refusal?.message.contains("评价") ?? false, "\(String(describing: refusal))")
    XCTAssertNotNil(e.ask("各地区的销售额", today: today).refusal, "no region on CDNOW")
  }
}
