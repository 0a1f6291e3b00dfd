// Byte-keyed text encoding for the loader: text values are hashed and compared as the UTF-8
// bytes SQLite hands out, and a Swift String is made only once per distinct value.
//
// `ByteTable` is the hash table (bytes → Int32); `TextDictionary` dictionary-encodes a column
// with exactly the codes a `[String: Int32]` would give (canonically equivalent spellings share
// a code, as Swift String equality says); `StringInterner` shares the storage of repeated
// strings (feedback comments) without changing a single byte of them.

import Cube
import Foundation

/// An open-addressing hash table from byte strings to Int32 values.
///
/// Keys are copied into one byte arena; a slot holds an entry number (or -1). Linear probing,
/// load factor at most 1/2. The entry found or added last is checked first, so runs of equal
/// values cost one comparison and no hashing.
struct ByteTable: Sendable {
  private var slots = ContiguousArray<Int32>(repeating: -1, count: 16)
  private var hashes = ContiguousArray<UInt64>()
  /// Entry `e`'s bytes are `arena[offsets[e]..<offsets[e + 1]]`.
  private var offsets: ContiguousArray<Int> = [0]
  private var arena = ContiguousArray<UInt8>()
  private(set) var values = ContiguousArray<Int32>()
  private var last = -1

  var count: Int { values.count }

  /// Where a key is, or where it would go.
  enum Lookup {
    case found(Int32)
    case absent(slot: Int, hash: UInt64)
  }

  /// Finds `key`, remembering it as the last value.
  /// - Complexity: O(key length) expected; a repeat of the previous key skips hashing.
  @inline(__always)
  mutating func lookup(_ key: UnsafeBufferPointer<UInt8>) -> Lookup {
    if last >= 0, entry(last, equals: key) { return .found(values[last]) }
    let h = ByteTable.hash(key)
    let mask = slots.count - 1
    var s = Int(truncatingIfNeeded: h) & mask
    while true {
      let e = Int(slots[s])
      if e < 0 { return .absent(slot: s, hash: h) }
      if hashes[e] == h, entry(e, equals: key) {
        last = e
        return .found(values[e])
      }
      s = (s + 1) & mask
    }
  }

  /// Finds `key` without remembering it (for a table shared read-only between threads).
  /// - Complexity: O(key length) expected.
  func find(_ key: UnsafeBufferPointer<UInt8>) -> Int32? {
    let h = ByteTable.hash(key)
    let mask = slots.count - 1
    var s = Int(truncatingIfNeeded: h) & mask
    while true {
      let e = Int(slots[s])
      if e < 0 { return nil }
      if hashes[e] == h, entry(e, equals: key) { return values[e] }
      s = (s + 1) & mask
    }
  }

  /// Adds `key` at the slot `lookup` returned (no other insertion in between).
  /// - Complexity: O(key length), amortized O(1) table growth.
  mutating func insert(_ key: UnsafeBufferPointer<UInt8>, value: Int32, at lookup: Lookup) {
    guard case .absent(let slot, let h) = lookup else { return }
    let e = values.count
    arena.append(contentsOf: key)
    offsets.append(arena.count)
    hashes.append(h)
    values.append(value)
    slots[slot] = Int32(e)
    last = e
    if values.count * 2 > slots.count { grow() }
  }

  private mutating func grow() {
    var bigger = ContiguousArray<Int32>(repeating: -1, count: slots.count * 2)
    let mask = bigger.count - 1
    for e in 0..<values.count {
      var s = Int(truncatingIfNeeded: hashes[e]) & mask
      while bigger[s] >= 0 { s = (s + 1) & mask }
      bigger[s] = Int32(e)
    }
    slots = bigger
  }

  @inline(__always)
  private func entry(_ e: Int, equals key: UnsafeBufferPointer<UInt8>) -> Bool {
    let start = offsets[e]
    let n = offsets[e + 1] - start
    guard n == key.count else { return false }
    if n == 0 { return true }
    return arena.withUnsafeBufferPointer { a in
      guard let p = a.baseAddress, let q = key.baseAddress else { return false }
      return memcmp(p + start, q, n) == 0
    }
  }

  /// A fast 64-bit hash of a byte string (8 bytes at a time, then a final mix).
  /// - Complexity: O(length).
  @inline(__always)
  static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
    let n = key.count
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: n)
    guard let base = key.baseAddress, n > 0 else { return mix(h) }
    let raw = UnsafeRawPointer(base)
    var i = 0
    while i + 8 <= n {
      h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
      h ^= h >> 31
      i += 8
    }
    if i < n {
      var tail: UInt64 = 0
      while i < n {
        tail = tail << 8 | UInt64(base[i])
        i += 1
      }
      h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
    }
    return mix(h)
  }

  @inline(__always)
  private static func mix(_ x: UInt64) -> UInt64 {
    var z = x
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// Dictionary-encodes text given as UTF-8 bytes, with the codes of a `[String: Int32]`
/// filled in order of first appearance: a new byte string becomes a String once and is looked
/// up by String equality, so canonically equivalent spellings (é and e + ◌́) share a code and
/// the dictionary keeps the first spelling, exactly as `DictBuilder` does.
struct TextDictionary: Sendable {
  private var table = ByteTable()
  /// Code → value, in order of first appearance.
  private(set) var strings: [String] = []
  private var codes: [String: Int32] = [:]

  var count: Int { strings.count }

  /// The code of the value with these bytes, added when new.
  /// - Complexity: O(length) expected; a String is made only for bytes not seen before.
  @inline(__always)
  mutating func code(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
    let l = table.lookup(bytes)
    if case .found(let c) = l { return c }
    let c = code(of: String(decoding: bytes, as: UTF8.self))
    table.insert(bytes, value: c, at: l)
    return c
  }

  /// The code of a value, added when new (String equality).
  mutating func code(of s: String) -> Int32 {
    if let c = codes[s] { return c }
    let c = Int32(strings.count)
    strings.append(s)
    codes[s] = c
    return c
  }

  /// The code of the value with these bytes, or nil; never adds and never changes `self`
  /// (for a dictionary shared read-only between threads).
  func existingCode(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
    table.find(bytes) ?? codes[String(decoding: bytes, as: UTF8.self)]
  }

  /// The code of a value, or nil (String equality).
  func existingCode(of s: String) -> Int32? { codes[s] }

  /// Adds `other`'s values in its code order; returns the code here of each of its codes.
  /// - Complexity: O(other.count).
  mutating func absorb(_ other: TextDictionary) -> ContiguousArray<Int32> {
    ContiguousArray(other.strings.map { code(of: $0) })
  }

  func column(_ codes: ContiguousArray<Int32>) -> DictColumn { DictColumn(codes: codes, dictionary: strings) }
}

/// Shares one String storage between byte-identical values (repeated feedback comments):
/// every value is exactly `String(decoding: bytes, as: UTF8.self)`. At most `limit` distinct
/// values are kept, so that a column of unique texts costs no more than it did.
struct StringInterner: Sendable {
  private var table = ByteTable()
  private var strings: [String] = []
  let limit: Int

  init(limit: Int = 1 << 16) { self.limit = limit }

  /// - Complexity: O(length) expected.
  @inline(__always)
  mutating func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
    let l = table.lookup(bytes)
    if case .found(let i) = l { return strings[Int(i)] }
    let s = String(decoding: bytes, as: UTF8.self)
    if strings.count < limit {
      table.insert(bytes, value: Int32(strings.count), at: l)
      strings.append(s)
    }
    return s
  }
}
