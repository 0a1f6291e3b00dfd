// Tests of Numerals: digits, Chinese and English numerals, inside text and whole, plus the
// third-party numeral corpora of ../shared/corpora/time (Duckling, cn2an) as a rate.

import Foundation
import TestSupport
import Understanding
import XCTest

final class NumeralTests: XCTestCase {
  func s(_ t: String) -> [Unicode.Scalar] { Array(t.unicodeScalars) }

  func assertWhole(_ text: String, _ v: Double?, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(Numerals.parseWhole(text), v, "“\(text)”", file: file, line: line)
  }

  func testDigits() {
    assertWhole("1200", 1200)
    assertWhole("1,200", 1200)
    assertWhole("3,000,000", 3_000_000)
    assertWhole("1.5", 1.5)
    assertWhole("0033", 33)
    assertWhole(".77", 0.77)
    assertWhole("1,20", nil)
    assertWhole("", nil)
    assertWhole("12a", nil)
  }

  func testChinese() {
    assertWhole("三十", 30)
    assertWhole("两千", 2000)
    assertWhole("十二", 12)
    assertWhole("一百零五", 105)
    assertWhole("两", 2)
    assertWhole("廿一", 21)
    assertWhole("十", 10)
    assertWhole("一十一", 11)
    assertWhole("三万四千五百零七", 34507)
    assertWhole("一万零四十", 10040)
    assertWhole("一亿五千万零六千三百五十五", 150_006_355)
    assertWhole("十万亿", 10_000_000_000_000)
    assertWhole("零", 0)
    assertWhole("〇", 0)
    assertWhole("零点五", 0.5)
    assertWhole("一百点123", 100.123)
    assertWhole("壹佰贰拾", 120)
    assertWhole("參萬肆仟伍佰陸拾柒", 34567)
  }

  func testColloquialChinese() {
    assertWhole("三万五", 35000)
    assertWhole("两千六", 2600)
    assertWhole("一百二", 120)
    assertWhole("千一", 1100)
    assertWhole("萬九", 19000)
    assertWhole("百二萬", 1_200_000)
    assertWhole("一百二十万三", 1_203_000)
    assertWhole("一百十一", 111)
  }

  func testMixed() {
    assertWhole("1.5万", 15000)
    assertWhole("3千", 3000)
    assertWhole("5w", 50000)
    assertWhole("2k", 2000)
    assertWhole("100K", 100_000)
    assertWhole("1.2M", 1_200_000)
    assertWhole("100万三千", 1_003_000)
    assertWhole("1万600", 10600)
    assertWhole("1百01", 101)
    assertWhole("200亿零四千230", 20_000_004_230)
    assertWhole("3 million", 3_000_000)
    assertWhole("-1.2M", -1_200_000)
    assertWhole("负一百二十万", -1_200_000)
  }

  func testEnglish() {
    assertWhole("one", 1)
    assertWhole("twenty", 20)
    assertWhole("twenty-one", 21)
    assertWhole("thirty three", 33)
    assertWhole("ninety", 90)
    assertWhole("one hundred", 100)
    assertWhole("five hundred and four", 504)
    assertWhole("two thousand", 2000)
    assertWhole("twenty-one thousand eleven", 21011)
    assertWhole("seven hundred twenty-one thousand and twelve", 721_012)
    assertWhole("a", nil)
    assertWhole("an", nil)
    assertWhole("five five", nil)
    assertWhole("hundred", nil)
  }

  func testInsideText() throws {
    let t = s("近两千六百天")
    XCTAssertEqual(Numerals.match(t, at: 1)?.value, 2600)
    XCTAssertEqual(Numerals.match(t, at: 1)?.end, 5)
    XCTAssertNil(Numerals.match(s("my phone"), at: 5), "“one” inside “phone”")
    XCTAssertNil(Numerals.match(s("phone"), at: 2))
    XCTAssertEqual(Numerals.match(s("top 5 customers"), at: 4)?.end, 5)
    XCTAssertEqual(Numerals.match(s("last 5weeks"), at: 5)?.value, 5, "no w suffix before a letter")
    XCTAssertEqual(Numerals.match(s("last 5weeks"), at: 5)?.end, 6)
    XCTAssertEqual(Numerals.match(s("top 2k spenders"), at: 4)?.value, 2000)
    XCTAssertEqual(Numerals.match(s("前十名"), at: 1)?.value, 10)
    XCTAssertEqual(Numerals.match(s("前十名"), at: 1)?.end, 2)
    XCTAssertEqual(Numerals.match(s("五八年"), at: 0)?.end, 1, "two digits without a unit are not one numeral")
    XCTAssertEqual(Numerals.match(s("三点钟"), at: 0)?.end, 1, "a point needs a digit after it")
    XCTAssertEqual(Numerals.match(s("2026年3月"), at: 0)?.value, 2026)
    XCTAssertEqual(Numerals.match(s("twenty one days"), at: 0)?.end, 10)
    XCTAssertEqual(Numerals.match(s("the one"), at: 4)?.value, 1)
    XCTAssertNil(Numerals.match(s("百货"), at: 0))
    XCTAssertNil(Numerals.match(s("千万别"), at: 0))
    XCTAssertNil(Numerals.match(s("x"), at: 3))
  }

  /// Duckling zh/en numerals and cn2an (analytics=yes rows), as a rate: what a question can
  /// hold as one number. Sign words, "point", fractions and quantity words are out of scope.
  func testThirdPartyNumeralCorpora() throws {
    guard let shared = TestData.sharedPath("corpora/time") else { throw XCTSkip("../shared/corpora/time is not there") }
    let dir = URL(fileURLWithPath: shared)
    var ok = 0
    var total = 0
    var failures: [String] = []
    for name in ["zh_numeral.tsv", "en_numeral.tsv", "cn2an_cases.tsv"] {
      guard let text = try? String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8) else {
        throw XCTSkip("../shared/corpora/time is not there")
      }
      for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.hasPrefix("text\t") {
        let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        guard f.count >= 3, f[2] == "yes", let want = Double(f[1]) else { continue }
        if name == "cn2an_cases.tsv" && !(f.count > 3 && f[3].hasPrefix("cn2an")) { continue }
        var phrase = f[0]
        if phrase.hasSuffix("个") || phrase.hasSuffix("個") { phrase.removeLast() }
        if phrase.contains("point") || phrase.contains("分之") { continue }
        total += 1
        if let got = Numerals.parseWhole(phrase), abs(got - want) < 1e-9 * max(1, abs(want)) {
          ok += 1
        } else {
          failures.append("\(name): “\(f[0])” want \(f[1]) got \(Numerals.parseWhole(phrase).map { "\($0)" } ?? "nil")")
        }
      }
    }
    let rate = Double(ok) / Double(max(total, 1))
    print("numeral corpora: \(ok) of \(total) (\(String(format: "%.1f", rate * 100))%)\n" + failures.joined(separator: "\n"))
    XCTAssertGreaterThanOrEqual(rate, 0.95, failures.joined(separator: "\n"))
  }
}
