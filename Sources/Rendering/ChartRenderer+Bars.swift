// Bars: one horizontal bar per category, with its value beside it.
//
// Owns the bar chart: labels (keys) on the left, values right-aligned in the table's number
// format, bars scaled to the largest magnitude with eighth-cell resolution (whole cells in
// ASCII), light bars for partial units, and a zero axis when some values are negative.

import QueryModel

extension ChartRenderer {
  /// Widest a bar area grows, however wide the terminal.
  static let maxBarWidth = 60

  /// Horizontal bars of the first figure over the first `limit` rows:
  ///
  ///     地区         销售额
  ///     华东   1,234,567.89 ████████████████████████████████████████
  ///     华北     523,000.00 █████████████████
  ///     (未知)        12.00 ▏
  ///
  /// With negative values the bars grow both ways from a zero axis (`│`, or `|` in ASCII):
  ///
  ///     地区    利润
  ///     华东  300.00          │█████████████████
  ///     西南 -150.50 █████████│
  ///     东北       —          │
  ///
  /// Labels join the key values with " · " (row numbers when there is no key); nil when there
  /// is no figure, no row, or no room for a bar of four cells.
  static func bars(_ t: ResultTable, _ o: RenderOptions, limit: Int) -> Chart? {
    let style = Style(o)
    let keys = t.columns.indices.filter { t.columns[$0].isKey }
    let figureCount = t.columns.count - keys.count
    guard let f = t.columns.firstIndex(where: { !$0.isKey }) else { return nil }
    let shown = min(t.rows.count, max(0, limit))
    guard shown > 0 else { return nil }

    let figure = FormattedColumn(t, column: f, rowCount: shown, style)
    let keyColumns = keys.map { FormattedColumn(t, column: $0, rowCount: shown, style) }
    var labels: [String] = []
    var labelMissing: [Bool] = []
    for r in 0..<shown {
      labels.append(
        keyColumns.isEmpty ? String(r + 1) : keyColumns.map { $0.cells[r] }.joined(separator: style.separator))
      labelMissing.append(!keyColumns.isEmpty && keyColumns.allSatisfy { $0.missing[r] })
    }
    let keyTitle = keyColumns.map(\.title).joined(separator: style.separator)
    let values = numbers(t, column: f).prefix(shown)
    // Partial units (a running month, a day after the data ends) get a light bar.
    let partial = Set(t.partialRows.filter { $0 >= 0 && $0 < shown })
    let partialGlyph: Character = style.ascii ? ":" : "░"

    // Widths: label column, value column, bar area; labels give way before bars do.
    let valueWidth = figure.widestCell
    let naturalLabel = max(labels.map(DisplayWidth.of).max() ?? 0, DisplayWidth.of(keyTitle))
    var labelWidth = min(naturalLabel, max(4, o.width / 3))
    var barWidth = o.width - labelWidth - valueWidth - 2
    if barWidth < 4 {
      labelWidth = max(4, labelWidth - (4 - barWidth))
      barWidth = o.width - labelWidth - valueWidth - 2
    }
    guard barWidth >= 4 else { return nil }
    barWidth = min(barWidth, maxBarWidth)

    let finite = values.compactMap { $0 }
    let lo = min(0, finite.min() ?? 0)
    let hi = max(0, finite.max() ?? 0)
    let span = hi - lo
    // Cells left of the zero axis (negative side) and right of it.
    let negativeCells = lo < 0 ? clampedInt(-lo / span * Double(barWidth - 1), 0...(barWidth - 1)) : 0
    let positiveCells = lo < 0 ? barWidth - 1 - negativeCells : barWidth
    var unit = span > 0 ? Double(lo < 0 ? barWidth - 1 : barWidth) / span : 0
    if !unit.isFinite { unit = 0 }

    var lines: [String] = []
    let keyHeader = DisplayWidth.truncate(keyTitle, to: labelWidth, ellipsis: style.ellipsis)
    let figureHeader = DisplayWidth.truncate(figure.title, to: o.width - labelWidth - 1, ellipsis: style.ellipsis)
    let header =
      DisplayWidth.pad(keyHeader, to: labelWidth, alignRight: false) + " "
      + DisplayWidth.pad(figureHeader, to: valueWidth, alignRight: true)
    lines.append(style.paint(Text.trimmingTrailingSpaces(header), .bold))
    for r in 0..<shown {
      var label = DisplayWidth.truncate(labels[r], to: labelWidth, ellipsis: style.ellipsis)
      label = DisplayWidth.pad(label, to: labelWidth, alignRight: false)
      if labelMissing[r] { label = style.paint(label, .dim) }
      let value = DisplayWidth.pad(figure.cells[r], measured: figure.widths[r], to: valueWidth, alignRight: true)
      var negative = ""
      var positive = ""
      if let v = values[values.startIndex + r], unit > 0 {
        if v < 0 {
          let cells = clampedInt(-v * unit, 0...negativeCells)
          negative = style.paint(Text.repeated(style.ascii ? "#" : "█", cells), .red)
          negative = Text.spaces(negativeCells - cells) + negative
        } else if v > 0 {
          var drawn = bar(v * unit, maxCells: positiveCells, ascii: style.ascii)
          if partial.contains(r) { drawn = String(drawn.map { _ in partialGlyph }) }
          positive = style.paint(drawn, .cyan)
        }
      }
      if lo < 0 {
        if negative.isEmpty { negative = Text.spaces(negativeCells) }
        positive = style.paint(style.vertical, .dim) + positive
      }
      lines.append(Text.trimmingTrailingSpaces(label + " " + value + " " + negative + positive))
    }
    if shown < t.rows.count {
      lines.append(DisplayWidth.truncate(style.moreRows(t.rows.count - shown, of: t.rows.count), to: o.width, ellipsis: style.ellipsis))
    }
    if !partial.isEmpty {
      let units = partial.sorted().map { labels[$0] }.joined(separator: ", ")
      lines.append(DisplayWidth.truncate(String(partialGlyph) + " " + style.partialUnit + ": " + units, to: o.width, ellipsis: style.ellipsis))
    }
    return Chart(lines: lines, complete: figureCount == 1)
  }

  /// A bar `cells` long (at most `maxCells`): whole blocks and an eighth-block tip, or `#`s in
  /// ASCII; a positive value too small to round to anything still shows a sliver (▏).
  static func bar(_ cells: Double, maxCells: Int, ascii: Bool) -> String {
    if ascii {
      return Text.repeated("#", clampedInt(cells, 0...max(0, maxCells)))
    }
    let eighths = clampedInt(cells * 8, 0...max(0, maxCells * 8))
    let tips = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
    if eighths == 0 { return cells > 0 ? "▏" : "" }
    return Text.repeated("█", eighths / 8) + tips[eighths % 8]
  }
}
