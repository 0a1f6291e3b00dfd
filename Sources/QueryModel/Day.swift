// Calendar days as plain integers: the unit of every date in Wenshu.
//
// A `Day` counts days since 1970-01-01 (proleptic Gregorian, no time zone). Dates in the
// cube, periods in plans and time groups in results are all `Day`s; only rendering turns
// them back into text. Nothing below the façade reads the clock: "today" is passed in.

/// A calendar day, stored as days since 1970-01-01.
///
///     Day(year: 2026, month: 11, day: 22).iso   // "2026-11-22"
///     Day(iso: "2026-11-22")!.weekday           // 7 (Sunday; Monday = 1)
public struct Day: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
  public var raw: Int32

  @inlinable public init(raw: Int32) { self.raw = raw }

  /// Days from civil (Howard Hinnant's algorithm).
  @inlinable public init(year: Int, month: Int, day: Int) {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (month + 9) % 12
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    raw = Int32(era * 146097 + doe - 719468)
  }

  /// Parses `YYYY-MM-DD`; nil when malformed or out of range.
  public init?(iso: String) {
    let parts = iso.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0].count == 4, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
      Day.isValid(year: y, month: m, day: d)
    else { return nil }
    self.init(year: y, month: m, day: d)
  }

  public static func isValid(year: Int, month: Int, day: Int) -> Bool {
    guard (1...12).contains(month), day >= 1, year >= 1, year <= 9999 else { return false }
    return day <= daysInMonth(year: year, month: month)
  }

  public static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

  public static func daysInMonth(year: Int, month: Int) -> Int {
    switch month {
    case 2: return isLeap(year) ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  /// (year, month, day) of this day.
  @inlinable public var civil: (year: Int, month: Int, day: Int) {
    let z = Int(raw) + 719468
    let era = (z >= 0 ? z : z - 146096) / 146097
    let doe = z - era * 146097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
  }

  public var year: Int { civil.year }
  public var month: Int { civil.month }

  /// ISO weekday: Monday = 1 … Sunday = 7.
  @inlinable public var weekday: Int {
    let r = (Int(raw) + 3) % 7  // 1970-01-01 was a Thursday (3 with Monday = 0)
    return (r < 0 ? r + 7 : r) + 1
  }

  /// Month index (year·12 + month − 1): consecutive months differ by one.
  @inlinable public var monthIndex: Int {
    let c = civil
    return c.year * 12 + c.month - 1
  }

  public static func firstOfMonth(index: Int) -> Day {
    Day(year: index >= 0 ? index / 12 : (index - 11) / 12, month: ((index % 12) + 12) % 12 + 1, day: 1)
  }

  public static func lastOfMonth(index: Int) -> Day { firstOfMonth(index: index + 1) - 1 }

  public func adding(days n: Int) -> Day { Day(raw: raw + Int32(n)) }

  /// The same calendar date `n` months later, clipped to the month's last day.
  public func adding(months n: Int) -> Day {
    let c = civil
    let idx = c.year * 12 + c.month - 1 + n
    let first = Day.firstOfMonth(index: idx)
    let fc = first.civil
    return Day(year: fc.year, month: fc.month, day: min(c.day, Day.daysInMonth(year: fc.year, month: fc.month)))
  }

  public var iso: String {
    let c = civil
    return Day.pad(c.year, 4) + "-" + Day.pad(c.month, 2) + "-" + Day.pad(c.day, 2)
  }

  public var description: String { iso }

  static func pad(_ v: Int, _ width: Int) -> String {
    let s = String(v)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
  }

  public static func < (a: Day, b: Day) -> Bool { a.raw < b.raw }
  public static func + (a: Day, n: Int) -> Day { Day(raw: a.raw + Int32(n)) }
  public static func - (a: Day, n: Int) -> Day { Day(raw: a.raw - Int32(n)) }
  public static func - (a: Day, b: Day) -> Int { Int(a.raw) - Int(b.raw) }

  public init(from decoder: Decoder) throws {
    let s = try decoder.singleValueContainer().decode(String.self)
    guard let d = Day(iso: s) else {
      throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a date: \(s)"))
    }
    self = d
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(iso)
  }
}

/// A closed range of calendar days: both ends included.
public struct DateRange: Hashable, Sendable, Codable, CustomStringConvertible {
  public var start: Day
  public var end: Day

  public init(_ start: Day, _ end: Day) {
    self.start = start
    self.end = end
  }

  public var dayCount: Int { end - start + 1 }
  public func contains(_ d: Day) -> Bool { d >= start && d <= end }
  public var description: String { "\(start.iso)..\(end.iso)" }
}
