// Statements for questions on a PostgreSQL server (engine pushdown): a small pool of
// read-only connections, so that the HTTP server's workers can ask at once. Each statement
// runs in its own read-only, repeatable-read transaction under the connection's statement
// timeout, with its values bound (never written into the SQL). A connection that was lost is
// dropped, and the next statement opens a new one.

import Foundation

public final class PostgresPool: @unchecked Sendable {
  public let url: String
  public let statementTimeout: Int
  private let lock = NSLock()
  private var idle: [PostgresConnection] = []
  /// Connections kept open while idle (more may be open while busy).
  public let keepIdle: Int

  /// Opens one connection at once, so that a wrong URL fails here rather than at a question.
  public init(url: String, statementTimeout: Int = 120, keepIdle: Int = 4) throws {
    self.url = url
    self.statementTimeout = statementTimeout
    self.keepIdle = keepIdle
    idle.append(try PostgresConnection(url: url, mode: .readOnly, statementTimeout: statementTimeout))
  }

  /// The rows of one SELECT with bound text parameters (nil is SQL NULL).
  public func rows(_ sql: String, _ params: [String?]) throws -> [[PostgresValue]] {
    let c = try take()
    do {
      let r = try c.transaction { try c.query(sql, params) }
      give(c)
      return r.rows
    } catch let e as PostgresError {
      if e.kind != .other { give(c) }  // .other: the connection was lost
      throw e
    }
  }

  private func take() throws -> PostgresConnection {
    lock.lock()
    let c = idle.popLast()
    lock.unlock()
    return try c ?? PostgresConnection(url: url, mode: .readOnly, statementTimeout: statementTimeout)
  }

  private func give(_ c: PostgresConnection) {
    lock.lock()
    if idle.count < keepIdle { idle.append(c) }
    lock.unlock()
  }
}
