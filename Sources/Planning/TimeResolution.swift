// Time resolution: unresolved time expressions + today → closed date ranges.
//
// This file owns the readings of ../shared/docs/semantics.md, "Time expressions": calendar
// units (ISO weeks Monday–Sunday, quarters from January), "this" periods that end today,
// rolling windows that include today, dates and months without a year (this year unless
// that is still to come), ranges "from the start of X to the end of Y", and the comparison
// periods 环比 (previous period) and 同比 (a year earlier), compared like for like when the
// period is still running, and festival days (双十一, 国庆, 春节 from LunarNewYear's table). It
// also gives each expression its unit and a short label for interpretations. Nothing here
// reads the clock.

import QueryModel
import Understanding

/// Turns a `TimeExpr` into dates against a given today.
///
///     let today = Day(year: 2026, month: 11, day: 22)
///     TimeResolution.resolve(.unitOffset(.month, back: 1), today: today)   // 2026-10-01..2026-10-31
///     TimeResolution.resolve(.rolling(.day, count: 30), today: today)      // 2026-10-24..2026-11-22
///     TimeResolution.describe(.rolling(.day, count: 30), .zh)              // "最近30天"
public enum TimeResolution {
  /// The period an expression names, or nil when it names none (2月30日, week 7 of a month).
  ///
  /// "This" periods (本周, 本月, 今年) end today; a date without a year is this year's unless
  /// that is after today (then last year's); a month, quarter or half without a year is this
  /// year's if it has started, else last year's.
  ///
  ///     resolve(.date(year: .implicit, month: 12, day: 5), today: 2026-11-22)   // 2025-12-05..2025-12-05
  ///     resolve(.unitOffset(.week, back: 0), today: 2026-11-22)                // 2026-11-16..2026-11-22
  public static func resolve(_ e: TimeExpr, today: Day) -> DateRange? {
    resolve(e, today, clip: true)
  }

  /// 环比: the period before `range`, as the previous calendar unit of the same kind.
  ///
  /// A month → the month before, a quarter → the quarter before, a week → the week before; a
  /// "this" period that is still running (本月 up to today) → like for like: as many days from
  /// the start of the previous unit, clipped at that unit's end (本月 on Nov 22 → Oct 1–22;
  /// March 1–31 → February 1–28); any run of whole months → the same number of months before
  /// it; any other span of N days → the N days before it.
  ///
  ///     previousPeriod(of: .unitOffset(.month, back: 0), range: 2026-11-01..2026-11-22, today: 2026-11-22)
  ///     // 2026-10-01..2026-10-22
  public static func previousPeriod(of e: TimeExpr, range: DateRange, today: Day) -> DateRange {
    if case .unitOffset(let u, 0) = e, u != .day {
      let current = unitRange(u, containing: range.start)
      let previous = unitRange(u, containing: current.start - 1)
      let days = range.end - current.start + 1
      return DateRange(previous.start, min(previous.start + (days - 1), previous.end))
    }
    if let months = wholeMonths(range) {
      let first = range.start.monthIndex
      return DateRange(Day.firstOfMonth(index: first - months), Day.lastOfMonth(index: first - 1))
    }
    let n = range.dayCount
    return DateRange(range.start - n, range.start - 1)
  }

  /// 同比 of a period named by `e`: a "this" period that is still running (本月, 今年 up to
  /// today) → the same dates a year earlier, even when today ends a month (本月 on 2025-02-28
  /// → 2024-02-01..2024-02-28); a lunar-calendar festival (春节, 春节期间) → the same festival
  /// of the year before (its dates move); any other period → `yearEarlier(range)`.
  ///
  ///     yearEarlier(of: .unitOffset(.month, back: 0), range: 2026-11-01..2026-11-22)
  ///     // 2025-11-01..2025-11-22
  ///     yearEarlier(of: .lunarNewYear(year: .implicit, offset: 0, days: 1), range: 2026-02-17..2026-02-17)
  ///     // 2025-01-29..2025-01-29
  public static func yearEarlier(of e: TimeExpr?, range: DateRange) -> DateRange {
    switch e {
    case .unitOffset(let u, 0)? where u != .day:
      return DateRange(sameDateYearEarlier(range.start), sameDateYearEarlier(range.end))
    case .lunarNewYear(_, let offset, let days)?:
      // The lunar year the range belongs to (an early offset can start in December before).
      let y = range.start.year
      guard let year = [y, y + 1].first(where: { LunarNewYear.day($0).map { $0 + offset } == range.start }),
        let first = LunarNewYear.day(year - 1)
      else { return yearEarlier(range) }
      return DateRange(first + offset, first + offset + (days - 1))
    default:
      return yearEarlier(range)
    }
  }

  /// 同比: the same period one year earlier. Whole months map to the same whole months
  /// (February 2025 → February 2024, all 29 days); other dates keep their month and day,
  /// February 29 becoming February 28.
  ///
  ///     yearEarlier(2024-02-10..2024-02-29)   // 2023-02-10..2023-02-28
  public static func yearEarlier(_ range: DateRange) -> DateRange {
    if let months = wholeMonths(range) {
      let first = range.start.monthIndex - 12
      return DateRange(Day.firstOfMonth(index: first), Day.lastOfMonth(index: first + months - 1))
    }
    return DateRange(sameDateYearEarlier(range.start), sameDateYearEarlier(range.end))
  }

  /// The unit a period is, if it is exactly one: 上月 → month, 2025年 → year, 上周二 → day,
  /// 最近30天 → nil, 上半年 → nil.
  public static func grain(of e: TimeExpr) -> TimeUnit? { TimeRecognizer.unit(of: e) }

  /// A short label for interpretations.
  ///
  ///     describe(.unitOffset(.month, back: 1), .zh)   // "上月"
  ///     describe(.unitOffset(.month, back: 1), .en)   // "last month"
  ///     describe(.rolling(.day, count: 30), .en)      // "last 30 days"
  ///     describe(.year(2025), .zh)                    // "2025年"
  public static func describe(_ e: TimeExpr, _ lang: Language) -> String {
    lang == .zh ? zh(e) : en(e)
  }

  // MARK: - Resolution

  static func resolve(_ e: TimeExpr, _ today: Day, clip: Bool) -> DateRange? {
    switch e {
    case .dayOffset(let k):
      return DateRange(today - k, today - k)
    case .unitOffset(let u, let k):
      let current = unitRange(u, containing: today)
      if k == 0 { return clip ? DateRange(current.start, today) : current }
      return shifted(current, u, by: -k)
    case .rolling(let u, let n):
      switch u {
      case .day: return DateRange(today - (n - 1), today)
      case .week: return DateRange(today - (7 * n - 1), today)
      default: return DateRange(today.adding(months: -n * monthsIn(u)) + 1, today)
      }
    case .previousUnits(let u, let n):
      let current = unitRange(u, containing: today)
      guard let from = shifted(current, u, by: -n) else { return nil }
      return DateRange(from.start, current.start - 1)
    case .date(let y, let m, let d):
      if case .implicit = y {
        let ty = today.year
        if Day.isValid(year: ty, month: m, day: d), Day(year: ty, month: m, day: d) <= today {
          return single(Day(year: ty, month: m, day: d))
        }
        guard Day.isValid(year: ty - 1, month: m, day: d) else { return nil }
        return single(Day(year: ty - 1, month: m, day: d))
      }
      let year = self.year(y, today)
      guard Day.isValid(year: year, month: m, day: d) else { return nil }
      return single(Day(year: year, month: m, day: d))
    case .month(let y, let m):
      guard (1...12).contains(m) else { return nil }
      return months(startYear: startedYear(y, firstMonth: m, today), month: m, count: 1)
    case .quarter(let y, let q):
      guard (1...4).contains(q) else { return nil }
      return months(startYear: startedYear(y, firstMonth: 3 * q - 2, today), month: 3 * q - 2, count: 3)
    case .half(let y, let h):
      guard h == 1 || h == 2 else { return nil }
      return months(startYear: startedYear(y, firstMonth: 6 * h - 5, today), month: 6 * h - 5, count: 6)
    case .year(let n):
      return months(startYear: n, month: 1, count: 12)
    case .shortYear(let yy):
      return months(startYear: twoDigitYear(yy, today), month: 1, count: 12)
    case .weekdayOfWeek(let w, let k):
      guard (1...7).contains(w) else { return nil }
      return single(monday(of: today) - 7 * k + (w - 1))
    case .lastWeekday(let w):
      guard (1...7).contains(w) else { return nil }
      return single(latest(w, before: today))
    case .weekdayAgo(let w, let c):
      guard (1...7).contains(w), c >= 1 else { return nil }
      return single(latest(w, before: today) - 7 * (c - 1))
    case .festival(let y, let m, let d, let n):
      guard n >= 1 else { return nil }
      return festival(y, today) { year in
        guard Day.isValid(year: year, month: m, day: d) else { return nil }
        return Day(year: year, month: m, day: d)
      }.map { DateRange($0, $0 + (n - 1)) }
    case .lunarNewYear(let y, let offset, let n):
      guard n >= 1 else { return nil }
      return festival(y, today) { year in LunarNewYear.day(year).map { $0 + offset } }.map { DateRange($0, $0 + (n - 1)) }
    case .range(let a, let b):
      return range(a, b, today)
    case .sameTimeLastYear:
      return yearEarlier(DateRange(unitRange(.year, containing: today).start, today))
    case .nth(let u, let n, let of):
      guard let p = resolve(of, today, clip: false) else { return nil }
      return nth(u, n, in: p)
    case .first(let u, let n, let of):
      guard let p = resolve(of, today, clip: false), let a = nth(u, 1, in: p), let b = nth(u, n, in: p) else {
        return nil
      }
      return DateRange(a.start, b.end)
    case .last(let u, let n, let of):
      guard let p = resolve(of, today, clip: false), let a = nth(u, -n, in: p), let b = nth(u, -1, in: p) else {
        return nil
      }
      return DateRange(a.start, b.end)
    case .nthWeekday(let w, let n, let of):
      guard (1...7).contains(w), n != 0, let p = resolve(of, today, clip: false) else { return nil }
      let d: Day
      if n > 0 {
        d = p.start + ((w - p.start.weekday + 7) % 7) + 7 * (n - 1)
      } else {
        d = p.end - ((p.end.weekday - w + 7) % 7) - 7 * (-n - 1)
      }
      return p.contains(d) ? single(d) : nil
    }
  }

  /// The first day of a festival: in the year written, or (no year) this year's if it is not
  /// after today, else last year's.
  static func festival(_ y: YearRef, _ today: Day, first: (Int) -> Day?) -> Day? {
    if case .implicit = y {
      if let d = first(today.year), d <= today { return d }
      return first(today.year - 1)
    }
    let year = self.year(y, today)
    guard year >= 1, year <= 9999 else { return nil }
    return first(year)
  }

  /// X到Y: from the start of X to the end of Y. A side without a year takes the other side's
  /// (2017年8月至11月); when neither has one, the end follows the start (12月5日至1月3日).
  static func range(_ a: TimeExpr, _ b: TimeExpr, _ today: Day) -> DateRange? {
    let aImplicit = isImplicit(a)
    let bImplicit = isImplicit(b)
    var ra = resolve(a, today, clip: true)
    var rb = resolve(b, today, clip: true)
    if bImplicit, let s = ra {
      rb = resolve(withYear(b, s.start.year), today, clip: true)
      if let r = rb, r.end < s.start { rb = resolve(withYear(b, s.start.year + 1), today, clip: true) }
    } else if aImplicit, let s = rb {
      ra = resolve(withYear(a, s.end.year), today, clip: true)
      if let r = ra, r.start > s.end { ra = resolve(withYear(a, s.end.year - 1), today, clip: true) }
    }
    guard let x = ra, let y = rb, x.start <= y.end else { return nil }
    return DateRange(x.start, y.end)
  }

  static func isImplicit(_ e: TimeExpr) -> Bool {
    switch e {
    case .date(.implicit, _, _), .month(.implicit, _), .quarter(.implicit, _), .half(.implicit, _),
      .festival(.implicit, _, _, _), .lunarNewYear(.implicit, _, _):
      return true
    case .nth(_, _, let of), .first(_, _, let of), .last(_, _, let of), .nthWeekday(_, _, let of): return isImplicit(of)
    default: return false
    }
  }

  static func withYear(_ e: TimeExpr, _ y: Int) -> TimeExpr {
    switch e {
    case .date(.implicit, let m, let d): return .date(year: .absolute(y), month: m, day: d)
    case .month(.implicit, let m): return .month(year: .absolute(y), month: m)
    case .quarter(.implicit, let q): return .quarter(year: .absolute(y), quarter: q)
    case .half(.implicit, let h): return .half(year: .absolute(y), half: h)
    case .festival(.implicit, let m, let d, let n): return .festival(year: .absolute(y), month: m, day: d, days: n)
    case .lunarNewYear(.implicit, let o, let n): return .lunarNewYear(year: .absolute(y), offset: o, days: n)
    case .nth(let u, let n, let of): return .nth(u, n: n, of: withYear(of, y))
    case .first(let u, let n, let of): return .first(u, count: n, of: withYear(of, y))
    case .last(let u, let n, let of): return .last(u, count: n, of: withYear(of, y))
    case .nthWeekday(let w, let n, let of): return .nthWeekday(weekday: w, n: n, of: withYear(of, y))
    default: return e
    }
  }

  /// The n-th unit `u` whose start lies inside `p` (n < 0: counted from the end).
  static func nth(_ u: TimeUnit, _ n: Int, in p: DateRange) -> DateRange? {
    guard n != 0 else { return nil }
    if n > 0 {
      var firstUnit = unitRange(u, containing: p.start)
      if firstUnit.start < p.start { firstUnit = unitRange(u, containing: firstUnit.end + 1) }
      guard let r = shifted(firstUnit, u, by: n - 1), r.start <= p.end else { return nil }
      return r
    }
    let lastUnit = unitRange(u, containing: p.end)
    guard let r = shifted(lastUnit, u, by: n + 1), r.start >= p.start else { return nil }
    return r
  }

  static func single(_ d: Day) -> DateRange? {
    d.year >= 1 && d.year <= 9999 ? DateRange(d, d) : nil
  }

  static func monthsIn(_ u: TimeUnit) -> Int {
    switch u {
    case .quarter: return 3
    case .year: return 12
    default: return 1
    }
  }

  /// The calendar unit (ISO week, month, quarter, year) that contains `d`.
  static func unitRange(_ u: TimeUnit, containing d: Day) -> DateRange {
    switch u {
    case .day: return DateRange(d, d)
    case .week:
      let m = monday(of: d)
      return DateRange(m, m + 6)
    default:
      let size = monthsIn(u)
      let idx = d.monthIndex
      let first = idx - idx % size
      return DateRange(Day.firstOfMonth(index: first), Day.lastOfMonth(index: first + size - 1))
    }
  }

  /// A calendar unit moved by `k` units (negative: back).
  static func shifted(_ r: DateRange, _ u: TimeUnit, by k: Int) -> DateRange? {
    let out: DateRange
    switch u {
    case .day: out = DateRange(r.start + k, r.end + k)
    case .week: out = DateRange(r.start + 7 * k, r.end + 7 * k)
    default:
      let size = monthsIn(u)
      let first = r.start.monthIndex + k * size
      out = DateRange(Day.firstOfMonth(index: first), Day.lastOfMonth(index: first + size - 1))
    }
    return out.start.year >= 1 && out.end.year <= 9999 ? out : nil
  }

  static func months(startYear y: Int, month m: Int, count: Int) -> DateRange? {
    guard y >= 1, y <= 9999 else { return nil }
    let first = y * 12 + m - 1
    return DateRange(Day.firstOfMonth(index: first), Day.lastOfMonth(index: first + count - 1))
  }

  static func monday(of d: Day) -> Day { d - (d.weekday - 1) }

  /// The latest weekday `w` strictly before `d`.
  static func latest(_ w: Int, before d: Day) -> Day {
    let delta = (d.weekday - w + 7) % 7
    return d - (delta == 0 ? 7 : delta)
  }

  static func year(_ y: YearRef, _ today: Day) -> Int {
    switch y {
    case .absolute(let v): return v
    case .relative(let k): return today.year + k
    case .twoDigit(let yy): return twoDigitYear(yy, today)
    case .implicit: return today.year
    }
  }

  /// The latest year ending in `yy` that is not after today's year.
  static func twoDigitYear(_ yy: Int, _ today: Day) -> Int {
    let t = today.year
    return t - (((t - yy) % 100) + 100) % 100
  }

  /// The year of a period starting at `firstMonth`: an implicit year is this year if the
  /// period has started, else last year.
  static func startedYear(_ y: YearRef, firstMonth m: Int, _ today: Day) -> Int {
    if case .implicit = y {
      return Day(year: today.year, month: m, day: 1) <= today ? today.year : today.year - 1
    }
    return year(y, today)
  }

  /// Whole calendar months: the number of them, or nil.
  static func wholeMonths(_ r: DateRange) -> Int? {
    let s = r.start.civil
    guard s.day == 1, r.end == Day.lastOfMonth(index: r.end.monthIndex) else { return nil }
    return r.end.monthIndex - r.start.monthIndex + 1
  }

  static func sameDateYearEarlier(_ d: Day) -> Day {
    let c = d.civil
    let day = min(c.day, Day.daysInMonth(year: c.year - 1, month: c.month))
    return Day(year: c.year - 1, month: c.month, day: day)
  }

  // MARK: - Labels

  /// A festival by (month, day, days) — or (0, offset, days) for the lunar new year.
  struct FestivalKey: Hashable {
    var a: Int, b: Int, days: Int
    init(_ a: Int, _ b: Int, _ days: Int) {
      self.a = a
      self.b = b
      self.days = days
    }
  }

  /// The names interpretations use for the festivals of grammars/time (others read as dates).
  static let festivalNames: [FestivalKey: (zh: String, en: String)] = [
    FestivalKey(11, 11, 1): ("双十一", "Singles' Day"),
    FestivalKey(12, 12, 1): ("双十二", "Double Twelve"),
    FestivalKey(6, 18, 1): ("618", "618 shopping festival"),
    FestivalKey(1, 1, 1): ("元旦", "New Year's Day"),
    FestivalKey(2, 14, 1): ("情人节", "Valentine's Day"),
    FestivalKey(10, 1, 7): ("国庆黄金周", "National Day holiday"),
  ]
  static let lunarNames: [FestivalKey: (zh: String, en: String)] = [
    FestivalKey(0, 0, 1): ("春节", "Chinese New Year"),
    FestivalKey(0, -1, 7): ("春节假期", "Chinese New Year holiday"),
  ]

  static func enFestivalYear(_ name: String, _ y: YearRef) -> String {
    switch y {
    case .implicit: return name
    case .relative: return enYear(y) + "'s " + name
    default: return name + " " + enYear(y)
    }
  }

  static let zhWeekdays = ["一", "二", "三", "四", "五", "六", "日"]
  static let enWeekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
  static let enMonths = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
  ]

  static func zhWeekday(_ w: Int) -> String { (1...7).contains(w) ? "周" + zhWeekdays[w - 1] : "周?" }
  static func enWeekday(_ w: Int) -> String { (1...7).contains(w) ? enWeekdays[w - 1] : "?" }
  static func enMonth(_ m: Int) -> String { (1...12).contains(m) ? enMonths[m - 1] : "?" }

  static func zhUnit(_ u: TimeUnit, counted: Bool) -> String {
    switch u {
    case .day: return "天"
    case .week: return "周"
    case .month: return counted ? "个月" : "月"
    case .quarter: return counted ? "个季度" : "季度"
    case .year: return "年"
    }
  }

  static func enUnit(_ u: TimeUnit, _ n: Int) -> String {
    let s = u.rawValue
    return n == 1 ? s : s + "s"
  }

  static func zhYear(_ y: YearRef) -> String {
    switch y {
    case .absolute(let v): return "\(v)年"
    case .relative(0): return "今年"
    case .relative(-1): return "去年"
    case .relative(-2): return "前年"
    case .relative(let k): return k < 0 ? "\(-k)年前" : "\(k)年后"
    case .twoDigit(let v): return (v < 10 ? "0" : "") + "\(v)年"
    case .implicit: return ""
    }
  }

  static func enYear(_ y: YearRef) -> String {
    switch y {
    case .absolute(let v): return "\(v)"
    case .relative(0): return "this year"
    case .relative(-1): return "last year"
    case .relative(let k): return k < 0 ? "\(-k) years ago" : "in \(k) years"
    case .twoDigit(let v): return "'" + (v < 10 ? "0" : "") + "\(v)"
    case .implicit: return ""
    }
  }

  static func zh(_ e: TimeExpr) -> String {
    switch e {
    case .dayOffset(let k):
      switch k {
      case 0: return "今天"
      case 1: return "昨天"
      case 2: return "前天"
      default: return "\(k)天前"
      }
    case .unitOffset(let u, let k):
      switch (u, k) {
      case (.day, _): return zh(.dayOffset(k))
      case (.week, 0): return "本周"
      case (.week, 1): return "上周"
      case (.month, 0): return "本月"
      case (.month, 1): return "上月"
      case (.quarter, 0): return "本季度"
      case (.quarter, 1): return "上季度"
      case (.year, 0): return "今年"
      case (.year, 1): return "去年"
      case (.year, 2): return "前年"
      case (.month, 12): return "去年同月"
      case (.quarter, 4): return "去年同季度"
      default: return "\(k)\(zhUnit(u, counted: true))前"
      }
    case .rolling(let u, let n): return "最近\(n)\(zhUnit(u, counted: true))"
    case .previousUnits(let u, let n): return "前\(n)\(zhUnit(u, counted: true))"
    case .date(let y, let m, let d): return "\(zhYear(y))\(m)月\(d)日"
    case .month(let y, let m): return "\(zhYear(y))\(m)月"
    case .quarter(let y, let q): return "\(zhYear(y))第\(q)季度"
    case .half(let y, let h): return "\(zhYear(y))\(h == 1 ? "上" : "下")半年"
    case .year(let v): return "\(v)年"
    case .shortYear(let v): return zhYear(.twoDigit(v))
    case .weekdayOfWeek(let w, let k):
      switch k {
      case 0: return "本" + zhWeekday(w)
      case 1: return "上" + zhWeekday(w)
      default: return "\(k)周前的" + zhWeekday(w)
      }
    case .lastWeekday(let w): return "上一个" + zhWeekday(w)
    case .weekdayAgo(let w, let c): return "往前第\(c)个" + zhWeekday(w)
    case .range(let a, .dayOffset(0)): return zh(a) + "至今"
    case .range(let a, let b): return zh(a) + "至" + zh(b)
    case .sameTimeLastYear: return "去年同期"
    case .nth(.day, let n, let of) where n > 0 && TimeRecognizer.unit(of: of) == .month: return zh(of) + "\(n)日"
    case .nth(let u, let n, let of):
      return zh(of) + (n > 0 ? "第\(n)" : "倒数第\(-n)") + (u == .day || u == .year ? "" : "个") + zhUnit(u, counted: false)
    case .first(let u, let n, let of): return zh(of) + "前\(n)" + zhUnit(u, counted: true)
    case .last(let u, let n, let of): return zh(of) + "最后\(n)" + zhUnit(u, counted: true)
    case .nthWeekday(let w, let n, let of):
      return zh(of) + (n > 0 ? "第\(n)个" : "倒数第\(-n)个") + zhWeekday(w)
    case .festival(let y, let m, let d, let n):
      return zhYear(y) + (festivalNames[FestivalKey(m, d, n)]?.zh ?? "\(m)月\(d)日" + (n > 1 ? "起\(n)天" : ""))
    case .lunarNewYear(let y, let o, let n):
      return zhYear(y) + (lunarNames[FestivalKey(0, o, n)]?.zh ?? "春节" + (o == 0 ? "" : o > 0 ? "后第\(o)天" : "前\(-o)天") + (n > 1 ? "起\(n)天" : ""))
    }
  }

  static func en(_ e: TimeExpr) -> String {
    switch e {
    case .dayOffset(let k):
      switch k {
      case 0: return "today"
      case 1: return "yesterday"
      default: return "\(k) days ago"
      }
    case .unitOffset(let u, let k):
      switch k {
      case _ where u == .day: return en(.dayOffset(k))
      case 12 where u == .month: return "same month last year"
      case 4 where u == .quarter: return "same quarter last year"
      case 0: return "this \(u.rawValue)"
      case 1: return "last \(u.rawValue)"
      default: return "\(k) \(enUnit(u, k)) ago"
      }
    case .rolling(let u, let n): return "last \(n) \(enUnit(u, n))"
    case .previousUnits(let u, let n): return "previous \(n) \(enUnit(u, n))"
    case .date(let y, let m, let d):
      switch y {
      case .implicit: return "\(enMonth(m)) \(d)"
      case .absolute, .twoDigit: return "\(enMonth(m)) \(d), \(enYear(y))"
      case .relative: return "\(enMonth(m)) \(d) \(enYear(y))"
      }
    case .month(let y, let m):
      if case .implicit = y { return enMonth(m) }
      return "\(enMonth(m)) \(enYear(y))"
    case .quarter(let y, let q):
      if case .implicit = y { return "Q\(q)" }
      return "Q\(q) \(enYear(y))"
    case .half(let y, let h):
      let s = h == 1 ? "first half" : "second half"
      if case .implicit = y { return s }
      return "\(s) of \(enYear(y))"
    case .year(let v): return "\(v)"
    case .shortYear(let v): return enYear(.twoDigit(v))
    case .weekdayOfWeek(let w, let k):
      switch k {
      case 0: return "\(enWeekday(w)) this week"
      case 1: return "\(enWeekday(w)) last week"
      default: return "\(enWeekday(w)) \(k) weeks ago"
      }
    case .lastWeekday(let w): return "last \(enWeekday(w))"
    case .weekdayAgo(let w, let c): return "\(c) \(enWeekday(w))s ago"
    case .range(let a, .dayOffset(0)): return "since " + en(a)
    case .range(let a, let b): return en(a) + " to " + en(b)
    case .sameTimeLastYear: return "same period last year"
    case .nth(let u, let n, let of):
      return (n > 0 ? "\(u.rawValue) \(n)" : "\(u.rawValue) \(-n) from the end") + " of " + en(of)
    case .first(let u, let n, let of): return "first \(n) \(enUnit(u, n)) of " + en(of)
    case .last(let u, let n, let of): return "last \(n) \(enUnit(u, n)) of " + en(of)
    case .nthWeekday(let w, let n, let of):
      let ord = [1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last"][n] ?? "#\(n)"
      return "\(ord) \(enWeekday(w)) of " + en(of)
    case .festival(let y, let m, let d, let n):
      let name = festivalNames[FestivalKey(m, d, n)]?.en ?? "\(enMonth(m)) \(d)" + (n > 1 ? " (\(n) days)" : "")
      return enFestivalYear(name, y)
    case .lunarNewYear(let y, let o, let n):
      let name = lunarNames[FestivalKey(0, o, n)]?.en
        ?? "Chinese New Year" + (o == 0 ? "" : o > 0 ? " +\(o)" : " \(o)") + (n > 1 ? " (\(n) days)" : "")
      return enFestivalYear(name, y)
    }
  }
}
