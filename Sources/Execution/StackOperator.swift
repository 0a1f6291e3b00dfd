// STACK: the rows of several blocks one under another, each under its label in a new key
// column (新老客的销售额: new customers' row, then returning customers'). The blocks differ only
// in the customers they are restricted to, so their columns agree.

import QueryModel

enum StackOperator {
  static func combine(_ parts: [(label: String, table: ResultTable)], key: String, language: Language) -> ResultTable {
    guard let first = parts.first?.table else { return ResultTable(columns: [], rows: [], shape: .breakdown) }
    let title = language == .zh ? "客户类型" : "customer kind"
    let columns = [ResultColumn(id: key, title: title, format: .label, isKey: true)] + first.columns
    var rows: [[Value]] = []
    var notes: [String] = []
    for (label, t) in parts {
      for row in t.rows { rows.append([.string(label)] + row) }
      for n in t.notes where !notes.contains(n) { notes.append(n) }
    }
    return ResultTable(columns: columns, rows: rows, shape: .breakdown, notes: notes)
  }
}
