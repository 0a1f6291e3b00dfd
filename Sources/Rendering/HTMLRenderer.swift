// HTML renderer: an answer as a fragment of a self-contained web page, for reports people
// forward. Owns the HTML table (numbers in the screen's format, keys left, figures right,
// partial units in grey italics), the charts as inline SVG (bars for up to 20 categories, a
// line for a series, a big figure for a single value, shaded cells for a cohort matrix), the
// notes, HTML escaping, and the page's style sheet. No script, no external resource: the page
// opens anywhere, offline.

import QueryModel

/// Writes results as HTML.
///
///     HTMLRenderer.render(salesByRegion, RenderOptions(language: .zh))
///     <figure class="chart"><svg …><rect …/>…</svg></figure>
///     <table><thead><tr><th>地区</th><th class="num">销售额</th></tr></thead>…</table>
///     <p class="note">数据截至 2026-11-21 …</p>
public enum HTMLRenderer {
  /// An answer's chart (when one fits), table and notes. `maxRows` cuts the table (nil: all).
  ///
  /// - Complexity: O(rows × columns) for the rows shown.
  public static func render(_ t: ResultTable, _ o: RenderOptions) -> String {
    let style = Style(o)
    var out = ""
    let drawn = chart(t, style)
    if let drawn { out += "<figure class=\"chart\">" + drawn.svg + "</figure>\n" }
    // As on screen, a chart that shows every figure (a card, bars of one figure) stands alone.
    if drawn?.complete != true || o.maxRows.map({ $0 < t.rows.count }) == true { out += table(t, o, style) }
    for note in t.notes { out += "<p class=\"note\">" + escape(note) + "</p>\n" }
    return out
  }

  /// `s` with &, <, >, " and ' escaped, safe in text and in attribute values.
  public static func escape(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count)
    for ch in Text.singleLine(s).unicodeScalars {
      switch ch {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      default: out.unicodeScalars.append(ch)
      }
    }
    return out
  }

  /// A whole page: `<title>`, the style sheet, and `body` (already HTML).
  public static func page(title: String, language: Language, body: String) -> String {
    """
    <!DOCTYPE html>
    <html lang="\(language == .zh ? "zh-CN" : "en")">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>\(escape(title))</title>
    <style>
    \(styleSheet)
    </style>
    </head>
    <body>
    \(body)
    </body>
    </html>

    """
  }

  /// The page's look: readable type, tables with aligned figures, muted notes.
  public static let styleSheet = """
    body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif;
      margin: 2em auto; max-width: 60em; padding: 0 1em; color: #1f2328; background: #fff; line-height: 1.5; }
    h1 { font-size: 1.7em; border-bottom: 2px solid #d0d7de; padding-bottom: .3em; }
    h2 { font-size: 1.35em; margin-top: 1.8em; border-bottom: 1px solid #d0d7de; }
    h3, h4, h5, h6 { font-size: 1.1em; margin-top: 1.5em; }
    ul.facts { color: #57606a; padding-left: 1.2em; }
    p.interpretation { color: #57606a; font-style: italic; margin: .3em 0 .6em; }
    p.note { color: #9a6700; background: #fff8c5; border-left: 3px solid #d4a72c; padding: .2em .6em; margin: .3em 0; }
    blockquote.refusal { color: #cf222e; border-left: 3px solid #cf222e; margin: .5em 0; padding: .2em .8em; }
    table { border-collapse: collapse; margin: .5em 0; font-variant-numeric: tabular-nums; }
    th, td { border: 1px solid #d0d7de; padding: .25em .7em; text-align: left; }
    th { background: #f6f8fa; }
    td.num, th.num { text-align: right; }
    tr.partial td { color: #8c959f; font-style: italic; }
    td.missing { color: #8c959f; }
    p.more { color: #57606a; font-size: .9em; }
    figure.chart { margin: .5em 0; }
    figure.chart svg { max-width: 100%; height: auto; }
    div.card { display: inline-block; border: 1px solid #d0d7de; border-radius: 8px; padding: .6em 1.2em; margin: .4em 0; }
    div.card .title { color: #57606a; }
    div.card .figure { font-size: 2em; font-weight: 600; }
    div.card .extra { color: #57606a; }
    svg text { font-family: inherit; font-size: 12px; fill: #1f2328; }
    svg .bar { fill: #0969da; }
    svg .bar.partial { fill: #b6d4f5; stroke: #0969da; stroke-dasharray: 3 2; }
    svg .bar.negative { fill: #cf222e; }
    svg .line { fill: none; stroke: #0969da; stroke-width: 2; }
    svg .line.partial { stroke-dasharray: 5 4; }
    svg .point { fill: #0969da; }
    svg .point.partial { fill: #fff; stroke: #0969da; stroke-width: 2; }
    svg .axis { stroke: #8c959f; stroke-width: 1; }
    svg .grid { stroke: #eaeef2; stroke-width: 1; }
    """

  // MARK: - Table

  static func table(_ t: ResultTable, _ o: RenderOptions, _ style: Style) -> String {
    guard !t.columns.isEmpty else { return "<p class=\"more\">" + escape(style.noRows) + "</p>\n" }
    let shown = FormattedColumn.visibleRows(t, o.maxRows)
    let columns = FormattedColumn.all(t, rowCount: shown, style)
    let shades = cohortShades(t, shown)
    let partial = Set(t.partialRows)
    var out = "<table>\n<thead><tr>"
    for c in columns { out += "<th" + (c.alignRight ? " class=\"num\"" : "") + ">" + escape(c.title) + "</th>" }
    out += "</tr></thead>\n<tbody>\n"
    for r in 0..<shown {
      out += partial.contains(r) ? "<tr class=\"partial\">" : "<tr>"
      for (j, c) in columns.enumerated() {
        var classes: [String] = []
        if c.alignRight { classes.append("num") }
        if c.missing[r] { classes.append("missing") }
        var attributes = classes.isEmpty ? "" : " class=\"" + classes.joined(separator: " ") + "\""
        if let shade = shades?[r][j] { attributes += " style=\"background: rgba(26, 127, 55, \(shade))\"" }
        // A cohort's months not reached yet stay blank, as in the terminal's grid.
        let text = shades != nil && c.missing[r] && !c.column.isKey ? "" : c.cells[r]
        out += "<td" + attributes + ">" + escape(text) + "</td>"
      }
      out += "</tr>\n"
    }
    out += "</tbody>\n</table>\n"
    if t.rows.isEmpty { out += "<p class=\"more\">" + escape(style.noRows) + "</p>\n" }
    if shown < t.rows.count { out += "<p class=\"more\">" + escape(style.moreRows(t.rows.count - shown, of: t.rows.count)) + "</p>\n" }
    return out
  }

  /// For a cohort matrix, the opacity (0.05…0.6) of each rate cell by its value; nil otherwise.
  static func cohortShades(_ t: ResultTable, _ shown: Int) -> [[String?]]? {
    guard t.shape == .cohort else { return nil }
    let rateColumns = t.columns.indices.filter { !t.columns[$0].isKey && t.columns[$0].format == .rate }
    let values = (0..<shown).flatMap { r in rateColumns.compactMap { FormattedColumn.value(t, row: r, column: $0).doubleValue } }
    guard let hi = values.max(), hi > 0 else { return nil }
    let rates = Set(rateColumns)
    return (0..<shown).map { r in
      t.columns.indices.map { j in
        guard rates.contains(j), let v = FormattedColumn.value(t, row: r, column: j).doubleValue, v.isFinite else { return nil }
        let alpha = 0.05 + 0.55 * max(0, min(1, v / hi))
        return NumberFormatting.fixed(alpha, decimals: 2)
      }
    }
  }

  // MARK: - Charts

  /// The chart for the answer's shape, as `ChartRenderer.draw` chooses on screen.
  /// The chart, and whether it shows every figure of the answer (then the table is left out).
  static func chart(_ t: ResultTable, _ style: Style) -> (svg: String, complete: Bool)? {
    let keys = t.columns.indices.filter { t.columns[$0].isKey }
    let figures = t.columns.indices.filter { !t.columns[$0].isKey }
    guard let f = figures.first, !t.rows.isEmpty else { return nil }
    switch t.shape {
    case .scalar where t.rows.count == 1 && keys.isEmpty, .comparison where t.rows.count == 1 && keys.isEmpty:
      return (card(t, figures, style), true)
    case .series where keys.count == 1 && t.rows.count >= 2:
      return lineSVG(t, key: keys[0], figure: f, style).map { ($0, false) }
    case .breakdown, .ranking, .comparison, .series:
      guard keys.count == 1, (1...ChartRenderer.maxBarCategories).contains(t.rows.count) else { return nil }
      return (barsSVG(t, key: keys[0], figure: f, style), figures.count == 1)
    default:
      return nil
    }
  }

  /// One figure large, its companions under it.
  static func card(_ t: ResultTable, _ figures: [Int], _ style: Style) -> String {
    func text(_ j: Int) -> String { FormattedColumn.text(FormattedColumn.value(t, row: 0, column: j), t.columns[j], style) }
    var out = "<div class=\"card\"><div class=\"title\">" + escape(t.columns[figures[0]].title) + "</div>"
    out += "<div class=\"figure\">" + escape(text(figures[0])) + "</div>"
    for j in figures.dropFirst() {
      out += "<div class=\"extra\">" + escape(t.columns[j].title + " " + text(j)) + "</div>"
    }
    return out + "</div>"
  }

  /// Horizontal bars of one figure, labels left, values right; partial units drawn light.
  static func barsSVG(_ t: ResultTable, key: Int, figure f: Int, _ style: Style) -> String {
    let n = t.rows.count
    let labels = (0..<n).map { FormattedColumn.text(FormattedColumn.value(t, row: $0, column: key), t.columns[key], style) }
    let texts = (0..<n).map { FormattedColumn.text(FormattedColumn.value(t, row: $0, column: f), t.columns[f], style) }
    let values = ChartRenderer.numbers(t, column: f)
    let partial = Set(t.partialRows)
    let labelWidth = Double(min(220, 12 + 8 * (labels.map(DisplayWidth.of).max() ?? 4)))
    let valueWidth = Double(12 + 7 * (texts.map(DisplayWidth.of).max() ?? 4))
    let barArea = 480.0
    let rowHeight = 24.0
    let width = labelWidth + barArea + valueWidth
    let height = rowHeight * Double(n) + 8
    let finite = values.compactMap { $0 }
    let lo = min(0, finite.min() ?? 0), hi = max(0, finite.max() ?? 0)
    let span = hi - lo > 0 ? hi - lo : 1
    let zero = labelWidth + (0 - lo) / span * barArea
    var out = svgOpen(width: width, height: height, label: t.columns[f].title)
    for r in 0..<n {
      let y = 4 + Double(r) * rowHeight
      out += "<text x=\"\(num(labelWidth - 8))\" y=\"\(num(y + 16))\" text-anchor=\"end\">" + escape(labels[r]) + "</text>"
      if let v = values[r] {
        let x0 = v < 0 ? zero - (-v) / span * barArea : zero
        let w = abs(v) / span * barArea
        var cls = "bar"
        if v < 0 { cls += " negative" }
        if partial.contains(r) { cls += " partial" }
        out += "<rect class=\"\(cls)\" x=\"\(num(x0))\" y=\"\(num(y + 3))\" width=\"\(num(max(w, 1)))\" height=\"\(num(rowHeight - 6))\"/>"
      }
      out += "<text x=\"\(num(labelWidth + barArea + 6))\" y=\"\(num(y + 16))\">" + escape(texts[r]) + "</text>"
    }
    out += "<line class=\"axis\" x1=\"\(num(zero))\" y1=\"0\" x2=\"\(num(zero))\" y2=\"\(num(height))\"/>"
    return out + "</svg>"
  }

  /// A line of one figure over the periods: ticks at the extremes, partial units dashed with a
  /// hollow point.
  static func lineSVG(_ t: ResultTable, key: Int, figure f: Int, _ style: Style) -> String? {
    let n = t.rows.count
    let values = ChartRenderer.numbers(t, column: f)
    let finite = values.compactMap { $0 }
    guard var lo = finite.min(), var hi = finite.max() else { return nil }
    if hi == lo {
      lo -= max(abs(lo) * 0.1, t.columns[f].format == .rate ? 0.01 : 1)
      hi += max(abs(hi) * 0.1, t.columns[f].format == .rate ? 0.01 : 1)
    }
    // Round ticks around the values, as on screen.
    let step = ChartRenderer.tickStep((hi - lo) / 4, whole: t.columns[f].format == .count)
    lo = (lo / step).rounded(.down) * step
    hi = (hi / step).rounded(.up) * step
    let ticks = ChartRenderer.clampedInt((hi - lo) / step, 1...12)
    let labels = (0..<n).map { FormattedColumn.text(FormattedColumn.value(t, row: $0, column: key), t.columns[key], style) }
    let partial = Set(t.partialRows)
    let left = 100.0, right = 44.0, top = 14.0, plotHeight = 220.0, bottom = 40.0
    let width = 760.0
    let plotWidth = width - left - right
    func x(_ i: Int) -> Double { left + (n > 1 ? Double(i) / Double(n - 1) * plotWidth : plotWidth / 2) }
    func y(_ v: Double) -> Double { top + (hi - v) / (hi - lo) * plotHeight }
    var out = svgOpen(width: width, height: top + plotHeight + bottom, label: t.columns[f].title)
    for k in 0...ticks {
      let v = lo + step * Double(k)
      let text = FormattedColumn.text(.double(v), t.columns[f], style)
      out += "<line class=\"grid\" x1=\"\(num(left))\" y1=\"\(num(y(v)))\" x2=\"\(num(width - right))\" y2=\"\(num(y(v)))\"/>"
      out += "<text x=\"\(num(left - 6))\" y=\"\(num(y(v) + 4))\" text-anchor=\"end\">" + escape(text) + "</text>"
    }
    out += "<line class=\"axis\" x1=\"\(num(left))\" y1=\"\(num(top + plotHeight))\" x2=\"\(num(width - right))\" y2=\"\(num(top + plotHeight))\"/>"
    // Segments: solid between complete units, dashed into a partial one; a gap at a missing value.
    for i in 1..<max(n, 1) {
      guard let a = values[i - 1], let b = values[i] else { continue }
      let cls = partial.contains(i) || partial.contains(i - 1) ? "line partial" : "line"
      out += "<line class=\"\(cls)\" x1=\"\(num(x(i - 1)))\" y1=\"\(num(y(a)))\" x2=\"\(num(x(i)))\" y2=\"\(num(y(b)))\"/>"
    }
    for i in 0..<n {
      guard let v = values[i] else { continue }
      out += "<circle class=\"point\(partial.contains(i) ? " partial" : "")\" cx=\"\(num(x(i)))\" cy=\"\(num(y(v)))\" r=\"3.5\"/>"
    }
    // X labels: every stride-th period and the last, none closer than 70 pixels.
    let stride = max(1, Int((Double(n) * 70 / plotWidth).rounded(.up)))
    var chosen = Array(Swift.stride(from: 0, to: n, by: stride))
    if let last = chosen.last, last != n - 1 {
      if x(n - 1) - x(last) < 70 { chosen.removeLast() }
      chosen.append(n - 1)
    }
    for i in chosen {
      out += "<text x=\"\(num(x(i)))\" y=\"\(num(top + plotHeight + 18))\" text-anchor=\"middle\">" + escape(labels[i]) + "</text>"
    }
    return out + "</svg>"
  }

  private static func svgOpen(width: Double, height: Double, label: String) -> String {
    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(num(width))\" height=\"\(num(height))\" viewBox=\"0 0 \(num(width)) \(num(height))\" role=\"img\" aria-label=\""
      + escape(label) + "\">"
  }

  /// A coordinate with one decimal, without separators.
  private static func num(_ x: Double) -> String {
    guard x.isFinite else { return "0" }
    return DecimalDigits(x).text(decimals: 1, trimZeros: true, negative: x < 0, grouping: false)
  }
}
