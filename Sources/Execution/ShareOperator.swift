// SHARE: a named part's share of its whole. The part's table and the whole's table come from
// two aggregate blocks that differ only in the part's filters; rows are matched on the key
// columns the whole keeps (a whole without groupings is one row, shared by every part row).

import QueryModel

enum ShareOperator {
  static func combine(part: ResultTable, whole: ResultTable, language: Language) -> ResultTable {
    let zh = language == .zh
    let wholeKeys = whole.columns.enumerated().filter(\.element.isKey)
    let partKeyIndex: [Int] = wholeKeys.map { k in part.columns.firstIndex { $0.isKey && $0.id == k.element.id } ?? -1 }
    var wholeRows: [[Value]: [Value]] = [:]
    for row in whole.rows { wholeRows[wholeKeys.map { row[$0.offset] }] = row }
    // The figures both blocks computed (not comparison or share columns).
    let figures: [(Int, Int, ResultColumn)] = part.columns.enumerated().compactMap { (i, c) in
      guard !c.isKey, let j = whole.columns.firstIndex(where: { $0.id == c.id && !$0.isKey }) else { return nil }
      return (i, j, c)
    }
    var columns = part.columns
    for (_, _, c) in figures {
      columns.append(ResultColumn(id: c.id + "_whole", title: zh ? "全部\(c.title)" : "all \(c.title)", format: c.format, isKey: false))
      columns.append(ResultColumn(id: c.id + "_share", title: zh ? "\(c.title)占比" : "share of \(c.title)", format: .rate, isKey: false))
    }
    var rows: [[Value]] = []
    for row in part.rows {
      let key = partKeyIndex.map { $0 >= 0 ? row[$0] : .null }
      let w = wholeRows[key]
      var out = row
      for (i, j, _) in figures {
        let whole = w?[j] ?? .null
        out.append(whole)
        if let a = row[i].doubleValue, let b = whole.doubleValue, b != 0 {
          out.append(.double(a / b))
        } else {
          out.append(.null)
        }
      }
      rows.append(out)
    }
    return ResultTable(columns: columns, rows: rows, shape: part.shape, notes: part.notes)
  }
}
