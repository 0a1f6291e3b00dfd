// DIFFERENCE: two values of one dimension side by side with A − B (线上商城的客单价比门店高
// 多少). The input is a breakdown limited to the two values; the answer is one row: A's
// figure, B's figure, and the signed difference (percentage points for rates).

import QueryModel

public enum DifferenceOperator {
  public static func combine(_ t: ResultTable, dimension: DimensionID, a: String, b: String, language: Language) -> ResultTable {
    let zh = language == .zh
    guard let keyAt = t.columns.firstIndex(where: { $0.isKey && $0.id == dimension.rawValue }),
      let valueAt = t.columns.firstIndex(where: { !$0.isKey })
    else { return t }
    let figure = t.columns[valueAt]
    func value(_ name: String) -> Value {
      t.rows.first { if case .string(let s) = $0[keyAt] { return s == name }; return false }?[valueAt] ?? .null
    }
    let va = value(a), vb = value(b)
    let diff: Value = va.doubleValue.flatMap { x in vb.doubleValue.map { .double(x - $0) } } ?? .null
    let columns = [
      ResultColumn(id: figure.id + "_a", title: "\(a) \(figure.title)", format: figure.format, isKey: false),
      ResultColumn(id: figure.id + "_b", title: "\(b) \(figure.title)", format: figure.format, isKey: false),
      ResultColumn(id: figure.id + "_difference", title: zh ? "差值（\(a) − \(b)）" : "difference (\(a) − \(b))",
                   format: figure.format == .rate ? .points : (figure.format == .count ? .number : figure.format), isKey: false),
    ]
    var notes = t.notes
    if va.isNull || vb.isNull {
      notes.append(zh ? "\(va.isNull ? a : b) 在这段时间没有数据。" : "\(va.isNull ? a : b) has no data in this period.")
    }
    return ResultTable(columns: columns, rows: [[va, vb, diff]], shape: .comparison, notes: notes)
  }
}
