// The composition invariant (issue "Answer the question that was asked"): every word read as a
// figure, dimension, value, kind of customer, time, number or comparison is referenced by some
// node of the plan tree. Checked independently of the planner's own enforcement over every
// phrasing of every question corpus, the acceptance questions and the real questions written
// for other BI products; and refusals for words that could not be combined name those words.

@testable import Engine
import Foundation
import Planning
import QueryModel
import TestSupport
import Understanding
import XCTest

final class WordUseTests: XCTestCase {
  /// Every phrasing that a corpus or acceptance file holds.
  func questions() throws -> [(String, Day, String)] {
    var out: [(String, Day, String)] = []
    for lang in ["zh", "en"] {
      out += CorpusCase.load("questions/\(lang).corpus").map { ($0.phrase, $0.today, "questions/\(lang).corpus:\($0.line)") }
      out += CorpusCase.load("composition/\(lang).corpus").map { ($0.phrase, $0.today, "composition/\(lang).corpus:\($0.line)") }
    }
    if let path = TestData.sharedPath("acceptance/cases.jsonl"), let text = try? String(contentsOfFile: path, encoding: .utf8) {
      for line in text.split(separator: "\n") {
        guard let d = line.data(using: .utf8), let obj = try? JSONSerialization.jsonObject(with: d) as? [String: Any],
          let q = obj["q"] as? String, let t = (obj["today"] as? String).flatMap(Day.init(iso:))
        else { continue }
        out.append((q, t, "acceptance \(obj["id"] ?? "?")"))
      }
    }
    if let path = TestData.sharedPath("corpora/real_questions.tsv"), let text = try? String(contentsOfFile: path, encoding: .utf8) {
      for line in text.split(separator: "\n") {
        let parts = line.split(separator: "\t", maxSplits: 1)
        if parts.count == 2 { out.append((String(parts[1]), TestData.demoToday, "real \(parts[0])")) }
      }
    }
    return out
  }

  func testEveryUnderstoodWordShapesThePlan() throws {
    let engine = try TestData.engine(try TestData.demoPath())
    let all = try questions()
    XCTAssertGreaterThan(all.count, 700)
    var violations: [String] = []
    var planned = 0, refusedUncombined = 0
    for (q, today, origin) in all {
      let (p, refusal, _, reading) = engine.plan(q, today: today)
      if let p, let reading {
        planned += 1
        let unused = WordUse.unused(reading, p.tree)
        if !unused.isEmpty { violations.append("\(origin) “\(q)”: \(unused) not in \(p.tree.line)") }
      } else if let refusal, !refusal.uncombined.isEmpty {
        refusedUncombined += 1
        for w in refusal.uncombined where !refusal.message.contains(w) {
          violations.append("\(origin) “\(q)”: the refusal does not name “\(w)”: \(refusal.message)")
        }
      }
    }
    print("word use: \(all.count) questions, \(planned) planned with every word used, \(refusedUncombined) refused for words that could not be combined, \(violations.count) violations")
    XCTAssertTrue(violations.isEmpty, violations.prefix(20).joined(separator: "\n"))
  }

  /// The check itself finds a word the tree leaves out.
  func testTheCheckFindsADroppedWord() throws {
    let engine = try TestData.engine(try TestData.demoPath())
    let reading = engine.parser.read("上月华东的销售额")
    var plan = Plan(today: TestData.demoToday)
    plan.metrics = [.sales]
    plan.period = DateRange(Day(year: 2026, month: 10, day: 1), Day(year: 2026, month: 10, day: 31))
    XCTAssertEqual(WordUse.unused(reading, .aggregate(plan)), ["华东"])
    plan.filters = [Filter(.region, ["华东"])]
    XCTAssertEqual(WordUse.unused(reading, .aggregate(plan)), [])
    plan.period = nil
    XCTAssertEqual(WordUse.unused(reading, .aggregate(plan)), ["上月"])
  }

  /// Refusals for suggestions: whole questions that plan, never a lone mark or filler word.
  func testSuggestionsAreRunnableQuestions() throws {
    let engine = try TestData.engine(try TestData.demoPath())
    let fillers = Set(engine.vocabulary.lexicon.phrases.filter { $0.value.hasPrefix("filler") }.map(\.key))
    for q in ["上月华东的销售额是多少呀呀呀xyz", "sales in atlantis last month", "上月销售額和訂單", "各渠道的流失率", "上个月复购率多少钱呢zzz",
              "what is the revenue of blorp", "本月老客和新客的销售额"] {
      let (p, refusal, _, _) = engine.plan(q, today: TestData.demoToday)
      guard p == nil, let refusal else { continue }
      XCTAssertFalse(refusal.suggestions.isEmpty, q)
      for s in refusal.suggestions {
        XCTAssertFalse(fillers.contains(s), "\(q): suggestion “\(s)” is a filler word")
        XCTAssertGreaterThan(s.unicodeScalars.filter { $0.properties.isAlphabetic }.count, 1, "\(q): suggestion “\(s)” is not a question")
        XCTAssertNotNil(engine.plan(s, today: TestData.demoToday).0, "\(q): suggestion “\(s)” does not plan")
      }
    }
  }

  /// A word replaced in a suggestion keeps some of its characters (没 never becomes 市 or 贵), a
  /// negation is never dropped to ask the opposite, and no suggestion starts or ends with 的.
  func testSuggestionsKeepTheMeaning() throws {
    let engine = try TestData.engine(try TestData.demoPath())
    for w in ["没", "平均x", "salez"] {
      for p in engine.nearestPhrases(w, max: 8) {
        XCTAssertTrue(p.unicodeScalars.contains(where: w.unicodeScalars.contains), "\(w) → \(p)")
      }
    }
    XCTAssertTrue(engine.nearestPhrases("salez", max: 4).contains("sales"))
    // A longer name holding the whole word (纸尿裤 → 婴儿纸尿裤; in the demo, 上商 → 线上商城).
    XCTAssertTrue(engine.nearestPhrases("上商", max: 8).contains("线上商城"), "\(engine.nearestPhrases("上商", max: 8))")
    for q in ["今年没有下单的客户", "customers who have not ordered this year", "首购月的销售额"] {
      let (p, refusal, _, _) = engine.plan(q, today: TestData.demoToday)
      XCTAssertNil(p, q)
      for s in refusal?.suggestions ?? [] {
        XCTAssertFalse(s.contains("下单客户") || s.hasPrefix("customers who have ordered"), "\(q): “\(s)” asks the opposite")
        XCTAssertFalse(s.hasPrefix("的") || s.hasSuffix("的"), "\(q): “\(s)”")
      }
    }
  }
}
