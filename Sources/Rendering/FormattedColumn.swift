// Formatted columns: the screen text of a result's cells, made once per column and shared by
// the table, Markdown and chart renderers.
//
// Owns how a cell becomes text on screen: the column's format, (未知)/(unknown) for a missing
// key, control characters flattened, and each cell's display width measured once.

import QueryModel

/// One column's cells as screen text, with their display widths.
struct FormattedColumn {
  var column: ResultColumn
  /// The header, on one line.
  var title: String
  var titleWidth: Int
  var cells: [String]
  var widths: [Int]
  /// True where the value was missing (drawn dim when colour is on).
  var missing: [Bool]

  /// Figures align right, keys left.
  var alignRight: Bool { !column.isKey && column.format != .label && column.format != .period && column.format != .date }

  /// The widest cell, header included.
  var naturalWidth: Int { max(titleWidth, widths.max() ?? 0) }

  /// The widest cell, header excluded.
  var widestCell: Int { widths.max() ?? 0 }

  /// Formats column `index` of the first `rowCount` rows of `t`.
  ///
  /// - Complexity: O(rowCount); the format is looked at once per cell by
  ///   `NumberFormatting`, and each width is measured once.
  init(_ t: ResultTable, column index: Int, rowCount: Int, _ style: Style) {
    column = t.columns[index]
    title = Text.singleLine(column.title)
    titleWidth = DisplayWidth.of(title)
    cells = []
    widths = []
    missing = []
    cells.reserveCapacity(rowCount)
    widths.reserveCapacity(rowCount)
    missing.reserveCapacity(rowCount)
    for r in 0..<rowCount {
      let v = Self.value(t, row: r, column: index)
      let text = Self.text(v, column, style)
      cells.append(text)
      widths.append(DisplayWidth.of(text))
      missing.append(v.isNull)
    }
  }

  /// All columns of the first `rowCount` rows of `t`.
  static func all(_ t: ResultTable, rowCount: Int, _ style: Style) -> [FormattedColumn] {
    t.columns.indices.map { FormattedColumn(t, column: $0, rowCount: rowCount, style) }
  }

  /// The cell at (`row`, `column`); null when a short row lacks it.
  static func value(_ t: ResultTable, row: Int, column: Int) -> Value {
    let cells = t.rows[row]
    return column < cells.count ? cells[column] : .null
  }

  /// Screen text of one value of `column`: a missing key reads (未知)/(unknown) whatever the
  /// key's format.
  static func text(_ v: Value, _ column: ResultColumn, _ style: Style) -> String {
    if column.isKey && v.isNull { return style.unknown }
    return Text.singleLine(NumberFormatting.format(v, column.format, style.language, ascii: style.ascii))
  }

  /// Rows shown on screen: all of them, or `maxRows` (never fewer than zero).
  static func visibleRows(_ t: ResultTable, _ maxRows: Int?) -> Int {
    guard let m = maxRows else { return t.rows.count }
    return min(t.rows.count, max(0, m))
  }
}
