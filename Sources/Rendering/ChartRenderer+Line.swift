// Line chart: a series over time, with labelled axes, and its one-line compact form.
//
// Owns the plot of a figure over periods: y ticks in the column's number format, x labels
// from the period keys, the line drawn with box-drawing corners (asciichart's scheme; ASCII
// uses - | . '), gaps where values are missing, partial units dotted with a hollow point, and
// a legend of the highest, lowest and latest values of complete units with their periods.

import QueryModel

extension ChartRenderer {
  /// Rows of the plot area.
  static let plotHeight = 10

  /// A line chart of the first figure over the rows (x labels from the first key):
  ///
  ///     销售额
  ///     2,250,000.00 ┤
  ///                  │
  ///     2,000,000.00 ┤                                              ╭─●╮
  ///                  │                                            ╭─╯  ╰─╮
  ///     1,750,000.00 ┤                                         ╭──╯      ╰─╮
  ///                  │                                        ●╯           ╰─╮
  ///     1,500,000.00 ┤                                                       ╰●
  ///                  │                      ╭─●
  ///     1,250,000.00 ┤     ╭──●╮         ╭──╯
  ///                  │ ╭───╯   ╰───╮   ╭─╯
  ///     1,000,000.00 ┤●╯           ╰──●╯
  ///                  │
  ///       750,000.00 ┤
  ///                  └─────────────────────────────────────────────────────────
  ///                   2026-01         2026-03         2026-05           2026-08
  ///                                                                       月份
  ///     最高 2,006,670.69 (2026-07)
  ///     最低 980,000.00 (2026-03)
  ///     最近 1,500,000.00 (2026-08)
  ///
  /// (2026-05 is missing: the line breaks there.) Ticks are round numbers; points are marked
  /// when at least four columns apart; a series longer than the plot is drawn by bucket means
  /// (the legend still gives the true extremes). nil when there is no figure, no value, or no room for a plot of eight columns.
  static func line(_ t: ResultTable, _ o: RenderOptions) -> Chart? {
    guard let series = Series(t, o) else { return nil }
    let style = Style(o)
    let format = series.figure.column.format
    let n = series.values.count

    // Vertical range: round ticks (1, 2, 2.5 or 5 × 10^k apart) around the values; a flat
    // line gets room around it.
    var lo = series.span.lo
    var hi = series.span.hi
    if hi == lo {
      let room = max(abs(lo) * 0.1, format == .rate ? 0.01 : 1)
      lo -= room
      hi += room
    }
    let step = tickStep((hi - lo) / 5, whole: format == .count)
    let bottom = (lo / step).rounded(.down) * step
    let top = (hi / step).rounded(.up) * step
    guard bottom.isFinite, top.isFinite, top > bottom else { return nil }
    let intervals = clampedInt((top - bottom) / step, 1...50)
    let rowsPerTick = max(1, Int((Double(plotHeight - 1) / Double(intervals)).rounded()))
    let height = intervals * rowsPerTick + 1
    lo = bottom
    hi = top

    // Y ticks on every rowsPerTick-th row; a label equal to the one above is dropped.
    var ticks = [String?](repeating: nil, count: height)
    var previous = ""
    for r in Swift.stride(from: 0, to: height, by: rowsPerTick) {
      let v = top - Double(r / rowsPerTick) * step
      let text = FormattedColumn.text(.double(v), series.figure.column, style)
      if text != previous { ticks[r] = text }
      previous = text
    }
    let tickWidth = ticks.map { $0.map(DisplayWidth.of) ?? 0 }.max() ?? 0

    // Plot columns: evenly spaced points when they fit, sampled when there are more.
    var plotWidth = o.width - tickWidth - 2
    guard plotWidth >= 8 else { return nil }
    if n > 1 {
      plotWidth = min(plotWidth, max(24, (n - 1) * 12 + 1))
      if n - 1 <= plotWidth - 1 { plotWidth = (plotWidth - 1) / (n - 1) * (n - 1) + 1 }
    } else {
      plotWidth = min(plotWidth, 24)
    }
    let spacing = n > 1 ? Double(plotWidth - 1) / Double(n - 1) : 0

    func row(_ v: Double) -> Int {
      clampedInt((hi - v) / (hi - lo) * Double(height - 1), 0...(height - 1))
    }
    // The value at each plot column: interpolated between neighbouring points when they are
    // fewer than the columns, bucket means when they are more.
    var columnRows = [Int?](repeating: nil, count: plotWidth)
    if n > plotWidth {
      columnRows = downsample(series.values, to: plotWidth).map { $0.map(row) }
    } else {
      for c in 0..<plotWidth {
        guard n > 1 else {
          columnRows[c] = series.values[0].map(row)
          continue
        }
        let position = Double(c) * Double(n - 1) / Double(plotWidth - 1)
        let i = min(n - 1, Int(position))
        let fraction = position - Double(i)
        if fraction == 0 || i == n - 1 {
          columnRows[c] = series.values[i].map(row)
        } else if let a = series.values[i], let b = series.values[i + 1] {
          columnRows[c] = row(a + (b - a) * fraction)
        }
      }
    }

    // Draw: each column holds the step from its value to the next one.
    let g = style.ascii ? LineGlyphs.ascii : LineGlyphs.unicode
    var plot = [[Character]](repeating: [Character](repeating: " ", count: plotWidth), count: height)
    for c in 0..<plotWidth {
      guard let a = columnRows[c] else { continue }
      guard c + 1 < plotWidth, let b = columnRows[c + 1], a != b else {
        plot[a][c] = g.flat
        continue
      }
      if b < a {  // rising
        plot[a][c] = g.riseStart
        plot[b][c] = g.riseEnd
      } else {  // falling
        plot[a][c] = g.fallStart
        plot[b][c] = g.fallEnd
      }
      for y in (min(a, b) + 1)..<max(a, b) { plot[y][c] = g.up }
    }
    if n > 1 && spacing >= 4 {
      for i in 0..<n {
        let c = Int((Double(i) * spacing).rounded())
        if let r = series.values[i].map(row), c < plotWidth { plot[r][c] = g.point }
      }
    }
    // Partial units (a running month, days after the data's last date) are drawn dotted from
    // the point before them, with a hollow point, so they do not read as a drop.
    if n > 1, !series.partial.isEmpty {
      let columnOf = { (i: Int) -> Int in n > plotWidth ? i * plotWidth / n : Int((Double(i) * spacing).rounded()) }
      for i in series.partial.sorted() where i > 0 && i < n {
        let from = min(plotWidth - 1, columnOf(i - 1) + 1)
        let to = min(plotWidth - 1, columnOf(i))
        guard from <= to else { continue }
        for c in from...to {
          for y in 0..<height where plot[y][c] != " " { plot[y][c] = g.dotted }
        }
        if let r = series.values[i].map(row) { plot[r][to] = g.hollowPoint }
      }
    }

    var lines: [String] = []
    lines.append(style.paint(DisplayWidth.truncate(series.figure.title, to: o.width, ellipsis: style.ellipsis), .bold))
    for r in 0..<height {
      let tick = DisplayWidth.pad(ticks[r] ?? "", to: tickWidth, alignRight: true)
      let axis = ticks[r] == nil ? style.vertical : (style.ascii ? "+" : "┤")
      lines.append(
        Text.trimmingTrailingSpaces(tick + " " + style.paint(axis, .dim) + style.paint(String(plot[r]), .cyan)))
    }
    lines.append(
      Text.spaces(tickWidth + 1)
        + style.paint((style.ascii ? "+" : "└") + Text.repeated(style.horizontal, plotWidth), .dim))
    lines += xAxisLabels(series, plotWidth: plotWidth, indent: tickWidth + 2, width: o.width, style)
    lines += legend(series, width: o.width, style)
    if !series.partial.isEmpty {
      let units = series.partial.sorted().map { series.labels[$0] }.joined(separator: ", ")
      let note = String(g.hollowPoint) + " " + String(g.dotted) + " " + style.partialUnit + ": " + units
      lines.append(DisplayWidth.truncate(note, to: o.width, ellipsis: style.ellipsis))
    }
    return Chart(lines: lines, complete: false)
  }

  /// The strokes of a line chart: asciichart's corners, or their ASCII stand-ins.
  struct LineGlyphs {
    var flat, up, riseEnd, riseStart, fallStart, fallEnd, point: Character
    /// A partial unit: its stretch of line, and its point.
    var dotted, hollowPoint: Character

    static let unicode = LineGlyphs(
      flat: "─", up: "│", riseEnd: "╭", riseStart: "╯", fallStart: "╮", fallEnd: "╰", point: "●",
      dotted: "┄", hollowPoint: "○")
    static let ascii = LineGlyphs(
      flat: "-", up: "|", riseEnd: ".", riseStart: "'", fallStart: ".", fallEnd: "'", point: "o",
      dotted: ":", hollowPoint: "?")
  }

  /// The compact form of a series, on one line: title, sparkline, latest and highest values.
  ///
  ///     销售额 ▁▃▁▄ ▅█▅  最近 1,500,000.00 (2026-08)  最高 2,006,670.69 (2026-07)
  ///
  /// The values are averaged into buckets when the line has fewer cells than points; the
  /// legend items are left out, last first, when the width is short.
  static func sparklineChart(_ t: ResultTable, _ o: RenderOptions) -> Chart? {
    guard let series = Series(t, o) else { return nil }
    let style = Style(o)
    let title = series.figure.title
    let items = [series.item(style.latest, series.latest), series.item(style.maximum, series.highest)]
    var room = o.width - DisplayWidth.of(title) - 1
    var tail = ""
    for item in items {
      let piece = "  " + item
      if room - DisplayWidth.of(piece) >= min(8, series.values.count) {
        tail += piece
        room -= DisplayWidth.of(piece)
      }
    }
    var values = series.values
    if values.count > room { values = downsample(values, to: max(room, 1)) }
    let spark = style.paint(sparkline(values, ascii: style.ascii), .cyan)
    let line =
      DisplayWidth.truncate(title, to: max(1, o.width - 1 - values.count), ellipsis: style.ellipsis) + " " + spark
      + tail
    return Chart(lines: [line], complete: false)
  }

  /// A round distance between ticks near `rough`: 1, 2, 2.5 or 5 × 10^k (whole numbers, and
  /// no 2.5, for counts).
  static func tickStep(_ rough: Double, whole: Bool) -> Double {
    guard rough.isFinite, rough > 0 else { return 1 }
    var magnitude = 1.0
    while magnitude * 10 <= rough { magnitude *= 10 }
    while magnitude > rough { magnitude /= 10 }
    let ratio = rough / magnitude
    let factor: Double =
      ratio <= 1 ? 1 : ratio <= 2 ? 2 : ratio <= 2.5 && !(whole && magnitude < 10) ? 2.5 : ratio <= 5 ? 5 : 10
    return whole ? max(1, factor * magnitude) : factor * magnitude
  }

  /// Bucket means: `values` shrunk to `count` entries; a bucket with no value stays nil.
  static func downsample(_ values: [Double?], to count: Int) -> [Double?] {
    guard count > 0, values.count > count else { return values }
    return (0..<count).map { b in
      let start = b * values.count / count
      let end = max(start + 1, (b + 1) * values.count / count)
      let present = values[start..<end].compactMap { $0 }
      return present.isEmpty ? nil : present.reduce(0, +) / Double(present.count)
    }
  }

  /// X labels under the plot: the first, the last, and evenly strided ones between that do
  /// not touch; the key's title at the right.
  private static func xAxisLabels(_ s: Series, plotWidth: Int, indent: Int, width: Int, _ style: Style) -> [String] {
    let n = s.labels.count
    let widths = s.labels.map(DisplayWidth.of)
    let widest = widths.max() ?? 0
    let spacing = n > 1 ? Double(plotWidth - 1) / Double(n - 1) : Double(plotWidth)
    let stride = max(1, Int((Double(widest + 2) / max(spacing, 0.001)).rounded(.up)))
    // Start column of label i: at its point, pulled left to end inside the plot.
    func start(_ i: Int) -> Int { min(Int((Double(i) * spacing).rounded()), plotWidth - widths[i]) }
    var chosen: [Int] = []
    for i in Swift.stride(from: 0, to: n, by: stride) where start(i) >= 0 {
      if let last = chosen.last, start(i) < start(last) + widths[last] + 2 { continue }
      chosen.append(i)
    }
    if n > 1, chosen.last != n - 1, start(n - 1) >= 0 {
      while let last = chosen.last, start(n - 1) < start(last) + widths[last] + 2 { chosen.removeLast() }
      chosen.append(n - 1)
    }
    var line = ""
    var cursor = 0  // cells used after the indent
    for i in chosen {
      line += Text.spaces(start(i) - cursor) + s.labels[i]
      cursor = start(i) + widths[i]
    }
    var lines = [Text.spaces(indent) + line]
    if !s.keyTitle.isEmpty {
      let titleWidth = DisplayWidth.of(s.keyTitle)
      if indent + cursor + 3 + titleWidth <= width {
        lines[0] += "   " + style.paint(s.keyTitle, .dim)
      } else {
        let title = DisplayWidth.truncate(s.keyTitle, to: width, ellipsis: style.ellipsis)
        lines.append(Text.spaces(min(indent + plotWidth, width) - DisplayWidth.of(title)) + style.paint(title, .dim))
      }
    }
    return lines
  }

  /// "最高 … (period)  最低 …  最近 …" on one line, or one per line when that is too wide.
  private static func legend(_ s: Series, width: Int, _ style: Style) -> [String] {
    let items = [
      s.item(style.maximum, s.highest), s.item(style.minimum, s.lowest), s.item(style.latest, s.latest),
    ]
    let joined = items.joined(separator: "  ")
    if DisplayWidth.of(joined) <= width { return [joined] }
    return items.map { DisplayWidth.truncate($0, to: width, ellipsis: style.ellipsis) }
  }

  /// A series read from a table: x labels from the first key (row numbers without one),
  /// values from the first figure, and where its extremes and latest value sit.
  struct Series {
    var labels: [String]
    var keyTitle: String
    var figure: FormattedColumn
    var values: [Double?]
    var highest: (index: Int, value: Double)
    var lowest: (index: Int, value: Double)
    var latest: (index: Int, value: Double)
    /// Rows of units the data covers only in part (`ResultTable.partialRows`).
    var partial: Set<Int>
    /// The smallest and largest values, partial units included (the plot's vertical range).
    var span: (lo: Double, hi: Double)

    /// nil when the table has no figure or no finite value. The extremes and the latest value
    /// are taken over complete units when there are any.
    init?(_ t: ResultTable, _ o: RenderOptions) {
      let style = Style(o)
      guard let f = t.columns.firstIndex(where: { !$0.isKey }) else { return nil }
      let key =
        t.columns.firstIndex(where: { $0.isKey && ($0.format == .period || $0.format == .date) })
        ?? t.columns.firstIndex(where: \.isKey)
      figure = FormattedColumn(t, column: f, rowCount: t.rows.count, style)
      if let key {
        let keyColumn = FormattedColumn(t, column: key, rowCount: t.rows.count, style)
        labels = keyColumn.cells
        keyTitle = keyColumn.title
      } else {
        labels = t.rows.indices.map { String($0 + 1) }
        keyTitle = ""
      }
      let numbers = ChartRenderer.numbers(t, column: f)
      let partialRows = Set(t.partialRows.filter { $0 >= 0 && $0 < t.rows.count })
      let complete = numbers.indices.contains { numbers[$0] != nil && !partialRows.contains($0) }
      values = numbers
      partial = partialRows
      let finite = numbers.compactMap { $0 }
      span = (finite.min() ?? 0, finite.max() ?? 0)
      var high: (Int, Double)?
      var low: (Int, Double)?
      var last: (Int, Double)?
      for (i, v) in values.enumerated() {
        guard let v, !(complete && partialRows.contains(i)) else { continue }
        if high == nil || v > (high?.1 ?? v) { high = (i, v) }
        if low == nil || v < (low?.1 ?? v) { low = (i, v) }
        last = (i, v)
      }
      guard let high, let low, let last else { return nil }
      highest = high
      lowest = low
      latest = last
    }

    /// "最高 2,006,670.69 (2026-10)": a word, the formatted value, its period.
    func item(_ word: String, _ point: (index: Int, value: Double)) -> String {
      word + " " + figure.cells[point.index] + " (" + labels[point.index] + ")"
    }
  }
}
