// Markdown renderer: an answer as a GitHub-flavoured Markdown table for reports and chat bots.
//
// Owns the pipe table (alignment row: keys left, figures right), escaping of "|" in cells,
// padding by display width so the source lines up too, the row limit and the notes.

import QueryModel

/// Writes a result as a GitHub Markdown table with screen-formatted numbers.
///
///     | 地区   |       销售额 | 复购率 |
///     | :----- | -----------: | -----: |
///     | 华东   | 1,234,567.89 |  32.2% |
///     | (未知) |        12.00 |      — |
public enum MarkdownRenderer {
  /// The table, then "… N more rows" when `maxRows` cut it (pass `maxRows: nil` for a full
  /// report), then each note as a paragraph; no trailing newline. Colour and width are ignored;
  /// `ascii` replaces "—" and "…" with "-" and "...".
  public static func render(_ t: ResultTable, _ o: RenderOptions) -> String {
    var plain = o
    plain.color = false
    let style = Style(plain)
    var lines: [String] = []
    let shown = FormattedColumn.visibleRows(t, o.maxRows)
    if t.columns.isEmpty {
      lines.append(style.noRows)
    } else {
      var columns = FormattedColumn.all(t, rowCount: shown, style)
      for j in columns.indices {
        columns[j].title = escaped(columns[j].title)
        columns[j].titleWidth = DisplayWidth.of(columns[j].title)
        for r in 0..<shown where columns[j].cells[r].utf8.contains(UInt8(ascii: "|")) {
          columns[j].cells[r] = escaped(columns[j].cells[r])
          columns[j].widths[r] = DisplayWidth.of(columns[j].cells[r])
        }
      }
      let widths = columns.map { max($0.naturalWidth, 3) }
      func line(_ cell: (Int) -> String) -> String {
        "| " + columns.indices.map(cell).joined(separator: " | ") + " |"
      }
      lines.append(
        line { j in
          DisplayWidth.pad(
            columns[j].title, measured: columns[j].titleWidth, to: widths[j], alignRight: columns[j].alignRight)
        })
      lines.append(
        line { j in
          let dashes = Text.repeated("-", widths[j] - 1)
          return columns[j].alignRight ? dashes + ":" : ":" + dashes
        })
      for r in 0..<shown {
        lines.append(
          line { j in
            DisplayWidth.pad(
              columns[j].cells[r], measured: columns[j].widths[r], to: widths[j], alignRight: columns[j].alignRight)
          })
      }
      if t.rows.isEmpty {
        lines.append("")
        lines.append(style.noRows)
      }
    }
    if shown < t.rows.count {
      lines.append("")
      lines.append(style.moreRows(t.rows.count - shown, of: t.rows.count))
    }
    for note in t.notes {
      lines.append("")
      lines.append(Text.singleLine(note))
    }
    return lines.joined(separator: "\n")
  }

  /// `s` with "|" escaped as "\|", so it stays inside its cell.
  static func escaped(_ s: String) -> String {
    guard s.utf8.contains(UInt8(ascii: "|")) else { return s }
    var out = String.UnicodeScalarView()
    for u in s.unicodeScalars {
      if u == "|" { out.append("\\") }
      out.append(u)
    }
    return String(out)
  }
}
