// End-to-end tests of the bot pipe (`wenshu serve --stdio`, and `wenshu` with stdin not a
// terminal): exactly one JSON object per input line, in order, for a stream of a few hundred
// mixed lines (questions, refusals, follow-ups, request objects with ids, blank lines, a 1 MB
// line, invalid UTF-8, malformed JSON).

import Foundation
import TestSupport
import XCTest

final class InterfacePipeTests: XCTestCase {
  /// What one input line must produce.
  private enum Expect {
    case answer(id: String?)
    case refusal(id: String?)
    /// Answered, and the plan filters region to the value (a follow-up).
    case followUp(region: String)
    /// Either (a question whose outcome this test does not pin down).
    case any(id: String?)
  }

  private struct Stream {
    var bytes = Data()
    var expected: [Expect] = []
    mutating func line(_ s: String, _ e: Expect) { raw(Data(s.utf8), e) }
    mutating func raw(_ d: Data, _ e: Expect) {
      bytes.append(d)
      bytes.append(0x0A)
      expected.append(e)
    }
  }

  private func mixedStream() -> Stream {
    var s = Stream()
    let good = [
      "上月销售额", "上月各地区的复购率", "sales last month", "top 10 customers by spend", "流失率", "今年每月的新客数",
      "RFM各分群的客户数", "上月差评的主要问题", "NPS this year", "本月客单价", "上周各渠道的销售额", "churn rate by region",
    ]
    let bad = ["上月的天气怎么样", "asdf qwer", "今年各星座的销售额", "the price of tea in China", "？？？"]
    for round in 0..<10 {
      for (i, q) in good.enumerated() {
        if i % 3 == 0 {
          s.line("{\"id\": \(round * 100 + i), \"question\": \(quoted(q))}", .answer(id: String(round * 100 + i)))
        } else if i % 3 == 1 {
          s.line("{\"id\":\"r\(round)-\(i)\",\"question\":\(quoted(q)),\"today\":\"2026-11-22\"}", .answer(id: "r\(round)-\(i)"))
        } else {
          s.line(q, .answer(id: nil))
        }
      }
      s.line("", .refusal(id: nil))
      s.line(bad[round % bad.count], .refusal(id: nil))
      s.line("上月各地区的复购率", .answer(id: nil))
      s.line(round % 2 == 0 ? "那华东呢" : "那华南呢", .followUp(region: round % 2 == 0 ? "华东" : "华南"))
      s.line("{\"id\":\"f\(round)\",\"question\":\"那西北呢\"}", .followUp(region: "西北"))
      s.line("{not json", .refusal(id: nil))
      s.line("{\"id\": \"x\(round)\"}", .refusal(id: "x\(round)"))
      s.line("{\"id\": \"t\(round)\", \"question\": \"上月销售额\", \"today\": \"yesterday\"}", .refusal(id: "t\(round)"))
      s.raw(Data([0xE4, 0xB8, 0x8A, 0xFF, 0xFE, 0x80]) + Data("月销售额".utf8), .any(id: nil))
      s.line("   ", .refusal(id: nil))
      s.raw(Data("上月销售额\r".utf8), .answer(id: nil))
    }
    // A 1 MB line, a 1 MB question inside a request, an id that is neither string nor number.
    s.line(String(repeating: "销售额", count: 120_000), .refusal(id: nil))
    s.line("{\"id\": 42, \"question\": \"\(String(repeating: "a", count: 1_048_576))\"}", .refusal(id: "42"))
    s.line("{\"id\": [1], \"question\": \"上月销售额\"}", .refusal(id: nil))
    s.line("{\"id\": 7.5, \"question\": \"上月销售额\"}", .answer(id: "7.5"))
    s.line("[\"上月销售额\"]", .any(id: nil))
    s.line("上月销售额", .answer(id: nil))
    // The last line has no \n: it still counts.
    s.bytes.append(Data("上月订单数".utf8))
    s.expected.append(.answer(id: nil))
    return s
  }

  private func quoted(_ s: String) -> String {
    "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
  }

  private func check(_ objects: [[String: Any]], _ expected: [Expect]) {
    XCTAssertEqual(objects.count, expected.count, "one JSON object per input line")
    for (i, (o, e)) in zip(objects, expected).enumerated() {
      let answered = o["rows"] != nil && o["error"] == nil
      let refused = o["error"] != nil && o["rows"] == nil
      let id = o["id"].map { "\($0)" }
      switch e {
      case .answer(let want):
        XCTAssertTrue(answered, "line \(i + 1) should be answered: \(String(describing: o["error"]))")
        XCTAssertEqual(id, want, "line \(i + 1): id")
      case .refusal(let want):
        XCTAssertTrue(refused, "line \(i + 1) should be refused")
        XCTAssertEqual(id, want, "line \(i + 1): id")
      case .any(let want):
        XCTAssertTrue(answered || refused, "line \(i + 1) is an answer or an error")
        XCTAssertEqual(id, want, "line \(i + 1): id")
      case .followUp(let region):
        XCTAssertTrue(answered, "line \(i + 1): follow-up answered")
        let plan = o["plan"] as? [String: Any]
        let filters = plan?["filters"] as? [[String: Any]] ?? []
        XCTAssertEqual(filters.first?["values"] as? [String], [region], "line \(i + 1): follow-up filter")
        XCTAssertEqual(plan?["metrics"] as? [String], ["repeat_purchase_rate"], "line \(i + 1): follow-up keeps the metric")
      }
    }
  }

  func testMixedStreamGetsOneJSONLinePerInputLine() throws {
    let db = try Interface.retail()
    let s = mixedStream()
    XCTAssertGreaterThanOrEqual(s.expected.count, 200)
    let r = try Interface.run(["serve", "--stdio", "--db", db, "--today", "2026-11-22"], stdin: s.bytes)
    XCTAssertEqual(r.status, 0, r.stderr)
    check(Interface.jsonLines(r.stdout), s.expected)
  }

  func testPipedReplBehavesLikeServe() throws {
    let db = try Interface.retail()
    let s = mixedStream()
    let serve = try Interface.run(["serve", "--stdio", "--db", db, "--today", "2026-11-22"], stdin: s.bytes)
    let repl = try Interface.run(["--db", db, "--today", "2026-11-22"], stdin: s.bytes)
    let explicit = try Interface.run(["repl", "--db", db, "--today", "2026-11-22"], stdin: s.bytes)
    XCTAssertEqual(repl.status, 0, repl.stderr)
    XCTAssertTrue(repl.stdout == serve.stdout, "`wenshu` with piped stdin answers exactly as `serve --stdio`")
    XCTAssertTrue(explicit.stdout == serve.stdout, "`wenshu repl` with piped stdin answers exactly as `serve --stdio`")
  }

  func testInvalidUTF8IsDecodedWithReplacementNotDropped() throws {
    let db = try Interface.retail()
    var input = Data([0xFF, 0xFE, 0x0A])
    input.append(Data("上月销售额\n".utf8))
    let r = try Interface.run(["serve", "--stdio", "--db", db, "--today", "2026-11-22"], stdin: input)
    let objects = Interface.jsonLines(r.stdout)
    XCTAssertEqual(objects.count, 2)
    XCTAssertEqual(objects.first?["question"] as? String, "\u{FFFD}\u{FFFD}")
    XCTAssertNotNil(objects.last?["rows"])
  }

  func testEmptyInputGivesNoOutput() throws {
    let r = try Interface.run(["serve", "--stdio", "--db", try Interface.retail()], stdin: Data())
    XCTAssertEqual(r.status, 0)
    XCTAssertTrue(r.stdout.isEmpty)
  }

  /// Answers arrive while the stream is still open (each one is flushed).
  func testEachAnswerIsFlushedAtOnce() throws {
    let db = try Interface.retail()
    let p = Process()
    p.executableURL = URL(fileURLWithPath: try Interface.binary())
    p.arguments = ["serve", "--stdio", "--db", db, "--today", "2026-11-22"]
    p.currentDirectoryURL = TestData.packageRoot
    let inp = Pipe(), out = Pipe()
    p.standardInput = inp
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    try p.run()
    defer {
      try? inp.fileHandleForWriting.close()
      p.waitUntilExit()
    }
    for q in ["上月销售额", "那华东呢"] {
      inp.fileHandleForWriting.write(Data((q + "\n").utf8))
      var line = Data()
      while !line.contains(0x0A) {
        let chunk = out.fileHandleForReading.availableData
        if chunk.isEmpty { break }
        line.append(chunk)
      }
      let o = Interface.jsonLines(line)
      XCTAssertEqual(o.count, 1)
      XCTAssertEqual(o.first?["question"] as? String, q)
    }
  }
}
