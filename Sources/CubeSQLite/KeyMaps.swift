// Integer and text keys → rows for the loader: customer ids (`CustomerKeys`, resolved per
// chunk of orders by `ChunkCustomers`) and order ids (`OrderIDs` → `OrderRows`, for linking
// items). Dense integer ids (1…N, as most databases have) are looked up in arrays, not hashed.

import Foundation

/// Int64 keys → Int32 rows (-1 when absent): an array indexed by `key - base` over a dense
/// range of keys, and a Dictionary for keys outside it.
///
/// The range grows as keys arrive, as long as it stays within `4 × count + 4096` slots, so
/// ids 1…N in any order end up in the array; ids spread over a wide range stay in the Dictionary.
struct IntRowMap: Sendable {
  private var base: Int64 = 0
  private var dense = ContiguousArray<Int32>()
  private var sparse: [Int64: Int32] = [:]
  /// Number of keys.
  private(set) var count = 0
  /// Size of `sparse` at which the keys are checked again for a dense range.
  private var rebuildAt = 4096

  init() {}

  /// - Complexity: O(1) for keys in the dense range, a Dictionary lookup otherwise.
  @inline(__always)
  func row(_ key: Int64) -> Int32 {
    let d = UInt64(bitPattern: key &- base)
    if d < UInt64(dense.count) { return dense[Int(d)] }
    if sparse.isEmpty { return -1 }
    return sparse[key] ?? -1
  }

  /// Sets the row of `key`, replacing any.
  /// - Complexity: amortized O(1).
  @inline(__always)
  mutating func set(_ key: Int64, _ row: Int32) {
    let d = UInt64(bitPattern: key &- base)
    if d < UInt64(dense.count) {
      if dense[Int(d)] < 0 { count += 1 }
      dense[Int(d)] = row
    } else {
      setOutside(key, row)
    }
  }

  /// The widest dense range allowed for the keys there are: 4 slots a key, plus 4096.
  private var limit: UInt64 { UInt64(4 * count + 4096) }

  private mutating func setOutside(_ key: Int64, _ row: Int32) {
    if count == 0 {
      base = key
      dense = [row]
      count = 1
      return
    }
    if sparse.updateValue(row, forKey: key) != nil { return }
    count += 1
    if !dense.isEmpty {
      // A key near the dense range: grow the range towards it (at least doubling).
      let top = base &+ Int64(dense.count - 1)
      let lo = min(base, key)
      let hi = max(top, key)
      let gap = UInt64(bitPattern: hi &- lo)  // span - 1
      let size = UInt64(dense.count)
      if gap < limit, gap < 2 * size + 4096 {
        // span - 1, at least the gap, at most what fits before Int64.min or after Int64.max
        let wanted = min(max(gap, 2 * size - 1), limit - 1)
        if key < base {
          let extra = min(wanted, UInt64(bitPattern: hi &- Int64.min))
          resize(from: hi &- Int64(bitPattern: extra), span: Int(extra) + 1)
        } else {
          let extra = min(wanted, UInt64(bitPattern: Int64.max &- lo))
          resize(from: lo, span: Int(extra) + 1)
        }
        return
      }
    }
    if sparse.count >= rebuildAt { rebuild() }
  }

  /// Moves every key into one dense range when they are dense enough, else waits for twice as many.
  private mutating func rebuild() {
    var lo = Int64.max
    var hi = Int64.min
    if !dense.isEmpty {
      lo = base
      hi = base &+ Int64(dense.count - 1)
    }
    for k in sparse.keys {
      lo = min(lo, k)
      hi = max(hi, k)
    }
    let gap = UInt64(bitPattern: hi &- lo)
    guard gap < limit else {
      rebuildAt *= 2
      return
    }
    resize(from: lo, span: Int(gap + 1))
  }

  /// Re-lays the dense array over `span` keys from `newBase`, keeping every key (the old dense
  /// range must fit in the new one, which must not pass Int64.max; sparse keys that fall
  /// inside move in).
  private mutating func resize(from newBase: Int64, span: Int) {
    var fresh = ContiguousArray<Int32>(repeating: -1, count: span)
    for (i, r) in dense.enumerated() where r >= 0 {
      fresh[Int(UInt64(bitPattern: (base &+ Int64(i)) &- newBase))] = r
    }
    var rest: [Int64: Int32] = [:]
    for (k, r) in sparse {
      let d = UInt64(bitPattern: k &- newBase)
      if d < UInt64(span) { fresh[Int(d)] = r } else { rest[k] = r }
    }
    base = newBase
    dense = fresh
    sparse = rest
  }
}

/// Customer ids in the order they are first seen: the customer table's rows first, in table
/// order, then ids found only in orders, in order-table order. Integer ids stay integers.
struct CustomerKeys: Sendable {
  let integer: Bool
  private(set) var intKeys = ContiguousArray<Int64>()
  private var intRows = IntRowMap()
  /// Text ids: code = row, `strings` = the keys.
  private(set) var text = TextDictionary()

  init(integer: Bool) { self.integer = integer }

  var count: Int { integer ? intKeys.count : text.count }
  var textKeys: [String] { text.strings }

  /// The integer id of column `i` of the current row: integers as they are, text trimmed and
  /// parsed; nil for NULL or text that is not an integer.
  @inline(__always)
  static func intKey(_ st: SQLiteStatement, _ i: Int) -> Int64? {
    let t = st.type(i)
    if t == SQLiteStatement.typeInteger { return st.int64(i) }
    if t == SQLiteStatement.typeNull { return nil }
    return st.text(i).flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
  }

  /// The bytes of a text id (NULL has been checked before; a NULL pointer reads as "").
  @inline(__always)
  static func textKey<R>(_ st: SQLiteStatement, _ i: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    if let b = st.textBytes(i) { return body(b) }
    return body(UnsafeBufferPointer(start: nil, count: 0))
  }

  /// The row of column `i`'s id, added when new; nil for NULL (or an unreadable integer id).
  /// `isNew` is true when the id was added by this call.
  /// - Complexity: O(1) expected.
  @inline(__always)
  mutating func add(_ st: SQLiteStatement, _ i: Int) -> (row: Int32, isNew: Bool)? {
    if integer {
      guard let k = CustomerKeys.intKey(st, i) else { return nil }
      return add(k)
    }
    if st.isNull(i) { return nil }
    let before = text.count
    let r = CustomerKeys.textKey(st, i) { text.code($0) }
    return (r, text.count > before)
  }

  @inline(__always)
  mutating func add(_ k: Int64) -> (row: Int32, isNew: Bool) {
    let r = intRows.row(k)
    if r >= 0 { return (r, false) }
    let n = Int32(intKeys.count)
    intRows.set(k, n)
    intKeys.append(k)
    return (n, true)
  }

  @inline(__always)
  func existingRow(_ k: Int64) -> Int32 { intRows.row(k) }

  /// Takes `ids` as the first rows' keys (none added before); false, leaving `self` unusable,
  /// when an id repeats.
  /// - Complexity: O(ids.count).
  mutating func adopt(_ ids: ContiguousArray<Int64>) -> Bool {
    for (r, k) in ids.enumerated() {
      if intRows.row(k) >= 0 { return false }
      intRows.set(k, Int32(r))
    }
    intKeys = ids
    return true
  }

  /// Adds a chunk's new ids in their order; returns the row of each (indexed by `-2 - code`).
  mutating func absorb(_ new: NewCustomers) -> ContiguousArray<Int32> {
    if integer { return ContiguousArray(new.intKeys.map { add($0).row }) }
    return ContiguousArray(new.text.strings.map { text.code(of: $0) })
  }
}

/// Customer ids of one chunk of rows, resolved against the keys known before the chunk
/// (shared read-only between threads). Ids not known are numbered in the order first seen,
/// as codes -2, -3, … until `CustomerKeys.absorb` gives them rows; -1 is NULL.
struct ChunkCustomers: Sendable {
  let known: CustomerKeys
  private(set) var new = NewCustomers()
  private var newIntRows = IntRowMap()
  /// Text ids: bytes → resolved code, so that each distinct id becomes a String only once.
  private var textCache = ByteTable()

  init(known: CustomerKeys) { self.known = known }

  /// The row (or new-key code) of column `i`'s id; with `add == false`, unknown ids are -1.
  /// - Complexity: O(1) expected.
  @inline(__always)
  mutating func code(_ st: SQLiteStatement, _ i: Int, add: Bool) -> Int32 {
    if known.integer {
      guard let k = CustomerKeys.intKey(st, i) else { return -1 }
      let r = known.existingRow(k)
      if r >= 0 || !add { return r }
      let n = newIntRows.row(k)
      if n >= 0 { return -2 - n }
      let fresh = Int32(new.intKeys.count)
      newIntRows.set(k, fresh)
      new.intKeys.append(k)
      return -2 - fresh
    }
    if st.isNull(i) { return -1 }
    return CustomerKeys.textKey(st, i) { bytes in
      let l = textCache.lookup(bytes)
      if case .found(let c) = l { return c }
      let c = known.text.existingCode(bytes) ?? (add ? -2 - new.text.code(bytes) : -1)
      textCache.insert(bytes, value: c, at: l)
      return c
    }
  }
}

/// The ids a chunk found that were not known before it, in the order first seen.
struct NewCustomers: Sendable {
  var intKeys = ContiguousArray<Int64>()
  var text = TextDictionary()

  var isEmpty: Bool { intKeys.isEmpty && text.count == 0 }
}

/// The ids of a chunk's orders, in row order: "consecutive from `first`" until an id breaks
/// the run, then explicit.
struct OrderIDs: Sendable {
  private(set) var first: Int64 = 0
  private(set) var count = 0
  private(set) var consecutive = true
  private(set) var ids = ContiguousArray<Int64>()

  /// - Complexity: O(1), except once when the run breaks (O(count)).
  @inline(__always)
  mutating func append(_ id: Int64) {
    if consecutive {
      if count == 0 {
        first = id
      } else if id != first &+ Int64(count) {
        consecutive = false
        ids.reserveCapacity(count * 2)
        for j in 0..<count { ids.append(first &+ Int64(j)) }
      }
    }
    if !consecutive { ids.append(id) }
    count += 1
  }

  func id(_ j: Int) -> Int64 { consecutive ? first &+ Int64(j) : ids[j] }
}

/// Order id → order row, for linking items: arithmetic when the ids are consecutive (the
/// common `INTEGER PRIMARY KEY`), else a map in which the last order with an id wins (as
/// assigning into a Dictionary row by row did).
struct OrderRows: Sendable {
  private var first: Int64 = 0
  private var count = 0
  private var map: IntRowMap?

  /// Joins the chunks' ids, in order; each chunk's rows follow the previous chunk's.
  init(_ chunks: [OrderIDs]) {
    var expected: Int64?
    var total = 0
    var run = true
    for c in chunks where c.count > 0 {
      if !c.consecutive || (expected != nil && expected != c.first) { run = false }
      if expected == nil { first = c.first }
      expected = c.first &+ Int64(c.count)
      total += c.count
    }
    count = total
    if run { return }
    var m = IntRowMap()
    var row: Int32 = 0
    for c in chunks {
      for j in 0..<c.count {
        m.set(c.id(j), row)
        row += 1
      }
    }
    map = m
  }

  /// - Complexity: O(1) for consecutive or dense ids.
  @inline(__always)
  func row(_ id: Int64) -> Int32 {
    if let map { return map.row(id) }
    let d = UInt64(bitPattern: id &- first)
    return d < UInt64(count) ? Int32(truncatingIfNeeded: d) : -1
  }
}
