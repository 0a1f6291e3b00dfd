// The question corpora beside the rules (grammars/questions/{zh,en}.corpus): each block has a
// fixed @today and lines `phrasing | phrasing => expected plan` (or `=> refuse`). Every
// phrasing must plan to exactly the expected one-line plan, on the generated demo data.

import Engine
import QueryModel
import TestSupport
import XCTest

final class QuestionCorpusTests: XCTestCase {
  struct Example {
    var phrase: String
    var expected: String
    var today: Day
    var line: Int
  }

  static func load(_ lang: String) throws -> [Example] {
    let url = TestData.grammars.appendingPathComponent("questions/\(lang).corpus")
    let text = try String(contentsOf: url, encoding: .utf8)
    var today = TestData.demoToday
    var out: [Example] = []
    for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.isEmpty || line.hasPrefix("#") { continue }
      if line.hasPrefix("@today") {
        today = Day(iso: line.dropFirst(6).trimmingCharacters(in: .whitespaces)) ?? today
        continue
      }
      guard let arrow = line.range(of: "=>") else {
        XCTFail("\(lang).corpus:\(i + 1): no `=>` in “\(line)”")
        continue
      }
      let expected = line[arrow.upperBound...].trimmingCharacters(in: .whitespaces)
      for p in line[..<arrow.lowerBound].split(separator: "|") {
        out.append(Example(phrase: p.trimmingCharacters(in: .whitespaces), expected: expected, today: today, line: i + 1))
      }
    }
    return out
  }

  func check(_ lang: String) throws {
    let engine = try TestData.engine(try TestData.demoPath())
    let examples = try Self.load(lang)
    XCTAssertGreaterThan(examples.count, 50, "the \(lang) corpus is too small")
    var failures: [String] = []
    for e in examples {
      let (planned, refusal, _, _) = engine.plan(e.phrase, today: e.today)
      let got = planned.map { $0.tree.line } ?? "refuse"
      if got != e.expected {
        failures.append("\(lang).corpus:\(e.line): “\(e.phrase)”\n    expected: \(e.expected)\n    got:      \(got)\(refusal.map { " (\($0.message))" } ?? "")")
      }
    }
    if !failures.isEmpty {
      XCTFail("\(failures.count) of \(examples.count) \(lang) examples differ:\n" + failures.joined(separator: "\n"))
    }
  }

  func testChineseCorpus() throws { try check("zh") }
  func testEnglishCorpus() throws { try check("en") }
}
