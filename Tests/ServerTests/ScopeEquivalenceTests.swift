// A scoped token's answers over HTTP equal the answers of an unscoped engine on a copy of
// retail_cn that holds only the scope's rows (built by SQLite, see ServerFixtures), for every
// public acceptance case on retail_cn, under three scopes: one region; two regions × one
// source channel; two order channels.
//
// The comparison rule: when the scoped server answers, the filtered copy must give the same
// columns and rows (numbers to 1e-9 relative). When the scoped server refuses, the refusal
// must be one of the scope's own (a value outside the scope, or figures that cannot be
// restricted to it: model predictions, RFM segments; with an order-channel scope also customer
// states, first purchases, retention, feedback and customer counts), or the question must be
// refused on the full data as well. Interpretations differ by design (the scope is named).

import Engine
import Foundation
import QueryModel
import Server
import TestSupport
import XCTest

final class ScopeEquivalenceTests: XCTestCase {
  static let scopes: [(String, [ScopePredicate])] = [
    ("east", [ScopePredicate(.region, ["华东"])]),
    ("north-south-stores", [ScopePredicate(.region, ["华北", "华南"]), ScopePredicate(.sourceChannel, ["门店"])]),
    ("live-miniapp", [ScopePredicate(.channel, ["直播", "小程序"])]),
  ]

  func testScopedAnswersEqualAnswersOnTheScopesSubset() async throws {
    let retail = try ServerFixtures.retailPath()
    let engine = try TestData.engine(retail, today: ServerFixtures.today)
    var config = ServerConfig()
    config.tokens = Self.scopes.map { TokenPolicy(name: $0.0, secret: "secret-\($0.0)", scope: $0.1, showPersonal: true, ratePerMinute: 0) }
    let server = try await RunningServer.start(try AskService(engine: engine, config: config, today: ServerFixtures.today))
    defer { server.stop() }
    let cases = try AcceptanceCase.load().filter { $0.db == "retail_cn" }
    XCTAssertGreaterThan(cases.count, 40)
    let client = try server.client()
    var lines: [String] = []
    for (name, scope) in Self.scopes {
      let subset = try TestData.engine(try ServerFixtures.filteredCopy(scope, name: name), today: ServerFixtures.today)
      var compared = 0, scopeRefusals = 0, bothRefused = 0
      for c in cases {
        let r = try client.ask(["question": c.question, "today": c.today], token: "secret-\(name)")
        XCTAssertEqual(r.status, 200, "\(c.id) \(name): \(r.body.prefix(300))")
        guard let scoped = r.json else { XCTFail("\(c.id) \(name): not JSON: \(r.body.prefix(200))"); continue }
        let day = Day(iso: c.today) ?? ServerFixtures.today
        let expected = try JSONSerialization.jsonObject(with: Data(AnswerJSON.encode(subset.ask(c.question, today: day)).utf8)) as! [String: Any]
        if let err = scoped["error"] as? [String: Any] {
          let msg = err["message"] as? String ?? ""
          if msg.contains("数据范围") || msg.contains("scope") {
            scopeRefusals += 1
            lines.append("  \(name) \(c.id) refused by the scope: \(c.question) — \(msg.prefix(60))")
          } else {
            XCTAssertFalse(engine.ask(c.question, today: day).ok, "\(c.id) \(name): refused although the full data answers: \(msg)")
            bothRefused += 1
          }
          continue
        }
        compared += 1
        XCTAssertNil(expected["error"], "\(c.id) \(name): the scope's subset refuses what the scoped token answered: \(c.question)")
        XCTAssertEqual(scoped["columns"] as? [String], expected["columns"] as? [String], "\(c.id) \(name) columns")
        let a = scoped["rows"] as? [[Any]] ?? [], b = expected["rows"] as? [[Any]] ?? []
        XCTAssertEqual(a.count, b.count, "\(c.id) \(name) \(c.question): \(a.count) rows vs \(b.count) on the subset")
        for (i, (x, y)) in zip(a, b).enumerated() where !Self.sameRow(x, y) {
          XCTFail("\(c.id) \(name) \(c.question) row \(i): \(x) vs \(y) on the subset")
          break
        }
      }
      lines.append("\(name) (\(scope.map(\.description).joined(separator: " AND "))): \(compared) compared equal, \(scopeRefusals) refused by the scope, \(bothRefused) refused on the full data too")
    }
    report("scope equivalence over \(cases.count) retail_cn cases:\n" + lines.joined(separator: "\n"))
  }

  static func sameRow(_ a: [Any], _ b: [Any]) -> Bool {
    guard a.count == b.count else { return false }
    for (x, y) in zip(a, b) {
      switch (x, y) {
      case (let p as NSNumber, let q as NSNumber):
        let u = p.doubleValue, v = q.doubleValue
        if abs(u - v) > 1e-9 * max(1, abs(u), abs(v)) { return false }
      case (let p as String, let q as String): if p != q { return false }
      case (is NSNull, is NSNull): continue
      default: return false
      }
    }
    return true
  }
}
