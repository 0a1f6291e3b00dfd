// Card: one figure in a box, with its companions and, for a comparison, the change.
//
// Owns the screen form of a scalar answer (复购率 32.2%) and of a two-value comparison
// (本月 vs 上月: the change as a percentage, or in percentage points for rates).

import QueryModel

extension ChartRenderer {
  /// A boxed card:
  ///
  ///     ╭─────────────────────────────────╮
  ///     │ 本月复购率                      │
  ///     │ 32.2%                           │
  ///     │ 上月 30.1% · 变化 +2.1 个百分点 │
  ///     ╰─────────────────────────────────╯
  ///
  /// One row: the first figure is the headline, key values a subtitle, other figures follow
  /// as "title value"; a `.comparison` of exactly two figures of one format adds the change of
  /// the first against the second. Two rows with one key and one figure (a comparison): the
  /// first row is the headline, the second what it is compared with. No row: "—".
  static func card(_ t: ResultTable, _ o: RenderOptions) -> Chart? {
    let style = Style(o)
    let keys = t.columns.indices.filter { t.columns[$0].isKey }
    let figures = t.columns.indices.filter { !t.columns[$0].isKey }
    guard !t.columns.isEmpty else { return nil }
    func cell(_ r: Int, _ j: Int) -> String {
      r < t.rows.count
        ? FormattedColumn.text(FormattedColumn.value(t, row: r, column: j), t.columns[j], style)
        : FormattedColumn.text(.null, t.columns[j], style)
    }
    func number(_ r: Int, _ j: Int) -> Double? {
      guard r < t.rows.count, let d = FormattedColumn.value(t, row: r, column: j).doubleValue, d.isFinite else {
        return nil
      }
      return d
    }

    let title: String
    let headline: String
    var extra: [String] = []
    if t.rows.count == 2, keys.count == 1, figures.count == 1, let k = keys.first, let f = figures.first {
      title = Text.singleLine(t.columns[f].title) + style.separator + cell(0, k)
      headline = cell(0, f)
      var line = cell(1, k) + " " + cell(1, f)
      if let c = change(number(0, f), number(1, f), t.columns[f].format, style) { line += style.separator + c }
      extra.append(line)
    } else {
      let head = figures.first ?? keys[0]
      title = Text.singleLine(t.columns[head].title)
      headline = cell(0, head)
      let subtitle = keys.filter { $0 != head }.map { cell(0, $0) }
      if !subtitle.isEmpty && !t.rows.isEmpty { extra.append(subtitle.joined(separator: style.separator)) }
      let others = figures.dropFirst()
      for j in others {
        var line = Text.singleLine(t.columns[j].title) + " " + cell(0, j)
        if t.shape == .comparison, figures.count == 2, t.columns[j].format == t.columns[head].format,
          let c = change(number(0, head), number(0, j), t.columns[j].format, style)
        {
          line += style.separator + c
        }
        extra.append(line)
      }
    }
    return Chart(lines: boxed([title, headline] + extra, style, width: o.width), complete: true)
  }

  /// "变化 +23.4%" / "change +2.1 pt" (rates change in percentage points); nil when either
  /// side is missing, or the base is zero for a relative change.
  static func change(_ now: Double?, _ before: Double?, _ f: ValueFormat, _ style: Style) -> String? {
    guard let now, let before else { return nil }
    let text: String
    if f == .rate {
      let points = (now - before) * 100
      text = signed(NumberFormatting.fixed(points, decimals: 1)) + " " + style.percentagePoints
    } else {
      guard before != 0 else { return nil }
      let relative = (now - before) / abs(before)
      guard relative.isFinite else { return nil }
      text = signed(NumberFormatting.format(.double(relative), .rate, style.language, ascii: style.ascii))
    }
    return style.change + " " + text
  }

  /// "+" in front of a formatted change that is above zero once rounded.
  private static func signed(_ text: String) -> String {
    if text.hasPrefix("-") { return text }
    let nonZero = text.utf8.contains { $0 >= UInt8(ascii: "1") && $0 <= UInt8(ascii: "9") }
    return nonZero ? "+" + text : text
  }

  /// `lines` in a rounded box no wider than `width` (cut with "…" when needed); the second
  /// line, the headline, in bold.
  static func boxed(_ lines: [String], _ style: Style, width: Int) -> [String] {
    let maxInner = max(1, width - 4)
    let cut = lines.map { DisplayWidth.truncate($0, to: maxInner, ellipsis: style.ellipsis) }
    let widths = cut.map(DisplayWidth.of)
    let inner = widths.max() ?? 0
    guard width >= 6 else { return cut }
    let corners = style.ascii ? ("+", "+", "+", "+") : ("╭", "╮", "╰", "╯")
    let rule = Text.repeated(style.horizontal, inner + 2)
    var out = [corners.0 + rule + corners.1]
    for (i, line) in cut.enumerated() {
      var text = DisplayWidth.pad(line, measured: widths[i], to: inner, alignRight: false)
      if i == 0 { text = style.paint(text, .dim) }
      if i == 1 { text = style.paint(text, .bold) }
      out.append(style.vertical + " " + text + " " + style.vertical)
    }
    out.append(corners.2 + rule + corners.3)
    return out
  }
}
