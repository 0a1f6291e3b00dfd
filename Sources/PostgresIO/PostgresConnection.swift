// PostgresIO owns every conversation with a PostgreSQL server (through libpq, CPostgres):
// parsing a postgresql:// URL, connecting, the session settings (read-only by default, a
// statement timeout always), queries through PQexecParams with bound text parameters only,
// typed reading of results, COPY FROM STDIN for the one command that writes, and errors that
// say what went wrong and what to do (bad URL, refused connection, authentication, timeout).

import CPostgres
import Foundation

/// A failure talking to PostgreSQL: a kind for tests and callers, and a message for users.
public struct PostgresError: Error, CustomStringConvertible, Sendable, Equatable {
  public enum Kind: String, Sendable {
    case badURL, refused, authentication, noDatabase, timeout, query, readOnly, other
  }
  public var kind: Kind
  public var message: String
  /// The server's SQLSTATE when it sent one.
  public var sqlState: String?
  public init(_ kind: Kind, _ message: String, sqlState: String? = nil) {
    self.kind = kind
    self.message = message
    self.sqlState = sqlState
  }
  public var description: String { message }
}

/// A checked `postgresql://user[:password]@host[:port]/database[?key=value…]` URL.
public struct PostgresURL: Sendable, Equatable {
  public var text: String
  public var user: String?
  public var host: String?
  public var port: Int?
  public var database: String?
  public var parameters: [String: String]

  /// True when `s` is meant as a server URL rather than a file path.
  public static func looksLikeURL(_ s: String) -> Bool {
    let l = s.lowercased()
    return l.hasPrefix("postgresql://") || l.hasPrefix("postgres://")
  }

  public init(_ s: String) throws {
    let example = "postgresql://user@127.0.0.1:5432/shop"
    guard PostgresURL.looksLikeURL(s) else {
      throw PostgresError(.badURL, "“\(s)” is not a PostgreSQL URL: write it as \(example).")
    }
    // The port first: URLComponents refuses a URL whose port is not a number, saying nothing.
    let rest = s[s.range(of: "://")!.upperBound...]
    let authority = rest.prefix { $0 != "/" && $0 != "?" }
    let hostPort = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? ""
    if !hostPort.hasPrefix("["), let colon = hostPort.lastIndex(of: ":"), colon != hostPort.index(before: hostPort.endIndex) {
      let portText = hostPort[hostPort.index(after: colon)...]
      guard portText.allSatisfy(\.isASCII), portText.allSatisfy(\.isNumber) else {
        throw PostgresError(.badURL, "the port “\(portText)” in “\(PostgresURL.redact(s))” is not a number: write it as \(example).")
      }
      guard let p = Int(portText), (1...65535).contains(p) else {
        throw PostgresError(.badURL, "port \(portText) in “\(PostgresURL.redact(s))” is out of range (1–65535).")
      }
    }
    guard let c = URLComponents(string: s) else {
      throw PostgresError(.badURL, "“\(PostgresURL.redact(s))” is not a well-formed URL: write it as \(example) (percent-encode special characters in the password).")
    }
    let path = c.percentEncodedPath
    var db = path.hasPrefix("/") ? String(path.dropFirst()) : path
    db = db.removingPercentEncoding ?? db
    if db.contains("/") {
      throw PostgresError(.badURL, "“\(PostgresURL.redact(s))” names the database “\(db)”, which has a slash: write it as \(example).")
    }
    text = s
    user = c.user
    host = c.host.flatMap { $0.isEmpty ? nil : $0 }
    port = c.port
    database = db.isEmpty ? nil : db
    var ps: [String: String] = [:]
    for q in c.queryItems ?? [] { ps[q.name] = q.value ?? "" }
    parameters = ps
  }

  /// The URL without its password, for messages and summaries.
  public var redacted: String { PostgresURL.redact(text) }

  public static func redact(_ s: String) -> String {
    guard let schemeEnd = s.range(of: "://") else { return s }
    let rest = s[schemeEnd.upperBound...]
    guard let at = rest.firstIndex(of: "@") else { return s }
    let userinfo = rest[..<at]
    guard let colon = userinfo.firstIndex(of: ":") else { return s }
    return String(s[..<schemeEnd.upperBound]) + userinfo[..<colon] + ":***" + rest[at...]
  }
}

/// One value read from a result, typed by the column's PostgreSQL type.
public enum PostgresValue: Sendable, Equatable {
  case null
  case int(Int64)
  case double(Double)
  case bool(Bool)
  case text(String)
  /// A `date`, as ISO text `YYYY-MM-DD`.
  case date(String)
  /// A `timestamp` or `timestamptz`, as the server writes it with DateStyle ISO.
  case timestamp(String)

  public var string: String? {
    switch self {
    case .null: return nil
    case .int(let v): return String(v)
    case .double(let v): return String(v)
    case .bool(let b): return b ? "true" : "false"
    case .text(let s), .date(let s), .timestamp(let s): return s
    }
  }
  public var int: Int64? {
    switch self {
    case .int(let v): return v
    case .double(let v): return v.rounded() == v ? Int64(exactly: v) : nil
    case .bool(let b): return b ? 1 : 0
    case .text(let s): return Int64(s)
    default: return nil
    }
  }
  public var double: Double? {
    switch self {
    case .int(let v): return Double(v)
    case .double(let v): return v
    case .text(let s): return Double(s)
    default: return nil
    }
  }
}

/// What a result column holds, from its type OID.
public enum PostgresType: Sendable, Equatable {
  case integer, double, numeric, bool, text, date, timestamp, timestamptz, other(UInt32)

  init(oid: UInt32) {
    switch oid {
    case 20, 21, 23, 26: self = .integer
    case 700, 701: self = .double
    case 1700: self = .numeric
    case 16: self = .bool
    case 25, 1043, 1042, 19: self = .text
    case 1082: self = .date
    case 1114: self = .timestamp
    case 1184: self = .timestamptz
    default: self = .other(oid)
    }
  }
}

/// One row of a result, valid only inside the `forEachRow` call that hands it out.
public struct PostgresRow {
  let res: OpaquePointer
  let row: Int32
  public let types: [PostgresType]

  public var count: Int { types.count }
  public func isNull(_ j: Int) -> Bool { PQgetisnull(res, row, Int32(j)) == 1 }

  /// Column `j` typed as `PostgresConnection.query` types it; integers and doubles are parsed
  /// from libpq's text without making a String.
  public func value(_ j: Int) -> PostgresValue {
    if isNull(j) { return .null }
    let p = PQgetvalue(res, row, Int32(j))!
    switch types[j] {
    case .integer:
      errno = 0
      var end: UnsafeMutablePointer<CChar>?
      let v = strtoll(p, &end, 10)
      if errno == 0, let end, end.pointee == 0 { return .int(Int64(v)) }
    case .double:
      var end: UnsafeMutablePointer<CChar>?
      let v = strtod(p, &end)  // also reads NaN, Infinity, -Infinity
      if let end, end.pointee == 0, end != UnsafeMutablePointer(mutating: p) { return .double(v) }
    default: break
    }
    let n = Int(PQgetlength(res, row, Int32(j)))
    let s = String(decoding: UnsafeRawBufferPointer(start: p, count: n), as: UTF8.self)
    return PostgresConnection.value(s, types[j])
  }
}

/// A whole result: column names and types, rows of typed values.
public struct PostgresResult: Sendable {
  public var columns: [(name: String, type: PostgresType)]
  public var rows: [[PostgresValue]]
  /// The command tag's row count (INSERT, UPDATE, COPY …), 0 when none.
  public var affected: Int
}

/// One connection to a server. Not shared between threads.
public final class PostgresConnection {
  public enum Mode: Sendable {
    /// Every transaction read-only (`default_transaction_read_only = on`): questions.
    case readOnly
    /// Writes allowed: only `wenshu export`, which writes to the target server.
    case write
  }

  public let url: PostgresURL
  public let mode: Mode
  let conn: OpaquePointer

  /// Connects and sets up the session; throws a `PostgresError` that says what to do.
  /// - Parameters:
  ///   - statementTimeout: seconds a statement may run before the server cancels it.
  ///   - connectTimeout: seconds to wait for the server (unless the URL sets connect_timeout).
  public init(url text: String, mode: Mode = .readOnly, statementTimeout: Int = 120, connectTimeout: Int = 10) throws {
    let url = try PostgresURL(text)
    self.url = url
    self.mode = mode
    var keys = ["dbname", "application_name", "client_encoding"]
    var values = [text, "wenshu", "UTF8"]
    if url.parameters["connect_timeout"] == nil {
      keys.append("connect_timeout")
      values.append(String(max(1, connectTimeout)))
    }
    let ck = keys.map { strdup($0) }
    let cv = values.map { strdup($0) }
    defer {
      ck.forEach { free($0) }
      cv.forEach { free($0) }
    }
    var kp: [UnsafePointer<CChar>?] = ck.map { UnsafePointer($0) } + [nil]
    var vp: [UnsafePointer<CChar>?] = cv.map { UnsafePointer($0) } + [nil]
    guard let c = PQconnectdbParams(&kp, &vp, 1) else {
      throw PostgresError(.other, "cannot connect to \(url.redacted): out of memory")
    }
    if PQstatus(c) != CONNECTION_OK {
      let raw = String(cString: PQerrorMessage(c)).split(whereSeparator: \.isNewline)
        .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
      PQfinish(c)
      throw PostgresConnection.connectError(raw, url: url)
    }
    conn = c
    do {
      // Session settings: no values from users here, and the timeout is bound.
      if mode == .readOnly { try execute("SET default_transaction_read_only = on") }
      _ = try query("SELECT set_config('statement_timeout', $1, false)", [String(max(1, statementTimeout) * 1000)])
      try execute("SET DateStyle = 'ISO, YMD'")
      try execute("SET extra_float_digits = 3")
      // Plain scans read tables in their stored order (what "first row wins" means here).
      try execute("SET synchronize_seqscans = off")
      try execute("SET max_parallel_workers_per_gather = 0")
    } catch {
      PQfinish(c)
      throw error
    }
  }

  deinit { PQfinish(conn) }

  /// The server's major version (150000 and up for 15).
  public var serverVersion: Int { Int(PQserverVersion(conn)) }

  static func connectError(_ raw: String, url: PostgresURL) -> PostgresError {
    let where_ = url.redacted
    let l = raw.lowercased()
    let hostPort = "\(url.host ?? "localhost"):\(url.port ?? 5432)"
    if l.contains("connection refused") || l.contains("no such file or directory") && l.contains("socket") {
      return PostgresError(.refused, "cannot connect to \(where_): no PostgreSQL server is listening at \(hostPort) (connection refused). Start the server, or check the host and port. (\(raw))")
    }
    if l.contains("password authentication failed") || l.contains("no password supplied") || l.contains("pg_hba.conf")
      || (l.contains("role") && l.contains("does not exist")) || l.contains("authentication failed") {
      return PostgresError(.authentication, "cannot connect to \(where_): the server refused the user or password. Check the user in the URL, the password (in the URL or PGPASSWORD) and pg_hba.conf. (\(raw))")
    }
    if l.contains("database") && l.contains("does not exist") {
      return PostgresError(.noDatabase, "cannot connect to \(where_): the database \(url.database.map { "“\($0)”" } ?? "") does not exist on the server. Create it, or name another in the URL. (\(raw))")
    }
    if l.contains("timeout expired") || l.contains("timed out") {
      return PostgresError(.timeout, "cannot connect to \(where_): the server did not answer in time (connect_timeout). Check the host, port and firewall. (\(raw))")
    }
    if l.contains("could not translate host name") || l.contains("name or service not known") {
      return PostgresError(.refused, "cannot connect to \(where_): the host name \(url.host.map { "“\($0)”" } ?? "") is unknown. (\(raw))")
    }
    if l.contains("invalid") && (l.contains("uri") || l.contains("connection option") || l.contains("integer value")) {
      return PostgresError(.badURL, "“\(where_)” is not a URL libpq accepts: \(raw)")
    }
    return PostgresError(.other, "cannot connect to \(where_): \(raw)")
  }

  /// Runs one statement with bound text parameters (nil is SQL NULL). Never interpolates:
  /// `$1`, `$2` … in `sql` take `params` in order. One statement only (libpq refuses several).
  @discardableResult
  public func query(_ sql: String, _ params: [String?] = []) throws -> PostgresResult {
    let res = try run(sql, params)
    defer { PQclear(res) }
    return read(res)
  }

  /// Runs a statement that returns no rows.
  public func execute(_ sql: String, _ params: [String?] = []) throws {
    let res = try run(sql, params)
    PQclear(res)
  }

  /// Runs `body` in a transaction (read-only when the connection is), committing when it
  /// returns and rolling back when it throws.
  public func transaction<R>(_ body: () throws -> R) throws -> R {
    try execute(mode == .readOnly ? "BEGIN TRANSACTION READ ONLY ISOLATION LEVEL REPEATABLE READ" : "BEGIN")
    do {
      let r = try body()
      try execute("COMMIT")
      return r
    } catch {
      _ = try? execute("ROLLBACK")
      throw error
    }
  }

  /// Reads a SELECT's rows through a cursor (inside a transaction), `batch` rows a round
  /// trip, handing each row to `body` in place (no value is copied until asked for): tables
  /// too large for one result still stream.
  public func forEachRow(_ sql: String, _ params: [String?] = [], batch: Int = 20_000,
                         _ body: (PostgresRow) throws -> Void) throws {
    try execute("DECLARE wenshu_cursor NO SCROLL CURSOR FOR " + sql, params)
    let size = max(1, batch)
    while true {
      let res = try run("FETCH FORWARD \(size) FROM wenshu_cursor", [])
      defer { PQclear(res) }
      let n = Int(PQntuples(res))
      let types = (0..<Int(PQnfields(res))).map { PostgresType(oid: UInt32(PQftype(res, Int32($0)))) }
      for i in 0..<n { try body(PostgresRow(res: res, row: Int32(i), types: types)) }
      if n < size { break }
    }
    try execute("CLOSE wenshu_cursor")
  }

  /// `COPY … FROM STDIN` (text format): sends `lines` (each one row, columns separated by tabs,
  /// escaped with `copyField`) and returns the rows the server took.
  @discardableResult
  public func copyIn(_ sql: String, lines: some Sequence<String>) throws -> Int {
    guard mode == .write else {
      throw PostgresError(.readOnly, "this connection is read-only: Wenshu writes only in `wenshu export`.")
    }
    guard let res = PQexecParams(conn, sql, 0, nil, nil, nil, nil, 0) else { throw lastError(sql) }
    let status = PQresultStatus(res)
    if status != PGRES_COPY_IN {
      let e = resultError(res, sql)
      PQclear(res)
      throw e
    }
    PQclear(res)
    var buffer = ""
    buffer.reserveCapacity(1 << 16)
    func flush() throws {
      if buffer.isEmpty { return }
      let ok = buffer.withCString { p in PQputCopyData(conn, p, Int32(strlen(p))) }
      buffer.removeAll(keepingCapacity: true)
      if ok != 1 { throw lastError(sql) }
    }
    var failure: Error?
    do {
      for line in lines {
        buffer += line
        buffer += "\n"
        if buffer.utf8.count >= 1 << 16 { try flush() }
      }
      try flush()
    } catch {
      failure = error
    }
    _ = PQputCopyEnd(conn, failure == nil ? nil : "wenshu stopped sending")
    var rows = 0
    var serverError: PostgresError?
    while let r = PQgetResult(conn) {
      if PQresultStatus(r) == PGRES_COMMAND_OK {
        rows = Int(String(cString: PQcmdTuples(r))) ?? 0
      } else if serverError == nil {
        serverError = resultError(r, sql)
      }
      PQclear(r)
    }
    if let failure { throw failure }
    if let serverError { throw serverError }
    return rows
  }

  /// One field of a COPY text-format line: `\N` for NULL, backslash, tab, newline and
  /// carriage return escaped.
  public static func copyField(_ s: String?) -> String {
    guard let s else { return "\\N" }
    if !s.utf8.contains(where: { $0 == 92 || $0 == 9 || $0 == 10 || $0 == 13 }) { return s }
    var out = ""
    out.reserveCapacity(s.utf8.count + 4)
    for ch in s.unicodeScalars {
      switch ch {
      case "\\": out += "\\\\"
      case "\t": out += "\\t"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      default: out.unicodeScalars.append(ch)
      }
    }
    return out
  }

  // MARK: - libpq calls

  func run(_ sql: String, _ params: [String?]) throws -> OpaquePointer {
    let cvalues: [UnsafeMutablePointer<CChar>?] = params.map { $0.map { strdup($0) } ?? nil }
    defer { cvalues.forEach { free($0) } }
    let pointers: [UnsafePointer<CChar>?] = cvalues.map { $0.map { UnsafePointer($0) } }
    let res: OpaquePointer? = pointers.withUnsafeBufferPointer { buf in
      PQexecParams(conn, sql, Int32(params.count), nil, params.isEmpty ? nil : buf.baseAddress, nil, nil, 0)
    }
    guard let res else { throw lastError(sql) }
    let status = PQresultStatus(res)
    if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK { return res }
    let e = resultError(res, sql)
    PQclear(res)
    throw e
  }

  func lastError(_ sql: String) -> PostgresError {
    let raw = String(cString: PQerrorMessage(conn)).trimmingCharacters(in: .whitespacesAndNewlines)
    if PQstatus(conn) != CONNECTION_OK {
      return PostgresError(.other, "the connection to \(url.redacted) was lost: \(raw)")
    }
    return PostgresError(.query, "PostgreSQL: \(raw) (in: \(sql.prefix(160)))")
  }

  func resultError(_ res: OpaquePointer, _ sql: String) -> PostgresError {
    let state = PQresultErrorField(res, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
    var raw = String(cString: PQresultErrorMessage(res)).trimmingCharacters(in: .whitespacesAndNewlines)
    if raw.isEmpty { raw = String(cString: PQerrorMessage(conn)).trimmingCharacters(in: .whitespacesAndNewlines) }
    switch state {
    case "57014":
      return PostgresError(.timeout, "PostgreSQL cancelled the statement: it ran longer than the statement timeout. (\(raw))", sqlState: state)
    case "25006":
      return PostgresError(.readOnly, "PostgreSQL refused a write: Wenshu's connections for questions are read-only. (\(raw))", sqlState: state)
    default:
      return PostgresError(.query, "PostgreSQL: \(raw) (in: \(sql.prefix(160)))", sqlState: state)
    }
  }

  func read(_ res: OpaquePointer) -> PostgresResult {
    let nf = Int(PQnfields(res))
    let nt = Int(PQntuples(res))
    var cols: [(name: String, type: PostgresType)] = []
    cols.reserveCapacity(nf)
    for j in 0..<nf {
      cols.append((String(cString: PQfname(res, Int32(j))), PostgresType(oid: UInt32(PQftype(res, Int32(j))))))
    }
    var rows: [[PostgresValue]] = []
    rows.reserveCapacity(nt)
    for i in 0..<nt {
      var row: [PostgresValue] = []
      row.reserveCapacity(nf)
      for j in 0..<nf {
        if PQgetisnull(res, Int32(i), Int32(j)) == 1 {
          row.append(.null)
          continue
        }
        let p = PQgetvalue(res, Int32(i), Int32(j))!
        let n = Int(PQgetlength(res, Int32(i), Int32(j)))
        let s = String(decoding: UnsafeRawBufferPointer(start: p, count: n), as: UTF8.self)
        row.append(PostgresConnection.value(s, cols[j].type))
      }
      rows.append(row)
    }
    let tag = String(cString: PQcmdTuples(res))
    return PostgresResult(columns: cols, rows: rows, affected: Int(tag) ?? 0)
  }

  static func value(_ s: String, _ t: PostgresType) -> PostgresValue {
    switch t {
    case .integer: return Int64(s).map(PostgresValue.int) ?? .text(s)
    case .double:
      switch s {
      case "NaN": return .double(.nan)
      case "Infinity": return .double(.infinity)
      case "-Infinity": return .double(-.infinity)
      default: return Double(s).map(PostgresValue.double) ?? .text(s)
      }
    case .numeric:
      // A whole number stays whole (numeric ids, counts); others are doubles.
      if !s.contains("."), !s.contains("e"), !s.contains("E"), let i = Int64(s) { return .int(i) }
      return Double(s).map(PostgresValue.double) ?? .text(s)
    case .bool: return .bool(s == "t")
    case .date: return .date(s)
    case .timestamp, .timestamptz: return .timestamp(s)
    case .text, .other: return .text(s)
    }
  }
}

/// An identifier quoted for PostgreSQL: "name" with inner quotes doubled (identifiers come
/// from catalogs or SQLite files; values are always bound, never quoted into SQL).
public func quotePostgresIdentifier(_ s: String) -> String {
  "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
