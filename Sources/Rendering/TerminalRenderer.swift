// Terminal renderer: the whole screen form of an answer, chart and table together.
//
// Owns one decision: when a chart shows every figure (a card, single-figure bars, a complete
// grid) it stands alone with the notes under it; otherwise the table follows the chart, or
// stands alone when no chart fits.

import QueryModel

/// Draws an answer for the terminal: the chart `RenderOptions.chart` asks for, and the table
/// when the chart does not show every figure.
///
///     print(TerminalRenderer.render(repeatRate, RenderOptions(language: .zh)))
///     ╭────────────╮
///     │ 上月复购率 │
///     │ 32.2%      │
///     ╰────────────╯
public enum TerminalRenderer {
  /// Chart, table and notes as they go to the screen; no trailing newline.
  public static func render(_ t: ResultTable, _ o: RenderOptions) -> String {
    guard let chart = ChartRenderer.draw(t, o) else { return TableRenderer.render(t, o) }
    var lines = chart.lines
    if chart.complete {
      lines += t.notes.map(Text.singleLine)
    } else {
      lines.append("")
      lines.append(TableRenderer.render(t, o))
    }
    return lines.joined(separator: "\n")
  }
}
