// CSV renderer: an answer as comma-separated values for machines and spreadsheets.
//
// Owns RFC 4180 quoting and the raw machine form of values: rates stay fractions, money keeps
// every digit it has, nulls are empty fields. No row limit, no notes, no screen formatting.

import QueryModel

/// Writes a result as CSV: one header record of column titles, then one record per row.
///
///     地区,销售额,复购率
///     华东,1234567.89,0.3216
///     ,12.0,
///     "Wu, Jr.","He said ""hi""",
public enum CSVRenderer {
  /// The CSV text: fields quoted (RFC 4180) when they hold a comma, a double quote, CR or LF,
  /// quotes doubled inside; records separated by "\n", without a final line break (the caller
  /// prints it). Integers print as integers, doubles in their shortest round-trip form
  /// (`0.3215898825654923`, `2006670.69`, `1e+16`); null and NaN are empty fields.
  ///
  /// - Complexity: O(size of the output); every row is written, whatever `maxRows` says
  ///   elsewhere.
  public static func render(_ t: ResultTable) -> String {
    var out = ""
    out.reserveCapacity(64 * (t.rows.count + 1))
    appendRecord(t.columns.map(\.title), to: &out)
    for row in t.rows {
      out += "\n"
      var fields: [String] = []
      fields.reserveCapacity(t.columns.count)
      for j in t.columns.indices {
        fields.append(raw(j < row.count ? row[j] : .null))
      }
      appendRecord(fields, to: &out)
    }
    return out
  }

  /// The machine text of one value.
  static func raw(_ v: Value) -> String {
    switch v {
    case .null: return ""
    case .int(let i): return String(i)
    case .double(let d): return d.isNaN ? "" : d.description
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
