// `wenshu explain --tokens`: each token with what it was read as and the grammar rule that
// matched it, as file:line — checked against the grammar files themselves.

import Foundation
import TestSupport
import XCTest

final class ExplainTokensTests: XCTestCase {
  /// The text of line `n` (1-based) of a file under grammars/.
  func grammarLine(_ location: String) throws -> String {
    let parts = location.split(separator: ":")
    let file = TestData.grammars.appendingPathComponent(String(parts[0]))
    let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
    let n = Int(parts[1])!
    return String(lines[n - 1])
  }

  /// The `(file:line)` at the end of a listing line.
  func location(_ line: String) -> String? {
    guard line.hasSuffix(")"), let open = line.range(of: " (", options: .backwards) else { return nil }
    return String(line[open.upperBound..<line.index(before: line.endIndex)])
  }

  func testTokensNameWhatTheyWereReadAsAndTheirRule() throws {
    let db = try Interface.retail()
    let r = try Interface.run(["explain", "--tokens", "--db", db, "--today", "2026-11-22", "去年双11华东的销售额 xyz"])
    let lines = r.out.split(separator: "\n").map(String.init)
    func line(_ token: String) throws -> String {
      try XCTUnwrap(lines.first { $0.hasPrefix(token + " ") }, "no line for “\(token)” in:\n\(r.out)\n\(r.stderr)")
    }
    let time = try line("去年双11")
    XCTAssertTrue(time.contains("time 去年双十一 = 2025-11-11"), time)
    XCTAssertTrue(time.contains("time festival 11 11 (time/zh.rules:"), time)
    XCTAssertTrue(try grammarLine(XCTUnwrap(location(time))).hasPrefix("time festival 11 11:"), time)

    let metric = try line("销售额")
    XCTAssertTrue(metric.contains("metric sales"), metric)
    XCTAssertTrue(try grammarLine(XCTUnwrap(location(metric))).hasPrefix("metric sales:"), metric)

    let value = try line("华东")
    XCTAssertTrue(value.contains("value region = 华东"), value)
    XCTAssertTrue(value.contains("data region"), value)

    let filler = try line("的")
    XCTAssertTrue(try grammarLine(XCTUnwrap(location(filler))).hasPrefix("filler "), filler)

    let unknown = try line("xyz")
    XCTAssertTrue(unknown.contains("not understood"), unknown)
    // No Swift debug text.
    XCTAssertFalse(r.out.contains("Kind") || r.out.contains("unitOffset") || r.out.contains("festival(year:"), r.out)
  }
}
