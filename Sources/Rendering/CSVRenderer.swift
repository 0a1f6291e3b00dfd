// CSV renderer: an answer as comma-separated values for machines and spreadsheets.
//
// Owns RFC 4180 quoting and the machine form of values: rates stay fractions (six significant
// digits), money is rounded to the cent, nulls are empty fields. Every row unless the caller
// asks for a limit; the notes follow the records as `# ` comment lines (pandas reads them with
// `comment="#"`). No screen formatting.

import QueryModel

/// Writes a result as CSV: one header record of column titles, then one record per row, then
/// the notes as comment lines.
///
///     地区,销售额,复购率
///     华东,1234567.89,0.32159
///     ,12.0,
///     "Wu, Jr.","He said ""hi""",
///     # 数据截至 2026-11-21
public enum CSVRenderer {
  /// The CSV text: fields quoted (RFC 4180) when they hold a comma, a double quote, CR or LF,
  /// quotes doubled inside; records separated by "\n", without a final line break (the caller
  /// prints it). Integers print as integers, doubles in the machine form of their column's
  /// format (`NumberFormatting.machine`: `0.32159`, `2006670.69`, `12.0`); null and NaN are
  /// empty fields. With `limit`, only the first `limit` rows, and a comment line saying how
  /// many there are in all.
  ///
  /// - Complexity: O(size of the output).
  public static func render(_ t: ResultTable, limit: Int? = nil, language: Language = .zh) -> String {
    var out = ""
    let shown = limit.map { min(max(0, $0), t.rows.count) } ?? t.rows.count
    out.reserveCapacity(64 * (shown + 1))
    appendRecord(t.columns.map(\.title), to: &out)
    for row in t.rows.prefix(shown) {
      out += "\n"
      var fields: [String] = []
      fields.reserveCapacity(t.columns.count)
      for j in t.columns.indices {
        fields.append(raw(j < row.count ? row[j] : .null, t.columns[j].format))
      }
      appendRecord(fields, to: &out)
    }
    var notes = t.notes
    if shown < t.rows.count {
      notes.append(language == .zh ? "只列出前 \(shown) 行（共 \(t.rows.count) 行）" : "first \(shown) of \(t.rows.count) rows")
    }
    for note in notes {
      out += "\n# " + Text.singleLine(note)
    }
    return out
  }

  /// The machine text of one value in a column of format `f`.
  static func raw(_ v: Value, _ f: ValueFormat) -> String {
    switch v {
    case .null: return ""
    case .int(let i): return String(i)
    case .double(let d): return NumberFormatting.machine(d, f) ?? ""
    case .string(let s): return s
    }
  }

  /// `field` as RFC 4180 wants it: quoted, with quotes doubled, when it needs to be.
  static func quoted(_ field: String) -> String {
    let needsQuotes = field.utf8.contains { b in
      b == UInt8(ascii: ",") || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r")
    }
    guard needsQuotes else { return field }
    var out = "\""
    for ch in field.unicodeScalars {
      if ch == "\"" { out.unicodeScalars.append("\"") }
      out.unicodeScalars.append(ch)
    }
    out += "\""
    return out
  }

  private static func appendRecord(_ fields: [String], to out: inout String) {
    for (i, field) in fields.enumerated() {
      if i > 0 { out += "," }
      out += quoted(field)
    }
  }
}
