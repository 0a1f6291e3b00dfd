// Numbers for machines: JSON and CSV carry money to the cent and rates to six significant
// digits, never float noise (3280569.059999966). Checked on the rounding rules themselves and
// on every public acceptance case (../shared/acceptance/cases.jsonl), answered in process
// and written exactly as `ask --format json|csv` writes them.

import Engine
import Foundation
import QueryModel
import Rendering
import TestSupport
import XCTest

final class MachineNumberTests: XCTestCase {
  func testRoundingRules() {
    XCTAssertEqual(NumberFormatting.machine(3_280_569.059999966, .money), "3280569.06")
    XCTAssertEqual(NumberFormatting.machine(-232_410.40999999573, .money), "-232410.41")
    XCTAssertEqual(NumberFormatting.machine(12, .money), "12.0")
    XCTAssertEqual(NumberFormatting.machine(1.005, .money), "1.01", "half away from zero on the digits a person sees")
    XCTAssertEqual(NumberFormatting.machine(0.3215898825654923, .rate), "0.32159")
    XCTAssertEqual(NumberFormatting.machine(-0.1158189089810227, .rate), "-0.115819")
    XCTAssertEqual(NumberFormatting.machine(0.04475856612185852, .points), "0.0447586")
    XCTAssertEqual(NumberFormatting.machine(1, .rate), "1.0")
    XCTAssertEqual(NumberFormatting.machine(1e-7, .rate), "0.0000001")
    XCTAssertEqual(NumberFormatting.machine(0, .rate), "0.0")
    XCTAssertEqual(NumberFormatting.machine(1234.567891, .number), "1234.57")
    XCTAssertEqual(NumberFormatting.machine(12_345_678.9, .number), "12345679.0", "a whole part is never cut")
    XCTAssertEqual(NumberFormatting.machine(23.456789, .score), "23.4568")
    XCTAssertNil(NumberFormatting.machine(.nan, .money))
    XCTAssertNil(NumberFormatting.machine(.infinity, .rate))
    for x in [0.1 + 0.2, 2_006_670.6899999974, 46.35000000000001, 0.7541766109785203] {
      for f in [ValueFormat.money, .rate, .points, .number, .score, .count] {
        let text = NumberFormatting.machine(x, f) ?? ""
        XCTAssertLessThanOrEqual(Self.significantDigits(text), 10, "\(x) as \(f): \(text)")
        XCTAssertNotNil(Double(text), text)
      }
    }
  }

  func testCSVAndJSONOfATable() {
    let t = ResultTable(
      columns: [
        ResultColumn(id: "region", title: "地区", format: .label, isKey: true),
        ResultColumn(id: "sales", title: "销售额", format: .money, isKey: false),
        ResultColumn(id: "rate", title: "复购率", format: .rate, isKey: false),
      ],
      rows: [[.string("华东"), .double(3_280_569.059999966), .double(0.3215898825654923)], [.null, .double(.nan), .int(1)]],
      shape: .breakdown)
    XCTAssertEqual(CSVRenderer.render(t), "地区,销售额,复购率\n华东,3280569.06,0.32159\n,,1")
    let a = Answer(question: "q", language: .zh, planned: nil, table: t, refusal: nil)
    let json = AnswerJSON.encode(a)
    XCTAssertTrue(json.contains("\"rows\":[[\"华东\",3280569.06,0.32159],[null,null,1]]"), json)
  }

  /// Every public case, in JSON and CSV: no number with more than 10 significant digits.
  func testEveryPublicCaseHasCleanNumbers() throws {
    let casesURL = TestData.packageRoot.appendingPathComponent("../shared/acceptance/cases.jsonl")
    guard let text = try? String(contentsOf: casesURL, encoding: .utf8) else {
      throw XCTSkip("../shared/acceptance/cases.jsonl not present")
    }
    var checked = 0
    var floats = 0
    for line in text.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).isEmpty {
      guard let c = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
        let db = c["db"] as? String, let q = c["q"] as? String, let todayText = c["today"] as? String,
        let today = Day(iso: todayText)
      else {
        XCTFail("unreadable case: \(line)")
        continue
      }
      guard let path = TestData.shared(db) else { throw XCTSkip("../shared/data/\(db).sqlite not present") }
      let engine = try TestData.engine(path, today: today)
      let a = engine.ask(q, today: today)
      let json = AnswerJSON.encode(a)
      XCTAssertNotNil(try? JSONSerialization.jsonObject(with: Data(json.utf8)), "\(c["id"] ?? q): not JSON")
      for n in Self.jsonNumbers(json) {
        if n.contains(".") || n.contains("e") { floats += 1 }
        XCTAssertLessThanOrEqual(Self.significantDigits(n), 10, "\(c["id"] ?? q) JSON: \(n)")
      }
      if let t = a.table {
        for record in CSVRenderer.render(t).split(separator: "\n") where !record.hasPrefix("#") {
          for field in record.split(separator: ",") where Double(field) != nil {
            XCTAssertLessThanOrEqual(Self.significantDigits(String(field)), 10, "\(c["id"] ?? q) CSV: \(field)")
          }
        }
      }
      checked += 1
    }
    XCTAssertGreaterThanOrEqual(checked, 50)
    XCTAssertGreaterThan(floats, 100, "the cases do write fractional numbers")
  }

  /// The number tokens of a JSON text (outside strings).
  static func jsonNumbers(_ json: String) -> [String] {
    var out: [String] = []
    var inString = false
    var escaped = false
    var current = ""
    for ch in json {
      if inString {
        if escaped { escaped = false } else if ch == "\\" { escaped = true } else if ch == "\"" { inString = false }
        continue
      }
      if ch == "\"" {
        inString = true
      } else if ch.isNumber || ch == "-" || ch == "." || ch == "e" || ch == "E" || ch == "+" {
        current.append(ch)
        continue
      }
      if !current.isEmpty, current.contains(where: \.isNumber) { out.append(current) }
      current = ""
    }
    return out
  }

  /// Significant digits of a decimal text: leading zeros and the exponent do not count, nor do
  /// trailing zeros after the point.
  static func significantDigits(_ text: String) -> Int {
    var mantissa = text.lowercased()
    if let e = mantissa.firstIndex(of: "e") { mantissa = String(mantissa[..<e]) }
    var digits = mantissa.filter(\.isNumber)
    if mantissa.contains(".") { while digits.hasSuffix("0") { digits.removeLast() } }
    while digits.hasPrefix("0") { digits.removeFirst() }
    return digits.count
  }
}
