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
/// Keys are copied into one byte arena; a slot holds an entry number (or -1), an entry where
/// its key is, its hash and its value. Linear probing, load factor at most 1/2.
///
/// (Checking the previous key first, for runs of equal values, was measured slower on the
/// benchmark's data: with 5–50% repeats the extra branch mispredicts more than it saves.)
struct ByteTable: Sendable {
  struct Entry: Sendable {
    var start: Int
    var length: Int32
    var value: Int32
    var hash: UInt64
  }

  private var slots = ContiguousArray<Int32>(repeating: -1, count: 16)
  private var entries = ContiguousArray<Entry>()
  private var arena = ContiguousArray<UInt8>()

  var count: Int { entries.count }

  /// Where a key is, or where it would go.
  enum Lookup {
    case found(Int32)
    case absent(slot: Int, hash: UInt64)
  }

  /// Finds `key`.
  /// - Complexity: O(key length) expected.
  @inline(__always)
  func lookup(_ key: UnsafeBufferPointer<UInt8>) -> Lookup {
    let h = ByteTable.hash(key)
    let mask = slots.count - 1
    var s = Int(truncatingIfNeeded: h) & mask
    while true {
      let e = Int(slots[s])
      if e < 0 { return .absent(slot: s, hash: h) }
      let entry = entries[e]
      if entry.hash == h, matches(entry, key) { return .found(entry.value) }
      s = (s + 1) & mask
    }
  }

  /// The value of `key`, or nil.
  /// - Complexity: O(key length) expected.
  func find(_ key: UnsafeBufferPointer<UInt8>) -> Int32? {
    if case .found(let v) = lookup(key) { return v }
    return nil
  }

  /// Adds `key` at the slot `lookup` returned (no other insertion in between).
  /// - Complexity: O(key length), amortized O(1) table growth.
  mutating func insert(_ key: UnsafeBufferPointer<UInt8>, value: Int32, at lookup: Lookup) {
    guard case .absent(let slot, let h) = lookup else { return }
    let e = entries.count
    entries.append(Entry(start: arena.count, length: Int32(key.count), value: value, hash: h))
    arena.append(contentsOf: key)
    slots[slot] = Int32(e)
    if entries.count * 2 > slots.count { grow() }
  }

  private mutating func grow() {
    var bigger = ContiguousArray<Int32>(repeating: -1, count: slots.count * 2)
    let mask = bigger.count - 1
    for (e, entry) in entries.enumerated() {
      var s = Int(truncatingIfNeeded: entry.hash) & mask
      while bigger[s] >= 0 { s = (s + 1) & mask }
      bigger[s] = Int32(e)
    }
    slots = bigger
  }

  @inline(__always)
  private func matches(_ entry: Entry, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
    let n = Int(entry.length)
    guard n == key.count else { return false }
    if n == 0 { return true }
    return arena.withUnsafeBufferPointer { a in
      guard let p = a.baseAddress, let q = key.baseAddress else { return false }
      return ByteTable.equal(UnsafeRawPointer(p + entry.start), UnsafeRawPointer(q), n)
    }
  }

  /// Whether `n` (> 0) bytes at `a` and `b` are equal: overlapping word loads for short keys
  /// (most text values), memcmp for long ones.
  @inline(__always)
  static func equal(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
    if n >= 8 {
      guard n <= 16 else { return memcmp(a, b, n) == 0 }
      return a.loadUnaligned(as: UInt64.self) == b.loadUnaligned(as: UInt64.self)
        && a.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == b.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
    }
    if n >= 4 {
      return a.loadUnaligned(as: UInt32.self) == b.loadUnaligned(as: UInt32.self)
        && a.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self) == b.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
    }
    for i in 0..<n where a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
    return true
  }

  /// A fast 64-bit hash of a byte string: keys of up to 16 bytes (most text values) are two
  /// overlapping word loads and one 128-bit multiply; longer keys go 8 bytes at a time.
  /// - Complexity: O(length).
  @inline(__always)
  static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
    let n = key.count
    guard let base = key.baseAddress, n > 0 else { return 0x9E37_79B9_7F4A_7C15 }
    let raw = UnsafeRawPointer(base)
    var a: UInt64
    var b: UInt64
    if n >= 8 {
      guard n <= 16 else { return longHash(raw, n) }
      a = raw.loadUnaligned(as: UInt64.self)
      b = raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
    } else if n >= 4 {
      a = UInt64(raw.loadUnaligned(as: UInt32.self))
      b = UInt64(raw.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self))
    } else {
      a = UInt64(base[0]) << 16 | UInt64(base[n >> 1]) << 8 | UInt64(base[n - 1])
      b = 0
    }
    return mum(a ^ 0xA076_1D64_78BD_642F, b ^ 0xE703_7ED1_A0B4_28DB ^ UInt64(n))
  }

  /// 64 × 64 → 128-bit multiply, folded (the mixing step of wyhash).
  @inline(__always)
  private static func mum(_ x: UInt64, _ y: UInt64) -> UInt64 {
    let (hi, lo) = x.multipliedFullWidth(by: y)
    return hi ^ lo
  }

  private static func longHash(_ raw: UnsafeRawPointer, _ n: Int) -> UInt64 {
    var h: UInt64 = 0x8EBC_6AF0_9C88_C6E3 ^ UInt64(n)
    var i = 0
    while i + 8 <= n {
      h = mum(h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self), 0x5899_65CC_7537_4CC3)
      i += 8
    }
    if i < n { h = mum(h ^ raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self), 0x1D8E_4E27_C47D_124F) }
    return mum(h, 0xA076_1D64_78BD_642F)
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

  /// The code of the value with these bytes, or nil; never adds (for a dictionary shared
  /// read-only between threads).
  /// - Complexity: O(length) expected; a String is made when the bytes are not in the table.
  func existingCode(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
    table.find(bytes) ?? codes[String(decoding: bytes, as: UTF8.self)]
  }

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
