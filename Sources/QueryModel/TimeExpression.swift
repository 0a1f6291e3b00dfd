// Unresolved time expressions: what a question's time words say, before "today" is known.
//
// Understanding produces a `TimeExpr` ("the previous month"); Planning resolves it against
// today into a `DateRange` (2026-10-01 … 2026-10-31), as Duckling separates parse and resolve.
// The readings follow ../shared/docs/semantics.md, "Time expressions".

/// A calendar unit used by time words and time groupings.
public enum TimeUnit: String, Hashable, Sendable, Codable, CaseIterable {
  case day, week, month, quarter, year
}

/// A year as written: absolute (2025年), relative to today's year (去年 = -1), or absent.
public enum YearRef: Hashable, Sendable, Codable {
  case absolute(Int)
  case relative(Int)
  case implicit
  /// 15年, 九七年, 10/31/74: a year written with two digits; the latest year ending in those
  /// digits that is not after today's year (in 2026: 15 → 2015, 33 → 1933).
  case twoDigit(Int)
}

/// What a time phrase means, independent of today.
public indirect enum TimeExpr: Hashable, Sendable, Codable {
  /// 今天 (0), 昨天 (1), 前天 (2), N天前 (N): the single day `daysAgo` before today.
  case dayOffset(Int)
  /// The calendar unit containing today, `back` units back: 本月 (month, 0), 上月 (month, 1),
  /// 前年 (year, 2), 三个月前 (month, 3), 两周前 (week, 2). `back == 0` ends today.
  case unitOffset(TimeUnit, back: Int)
  /// 最近N天 / last N months: the rolling window ending today.
  case rolling(TimeUnit, count: Int)
  /// 前N个月 / previous N months: the N whole units before the current one.
  case previousUnits(TimeUnit, count: Int)
  /// An explicit date; a missing year is this year unless that is in the future.
  case date(year: YearRef, month: Int, day: Int)
  /// 2026年3月, March 2026, 3月 (implicit year: this year if the month has started).
  case month(year: YearRef, month: Int)
  /// 2026年第三季度, Q3 2026.
  case quarter(year: YearRef, quarter: Int)
  /// 2025年, 去年 is `.unitOffset(.year, 1)`; this is an explicit year.
  case year(Int)
  /// 上半年 (half 1) / 下半年 (half 2) of a year.
  case half(year: YearRef, half: Int)
  /// 上周二: a weekday (1 = Monday) of the ISO week `weeksBack` before this one.
  case weekdayOfWeek(weekday: Int, weeksBack: Int)
  /// "last Tuesday": the latest such weekday strictly before today.
  case lastWeekday(Int)
  /// X到Y: from the start of X to the end of Y.
  case range(TimeExpr, TimeExpr)
  /// 去年同期 / same period last year: the reference period moved one year back.
  case sameTimeLastYear
  /// 三三年, 15年: a whole year written with two digits (see `YearRef.twoDigit`).
  case shortYear(Int)
  /// 上个月15号, 上月第一周, 2005年首月: the n-th unit inside a period; n < 0 counts from its
  /// end (-1 = the last). Weeks are the ISO weeks whose Monday falls inside the period.
  case nth(TimeUnit, n: Int, of: TimeExpr)
  /// 今年前五个月, 这个月前两天, beginning of last week: the first `count` units of a period.
  case first(TimeUnit, count: Int, of: TimeExpr)
  /// 上月最后五天, 年底, end of last week: the last `count` units of a period.
  case last(TimeUnit, count: Int, of: TimeExpr)
  /// the first Monday of last month: the n-th such weekday inside a period (n < 0 from its end).
  case nthWeekday(weekday: Int, n: Int, of: TimeExpr)
  /// 2 Thursdays ago: the `count`-th latest such weekday strictly before today.
  case weekdayAgo(weekday: Int, count: Int)
  /// 双十一 (11-11, 1 day), 国庆 (10-01, 7 days): `days` days from a fixed month and day. A
  /// missing year is this year if the festival has started (its first day is not after
  /// today), else last year.
  case festival(year: YearRef, month: Int, day: Int, days: Int)
  /// 春节 (offset 0, 1 day), 春节期间 (offset -1, 7 days: the eve through the sixth day):
  /// `days` days starting `offset` days from the first day of the lunar year. The year as for
  /// `festival`.
  case lunarNewYear(year: YearRef, offset: Int, days: Int)
}
