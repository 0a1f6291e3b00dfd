// What differs between SQL engines, in one place: quoting, literals, placeholders, string
// concatenation, integer division, date arithmetic and the loader-compatible date parser.
//
// Everything else the compiler writes is portable SQL (CTEs, window functions, CASE, GROUP BY).
// Dates inside a statement are day numbers (days since 1970-01-01, like `Day.raw`), so only
// the conversions between text, day numbers and calendar fields are dialect-specific.
// Adding PostgreSQL, ClickHouse, Spark or Trino means adding a case and its arms here.

import CubeSQLite

/// The SQL engine a plan is compiled for.
///
///     SQLCompiler(mapping: db.mapping, dialect: .sqlite, topics: topics)
public enum SQLDialect: String, Sendable, Hashable, CaseIterable {
  /// SQLite 3.30 or later (window functions, NULLS LAST, printf).
  case sqlite

  // MARK: Names and values

  /// An identifier, quoted: "name" with inner quotes doubled.
  public func quote(_ identifier: String) -> String {
    switch self {
    case .sqlite: return "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
  }

  /// The placeholder of the i-th bound value (0-based).
  public func placeholder(_ index: Int) -> String {
    switch self {
    case .sqlite: return "?"
    }
  }

  /// A value as a literal that reads back as the same value: text in single quotes with
  /// quotes doubled, and control characters spliced in with char() so that the literal
  /// statement never contains a raw control character.
  public func literal(_ value: SQLValue) -> String {
    switch value {
    case .null: return "NULL"
    case .int(let v): return String(v)
    case .double(let v):
      if v.isNaN { return "NULL" }
      if v.isInfinite { return v > 0 ? "9e999" : "-9e999" }
      let s = String(v)
      return s.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) ? s : s + ".0"
    case .text(let s): return textLiteral(s)
    }
  }

  func textLiteral(_ s: String) -> String {
    var pieces: [String] = []
    var run = ""
    func flush() {
      if !run.isEmpty { pieces.append("'" + run + "'") }
      run = ""
    }
    for u in s.unicodeScalars {
      let v = u.value
      if v < 0x20 || v == 0x7F || (v >= 0x80 && v < 0xA0) || v == 0x2028 || v == 0x2029 {
        flush()
        pieces.append(charCode(Int(v)))
      } else if u == "'" {
        run += "''"
      } else {
        run.unicodeScalars.append(u)
      }
    }
    flush()
    if pieces.isEmpty { return "''" }
    return pieces.count == 1 ? pieces[0] : "(" + pieces.joined(separator: " || ") + ")"
  }

  func charCode(_ code: Int) -> String {
    switch self {
    case .sqlite: return "char(\(code))"
    }
  }

  /// The keyword that opens a WITH list containing a recursive CTE.
  var withRecursive: String { "WITH RECURSIVE" }

  /// The hint that makes a CTE computed once into a table (never copied into its readers).
  var materialized: String { "MATERIALIZED " }

  // MARK: Expressions

  func concat(_ parts: [SQL]) -> SQL { "(" + parts.joined(" || ") + ")" }

  /// Integer division of integers, truncating.
  func intDiv(_ a: SQL, _ b: SQL) -> SQL { "((\(a)) / (\(b)))" }

  /// The non-negative remainder of a by a positive b.
  func mod(_ a: SQL, _ b: SQL) -> SQL { "((((\(a)) % (\(b))) + (\(b))) % (\(b)))" }

  func toText(_ x: SQL) -> SQL { "CAST(\(x) AS TEXT)" }
  func toReal(_ x: SQL) -> SQL { "CAST(\(x) AS REAL)" }
  func toInteger(_ x: SQL) -> SQL { "CAST(\(x) AS INTEGER)" }

  /// A sum that is 0.0 over no (non-NULL) values.
  func sumOrZero(_ x: SQL) -> SQL {
    switch self {
    case .sqlite: return "total(\(x))"
    }
  }

  /// The smaller of two values (NULL when either is NULL).
  func least(_ a: SQL, _ b: SQL) -> SQL {
    switch self {
    case .sqlite: return "min(\(a), \(b))"
    }
  }

  func greatest(_ a: SQL, _ b: SQL) -> SQL {
    switch self {
    case .sqlite: return "max(\(a), \(b))"
    }
  }

  /// Whether `needle` occurs in `haystack` (plain substring, an empty needle always does).
  func contains(_ haystack: SQL, _ needle: SQL) -> SQL {
    switch self {
    case .sqlite: return "(instr(\(haystack), \(needle)) > 0)"
    }
  }

  /// A figure as rankings order it: at 6 decimal places (the executor's `rankValue`), so that
  /// sums equal but for floating-point rounding tie and are ordered by key.
  func rankKey(_ x: SQL) -> SQL {
    switch self {
    case .sqlite: return "round(\(x), 6)"
    }
  }

  /// Equal, NULL equal to NULL (matching keys of two blocks, the unknown group included).
  func isNotDistinct(_ a: SQL, _ b: SQL) -> SQL {
    switch self {
    case .sqlite: return "(\(a) IS \(b))"
    }
  }

  /// The row's physical identity in table scan order.
  var rowid: String { "rowid" }

  /// "NULLS LAST" for an ORDER BY term.
  var nullsLast: String { "NULLS LAST" }

  /// A value list that may be empty: `x IN (…)`, or a false condition for no values.
  func inList(_ x: SQL, _ values: [SQL]) -> SQL {
    values.isEmpty ? "(1 = 0)" : "(\(x) IN (\(values.joined(", "))))"
  }

  // MARK: Dates as day numbers

  /// Day number of an ISO `YYYY-MM-DD` text.
  func day(ofISO iso: SQL) -> SQL {
    switch self {
    case .sqlite: return "CAST(julianday(\(iso)) - 2440587.5 AS INTEGER)"
    }
  }

  /// `YYYY-MM-DD` of a day number.
  func iso(ofDay d: SQL) -> SQL {
    switch self {
    case .sqlite: return "date((\(d)) + 2440587.5)"
    }
  }

  func year(ofDay d: SQL) -> SQL {
    switch self {
    case .sqlite: return "CAST(strftime('%Y', (\(d)) + 2440587.5) AS INTEGER)"
    }
  }

  func month(ofDay d: SQL) -> SQL {
    switch self {
    case .sqlite: return "CAST(strftime('%m', (\(d)) + 2440587.5) AS INTEGER)"
    }
  }

  /// Day number of the first day of month index `m` (year·12 + month − 1).
  func day(ofMonthIndex m: SQL) -> SQL {
    switch self {
    case .sqlite:
      return "CAST(julianday(printf('%04d-%02d-01', (\(m)) / 12, (\(m)) % 12 + 1)) - 2440587.5 AS INTEGER)"
    }
  }

  /// An integer written with at least `width` digits (zero-padded).
  func padded(_ x: SQL, width: Int) -> SQL {
    switch self {
    case .sqlite: return "printf('%0\(raw: String(width))d', \(x))"
    }
  }

  // MARK: Reading stored values as the loader does (CubeLoader, DateParsing)

  /// Reading a stored date as `DateParsing.day` does (ISO dates and datetimes, `YYYY/MM/DD`,
  /// `YYYY.MM.DD`, `YYYYMMDD` as integer or text, Unix seconds and milliseconds) takes two
  /// steps, each a column of its own CTE so that neither expression is copied into the other:
  /// first a candidate, `YYYY-MM-DD` text still to be checked or a day number (Unix time);
  /// then `day(ofCandidate:)`. NULL when the value is no date.
  func dayCandidate(_ x: SQL) -> SQL {
    switch self {
    case .sqlite:
      let real: SQL = "CASE WHEN \(x) = CAST(\(x) AS INTEGER) OR \(x) > 100000000 THEN \(integerCandidate("CAST(\(x) AS INTEGER)")) END"
      // The common form first (YYYY-MM-DD, then anything but a digit), then every other form.
      return """
        (CASE WHEN typeof(\(x)) = 'text' AND \(x) GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' \
        AND substr(\(x), 11, 1) NOT GLOB '[0-9]' THEN substr(\(x), 1, 10) \
        ELSE (CASE typeof(\(x)) WHEN 'integer' THEN \(integerCandidate(x)) WHEN 'real' THEN \(real) \
        WHEN 'text' THEN \(textCandidate(x)) WHEN 'blob' THEN \(textCandidate("CAST(\(x) AS TEXT)")) END) END)
        """
    }
  }

  /// The day number of a candidate: an ISO text naming a real date (year 1–9999), or the
  /// day number itself.
  func day(ofCandidate t: SQL) -> SQL {
    switch self {
    case .sqlite:
      return """
        (CASE WHEN typeof(\(t)) = 'text' THEN (CASE WHEN date(julianday(\(t))) = \(t) AND substr(\(t), 1, 4) <> '0000' \
        THEN \(day(ofISO: t)) END) ELSE \(t) END)
        """
    }
  }

  /// `DateParsing.fromInteger`: YYYYMMDD (as text to check), Unix milliseconds, Unix seconds.
  func integerCandidate(_ value: SQL) -> SQL {
    switch self {
    case .sqlite:
      let v: SQL = "(\(value))"
      return """
        (CASE WHEN \(v) BETWEEN 10000101 AND 99991231 THEN printf('%04d-%02d-%02d', \(v) / 10000, \(v) / 100 % 100, \(v) % 100) \
        WHEN \(v) >= 100000000000 AND \(v) < 100000000000000 THEN \(v) / 1000 / 86400 \
        WHEN \(v) >= 100000000 AND \(v) < 100000000000 THEN \(v) / 86400 END)
        """
    }
  }

  /// `DateParsing.parse` on text: `YYYY?M?D` with one separator (- / .), then anything that
  /// is not a digit; or digits (at most 16, optionally followed by a fraction) read as an integer.
  func textCandidate(_ s: SQL) -> SQL {
    switch self {
    case .sqlite:
      func at(_ p: Int, _ n: Int = 1) -> SQL { "substr(\(s), \(raw: String(p)), \(raw: String(n)))" }
      let sep = at(5)
      func dayPart(_ p: Int, _ month: SQL) -> SQL {
        let head = concat([at(1, 4), "'-'", month, "'-'"])
        return """
          CASE WHEN \(at(p, 2)) GLOB '[0-9][0-9]' THEN CASE WHEN \(at(p + 2)) NOT GLOB '[0-9]' THEN \(head) || \(at(p, 2)) END \
          WHEN \(at(p)) GLOB '[0-9]' THEN \(head) || '0' || \(at(p)) END
          """
      }
      let ymd: SQL = """
        CASE WHEN \(at(6, 2)) GLOB '[0-9][0-9]' THEN CASE WHEN \(at(8)) = \(sep) THEN \(dayPart(9, at(6, 2))) END \
        WHEN \(at(6)) GLOB '[0-9]' THEN CASE WHEN \(at(7)) = \(sep) THEN \(dayPart(8, "'0' || \(at(6))")) END END
        """
      let prefix: SQL = "substr(\(s), 1, instr(\(s) || '.', '.') - 1)"
      return """
        (CASE WHEN length(CAST(\(s) AS BLOB)) < 8 THEN NULL \
        WHEN \(at(1, 4)) GLOB '[0-9][0-9][0-9][0-9]' AND \(sep) NOT GLOB '[0-9]' THEN \
        CASE WHEN \(sep) IN ('-', '/', '.') THEN (\(ymd)) END \
        WHEN \(prefix) GLOB '[0-9]*' AND \(prefix) NOT GLOB '*[^0-9]*' AND length(\(prefix)) <= 16 THEN \
        \(integerCandidate("CAST(\(prefix) AS INTEGER)")) END)
        """
    }
  }

  /// A customer id as the loader keys it: with integer keys, integers and integer text
  /// (spaces and tabs trimmed) as integers, anything else NULL; with text keys, the text.
  func customerKey(_ x: SQL, integerKeys: SQL) -> SQL {
    switch self {
    case .sqlite:
      let t: SQL = "trim(CAST(\(x) AS TEXT), ' ' || char(9))"
      let intText: SQL = """
        (\(t) GLOB '[0-9]*' AND \(t) NOT GLOB '*[^0-9]*') OR (\(t) GLOB '[-+][0-9]*' AND substr(\(t), 2) NOT GLOB '*[^0-9]*')
        """
      return """
        (CASE WHEN \(integerKeys) THEN (CASE typeof(\(x)) WHEN 'integer' THEN \(x) \
        WHEN 'text' THEN (CASE WHEN \(intText) THEN CAST(\(t) AS INTEGER) END) \
        WHEN 'blob' THEN (CASE WHEN \(intText) THEN CAST(\(t) AS INTEGER) END) END) \
        ELSE CAST(\(x) AS TEXT) END)
        """
    }
  }

  /// Whether the first 1000 values of a column are integers (NULLs aside), which makes
  /// customer keys integers (`CubeLoader.columnIsInteger`).
  func integerKeysProbe(table: String, column: String) -> SQL {
    switch self {
    case .sqlite:
      return """
        SELECT coalesce(sum(t = 'integer') > 0 AND sum(t NOT IN ('integer', 'null')) = 0, 0) AS int_keys \
        FROM (SELECT typeof(\(raw: quote(column))) AS t FROM \(raw: quote(table)) LIMIT 1000)
        """
    }
  }
}
