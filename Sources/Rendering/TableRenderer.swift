// Table renderer: an answer as a boxed, aligned table for the terminal.
//
// Owns column widths (display widths, never String.count), alignment (keys left, figures
// right), fitting into the terminal width by cutting text columns with "…", the row limit
// ("… 还有 N 行") and the notes under the table.

import QueryModel

/// Draws a result as a table aligned by display width.
///
///     ┌────────┬──────────────┬────────┐
///     │ 地区   │       销售额 │ 复购率 │
///     ├────────┼──────────────┼────────┤
///     │ 华东   │ 1,234,567.89 │  32.2% │
///     │ (未知) │        12.00 │      — │
///     └────────┴──────────────┴────────┘
///     … 还有 3 行
///
/// With `ascii` the box is drawn with `+`, `-` and `|`.
public enum TableRenderer {
  /// Text columns never shrink below this many cells (or their natural width if narrower).
  static let minimumTextWidth = 6

  /// The table, then "… N more rows" when `maxRows` cut it, then the notes; no trailing newline.
  ///
  /// - Complexity: O(rows × columns) for the rows shown.
  public static func render(_ t: ResultTable, _ o: RenderOptions) -> String {
    let style = Style(o)
    var lines: [String] = []
    let shown = FormattedColumn.visibleRows(t, o.maxRows)
    if t.columns.isEmpty {
      lines.append(style.noRows)
    } else {
      let columns = FormattedColumn.all(t, rowCount: shown, style)
      let widths = fit(columns, into: o.width)
      lines += box(columns, widths: widths, rowCount: shown, style)
      if t.rows.isEmpty { lines.append(style.noRows) }
    }
    if shown < t.rows.count { lines.append(style.moreRows(t.rows.count - shown, of: t.rows.count)) }
    lines += t.notes.map(Text.singleLine)
    return lines.joined(separator: "\n")
  }

  /// Column widths that fit `width` terminal cells when they can: text columns (format
  /// `label`) give up cells, widest first, down to six; other columns only cut their header
  /// to their widest cell, since figures, periods and dates are never cut. A table of many
  /// figures can therefore stay wider than the terminal.
  static func fit(_ columns: [FormattedColumn], into width: Int) -> [Int] {
    var widths = columns.map(\.naturalWidth)
    let minimums = columns.map { c -> Int in
      c.column.format == .label ? min(c.naturalWidth, minimumTextWidth) : max(c.widestCell, 1)
    }
    // Each column takes its cells plus " │ " between columns and "│ " … " │" at the ends.
    var excess = widths.reduce(0, +) + 3 * columns.count + 1 - width
    while excess > 0 {
      var pick = -1
      for j in widths.indices where widths[j] > minimums[j] {
        if pick < 0 || widths[j] > widths[pick] { pick = j }
      }
      if pick < 0 { break }
      widths[pick] -= 1
      excess -= 1
    }
    return widths
  }

  /// The boxed lines: top rule, header, rule, rows, bottom rule.
  private static func box(
    _ columns: [FormattedColumn], widths: [Int], rowCount: Int, _ style: Style
  ) -> [String] {
    let rules: (top: [String], middle: [String], bottom: [String]) =
      style.ascii
      ? (["+", "+", "+"], ["+", "+", "+"], ["+", "+", "+"])
      : (["┌", "┬", "┐"], ["├", "┼", "┤"], ["└", "┴", "┘"])
    func rule(_ glyphs: [String]) -> String {
      glyphs[0] + widths.map { Text.repeated(style.horizontal, $0 + 2) }.joined(separator: glyphs[1]) + glyphs[2]
    }
    let bar = style.vertical
    func line(_ cells: [String]) -> String {
      bar + " " + cells.joined(separator: " " + bar + " ") + " " + bar
    }
    func fitted(_ text: String, measured: Int, _ j: Int) -> String {
      let w = widths[j]
      guard measured > w else {
        return DisplayWidth.pad(text, measured: measured, to: w, alignRight: columns[j].alignRight)
      }
      let cut = DisplayWidth.truncate(text, to: w, ellipsis: style.ellipsis)
      return DisplayWidth.pad(cut, to: w, alignRight: columns[j].alignRight)
    }

    var lines: [String] = []
    lines.reserveCapacity(rowCount + 4)
    lines.append(rule(rules.top))
    lines.append(
      line(
        columns.indices.map { j in
          style.paint(fitted(columns[j].title, measured: columns[j].titleWidth, j), .bold)
        }))
    lines.append(rule(rules.middle))
    for r in 0..<rowCount {
      lines.append(
        line(
          columns.indices.map { j in
            let c = columns[j]
            let text = fitted(c.cells[r], measured: c.widths[r], j)
            return c.missing[r] ? style.paint(text, .dim) : text
          }))
    }
    lines.append(rule(rules.bottom))
    return lines
  }
}
