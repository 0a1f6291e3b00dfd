// The little of SQLite the demo generator needs to write its file: open (creating), run a
// script, prepare statements whose raw handles the generator binds and steps itself.
//
// This file owns `DemoSQLite`, `DemoStatement` and `DemoDataError`. Reading databases is
// CubeSQLite's job (SQLiteDatabase); the demo writes one, so it keeps its own small door to
// the C library instead of depending on the loader.

import CSQLite

let sqliteTransient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

/// A failure while making a demo database, with what went wrong.
public struct DemoDataError: Error, CustomStringConvertible, Sendable {
  public var message: String
  public var code: Int32
  public init(_ message: String, code: Int32 = 0) {
    self.message = message
    self.code = code
  }
  public var description: String { message }
}

/// A database opened for writing (created when missing); closed on deinit.
final class DemoSQLite {
  let handle: OpaquePointer

  init(path: String) throws {
    var db: OpaquePointer?
    let rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil)
    guard rc == SQLITE_OK, let db else {
      let msg = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
      if let db { sqlite3_close_v2(db) }
      throw DemoDataError("cannot open \(path): \(msg)", code: rc)
    }
    handle = db
  }

  deinit { sqlite3_close_v2(handle) }

  var lastError: String { String(cString: sqlite3_errmsg(handle)) }

  /// Runs SQL that returns no rows (DDL, PRAGMA, BEGIN/COMMIT).
  func execute(_ sql: String) throws {
    var err: UnsafeMutablePointer<CChar>?
    let rc = sqlite3_exec(handle, sql, nil, nil, &err)
    if rc != SQLITE_OK {
      let msg = err.map { String(cString: $0) } ?? lastError
      sqlite3_free(err)
      throw DemoDataError(msg, code: rc)
    }
  }

  func prepare(_ sql: String) throws -> DemoStatement {
    var stmt: OpaquePointer?
    let rc = sqlite3_prepare_v2(handle, sql, -1, &stmt, nil)
    guard rc == SQLITE_OK, let stmt else { throw DemoDataError("\(lastError) (in: \(sql.prefix(200)))", code: rc) }
    return DemoStatement(stmt, db: self)
  }
}

/// A prepared statement; finalized on deinit (keep it alive while its `stmt` is used).
final class DemoStatement {
  let stmt: OpaquePointer
  let db: DemoSQLite

  init(_ stmt: OpaquePointer, db: DemoSQLite) {
    self.stmt = stmt
    self.db = db
  }

  deinit { sqlite3_finalize(stmt) }
}
