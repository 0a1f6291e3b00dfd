// What differs between SQL engines, in one place: quoting, literals, placeholders, casts,
// division, NULL order, string search, date arithmetic, row order and series generators.
//
// A dialect is data: one `DialectTemplates` value per engine (below), each entry a template with
// {0}, {1} where the arguments go. The compiler writes portable SQL (CTEs, window functions,
// CASE, GROUP BY) and asks the dialect for everything else. Dates inside a statement are day
// numbers (days since 1970-01-01, like `Day.raw`), so only the conversions between text, day
// numbers and calendar fields are dialect-specific. A feature an engine lacks is a nil template;
// asking for it raises "… is not supported on <engine>".
//
// Reading the stored tables: SQLite stores values untyped, so the sqlite dialect reads them as
// the loader does (`typeof` branches, GLOB date shapes; the functions at the end of this file).
// The typed engines read columns whose types a `SourceSchema` describes (SourceSchema.swift).

import CubeSQLite

/// The SQL engine a plan is compiled for.
///
///     SQLCompiler(mapping: db.mapping, dialect: .sqlite, topics: topics)
///     SQLCompiler(mapping: db.mapping, dialect: .postgres, schema: schema, topics: topics)
public enum SQLDialect: String, Sendable, Hashable, CaseIterable {
  /// SQLite 3.30 or later (window functions, NULLS LAST, printf): the oracle of the differential test.
  case sqlite
  /// PostgreSQL 14 or later.
  case postgres
  /// DuckDB 0.10 or later.
  case duckdb
  /// Spark SQL 3.4 or later (no recursive CTE: series come from sequence/explode; every table
  /// carries the row-order column `rowOrderColumn`).
  case spark

  var t: DialectTemplates { DialectTemplates.of(self) }

  /// The engine's name in messages.
  public var engineName: String { t.name }

  /// A refusal for a feature the engine lacks.
  func unsupported(_ feature: String) -> SQLCompileError {
    SQLCompileError("\(feature) is not supported on \(t.name)")
  }

  // MARK: Names and values

  /// An identifier, quoted: "name" (`name` on Spark) with inner quotes doubled.
  public func quote(_ identifier: String) -> String {
    let q = t.identifierQuote
    return q + identifier.replacingOccurrences(of: q, with: q + q) + q
  }

  /// The placeholder of the i-th bound value (0-based).
  public func placeholder(_ index: Int) -> String {
    t.numberedPlaceholders ? "$\(index + 1)" : "?"
  }

  /// The placeholder of the i-th bound value, typed by the value where the engine infers a
  /// parameter's type from its context (PostgreSQL: `$1::bigint`), so that no context is needed.
  public func placeholder(_ index: Int, _ value: SQLValue) -> String {
    let p = placeholder(index)
    guard t.numberedPlaceholders else { return p }
    switch value {
    case .null: return p
    case .int: return p + "::" + SourceSchema.Kind.integer.typeName(self).lowercased()
    case .double: return p + "::" + SourceSchema.Kind.real.typeName(self)
    case .text: return p + "::" + SourceSchema.Kind.text.typeName(self).lowercased()
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
      if v.isInfinite { return v > 0 ? t.infinity : "-" + t.infinity }
      var s = String(v)
      if !s.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) { s += ".0" }
      return fill(t.doubleLiteral, [SQL(raw: s)]).literal { _ in "" }
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
      } else if u == "\\" && t.backslashEscapes {
        run += "\\\\"
      } else {
        run.unicodeScalars.append(u)
      }
    }
    flush()
    if pieces.isEmpty { return "''" }
    return pieces.count == 1 ? pieces[0] : "(" + pieces.joined(separator: " || ") + ")"
  }

  func charCode(_ code: Int) -> String { fill(t.charCode, [SQL(raw: String(code))]).literal { _ in "" } }

  /// The keyword that opens a WITH list containing a recursive CTE (nil: the engine has none).
  var withRecursive: String? { t.withRecursive }

  /// The hint that makes a CTE computed once into a table (never copied into its readers).
  var materialized: String { t.materialized }

  // MARK: Expressions

  /// A template with its arguments in place of {0}, {1}, …
  func fill(_ template: String, _ args: [SQL]) -> SQL {
    var out = SQL()
    var rest = Substring(template)
    while let open = rest.firstIndex(of: "{") {
      let after = rest.index(after: open)
      guard let close = rest[after...].firstIndex(of: "}"), let i = Int(rest[after..<close]), i < args.count else {
        out.append(raw: String(rest[...open]))
        rest = rest[after...]
        continue
      }
      out.append(raw: String(rest[..<open]))
      out.append(args[i])
      rest = rest[rest.index(after: close)...]
    }
    out.append(raw: String(rest))
    return out
  }

  func concat(_ parts: [SQL]) -> SQL { "(" + parts.joined(" || ") + ")" }

  /// Integer division of integers, truncating, without the outer parentheses (`a / b`).
  func intDivision(_ a: SQL, _ b: SQL) -> SQL { fill(t.intDivision, [a, b]) }

  /// Integer division of integers, truncating.
  func intDiv(_ a: SQL, _ b: SQL) -> SQL { "(" + intDivision("(\(a))", "(\(b))") + ")" }

  /// A number as a double, so that dividing it is fractional (`x * 1.0` in SQLite).
  func real(_ x: SQL) -> SQL { fill(t.real, [x]) }

  /// The non-negative remainder of a by a positive b.
  func mod(_ a: SQL, _ b: SQL) -> SQL { "((((\(a)) % (\(b))) + (\(b))) % (\(b)))" }

  func toText(_ x: SQL) -> SQL { fill(t.toText, [x]) }
  func toReal(_ x: SQL) -> SQL { fill(t.toReal, [x]) }
  func toInteger(_ x: SQL) -> SQL { fill(t.toInteger, [x]) }
  /// A double as an integer, truncated toward zero (as SQLite's CAST).
  func truncToInteger(_ x: SQL) -> SQL { fill(t.truncToInteger, [x]) }

  /// A sum that is 0.0 over no (non-NULL) values.
  func sumOrZero(_ x: SQL) -> SQL { fill(t.sumOrZero, [x]) }

  /// The smaller of two values (NULL when either is NULL).
  func least(_ a: SQL, _ b: SQL) -> SQL { fill(t.least, [a, b]) }

  func greatest(_ a: SQL, _ b: SQL) -> SQL { fill(t.greatest, [a, b]) }

  /// Whether `needle` occurs in `haystack` (plain substring, an empty needle always does).
  func contains(_ haystack: SQL, _ needle: SQL) -> SQL { fill(t.contains, [haystack, needle]) }

  /// A figure as rankings order it: at 6 decimal places (the executor's `rankValue`), so that
  /// sums equal but for floating-point rounding tie and are ordered by key.
  func rankKey(_ x: SQL) -> SQL { fill(t.rankKey, [x]) }

  /// Equal, NULL equal to NULL (matching keys of two blocks, the unknown group included).
  func isNotDistinct(_ a: SQL, _ b: SQL) -> SQL { fill(t.isNotDistinct, [a, b]) }

  /// An ascending ORDER BY term as SQLite orders it: NULL first, text by its bytes.
  func ascending(_ x: String, text: Bool) -> String {
    fill(text ? t.orderText : t.orderValue, [SQL(raw: x)]).literal { _ in "" }
  }

  /// The row's identity in the order of the file the table came from (ordering only: "the
  /// first duplicate wins").
  var rowid: String { t.rowid }

  /// The id an order without an id column is known by, as the loader keys it: its SQLite
  /// rowid (Spark: the row-order column, which is that rowid), else the 1-based position in
  /// that order (the rowid when the file's rowids are dense).
  var rowPosition: String { t.rowPosition }

  /// The column every table must carry on an engine without a stable physical row order
  /// (Spark: a scan's order is not the file's, and `monotonically_increasing_id()` is not
  /// deterministic where a statement reads a CTE twice): a bigint, each row's rowid in the
  /// SQLite file it was copied from. nil: the engine keeps the order of the rows as inserted.
  public var rowOrderColumn: String? { t.rowOrderColumn }

  /// "NULLS LAST" for an ORDER BY term.
  var nullsLast: String { "NULLS LAST" }

  /// A value list that may be empty: `x IN (…)`, or a false condition for no values.
  func inList(_ x: SQL, _ values: [SQL]) -> SQL {
    values.isEmpty ? "(1 = 0)" : "(\(x) IN (\(values.joined(", "))))"
  }

  // MARK: Series

  /// The CTE body of the integers lo, lo + step, … up to hi (at least lo), read from the
  /// one-row CTE `bounds` when `bounds.has = 1`: `name` is the CTE's own name (for a recursive
  /// CTE) and `column` its column. Recursive where the engine has recursive CTEs, else the
  /// engine's generator.
  func series(name: String, column: String, lo: SQL, hi: SQL, step: Int, from: SQL, condition: SQL) -> (SQL, recursive: Bool) {
    if let g = t.seriesGenerator {
      return (fill(g, [lo, hi, SQL(raw: String(step)), SQL(raw: column), from, condition]), false)
    }
    let s = String(step)
    return ("SELECT \(lo) AS \(raw: column) FROM \(from) WHERE \(condition) UNION ALL SELECT a.\(raw: column) + \(raw: s) FROM \(raw: name) a, \(from) WHERE a.\(raw: column) + \(raw: s) <= \(hi)", true)
  }

  // MARK: Dates as day numbers

  /// Day number of an ISO `YYYY-MM-DD` text (or of a date or timestamp value on typed engines).
  func day(ofISO iso: SQL) -> SQL { fill(t.dayOfISO, [iso]) }

  /// `YYYY-MM-DD` of a day number.
  func iso(ofDay d: SQL) -> SQL { fill(t.isoOfDay, [d]) }

  func year(ofDay d: SQL) -> SQL { fill(t.yearOfDay, [d]) }

  func month(ofDay d: SQL) -> SQL { fill(t.monthOfDay, [d]) }

  /// Day number of the first day of month index `m` (year·12 + month − 1).
  func day(ofMonthIndex m: SQL) -> SQL {
    if let f = t.dayOfMonthIndex { return fill(f, [m]) }
    return civilDay(intDiv(m, "12"), "((\(m)) % 12 + 1)", "1")
  }

  /// An integer written with at least `width` digits (zero-padded).
  func padded(_ x: SQL, width: Int) -> SQL { fill(t.padded, [x, SQL(raw: String(width))]) }

  /// The day number of a valid date y-m-d (y ≥ 1), in integer arithmetic only (Howard
  /// Hinnant's days_from_civil): no date function, so no engine raises on a bad date.
  func civilDay(_ y: SQL, _ m: SQL, _ d: SQL) -> SQL {
    let yp: SQL = "((\(y)) - CASE WHEN (\(m)) <= 2 THEN 1 ELSE 0 END)"
    let era = intDiv(yp, "400")
    let yoe: SQL = "(\(yp) - \(era) * 400)"
    let doy: SQL = "(\(intDiv("153 * (((\(m)) + 9) % 12) + 2", "5")) + (\(d)) - 1)"
    let doe: SQL = "(\(yoe) * 365 + \(intDiv(yoe, "4")) - \(intDiv(yoe, "100")) + \(doy))"
    return "(\(era) * 146097 + \(doe) - 719468)"
  }

  /// The day number of y-m-d when that is a real date (year 1–9999), else NULL.
  func validDay(_ y: SQL, _ m: SQL, _ d: SQL) -> SQL {
    let leap: SQL = "CASE WHEN ((\(y)) % 4 = 0 AND (\(y)) % 100 <> 0) OR (\(y)) % 400 = 0 THEN 1 ELSE 0 END"
    let length: SQL = "CASE WHEN (\(m)) = 2 THEN 28 + \(leap) ELSE 30 + (((\(m)) + \(intDiv(m, "8"))) % 2) END"
    return """
      (CASE WHEN (\(y)) BETWEEN 1 AND 9999 AND (\(m)) BETWEEN 1 AND 12 AND (\(d)) >= 1 AND (\(d)) <= \(length) \
      THEN \(civilDay(y, m, d)) END)
      """
  }

  // MARK: Text patterns (typed engines)

  /// Whether text matches a regular expression (searching; anchor with ^ and $).
  func matches(_ x: SQL, _ pattern: String) -> SQL {
    fill(t.matches, [x, SQL(raw: literal(.text(pattern)))])
  }

  /// The first group of a regular expression's match, NULL when it does not match.
  func firstGroup(_ x: SQL, _ pattern: String) -> SQL {
    fill(t.firstGroup, [x, SQL(raw: literal(.text(pattern)))])
  }

  /// Text (already checked to be a number) as a double or integer, NULL when it is none.
  func textToReal(_ x: SQL) -> SQL { fill(t.tryReal, [x]) }
  func textToInteger(_ x: SQL) -> SQL { fill(t.tryInteger, [x]) }

  /// The length of a text in bytes (UTF-8).
  func byteLength(_ x: SQL) -> SQL { fill(t.byteLength, [x]) }
}

/// The templates of one dialect: {0}, {1}, … are the arguments.
struct DialectTemplates: Sendable {
  var name: String
  var identifierQuote: String
  var numberedPlaceholders: Bool
  /// A text literal treats a backslash as an escape (it is doubled).
  var backslashEscapes: Bool
  var charCode: String
  var doubleLiteral: String
  var infinity: String
  var withRecursive: String?
  var materialized: String
  /// {0} lo, {1} hi, {2} step, {3} column, {4} FROM, {5} condition; nil: a recursive CTE.
  var seriesGenerator: String?
  var intDivision: String
  var real: String
  var toText: String
  var toReal: String
  var toInteger: String
  var truncToInteger: String
  var sumOrZero: String
  var least: String
  var greatest: String
  var contains: String
  var rankKey: String
  var isNotDistinct: String
  var orderValue: String
  var orderText: String
  var rowid: String
  var rowPosition: String
  var rowOrderColumn: String? = nil
  var dayOfISO: String
  var isoOfDay: String
  var yearOfDay: String
  var monthOfDay: String
  /// nil: computed in integer arithmetic (`civilDay`).
  var dayOfMonthIndex: String?
  var padded: String
  /// Regular expressions (typed engines only: SQLite has no built-in REGEXP function).
  var matches: String
  var firstGroup: String
  var tryReal: String
  var tryInteger: String
  var byteLength: String

  static func of(_ d: SQLDialect) -> DialectTemplates {
    switch d {
    case .sqlite: return sqlite
    case .postgres: return postgres
    case .duckdb: return duckdb
    case .spark: return spark
    }
  }

  static let sqlite = DialectTemplates(
    name: "SQLite", identifierQuote: "\"", numberedPlaceholders: false, backslashEscapes: false,
    charCode: "char({0})", doubleLiteral: "{0}", infinity: "9e999",
    withRecursive: "WITH RECURSIVE", materialized: "MATERIALIZED ", seriesGenerator: nil,
    intDivision: "{0} / {1}", real: "{0} * 1.0",
    toText: "CAST({0} AS TEXT)", toReal: "CAST({0} AS REAL)", toInteger: "CAST({0} AS INTEGER)", truncToInteger: "CAST({0} AS INTEGER)",
    sumOrZero: "total({0})", least: "min({0}, {1})", greatest: "max({0}, {1})",
    contains: "(instr({0}, {1}) > 0)", rankKey: "round({0}, 6)", isNotDistinct: "({0} IS {1})",
    orderValue: "{0}", orderText: "{0}", rowid: "rowid", rowPosition: "rowid",
    dayOfISO: "CAST(julianday({0}) - 2440587.5 AS INTEGER)",
    isoOfDay: "date(({0}) + 2440587.5)",
    yearOfDay: "CAST(strftime('%Y', ({0}) + 2440587.5) AS INTEGER)",
    monthOfDay: "CAST(strftime('%m', ({0}) + 2440587.5) AS INTEGER)",
    dayOfMonthIndex: "CAST(julianday(printf('%04d-%02d-01', ({0}) / 12, ({0}) % 12 + 1)) - 2440587.5 AS INTEGER)",
    padded: "printf('%0{1}d', {0})", matches: "({0} REGEXP {1})", firstGroup: "regexp_substr({0}, {1})",
    tryReal: "CAST({0} AS REAL)", tryInteger: "CAST({0} AS INTEGER)", byteLength: "length(CAST({0} AS BLOB))")

  static let postgres = DialectTemplates(
    name: "PostgreSQL", identifierQuote: "\"", numberedPlaceholders: true, backslashEscapes: false,
    charCode: "chr({0})", doubleLiteral: "{0}", infinity: "CAST('Infinity' AS double precision)",
    withRecursive: "WITH RECURSIVE", materialized: "MATERIALIZED ", seriesGenerator: nil,
    intDivision: "{0} / {1}", real: "CAST({0} AS double precision)",
    toText: "CAST({0} AS text)", toReal: "CAST({0} AS double precision)", toInteger: "CAST({0} AS bigint)",
    truncToInteger: "CAST(trunc({0}) AS bigint)",
    sumOrZero: "coalesce(sum(CAST({0} AS double precision)), 0.0)",
    least: "(CASE WHEN {0} IS NULL OR {1} IS NULL THEN NULL ELSE least({0}, {1}) END)",
    greatest: "(CASE WHEN {0} IS NULL OR {1} IS NULL THEN NULL ELSE greatest({0}, {1}) END)",
    contains: "(strpos({0}, {1}) > 0)", rankKey: "round(CAST({0} AS numeric), 6)", isNotDistinct: "({0} IS NOT DISTINCT FROM {1})",
    orderValue: "{0} NULLS FIRST", orderText: "{0} COLLATE \"C\" NULLS FIRST",
    rowid: "ctid", rowPosition: "row_number() OVER (ORDER BY ctid)",
    dayOfISO: "(CAST({0} AS date) - DATE '1970-01-01')",
    isoOfDay: "to_char(DATE '1970-01-01' + CAST({0} AS integer), 'YYYY-MM-DD')",
    yearOfDay: "CAST(extract(year FROM DATE '1970-01-01' + CAST({0} AS integer)) AS bigint)",
    monthOfDay: "CAST(extract(month FROM DATE '1970-01-01' + CAST({0} AS integer)) AS bigint)",
    dayOfMonthIndex: nil, padded: "lpad(CAST({0} AS text), {1}, '0')",
    matches: "({0} ~ {1})", firstGroup: "substring({0} from {1})",
    tryReal: "CAST({0} AS double precision)", tryInteger: "CAST({0} AS bigint)", byteLength: "octet_length({0})")

  static let duckdb = DialectTemplates(
    name: "DuckDB", identifierQuote: "\"", numberedPlaceholders: false, backslashEscapes: false,
    charCode: "chr({0})", doubleLiteral: "CAST({0} AS DOUBLE)", infinity: "CAST('Infinity' AS DOUBLE)",
    withRecursive: "WITH RECURSIVE", materialized: "", seriesGenerator: nil,
    intDivision: "{0} // {1}", real: "CAST({0} AS DOUBLE)",
    toText: "CAST({0} AS VARCHAR)", toReal: "CAST({0} AS DOUBLE)", toInteger: "CAST({0} AS BIGINT)",
    truncToInteger: "CAST(trunc({0}) AS BIGINT)",
    sumOrZero: "coalesce(sum(CAST({0} AS DOUBLE)), CAST(0 AS DOUBLE))",
    least: "(CASE WHEN {0} IS NULL OR {1} IS NULL THEN NULL ELSE least({0}, {1}) END)",
    greatest: "(CASE WHEN {0} IS NULL OR {1} IS NULL THEN NULL ELSE greatest({0}, {1}) END)",
    contains: "(strpos({0}, {1}) > 0)", rankKey: "round({0}, 6)", isNotDistinct: "({0} IS NOT DISTINCT FROM {1})",
    orderValue: "{0} NULLS FIRST", orderText: "{0} NULLS FIRST",
    rowid: "rowid", rowPosition: "(rowid + 1)",
    dayOfISO: "date_diff('day', DATE '1970-01-01', CAST({0} AS DATE))",
    isoOfDay: "strftime(DATE '1970-01-01' + CAST({0} AS INTEGER), '%Y-%m-%d')",
    yearOfDay: "CAST(year(DATE '1970-01-01' + CAST({0} AS INTEGER)) AS BIGINT)",
    monthOfDay: "CAST(month(DATE '1970-01-01' + CAST({0} AS INTEGER)) AS BIGINT)",
    dayOfMonthIndex: nil, padded: "lpad(CAST({0} AS VARCHAR), {1}, '0')",
    matches: "regexp_matches({0}, {1})", firstGroup: "nullif(regexp_extract({0}, {1}, 1), '')",
    tryReal: "TRY_CAST({0} AS DOUBLE)", tryInteger: "TRY_CAST({0} AS BIGINT)", byteLength: "strlen({0})")

  static let spark = DialectTemplates(
    name: "Spark SQL", identifierQuote: "`", numberedPlaceholders: false, backslashEscapes: true,
    charCode: "chr({0})", doubleLiteral: "CAST({0} AS DOUBLE)", infinity: "CAST('Infinity' AS DOUBLE)",
    withRecursive: nil, materialized: "",
    seriesGenerator: "SELECT explode(sequence({0}, greatest({0}, {1}), {2})) AS {3} FROM {4} WHERE {5}",
    intDivision: "{0} div {1}", real: "CAST({0} AS DOUBLE)",
    toText: "CAST({0} AS STRING)", toReal: "CAST({0} AS DOUBLE)", toInteger: "CAST({0} AS BIGINT)",
    truncToInteger: "CAST({0} AS BIGINT)",
    sumOrZero: "coalesce(sum(CAST({0} AS DOUBLE)), CAST(0 AS DOUBLE))",
    least: "(CASE WHEN {0} IS NULL OR {1} IS NULL THEN NULL ELSE least({0}, {1}) END)",
    greatest: "(CASE WHEN {0} IS NULL OR {1} IS NULL THEN NULL ELSE greatest({0}, {1}) END)",
    contains: "(instr({0}, {1}) > 0)", rankKey: "round({0}, 6)", isNotDistinct: "({0} <=> {1})",
    orderValue: "{0} NULLS FIRST", orderText: "{0} NULLS FIRST",
    rowid: "`wenshu_rowid`", rowPosition: "`wenshu_rowid`", rowOrderColumn: "wenshu_rowid",
    dayOfISO: "CAST(datediff(CAST({0} AS DATE), DATE'1970-01-01') AS BIGINT)",
    isoOfDay: "date_format(date_add(DATE'1970-01-01', CAST({0} AS INT)), 'yyyy-MM-dd')",
    yearOfDay: "CAST(year(date_add(DATE'1970-01-01', CAST({0} AS INT))) AS BIGINT)",
    monthOfDay: "CAST(month(date_add(DATE'1970-01-01', CAST({0} AS INT))) AS BIGINT)",
    dayOfMonthIndex: nil, padded: "lpad(CAST({0} AS STRING), {1}, '0')",
    matches: "({0} RLIKE {1})", firstGroup: "nullif(regexp_extract({0}, {1}, 1), '')",
    tryReal: "try_cast({0} AS DOUBLE)", tryInteger: "try_cast({0} AS BIGINT)", byteLength: "octet_length({0})")
}

// MARK: Reading untyped stored values as the loader does (SQLite; CubeLoader, DateParsing)

extension SQLDialect {
  /// Reading a stored date as `DateParsing.day` does (ISO dates and datetimes, `YYYY/MM/DD`,
  /// `YYYY.MM.DD`, `YYYYMMDD` as integer or text, Unix seconds and milliseconds) takes two
  /// steps, each a column of its own CTE so that neither expression is copied into the other:
  /// first a candidate, `YYYY-MM-DD` text still to be checked or a day number (Unix time);
  /// then `day(ofCandidate:)`. NULL when the value is no date.
  func dayCandidate(_ x: SQL) -> SQL {
    let real: SQL = "CASE WHEN \(x) = CAST(\(x) AS INTEGER) OR \(x) > 100000000 THEN \(integerCandidate("CAST(\(x) AS INTEGER)")) END"
    // The common form first (YYYY-MM-DD, then anything but a digit), then every other form.
    return """
      (CASE WHEN typeof(\(x)) = 'text' AND \(x) GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' \
      AND substr(\(x), 11, 1) NOT GLOB '[0-9]' THEN substr(\(x), 1, 10) \
      ELSE (CASE typeof(\(x)) WHEN 'integer' THEN \(integerCandidate(x)) WHEN 'real' THEN \(real) \
      WHEN 'text' THEN \(textCandidate(x)) WHEN 'blob' THEN \(textCandidate("CAST(\(x) AS TEXT)")) END) END)
      """
  }

  /// The day number of a candidate: an ISO text naming a real date (year 1–9999), or the
  /// day number itself.
  func day(ofCandidate t: SQL) -> SQL {
    """
    (CASE WHEN typeof(\(t)) = 'text' THEN (CASE WHEN date(julianday(\(t))) = \(t) AND substr(\(t), 1, 4) <> '0000' \
    THEN \(day(ofISO: t)) END) ELSE \(t) END)
    """
  }

  /// `DateParsing.fromInteger`: YYYYMMDD (as text to check), Unix milliseconds, Unix seconds.
  func integerCandidate(_ value: SQL) -> SQL {
    let v: SQL = "(\(value))"
    return """
      (CASE WHEN \(v) BETWEEN 10000101 AND 99991231 THEN printf('%04d-%02d-%02d', \(v) / 10000, \(v) / 100 % 100, \(v) % 100) \
      WHEN \(v) >= 100000000000 AND \(v) < 100000000000000 THEN \(v) / 1000 / 86400 \
      WHEN \(v) >= 100000000 AND \(v) < 100000000000 THEN \(v) / 86400 END)
      """
  }

  /// `DateParsing.parse` on text: `YYYY?M?D` with one separator (- / .), then anything that
  /// is not a digit; or digits (at most 16, optionally followed by a fraction) read as an integer.
  func textCandidate(_ s: SQL) -> SQL {
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

  /// A customer id as the loader keys it: with integer keys, integers and integer text
  /// (spaces and tabs trimmed) as integers, anything else NULL; with text keys, the text.
  func customerKey(_ x: SQL, integerKeys: SQL) -> SQL {
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

  /// Whether the first 1000 values of a column are integers (NULLs aside), which makes
  /// customer keys integers (`CubeLoader.columnIsInteger`).
  func integerKeysProbe(table: String, column: String) -> SQL {
    """
    SELECT coalesce(sum(t = 'integer') > 0 AND sum(t NOT IN ('integer', 'null')) = 0, 0) AS int_keys \
    FROM (SELECT typeof(\(raw: quote(column))) AS t FROM \(raw: quote(table)) LIMIT 1000)
    """
  }
}
