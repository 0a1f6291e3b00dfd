// SQLite → PostgreSQL (`wenshu export --to postgresql://…`): the one place Wenshu writes, and
// it writes only to the target server. The SQLite file is opened read-only.
//
// Every table of the file (the roles the loader infers — orders, customers, items, feedback,
// events — and any other table as it is) becomes a table of the same name and columns in the
// server's current schema. Each column's type follows what it holds: integer → bigint, numbers →
// double precision, ISO dates → date, ISO date-times → timestamp, anything else (mixed kinds
// included) → text. Rows go in the file's order through COPY FROM STDIN, all tables in one
// transaction: the server has all of them or none. Existing tables are refused unless
// `replace` (then dropped and recreated in the same transaction).

import CubeSQLite
import Foundation

public enum PostgresExport {
  public struct ColumnPlan: Sendable, Equatable {
    public var name: String
    /// bigint, double precision, date, timestamp or text.
    public var type: String
    public var primaryKey: Bool
  }
  public struct TablePlan: Sendable {
    public var name: String
    public var columns: [ColumnPlan]
    public var rows: Int
    /// The role the loader infers for it (orders, customers, items, feedback), if any.
    public var role: String?
  }
  public struct Report: Sendable {
    public var tables: [TablePlan]
    public var skippedViews: [String]
    public var target: String
    public var lines: [String] {
      var out = tables.map { t in
        "\(t.name)\(t.role.map { " (\($0))" } ?? ""): \(t.rows) rows — "
          + t.columns.map { "\($0.name) \($0.type)\($0.primaryKey ? " primary key" : "")" }.joined(separator: ", ")
      }
      if !skippedViews.isEmpty { out.append("views not copied (their tables are): \(skippedViews.joined(separator: ", "))") }
      out.append("exported \(tables.count) table\(tables.count == 1 ? "" : "s") to \(target)")
      return out
    }
  }

  /// Copies the tables of the SQLite file at `sqlitePath` into the server at `url`.
  public static func export(sqlitePath: String, to url: String, replace: Bool = false, statementTimeout: Int = 1800) throws -> Report {
    try CubeLoader.checkFile(sqlitePath)
    let db = try SQLiteDatabase(path: sqlitePath, readOnly: true)
    var tableNames: [String] = []
    var views: [String] = []
    for r in try db.rows("SELECT name, type FROM sqlite_master WHERE type IN ('table','view') AND name NOT LIKE 'sqlite_%' ORDER BY name") {
      guard let n = r[0].string else { continue }
      if r[1].string == "view" { views.append(n) } else { tableNames.append(n) }
    }
    guard !tableNames.isEmpty else { throw PostgresError(.other, "\(sqlitePath) has no tables to export.") }
    let roles = roleNames(db)
    var plans: [TablePlan] = []
    for t in tableNames {
      var p = try plan(db, table: t)
      p.role = roles[t]
      plans.append(p)
    }

    let pg = try PostgresConnection(url: url, mode: .write, statementTimeout: statementTimeout)
    try pg.transaction {
      let existing = try plans.filter { p in
        let r = try pg.query("SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1", [p.name])
        return !r.rows.isEmpty
      }.map(\.name)
      if !existing.isEmpty && !replace {
        throw PostgresError(.other, "\(pg.url.redacted) already has table\(existing.count == 1 ? "" : "s") \(existing.joined(separator: ", ")): nothing was written. Pass --replace to drop and recreate \(existing.count == 1 ? "it" : "them").")
      }
      for name in existing { try pg.execute("DROP TABLE \(quotePostgresIdentifier(name))") }
      for p in plans {
        let cols = p.columns.map { quotePostgresIdentifier($0.name) + " " + $0.type + ($0.primaryKey ? " PRIMARY KEY" : "") }
        try pg.execute("CREATE TABLE \(quotePostgresIdentifier(p.name)) (\(cols.joined(separator: ", ")))")
        let st = try db.prepare("SELECT \(p.columns.map { quoteIdentifier($0.name) }.joined(separator: ", ")) FROM \(quoteIdentifier(p.name))")
        let types = p.columns.map(\.type)
        let lines = SQLiteLines(statement: st, types: types)
        let n = try pg.copyIn("COPY \(quotePostgresIdentifier(p.name)) FROM STDIN", lines: lines)
        if let e = lines.failure { throw e }
        if n != p.rows {
          throw PostgresError(.other, "table \(p.name): the server took \(n) rows of \(p.rows); nothing was written.")
        }
      }
    }
    return Report(tables: plans, skippedViews: views, target: pg.url.redacted)
  }

  /// Table → role, from the same inference the loader uses (none when it finds no orders).
  static func roleNames(_ db: SQLiteDatabase) -> [String: String] {
    guard let schema = try? DatabaseSchema.read(db), let m = try? MappingInference.infer(schema) else { return [:] }
    var out = [m.orders.table: "orders"]
    if let c = m.customers { out[c.table] = "customers" }
    if let i = m.items { out[i.table] = "order items" }
    if let f = m.feedback { out[f.table] = "feedback" }
    if let e = m.events { out[e.table] = "events" }
    return out
  }

  /// Chooses each column's type from every value it holds.
  public static func plan(_ db: SQLiteDatabase, table: String) throws -> TablePlan {
    let info = try db.rows("SELECT name, type, pk FROM pragma_table_info(?)", [.text(table)])
    let names = info.map { $0[0].string ?? "" }
    let pks = info.filter { ($0[2].double ?? 0) > 0 }
    var kinds = [ColumnKinds](repeating: ColumnKinds(), count: names.count)
    let st = try db.prepare("SELECT \(names.map(quoteIdentifier).joined(separator: ", ")) FROM \(quoteIdentifier(table))")
    var rows = 0
    while try st.step() {
      rows += 1
      for i in names.indices {
        switch st.type(i) {
        case SQLiteStatement.typeNull: break
        case SQLiteStatement.typeInteger: kinds[i].ints += 1
        case SQLiteStatement.typeFloat: kinds[i].reals += 1
        case SQLiteStatement.typeText:
          let shape = st.withBytes(i) { dateShape($0) }
          switch shape {
          case .date: kinds[i].dates += 1
          case .dateTime: kinds[i].dateTimes += 1
          case .none: kinds[i].texts += 1
          }
        default: kinds[i].texts += 1  // blobs travel as their text
        }
      }
    }
    var cols: [ColumnPlan] = []
    for (i, n) in names.enumerated() {
      let declared = (info[i][1].string ?? "").uppercased()
      let type = kinds[i].postgresType(declared: declared)
      // A single INTEGER PRIMARY KEY is SQLite's rowid: unique and never NULL.
      let pk = pks.count == 1 && pks[0][0].string == n && declared == "INTEGER" && type == "bigint"
      cols.append(ColumnPlan(name: n, type: type, primaryKey: pk))
    }
    return TablePlan(name: table, columns: cols, rows: rows, role: nil)
  }

  struct ColumnKinds {
    var ints = 0, reals = 0, dates = 0, dateTimes = 0, texts = 0
    func postgresType(declared: String) -> String {
      if texts > 0 { return "text" }
      let numbers = ints + reals
      let days = dates + dateTimes
      if numbers > 0 && days > 0 { return "text" }
      if numbers > 0 { return reals > 0 ? "double precision" : "bigint" }
      if dateTimes > 0 { return "timestamp" }
      if dates > 0 { return "date" }
      // No values: the declared type decides.
      if declared.contains("INT") { return "bigint" }
      if declared.contains("REAL") || declared.contains("FLOA") || declared.contains("DOUB") || declared.contains("NUM") || declared.contains("DEC") {
        return "double precision"
      }
      return "text"
    }
  }

  public enum DateShape: Sendable { case date, dateTime }

  /// `YYYY-MM-DD` (a date) or `YYYY-MM-DD[ T]HH:MM[:SS[.ffffff]]` (a date-time) with a valid
  /// day and time; anything else (time zones, slashes, bad days) is not, and stays text.
  public static func dateShape(_ b: UnsafeBufferPointer<UInt8>) -> DateShape? {
    let n = b.count
    guard n == 10 || (n >= 16 && n <= 26) else { return nil }
    func d(_ i: Int) -> Int? { b[i] >= 48 && b[i] <= 57 ? Int(b[i]) - 48 : nil }
    func num(_ i: Int, _ len: Int) -> Int? {
      var v = 0
      for k in i..<(i + len) { guard let x = d(k) else { return nil }; v = v * 10 + x }
      return v
    }
    guard let y = num(0, 4), b[4] == 45, let m = num(5, 2), b[7] == 45, let day = num(8, 2), y >= 1 else { return nil }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
    let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    guard (1...12).contains(m), day >= 1, day <= lengths[m - 1] else { return nil }
    if n == 10 { return .date }
    guard b[10] == 32 || b[10] == 84, let hh = num(11, 2), b[13] == 58, let mm = num(14, 2), hh < 24, mm < 60 else { return nil }
    if n == 16 { return .dateTime }
    guard n >= 19, b[16] == 58, let ss = num(17, 2), ss < 60 else { return nil }
    if n == 19 { return .dateTime }
    guard n >= 21, b[19] == 46, num(20, n - 20) != nil else { return nil }
    return .dateTime
  }
}

/// The rows of a SQLite statement as COPY text lines, read as they are sent.
final class SQLiteLines: Sequence, IteratorProtocol {
  let statement: SQLiteStatement
  let types: [String]
  var failure: Error?

  init(statement: SQLiteStatement, types: [String]) {
    self.statement = statement
    self.types = types
  }

  func makeIterator() -> SQLiteLines { self }

  func next() -> String? {
    do {
      guard try statement.step() else { return nil }
    } catch {
      failure = error
      return nil
    }
    var fields: [String] = []
    fields.reserveCapacity(types.count)
    for i in types.indices {
      if statement.isNull(i) {
        fields.append("\\N")
        continue
      }
      switch types[i] {
      case "bigint": fields.append(String(statement.int64(i)))
      case "double precision": fields.append(SQLiteLines.float(statement.double(i)))
      default: fields.append(PostgresConnection.copyField(statement.text(i) ?? ""))
      }
    }
    return fields.joined(separator: "\t")
  }

  /// A double as PostgreSQL reads it back exactly (shortest round-trip digits).
  static func float(_ d: Double) -> String {
    if d.isNaN { return "NaN" }
    if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
    return "\(d)"
  }
}
