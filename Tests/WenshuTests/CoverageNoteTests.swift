// Coverage notes end to end: each note (a period past the data's last day, a running period,
// a partial last cohort, a partial last unit of a series, a period before the data's first
// day, unequal days in a comparison) is checked in the table, JSON and CSV output of the built
// binary on the retail database (orders 2024-01-01 … 2026-11-21). Also the note about which
// day was taken as today, changes of rates in percentage points, the natural order of age
// bands and member levels, and the all-time label of a customer's last order.

import Engine
import Foundation
import Grammar
import QueryModel
import TestSupport
import XCTest

final class CoverageNoteTests: XCTestCase {
  /// The three outputs of one question: screen table, JSON object, CSV text.
  private struct Outputs {
    var table: String
    var json: [String: Any]
    var csv: String
    var notes: [String] { json["notes"] as? [String] ?? [] }
    var coverage: [String: Any] { json["coverage"] as? [String: Any] ?? [:] }
    var partialRows: [Int] { json["partial_rows"] as? [Int] ?? [] }
  }

  private func ask(_ q: String, today: String, _ extra: [String] = []) throws -> Outputs {
    let db = try Interface.retail()
    func run(_ format: String) throws -> Interface.Result {
      let r = try Interface.run(["ask", "--db", db, "--today", today, "--format", format] + extra + [q])
      XCTAssertEqual(r.status, 0, "\(q) (\(format)): \(r.stderr)")
      return r
    }
    let table = try run("table").out
    let jsonData = try run("json").stdout
    let json = (try JSONSerialization.jsonObject(with: jsonData)) as? [String: Any] ?? [:]
    let csv = try run("csv").out
    return Outputs(table: table, json: json, csv: csv)
  }

  private func assertNote(_ o: Outputs, _ note: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertTrue(o.table.contains(note), "table: \(o.table)", file: file, line: line)
    XCTAssertTrue(o.notes.contains { $0.contains(note) }, "JSON notes: \(o.notes)", file: file, line: line)
    XCTAssertTrue(o.csv.split(separator: "\n").contains { $0.hasPrefix("# ") && $0.contains(note) }, "CSV: \(o.csv)", file: file, line: line)
  }

  func testPeriodPastTheDataLastDay() throws {
    // Without the real date: 上月 on 2026-12-06 is November, whose data stops on the 21st.
    let o = try ask("上月销售额", today: "2026-12-06")
    XCTAssertTrue((o.json["interpretation"] as? String ?? "").hasSuffix(" · 数据截至 2026-11-21"), "\(o.json)")
    XCTAssertTrue(o.table.hasPrefix("上月（2026-11-01 至 2026-11-30） · 销售额 = 订单金额之和 · 数据截至 2026-11-21\n"), o.table)
    assertNote(o, "数据截至 2026-11-21：2026-11-22 至 2026-11-30 没有数据，本期只统计到 2026-11-21。")
    XCTAssertEqual(o.coverage["past_data_end"] as? Bool, true)
    XCTAssertEqual(o.coverage["running"] as? Bool, false)
    XCTAssertEqual(o.coverage["data_end"] as? String, "2026-11-21")
    XCTAssertEqual(o.coverage["data_start"] as? String, "2024-01-01")
    // A month the data covers whole has no note.
    let october = try ask("上月销售额", today: "2026-11-22")
    XCTAssertEqual(october.notes, [])
    XCTAssertFalse(october.csv.contains("\n#"), october.csv)
    XCTAssertEqual(october.coverage["past_data_end"] as? Bool, false)
  }

  func testRunningPeriod() throws {
    // 本月 on the data's last day: the month has not ended, the data covers it to today.
    let o = try ask("本月订单数", today: "2026-11-21")
    assertNote(o, "本月尚未结束：数字只到今天 2026-11-21，是部分数据。")
    XCTAssertEqual(o.coverage["running"] as? Bool, true)
    XCTAssertEqual(o.coverage["past_data_end"] as? Bool, false)
    // The day after: running and past the data's last day, in one note.
    let next = try ask("this month's orders", today: "2026-11-22")
    assertNote(next, "This month is still running and the data ends 2026-11-21: figures cover 2026-11-01 to 2026-11-21 only.")
    XCTAssertTrue((next.json["interpretation"] as? String ?? "").hasSuffix(" · data ends 2026-11-21"))
  }

  func testComparisonOfUnequalDays() throws {
    // Like for like (本月 on the 22nd against Oct 1–22), but the data ends on the 21st.
    let o = try ask("本月销售额环比", today: "2026-11-22")
    assertNote(o, "本期有数据的天数（21 天）与对比期（22 天）不同")
    // Two periods as named (this month to date against the whole of last month).
    let named = try ask("本月和上月的销售额对比", today: "2026-11-22")
    assertNote(named, "本期有数据的天数（21 天）与对比期（31 天）不同")
  }

  func testPartialLastCohort() throws {
    let o = try ask("今年首购客户的月留存率", today: "2026-11-22")
    assertNote(o, "首购月 2026-11 尚未结束（数据只到 2026-11-21），这一组客户还不完整；各行中 2026-11 那一格（每行最后一格）只是部分月份")
    let rows = o.json["rows"] as? [[Any]] ?? []
    XCTAssertEqual(o.partialRows.count, 1)
    XCTAssertEqual(o.partialRows.first.map { rows[$0].first as? String }, "2026-11")
  }

  func testPartialLastUnitOfASeries() throws {
    // Daily sales this month: the 22nd has no data yet; it is drawn dotted, not as a plunge to 0.
    let o = try ask("本月每天的销售额", today: "2026-11-22")
    assertNote(o, "不完整的时段：2026-11-22（数据截至 2026-11-21），那里数字偏低不代表下降。")
    XCTAssertEqual(o.partialRows, [21])
    XCTAssertTrue(o.table.contains("○ ┄ 未完整的时段: 2026-11-22"), o.table)
    XCTAssertTrue(o.table.contains("最低 48,222.24 (2026-11-08)"), "the partial day is not the minimum: \(o.table)")
    XCTAssertTrue(o.table.contains("最近 78,456.79 (2026-11-21)"), o.table)
    // Monthly sales as bars: the running month's bar is light.
    let bars = try ask("今年每月的销售额", today: "2026-11-22", ["--chart", "bar"])
    assertNote(bars, "不完整的时段：2026-11（数据截至 2026-11-21）")
    let november = bars.table.split(separator: "\n").first { $0.hasPrefix("2026-11 ") } ?? ""
    XCTAssertTrue(november.contains("░░░") && !november.contains("█"), bars.table)
    XCTAssertTrue(bars.table.contains("░ 未完整的时段: 2026-11"), bars.table)
  }

  func testPeriodBeforeTheDataFirstDay() throws {
    let o = try ask("最近3年的销售额", today: "2026-11-21")
    assertNote(o, "数据始于 2024-01-01：2023-11-22 至 2023-12-31 没有数据。")
    XCTAssertEqual(o.coverage["before_data_start"] as? Bool, true)
    let none = try ask("2023年的销售额", today: "2026-11-21")
    assertNote(none, "本期（2023-01-01 至 2023-12-31）没有数据：数据范围是 2024-01-01 至 2026-11-21。")
  }

  func testTodayTakenFromTheClockIsSaidOnce() throws {
    let db = try Interface.retail()
    let r = try Interface.run(["ask", "--db", db, "--format", "json", "上月销售额"])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(r.stderr.components(separatedBy: "今天按 ").count, 2, "said once: \(r.stderr)")
    XCTAssertTrue(r.stderr.contains("数据截至 2026-11-21；用 --today YYYY-MM-DD 指定另一天"), r.stderr)
    XCTAssertNotNil(try JSONSerialization.jsonObject(with: r.stdout), "stdout stays one JSON object")
    let given = try Interface.run(["ask", "--db", db, "--today", "2026-12-06", "上月销售额"])
    XCTAssertEqual(given.stderr, "", "nothing to say when --today is given")
  }

  func testChangeOfARateIsInPercentagePoints() throws {
    // 环比 of a running month is like for like: Nov 1–22 against Oct 1–22.
    let o = try ask("本月复购率环比", today: "2026-11-22")
    XCTAssertTrue(o.table.contains("│ 变化 +10.6 个百分点 │"), o.table)
    XCTAssertTrue(o.table.contains("变化率 40.7%"), o.table)
    // The machine forms keep the fraction (six significant digits).
    let rows = o.json["rows"] as? [[Double]] ?? []
    XCTAssertEqual(rows.first?[2], 0.105883)
    XCTAssertEqual(o.csv.split(separator: "\n")[1], "0.366348,0.260465,0.105883,0.406516")
    let en = try ask("this month's repeat purchase rate vs last month", today: "2026-11-22")
    XCTAssertTrue(en.table.contains("change +4.5 pp"), en.table)
  }

  func testAgeBandsAndMemberLevelsInTheirOrder() throws {
    let ages = try ask("各年龄段的客户数", today: "2026-11-22")
    let ageKeys = (ages.json["rows"] as? [[Any]] ?? []).compactMap { $0.first as? String }
    XCTAssertEqual(ageKeys, ["<25", "25–34", "35–44", "45–54", "≥55"])
    let levels = try ask("上月各会员等级的复购率", today: "2026-11-22")
    let levelKeys = (levels.json["rows"] as? [[Any]] ?? []).compactMap { $0.first as? String }
    XCTAssertEqual(levelKeys, ["普通会员", "银卡", "金卡", "钻石"])
    XCTAssertEqual(levels.csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[0] }, ["普通会员", "银卡", "金卡", "钻石"])
    // A ranking keeps the order of its figure.
    let top = try ask("上月销售额最高的会员等级", today: "2026-11-22")
    let topKeys = (top.json["rows"] as? [[Any]] ?? []).compactMap { $0.first as? String }
    XCTAssertEqual(topKeys.first, "钻石", "\(top.json)")
  }

  func testLastOrderIsLabelledAllTime() throws {
    let o = try ask("上月高复购客户有哪些", today: "2026-11-22")
    XCTAssertTrue((o.json["column_titles"] as? [String] ?? []).contains("最后下单日（全部时间）"), "\(o.json)")
  }

  func testOrderRulesAreReadAndChecked() throws {
    let rules = try RuleFile.parse(
      "setting order member_level: bronze | Silver | gold\nsetting order member_level: 铜卡 | 银卡\n", file: "config/order.rules")
    let order = try DimensionOrder(grammar: GrammarSet(rules: rules))
    var t = ResultTable(
      columns: [
        ResultColumn(id: "region", title: "地区", format: .label, isKey: true),
        ResultColumn(id: "member_level", title: "会员等级", format: .label, isKey: true),
        ResultColumn(id: "sales", title: "销售额", format: .money, isKey: false),
      ],
      rows: [
        [.string("华东"), .string("gold"), .int(1)], [.string("华东"), .string("silver"), .int(2)],
        [.string("华东"), .string("platinum"), .int(3)], [.string("华东"), .null, .int(4)],
        [.string("东北"), .string("bronze"), .int(5)], [.string("华东"), .string("铜卡"), .int(6)],
      ],
      shape: .breakdown)
    t.partialRows = [2]
    order.sort(&t, plan: Plan(today: Day(year: 2026, month: 11, day: 22)))
    XCTAssertEqual(t.rows.map { $0[2] }, [.int(5), .int(4), .int(2), .int(1), .int(6), .int(3)],
                   "by region as text, then the declared levels (case-insensitive; lines add up), unknown first, others last")
    XCTAssertEqual(t.partialRows, [5], "a partial row keeps its mark")
    var ranked = Plan(today: Day(year: 2026, month: 11, day: 22))
    ranked.ranking = Ranking(limit: 3, descending: true)
    let before = t.rows
    var shuffled = t
    shuffled.rows.reverse()
    order.sort(&shuffled, plan: ranked)
    XCTAssertEqual(shuffled.rows, before.reversed(), "a ranking keeps its order")
    let bad = try RuleFile.parse("setting order colour: red | blue\n", file: "config/order.rules")
    XCTAssertThrowsError(try DimensionOrder(grammar: GrammarSet(rules: bad))) { e in
      XCTAssertTrue(String(describing: e).hasPrefix("config/order.rules:1:"), "\(e)")
    }
  }
}
