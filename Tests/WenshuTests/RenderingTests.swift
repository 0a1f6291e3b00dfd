// Rendering tests: display width, number formats, the table, CSV and Markdown renderers, and
// the terminal charts (card, bars, line, sparkline, grid) in Unicode and ASCII.

import QueryModel
import Rendering
import XCTest

final class RenderingTests: XCTestCase {
  // MARK: - Fixtures

  private func key(_ id: String, _ title: String, _ format: ValueFormat = .label) -> ResultColumn {
    ResultColumn(id: id, title: title, format: format, isKey: true)
  }

  private func figure(_ id: String, _ title: String, _ format: ValueFormat) -> ResultColumn {
    ResultColumn(id: id, title: title, format: format, isKey: false)
  }

  /// Sales and repeat rate by region, with an unknown region.
  private var regions: ResultTable {
    ResultTable(
      columns: [key("region", "地区"), figure("sales", "销售额", .money), figure("repeat_rate", "复购率", .rate)],
      rows: [
        [.string("华东"), .double(1_234_567.891), .double(0.3216)],
        [.string("North China"), .double(523_000), .double(0.05)],
        [.null, .double(12), .null],
        [.string("ＡＢＣ全角"), .int(-4_500), .double(1)],
      ],
      shape: .breakdown,
      notes: ["复购: 购买两次及以上"])
  }

  private func sales(by regions: [(String?, Double?)], shape: ResultShape = .breakdown) -> ResultTable {
    ResultTable(
      columns: [key("region", "地区"), figure("sales", "销售额", .money)],
      rows: regions.map { [$0.0.map(Value.string) ?? .null, $0.1.map(Value.double) ?? .null] },
      shape: shape)
  }

  private var monthlySales: ResultTable {
    let amounts: [Double?] = [1_002_000, 1_250_000.5, 980_000, 1_400_000, nil, 1_600_000, 2_006_670.69, 1_500_000]
    return ResultTable(
      columns: [key("month", "月份", .period), figure("sales", "销售额", .money)],
      rows: amounts.enumerated().map { [.string("2026-0\($0.offset + 1)"), $0.element.map(Value.double) ?? .null] },
      shape: .series)
  }

  private var cohorts: ResultTable {
    ResultTable(
      columns: [
        key("cohort", "首购月份", .period), figure("m0", "M0", .rate), figure("m1", "M1", .rate), figure("m2", "M2", .rate),
      ],
      rows: [
        [.string("2026-01"), .double(1), .double(0.413), .double(0.22)],
        [.string("2026-02"), .double(1), .double(0.389), .null],
        [.string("2026-03"), .double(1), .null, .null],
      ],
      shape: .cohort)
  }

  private func lines(_ s: String) -> [Substring] { s.split(separator: "\n", omittingEmptySubsequences: false) }

  private func assertFits(_ s: String?, _ width: Int, file: StaticString = #filePath, line: UInt = #line) {
    guard let s else { return XCTFail("no output", file: file, line: line) }
    for l in lines(s) {
      XCTAssertLessThanOrEqual(DisplayWidth.of(String(l)), width, "too wide: \(l)", file: file, line: line)
    }
  }

  /// The text a table brings itself (titles, string cells, notes), allowed in ASCII output.
  private func dataText(_ t: ResultTable) -> [String] {
    var texts = t.columns.map(\.title) + t.notes
    for row in t.rows {
      for case .string(let s) in row { texts.append(s) }
    }
    return texts
  }

  /// Fails on any non-ASCII character that is not one of the data's own (titles, labels, and
  /// text cut from them).
  private func assertASCII(
    _ s: String?, except data: [String] = [], file: StaticString = #filePath, line: UInt = #line
  ) {
    guard let s else { return XCTFail("no output", file: file, line: line) }
    let allowed = Set(data.flatMap(\.unicodeScalars))
    let strays = s.unicodeScalars.filter { !$0.isASCII && !allowed.contains($0) }
    XCTAssertTrue(strays.isEmpty, "non-ASCII: \(String(String.UnicodeScalarView(strays)))", file: file, line: line)
  }

  // MARK: - Display width

  func testWidthOfASCII() {
    XCTAssertEqual(DisplayWidth.of(""), 0)
    XCTAssertEqual(DisplayWidth.of("Sales 2026"), 10)
    XCTAssertEqual(DisplayWidth.of("a\tb\n"), 2, "control characters take no cell")
  }

  func testWidthOfCJKAndFullWidth() {
    XCTAssertEqual(DisplayWidth.of("华东"), 4)
    XCTAssertEqual(DisplayWidth.of("华东 East"), 9)
    XCTAssertEqual(DisplayWidth.of("ＡＢＣ"), 6, "full-width forms")
    XCTAssertEqual(DisplayWidth.of("１２３"), 6)
    XCTAssertEqual(DisplayWidth.of("，。"), 4, "full-width punctuation")
    XCTAssertEqual(DisplayWidth.of("ｱｲｳ"), 3, "half-width katakana")
    XCTAssertEqual(DisplayWidth.of("한국"), 4)
    XCTAssertEqual(DisplayWidth.of("𠀀"), 2, "CJK extension B")
  }

  func testWidthOfEmoji() {
    XCTAssertEqual(DisplayWidth.of("😀"), 2)
    XCTAssertEqual(DisplayWidth.of("👍🏽"), 2, "skin tone modifier joins its base")
    XCTAssertEqual(DisplayWidth.of("👨‍👩‍👧"), 2, "ZWJ sequence is one grapheme")
    XCTAssertEqual(DisplayWidth.of("🇨🇳"), 2, "flag")
    XCTAssertEqual(DisplayWidth.of("❤️"), 2, "emoji presentation selector")
  }

  func testWidthOfCombiningMarks() {
    XCTAssertEqual(DisplayWidth.of("\u{301}"), 0)
    XCTAssertEqual(DisplayWidth.of("e\u{301}"), 1)
    XCTAssertEqual(DisplayWidth.of("Ame\u{301}lie"), 6)
    XCTAssertEqual(DisplayWidth.of("\u{200B}"), 0, "zero-width space")
    XCTAssertEqual(DisplayWidth.of(scalar: "\u{301}"), 0)
    XCTAssertEqual(DisplayWidth.of(scalar: "华"), 2)
  }

  func testAmbiguousIsNarrow() {
    XCTAssertEqual(DisplayWidth.of("…—─│█"), 5)
  }

  func testPadAndTruncate() {
    XCTAssertEqual(DisplayWidth.pad("华东", to: 6, alignRight: false), "华东  ")
    XCTAssertEqual(DisplayWidth.pad("华东", to: 6, alignRight: true), "  华东")
    XCTAssertEqual(DisplayWidth.pad("华东地区", to: 2, alignRight: true), "华东地区", "padding never cuts")
    XCTAssertEqual(DisplayWidth.truncate("Customer loyalty", to: 9), "Customer…")
    XCTAssertEqual(DisplayWidth.truncate("华东地区", to: 6), "华东…")
    XCTAssertEqual(DisplayWidth.truncate("华东地区", to: 5), "华东…")
    XCTAssertEqual(DisplayWidth.truncate("华东地区", to: 8), "华东地区")
    XCTAssertEqual(DisplayWidth.truncate("abc", to: 0), "")
    XCTAssertEqual(DisplayWidth.truncate("abc", to: 1), "…")
    for w in 0...10 {
      XCTAssertLessThanOrEqual(DisplayWidth.of(DisplayWidth.truncate("华东 region 👍🏽", to: w)), w)
    }
  }

  // MARK: - Numbers

  func testCounts() {
    XCTAssertEqual(NumberFormatting.format(.int(0), .count, .zh), "0")
    XCTAssertEqual(NumberFormatting.format(.int(999), .count, .zh), "999")
    XCTAssertEqual(NumberFormatting.format(.int(1_234), .count, .zh), "1,234")
    XCTAssertEqual(NumberFormatting.format(.int(-1_234_567), .count, .en), "-1,234,567")
    XCTAssertEqual(NumberFormatting.format(.int(Int64.min), .count, .en), "-9,223,372,036,854,775,808")
    XCTAssertEqual(NumberFormatting.format(.double(1_375.6), .count, .en), "1,376")
    XCTAssertEqual(NumberFormatting.grouped(1_000_000), "1,000,000")
  }

  func testMoney() {
    XCTAssertEqual(NumberFormatting.format(.double(2_006_670.69), .money, .zh), "2,006,670.69")
    XCTAssertEqual(NumberFormatting.format(.double(0), .money, .zh), "0.00")
    XCTAssertEqual(NumberFormatting.format(.double(-0.001), .money, .zh), "0.00", "no negative zero")
    XCTAssertEqual(NumberFormatting.format(.double(-1_234.5), .money, .zh), "-1,234.50")
    XCTAssertEqual(NumberFormatting.format(.double(1.005), .money, .zh), "1.01", "rounds the decimal a person sees")
    XCTAssertEqual(NumberFormatting.format(.double(999.995), .money, .zh), "1,000.00")
    XCTAssertEqual(NumberFormatting.format(.int(12), .money, .zh), "12.00")
    XCTAssertEqual(NumberFormatting.format(.double(1e20), .money, .zh), "100,000,000,000,000,000,000.00")
    XCTAssertEqual(NumberFormatting.format(.double(0.00001), .money, .zh), "0.00")
  }

  func testRates() {
    XCTAssertEqual(NumberFormatting.format(.double(0.3216), .rate, .zh), "32.2%")
    XCTAssertEqual(NumberFormatting.format(.double(0.3215898825654923), .rate, .zh), "32.2%")
    XCTAssertEqual(NumberFormatting.format(.double(0.3215), .rate, .zh), "32.2%", "half away from zero")
    XCTAssertEqual(NumberFormatting.format(.double(0.32149), .rate, .zh), "32.1%")
    XCTAssertEqual(NumberFormatting.format(.double(0), .rate, .zh), "0.0%")
    XCTAssertEqual(NumberFormatting.format(.double(1), .rate, .zh), "100.0%")
    XCTAssertEqual(NumberFormatting.format(.int(1), .rate, .zh), "100.0%")
    XCTAssertEqual(NumberFormatting.format(.double(-0.0525), .rate, .zh), "-5.3%")
    XCTAssertEqual(NumberFormatting.format(.double(0.0004), .rate, .zh), "0.0%")
    XCTAssertEqual(NumberFormatting.format(.double(12.5), .rate, .zh), "1,250.0%")
  }

  func testNumbersScoresDates() {
    XCTAssertEqual(NumberFormatting.format(.double(1_234.5), .number, .zh), "1,234.5")
    XCTAssertEqual(NumberFormatting.format(.double(1_234), .number, .zh), "1,234")
    XCTAssertEqual(NumberFormatting.format(.double(2.456), .number, .zh), "2.46")
    XCTAssertEqual(NumberFormatting.format(.double(23), .score, .zh), "23.0")
    XCTAssertEqual(NumberFormatting.format(.double(-7.25), .score, .zh), "-7.3")
    XCTAssertEqual(
      NumberFormatting.format(.int(Int64(Day(year: 2026, month: 11, day: 22).raw)), .date, .zh), "2026-11-22")
    XCTAssertEqual(NumberFormatting.format(.string("2026-11-22"), .date, .zh), "2026-11-22")
    XCTAssertEqual(NumberFormatting.format(.int(4_021), .label, .zh), "4021", "ids keep no separators")
    XCTAssertEqual(NumberFormatting.format(.string("华东"), .label, .zh), "华东")
  }

  func testMissingValues() {
    XCTAssertEqual(NumberFormatting.format(.null, .label, .zh), "(未知)")
    XCTAssertEqual(NumberFormatting.format(.null, .label, .en), "(unknown)")
    XCTAssertEqual(NumberFormatting.format(.null, .period, .zh), "(未知)")
    XCTAssertEqual(NumberFormatting.format(.null, .money, .zh), "—")
    XCTAssertEqual(NumberFormatting.format(.double(.nan), .rate, .en), "—")
    XCTAssertEqual(NumberFormatting.format(.double(.infinity), .money, .en), "∞")
  }

  // MARK: - Table

  func testTableLinesHaveOneWidth() {
    let out = TableRenderer.render(regions, RenderOptions(language: .zh, maxRows: nil))
    let table = lines(out).filter { $0.hasPrefix("┌") || $0.hasPrefix("│") || $0.hasPrefix("├") || $0.hasPrefix("└") }
    XCTAssertEqual(table.count, 8)
    let widths = Set(table.map { DisplayWidth.of(String($0)) })
    XCTAssertEqual(widths.count, 1, out)
    XCTAssertTrue(out.contains("1,234,567.89"))
    XCTAssertTrue(out.contains("32.2%"))
    XCTAssertTrue(out.contains("(未知)"))
    XCTAssertTrue(out.contains("-4,500.00"))
    XCTAssertTrue(out.hasSuffix("复购: 购买两次及以上"), "notes below the table")
  }

  func testTableAlignment() {
    let out = TableRenderer.render(regions, RenderOptions(language: .en, maxRows: nil))
    let row = lines(out).first { $0.contains("North China") }.map(String.init) ?? ""
    XCTAssertTrue(row.hasPrefix("│ North China "), "keys left-aligned: \(row)")
    XCTAssertTrue(row.contains("   523,000.00 │"), "figures right-aligned: \(row)")
    XCTAssertTrue(row.hasSuffix("   5.0% │"), row)
    XCTAssertTrue(out.contains("(unknown)"))
  }

  func testTableCutsRows() {
    let many = sales(by: (1...60).map { ("R\($0)", Double($0)) })
    let zh = TableRenderer.render(many, RenderOptions(language: .zh))
    XCTAssertTrue(zh.contains("… 还有 10 行"), zh)
    XCTAssertFalse(zh.contains("R51"))
    let en = TableRenderer.render(many, RenderOptions(language: .en, maxRows: 59))
    XCTAssertTrue(en.contains("… 1 more row"))
    let all = TableRenderer.render(many, RenderOptions(language: .en, maxRows: nil))
    XCTAssertFalse(all.contains("more row"))
    XCTAssertTrue(all.contains("R60"))
  }

  func testTableFitsTheTerminal() {
    let long = sales(by: [(String(repeating: "很长的地区名称", count: 10), 1), ("East", 2)])
    let out = TableRenderer.render(long, RenderOptions(language: .zh, width: 40))
    assertFits(out, 40)
    XCTAssertTrue(out.contains("…"))
    XCTAssertTrue(out.contains("1.00"), "figures are never cut")
  }

  func testTableNeverCutsPeriodsOrFigures() {
    let t = ResultTable(
      columns: [key("month", "月份", .period)] + (1...8).map { figure("r\($0)", "复购率\($0)", .rate) },
      rows: [[.string("2026-01")] + (1...8).map { _ in .double(0.3216) }],
      shape: .breakdown)
    let out = TableRenderer.render(t, RenderOptions(language: .zh, width: 40))
    XCTAssertTrue(out.contains("│ 2026-01 │"), out)
    XCTAssertEqual(out.split(separator: "32.2%").count, 9, out)
  }

  func testTableASCIIAndEmpty() {
    let out = TableRenderer.render(regions, RenderOptions(language: .en, maxRows: 2, ascii: true))
    assertASCII(out, except: dataText(regions))
    XCTAssertTrue(out.contains("... 2 more rows"))
    let empty = ResultTable(columns: regions.columns, rows: [], shape: .breakdown)
    XCTAssertTrue(TableRenderer.render(empty, RenderOptions(language: .zh)).contains("(无数据)"))
    let nothing = ResultTable(columns: [], rows: [], shape: .list)
    XCTAssertEqual(TableRenderer.render(nothing, RenderOptions(language: .en)), "(no rows)")
  }

  func testTableFlattensControlCharacters() {
    let t = sales(by: [("line\nbreak\u{1B}[31m", 1)])
    let out = TableRenderer.render(t, RenderOptions(language: .en))
    XCTAssertEqual(lines(out).count, 5)
    XCTAssertFalse(out.contains("\u{1B}"))
  }

  func testColourOnlyWhenAsked() {
    XCTAssertFalse(TerminalRenderer.render(regions, RenderOptions()).contains("\u{1B}["))
    XCTAssertTrue(TableRenderer.render(regions, RenderOptions(color: true)).contains("\u{1B}[1m"))
    let bars = ChartRenderer.render(sales(by: [("华东", 3), ("华北", -1)]), RenderOptions(color: true)) ?? ""
    XCTAssertTrue(bars.contains("\u{1B}[36m"))
    XCTAssertTrue(bars.contains("\u{1B}[31m"))
  }

  // MARK: - CSV and Markdown

  func testCSVQuotingAndRawValues() {
    let t = ResultTable(
      columns: [key("name", "Name, full"), figure("rate", "Rate", .rate), figure("n", "N", .count)],
      rows: [
        [.string("Wu, Jr."), .double(0.3216), .int(1_234)],
        [.string("He said \"hi\""), .null, .int(-5)],
        [.string("two\nlines"), .double(.nan), .null],
        [.string("华东"), .double(0.3215898825654923), .int(0)],
      ],
      shape: .list, notes: ["数据截至 2026-11-21"])
    let csv = CSVRenderer.render(t)
    XCTAssertEqual(
      csv,
      #"""
      "Name, full",Rate,N
      "Wu, Jr.",0.3216,1234
      "He said ""hi""",,-5
      "two
      lines",,
      华东,0.32159,0
      # 数据截至 2026-11-21
      """#, "notes follow the records as comment lines")
    let many = sales(by: (1...80).map { ("R\($0)", Double($0)) })
    XCTAssertEqual(lines(CSVRenderer.render(many)).count, 81, "CSV never cuts rows")
  }

  func testMarkdownEscapesPipes() {
    let t = ResultTable(
      columns: [key("name", "Name|alias"), figure("sales", "Sales", .money)],
      rows: [[.string("A|B"), .double(1_234.5)], [.null, .null]],
      shape: .breakdown, notes: ["a note"])
    let md = MarkdownRenderer.render(t, RenderOptions(language: .en))
    let rows = lines(md)
    XCTAssertEqual(rows[0], "| Name\\|alias |    Sales |")
    XCTAssertEqual(rows[1], "| :---------- | -------: |")
    XCTAssertEqual(rows[2], "| A\\|B        | 1,234.50 |")
    XCTAssertEqual(rows[3], "| (unknown)   |        — |")
    XCTAssertEqual(rows.last, "a note")
    let many = sales(by: (1...60).map { ("R\($0)", Double($0)) })
    XCTAssertTrue(MarkdownRenderer.render(many, RenderOptions(language: .zh)).contains("… 还有 10 行"))
  }

  func testMarkdownAlignsChinese() {
    let md = MarkdownRenderer.render(regions, RenderOptions(language: .zh, maxRows: nil))
    let table = lines(md).filter { $0.hasPrefix("|") }
    XCTAssertEqual(Set(table.map { DisplayWidth.of(String($0)) }).count, 1, md)
  }

  // MARK: - Charts

  func testCardShowsTheFigure() {
    let t = ResultTable(
      columns: [figure("repeat_rate", "复购率", .rate)], rows: [[.double(0.3215898825654923)]], shape: .scalar)
    let card = ChartRenderer.render(t, RenderOptions(language: .zh, width: 30))
    XCTAssertTrue(card?.contains("32.2%") ?? false, card ?? "")
    XCTAssertTrue(card?.contains("复购率") ?? false)
    assertFits(card, 30)
    XCTAssertEqual(Set(lines(card ?? "").map { DisplayWidth.of(String($0)) }).count, 1, "a closed box")
  }

  func testCardWithComparison() {
    let t = ResultTable(
      columns: [key("period", "期间", .period), figure("sales", "销售额", .money)],
      rows: [[.string("本月"), .double(1_200)], [.string("上月"), .double(1_000)]],
      shape: .comparison)
    let card = ChartRenderer.render(t, RenderOptions(language: .zh)) ?? ""
    XCTAssertTrue(card.contains("1,200.00"), card)
    XCTAssertTrue(card.contains("上月 1,000.00"), card)
    XCTAssertTrue(card.contains("变化 +20.0%"), card)
    let rates = ResultTable(
      columns: [figure("now", "本月复购率", .rate), figure("before", "上月复购率", .rate)],
      rows: [[.double(0.322), .double(0.301)]], shape: .comparison)
    let rateCard = ChartRenderer.render(rates, RenderOptions(language: .en)) ?? ""
    XCTAssertTrue(rateCard.contains("change +2.1 pp"), rateCard)
  }

  func testCardOfNothing() {
    let empty = ResultTable(columns: [figure("sales", "Sales", .money)], rows: [], shape: .scalar)
    XCTAssertTrue(ChartRenderer.render(empty, RenderOptions(language: .en))?.contains("—") ?? false)
    let null = ResultTable(columns: [figure("sales", "Sales", .money)], rows: [[.null]], shape: .scalar)
    let card = ChartRenderer.render(null, RenderOptions(language: .en, ascii: true)) ?? ""
    XCTAssertTrue(card.contains("-"))
    assertASCII(card)
    XCTAssertFalse(card.lowercased().contains("nan"))
  }

  func testBarsShowValuesAndFit() {
    let t = sales(by: [("华东", 1_234_567.89), ("North China", 523_000), (nil, 12), ("西南", 0)])
    for width in [40, 60, 100] {
      let bars = ChartRenderer.render(t, RenderOptions(language: .zh, width: width))
      assertFits(bars, width)
      for value in ["1,234,567.89", "523,000.00", "12.00", "0.00", "(未知)", "华东"] {
        XCTAssertTrue(bars?.contains(value) ?? false, "\(value) missing at width \(width)")
      }
    }
    let bars = ChartRenderer.render(t, RenderOptions(language: .zh)) ?? ""
    XCTAssertTrue(bars.contains("█"))
  }

  func testBarsWithNegativeValues() {
    let t = sales(by: [("Gain", 300), ("Loss", -150.5), ("Flat", 0), ("None", nil)])
    let bars = ChartRenderer.render(t, RenderOptions(language: .en, width: 50)) ?? ""
    assertFits(bars, 50)
    XCTAssertTrue(bars.contains("-150.50"), bars)
    XCTAssertTrue(bars.contains("—"))
    let loss = lines(bars).first { $0.hasPrefix("Loss") }.map(String.init) ?? ""
    let gain = lines(bars).first { $0.hasPrefix("Gain") }.map(String.init) ?? ""
    let lossAxis = loss.firstIndex(of: "│").map { loss.distance(from: loss.startIndex, to: $0) }
    let gainAxis = gain.firstIndex(of: "│").map { gain.distance(from: gain.startIndex, to: $0) }
    XCTAssertNotNil(lossAxis)
    XCTAssertEqual(lossAxis, gainAxis, "one zero axis")
    XCTAssertTrue(loss.contains("█│"), "negative bar ends at the axis: \(loss)")
    XCTAssertTrue(gain.contains("│█"), "positive bar starts at the axis: \(gain)")
  }

  func testBarsOfAllNullsOrZeros() {
    for values: [Double?] in [[nil, nil], [0, 0]] {
      let t = sales(by: zip(["A", "B"], values).map { ($0, $1) })
      let bars = ChartRenderer.render(t, RenderOptions(language: .en)) ?? ""
      XCTAssertFalse(bars.isEmpty)
      XCTAssertFalse(bars.lowercased().contains("nan"))
      XCTAssertFalse(bars.contains("█"))
    }
    XCTAssertNil(ChartRenderer.render(sales(by: []), RenderOptions()), "no bars for no rows")
  }

  func testBarsChoice() {
    let few = sales(by: (1...20).map { ("R\($0)", Double($0)) })
    XCTAssertNotNil(ChartRenderer.render(few, RenderOptions()))
    let many = sales(by: (1...21).map { ("R\($0)", Double($0)) })
    XCTAssertNil(ChartRenderer.render(many, RenderOptions()), "too many categories for auto")
    let forced = ChartRenderer.render(many, RenderOptions(language: .en, maxRows: 10, chart: .bar)) ?? ""
    XCTAssertTrue(forced.contains("… 11 more rows"), forced)
    XCTAssertNil(ChartRenderer.render(few, RenderOptions(chart: .none)))
    XCTAssertNil(ChartRenderer.render(regions, RenderOptions()), "two figures: a table")
    let list = ResultTable(columns: [key("id", "客户")], rows: [[.int(1)]], shape: .list)
    XCTAssertNil(ChartRenderer.render(list, RenderOptions()))
  }

  func testBarsASCII() {
    let t = sales(by: [("East", 300), ("West", -100), ("North", nil)])
    let bars = ChartRenderer.render(t, RenderOptions(language: .en, ascii: true))
    assertASCII(bars, except: dataText(t))
    XCTAssertTrue(bars?.contains("#") ?? false)
    XCTAssertTrue(bars?.contains("300.00") ?? false)
  }

  func testLineChart() {
    for width in [50, 100] {
      let chart = ChartRenderer.render(monthlySales, RenderOptions(language: .zh, width: width))
      assertFits(chart, width)
      let text = chart ?? ""
      XCTAssertTrue(text.contains("销售额"), "y axis title")
      XCTAssertTrue(text.contains("月份"), "x axis title")
      XCTAssertTrue(text.contains("2026-01"), "first period")
      XCTAssertTrue(text.contains("2,006,670.69"), "highest value, formatted")
      XCTAssertTrue(text.contains("980,000.00"), "lowest value, formatted")
      XCTAssertTrue(text.contains("最近 1,500,000.00 (2026-08)"), text)
      XCTAssertTrue(text.contains("┤"))
    }
  }

  func testLineChartASCIIAndFlat() {
    let chart = ChartRenderer.render(monthlySales, RenderOptions(language: .en, ascii: true, width: 70))
    assertASCII(chart, except: dataText(monthlySales))
    assertFits(chart, 70)
    let flat = ResultTable(
      columns: [key("month", "Month", .period), figure("orders", "Orders", .count)],
      rows: (1...5).map { [.string("M\($0)"), .int(7)] }, shape: .series)
    let flatChart = ChartRenderer.render(flat, RenderOptions(language: .en)) ?? ""
    XCTAssertTrue(flatChart.contains("7"), flatChart)
    XCTAssertFalse(flatChart.lowercased().contains("nan"))
    let nulls = ResultTable(
      columns: flat.columns, rows: [[.string("M1"), .null], [.string("M2"), .null]], shape: .series)
    XCTAssertNil(ChartRenderer.render(nulls, RenderOptions()), "no line without a value")
    XCTAssertTrue(TerminalRenderer.render(nulls, RenderOptions(language: .en)).contains("—"))
  }

  func testLongSeriesFits() {
    let days = ResultTable(
      columns: [key("day", "Day", .date), figure("orders", "Orders", .count)],
      rows: (0..<365).map { [.int(Int64(20_454 + $0)), .int(Int64(($0 * 37) % 101))] }, shape: .series)
    let chart = ChartRenderer.render(days, RenderOptions(language: .en, width: 80))
    assertFits(chart, 80)
    XCTAssertTrue(chart?.contains("2026-01-01") ?? false, chart ?? "")
  }

  func testSparkline() {
    XCTAssertEqual(ChartRenderer.sparkline([1, 2, 4, 8, nil, 3], ascii: false).count, 6)
    XCTAssertEqual(ChartRenderer.sparkline([0, 7], ascii: false), "▁█")
    XCTAssertEqual(ChartRenderer.sparkline([0, 7], ascii: true), ".@")
    XCTAssertEqual(ChartRenderer.sparkline([], ascii: false), "")
    XCTAssertEqual(ChartRenderer.sparkline([nil, nil], ascii: false), "  ")
    XCTAssertEqual(ChartRenderer.sparkline([5, 5, 5], ascii: false), "▄▄▄")
    XCTAssertEqual(ChartRenderer.sparkline([.nan, 1], ascii: true).count, 2)
    let compact = ChartRenderer.render(monthlySales, RenderOptions(language: .zh, width: 80, compact: true)) ?? ""
    XCTAssertEqual(lines(compact).count, 1)
    XCTAssertTrue(compact.contains("1,500,000.00"), compact)
    assertFits(compact, 80)
    assertFits(ChartRenderer.render(monthlySales, RenderOptions(language: .zh, width: 20, compact: true)), 20)
  }

  func testCohortGrid() {
    for width in [40, 100] {
      let grid = ChartRenderer.render(cohorts, RenderOptions(language: .zh, width: width))
      assertFits(grid, width)
      XCTAssertTrue(grid?.contains("100.0%") ?? false, grid ?? "")
      XCTAssertTrue(grid?.contains("首购月份") ?? false)
    }
    let grid = ChartRenderer.render(cohorts, RenderOptions(language: .zh)) ?? ""
    XCTAssertTrue(grid.contains("41.3%") && grid.contains("22.0%") && grid.contains("38.9%"), grid)
    XCTAssertTrue(grid.contains("█"))
    let ascii = ChartRenderer.render(cohorts, RenderOptions(language: .en, ascii: true))
    assertASCII(ascii, except: dataText(cohorts))
    XCTAssertTrue(ascii?.contains("#") ?? false)
    let narrow = ChartRenderer.render(cohorts, RenderOptions(language: .en, width: 30)) ?? ""
    XCTAssertTrue(narrow.contains("more column"), narrow)
  }

  func testCohortGridKeepsTheSizeColumnPlain() {
    let t = ResultTable(
      columns: [
        key("cohort", "首购月", .period), figure("cohort_size", "首购客户数", .count),
        figure("m1", "第1月", .rate), figure("m2", "第2月", .rate),
      ],
      rows: [
        [.string("2026-01"), .int(1_200), .double(0.413), .double(0.22)],
        [.string("2026-02"), .int(98), .double(0.389), .null],
        [.string("2026-03"), .int(75), .null, .null],
      ],
      shape: .cohort)
    let grid = ChartRenderer.render(t, RenderOptions(language: .zh)) ?? ""
    let rows = lines(grid)
    XCTAssertTrue(rows[0].hasPrefix("首购月") && rows[0].contains("首购客户数") && rows[0].hasSuffix("第2月"), grid)
    XCTAssertTrue(rows[1].hasPrefix("2026-01") && rows[1].contains("1,200 ") && rows[1].hasSuffix("22.0%"), grid)
    XCTAssertEqual(rows[3], "2026-03         75", grid)
    XCTAssertTrue(grid.contains("░▒▓█ 由浅到深：0.0% 到 41.3%（越深越高）；空白是还没到的月份"), "the legend says what shades mean, over the rates only: \(grid)")
    assertFits(ChartRenderer.render(t, RenderOptions(language: .zh, width: 30)), 30)
  }

  func testCohortGridNarrowsShadesBeforeDroppingColumns() {
    let months = (1...10).map { figure("m\($0)", "第\($0)月", .rate) }
    let t = ResultTable(
      columns: [key("cohort", "首购月", .period), figure("cohort_size", "首购客户数", .count)] + months,
      rows: [[.string("2026-01"), .int(285)] + (1...10).map { .double(0.4 - Double($0) * 0.03) }],
      shape: .cohort)
    let grid = ChartRenderer.render(t, RenderOptions(language: .zh, width: 100)) ?? ""
    assertFits(grid, 100)
    XCTAssertFalse(grid.contains("还有"), grid)
    XCTAssertTrue(grid.contains("第10月") && grid.contains("10.0%") && grid.contains("285"), grid)
  }

  func testCohortGridFromLongTable() {
    let long = ResultTable(
      columns: [
        key("cohort", "Cohort", .period), key("after", "Months after", .count), figure("retention", "Retention", .rate),
      ],
      rows: [
        [.string("2026-01"), .int(1), .double(0.4)], [.string("2026-01"), .int(0), .double(1)],
        [.string("2026-02"), .int(0), .double(1)],
      ],
      shape: .cohort)
    let grid = ChartRenderer.render(long, RenderOptions(language: .en)) ?? ""
    let header = lines(grid).first.map(String.init) ?? ""
    XCTAssertTrue(header.hasPrefix("Cohort") && header.hasSuffix("1"), header)
    XCTAssertTrue(grid.contains("40.0%"), grid)
    XCTAssertEqual(lines(grid).filter { $0.hasPrefix("2026-") }.count, 2)
  }

  func testChartsNeverOverflowNorPrintNaN() {
    let columnSets: [[ResultColumn]] = [
      [key("k", "地区"), figure("v", "销售额", .money)],
      [key("k", "Month", .period), figure("v", "Rate", .rate)],
      [key("k", "Cohort", .period), key("m", "After", .count), figure("v", "Retention", .rate)],
      [figure("v", "Orders", .count)],
      [key("k", "Cohort", .period), figure("a", "M0", .rate), figure("b", "M1", .rate)],
    ]
    let valueSets: [[Double?]] = [
      [], [nil], [nil, nil, nil], [0, 0], [-5, -2, -9], [1e300, -1e300, 0], [5e-324, 0, 1e-300],
      [7], (0..<120).map { Double(($0 * 53) % 97) - 20 }, [1, nil, 3, nil, 5],
    ]
    for columns in columnSets {
      for values in valueSets {
        let rows: [[Value]] = values.enumerated().map { i, v in
          columns.map { c in
            if c.isKey {
              return c.id == "m" ? .int(Int64(i % 3)) : .string(i % 4 == 3 ? "很长很长的地区名称 \(i)" : "K\(i / 3)")
            }
            return v.map(Value.double) ?? .null
          }
        }
        for shape in [ResultShape.scalar, .breakdown, .series, .ranking, .list, .cohort, .comparison] {
          let t = ResultTable(columns: columns, rows: rows, shape: shape)
          for width in [12, 20, 33, 60, 100] {
            for chart in [ChartChoice.auto, .bar, .line] {
              for flags in 0..<4 {
                let o = RenderOptions(
                  language: flags % 2 == 0 ? .zh : .en, maxRows: 10, ascii: flags >= 2, chart: chart, width: width,
                  compact: flags == 1)
                guard let out = ChartRenderer.render(t, o) else { continue }
                let context = "\(shape) \(chart) width \(width) flags \(flags) values \(values.count)"
                for l in lines(out) {
                  XCTAssertLessThanOrEqual(DisplayWidth.of(String(l)), width, "\(context): \(l)")
                }
                XCTAssertFalse(out.lowercased().contains("nan"), context)
                if o.ascii && o.language == .en { assertASCII(out, except: dataText(t)) }
                _ = TerminalRenderer.render(t, o)
              }
            }
          }
        }
      }
    }
  }

  func testTerminalComposition() {
    let withTable = TerminalRenderer.render(monthlySales, RenderOptions(language: .zh))
    XCTAssertTrue(withTable.contains("┌"), "a line chart is followed by the table")
    let barsOnly = TerminalRenderer.render(sales(by: [("A", 1)]), RenderOptions(language: .zh))
    XCTAssertFalse(barsOnly.contains("┌"), "single-figure bars show every figure")
    let table = TerminalRenderer.render(regions, RenderOptions(language: .zh, chart: .none))
    XCTAssertEqual(table, TableRenderer.render(regions, RenderOptions(language: .zh)))
  }
}
