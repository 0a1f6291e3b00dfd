// Render options: what the caller decides about the screen (language, width, colour, glyphs,
// chart, row limit), passed to every renderer.
//
// Rendering reads no environment: whether stdout is a terminal, NO_COLOR, COLUMNS and the
// --ascii / --chart flags are the caller's business, turned into these fields.

import QueryModel

/// Which chart to draw above (or instead of) the table.
public enum ChartChoice: String, Sendable, CaseIterable {
  /// Chosen from the shape of the answer: a card for one figure, a line for a series, bars for
  /// up to about 20 categories, a shaded grid for cohorts, no chart otherwise.
  case auto
  /// Horizontal bars of the first figure, whatever the shape.
  case bar
  /// A line chart of the first figure over the rows, whatever the shape.
  case line
  /// The table only.
  case none
}

/// How an answer is drawn on screen.
///
///     var o = RenderOptions(language: .zh)
///     o.width = 80          // from the terminal
///     o.color = isTTY && environment["NO_COLOR"] == nil
///     print(TerminalRenderer.render(table, o))
public struct RenderOptions: Sendable {
  /// Language of the words the renderers add ((未知), "… 还有 3 行", chart legends).
  public var language: Language
  /// Rows shown on screen before "… N more rows"; nil shows them all. CSV never cuts.
  public var maxRows: Int?
  /// Plain ASCII glyphs (+-| boxes, # bars, "...") for terminals without box or block characters.
  public var ascii: Bool
  /// ANSI colour; the caller sets it only for a terminal and when NO_COLOR is unset.
  public var color: Bool
  /// The chart to draw; `.auto` chooses from the answer's shape.
  public var chart: ChartChoice
  /// Terminal columns; charts never draw wider, tables shrink their text columns to fit.
  public var width: Int
  /// Compact screen form: a series becomes a one-line sparkline instead of a line chart.
  public var compact: Bool
  /// How to see every row, added to "… N more rows" when rows are cut (the caller knows its
  /// own options: "用 --limit N 或 --all 查看全部", ":limit all"); nil adds nothing.
  public var moreRowsHint: String?

  /// Options with a default for everything: Chinese, 50 rows, Unicode glyphs, no colour, an
  /// automatic chart, 100 columns, full (not compact) charts.
  public init(
    language: Language = .zh, maxRows: Int? = 50, ascii: Bool = false, color: Bool = false,
    chart: ChartChoice = .auto, width: Int = 100, compact: Bool = false, moreRowsHint: String? = nil
  ) {
    self.moreRowsHint = moreRowsHint
    self.language = language
    self.maxRows = maxRows
    self.ascii = ascii
    self.color = color
    self.chart = chart
    self.width = width
    self.compact = compact
  }
}
