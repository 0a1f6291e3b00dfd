// Whole lists: a list of 294 customers (2025年6月线上商城来源的客户, retail database) is cut at
// 50 rows on screen with a note saying how many there are and how to see them all, is whole
// in CSV and JSON, and is cut at N with --limit N everywhere; --all shows it whole on screen;
// the pipe's "limit" field and `run --limit` do the same. Screen and CSV forms are golden
// files under examples/expected/.

import Foundation
import TestSupport
import XCTest

final class WholeListTests: XCTestCase {
  private let question = "2025年6月线上商城来源的客户有哪些"

  private func ask(_ extra: [String]) throws -> Interface.Result {
    let r = try Interface.run(["ask", "--db", try Interface.retail(), "--today", "2026-11-22"] + extra + [question])
    XCTAssertEqual(r.status, 0, r.stderr)
    return r
  }

  private func tableRows(_ screen: String) -> [Substring] {
    screen.split(separator: "\n").filter { $0.hasPrefix("│ ") && !$0.hasPrefix("│ 客户") }
  }

  func testScreenCutsAtFiftyWithAHint() throws {
    let r = try ask([])
    try Interface.assertGolden(r.out, "list294.retail_cn.txt")
    XCTAssertEqual(tableRows(r.out).count, 50)
    XCTAssertTrue(r.out.hasSuffix("… 还有 244 行（共 294 行）；用 --limit N 或 --all 查看全部\n"), r.out)
  }

  func testCSVAndJSONHoldEveryRow() throws {
    let csv = try ask(["--format", "csv"])
    try Interface.assertGolden(csv.out, "list294.retail_cn.csv")
    let records = csv.out.split(separator: "\n")
    XCTAssertEqual(records.count, 295, "a header and 294 records")
    XCTAssertEqual(records.first, "客户,姓名,订单数,消费金额,最后下单日（全部时间）")
    let json = try ask(["--format", "json"])
    let o = try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any] ?? [:]
    XCTAssertEqual((o["rows"] as? [Any])?.count, 294)
    XCTAssertNil(o["rows_total"], "nothing was cut")
  }

  func testLimitCutsEveryFormat() throws {
    let screen = try ask(["--limit", "10"])
    try Interface.assertGolden(screen.out, "list294.limit10.retail_cn.txt")
    XCTAssertEqual(tableRows(screen.out).count, 10)
    XCTAssertTrue(screen.out.contains("… 还有 284 行（共 294 行）"), screen.out)
    let csv = try ask(["--format", "csv", "--limit", "10"])
    let records = csv.out.split(separator: "\n")
    XCTAssertEqual(records.count, 12, "a header, 10 records and a note")
    XCTAssertEqual(records.last, "# 只列出前 10 行（共 294 行）")
    let json = try ask(["--format", "json", "--limit", "10"])
    let o = try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any] ?? [:]
    XCTAssertEqual((o["rows"] as? [Any])?.count, 10)
    XCTAssertEqual(o["rows_total"] as? Int, 294)
    let all = try ask(["--all"])
    XCTAssertEqual(tableRows(all.out).count, 294)
    XCTAssertFalse(all.out.contains("还有"), all.out)
  }

  func testBadLimitsAreClearErrors() throws {
    let db = try Interface.retail()
    let zero = try Interface.run(["ask", "--db", db, "--limit", "0", question])
    XCTAssertNotEqual(zero.status, 0)
    XCTAssertTrue(zero.stderr.contains("--limit must be a positive whole number"), zero.stderr)
    let both = try Interface.run(["ask", "--db", db, "--limit", "5", "--all", question])
    XCTAssertTrue(both.stderr.contains("--limit and --all cannot be used together"), both.stderr)
  }

  func testPipeLimit() throws {
    let db = try Interface.retail()
    let input = """
      {"id": 1, "question": "\(question)", "today": "2026-11-22", "limit": 3}
      {"id": 2, "question": "\(question)", "today": "2026-11-22"}
      {"id": 3, "question": "\(question)", "limit": 0}
      {"id": 4, "question": "\(question)", "limit": "ten"}

      """
    let r = try Interface.run(["serve", "--stdio", "--db", db, "--today", "2026-11-22"], stdin: Data(input.utf8))
    let objects = Interface.jsonLines(r.stdout)
    XCTAssertEqual(objects.count, 4)
    guard objects.count == 4 else { return }
    XCTAssertEqual((objects[0]["rows"] as? [Any])?.count, 3)
    XCTAssertEqual(objects[0]["rows_total"] as? Int, 294)
    XCTAssertEqual((objects[1]["rows"] as? [Any])?.count, 294)
    for o in objects[2...] {
      let message = (o["error"] as? [String: Any])?["message"] as? String ?? ""
      XCTAssertEqual(message, "\"limit\" must be a positive whole number", "\(o)")
    }
  }

  func testRunLimit() throws {
    let r = try Interface.run(
      ["run", "--db", try Interface.retail(), "--today", "2026-11-22", "--limit", "5", "-"], stdin: Data((question + "\n").utf8))
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(tableRows(r.out).count, 5)
    XCTAssertTrue(r.out.contains("… 还有 289 行（共 294 行）；用 --limit N 或 --all 查看全部"), r.out)
  }
}
