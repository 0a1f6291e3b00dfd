// Loading the in-memory cube from PostgreSQL (`--db postgresql://…`): every row (engine cube),
// or only the rows that carry the data's facts (engine pushdown, RowSelection.facts).
//
// The route: read the server's tables (the current schema's tables and views, as
// information_schema lists them) into a temporary SQLite file, then load that file with the
// ordinary CubeLoader and delete it. So the mapping is inferred by the very same code as for a
// SQLite file (MappingInference on a DatabaseSchema), keys, dates and duplicates are read by
// the same loader, and an answer from PostgreSQL is the answer from the SQLite file the data
// came from. Only the tables the mapping uses (each `ROLE table:` line of its file form) are
// copied with their rows; the others are created empty, with the server's row counts, so that
// inference sees them.
//
// Under pushdown the answers come from SQL run on the server, and the cube is only the data's
// facts: its vocabulary (every value of every mapped dimension, and every event type: one row
// per distinct value, SELECT DISTINCT ON), its date range (the first and last orders by date), and which roles
// have rows. The orders those item rows belong to and the customers of those orders come
// along, so the loader reads them as it reads the whole data. The mapping needs no rows at
// all: it is inferred from the schema and the server's row counts.
//
// The server is only read: one read-only, repeatable-read transaction (a consistent
// snapshot), every statement under the statement timeout, rows in stored order through a
// cursor. The temporary file is private (0600) and removed even when loading fails.

import CubeSQLite
import Foundation

public enum PostgresCubeLoader {
  /// Which rows of the mapped tables are copied.
  public enum RowSelection: Sendable, Equatable {
    /// Every row: the cube answers.
    case all
    /// The rows that carry the data's facts (values, date range): the server answers.
    case facts
  }

  /// What a load read from the server besides the cube.
  public struct Load: Sendable {
    public var database: LoadedDatabase
    public var rows: RowSelection
    /// Rows per table on the server (not in the copy).
    public var rowCounts: [String: Int]
    /// The server's declared type of each column (information_schema.columns.data_type), by
    /// table then column.
    public var columnTypes: [String: [String: String]]
  }

  /// Loads the cube from the server at `url`; `mappingFile` as for a SQLite file.
  public static func load(url: String, mappingFile: String? = nil, statementTimeout: Int = 300) throws -> LoadedDatabase {
    try load(url: url, mappingFile: mappingFile, statementTimeout: statementTimeout) { _, _ in .all }.database
  }

  /// Loads from the server at `url`, copying the rows `choose` selects once the mapping and
  /// the server's row counts are known (in the same read-only snapshot).
  public static func load(
    url: String, mappingFile: String? = nil, statementTimeout: Int = 300,
    choose: (DataMapping, [String: Int]) throws -> RowSelection
  ) throws -> Load {
    let t0 = Date()
    let pg = try PostgresConnection(url: url, mode: .readOnly, statementTimeout: statementTimeout)
    let dir = FileManager.default.temporaryDirectory
      .appendingPathComponent("wenshu-pg-\(getpid())-\(UInt64.random(in: 0...UInt64.max))", isDirectory: true)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("copy.sqlite").path
    let mappingCopy = dir.appendingPathComponent("mapping.txt").path

    let (mapping, counts, types, selection) = try pg.transaction { () -> (DataMapping, [String: Int], [String: [String: String]], RowSelection) in
      let tables = try serverTables(pg)
      guard !tables.isEmpty else {
        throw PostgresError(.query, "\(pg.url.redacted) has no tables in its current schema (search_path). Load data first, e.g. with `wenshu export --to \(pg.url.redacted) --db FILE.sqlite`.")
      }
      try checkNamesFitSQLite(tables, url: pg.url)
      let sqlite = try SQLiteDatabase(path: file, readOnly: false, create: true)
      try sqlite.execute("PRAGMA journal_mode = OFF")
      try sqlite.execute("PRAGMA synchronous = OFF")
      for t in tables {
        let cols = t.columns.map { quoteIdentifier($0.name) + " " + $0.sqliteType }.joined(separator: ", ")
        try sqlite.execute("CREATE TABLE \(quoteIdentifier(t.name)) (\(cols))")
      }
      // The schema as the loader will see it, with the server's row counts.
      var schema = try DatabaseSchema.read(sqlite)
      var counts: [String: Int] = [:]
      for t in tables {
        let n = try pg.query("SELECT count(*) FROM \(quotePostgresIdentifier(t.schema)).\(quotePostgresIdentifier(t.name))")
        counts[t.name] = Int(n.rows.first?.first?.int ?? 0)
      }
      for i in schema.tables.indices { schema.tables[i].rowCount = counts[schema.tables[i].name] ?? 0 }
      let mapping = try mappingFile.map { try DataMapping.load(file: $0, schema: schema) } ?? MappingInference.infer(schema)
      let selection = try choose(mapping, counts)
      let used = tablesNamed(by: mapping)
      let facts = selection == .facts ? factQueries(mapping, tables) : [:]
      try sqlite.execute("BEGIN")
      for t in tables where used.contains(t.name) { try copyRows(t, from: pg, to: sqlite, query: facts[t.name]) }
      try sqlite.execute("COMMIT")
      var types: [String: [String: String]] = [:]
      for t in tables { types[t.name] = Dictionary(t.columns.map { ($0.name, $0.dataType) }, uniquingKeysWith: { a, _ in a }) }
      return (mapping, counts, types, selection)
    }
    try mapping.text.write(toFile: mappingCopy, atomically: true, encoding: .utf8)
    var loaded: LoadedDatabase
    do {
      loaded = try CubeLoader.load(path: file, mappingFile: mappingCopy)
    } catch {
      throw PostgresError(.other, "\(pg.url.redacted): loading the data copied from PostgreSQL failed: \(error)")
    }
    for i in loaded.schema.tables.indices { loaded.schema.tables[i].rowCount = counts[loaded.schema.tables[i].name] ?? 0 }
    loaded.path = pg.url.redacted
    loaded.cube.source = pg.url.redacted
    loaded.seconds = Date().timeIntervalSince(t0)
    return Load(database: loaded, rows: selection, rowCounts: counts, columnTypes: types)
  }

  /// Rows kept per end of the date order (the first and last orders).
  static let dateEndRows = 5
  /// Rows kept of tables whose presence is a fact but whose values are not (feedback, events).
  static let presenceRows = 100

  /// The SELECT of each mapped table's fact rows (RowSelection.facts), by table name: one row
  /// per distinct value of each dimension column, the first and last orders by date, the
  /// orders of the kept items and the customers of the kept orders. UNION keeps a row once.
  static func factQueries(_ m: DataMapping, _ tables: [ServerTable]) -> [String: String] {
    let byName = Dictionary(tables.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    func from(_ table: String) -> String? {
      byName[table].map { quotePostgresIdentifier($0.schema) + "." + quotePostgresIdentifier($0.name) }
    }
    func cols(_ table: String) -> String {
      (byName[table]?.columns ?? []).map { quotePostgresIdentifier($0.name) }.joined(separator: ", ")
    }
    func q(_ c: String) -> String { quotePostgresIdentifier(c) }
    /// One row for each distinct value of `column`.
    func distinct(_ table: String, _ column: String) -> String? {
      from(table).map { "(SELECT DISTINCT ON (\(q(column))) \(cols(table)) FROM \($0) ORDER BY \(q(column)))" }
    }
    /// `a.x IN (SELECT k.y …)` compares as stored when both columns have one type, else as text.
    func key(_ table: String, _ column: String, like other: (String, String)) -> (String, String) {
      func type(_ t: String, _ c: String) -> String? { byName[t]?.columns.first { $0.name == c }?.dataType }
      let same = type(table, column) != nil && type(table, column) == type(other.0, other.1)
      return same ? (q(column), "k." + q(other.1)) : (q(column) + "::text", "k." + q(other.1) + "::text")
    }
    func union(_ parts: [String?]) -> String? {
      let p = parts.compactMap { $0 }
      return p.isEmpty ? nil : p.joined(separator: "\nUNION\n")
    }
    var out: [String: String] = [:]
    var itemsSQL: String?
    if let i = m.items, let f = from(i.table) {
      itemsSQL = union([i.category, i.product].compactMap { $0 }.map { distinct(i.table, $0) })
        ?? "(SELECT \(cols(i.table)) FROM \(f) LIMIT \(presenceRows))"
      out[i.table] = itemsSQL
    }
    let o = m.orders
    var ordersSQL: String?
    if let f = from(o.table) {
      var parts: [String?] = [o.channel.flatMap { distinct(o.table, $0) }]
      for dir in ["ASC", "DESC"] {
        parts.append("(SELECT \(cols(o.table)) FROM \(f) WHERE \(q(o.date)) IS NOT NULL ORDER BY \(q(o.date)) \(dir) LIMIT \(dateEndRows))")
      }
      if let i = m.items, let id = o.id, let itemsSQL {
        let (a, b) = key(o.table, id, like: (i.table, i.order))
        parts.append("(SELECT \(cols(o.table)) FROM \(f) WHERE \(a) IN (SELECT \(b) FROM (\(itemsSQL)) k))")
      }
      ordersSQL = union(parts)
      out[o.table] = ordersSQL
    }
    if let c = m.customers, let f = from(c.table) {
      var parts: [String?] = c.attributes.values.sorted().map { distinct(c.table, $0) }
      if let b = c.birthYear { parts.append(distinct(c.table, b)) }
      if let ordersSQL {
        let (a, b) = key(c.table, c.id, like: (o.table, o.customer))
        parts.append("(SELECT \(cols(c.table)) FROM \(f) WHERE \(a) IN (SELECT \(b) FROM (\(ordersSQL)) k))")
      }
      out[c.table] = union(parts)
    }
    if let fb = m.feedback, let f = from(fb.table) {
      out[fb.table] = "SELECT \(cols(fb.table)) FROM \(f) LIMIT \(presenceRows)"
    }
    if let e = m.events, let f = from(e.table) {
      // Every event type: a funnel names the steps the data lacks.
      out[e.table] = union([distinct(e.table, e.type), "(SELECT \(cols(e.table)) FROM \(f) LIMIT \(presenceRows))"])
    }
    return out
  }

  struct ServerColumn {
    var name: String
    var dataType: String
    /// The declared type in the SQLite copy (what inference reads; values keep their kind).
    var sqliteType: String {
      switch dataType {
      case "bigint", "integer", "smallint", "oid", "boolean": return "INTEGER"
      case "double precision", "real": return "REAL"
      case "numeric": return "NUMERIC"
      case "date": return "DATE"
      case "timestamp without time zone": return "TIMESTAMP"
      case "timestamp with time zone": return "TIMESTAMPTZ"
      default: return "TEXT"
      }
    }
  }
  struct ServerTable {
    var schema: String
    var name: String
    var columns: [ServerColumn]
  }

  /// The current schema's tables and views with their columns, in order.
  static func serverTables(_ pg: PostgresConnection) throws -> [ServerTable] {
    let r = try pg.query("""
      SELECT c.table_schema, c.table_name, c.column_name, c.data_type
      FROM information_schema.columns c
      JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = current_schema() AND t.table_type IN ('BASE TABLE', 'VIEW')
      ORDER BY c.table_name, c.ordinal_position
      """)
    var tables: [ServerTable] = []
    for row in r.rows {
      guard let s = row[0].string, let t = row[1].string, let c = row[2].string else { continue }
      let type = row[3].string ?? "text"
      if tables.last?.name != t { tables.append(ServerTable(schema: s, name: t, columns: [])) }
      tables[tables.count - 1].columns.append(ServerColumn(name: c, dataType: type))
    }
    return tables
  }

  /// Every table the mapping gives a role (orders, customers, items, feedback, events, and any
  /// role added later): read from its file form, whose `ROLE table: NAME` lines name them.
  static func tablesNamed(by mapping: DataMapping) -> Set<String> {
    var out: Set<String> = []
    for line in mapping.text.split(separator: "\n") where !line.hasPrefix("#") {
      let parts = line.split(separator: ":", maxSplits: 1)
      guard parts.count == 2, parts[0].split(separator: " ").last == "table" else { continue }
      out.insert(parts[1].trimmingCharacters(in: .whitespaces))
    }
    return out
  }

  /// SQLite compares names without case: `Orders` and `orders` cannot both be copied.
  static func checkNamesFitSQLite(_ tables: [ServerTable], url: PostgresURL) throws {
    func clash(_ names: [String]) -> (String, String)? {
      var seen: [String: String] = [:]
      for n in names {
        if let other = seen[n.lowercased()] { return (other, n) }
        seen[n.lowercased()] = n
      }
      return nil
    }
    if let (a, b) = clash(tables.map(\.name)) {
      throw PostgresError(.other, "\(url.redacted) has tables “\(a)” and “\(b)”, whose names differ only in case; Wenshu cannot tell them apart. Rename one, or point the URL at a schema holding one of them (?options=-csearch_path%3DSCHEMA).")
    }
    for t in tables {
      if let (a, b) = clash(t.columns.map(\.name)) {
        throw PostgresError(.other, "table \(t.name) on \(url.redacted) has columns “\(a)” and “\(b)”, whose names differ only in case; Wenshu cannot tell them apart. Rename one, or expose the table through a view.")
      }
    }
  }

  /// Copies one table's rows, in the order the server stores them (or those `query` selects,
  /// with the table's columns in order), into the SQLite copy.
  static func copyRows(_ t: ServerTable, from pg: PostgresConnection, to sqlite: SQLiteDatabase, query: String? = nil) throws {
    let names = t.columns.map { quotePostgresIdentifier($0.name) }.joined(separator: ", ")
    let insert = try sqlite.prepare(
      "INSERT INTO \(quoteIdentifier(t.name)) VALUES (\(t.columns.map { _ in "?" }.joined(separator: ", ")))")
    var values = [SQLValue](repeating: .null, count: t.columns.count)
    try pg.forEachRow(query ?? "SELECT \(names) FROM \(quotePostgresIdentifier(t.schema)).\(quotePostgresIdentifier(t.name))") { row in
      for j in values.indices { values[j] = sqliteValue(row.value(j)) }
      try insert.bind(values)
      try insert.step()
    }
  }

  static func sqliteValue(_ v: PostgresValue) -> SQLValue {
    switch v {
    case .null: return .null
    case .int(let i): return .int(i)
    case .double(let d): return d.isNaN ? .null : .double(d)
    case .bool(let b): return .int(b ? 1 : 0)
    case .text(let s), .date(let s): return .text(s)
    case .timestamp(let s): return .text(trimTimestamp(s))
    }
  }

  /// `2024-03-05 10:22:00+08` → `2024-03-05 10:22:00`: the day a timestamp falls on as the
  /// server's time zone writes it (the loader reads days).
  static func trimTimestamp(_ s: String) -> String {
    guard s.count > 19 else { return s }
    let head = s.prefix(19)
    return head.count == 19 && head.dropFirst(10).first == " " ? String(head) : s
  }
}
