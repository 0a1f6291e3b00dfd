// Grid: a cohort table shaded by value, each cell with its figure.
//
// Owns the cohort chart: rows are cohorts, columns the periods after the start, each cell a
// shade (░▒▓█, or .:+# in ASCII) in front of its value in the column's format. Reads both a
// wide table (one key, one figure column per period, after optional figures of another
// format such as the cohort's size, shown plain) and a long one (cohort key, period key, one
// figure), which it pivots.

import QueryModel

extension ChartRenderer {
  /// A shaded grid:
  ///
  ///     首购月  首购客户数    第1月    第2月
  ///     2026-01        120 ██ 41.3% ▓▓ 22.0%
  ///     2026-02         98 ██ 38.9%
  ///     2026-03         75
  ///     色块 ░▒▓█ 由浅到深：0.0% 到 41.3%（越深越高）；空白是还没到的月份
  ///
  /// Missing cells (periods not reached yet) stay blank. When not every column fits, shades
  /// narrow to one cell; columns that still do not fit are left out with "… N more columns",
  /// rows beyond `maxRows` with "… N more rows". nil when the table has neither layout, no
  /// row, or no room for one column.
  static func grid(_ t: ResultTable, _ o: RenderOptions) -> Chart? {
    let style = Style(o)
    guard let cohort = Cohort(t, style), !cohort.rowLabels.isEmpty, !cohort.columnTitles.isEmpty else { return nil }
    let shades = style.ascii ? [" ", ".", ":", "+", "#"] : [" ", "░", "▒", "▓", "█"]
    let rowCount = min(cohort.rowLabels.count, o.maxRows.map { max(0, $0) } ?? Int.max)

    // Cell texts and the shading range over the whole grid.
    var texts = [[String]]()
    var lo = 0.0
    var hi = -Double.infinity
    for r in 0..<cohort.rowLabels.count {
      texts.append(
        cohort.columnTitles.indices.map { c in
          let v = cohort.values[r][c]
          if let d = v.doubleValue, d.isFinite {
            lo = min(lo, d)
            hi = max(hi, d)
          }
          return v.isNull ? "" : FormattedColumn.text(v, cohort.formats[c], style)
        })
    }

    // Widths: row labels, plain side columns, grid cells (a two-cell shade, or one when that
    // lets every column fit); side columns are dropped when not even one grid column fits.
    let valueWidth = texts.prefix(rowCount).flatMap { $0.map(DisplayWidth.of) }.max() ?? 0
    let titleWidth = min(12, cohort.columnTitles.map(DisplayWidth.of).max() ?? 0)
    let naturalLabel = max(
      DisplayWidth.of(cohort.keyTitle), cohort.rowLabels.prefix(rowCount).map(DisplayWidth.of).max() ?? 0)
    let labelWidth = min(naturalLabel, max(6, o.width / 4))
    var side = cohort.side.map { FormattedColumn(t, column: $0, rowCount: rowCount, style) }
    var shadeWidth = 2
    var cellWidth = 0
    func fittingColumns() -> Int {
      cellWidth = max(valueWidth + shadeWidth + 1, titleWidth)
      let sideWidth = side.reduce(0) { $0 + 1 + $1.naturalWidth }
      return (o.width - labelWidth - sideWidth) / (cellWidth + 1)
    }
    var fitting = fittingColumns()
    if fitting < cohort.columnTitles.count {
      shadeWidth = 1
      fitting = fittingColumns()
    }
    while fitting < 1 && !side.isEmpty {
      side.removeLast()
      fitting = fittingColumns()
    }
    guard fitting >= 1 else { return nil }
    let shown = min(fitting, cohort.columnTitles.count)

    func level(_ v: Value) -> Int {
      guard let d = v.doubleValue, d.isFinite else { return 0 }
      guard hi > lo else { return d != 0 ? 4 : 0 }
      let fraction = (d - lo) / (hi - lo)
      return fraction > 0 ? 1 + clampedInt(fraction * 4, 0...3, rule: .down) : 0
    }
    func label(_ s: String) -> String {
      DisplayWidth.pad(
        DisplayWidth.truncate(s, to: labelWidth, ellipsis: style.ellipsis), to: labelWidth, alignRight: false)
    }

    var lines: [String] = []
    var header = label(cohort.keyTitle)
    for c in side {
      header += " " + DisplayWidth.pad(c.title, measured: c.titleWidth, to: c.naturalWidth, alignRight: true)
    }
    for c in 0..<shown {
      let title = DisplayWidth.truncate(cohort.columnTitles[c], to: cellWidth, ellipsis: style.ellipsis)
      header += " " + DisplayWidth.pad(title, to: cellWidth, alignRight: true)
    }
    lines.append(style.paint(Text.trimmingTrailingSpaces(header), .bold))
    for r in 0..<rowCount {
      var line = label(cohort.rowLabels[r])
      for c in side {
        line += " " + DisplayWidth.pad(c.cells[r], measured: c.widths[r], to: c.naturalWidth, alignRight: true)
      }
      for c in 0..<shown {
        let v = cohort.values[r][c]
        if v.isNull {
          line += Text.spaces(cellWidth + 1)
          continue
        }
        let shade = Text.repeated(shades[level(v)], shadeWidth)
        line +=
          " " + Text.spaces(cellWidth - valueWidth - shadeWidth - 1) + style.paint(shade, .green) + " "
          + DisplayWidth.pad(texts[r][c], to: valueWidth, alignRight: true)
      }
      lines.append(Text.trimmingTrailingSpaces(line))
    }
    if cohort.rowLabels.count > rowCount {
      let more = style.moreRows(cohort.rowLabels.count - rowCount, of: cohort.rowLabels.count)
      lines.append(DisplayWidth.truncate(more, to: o.width, ellipsis: style.ellipsis))
    }
    if cohort.columnTitles.count > shown {
      lines.append(DisplayWidth.truncate(style.moreColumns(cohort.columnTitles.count - shown), to: o.width, ellipsis: style.ellipsis))
    }
    if hi > lo, Set(cohort.formats.map(\.format)).count == 1, let format = cohort.formats.first {
      let low = FormattedColumn.text(.double(lo), format, style)
      let high = FormattedColumn.text(.double(hi), format, style)
      let legend = style.shadeLegend(style.paint(shades[1...].joined(), .green), low: low, high: high)
      lines.append(DisplayWidth.truncate(legend, to: o.width, ellipsis: style.ellipsis))
    }
    let complete = shown == cohort.columnTitles.count && side.count == cohort.side.count
    return Chart(lines: lines, complete: complete)
  }

  /// A cohort table as a matrix: row labels (cohorts), column titles (periods after), values,
  /// and the table's other figures shown plain beside the labels.
  struct Cohort {
    var keyTitle: String
    var rowLabels: [String]
    var columnTitles: [String]
    /// The column each grid column's values are formatted by.
    var formats: [ResultColumn]
    /// values[row][column]; null where the table has no cell.
    var values: [[Value]]
    /// Table columns shown unshaded between the labels and the grid (wide layout only).
    var side: [Int]

    /// nil unless `t` has one key and some figures (wide) or two keys and one figure (long).
    /// In the wide layout the grid takes the figures of the last figure's format; figures of
    /// other formats (a cohort's size before its rates) become side columns.
    init?(_ t: ResultTable, _ style: Style) {
      let keys = t.columns.indices.filter { t.columns[$0].isKey }
      let figures = t.columns.indices.filter { !t.columns[$0].isKey }
      if keys.count == 1, let last = figures.last {
        let key = FormattedColumn(t, column: keys[0], rowCount: t.rows.count, style)
        let gridFormat = t.columns[last].format
        let grid = figures.filter { t.columns[$0].format == gridFormat }
        keyTitle = key.title
        rowLabels = key.cells
        columnTitles = grid.map { Text.singleLine(t.columns[$0].title) }
        formats = grid.map { t.columns[$0] }
        values = t.rows.indices.map { r in grid.map { FormattedColumn.value(t, row: r, column: $0) } }
        side = figures.filter { t.columns[$0].format != gridFormat }
      } else if keys.count == 2, figures.count == 1 {
        let cohortKey = FormattedColumn(t, column: keys[0], rowCount: t.rows.count, style)
        let periodKey = FormattedColumn(t, column: keys[1], rowCount: t.rows.count, style)
        keyTitle = cohortKey.title
        side = []
        // Periods in order of appearance, or numerically when they are all integers.
        var periods: [(text: String, number: Int64?)] = []
        var seen = Set<String>()
        for r in t.rows.indices where seen.insert(periodKey.cells[r]).inserted {
          var number: Int64?
          if case .int(let i) = FormattedColumn.value(t, row: r, column: keys[1]) { number = i }
          periods.append((periodKey.cells[r], number))
        }
        if periods.allSatisfy({ $0.number != nil }) {
          periods.sort { ($0.number ?? 0) < ($1.number ?? 0) }
        }
        columnTitles = periods.map(\.text)
        let columnOf = Dictionary(uniqueKeysWithValues: periods.enumerated().map { ($1.text, $0) })
        var rowOf: [String: Int] = [:]
        rowLabels = []
        values = []
        for r in t.rows.indices {
          let label = cohortKey.cells[r]
          let row: Int
          if let known = rowOf[label] {
            row = known
          } else {
            row = rowLabels.count
            rowOf[label] = row
            rowLabels.append(label)
            values.append([Value](repeating: .null, count: periods.count))
          }
          if let c = columnOf[periodKey.cells[r]] {
            values[row][c] = FormattedColumn.value(t, row: r, column: figures[0])
          }
        }
        formats = [ResultColumn](repeating: t.columns[figures[0]], count: periods.count)
      } else {
        return nil
      }
    }
  }
}
