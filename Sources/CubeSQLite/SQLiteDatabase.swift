// The one door to the SQLite C library: open read-only, prepare, bind, step, read columns.
//
// Every other stage reaches SQLite through these types, and only this module imports
// CSQLite (and DemoData, which writes the demo file). Values from a question are always bound as parameters, never spliced into SQL.

import CSQLite
import Foundation

let sqliteTransient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

/// A failure reported by SQLite, with the path and what to do.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
  public var message: String
  public var code: Int32
  public init(_ message: String, code: Int32 = 0) {
    self.message = message
    self.code = code
  }
  public var description: String { message }
}

/// An open SQLite database.
public final class SQLiteDatabase {
  public let path: String
  let handle: OpaquePointer

  /// Opens `path`. Read-only by default: the user's database is never written.
  ///
  /// Read-only opens use `SQLITE_OPEN_READONLY` and the `immutable`-free URI form, so no
  /// journal or WAL file is created beside the database.
  public init(path: String, readOnly: Bool = true, create: Bool = false) throws {
    self.path = path
    var db: OpaquePointer?
    var flags: Int32 = SQLITE_OPEN_NOMUTEX
    if readOnly {
      flags |= SQLITE_OPEN_READONLY
    } else {
      flags |= SQLITE_OPEN_READWRITE
      if create { flags |= SQLITE_OPEN_CREATE }
    }
    let rc = sqlite3_open_v2(path, &db, flags, nil)
    guard rc == SQLITE_OK, let db else {
      let msg = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
      if let db { sqlite3_close_v2(db) }
      throw SQLiteError("cannot open \(path): \(msg)", code: rc)
    }
    handle = db
    sqlite3_busy_timeout(db, 2000)
    if readOnly { sqlite3_exec(db, "PRAGMA query_only = 1", nil, nil, nil) }
  }

  deinit { sqlite3_close_v2(handle) }

  public var lastError: String { String(cString: sqlite3_errmsg(handle)) }

  /// Runs SQL that returns no rows (DDL, PRAGMA, BEGIN/COMMIT).
  public func execute(_ sql: String) throws {
    var err: UnsafeMutablePointer<CChar>?
    let rc = sqlite3_exec(handle, sql, nil, nil, &err)
    if rc != SQLITE_OK {
      let msg = err.map { String(cString: $0) } ?? lastError
      sqlite3_free(err)
      throw SQLiteError(msg, code: rc)
    }
  }

  public func prepare(_ sql: String) throws -> SQLiteStatement {
    var stmt: OpaquePointer?
    let rc = sqlite3_prepare_v2(handle, sql, -1, &stmt, nil)
    guard rc == SQLITE_OK, let stmt else { throw SQLiteError("\(lastError) (in: \(sql.prefix(200)))", code: rc) }
    return SQLiteStatement(stmt, db: self)
  }

  /// All rows of a query as Swift values (for small metadata queries and tests).
  public func rows(_ sql: String, _ params: [SQLValue] = []) throws -> [[SQLValue]] {
    let st = try prepare(sql)
    try st.bind(params)
    var out: [[SQLValue]] = []
    while try st.step() {
      out.append((0..<st.columnCount).map { st.value($0) })
    }
    return out
  }
}

/// A value crossing the SQLite boundary.
public enum SQLValue: Hashable, Sendable {
  case null
  case int(Int64)
  case double(Double)
  case text(String)

  public var string: String? {
    switch self {
    case .text(let s): return s
    case .int(let v): return String(v)
    case .double(let v): return String(v)
    case .null: return nil
    }
  }
  public var double: Double? {
    switch self {
    case .int(let v): return Double(v)
    case .double(let v): return v
    case .text(let s): return Double(s)
    case .null: return nil
    }
  }
}

/// A prepared statement; finalized on deinit.
public final class SQLiteStatement {
  let stmt: OpaquePointer
  unowned let db: SQLiteDatabase

  init(_ stmt: OpaquePointer, db: SQLiteDatabase) {
    self.stmt = stmt
    self.db = db
  }

  deinit { sqlite3_finalize(stmt) }

  public var columnCount: Int { Int(sqlite3_column_count(stmt)) }
  public func columnName(_ i: Int) -> String { String(cString: sqlite3_column_name(stmt, Int32(i))) }

  public func bind(_ params: [SQLValue]) throws {
    sqlite3_reset(stmt)
    sqlite3_clear_bindings(stmt)
    for (i, p) in params.enumerated() {
      let idx = Int32(i + 1)
      let rc: Int32
      switch p {
      case .null: rc = sqlite3_bind_null(stmt, idx)
      case .int(let v): rc = sqlite3_bind_int64(stmt, idx, v)
      case .double(let v): rc = sqlite3_bind_double(stmt, idx, v)
      case .text(let s): rc = sqlite3_bind_text(stmt, idx, s, -1, sqliteTransient)
      }
      if rc != SQLITE_OK { throw SQLiteError(db.lastError, code: rc) }
    }
  }

  /// Advances; true while a row is available.
  @discardableResult
  public func step() throws -> Bool {
    let rc = sqlite3_step(stmt)
    if rc == SQLITE_ROW { return true }
    if rc == SQLITE_DONE { return false }
    throw SQLiteError(db.lastError, code: rc)
  }

  public func reset() { sqlite3_reset(stmt) }

  /// SQLite's storage class of column `i` in the current row.
  @inline(__always) public func type(_ i: Int) -> Int32 { sqlite3_column_type(stmt, Int32(i)) }
  @inline(__always) public func isNull(_ i: Int) -> Bool { sqlite3_column_type(stmt, Int32(i)) == SQLITE_NULL }
  @inline(__always) public func int64(_ i: Int) -> Int64 { sqlite3_column_int64(stmt, Int32(i)) }
  @inline(__always) public func double(_ i: Int) -> Double { sqlite3_column_double(stmt, Int32(i)) }

  /// The text of column `i` (nil for NULL).
  public func text(_ i: Int) -> String? {
    guard let p = sqlite3_column_text(stmt, Int32(i)) else { return nil }
    let n = Int(sqlite3_column_bytes(stmt, Int32(i)))
    return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
  }

  /// The bytes `text(i)` decodes (nil where it returns nil), valid until the next step: for
  /// dictionary-encoding text without making a String per row.
  @inline(__always) public func textBytes(_ i: Int) -> UnsafeBufferPointer<UInt8>? {
    guard let p = sqlite3_column_text(stmt, Int32(i)) else { return nil }
    return UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(stmt, Int32(i))))
  }

  /// Raw UTF-8 bytes of column `i`, valid until the next step (for fast date parsing).
  @inline(__always) public func withBytes<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    let p = sqlite3_column_text(stmt, Int32(i))
    let n = Int(sqlite3_column_bytes(stmt, Int32(i)))
    return body(UnsafeBufferPointer(start: p, count: p == nil ? 0 : n))
  }

  public func value(_ i: Int) -> SQLValue {
    switch sqlite3_column_type(stmt, Int32(i)) {
    case SQLITE_NULL: return .null
    case SQLITE_INTEGER: return .int(int64(i))
    case SQLITE_FLOAT: return .double(double(i))
    default: return .text(text(i) ?? "")
    }
  }

  public static var typeInteger: Int32 { SQLITE_INTEGER }
  public static var typeFloat: Int32 { SQLITE_FLOAT }
  public static var typeText: Int32 { SQLITE_TEXT }
  public static var typeNull: Int32 { SQLITE_NULL }
}
