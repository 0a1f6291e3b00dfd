// Reading one table into column buffers, in two chunks on two threads when it is large.
//
// A large table with dense rowids (min…max holding exactly count(*) rows, as tables filled by
// appending are) is split by rowid range; each chunk has its own read-only connection to the
// same file and writes its rows straight into its own positions of the final columns, so no
// part is copied or merged afterwards. Anything else (views, WITHOUT ROWID tables, holes in the
// rowids, a plan that reads an index instead of the table, small tables) is read by one
// statement, `SELECT … FROM t`, exactly as before. Should a chunk find a different number of
// rows than planned (someone wrote to the file meanwhile), the table is read again in one piece.

import Dispatch
import Foundation

/// Part of a table for one thread: the rows with rowid in `rowids` (every row when nil),
/// written to positions `start ..< start + capacity`.
struct ScanChunk: Sendable {
  var rowids: ClosedRange<Int64>?
  var start: Int
  var capacity: Int
  /// Whether the chunk must fill its positions exactly (a rowid range of dense rowids).
  var exact: Bool

  var positions: Range<Int> { start..<(start + capacity) }
}

/// How a table is read: `select` (`SELECT … FROM table`), whole or in rowid-range chunks.
struct ScanPlan: Sendable {
  var table: String
  var select: String
  var chunks: [ScanChunk]
  /// The name the rowid ranges are written with (`rowid`, or `_rowid_`/`oid` when a column
  /// is called rowid).
  var rowid = "rowid"

  /// One statement for the whole table, with room for `rows` rows.
  init(table: String, select: String, rows: Int) {
    self.table = table
    self.select = select
    chunks = [ScanChunk(rowids: nil, start: 0, capacity: max(rows, 0), exact: false)]
  }

  var capacity: Int { chunks.reduce(0) { $0 + $1.capacity } }
  var isSplit: Bool { chunks.count > 1 }

  /// The statement of chunk `k`, ready to step.
  func statement(_ k: Int, on db: SQLiteDatabase) throws -> SQLiteStatement {
    guard let r = chunks[k].rowids else { return try db.prepare(select) }
    let st = try db.prepare(select + " WHERE \(rowid) BETWEEN ? AND ?")
    try st.bind([.int(r.lowerBound), .int(r.upperBound)])
    return st
  }
}

/// A chunk reader met more rows than it has positions.
struct ChunkOverflow: Error {}

/// A chunk read a different number of rows than its rowid range promised.
struct ChunkMismatch: Error {}

/// What a chunk reader returns: at least how many rows it read.
protocol ChunkPart: Sendable {
  var rows: Int { get }
}

/// The columns of a table being read. Each chunk writes only the positions of its own
/// `ScanChunk`, and the buffers outlive every chunk reader: that is what makes sharing them
/// between the two threads safe.
struct ColumnBuffers: @unchecked Sendable {
  let int32: [UnsafeMutableBufferPointer<Int32>]
  let double: [UnsafeMutableBufferPointer<Double>]
  let int64: [UnsafeMutableBufferPointer<Int64>]
}

/// How many columns of each type a table is read into.
struct ColumnCounts: Sendable {
  var int32 = 0
  var double = 0
  var int64 = 0
}

/// A value handed to exactly one chunk reader (a statement on that chunk's own connection).
struct HandOver<T>: @unchecked Sendable {
  let value: T
}

/// A table read into columns: `int32` and `double` hold `rows` rows each.
struct ScannedTable<Part: ChunkPart> {
  var int32: [ContiguousArray<Int32>]
  var double: [ContiguousArray<Double>]
  var int64: [ContiguousArray<Int64>]
  var parts: [Part]
  var chunks: [ScanChunk]
  var rows: Int

  /// Moves Int32 column `k` out (so that changing it copies nothing).
  mutating func take(int32 k: Int) -> ContiguousArray<Int32> {
    defer { int32[k] = [] }
    return int32[k]
  }

  /// Moves Double column `k` out.
  mutating func take(double k: Int) -> ContiguousArray<Double> {
    defer { double[k] = [] }
    return double[k]
  }

  /// Moves Int64 column `k` out.
  mutating func take(int64 k: Int) -> ContiguousArray<Int64> {
    defer { int64[k] = [] }
    return int64[k]
  }
}

/// The connections a load reads with: the one it opened, and a second, read-only like the
/// first, opened when a table is read in two chunks.
final class LoadConnections {
  let main: SQLiteDatabase
  private var second: SQLiteDatabase?

  /// Tables with fewer rows are read by one thread. (At 100k rows a second thread already
  /// saves ~10 ms, against ~1 ms for the second connection and the plan's queries.)
  static let defaultParallelThreshold = 100_000
  let parallelThreshold: Int

  init(_ main: SQLiteDatabase, parallelThreshold: Int = LoadConnections.defaultParallelThreshold) {
    self.main = main
    self.parallelThreshold = max(parallelThreshold, 2)
  }

  func connection(_ k: Int) throws -> SQLiteDatabase {
    if k == 0 { return main }
    if let second { return second }
    let db = try SQLiteDatabase(path: main.path, readOnly: true)
    second = db
    return db
  }

  /// How to read `select` (`SELECT … FROM table`, no WHERE) of a table with `rows` rows:
  /// two chunks of equal size when the table is large, a real table read in rowid order by
  /// `select` (not through an index), and its rowids dense; else one statement.
  func plan(table: String, columns: [String], select: String, rows: Int) -> ScanPlan {
    var plan = ScanPlan(table: table, select: select, rows: rows)
    guard rows >= parallelThreshold else { return plan }
    let q = quoteIdentifier(table)
    let taken = Set(columns.map { $0.lowercased() })
    guard let name = ["rowid", "_rowid_", "oid"].first(where: { !taken.contains($0) }),
          let type = try? main.rows("SELECT type FROM sqlite_master WHERE name = ?", [.text(table)]).first?.first,
          type == .text("table"),
          let steps = try? main.rows("EXPLAIN QUERY PLAN " + select),
          steps.count == 1, let detail = steps[0].last?.string,
          detail == "SCAN \(table)" || detail == "SCAN TABLE \(table)",
          case .int(let lo)? = try? main.rows("SELECT min(\(name)) FROM \(q)").first?.first,
          case .int(let hi)? = try? main.rows("SELECT max(\(name)) FROM \(q)").first?.first
    else { return plan }
    let (span, overflow) = hi.subtractingReportingOverflow(lo)
    guard !overflow, span == Int64(rows - 1) else { return plan }
    let half = rows / 2
    plan.rowid = name
    plan.chunks = [
      ScanChunk(rowids: lo...(lo + Int64(half) - 1), start: 0, capacity: half, exact: true),
      ScanChunk(rowids: (lo + Int64(half))...hi, start: half, capacity: rows - half, exact: true),
    ]
    return plan
  }

  /// Reads a table as `plan` says into `columns`. `read` fills one chunk's positions from a
  /// statement positioned before its first row and throws `ChunkOverflow` when the rows do not
  /// fit; a table that changed under the plan is read again in one piece.
  func scan<Part: ChunkPart>(
    _ plan: ScanPlan, into columns: ColumnCounts,
    read: @escaping @Sendable (ScanChunk, SQLiteStatement, ColumnBuffers) throws -> Part
  ) throws -> ScannedTable<Part> {
    var plan = plan
    for _ in 0..<4 {
      do {
        return try fill(plan, columns, read: read)
      } catch is ChunkOverflow {
        // More rows than counted: count what the statement itself returns, with some room.
        let now = (try? main.rows("SELECT count(*) FROM (\(plan.select))").first?.first?.double).flatMap { $0 } ?? 0
        plan = ScanPlan(table: plan.table, select: plan.select, rows: max(Int(now) + Int(now) / 64 + 1024, 2 * plan.capacity))
      } catch is ChunkMismatch {
        plan = ScanPlan(table: plan.table, select: plan.select, rows: plan.capacity)
      }
    }
    throw SQLiteError("\(plan.table) kept changing while it was being read")
  }

  private func fill<Part: ChunkPart>(
    _ plan: ScanPlan, _ columns: ColumnCounts,
    read: @escaping @Sendable (ScanChunk, SQLiteStatement, ColumnBuffers) throws -> Part
  ) throws -> ScannedTable<Part> {
    let capacity = plan.capacity
    let chunks = plan.chunks
    var parts: [Part] = []
    var rows = 0
    var doubles: [ContiguousArray<Double>] = []
    var longs: [ContiguousArray<Int64>] = []
    let ints = try LoadConnections.makeArrays(columns.int32, capacity: capacity) { (i32: [UnsafeMutableBufferPointer<Int32>]) -> Int in
      doubles = try LoadConnections.makeArrays(columns.double, capacity: capacity) { (f64: [UnsafeMutableBufferPointer<Double>]) -> Int in
        longs = try LoadConnections.makeArrays(columns.int64, capacity: capacity) { (i64: [UnsafeMutableBufferPointer<Int64>]) -> Int in
          let buffers = ColumnBuffers(int32: i32, double: f64, int64: i64)
          let statements = try chunks.indices.map { k in HandOver(value: try plan.statement(k, on: connection(k))) }
          parts = try runConcurrently(chunks.count) { k in try read(chunks[k], statements[k].value, buffers) }
          for (c, p) in zip(chunks, parts) where c.exact && p.rows != c.capacity { throw ChunkMismatch() }
          rows = chunks.count == 1 ? parts[0].rows : capacity
          return rows
        }
        return rows
      }
      return rows
    }
    return ScannedTable(int32: ints, double: doubles, int64: longs, parts: parts, chunks: chunks, rows: rows)
  }

  /// Makes `n` arrays of `capacity` uninitialized elements, lets `body` fill them in place,
  /// and gives each array `body`'s row count: no copy, no zero-filling.
  static func makeArrays<T>(_ n: Int, capacity: Int, _ body: ([UnsafeMutableBufferPointer<T>]) throws -> Int) throws -> [ContiguousArray<T>] {
    var buffers: [UnsafeMutableBufferPointer<T>] = []
    var arrays: [ContiguousArray<T>] = []
    func nest(_ k: Int) throws -> Int {
      if k == n { return try body(buffers) }
      var rows = 0
      let a = try ContiguousArray<T>(unsafeUninitializedCapacity: capacity) { buf, initialized in
        buffers.append(buf)
        rows = try nest(k + 1)
        initialized = rows
      }
      arrays.append(a)
      return rows
    }
    _ = try nest(0)
    return arrays.reversed()
  }
}

/// Runs `body(k)` for each k in 0..<n, on two threads when n > 1; the results in order, or the
/// first chunk's error.
func runConcurrently<T>(_ n: Int, _ body: @escaping @Sendable (Int) throws -> T) throws -> [T] {
  if n <= 1 { return try (0..<n).map { try body($0) } }
  let slots = ResultSlots<T>(n)
  DispatchQueue.concurrentPerform(iterations: n) { k in
    slots.put(k, Result { try body(k) })
  }
  return try slots.values()
}

/// One result per chunk, each written once by its own thread, read after all have finished.
private final class ResultSlots<T>: @unchecked Sendable {
  private let lock = NSLock()
  private var results: [Result<T, any Error>?]

  init(_ n: Int) { results = Array(repeating: nil, count: n) }

  func put(_ k: Int, _ r: Result<T, any Error>) {
    lock.lock()
    results[k] = r
    lock.unlock()
  }

  func values() throws -> [T] {
    lock.lock()
    defer { lock.unlock() }
    return try results.map { r in
      guard let r else { throw SQLiteError("a chunk of the table was not read") }
      return try r.get()
    }
  }
}
