// The stored column types of a database on a typed engine (PostgreSQL, DuckDB, Spark), and how
// the normalize stage reads each kind so that it gives what the loader gives from the same values
// stored untyped in SQLite (CubeLoader, DateParsing):
//
//   date, timestamp   day numbers directly
//   integer           YYYYMMDD, Unix milliseconds or seconds (DateParsing.fromInteger), checked in
//                     integer arithmetic; keys as they are
//   real              as integer when whole (or past 10⁸), as SQLite reads a REAL date
//   text              the loader's text rules written with the dialect's regular expressions:
//                     YYYY?M?D with one separator (- / .) then no digit, or at most 16 digits
//                     (optionally a fraction) read as an integer; numbers by their leading digits
//
// The caller describes the columns (`PostgresExport.plan` decides them when it copies a SQLite
// file to a server); nil (the sqlite dialect) keeps SQLite's dynamic typing with typeof branches.

import CubeSQLite

/// Table → column → stored kind, and whether customer ids are integers.
///
///     var s = SourceSchema()
///     s.set("orders", "created_at", .timestamp)
///     s.integerKeys = true
public struct SourceSchema: Sendable, Hashable {
  public enum Kind: String, Sendable, Hashable, CaseIterable {
    case integer, real, date, timestamp, text

    /// The kind of a PostgreSQL column type as PostgresExport writes them (bigint, double
    /// precision, date, timestamp, text); anything else is text.
    public init(postgresType: String) {
      switch postgresType.lowercased() {
      case "bigint", "integer", "smallint", "int8", "int4", "int2": self = .integer
      case "double precision", "real", "numeric", "float8", "float4": self = .real
      case "date": self = .date
      case "timestamp", "timestamp without time zone", "timestamptz", "timestamp with time zone": self = .timestamp
      default: self = .text
      }
    }

    /// The column type on an engine (for loaders that create the tables).
    public func typeName(_ d: SQLDialect) -> String {
      switch (self, d) {
      case (.integer, .sqlite): return "INTEGER"
      case (.integer, _): return "BIGINT"
      case (.real, .postgres): return "double precision"
      case (.real, .sqlite): return "REAL"
      case (.real, _): return "DOUBLE"
      case (.date, _): return "DATE"
      case (.timestamp, _): return "TIMESTAMP"
      case (.text, .spark): return "STRING"
      case (.text, .duckdb): return "VARCHAR"
      case (.text, _): return "TEXT"
      }
    }
  }

  /// Lower-cased table name → column name → kind.
  public var tables: [String: [String: Kind]] = [:]
  /// Customer ids are integers (as the loader decides from the first 1000 order rows); nil:
  /// integers exactly when the orders' customer column is an integer column.
  public var integerKeys: Bool?

  public init(tables: [String: [String: Kind]] = [:], integerKeys: Bool? = nil) {
    self.tables = [:]
    for (t, cols) in tables { self.tables[t.lowercased()] = cols }
    self.integerKeys = integerKeys
  }

  public mutating func set(_ table: String, _ column: String, _ kind: Kind) {
    tables[table.lowercased(), default: [:]][column] = kind
  }

  /// Describes a table by PostgreSQL column types (name, type), as `PostgresExport.plan` gives them.
  public mutating func set(_ table: String, postgresColumns: [(name: String, type: String)]) {
    for c in postgresColumns { set(table, c.name, Kind(postgresType: c.type)) }
  }

  /// The tables a mapping reads (orders, customers, items, feedback, events).
  public static func tables(of m: DataMapping) -> [String] {
    [m.orders.table] + [m.customers?.table, m.items?.table, m.feedback?.table, m.events?.table].compactMap { $0 }
  }

  /// The kind of a column (text when not described).
  public func kind(_ table: String, _ column: String) -> Kind {
    guard let cols = tables[table.lowercased()] else { return .text }
    return cols[column] ?? cols.first { $0.key.lowercased() == column.lowercased() }?.value ?? .text
  }

  /// Whether customer keys are integers for this mapping.
  public func keysAreIntegers(_ mapping: DataMapping) -> Bool {
    integerKeys ?? (kind(mapping.orders.table, mapping.orders.customer) == .integer)
  }

  /// The statement deciding `integerKeys` on a typed engine as the loader decides it on the
  /// SQLite file the tables came from (one row, one column: 1 or 0): the first 1000 order rows in
  /// scan order have a customer id, and every id among them is an integer (integer text in a
  /// text column, as SQLite's integers are written when a column mixes kinds).
  public func integerKeysQuery(_ d: SQLDialect, _ m: DataMapping) -> String {
    if d == .sqlite { return SourceSchema.integerKeysQuery(m) }
    let x = d.quote(m.orders.customer)
    let isInteger: SQL = kind(m.orders.table, m.orders.customer) == .integer ? "1 = 1" : d.matches(SQL(raw: "x"), "^(0|-?[1-9][0-9]*)$")
    let sql: SQL = """
      SELECT CASE WHEN count(x) > 0 AND count(x) = sum(CASE WHEN x IS NOT NULL AND \(isInteger) THEN 1 ELSE 0 END) THEN 1 ELSE 0 END AS int_keys \
      FROM (SELECT \(raw: x) AS x FROM \(raw: d.quote(m.orders.table)) ORDER BY \(raw: d.rowid) LIMIT 1000) s
      """
    return sql.literal(d.literal)
  }

  /// The statement deciding `integerKeys` on a SQLite file as the loader does (one row, one
  /// column: 1 or 0), for callers that describe a SQLite file's export.
  public static func integerKeysQuery(_ mapping: DataMapping) -> String {
    SQLDialect.sqlite.integerKeysProbe(table: mapping.orders.table, column: mapping.orders.customer).literal { _ in "" }
  }
}

/// Reading stored columns of known kinds (the normalize stage on typed engines).
struct TypedReader {
  let d: SQLDialect
  let schema: SourceSchema
  let integerKeys: Bool

  /// Digits with an optional sign and fraction and exponent, after spaces: SQLite's number prefix.
  static let realPrefix = "^ *([-+]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][-+]?[0-9]+)?)"
  static let integerPrefix = "^ *([-+]?[0-9]{1,18})"

  /// A stored value as text (CAST(x AS TEXT)).
  func text(_ x: SQL, _ k: SourceSchema.Kind) -> SQL {
    k == .text ? x : d.toText(x)
  }

  /// A stored value as a double, as SQLite's CAST(x AS REAL): text by its leading number, 0.0
  /// when it has none; NULL stays NULL.
  func real(_ x: SQL, _ k: SourceSchema.Kind) -> SQL {
    switch k {
    case .integer, .real: return d.toReal(x)
    case .text, .date, .timestamp:
      let t = text(x, k)
      return "(CASE WHEN \(x) IS NULL THEN NULL ELSE coalesce(\(d.textToReal(d.firstGroup(t, TypedReader.realPrefix))), 0.0) END)"
    }
  }

  /// A stored value as an integer, as SQLite's CAST(x AS INTEGER); NULL stays NULL.
  func integer(_ x: SQL, _ k: SourceSchema.Kind) -> SQL {
    switch k {
    case .integer: return x
    case .real: return d.truncToInteger(x)
    case .text, .date, .timestamp:
      let t = text(x, k)
      return "(CASE WHEN \(x) IS NULL THEN NULL ELSE coalesce(\(d.textToInteger(d.firstGroup(t, TypedReader.integerPrefix))), 0) END)"
    }
  }

  /// A customer id as the loader keys it (integer keys: integers and integer text, spaces and
  /// tabs trimmed; else NULL. Text keys: the text).
  func key(_ x: SQL, _ k: SourceSchema.Kind) -> SQL {
    guard integerKeys else { return text(x, k) }
    switch k {
    case .integer: return x
    case .real: return "(CASE WHEN \(x) = \(d.truncToInteger(x)) THEN \(d.truncToInteger(x)) END)"
    case .text, .date, .timestamp:
      let t = text(x, k)
      let pattern = "^[ \t]*([-+]?[0-9]{1,18})[ \t]*$"
      return "\(d.textToInteger(d.firstGroup(t, pattern)))"
    }
  }

  /// The day number of a stored date (DateParsing rules), NULL when it is no date.
  func day(_ x: SQL, _ k: SourceSchema.Kind) -> SQL {
    switch k {
    case .date, .timestamp: return d.day(ofISO: x)
    case .integer: return dayOfInteger(x)
    case .real:
      return "(CASE WHEN \(x) = \(d.truncToInteger(x)) OR \(x) > 100000000 THEN \(dayOfInteger(d.truncToInteger(x))) END)"
    case .text: return dayOfText(x)
    }
  }

  /// `DateParsing.fromInteger`: YYYYMMDD, Unix milliseconds, Unix seconds.
  func dayOfInteger(_ value: SQL) -> SQL {
    let v: SQL = "(\(value))"
    let ymd = d.validDay(d.intDiv(v, "10000"), "\(d.intDiv(v, "100")) % 100", "\(v) % 100")
    return """
      (CASE WHEN \(v) BETWEEN 10000101 AND 99991231 THEN \(ymd) \
      WHEN \(v) >= 100000000000 AND \(v) < 100000000000000 THEN \(d.intDiv(d.intDiv(v, "1000"), "86400")) \
      WHEN \(v) >= 100000000 AND \(v) < 100000000000 THEN \(d.intDiv(v, "86400")) END)
      """
  }

  /// `DateParsing.parse` on text.
  func dayOfText(_ s: SQL) -> SQL {
    let separated = "^[0-9]{4}(-[0-9]{1,2}-[0-9]{1,2}|/[0-9]{1,2}/[0-9]{1,2}|[.][0-9]{1,2}[.][0-9]{1,2})([^0-9]|$)"
    let y = d.toInteger("substr(\(s), 1, 4)")
    let m = d.toInteger(d.firstGroup(s, "^[0-9]{4}[-/.]([0-9]{1,2})"))
    let dd = d.toInteger(d.firstGroup(s, "^[0-9]{4}[-/.][0-9]{1,2}[-/.]([0-9]{1,2})"))
    let digits = d.toInteger(d.firstGroup(s, "^([0-9]{1,16})([.]|$)"))
    return """
      (CASE WHEN \(d.byteLength(s)) < 8 THEN NULL \
      WHEN \(d.matches(s, "^[0-9]{4}[^0-9]")) THEN (CASE WHEN \(d.matches(s, separated)) THEN \(d.validDay(y, m, dd)) END) \
      WHEN \(d.matches(s, "^[0-9]{1,16}([.]|$)")) THEN \(dayOfInteger(digits)) END)
      """
  }

  /// Seconds since midnight of a stored event time (as the loader: HH:MM[:SS] after a
  /// YYYY-MM-DD date and a space or T in text; 0 otherwise).
  func seconds(_ x: SQL, _ k: SourceSchema.Kind) -> SQL {
    switch k {
    case .timestamp:
      let tt = d.toText(x)
      return "(\(d.toInteger("substr(\(tt), 12, 2)")) * 3600 + \(d.toInteger("substr(\(tt), 15, 2)")) * 60 + \(d.toInteger("substr(\(tt), 18, 2)")))"
    case .text:
      let hh = d.toInteger("substr(\(x), 12, 2)"), mm = d.toInteger("substr(\(x), 15, 2)"), ss = d.toInteger("substr(\(x), 18, 2)")
      return """
        (CASE WHEN length(\(x)) >= 16 AND \(d.matches(x, "^.{10}[ T][0-9]{2}.[0-9]{2}")) AND \(hh) < 24 AND \(mm) < 60 \
        THEN \(hh) * 3600 + \(mm) * 60 + (CASE WHEN length(\(x)) >= 19 AND \(d.matches(x, "^.{17}[0-9]{2}")) \
        THEN \(d.least(ss, "59")) ELSE 0 END) ELSE 0 END)
        """
    default: return "0"
    }
  }
}
