// The question corpora beside the rules (grammars/questions/{zh,en}.corpus) and the
// composition corpora (grammars/composition/{zh,en}.corpus), one test case per phrasing: each
// phrasing must plan to exactly the expected plan tree (its one-line form) or be refused, on
// the generated demo data. A failure names the phrasing and how it failed: no parse
// (refused), partial cover (words not understood), ambiguous (close alternatives), or a
// different plan.

import Engine
import Foundation
import QueryModel
import TestSupport
import Testing

struct CorpusCase: CustomTestStringConvertible, Sendable {
  var file: String
  var line: Int
  var phrase: String
  var expected: String
  var today: Day
  var testDescription: String { "\(file):\(line) “\(phrase)”" }

  /// The phrasings of a corpus file (`phrasing | phrasing => plan`, `@today YYYY-MM-DD`).
  static func load(_ relative: String) -> [CorpusCase] {
    let url = TestData.grammars.appendingPathComponent(relative)
    guard let text = try? String(contentsOf: url, encoding: .utf8) else {
      return [CorpusCase(file: relative, line: 0, phrase: "", expected: "the corpus file cannot be read", today: TestData.demoToday)]
    }
    var today = TestData.demoToday
    var out: [CorpusCase] = []
    for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.isEmpty || line.hasPrefix("#") { continue }
      if line.hasPrefix("@today") {
        today = Day(iso: line.dropFirst(6).trimmingCharacters(in: .whitespaces)) ?? today
        continue
      }
      guard let arrow = line.range(of: "=>") else {
        out.append(CorpusCase(file: relative, line: i + 1, phrase: line, expected: "a line without =>", today: today))
        continue
      }
      let expected = line[arrow.upperBound...].trimmingCharacters(in: .whitespaces)
      for p in line[..<arrow.lowerBound].split(separator: "|") {
        out.append(CorpusCase(file: relative, line: i + 1, phrase: p.trimmingCharacters(in: .whitespaces), expected: expected, today: today))
      }
    }
    return out
  }

  /// nil when the phrasing plans as expected; else how it failed.
  func failure(_ engine: Engine) -> String? {
    let (planned, refusal, _, reading) = engine.plan(phrase, today: today)
    guard let planned else {
      if expected == "refuse" { return nil }
      return "no parse: refused (\(refusal?.message ?? "?")), expected \(expected)"
    }
    let got = planned.tree.line
    if got == expected { return nil }
    if expected == "refuse" { return "answered where a refusal was expected: \(got)" }
    if let unknown = reading?.unknown, !unknown.isEmpty {
      return "partial cover: not understood \(unknown); expected \(expected), got \(got)"
    }
    if !planned.alternatives.isEmpty {
      return "ambiguous (\(planned.alternatives.count + 1) readings): expected \(expected), got \(got)"
    }
    return "wrong plan:\n  expected \(expected)\n  got      \(got)"
  }
}

/// One engine for every case (a static is initialised once, even with cases in parallel).
enum CorpusEngine {
  static let shared = Result { try TestData.engine(try TestData.demoPath()) }
  static func get() throws -> Engine { try shared.get() }
}

@Suite("Question corpus")
struct QuestionCorpusTests {
  static let zh = CorpusCase.load("questions/zh.corpus")
  static let en = CorpusCase.load("questions/en.corpus")

  @Test("The corpora are not trivially small")
  func size() {
    #expect(Self.zh.count > 50)
    #expect(Self.en.count > 50)
  }

  @Test("Chinese and traditional phrasings", arguments: zh)
  func chinese(_ c: CorpusCase) throws {
    let f = c.failure(try CorpusEngine.get())
    #expect(f == nil, "\(c.testDescription): \(f ?? "")")
  }

  @Test("English phrasings", arguments: en)
  func english(_ c: CorpusCase) throws {
    let f = c.failure(try CorpusEngine.get())
    #expect(f == nil, "\(c.testDescription): \(f ?? "")")
  }
}

@Suite("Composition corpus")
struct CompositionCorpusTests {
  static let zh = CorpusCase.load("composition/zh.corpus")
  static let en = CorpusCase.load("composition/en.corpus")

  static func engine() throws -> Engine { try CorpusEngine.get() }

  @Test("The corpora hold at least 200 phrasings, in both languages")
  func size() {
    #expect(Self.zh.count >= 100)
    #expect(Self.en.count >= 60)
    #expect(Self.zh.count + Self.en.count >= 200)
  }

  @Test("Chinese and traditional phrasings", arguments: zh)
  func chinese(_ c: CorpusCase) throws {
    let f = c.failure(try Self.engine())
    #expect(f == nil, "\(c.testDescription): \(f ?? "")")
  }

  @Test("English phrasings", arguments: en)
  func english(_ c: CorpusCase) throws {
    let f = c.failure(try Self.engine())
    #expect(f == nil, "\(c.testDescription): \(f ?? "")")
  }
}
