// Reading dates as users store them: ISO dates and datetimes, YYYY/MM/DD, YYYYMMDD
// (integer or text), Unix seconds and milliseconds. Everything becomes a day number.
// Works on the bytes SQLite hands out: no String per value.

import Cube
import QueryModel

public enum DateParsing {
  /// Parses the leading date of ASCII bytes: `2026-11-22`, `2026-11-22 10:00:00`,
  /// `2026-11-22T10:00:00Z`, `2026/11/22`, `2026.11.22`, `20261122`, or a Unix timestamp in
  /// text. Returns `nullDay` when it is not a date.
  /// - Complexity: O(length), no allocation.
  @inline(__always)
  public static func parse(bytes b: UnsafeBufferPointer<UInt8>) -> Int32 {
    let n = b.count
    guard n >= 8 else { return nullDay }
    @inline(__always) func digit(_ i: Int) -> Int { Int(b[i]) - 48 }
    @inline(__always) func isDigit(_ i: Int) -> Bool { i < n && b[i] >= 48 && b[i] <= 57 }
    // YYYY?MM?DD with a separator
    if isDigit(0), isDigit(1), isDigit(2), isDigit(3), n >= 8, !isDigit(4) {
      let sep = b[4]
      guard sep == 45 || sep == 47 || sep == 46 else { return nullDay }  // - / .
      let y = digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3)
      var i = 5
      var m = 0
      var len = 0
      while isDigit(i), len < 2 { m = m * 10 + digit(i); i += 1; len += 1 }
      guard len > 0, i < n, b[i] == sep else { return nullDay }
      i += 1
      var d = 0
      len = 0
      while isDigit(i), len < 2 { d = d * 10 + digit(i); i += 1; len += 1 }
      guard len > 0, Day.isValid(year: y, month: m, day: d) else { return nullDay }
      if i < n, isDigit(i) { return nullDay }
      return Day(year: y, month: m, day: d).raw
    }
    // all digits: YYYYMMDD or a Unix timestamp
    var v: Int64 = 0
    var i = 0
    while i < n, isDigit(i), i < 16 { v = v * 10 + Int64(digit(i)); i += 1 }
    if i == n || (i < n && b[i] == 46) {  // optional fractional part
      return fromInteger(v)
    }
    return nullDay
  }

  /// YYYYMMDD, Unix seconds or Unix milliseconds.
  public static func fromInteger(_ v: Int64) -> Int32 {
    if v >= 1000_01_01 && v <= 9999_12_31 {
      let y = Int(v / 10000), m = Int(v / 100 % 100), d = Int(v % 100)
      if Day.isValid(year: y, month: m, day: d) { return Day(year: y, month: m, day: d).raw }
    }
    if v >= 100_000_000_000 && v < 100_000_000_000_000 { return Int32(floorDiv(v / 1000, 86400)) }
    if v >= 100_000_000 && v < 100_000_000_000 { return Int32(floorDiv(v, 86400)) }
    return nullDay
  }

  static func fromDouble(_ v: Double) -> Int32 {
    guard v.isFinite, v.rounded(.down) == v || v > 1e8 else { return nullDay }
    return fromInteger(Int64(v))
  }

  static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : (a - b + 1) / b }

  /// The day of the current row's column `i`, whatever its storage class.
  @inline(__always)
  static func day(_ st: SQLiteStatement, _ i: Int) -> Int32 {
    let t = st.type(i)
    if t == SQLiteStatement.typeInteger { return fromInteger(st.int64(i)) }
    if t == SQLiteStatement.typeFloat { return fromDouble(st.double(i)) }
    if t == SQLiteStatement.typeNull { return nullDay }
    return st.withBytes(i) { parse(bytes: $0) }
  }
}
