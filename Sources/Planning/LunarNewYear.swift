// The first day of the lunar year (春节, Chinese New Year) for 2000–2050, as data.
//
// This file owns the table behind the `lunar_new_year` time rules (春节, 春节期间) and nothing
// else; TimeResolution reads it. The dates follow the Chinese calendar as published by the
// Purple Mountain Observatory (GB/T 33661-2017 "Calculation and promulgation of the Chinese
// calendar") and the Hong Kong Observatory's Gregorian–lunar conversion tables; they were
// checked year by year against the `lunardate` package (PyPI, 0.3.0), and against the dates
// the contract names (../shared/docs/semantics.md: 2024-02-10, 2025-01-29, 2026-02-17,
// 2027-02-06).

import QueryModel

/// 春节: the first day of the first lunar month, by Gregorian year.
///
///     LunarNewYear.day(2026)   // 2026-02-17
///     LunarNewYear.day(1999)   // nil: outside the table
public enum LunarNewYear {
  /// The years the table covers.
  public static let years = 2000...2050

  /// The first day of the lunar year that starts in Gregorian year `year`, or nil outside
  /// `years`.
  public static func day(_ year: Int) -> Day? {
    guard years.contains(year) else { return nil }
    let (m, d) = table[year - years.lowerBound]
    return Day(year: year, month: m, day: d)
  }

  /// (month, day) of 春节 for 2000, 2001, … 2050.
  static let table: [(Int, Int)] = [
    (2, 5), (1, 24), (2, 12), (2, 1), (1, 22), (2, 9), (1, 29), (2, 18), (2, 7), (1, 26),  // 2000–2009
    (2, 14), (2, 3), (1, 23), (2, 10), (1, 31), (2, 19), (2, 8), (1, 28), (2, 16), (2, 5),  // 2010–2019
    (1, 25), (2, 12), (2, 1), (1, 22), (2, 10), (1, 29), (2, 17), (2, 6), (1, 26), (2, 13),  // 2020–2029
    (2, 3), (1, 23), (2, 11), (1, 31), (2, 19), (2, 8), (1, 28), (2, 15), (2, 4), (1, 24),  // 2030–2039
    (2, 12), (2, 1), (1, 22), (2, 10), (1, 30), (2, 17), (2, 6), (1, 26), (2, 14), (2, 2),  // 2040–2049
    (1, 23),  // 2050
  ]
}
