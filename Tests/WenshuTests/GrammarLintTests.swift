// Grammar checks: every file loads; a broken line is reported with file:line; and the rules
// that no corpus example exercises are reported (metric and dimension rules must all be used).

import Engine
import Grammar
import QueryModel
import TestSupport
import Understanding
import XCTest

final class GrammarLintTests: XCTestCase {
  func testGrammarLoads() throws {
    let g = try GrammarSet(directory: TestData.grammars)
    XCTAssertGreaterThan(g.rules.count, 100)
    _ = try Vocabulary(grammar: g)
  }

  func testErrorsNameFileAndLine() {
    XCTAssertThrowsError(try RuleFile.parse("metric sales: 销售额\nmetric orders 订单数\n", file: "vocabulary/zh.rules")) { e in
      XCTAssertEqual(String(describing: e).prefix(21), "vocabulary/zh.rules:2")
    }
    XCTAssertThrowsError(try RuleFile.parse("metric sales: 销售额 || 营业额\n", file: "x.rules")) { e in
      XCTAssertTrue(String(describing: e).hasPrefix("x.rules:1:"), "\(e)")
    }
    let bad = try? RuleFile.parse("metric profit: 利润\n", file: "v.rules")
    XCTAssertThrowsError(try Vocabulary(grammar: GrammarSet(rules: bad ?? []))) { e in
      XCTAssertTrue(String(describing: e).contains("v.rules:1"), "\(e)")
      XCTAssertTrue(String(describing: e).contains("profit"), "\(e)")
    }
  }

  func testEveryMetricAndDimensionRuleIsExercised() throws {
    let engine = try TestData.engine(try TestData.demoPath())
    var used = Set<String>()
    var phrases: [String] = []
    for lang in ["zh", "en"] {
      phrases += CorpusCase.load("questions/\(lang).corpus").map(\.phrase)
      phrases += CorpusCase.load("composition/\(lang).corpus").map(\.phrase)
    }
    for p in phrases {
      for t in engine.parser.read(p).tokens {
        if let rule = engine.vocabulary.lexicon.phrases[t.text] { used.insert(rule) }
      }
    }
    let all = Set(engine.vocabulary.lexicon.phrases.values).filter { !$0.hasPrefix("data ") && !$0.hasPrefix("alias ") }
    let unused = all.subtracting(used).sorted()
    print("grammar rules exercised by the corpora: \(all.count - unused.count) of \(all.count)")
    if !unused.isEmpty { print("rules no example exercises:\n  " + unused.joined(separator: "\n  ")) }
    let mustUse = unused.filter { $0.hasPrefix("metric ") || $0.hasPrefix("dimension ") }
    XCTAssertTrue(mustUse.isEmpty, "metric and dimension rules without an example: \(mustUse)")
  }
}
