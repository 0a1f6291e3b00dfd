// Chart renderer: which terminal chart fits an answer, and the sparkline.
//
// Owns the choice (from the answer's shape, or forced by `RenderOptions.chart`) between a
// card, horizontal bars, a line chart (a sparkline in compact mode) and a cohort grid; each
// chart is drawn in its own file (ChartRenderer+Card, +Bars, +Line, +Grid). Every chart shows
// its figures in the table's number format, fits in `RenderOptions.width`, and copes with
// negative, missing, all-null and empty data without dividing by zero or printing NaN.

import QueryModel

/// Draws an answer as a terminal chart, when one fits.
///
///     ChartRenderer.render(salesByRegion, RenderOptions(language: .zh, width: 60))
///     地区         销售额
///     华东   1,234,567.89 ████████████████████████████████████████
///     华北     523,000.00 █████████████████
///     (未知)        12.00 ▏
public enum ChartRenderer {
  /// Auto-chosen bars stop at this many categories; more read better as a table.
  public static let maxBarCategories = 20

  /// The chart for `t`, or nil when no chart fits (the caller shows the table).
  ///
  /// With `.auto`: `.scalar` (one row) → a card; `.comparison` of one row, or of two rows with
  /// one key and one figure → a card with the change; `.series` → a line chart (a sparkline
  /// line when `compact`); `.breakdown`, `.ranking`, `.comparison` with one key, one figure and
  /// 1…20 rows → bars; `.cohort` → a shaded grid; anything else → nil. `.bar` and `.line` force
  /// those charts over the first figure; `.none` gives nil.
  public static func render(_ t: ResultTable, _ o: RenderOptions) -> String? {
    draw(t, o)?.lines.joined(separator: "\n")
  }

  /// One character per value, as high as the value within the series' range: `▁▂▃▄▅▆▇█`
  /// (ASCII: `.:-=+*#@`); a missing value is a space, a flat series sits mid-height.
  ///
  ///     ChartRenderer.sparkline([1, 2, 4, 8, nil, 3], ascii: false)   // "▁▂▄█ ▃"
  ///
  /// - Complexity: O(n).
  public static func sparkline(_ values: [Double?], ascii: Bool) -> String {
    let levels: [Character] =
      ascii ? [".", ":", "-", "=", "+", "*", "#", "@"] : ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    let finite = values.compactMap { $0 }.filter(\.isFinite)
    guard let lo = finite.min(), let hi = finite.max() else {
      return String(repeating: " ", count: values.count)
    }
    var out = ""
    out.reserveCapacity(values.count * 3)
    for v in values {
      guard let v, v.isFinite else {
        out.append(" ")
        continue
      }
      let top = levels.count - 1
      let level = hi > lo ? clampedInt((v - lo) / (hi - lo) * Double(top), 0...top) : levels.count / 2 - 1
      out.append(levels[level])
    }
    return out
  }

  // MARK: - Internal

  /// A drawn chart; `complete` when it shows every figure of the answer, so the table need
  /// not follow it on screen.
  struct Chart {
    var lines: [String]
    var complete: Bool
  }

  /// The chart for `t` with the choice of `o.chart` (see `render`).
  static func draw(_ t: ResultTable, _ o: RenderOptions) -> Chart? {
    let keys = t.columns.indices.filter { t.columns[$0].isKey }
    let figures = t.columns.indices.filter { !t.columns[$0].isKey }
    switch o.chart {
    case .none:
      return nil
    case .bar:
      return bars(t, o, limit: o.maxRows ?? t.rows.count)
    case .line:
      return o.compact ? sparklineChart(t, o) : line(t, o)
    case .auto:
      switch t.shape {
      case .scalar:
        return t.rows.count <= 1 ? card(t, o) : nil
      case .comparison:
        if t.rows.count <= 1 || (t.rows.count == 2 && keys.count == 1 && figures.count == 1) {
          return card(t, o)
        }
        return barsIfFew(t, o, keys: keys, figures: figures)
      case .breakdown, .ranking:
        return barsIfFew(t, o, keys: keys, figures: figures)
      case .series:
        guard keys.count <= 1, !figures.isEmpty, !t.rows.isEmpty else { return nil }
        if t.rows.count == 1 { return card(t, o) }
        return o.compact ? sparklineChart(t, o) : line(t, o)
      case .cohort:
        return grid(t, o)
      case .list:
        return nil
      }
    }
  }

  private static func barsIfFew(_ t: ResultTable, _ o: RenderOptions, keys: [Int], figures: [Int]) -> Chart? {
    guard keys.count == 1, figures.count == 1, (1...maxBarCategories).contains(t.rows.count) else { return nil }
    return bars(t, o, limit: t.rows.count)
  }

  /// `x` rounded (by `rule`) and clamped to `range`: never traps on NaN, infinity or huge
  /// values, so no scale can crash a chart (NaN gives the lower bound).
  static func clampedInt(
    _ x: Double, _ range: ClosedRange<Int>, rule: FloatingPointRoundingRule = .toNearestOrAwayFromZero
  ) -> Int {
    let r = x.rounded(rule)
    guard r >= Double(range.lowerBound) else { return range.lowerBound }
    guard r <= Double(range.upperBound) else { return range.upperBound }
    return Int(r)
  }

  /// The first figure's values as finite doubles (nil for null, NaN, infinity or text).
  static func numbers(_ t: ResultTable, column: Int) -> [Double?] {
    t.rows.indices.map { r in
      guard let d = FormattedColumn.value(t, row: r, column: column).doubleValue, d.isFinite else { return nil }
      return d
    }
  }
}
