// End-to-end tests of `wenshu run`: the example question files answered by the built binary on
// the retail database (screen output and Markdown report compared with golden files under
// examples/expected/, figures checked against SQL by hand before they were frozen) and on the
// demo database (every question answered); failures, exit status, follow-ups and formats.

import Foundation
import TestSupport
import XCTest

final class InterfaceRunTests: XCTestCase {
  private let examples = ["daily_loyalty_zh", "weekly_en"]

  private func runExample(_ name: String, db: String) throws -> (Interface.Result, String) {
    let report = FileManager.default.temporaryDirectory.appendingPathComponent("wenshu-report-\(UUID().uuidString).md")
    defer { try? FileManager.default.removeItem(at: report) }
    let r = try Interface.run(["run", "--db", db, "--today", "2026-11-22", "examples/\(name).txt", "--out", report.path])
    let md = String(decoding: (try? Data(contentsOf: report)) ?? Data(), as: UTF8.self)
    return (r, md)
  }

  func testExamplesOnRetailMatchGoldenFiles() throws {
    let db = try Interface.retail()
    for name in examples {
      let (r, md) = try runExample(name, db: db)
      XCTAssertEqual(r.status, 0, "\(name): \(r.stderr)")
      try Interface.assertGolden(r.out, "\(name).retail_cn.txt")
      try Interface.assertGolden(md, "\(name).retail_cn.md")
    }
  }

  /// A few figures of the golden files, as computed with sqlite3 on retail_cn.sqlite.
  func testGoldenFiguresAgreeWithSQL() throws {
    let db = try Interface.retail()
    let (daily, dailyMD) = try runExample("daily_loyalty_zh", db: db)
    // SELECT sum(total_amount), count(*) FROM orders WHERE date(created_at) = '2026-11-21'
    XCTAssertTrue(dailyMD.contains("| 78,456.79 |"))
    XCTAssertTrue(dailyMD.contains("|     58 |"))
    // Repeat rate in October: 32.2% overall, 华东 34.4%, 西北 41.5%.
    XCTAssertTrue(dailyMD.contains("|  32.2% |"))
    XCTAssertTrue(dailyMD.contains("| 华东 |  34.4% |"))
    XCTAssertTrue(dailyMD.contains("| 西北 |  41.5% |"))
    // At-risk diamond members (last order 90–179 days before 2026-11-22): 61.
    XCTAssertTrue(dailyMD.contains("| 钻石     |             61 |"))
    // January 2025 first buyers: 236, of whom 79 ordered in February (33.5%).
    XCTAssertTrue(daily.out.contains("33.5%"))
    // The follow-up 那华东呢 reads as 上月华东的复购率.
    XCTAssertTrue(dailyMD.contains("### 那华东呢\n\n*上月（2026-10-01 至 2026-10-31） · 地区：华东 · 复购率"))

    let (_, weeklyMD) = try runExample("weekly_en", db: db)
    // Last week 2026-11-09 … 11-15: sales 700,182.39 in 535 orders; the week before 535,319.18.
    XCTAssertTrue(weeklyMD.contains("| 700,182.39 |            535,319.18 |"))
    XCTAssertTrue(weeklyMD.contains("|    535 |"))
    // 70 new customers; customer 3697 spent the most (23,064.32).
    XCTAssertTrue(weeklyMD.contains("|            70 |"))
    XCTAssertTrue(weeklyMD.contains("| 3697     | 何涛涛 | 23,064.32 |"))
  }

  func testExamplesAreAllAnsweredOnTheDemoData() throws {
    let db = try TestData.demoPath()
    for name in examples {
      let (r, md) = try runExample(name, db: db)
      XCTAssertEqual(r.status, 0, "\(name) on the demo data: \(r.stderr)")
      XCTAssertFalse(md.contains("\n> "), "\(name): a question was refused on the demo data")
    }
  }

  func testFailuresAreReportedAndEveryQuestionIsAnswered() throws {
    let db = try Interface.retail()
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("wenshu-q-\(UUID().uuidString).txt")
    let report = file.deletingPathExtension().appendingPathExtension("md")
    defer {
      try? FileManager.default.removeItem(at: file)
      try? FileManager.default.removeItem(at: report)
    }
    try """
      # 测试
      上月销售额
      上月的天气怎么样

      ## 追问
      上月各地区的复购率
      那华南呢
      #不是标题的注释
      """.write(to: file, atomically: true, encoding: .utf8)
    let r = try Interface.run(["run", "--db", db, "--today", "2026-11-22", file.path, "--out", report.path])
    XCTAssertEqual(r.status, 2, "a refused question makes the exit status 2")
    XCTAssertTrue(r.stderr.contains("1 of 4"), r.stderr)
    let blocks = r.out.components(separatedBy: "» ")
    XCTAssertEqual(blocks.count, 5, "four questions, each printed with its answer")
    XCTAssertTrue(r.out.contains("» 那华南呢\n上月（2026-10-01 至 2026-10-31） · 地区：华南 · 复购率"))
    XCTAssertTrue(r.out.contains("#不是标题的注释"))
    let md = String(decoding: try Data(contentsOf: report), as: UTF8.self)
    XCTAssertTrue(md.hasPrefix("# 测试\n\n- 日期：2026-11-22\n- 数据库：`../shared/data/retail_cn.sqlite`"), md)
    XCTAssertTrue(md.contains("\n## 上月销售额\n"))
    XCTAssertTrue(md.contains("\n## 上月的天气怎么样\n\n> "), "a refusal is a quote")
    XCTAssertTrue(md.contains("\n## 追问\n\n### 上月各地区的复购率\n"))
    XCTAssertTrue(md.contains("| 华南 |  28.1% |"))
    XCTAssertFalse(md.contains("不是标题"), "a comment without a space is not a heading")
  }

  func testFormatsOfRun() throws {
    let db = try Interface.retail()
    let questions = Data("上月销售额\n\n# x\n上月各渠道的销售额\n".utf8)
    let json = try Interface.run(["run", "--db", db, "--today", "2026-11-22", "--format", "json", "-"], stdin: questions)
    XCTAssertEqual(json.status, 0, json.stderr)
    let objects = Interface.jsonLines(json.stdout)
    XCTAssertEqual(objects.count, 2)
    XCTAssertEqual(objects.first?["question"] as? String, "上月销售额")
    let csv = try Interface.run(["run", "--db", db, "--today", "2026-11-22", "--format", "csv", "-"], stdin: questions)
    XCTAssertTrue(csv.out.contains("渠道,销售额\n小程序,"), csv.out)
    let md = try Interface.run(["run", "--db", db, "--today", "2026-11-22", "--format", "markdown", "-"], stdin: questions)
    XCTAssertTrue(md.out.hasPrefix("# 问数报告：标准输入"), md.out)
    XCTAssertTrue(md.out.contains("| :------- | "), md.out)
  }

  func testMissingFileIsAClearError() throws {
    let r = try Interface.run(["run", "--db", try Interface.retail(), "no/such/questions.txt"])
    XCTAssertEqual(r.status, 1)
    XCTAssertTrue(r.stderr.contains("cannot read the question file no/such/questions.txt"), r.stderr)
  }
}
