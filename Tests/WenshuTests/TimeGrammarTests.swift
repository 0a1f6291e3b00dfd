// Tests of the time grammar: grammars/time/{zh,en}.rules against their corpora
// (grammars/time/{zh,en}.corpus), the grammar lint, template validation, resolution
// details, speed, and the third-party corpora of ../shared/corpora/time.
//
// A corpus file holds blocks of phrasings with a frozen today, Duckling style:
//
//     @today 2026-11-22
//     上月 | 上个月 | 上一个月 => 2026-10-01..2026-10-31
//     3月5日 => 2026-03-05
//     手机 | mayor => none
//
// Phrases are written normalised (lower case, half-width, simplified) and must be covered
// by exactly one match; each failure says whether there was no match, a partial cover, no
// period, or a wrong period.

import Foundation
import Grammar
import Planning
import QueryModel
import TestSupport
import Understanding
import XCTest

enum TimeGrammarFixture {
  static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
  static let grammars = packageRoot.appendingPathComponent("grammars")
  static let timeDir = grammars.appendingPathComponent("time")

  static func rules() throws -> [Rule] {
    try ["zh", "en"].flatMap {
      try RuleFile.load(timeDir.appendingPathComponent("\($0).rules"), relativeTo: grammars)
    }
  }

  static func recognizer() throws -> TimeRecognizer { try TimeRecognizer(rules: rules()) }

  static func scalars(_ s: String) -> [Unicode.Scalar] { Array(s.unicodeScalars) }

  struct Entry {
    var phrase: String
    var today: Day
    var expected: DateRange?  // nil: must not match
    var line: Int
    var file: String
  }

  static func corpus(_ lang: String) throws -> [Entry] {
    let url = timeDir.appendingPathComponent("\(lang).corpus")
    let text = try String(contentsOf: url, encoding: .utf8)
    var out: [Entry] = []
    var today: Day?
    for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.isEmpty || line.hasPrefix("#") { continue }
      if line.hasPrefix("@today") {
        today = Day(iso: String(line.dropFirst(6)).trimmingCharacters(in: .whitespaces))
        continue
      }
      guard let t = today else { throw NSError(domain: "corpus \(lang):\(i + 1): no @today before", code: 1) }
      guard let arrow = line.range(of: "=>") else { throw NSError(domain: "corpus \(lang):\(i + 1): no =>", code: 1) }
      let rhs = line[arrow.upperBound...].trimmingCharacters(in: .whitespaces)
      var expected: DateRange?
      if rhs != "none" {
        let parts = rhs.components(separatedBy: "..")
        guard let a = Day(iso: parts[0]), let b = Day(iso: parts.count > 1 ? parts[1] : parts[0]) else {
          throw NSError(domain: "corpus \(lang):\(i + 1): bad period \(rhs)", code: 1)
        }
        expected = DateRange(a, b)
      }
      for p in line[..<arrow.lowerBound].split(separator: "|") {
        let phrase = p.trimmingCharacters(in: .whitespaces)
        if !phrase.isEmpty {
          out.append(Entry(phrase: phrase, today: t, expected: expected, line: i + 1, file: "\(lang).corpus"))
        }
      }
    }
    return out
  }
}

final class TimeGrammarTests: XCTestCase {
  func runCorpus(_ lang: String) throws {
    let r = try TimeGrammarFixture.recognizer()
    let entries = try TimeGrammarFixture.corpus(lang)
    XCTAssertGreaterThanOrEqual(entries.count, 220, "\(lang).corpus should have at least 220 phrases")
    var failures: [String] = []
    for e in entries {
      let text = TimeGrammarFixture.scalars(e.phrase)
      let ms = r.matches(in: text)
      let at = "\(e.file):\(e.line) “\(e.phrase)”"
      guard let want = e.expected else {
        if !ms.isEmpty { failures.append("\(at): unexpected match \(ms.map { "\($0.expr) [\($0.rule)]" })") }
        continue
      }
      guard let m = ms.first else {
        failures.append("\(at): no match")
        continue
      }
      if ms.count != 1 || m.start != 0 || m.end != text.count {
        let covered = ms.map { String(String.UnicodeScalarView(text[$0.start..<$0.end])) }
        failures.append("\(at): partial cover \(covered)")
        continue
      }
      guard let got = TimeResolution.resolve(m.expr, today: e.today) else {
        failures.append("\(at): no period for \(m.expr) [\(m.rule)]")
        continue
      }
      if got != want {
        failures.append("\(at): wrong period \(got), want \(want) — \(m.expr) [\(m.rule)]")
      }
    }
    if !failures.isEmpty {
      XCTFail("\(failures.count) of \(entries.count) \(lang) corpus phrases fail:\n" + failures.joined(separator: "\n"))
    }
  }

  func testChineseCorpus() throws { try runCorpus("zh") }
  func testEnglishCorpus() throws { try runCorpus("en") }

  /// Every rule (and every phrase of every rule) is exercised by some corpus phrase.
  func testLintEveryRuleHasAnExample() throws {
    let r = try TimeGrammarFixture.recognizer()
    var usedRules = Set<Int>()
    var usedPhrases = Set<[Int]>()
    for lang in ["zh", "en"] {
      for e in try TimeGrammarFixture.corpus(lang) where e.expected != nil {
        for u in r.ruleUses(in: TimeGrammarFixture.scalars(e.phrase)) {
          usedRules.insert(u.rule)
          usedPhrases.insert([u.rule, u.phrase])
        }
      }
    }
    var unusedRules: [String] = []
    var unusedPhrases: [String] = []
    for (i, rule) in r.rules.enumerated() {
      if !usedRules.contains(i) { unusedRules.append("\(rule.location) \(rule.name)") }
      for (j, p) in rule.phrases.enumerated() where !usedPhrases.contains([i, j]) {
        unusedPhrases.append("\(rule.location) \(rule.name): \(p)")
      }
    }
    XCTAssert(unusedRules.isEmpty, "time rules without a corpus example:\n" + unusedRules.joined(separator: "\n"))
    XCTAssert(
      unusedPhrases.isEmpty, "time phrases without a corpus example:\n" + unusedPhrases.joined(separator: "\n"))
  }

  // MARK: - Validation

  func assertGrammarError(_ text: String, contains: String, file: StaticString = #filePath, line: UInt = #line) {
    do {
      let rules = try RuleFile.parse(text, file: "t.rules")
      _ = try TimeRecognizer(rules: rules)
      XCTFail("no error for \(text)", file: file, line: line)
    } catch let e as GrammarError {
      XCTAssertEqual(e.location.description, "t.rules:2", file: file, line: line)
      XCTAssert(e.message.contains(contains), "\(e.message)", file: file, line: line)
    } catch {
      XCTFail("\(error)", file: file, line: line)
    }
  }

  func testValidationNamesTheRule() {
    assertGrammarError("# x\ntime rolling day: 最近{num}天", contains: "unknown slot {num}")
    assertGrammarError("# x\ntime lastish month 1: 上月", contains: "unknown time rule id 'lastish'")
    assertGrammarError("# x\ntime offset fortnight 1: 上月", contains: "unknown unit 'fortnight'")
    assertGrammarError("# x\ntime ago day: 几天前", contains: "needs {n}")
    assertGrammarError("# x\ntime range: <time>到<moment>", contains: "unknown sub-phrase <moment>")
    assertGrammarError("# x\ntime offset month 1: Last Month", contains: "lower case")
    assertGrammarError("# x\ntime offset month 1: 上月[份", contains: "no closing")
    assertGrammarError("# x\ntime offset month 1: 上月{n}", contains: "does not use {n}")
    assertGrammarError("# x\ntime date: {month}月", contains: "needs one {day}")
    assertGrammarError("# x\ntime half 3: 上半年", contains: "1 or 2")
    assertGrammarError("# x\ntime same: <time>", contains: "besides its sub-phrases")
  }

  func testOtherKindsAreIgnored() throws {
    let rules = try RuleFile.parse("metric sales: 销售额\ntime offset month 1: 上月", file: "t.rules")
    let r = try TimeRecognizer(rules: rules)
    XCTAssertEqual(r.ruleNames, ["time offset month 1"])
  }

  // MARK: - Recognition inside questions

  func testFindsPhrasesInsideQuestions() throws {
    let r = try TimeGrammarFixture.recognizer()
    let q = TimeGrammarFixture.scalars("上个月华东区的销售额和去年同期比")
    let ms = r.matches(in: q)
    XCTAssertEqual(ms.map(\.start), [0, 11])
    XCTAssertEqual(ms.first?.expr, .unitOffset(.month, back: 1))
    XCTAssertEqual(ms.first?.rule, "time offset month 1")
    XCTAssertEqual(ms.last?.expr, .sameTimeLastYear)

    let en = TimeGrammarFixture.scalars("sales by region over the last 30 days vs the mayor's phone")
    XCTAssertEqual(r.matches(in: en).map(\.expr), [.rolling(.day, count: 30)])
    XCTAssertEqual(r.matches(in: TimeGrammarFixture.scalars("may i see the monthly sales")).count, 0)
    XCTAssertEqual(r.matches(in: TimeGrammarFixture.scalars("销售额超过2000元的客户")).count, 0)

    // 618 is the festival where a number could not stand, a number everywhere else.
    let singles = TimeExpr.festival(year: .implicit, month: 11, day: 11, days: 1)
    let june18 = TimeExpr.festival(year: .implicit, month: 6, day: 18, days: 1)
    XCTAssertEqual(r.matches(in: TimeGrammarFixture.scalars("双十一和618的销售额")).map(\.expr), [singles, june18])
    XCTAssertEqual(r.matches(in: TimeGrammarFixture.scalars("618的销售额")).map(\.expr), [june18])
    XCTAssertEqual(r.matches(in: TimeGrammarFixture.scalars("在618期间的订单数")).map(\.expr), [june18])
    XCTAssertEqual(r.matches(in: TimeGrammarFixture.scalars("去年618的客单价")).map(\.expr), [.festival(year: .relative(-1), month: 6, day: 18, days: 1)])
    for q in ["超过618元的订单数", "金额大于618的订单", "订单金额是618的客户", "消费满618的客户", "top 618 customers", "orders over 618"] {
      XCTAssertEqual(r.matches(in: TimeGrammarFixture.scalars(q)).count, 0, q)
    }
    XCTAssertEqual(r.matches(in: TimeGrammarFixture.scalars("消费最多的前十名客户")).count, 0)
  }

  // MARK: - Resolution details

  let today = Day(year: 2026, month: 11, day: 22)  // a Sunday

  func range(_ a: String, _ b: String) -> DateRange {
    DateRange(Day(iso: a) ?? Day(raw: 0), Day(iso: b) ?? Day(raw: 0))
  }

  func testResolutionBasics() {
    XCTAssertEqual(TimeResolution.resolve(.unitOffset(.week, back: 0), today: today), range("2026-11-16", "2026-11-22"))
    XCTAssertEqual(TimeResolution.resolve(.unitOffset(.month, back: 0), today: today), range("2026-11-01", "2026-11-22"))
    XCTAssertEqual(TimeResolution.resolve(.rolling(.month, count: 3), today: today), range("2026-08-23", "2026-11-22"))
    XCTAssertEqual(TimeResolution.resolve(.previousUnits(.month, count: 2), today: today), range("2026-09-01", "2026-10-31"))
    XCTAssertNil(TimeResolution.resolve(.date(year: .implicit, month: 2, day: 30), today: today))
    XCTAssertNil(TimeResolution.resolve(.date(year: .absolute(2025), month: 2, day: 29), today: today))
    XCTAssertEqual(TimeResolution.resolve(.date(year: .implicit, month: 12, day: 5), today: today), range("2025-12-05", "2025-12-05"))
    XCTAssertEqual(TimeResolution.resolve(.month(year: .implicit, month: 11), today: today), range("2026-11-01", "2026-11-30"))
    XCTAssertEqual(TimeResolution.resolve(.shortYear(33), today: today), range("1933-01-01", "1933-12-31"))
    XCTAssertEqual(TimeResolution.resolve(.shortYear(26), today: today), range("2026-01-01", "2026-12-31"))
  }

  func testComparisonPeriods() {
    let nov = range("2026-11-01", "2026-11-22")
    XCTAssertEqual(
      TimeResolution.previousPeriod(of: .unitOffset(.month, back: 0), range: nov, today: today),
      range("2026-10-01", "2026-10-22"))
    let oct = range("2026-10-01", "2026-10-31")
    XCTAssertEqual(
      TimeResolution.previousPeriod(of: .unitOffset(.month, back: 1), range: oct, today: today),
      range("2026-09-01", "2026-09-30"))
    let q3 = range("2026-07-01", "2026-09-30")
    XCTAssertEqual(
      TimeResolution.previousPeriod(of: .quarter(year: .absolute(2026), quarter: 3), range: q3, today: today),
      range("2026-04-01", "2026-06-30"))
    let week = range("2026-11-09", "2026-11-15")
    XCTAssertEqual(
      TimeResolution.previousPeriod(of: .unitOffset(.week, back: 1), range: week, today: today),
      range("2026-11-02", "2026-11-08"))
    let thisWeek = range("2026-11-16", "2026-11-18")
    XCTAssertEqual(
      TimeResolution.previousPeriod(of: .unitOffset(.week, back: 0), range: thisWeek, today: Day(year: 2026, month: 11, day: 18)),
      range("2026-11-09", "2026-11-11"))
    let last30 = range("2026-10-24", "2026-11-22")
    XCTAssertEqual(
      TimeResolution.previousPeriod(of: .rolling(.day, count: 30), range: last30, today: today),
      range("2026-09-24", "2026-10-23"))
    XCTAssertEqual(TimeResolution.yearEarlier(range("2024-02-10", "2024-02-29")), range("2023-02-10", "2023-02-28"))
    XCTAssertEqual(TimeResolution.yearEarlier(range("2025-02-01", "2025-02-28")), range("2024-02-01", "2024-02-29"))
    XCTAssertEqual(TimeResolution.yearEarlier(range("2026-11-01", "2026-11-22")), range("2025-11-01", "2025-11-22"))
  }

  /// A period still running compares like for like (semantics.md): as many days from the
  /// start of the previous unit, clipped at its end; 同比 the same dates a year earlier.
  func testRunningPeriodsCompareLikeForLike() {
    let mar31 = Day(year: 2026, month: 3, day: 31)
    let march = TimeResolution.resolve(.unitOffset(.month, back: 0), today: mar31)!
    XCTAssertEqual(march, range("2026-03-01", "2026-03-31"))
    XCTAssertEqual(
      TimeResolution.previousPeriod(of: .unitOffset(.month, back: 0), range: march, today: mar31),
      range("2026-02-01", "2026-02-28"))
    let quarter = TimeResolution.resolve(.unitOffset(.quarter, back: 0), today: today)!
    XCTAssertEqual(
      TimeResolution.previousPeriod(of: .unitOffset(.quarter, back: 0), range: quarter, today: today),
      range("2026-07-01", "2026-08-22"))
    let year = TimeResolution.resolve(.unitOffset(.year, back: 0), today: today)!
    XCTAssertEqual(
      TimeResolution.previousPeriod(of: .unitOffset(.year, back: 0), range: year, today: today),
      range("2025-01-01", "2025-11-22"))
    // 同比 of a running month that today happens to complete: the same dates, not the whole month.
    let feb28 = Day(year: 2025, month: 2, day: 28)
    let feb = TimeResolution.resolve(.unitOffset(.month, back: 0), today: feb28)!
    XCTAssertEqual(TimeResolution.yearEarlier(of: .unitOffset(.month, back: 0), range: feb), range("2024-02-01", "2024-02-28"))
    XCTAssertEqual(TimeResolution.yearEarlier(of: .unitOffset(.month, back: 1), range: range("2025-02-01", "2025-02-28")),
                   range("2024-02-01", "2024-02-29"))
    XCTAssertEqual(
      TimeResolution.yearEarlier(of: .unitOffset(.month, back: 0), range: range("2026-11-01", "2026-11-22")),
      range("2025-11-01", "2025-11-22"))
    // 春节 moves: its 同比 is the festival of the year before, not the same dates.
    XCTAssertEqual(
      TimeResolution.yearEarlier(of: .lunarNewYear(year: .implicit, offset: 0, days: 1), range: range("2026-02-17", "2026-02-17")),
      range("2025-01-29", "2025-01-29"))
    XCTAssertEqual(
      TimeResolution.yearEarlier(of: .lunarNewYear(year: .implicit, offset: -1, days: 7), range: range("2026-02-16", "2026-02-22")),
      range("2025-01-28", "2025-02-03"))
    XCTAssertEqual(
      TimeResolution.yearEarlier(of: .festival(year: .implicit, month: 11, day: 11, days: 1), range: range("2026-11-11", "2026-11-11")),
      range("2025-11-11", "2025-11-11"))
  }

  /// Festival days resolve in this year once they have started, else in last year; the lunar
  /// new year comes from its table.
  func testFestivals() {
    let singles = TimeExpr.festival(year: .implicit, month: 11, day: 11, days: 1)
    XCTAssertEqual(TimeResolution.resolve(singles, today: Day(year: 2026, month: 11, day: 11)), range("2026-11-11", "2026-11-11"))
    XCTAssertEqual(TimeResolution.resolve(singles, today: Day(year: 2026, month: 11, day: 10)), range("2025-11-11", "2025-11-11"))
    XCTAssertEqual(
      TimeResolution.resolve(.festival(year: .relative(-1), month: 10, day: 1, days: 7), today: today),
      range("2025-10-01", "2025-10-07"))
    for (y, iso) in [(2000, "2000-02-05"), (2008, "2008-02-07"), (2020, "2020-01-25"), (2024, "2024-02-10"),
                     (2025, "2025-01-29"), (2026, "2026-02-17"), (2027, "2027-02-06"), (2050, "2050-01-23")] {
      XCTAssertEqual(LunarNewYear.day(y), Day(iso: iso), "春节 \(y)")
    }
    XCTAssertNil(LunarNewYear.day(1999))
    XCTAssertNil(LunarNewYear.day(2051))
    XCTAssertNil(TimeResolution.resolve(.lunarNewYear(year: .absolute(2051), offset: 0, days: 1), today: today))
    // Every year of the table falls between January 21 and February 20.
    for y in LunarNewYear.years {
      let d = LunarNewYear.day(y)!
      XCTAssert(d >= Day(year: y, month: 1, day: 21) && d <= Day(year: y, month: 2, day: 20), "春节 \(y): \(d)")
    }
    XCTAssertEqual(TimeResolution.describe(singles, .zh), "双十一")
    XCTAssertEqual(TimeResolution.describe(.festival(year: .relative(-1), month: 11, day: 11, days: 1), .zh), "去年双十一")
    XCTAssertEqual(TimeResolution.describe(.lunarNewYear(year: .absolute(2025), offset: -1, days: 7), .en), "Chinese New Year holiday 2025")
  }

  func testGrainAndLabels() {
    XCTAssertEqual(TimeResolution.grain(of: .unitOffset(.month, back: 1)), .month)
    XCTAssertEqual(TimeResolution.grain(of: .year(2025)), .year)
    XCTAssertNil(TimeResolution.grain(of: .rolling(.day, count: 30)))
    XCTAssertEqual(TimeResolution.grain(of: .weekdayOfWeek(weekday: 2, weeksBack: 1)), .day)
    XCTAssertEqual(TimeResolution.describe(.unitOffset(.month, back: 1), .zh), "上月")
    XCTAssertEqual(TimeResolution.describe(.unitOffset(.month, back: 1), .en), "last month")
    XCTAssertEqual(TimeResolution.describe(.year(2025), .zh), "2025年")
    XCTAssertEqual(TimeResolution.describe(.rolling(.day, count: 30), .zh), "最近30天")
    XCTAssertEqual(TimeResolution.describe(.rolling(.day, count: 30), .en), "last 30 days")
    XCTAssertEqual(TimeResolution.describe(.quarter(year: .absolute(2026), quarter: 3), .en), "Q3 2026")
    XCTAssertEqual(
      TimeResolution.describe(.range(.month(year: .absolute(2026), month: 3), .month(year: .implicit, month: 5)), .zh),
      "2026年3月至5月")
    XCTAssertEqual(TimeResolution.describe(.weekdayOfWeek(weekday: 2, weeksBack: 1), .zh), "上周二")
  }

  // MARK: - Speed

  func testSpeed() throws {
    let r = try TimeGrammarFixture.recognizer()
    let questions = ["上个月华东区复购率最高的城市是哪个", "最近30天各渠道的销售额趋势", "sales by region over the last 30 days",
      "2026年3月到5月的客单价", "去年同期新客数量对比"].map(TimeGrammarFixture.scalars)
    var n = 0
    let rounds = 2000
    let clock = ContinuousClock()
    let t = clock.measure {
      for _ in 0..<rounds {
        for q in questions { n += r.matches(in: q).count }
      }
    }
    let perQuestion = Double(t.components.attoseconds) / 1e12 / Double(rounds * questions.count)
      + Double(t.components.seconds) * 1e6 / Double(rounds * questions.count)
    print("time recognizer: \(String(format: "%.2f", perQuestion)) µs per question (\(n) matches)")
    // A debug build is ~20× slower than release (about 1–7 µs per question there).
    XCTAssertLessThan(perQuestion, 2000, "time recognition is far too slow")
  }

  /// Chains of ranges and long texts stay linear: ranges are never sub-phrases of ranges.
  func testNoBlowUpOnLongInputs() throws {
    let r = try TimeGrammarFixture.recognizer()
    let chain = TimeGrammarFixture.scalars(Array(repeating: "3月5日到", count: 30).joined() + "3月6日")
    let words = TimeGrammarFixture.scalars(String(repeating: "from march 5 to the last 3 days of may 2026 and ", count: 20))
    let clock = ContinuousClock()
    var n = 0
    let t = clock.measure {
      n += r.matches(in: chain).count
      n += r.matches(in: words).count
    }
    XCTAssertEqual(r.matches(in: chain).count, 16)
    XCTAssertLessThan(t, .milliseconds(500), "\(n) matches")
  }
}

// MARK: - Third-party corpora

/// Duckling and JioNLP phrases from ../shared/corpora/time, filtered and judged exactly as
/// ../shared/acceptance/time_corpus.py does (analytics=yes, day grain or coarser, not after the
/// reference day; the contract's readings of "last N" and "N ago" count too). Each phrase is
/// put inside a question ("…的销售额" / "sales …"), and the longest time match is resolved.
final class TimeCorpusExternalTests: XCTestCase {
  struct Row {
    var lang: String
    var text: String
    var today: Day
    var start: Day
    var end: Day
  }

  static let corpusDir = TimeGrammarFixture.packageRoot.deletingLastPathComponent()
    .appendingPathComponent("shared/corpora/time")

  static func lines(_ name: String) -> [[String]]? {
    guard let text = try? String(contentsOf: corpusDir.appendingPathComponent(name), encoding: .utf8) else { return nil }
    return text.split(separator: "\n").compactMap { l in
      if l.hasPrefix("#") || l.hasPrefix("text\t") { return nil }
      return l.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
    }
  }

  static func addGrain(_ d: Day, _ grain: String) -> Day {
    switch grain {
    case "day": return d + 1
    case "week": return d + 7
    default:
      let months = grain == "month" ? 1 : grain == "quarter" ? 3 : 12
      return Day.firstOfMonth(index: d.monthIndex + months)
    }
  }

  static func isoPrefix(_ s: String) -> Bool {
    let a = Array(s.utf8)
    return a.count >= 5 && a[0..<4].allSatisfy { $0 >= 48 && $0 <= 57 } && a[4] == 45
  }

  static func duckling(_ name: String, _ lang: String) -> [Row]? {
    guard let rows = lines(name) else { return nil }
    let grains: Set<String> = ["day", "week", "month", "quarter", "year"]
    let ref = Day(year: 2013, month: 2, day: 12)
    var out: [Row] = []
    for f in rows {
      guard f.count >= 3, f[2] == "yes" else { continue }
      let note = f.count > 4 ? f[4] : ""
      if note.contains("after the reference") || note.contains("latent") { continue }
      let exp = f[1].split(separator: " ").map(String.init)
      guard exp.count == 2, grains.contains(exp[1]), isoPrefix(exp[0]) else { continue }
      let span = exp[0]
      var s: Day
      var e: Day
      if span.contains("/") {
        let ab = span.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard ab.count == 2, ab[0] != "..", ab[1] != "..", isoPrefix(ab[1]),
          let a = Day(iso: String(ab[0].prefix(10))), let b = Day(iso: String(ab[1].prefix(10)))
        else { continue }
        s = a
        e = b - 1
      } else {
        guard let a = Day(iso: String(span.prefix(10))) else { continue }
        s = a
        e = addGrain(a, exp[1]) - 1
      }
      if e > ref { continue }
      out.append(Row(lang: lang, text: f[0], today: ref, start: s, end: e))
    }
    return out
  }

  static func jionlp(_ name: String) -> [Row]? {
    guard let rows = lines(name) else { return nil }
    guard
      let re = try? NSRegularExpression(
        pattern: #"^\[(\d{4}-\d\d-\d\d)T00:00:00, (\d{4}-\d\d-\d\d)T23:59:59\] time_(point|span) accurate"#)
    else { return nil }
    var out: [Row] = []
    for f in rows {
      guard f.count >= 5, f[2] == "yes", f[3].hasPrefix("JioNLP") else { continue }
      let ns = f[1] as NSString
      guard let m = re.firstMatch(in: f[1], range: NSRange(location: 0, length: ns.length)),
        let s = Day(iso: ns.substring(with: m.range(at: 1))), let e = Day(iso: ns.substring(with: m.range(at: 2))),
        let ref = Day(iso: String(f[4].prefix(10)))
      else { continue }
      if e > ref { continue }
      out.append(Row(lang: "zh", text: f[0], today: ref, start: s, end: e))
    }
    return out
  }

  // The contract's readings (time_corpus.py: ROLLING, AGO, rolling(), ago()).
  static let num = #"(\d+|[一二两兩三四五六七八九十]+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"#
  static let rollingRE = try? NSRegularExpression(
    pattern: #"\b(last|past)\s+"# + num + #"\b|(最近|近|过去|過去)"# + num, options: [.caseInsensitive])
  static let agoRE = try? NSRegularExpression(
    pattern: num + #"\s*(个|個)?\s*(天|日|周|週|星期|礼拜|禮拜|月|年)(之)?(前|以前)|"# + num + #"\s+(day|week|month|year)s?\s+ago"#,
    options: [.caseInsensitive])

  static func number(_ t: String) -> Int? {
    let t = t.lowercased()
    if let v = Int(t) { return v }
    let words = [
      "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
      "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    ]
    if let v = words[t] { return v }
    let cn: [Character: Int] = ["一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9]
    if t == "十" { return 10 }
    if let i = t.firstIndex(of: "十") {
      let a = t[..<i]
      let b = t[t.index(after: i)...]
      return (a.isEmpty ? 1 : (a.first.flatMap { cn[$0] } ?? 1)) * 10 + (b.isEmpty ? 0 : (b.first.flatMap { cn[$0] } ?? 0))
    }
    return t.count == 1 ? t.first.flatMap { cn[$0] } : nil
  }

  static func agoReadings(_ text: String, _ t: Day) -> Set<DateRange> {
    let ns = text as NSString
    guard let re = agoRE, let m = re.firstMatch(in: text, range: NSRange(location: 0, length: ns.length)) else {
      return []
    }
    func group(_ i: Int) -> String? {
      let r = m.range(at: i)
      return r.location == NSNotFound ? nil : ns.substring(with: r)
    }
    guard let n = number(group(1) ?? group(6) ?? "") else { return [] }
    let unit = (group(3) ?? group(7) ?? "").lowercased()
    switch unit {
    case "天", "日", "day":
      return [DateRange(t - n, t - n)]
    case "周", "週", "星期", "礼拜", "禮拜", "week":
      let d = t - 7 * n
      let mon = d - (d.weekday - 1)
      return [DateRange(mon, mon + 6)]
    case "月", "month":
      let idx = t.monthIndex - n
      return [DateRange(Day.firstOfMonth(index: idx), Day.lastOfMonth(index: idx))]
    case "年", "year":
      return [DateRange(Day(year: t.year - n, month: 1, day: 1), Day(year: t.year - n, month: 12, day: 31))]
    default:
      return []
    }
  }

  static func rollingReadings(_ s: Day, _ e: Day, _ t: Day) -> Set<DateRange> {
    var out: Set<DateRange> = [DateRange(t - (e - s), t)]
    if s.civil.day == 1 && (e + 1).civil.day == 1 {
      let n = e.monthIndex - s.monthIndex + 1
      let idx = t.monthIndex - n
      let first = Day.firstOfMonth(index: idx)
      let c = first.civil
      if Day.isValid(year: c.year, month: c.month, day: t.civil.day) {
        out.insert(DateRange(Day(year: c.year, month: c.month, day: t.civil.day) + 1, t))
      }
    }
    return out
  }

  /// The engine's own Normalizer with the traditional → simplified pairs of
  /// grammars/normalize/traditional.rules.
  static func folder() -> (String) -> [Unicode.Scalar] {
    var folds: [Character: Character] = [:]
    let url = TimeGrammarFixture.grammars.appendingPathComponent("normalize/traditional.rules")
    for r in (try? RuleFile.load(url)) ?? [] where r.kind == "fold" {
      for p in r.phrases {
        let cs = Array(p)
        if cs.count == 2 { folds[cs[0]] = cs[1] }
      }
    }
    let normalizer = Normalizer(folds: folds)
    return { normalizer.scalars($0) }
  }

  func testAgreementWithThirdPartyCorpora() throws {
    guard TestData.sharedPath("corpora/time") != nil else { throw XCTSkip("../shared/corpora/time is not there") }
    guard let zh = Self.duckling("zh_time.tsv", "zh"), let en = Self.duckling("en_time.tsv", "en"),
      let extra = Self.jionlp("zh_dates_extra.tsv")
    else { throw XCTSkip("../shared/corpora/time is not there") }
    let rows = zh + en + extra
    let r = try TimeGrammarFixture.recognizer()
    let fold = Self.folder()
    var ok = 0
    var failures: [String: [String]] = [:]
    var partial: [String] = []
    for row in rows {
      let question = row.lang == "zh" ? "\(row.text)的销售额" : "sales \(row.text)"
      let q = fold(question)
      let phraseRange = row.lang == "zh" ? (0, fold(row.text).count) : (6, q.count)
      let want = DateRange(row.start, row.end)
      let at = "\(row.lang) “\(row.text)” today=\(row.today) want \(want)"
      let ms = r.matches(in: q)
      guard let m = ms.max(by: { ($0.end - $0.start) < ($1.end - $1.start) }) else {
        failures["no match", default: []].append(at)
        continue
      }
      guard let got = TimeResolution.resolve(m.expr, today: row.today) else {
        failures["no period", default: []].append("\(at): \(m.expr)")
        continue
      }
      var good = got == want
      if !good && Self.rollingRE?.firstMatch(in: row.text, range: NSRange(location: 0, length: (row.text as NSString).length)) != nil {
        good = Self.rollingReadings(row.start, row.end, row.today).contains(got)
      }
      if !good { good = Self.agoReadings(row.text, row.today).contains(got) }
      if good {
        ok += 1
        if (m.start, m.end) != phraseRange || ms.count > 1 {
          partial.append("\(at): matched “\(String(String.UnicodeScalarView(q[m.start..<m.end])))”")
        }
      } else {
        failures["wrong period", default: []].append("\(at), got \(got): \(m.expr) [\(m.rule)]")
      }
    }
    let rate = Double(ok) / Double(max(rows.count, 1))
    var report = "third-party time corpora: \(ok) of \(rows.count) agree (\(String(format: "%.1f", rate * 100))%)\n"
    for (kind, list) in failures.sorted(by: { $0.key < $1.key }) {
      report += "-- \(kind) (\(list.count))\n" + list.map { "   \($0)" }.joined(separator: "\n") + "\n"
    }
    if !partial.isEmpty {
      report += "-- agreeing, but the phrase was not covered whole (\(partial.count))\n"
        + partial.map { "   \($0)" }.joined(separator: "\n") + "\n"
    }
    print(report)
    XCTAssertGreaterThanOrEqual(rate, 0.90, report)
  }
}
