// What a matched time phrase means: the rule ids of grammars/time (`offset`, `date`,
// `festival` …) and their arguments, checked when the grammar loads, and the constructors
// that turn the values read while matching into an unresolved `TimeExpr`.
//
// This file owns `TimeBuild` (parsing `time <id> <args…>`, validating that each phrase has
// the slots and sub-phrases its id needs, building the expression) and the captures a
// template fills while the chart (TimeRecognizer.swift) matches it.

import Grammar
import QueryModel

// MARK: - Constructors: rule id + arguments → TimeExpr

/// What a rule makes of a matched phrase; parsed from `time <id> <args…>`.
enum TimeBuild: Hashable, Sendable {
  case offset(TimeUnit, Int)
  case ago(TimeUnit, Int?)
  case rolling(TimeUnit, Int?)
  case previous(TimeUnit, Int?)
  case date
  case month(Int?)
  case quarter
  case year
  case half(Int)
  case weekdayOf(Int?)
  case lastWeekday(Int?)
  case nth(TimeUnit, Int?, base: TimeExpr?)
  case first(TimeUnit, Int?, base: TimeExpr?)
  case last(TimeUnit, Int?, base: TimeExpr?)
  case part(TimeUnit, Int, Int, base: TimeExpr?)
  case nthWeekday(Int?, base: TimeExpr?)
  case range
  case since
  case rangeDay
  case rangeMonth
  case same
  case samePeriodLastYear
  case festival(month: Int, day: Int, days: Int)
  case lunarNewYear(offset: Int, days: Int)

  static let ids =
    "offset ago rolling previous date month quarter year half weekday_of last_weekday nth first last part nth_weekday range since range_day range_month same same_period_last_year festival lunar_new_year"

  static func parse(_ r: Rule) throws -> TimeBuild {
    func fail(_ m: String) -> GrammarError { GrammarError(r.location, "time \(r.id): \(m)") }
    var args = r.args[...]
    func unit() throws -> TimeUnit {
      guard let a = args.first else { throw fail("needs a unit (day week month quarter year)") }
      guard let u = TimeUnit(rawValue: a) else { throw fail("unknown unit '\(a)' (day week month quarter year)") }
      args = args.dropFirst()
      return u
    }
    func optInt() throws -> Int? {
      guard let a = args.first, let v = Int(a) else { return nil }
      args = args.dropFirst()
      return v
    }
    func int(_ what: String) throws -> Int {
      guard let v = try optInt() else { throw fail("needs \(what) (a whole number)") }
      return v
    }
    func base() throws -> TimeExpr? {
      guard let a = args.first, let u = TimeUnit(rawValue: a) else { return nil }
      args = args.dropFirst()
      let back = try optInt() ?? 0
      return u == .day ? .dayOffset(back) : .unitOffset(u, back: back)
    }
    let b: TimeBuild
    switch r.id {
    case "offset":
      let u = try unit()
      b = .offset(u, try int("how many units back (0 = this)"))
    case "ago": b = .ago(try unit(), try optInt())
    case "rolling": b = .rolling(try unit(), try optInt())
    case "previous": b = .previous(try unit(), try optInt())
    case "date": b = .date
    case "month":
      let m = try optInt()
      if let m, !(1...12).contains(m) { throw fail("a month is 1 to 12") }
      b = .month(m)
    case "quarter": b = .quarter
    case "year": b = .year
    case "half":
      let h = try int("the half (1 or 2)")
      guard h == 1 || h == 2 else { throw fail("the half is 1 or 2") }
      b = .half(h)
    case "weekday_of": b = .weekdayOf(try optInt())
    case "last_weekday": b = .lastWeekday(try optInt())
    case "nth":
      let u = try unit()
      let n = try optInt()
      b = .nth(u, n, base: try base())
    case "first":
      let u = try unit()
      let n = try optInt()
      b = .first(u, n, base: try base())
    case "last":
      let u = try unit()
      let n = try optInt()
      b = .last(u, n, base: try base())
    case "part":
      let u = try unit()
      let from = try int("the first unit of the part")
      let to = try int("the last unit of the part (negative: from the end)")
      b = .part(u, from, to, base: try base())
    case "nth_weekday":
      let n = try optInt()
      b = .nthWeekday(n, base: try base())
    case "range": b = .range
    case "since": b = .since
    case "range_day": b = .rangeDay
    case "range_month": b = .rangeMonth
    case "same": b = .same
    case "same_period_last_year": b = .samePeriodLastYear
    case "festival":
      let m = try int("the month (1 to 12)")
      let d = try int("the day of the month")
      guard (1...12).contains(m), d >= 1, d <= (m == 2 ? 29 : (m == 4 || m == 6 || m == 9 || m == 11) ? 30 : 31) else {
        throw fail("\(m) \(d) is not a day of the year")
      }
      let n = try optInt() ?? 1
      guard n >= 1, n <= 366 else { throw fail("a festival lasts 1 to 366 days") }
      b = .festival(month: m, day: d, days: n)
    case "lunar_new_year":
      let o = try optInt() ?? 0
      let n = try optInt() ?? 1
      guard (-60...60).contains(o) else { throw fail("the offset from the lunar new year is -60 to 60 days") }
      guard n >= 1, n <= 366 else { throw fail("a festival lasts 1 to 366 days") }
      b = .lunarNewYear(offset: o, days: n)
    default:
      throw fail("unknown time rule id '\(r.id)' (known: \(ids))")
    }
    if let extra = args.first { throw fail("unexpected argument '\(extra)'") }
    return b
  }

  /// Checks that a phrase has the slots this rule needs and no slot it would ignore.
  func validate(_ elements: [Element], phrase: String, rule: Rule) throws {
    var slots: [Slot: Int] = [:]
    var subs: [SubKind] = []
    for e in elements {
      if case .slot(let s) = e { slots[s, default: 0] += 1 }
      if case .sub(let k) = e { subs.append(k) }
    }
    func fail(_ m: String) -> GrammarError { GrammarError(rule.location, "in “\(phrase)”: time \(rule.id) \(m)") }
    func count(_ s: Slot...) -> Int {
      s.reduce(0) { n, x in
        n + (slots[x] ?? 0) + (x == .month ? slots[.mm] ?? 0 : 0) + (x == .day ? slots[.dd] ?? 0 : 0)
      }
    }
    func only(_ allowed0: Set<Slot>, subs allowedSubs: Set<SubKind>, maxSubs: Int) throws {
      var allowed = allowed0
      if allowed.contains(.month) { allowed.insert(.mm) }
      if allowed.contains(.day) { allowed.insert(.dd) }
      for (s, _) in slots where !allowed.contains(s) { throw fail("does not use {\(s.rawValue)}") }
      for k in subs where !allowedSubs.contains(k) { throw fail("does not take a <\(name(k))> sub-phrase") }
      if subs.count > maxSubs { throw fail("takes at most \(maxSubs) sub-phrase(s)") }
    }
    func name(_ k: SubKind) -> String {
      switch k {
      case .time: return "time"
      case .day: return "day"
      case .week: return "week"
      case .month: return "month"
      case .quarter: return "quarter"
      case .year: return "year"
      }
    }
    let yearish: Set<Slot> = [.year, .yy]
    /// The period a part is taken from: one sub-phrase, one {year}, or a base argument.
    func needsPeriod(_ base: TimeExpr?) throws {
      let n = subs.count + count(.year, .yy) + (base == nil ? 0 : 1)
      if n == 0 { throw fail("needs a sub-phrase, a {year} or a base period argument (month 0)") }
      if n > 1 { throw fail("takes its period from one place only: a sub-phrase, a {year} or a base argument") }
    }
    let anySub = Set(SubKind.allCases)
    switch self {
    case .offset, .samePeriodLastYear:
      try only([], subs: [], maxSubs: 0)
    case .festival, .lunarNewYear:
      try only(yearish, subs: [.year], maxSubs: 1)
      if count(.year, .yy) + subs.count > 1 { throw fail("has a year twice") }
    case .ago(_, let k), .rolling(_, let k), .previous(_, let k):
      try only([.n], subs: [], maxSubs: 0)
      if k == nil && count(.n) != 1 { throw fail("needs {n} in the phrase or a count argument") }
    case .date:
      try only(yearish.union([.month, .monthName, .day]), subs: [.month, .year], maxSubs: 1)
      guard count(.day) == 1 else { throw fail("needs one {day}") }
      let months = count(.month, .monthName)
      if months > 1 { throw fail("takes one month") }
      if months == 0 && subs != [.month] { throw fail("needs {month}, {month_name} or a <month> sub-phrase") }
      if months == 1 && subs == [.month] { throw fail("has a month twice") }
      if count(.year, .yy) + subs.filter({ $0 == .year }).count > 1 { throw fail("has a year twice") }
    case .month(let m):
      try only(yearish.union([.month, .monthName]), subs: [.year], maxSubs: 1)
      if m == nil && count(.month, .monthName) != 1 { throw fail("needs one {month} or {month_name}, or a month argument") }
      if m != nil && count(.month, .monthName) != 0 { throw fail("has a month argument and a month in the phrase") }
      if count(.year, .yy) + subs.count > 1 { throw fail("has a year twice") }
    case .quarter:
      try only(yearish.union([.quarter]), subs: [.year], maxSubs: 1)
      guard count(.quarter) == 1 else { throw fail("needs one {quarter}") }
      if count(.year, .yy) + subs.count > 1 { throw fail("has a year twice") }
    case .year:
      try only([.year, .yy, .n], subs: [], maxSubs: 0)
      guard count(.year, .yy, .n) == 1 else { throw fail("needs one of {year}, {yy}, {n}") }
    case .half:
      try only(yearish, subs: [.year], maxSubs: 1)
      if count(.year, .yy) + subs.count > 1 { throw fail("has a year twice") }
    case .weekdayOf(let k):
      try only([.weekday], subs: [.week], maxSubs: 1)
      guard count(.weekday) == 1 else { throw fail("needs one {weekday}") }
      if k == nil && subs.isEmpty { throw fail("needs a <week> sub-phrase or a weeks-back argument") }
    case .lastWeekday:
      try only([.weekday, .n], subs: [], maxSubs: 0)
      guard count(.weekday) == 1 else { throw fail("needs one {weekday}") }
    case .nth(_, let k, let base), .first(_, let k, let base), .last(_, let k, let base):
      try only(yearish.union([.n, .ordinal]), subs: anySub, maxSubs: 1)
      if k == nil && count(.n, .ordinal) != 1 { throw fail("needs {n}, {ordinal} or a count argument") }
      try needsPeriod(base)
    case .part(_, _, _, let base):
      try only(yearish, subs: anySub, maxSubs: 1)
      try needsPeriod(base)
    case .nthWeekday(let k, let base):
      try only(yearish.union([.n, .ordinal, .weekday]), subs: anySub, maxSubs: 1)
      guard count(.weekday) == 1 else { throw fail("needs one {weekday}") }
      if k == nil && count(.n, .ordinal) != 1 { throw fail("needs {n}, {ordinal} or a count argument") }
      try needsPeriod(base)
    case .range:
      try only(yearish, subs: anySub, maxSubs: 2)
      if subs.count + count(.year, .yy) != 2 {
        throw fail("needs two ends: sub-phrases (<time>到<time>) or years ({year}到{year}年)")
      }
    case .since:
      try only(yearish, subs: anySub, maxSubs: 1)
      if subs.count + count(.year, .yy) != 1 { throw fail("needs one sub-phrase or one {year}") }
    case .rangeDay:
      try only([.day, .weekday], subs: [.day, .time], maxSubs: 1)
      if subs.count != 1 || count(.day) + count(.weekday) != 1 {
        throw fail("needs a <day> sub-phrase and one {day} or {weekday}")
      }
    case .rangeMonth:
      try only(yearish.union([.month, .monthName]), subs: [.year], maxSubs: 1)
      if count(.month, .monthName) != 2 { throw fail("needs two months") }
    case .same:
      try only([.weekday], subs: anySub, maxSubs: 1)
      if subs.count != 1 { throw fail("needs one sub-phrase") }
    }
  }

  /// The expression for one match, or nil when the values make no sense (month 13).
  func make(_ c: Filled) -> TimeExpr? {
    switch self {
    case .offset(let u, let k):
      return u == .day ? .dayOffset(k) : .unitOffset(u, back: k)
    case .ago(let u, let k):
      guard let n = c.n ?? k, n <= TimeBuild.maxCount(u) else { return nil }
      return u == .day ? .dayOffset(n) : .unitOffset(u, back: n)
    case .rolling(let u, let k):
      guard let n = c.n ?? k, n >= 1, n <= TimeBuild.maxCount(u) else { return nil }
      return .rolling(u, count: n)
    case .previous(let u, let k):
      guard let n = c.n ?? k, n >= 1, n <= TimeBuild.maxCount(u) else { return nil }
      return .previousUnits(u, count: n)
    case .date:
      guard let d = c.day, (1...31).contains(d) else { return nil }
      if let s = c.sub, c.month == nil {
        if case .month(let y, let m) = s {
          return d <= maxDay(m) ? .date(year: y, month: m, day: d) : nil
        }
        guard TimeRecognizer.unit(of: s) == .month else { return nil }
        return .nth(.day, n: d, of: s)
      }
      guard let m = c.month, (1...12).contains(m), d <= maxDay(m), let y = yearOf(c) else { return nil }
      return .date(year: y, month: m, day: d)
    case .month(let arg):
      guard let m = c.month ?? arg, (1...12).contains(m), let y = yearOf(c) else { return nil }
      return .month(year: y, month: m)
    case .quarter:
      guard let q = c.quarter, (1...4).contains(q), let y = yearOf(c) else { return nil }
      return .quarter(year: y, quarter: q)
    case .year:
      if let y = c.year {
        switch y {
        case .absolute(let v): return .year(v)
        case .twoDigit(let v): return .shortYear(v)
        default: return nil
        }
      }
      guard let n = c.n, n >= 1, n <= 9999 else { return nil }
      return .year(n)
    case .half(let h):
      guard let y = yearOf(c) else { return nil }
      return .half(year: y, half: h)
    case .weekdayOf(let k):
      guard let w = c.weekday else { return nil }
      if let s = c.sub {
        if case .unitOffset(.week, let back) = s { return .weekdayOfWeek(weekday: w, weeksBack: back) }
        return .nth(.day, n: w, of: s)
      }
      return .weekdayOfWeek(weekday: w, weeksBack: k ?? 0)
    case .lastWeekday(let k):
      guard let w = c.weekday else { return nil }
      let n = c.n ?? k ?? 1
      guard n >= 1 else { return nil }
      return n == 1 ? .lastWeekday(w) : .weekdayAgo(weekday: w, count: n)
    case .nth(let u, let k, let base):
      guard let n = c.n ?? c.ordinal ?? k, n != 0, let of = c.sub ?? yearExpr(c.year) ?? base else { return nil }
      return .nth(u, n: n, of: of)
    case .first(let u, let k, let base):
      guard let n = c.n ?? c.ordinal ?? k, n >= 1, let of = c.sub ?? yearExpr(c.year) ?? base else { return nil }
      return .first(u, count: n, of: of)
    case .last(let u, let k, let base):
      guard let n = c.n ?? c.ordinal ?? k, n >= 1, let of = c.sub ?? yearExpr(c.year) ?? base else { return nil }
      return .last(u, count: n, of: of)
    case .part(let u, let a, let b, let base):
      guard let of = c.sub ?? yearExpr(c.year) ?? base else { return nil }
      return .range(.nth(u, n: a, of: of), .nth(u, n: b, of: of))
    case .nthWeekday(let k, let base):
      guard let w = c.weekday, let n = c.ordinal ?? c.n ?? k, n != 0, let of = c.sub ?? yearExpr(c.year) ?? base
      else { return nil }
      return .nthWeekday(weekday: w, n: n, of: of)
    case .range:
      if let a = c.sub {
        guard let b = c.sub2 ?? yearExpr(c.year) else { return nil }
        return .range(a, b)
      }
      guard let a = yearExpr(c.year), let b = yearExpr(c.year2) else { return nil }
      return .range(a, b)
    case .since:
      guard let a = c.sub ?? yearExpr(c.year) else { return nil }
      return .range(a, .dayOffset(0))
    case .rangeDay:
      guard let a = c.sub else { return nil }
      if let w = c.weekday {
        // 上周一到周五: the second weekday of the same week.
        switch a {
        case .weekdayOfWeek(let w0, let k) where w > w0: return .range(a, .weekdayOfWeek(weekday: w, weeksBack: k))
        case .nth(.day, let w0, let of) where w > w0 && TimeRecognizer.unit(of: of) == .week:
          return .range(a, .nth(.day, n: w, of: of))
        default: return nil
        }
      }
      guard let d = c.day, (1...31).contains(d) else { return nil }
      switch a {
      case .date(let y, let m, let d0):
        guard d > d0, d <= maxDay(m) else { return nil }
        return .range(a, .date(year: y, month: m, day: d))
      case .nth(.day, let d0, let of):
        guard d > d0 else { return nil }
        return .range(a, .nth(.day, n: d, of: of))
      default: return nil
      }
    case .rangeMonth:
      guard let m1 = c.month, let m2 = c.month2, (1...12).contains(m1), (1...12).contains(m2),
        let y = yearOf(c)
      else { return nil }
      return .range(.month(year: y, month: m1), .month(year: y, month: m2))
    case .same:
      return c.sub
    case .samePeriodLastYear:
      return .sameTimeLastYear
    case .festival(let m, let d, let n):
      guard let y = yearOf(c) else { return nil }
      return .festival(year: y, month: m, day: d, days: n)
    case .lunarNewYear(let o, let n):
      guard let y = yearOf(c) else { return nil }
      return .lunarNewYear(year: y, offset: o, days: n)
    }
  }

  /// The largest count a relative phrase may have (2020年前 is not "2020 years ago").
  static func maxCount(_ u: TimeUnit) -> Int {
    switch u {
    case .day: return 3660
    case .week: return 520
    case .month: return 240
    case .quarter: return 80
    case .year: return 100
    }
  }

  func maxDay(_ m: Int) -> Int { m == 2 ? 29 : (m == 4 || m == 6 || m == 9 || m == 11) ? 30 : 31 }

  /// The whole year of a {year} or {yy} slot.
  func yearExpr(_ y: YearRef?) -> TimeExpr? {
    switch y {
    case .absolute(let v)?: return .year(v)
    case .twoDigit(let v)?: return .shortYear(v)
    default: return nil
    }
  }

  /// The year of a phrase: a {year}/{yy} slot, a <year> sub-phrase, or none (implicit).
  func yearOf(_ c: Filled) -> YearRef? {
    if let y = c.year { return y }
    guard let s = c.sub else { return .implicit }
    switch s {
    case .year(let v): return .absolute(v)
    case .shortYear(let v): return .twoDigit(v)
    case .unitOffset(.year, let k): return .relative(-k)
    default: return nil
    }
  }
}

/// The values read while matching one template (plain values: copied freely while matching;
/// sub-phrases are kept as chart edge indices).
struct Captures {
  var n: Int?
  var ordinal: Int?
  var year: YearRef?
  var year2: YearRef?
  var month: Int?
  var month2: Int?
  var day: Int?
  var weekday: Int?
  var quarter: Int?
  var child: Int32 = -1
  var child2: Int32 = -1

  @inline(__always) mutating func set(_ s: Slot, _ v: Int) {
    switch s {
    case .n: n = v
    case .ordinal: ordinal = v
    case .year, .yy:
      let y: YearRef = s == .year ? .absolute(v) : .twoDigit(v)
      if year == nil { year = y } else { year2 = y }
    case .month, .mm, .monthName: if month == nil { month = v } else { month2 = v }
    case .day, .dd: if day == nil { day = v }
    case .weekday: weekday = v
    case .quarter: quarter = v
    }
  }

  @inline(__always) mutating func add(edge: Int32) {
    if child < 0 { child = edge } else { child2 = edge }
  }
}

/// Captures with their sub-phrases looked up: what a constructor reads.
@dynamicMemberLookup
struct Filled {
  var caps: Captures
  var sub: TimeExpr?
  var sub2: TimeExpr?

  subscript<T>(dynamicMember kp: KeyPath<Captures, T>) -> T { caps[keyPath: kp] }
}
