// Time phrases: compiles the `time` rules of grammars/time/*.rules once and finds them in
// normalised question text, leftmost-longest and without overlaps.
//
// This file owns the template language of time rules (documented at the top of
// grammars/time/zh.rules), its validation (every mistake is a `GrammarError` with the rule's
// file:line), the chart matcher, and the constructors that turn a matched template into an
// unresolved `TimeExpr`. Resolving against today is Planning's job (TimeResolution).
//
// Matching is a small bottom-up chart: positions are scanned right to left, so when a
// template asks for a sub-phrase (`<month>`, `<time>`) further right, every phrase starting
// there is already known; sub-phrases at the current position (left recursion, as in
// `<year>{month}月`) are closed by a work list. Templates are indexed by their first scalar,
// first slot or first sub-phrase, so most positions of a question cost one dictionary look-up.

import Grammar
import QueryModel

/// One time phrase found in a question.
///
///     let m = recognizer.matches(in: Array("上个月华东的销售额".unicodeScalars))
///     // [TimeMatch(start: 0, end: 3, expr: .unitOffset(.month, back: 1), rule: "time offset month 1")]
public struct TimeMatch: Hashable, Sendable {
  /// Offset of the first unicode scalar of the phrase in the normalised text.
  public var start: Int
  /// Offset just after the phrase.
  public var end: Int
  public var expr: TimeExpr
  /// The name of the outermost rule (`time offset month 1`), for lint and --explain.
  public var rule: String

  public init(start: Int, end: Int, expr: TimeExpr, rule: String) {
    self.start = start
    self.end = end
    self.expr = expr
    self.rule = rule
  }
}

/// The time grammar, compiled.
///
///     let rules = try RuleFile.parse("time offset month 1: 上月 | 上个月 | last month", file: "t.rules")
///     let r = try TimeRecognizer(rules: rules)
///     r.matches(in: Array("上个月的gmv".unicodeScalars)).first?.expr   // .unitOffset(.month, back: 1)
public struct TimeRecognizer: Sendable {
  /// The time rules, in the order given (other kinds are dropped).
  public let rules: [Rule]
  let templates: [Template]
  let code: Code
  let byScalar: [UInt32: [Int32]]
  let slotFirst: [(Slot, [Int32])]  // templates starting with each slot
  let subFirst: [SubIndex]  // by SubKind raw value

  /// Names of the time rules (`time offset month 1`), in file order.
  public var ruleNames: [String] { rules.map(\.name) }

  /// Compiles the rules of kind `time`; other kinds are ignored.
  ///
  /// - Throws: `GrammarError` at the rule's location for an unknown id, bad arguments, an
  ///   unknown `{slot}` or `<sub-phrase>`, unbalanced brackets, upper-case or full-width text,
  ///   or a phrase that lacks what its id needs (`ago day` without `{n}` or a count).
  public init(rules all: [Rule]) throws {
    let rules = all.filter { $0.kind == "time" }
    self.rules = rules
    var templates: [Template] = []
    for (ri, rule) in rules.enumerated() {
      let build = try TimeBuild.parse(rule)
      for (pi, phrase) in rule.phrases.enumerated() {
        let elements = try Template.parse(phrase, rule: rule)
        try build.validate(elements, phrase: phrase, rule: rule)
        for variant in Template.expandLeadingOptionals(elements) {
          templates.append(Template(elements: variant, rule: Int32(ri), phrase: Int32(pi), build: build))
        }
      }
    }
    var byScalar: [UInt32: [Int32]] = [:]
    var slotFirst: [Slot: [Int32]] = [:]
    var subFirst = Array(repeating: SubIndex(), count: SubKind.allCases.count)
    for (ti, t) in templates.enumerated() {
      switch t.elements[0] {
      case .literal(let s): byScalar[s[0], default: []].append(Int32(ti))
      case .choice(let alts):
        var seen: Set<UInt32> = []
        for a in alts where seen.insert(a[0]).inserted { byScalar[a[0], default: []].append(Int32(ti)) }
      case .slot(let s): slotFirst[s, default: []].append(Int32(ti))
      case .sub(let k):
        if let next = Template.firstScalars(t.elements, from: 1) {
          for v in next { subFirst[Int(k.rawValue)].byNext[v, default: []].append(Int32(ti)) }
        } else {
          subFirst[Int(k.rawValue)].any.append(Int32(ti))
        }
      case .optional: break  // expanded away
      }
    }
    self.templates = templates
    self.code = Code(templates)
    self.byScalar = byScalar
    self.slotFirst = Slot.allCases.compactMap { s in slotFirst[s].map { (s, $0) } }
    self.subFirst = subFirst
  }

  /// The time phrases of a normalised text: leftmost-longest, not overlapping; at equal
  /// length the earlier rule wins.
  ///
  ///     recognizer.matches(in: Array("2026年3月到5月复购率".unicodeScalars)).map(\.expr)
  ///     // [.range(.month(year: .absolute(2026), month: 3), .month(year: .implicit, month: 5))]
  ///
  /// - Complexity: O(n · t) for n scalars and t templates starting with a scalar found in the
  ///   text (in practice a few µs for a question).
  public func matches(in text: [Unicode.Scalar]) -> [TimeMatch] {
    select(text).map { e in
      TimeMatch(start: Int(e.start), end: Int(e.end), expr: e.expr, rule: rules[Int(templates[Int(e.tpl)].rule)].name)
    }
  }

  /// Which rules and phrases (indices into `rules` and their `phrases`) produced the matches
  /// of `text`, nested sub-phrases included: the input of the grammar lint.
  public func ruleUses(in text: [Unicode.Scalar]) -> [(rule: Int, phrase: Int)] {
    var chart = Chart(text: text, recognizer: self)
    chart.build()
    var out: [(rule: Int, phrase: Int)] = []
    func visit(_ i: Int32) {
      guard i >= 0 else { return }
      let e = chart.edges[Int(i)]
      let t = templates[Int(e.tpl)]
      out.append((Int(t.rule), Int(t.phrase)))
      visit(e.child)
      visit(e.child2)
    }
    for i in chart.selected() { visit(i) }
    return out
  }

  /// The calendar unit a phrase names, if it names exactly one: 上月 → month, 2025年 → year,
  /// 上周二 → day, 最近30天 → nil, X到Y → nil. Sub-phrase slots (`<month>`) use it.
  public static func unit(of e: TimeExpr) -> TimeUnit? {
    switch e {
    case .dayOffset: return .day
    case .unitOffset(let u, _): return u
    case .rolling: return nil
    case .previousUnits(let u, let n): return n == 1 ? u : nil
    case .date: return .day
    case .month: return .month
    case .quarter: return .quarter
    case .year, .shortYear: return .year
    case .half: return nil
    case .weekdayOfWeek, .lastWeekday, .weekdayAgo, .nthWeekday: return .day
    case .range, .sameTimeLastYear: return nil
    case .nth(let u, _, _): return u
    case .first(let u, let n, _), .last(let u, let n, _): return n == 1 ? u : nil
    case .festival(_, _, _, let n), .lunarNewYear(_, _, let n): return n == 1 ? .day : nil
    }
  }

  /// The longest time phrase starting at each position, overlaps allowed: the question parser
  /// chooses among them together with the lexicon ("in 2026-03": 2026-03, not in 2026 + -03).
  public func candidates(in text: [Unicode.Scalar]) -> [TimeMatch] {
    var chart = Chart(text: text, recognizer: self)
    chart.build()
    return chart.longestAtEachStart().map { i in
      let e = chart.edges[Int(i)]
      return TimeMatch(start: Int(e.start), end: Int(e.end), expr: e.expr, rule: rules[Int(templates[Int(e.tpl)].rule)].name)
    }
  }

  func select(_ text: [Unicode.Scalar]) -> [Edge] {
    var chart = Chart(text: text, recognizer: self)
    chart.build()
    return chart.selected().map { chart.edges[Int($0)] }
  }
}

// MARK: - Templates

/// A `{slot}`: a value read from the text.
enum Slot: String, CaseIterable, Sendable {
  case n, year, yy, month, mm, monthName = "month_name", day, dd, weekday, quarter, ordinal
}

/// A `<sub-phrase>`: another time phrase, of a given unit (`time` = any).
enum SubKind: UInt8, CaseIterable, Sendable {
  case time = 0, day, week, month, quarter, year

  init?(name: String) {
    switch name {
    case "time": self = .time
    case "day": self = .day
    case "week": self = .week
    case "month": self = .month
    case "quarter": self = .quarter
    case "year": self = .year
    default: return nil
    }
  }

  /// Unit code of a range (X到Y): never a sub-phrase, so ranges do not nest (their readings
  /// would multiply: 1月到2月到3月 …).
  static let rangeCode: UInt8 = 255

  @inline(__always) func accepts(_ unitCode: UInt8) -> Bool {
    unitCode != SubKind.rangeCode && (self == .time || rawValue == unitCode)
  }
}

/// Templates that start with a sub-phrase, by the scalar that must follow it.
struct SubIndex: Sendable {
  var byNext: [UInt32: [Int32]] = [:]
  var any: [Int32] = []
}

enum Element: Sendable {
  case literal([UInt32])
  case optional([[UInt32]])
  case choice([[UInt32]])
  case slot(Slot)
  case sub(SubKind)
}

struct Template: Sendable {
  var elements: [Element]
  var rule: Int32
  var phrase: Int32
  var build: TimeBuild

  /// The phrase ends with digits written out (618, 今年618): it is not a date before a
  /// unit (618元, 618个).
  var endsWithNumber: Bool {
    guard case .literal(let l) = elements[elements.count - 1] else { return false }
    return l.allSatisfy(TextClass.isDigit)
  }

  /// The phrase is nothing but digits (618): a date only where a number could not stand.
  var isBareNumber: Bool { elements.count == 1 && endsWithNumber }

  /// Parses one phrase of a rule into elements.
  static func parse(_ phrase: String, rule: Rule) throws -> [Element] {
    var out: [Element] = []
    var lit: [UInt32] = []
    func flush() {
      if !lit.isEmpty { out.append(.literal(lit)) }
      lit = []
    }
    func fail(_ m: String) -> GrammarError { GrammarError(rule.location, "in “\(phrase)”: \(m)") }
    let s = Array(phrase.unicodeScalars)
    var i = 0
    while i < s.count {
      let c = s[i]
      switch c {
      case " ":
        flush()
        i += 1
      case "{", "<", "[", "(":
        flush()
        let close: Unicode.Scalar = c == "{" ? "}" : c == "<" ? ">" : c == "[" ? "]" : ")"
        guard let j = s[(i + 1)...].firstIndex(of: close) else { throw fail("no closing '\(close)'") }
        var inner = String.UnicodeScalarView()
        inner.append(contentsOf: s[(i + 1)..<j])
        let name = String(inner)
        switch c {
        case "{":
          guard let slot = Slot(rawValue: name) else {
            throw fail("unknown slot {\(name)} (known: \(Slot.allCases.map { "{\($0.rawValue)}" }.joined(separator: " ")))")
          }
          out.append(.slot(slot))
        case "<":
          guard let k = SubKind(name: name) else {
            throw fail("unknown sub-phrase <\(name)> (known: <time> <day> <week> <month> <quarter> <year>)")
          }
          out.append(.sub(k))
        default:
          var alts: [[UInt32]] = []
          for a in name.split(separator: "/", omittingEmptySubsequences: false) {
            let v = a.unicodeScalars.map(\.value)
            guard !v.isEmpty else { throw fail("empty alternative in “\(c)\(name)\(close)”") }
            for x in v where x == 0x7B || x == 0x3C || x == 0x5B || x == 0x28 {
              throw fail("brackets cannot nest in “\(c)\(name)\(close)”")
            }
            try checkScalars(v, fail)
            alts.append(v)
          }
          out.append(c == "[" ? .optional(alts) : .choice(alts))
        }
        i = j + 1
      case "}", ">", "]", ")":
        throw fail("'\(c)' without its opening bracket")
      default:
        try checkScalars([c.value], fail)
        lit.append(c.value)
        i += 1
      }
    }
    flush()
    guard !out.isEmpty else { throw fail("empty phrase") }
    if !out.contains(where: { if case .sub = $0 { return false } else { return true } }) {
      throw fail("a phrase needs words or slots besides its sub-phrases")
    }
    return out
  }

  static func checkScalars(_ v: [UInt32], _ fail: (String) -> GrammarError) throws {
    for x in v {
      if x >= 0x41 && x <= 0x5A { throw fail("write phrases in lower case (questions are lower-cased before matching)") }
      if x >= 0xFF01 && x <= 0xFF5E { throw fail("write half-width forms (questions are folded to half-width before matching)") }
    }
  }

  /// The scalars the elements from `k` on can start with, or nil when that is open (a slot,
  /// a sub-phrase, or nothing left).
  static func firstScalars(_ e: [Element], from k: Int) -> Set<UInt32>? {
    guard k < e.count else { return nil }
    switch e[k] {
    case .literal(let s): return [s[0]]
    case .choice(let alts): return Set(alts.map { $0[0] })
    case .optional(let alts):
      guard let rest = firstScalars(e, from: k + 1) else { return nil }
      return rest.union(alts.map { $0[0] })
    case .slot, .sub: return nil
    }
  }

  /// `[从/自]<time>到<time>` → `从<time>到<time>`, `自<time>到<time>`, `<time>到<time>`.
  static func expandLeadingOptionals(_ e: [Element]) -> [[Element]] {
    guard case .optional(let alts) = e[0] else { return [e] }
    let rest = Array(e.dropFirst())
    var out: [[Element]] = []
    for a in alts { out.append([.literal(a)] + rest) }
    if !rest.isEmpty { out += expandLeadingOptionals(rest) }
    return out
  }
}

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

// MARK: - The chart

/// Templates compiled to plain values for the matcher: elements, literals and alternatives
/// live in flat arrays, so matching copies no reference-counted storage.
struct Code: Sendable {
  enum Op: Sendable {
    case literal(Int32, Int32)  // scalars[a..<b]
    case optional(Int32, Int32)  // alternatives[a..<b]
    case choice(Int32, Int32)
    case slot(Slot)
    case sub(SubKind)
  }

  var ops: [Op] = []
  var scalars: [UInt32] = []
  var alternatives: [(Int32, Int32)] = []
  var start: [Int32] = []  // first op of each template
  var count: [Int32] = []

  init(_ templates: [Template]) {
    for t in templates {
      start.append(Int32(ops.count))
      count.append(Int32(t.elements.count))
      for e in t.elements {
        switch e {
        case .literal(let l): ops.append(.literal(add(l), Int32(scalars.count)))
        case .optional(let alts), .choice(let alts):
          let a = Int32(alternatives.count)
          for l in alts { alternatives.append((add(l), Int32(scalars.count))) }
          let b = Int32(alternatives.count)
          if case .optional = e { ops.append(.optional(a, b)) } else { ops.append(.choice(a, b)) }
        case .slot(let sl): ops.append(.slot(sl))
        case .sub(let k): ops.append(.sub(k))
        }
      }
    }
  }

  mutating func add(_ l: [UInt32]) -> Int32 {
    let a = Int32(scalars.count)
    scalars += l
    return a
  }
}

struct Edge {
  var start: Int32
  var end: Int32
  var tpl: Int32
  var unit: UInt8  // SubKind raw value of the phrase's unit; 0 = none
  var child: Int32
  var child2: Int32
  var expr: TimeExpr
}

struct Chart {
  let t: [Unicode.Scalar]
  let r: TimeRecognizer
  let ops: [Code.Op]
  let scalars: [UInt32]
  let alternatives: [(Int32, Int32)]
  let opStart: [Int32]
  let opCount: [Int32]
  var edges: [Edge] = []
  var first: [Int32]
  var last: [Int32]
  var hits: [(Int, Captures)] = []

  init(text: [Unicode.Scalar], recognizer: TimeRecognizer) {
    t = text
    r = recognizer
    ops = recognizer.code.ops
    scalars = recognizer.code.scalars
    alternatives = recognizer.code.alternatives
    opStart = recognizer.code.start
    opCount = recognizer.code.count
    first = Array(repeating: 0, count: text.count + 1)
    last = Array(repeating: 0, count: text.count + 1)
  }

  static func unitCode(_ e: TimeExpr) -> UInt8 {
    if case .range = e { return SubKind.rangeCode }
    guard let u = TimeRecognizer.unit(of: e) else { return 0 }
    switch u {
    case .day: return SubKind.day.rawValue
    case .week: return SubKind.week.rawValue
    case .month: return SubKind.month.rawValue
    case .quarter: return SubKind.quarter.rawValue
    case .year: return SubKind.year.rawValue
    }
  }

  mutating func build() {
    let n = t.count
    var p = n - 1
    while p >= 0 {
      let begin = Int32(edges.count)
      first[p] = begin
      last[p] = begin
      let c = t[p].value
      // Nothing starts at a space or inside an English word.
      if c != 0x20 && !(TextClass.isLetter(c) && p > 0 && TextClass.isLetter(t[p - 1].value)) {
        if let list = r.byScalar[c] {
          for ti in list {
            hits.removeAll(keepingCapacity: true)
            walk(ti, 0, p, Captures())
            commit(ti, from: p)
          }
        }
        if TextClass.canStartSlot(c) {
          for (slot, list) in r.slotFirst {
            guard let (v, e) = TextClass.read(slot, t, p, first: true) else { continue }
            for ti in list {
              let nextIsSlot: Bool
              if opCount[Int(ti)] > 1, case .slot = ops[Int(opStart[Int(ti)]) + 1] { nextIsSlot = true } else { nextIsSlot = false }
              if !nextIsSlot && e < n && TextClass.glued(t[e - 1].value, t[e].value) { continue }
              var caps = Captures()
              caps.set(slot, v)
              hits.removeAll(keepingCapacity: true)
              walk(ti, 1, e, caps)
              commit(ti, from: p)
            }
          }
        }
        last[p] = Int32(edges.count)
        // Phrases that start with a sub-phrase at p, until no new phrase appears here.
        var w = Int(begin)
        while w < edges.count {
          let code = Int(edges[w].unit)
          if code == Int(SubKind.rangeCode) {
            w += 1
            continue
          }
          let end = Int(edges[w].end)
          var nextScalar: UInt32 = 0xFFFF_FFFF
          if end < n {
            nextScalar = t[end].value
            if nextScalar == 0x20 && end + 1 < n { nextScalar = t[end + 1].value }
          }
          for pass in 0..<4 {
            if pass >= 2 && code == 0 { break }
            let index = r.subFirst[pass < 2 ? 0 : code]
            let list = pass % 2 == 0 ? index.any : (index.byNext[nextScalar] ?? [])
            for ti in list {
              var caps = Captures()
              caps.add(edge: Int32(w))
              hits.removeAll(keepingCapacity: true)
              walk(ti, 1, end, caps)
              commit(ti, from: p)
            }
          }
          w += 1
          last[p] = Int32(edges.count)
        }
      }
      p -= 1
    }
  }

  mutating func commit(_ ti: Int32, from p: Int) {
    guard !hits.isEmpty else { return }
    let template = r.templates[Int(ti)]
    let build = template.build
    for (end, caps) in hits {
      if template.endsWithNumber && !TextClass.dateNumberEnds(t, end) { continue }
      if template.isBareNumber && !TextClass.dateNumberStarts(t, p) { continue }
      let filled = Filled(
        caps: caps, sub: caps.child >= 0 ? edges[Int(caps.child)].expr : nil,
        sub2: caps.child2 >= 0 ? edges[Int(caps.child2)].expr : nil)
      guard let e = build.make(filled) else { continue }
      var dup = false
      var k = Int(first[p])
      while k < edges.count {
        if Int(edges[k].end) == end && edges[k].expr == e {
          dup = true
          break
        }
        k += 1
      }
      if dup { continue }
      edges.append(
        Edge(
          start: Int32(p), end: Int32(end), tpl: ti, unit: Chart.unitCode(e), child: caps.child, child2: caps.child2,
          expr: e))
    }
  }

  /// Depth-first over the elements of template `ti` from element `k` at text offset `pos`.
  mutating func walk(_ ti: Int32, _ k: Int, _ pos: Int, _ caps: Captures) {
    let count = Int(opCount[Int(ti)])
    if k == count {
      hits.append((pos, caps))
      return
    }
    let n = t.count
    var q = pos
    if k > 0 && q < n && t[q] == " " { q += 1 }
    let base = Int(opStart[Int(ti)])
    switch ops[base + k] {
    case .literal(let a, let b):
      if let e = literal(Int(a), Int(b), at: q) { walk(ti, k + 1, e, caps) }
    case .optional(let a, let b):
      walk(ti, k + 1, pos, caps)
      for i in Int(a)..<Int(b) {
        let (x, y) = alternatives[i]
        if let e = literal(Int(x), Int(y), at: q) { walk(ti, k + 1, e, caps) }
      }
    case .choice(let a, let b):
      for i in Int(a)..<Int(b) {
        let (x, y) = alternatives[i]
        if let e = literal(Int(x), Int(y), at: q) { walk(ti, k + 1, e, caps) }
      }
    case .slot(let s):
      guard q < n, let (v, e) = TextClass.read(s, t, q, first: k == 0) else { return }
      var nextIsSlot = false
      if k + 1 < count, case .slot = ops[base + k + 1] { nextIsSlot = true }
      if !nextIsSlot && e < n && TextClass.glued(t[e - 1].value, t[e].value) { return }
      var c = caps
      c.set(s, v)
      walk(ti, k + 1, e, c)
    case .sub(let kind):
      guard q < n, q > 0 else { return }
      var i = Int(first[q])
      let stop = Int(last[q])
      while i < stop {
        if kind.accepts(edges[i].unit) {
          var c = caps
          c.add(edge: Int32(i))
          walk(ti, k + 1, Int(edges[i].end), c)
        }
        i += 1
      }
    }
  }

  /// The end of the literal scalars[a..<b] at `q`, or nil; English words need letter boundaries.
  @inline(__always) func literal(_ a: Int, _ b: Int, at q: Int) -> Int? {
    let n = t.count
    let len = b - a
    guard q + len <= n else { return nil }
    var j = 0
    while j < len {
      if t[q + j].value != scalars[a + j] { return nil }
      j += 1
    }
    if TextClass.isLetter(scalars[a]) && q > 0 && TextClass.isLetter(t[q - 1].value) { return nil }
    let e = q + len
    if TextClass.isLetter(scalars[b - 1]) && e < n && TextClass.isLetter(t[e].value) { return nil }
    // Digits written in a phrase (双11, 618) are not found inside a longer number (6180, 61.8).
    if TextClass.isDigit(scalars[a]) && q > 0 && (TextClass.isDigit(t[q - 1].value) || t[q - 1] == ".") { return nil }
    if TextClass.isDigit(scalars[b - 1]) && e < n
      && (TextClass.isDigit(t[e].value) || (t[e] == "." && e + 1 < n && TextClass.isDigit(t[e + 1].value)))
    {
      return nil
    }
    return e
  }

  /// Leftmost-longest, non-overlapping edges (indices into `edges`).
  /// The longest edge starting at `p` (the earlier rule at equal length), or -1.
  func longest(at p: Int) -> Int32 {
    var best: Int32 = -1
    var i = Int(first[p])
    while i < Int(last[p]) {
      if best < 0 || edges[i].end > edges[Int(best)].end
        || (edges[i].end == edges[Int(best)].end && edges[i].tpl < edges[Int(best)].tpl)
      {
        best = Int32(i)
      }
      i += 1
    }
    return best
  }

  /// For every start position, its longest edge.
  func longestAtEachStart() -> [Int32] {
    (0..<t.count).map { longest(at: $0) }.filter { $0 >= 0 }
  }

  func selected() -> [Int32] {
    var out: [Int32] = []
    var p = 0
    while p < t.count {
      let best = longest(at: p)
      if best >= 0 {
        out.append(best)
        p = Int(edges[Int(best)].end)
      } else {
        p += 1
      }
    }
    return out
  }

}

// MARK: - Reading slot values

enum TextClass {
  @inline(__always) static func isLetter(_ v: UInt32) -> Bool { v >= 0x61 && v <= 0x7A }
  @inline(__always) static func isDigit(_ v: UInt32) -> Bool { v >= 0x30 && v <= 0x39 }
  @inline(__always) static func isChineseNumeral(_ v: UInt32) -> Bool {
    Numerals.chineseDigit(v) != nil || v == 0x5341 || v == 0x767E || v == 0x5343 || v == 0x5EFF || v == 0x5345
  }

  /// Whether a slot may start with this scalar (a cheap pre-check before trying slot-first templates).
  @inline(__always) static func canStartSlot(_ v: UInt32) -> Bool {
    isDigit(v) || isLetter(v) || isChineseNumeral(v) || v == 0x65E5 || v == 0x5929  // 日 天
  }

  /// Units and words that make the digits before them a number (618元, 618个, 618万).
  static let numberFollowers: Set<UInt32> = Set("元块万千百亿%个单次人件笔位名岁天日号年月周分折倍kw".unicodeScalars.map(\.value))

  /// Words after which a bare number (618) is still a date: the start of the question,
  /// a space or punctuation, and 在 的 和 与 及 跟 or 、. After anything else (超过618,
  /// 大于618, 金额是618) it is a number.
  static let dateNumberPredecessors: Set<UInt32> = Set("在的和与及跟、,，;；:：(（".unicodeScalars.map(\.value))

  /// Whether digits ending at `e` may stand for a date: nothing follows that makes them a
  /// number or an amount.
  static func dateNumberEnds(_ t: [Unicode.Scalar], _ e: Int) -> Bool {
    guard e < t.count else { return true }
    let v = t[e].value
    if v == 0x2E { return e + 1 >= t.count || !isDigit(t[e + 1].value) }  // 618.5 is a number
    return !numberFollowers.contains(v) && !isDigit(v) && !isLetter(v)
  }

  /// Whether bare digits starting at `p` may stand for a date (see `dateNumberPredecessors`).
  static func dateNumberStarts(_ t: [Unicode.Scalar], _ p: Int) -> Bool {
    guard p > 0 else { return true }
    let v = t[p - 1].value
    return v == 0x20 || dateNumberPredecessors.contains(v) || (v < 0x80 && !isDigit(v) && !isLetter(v) && v != 0x2E)
  }

  /// Two scalars that read as one number: a slot may not end between them.
  @inline(__always) static func glued(_ a: UInt32, _ b: UInt32) -> Bool {
    (isDigit(a) && isDigit(b)) || (isChineseNumeral(a) && isChineseNumeral(b))
  }

  static func read(_ s: Slot, _ t: [Unicode.Scalar], _ q: Int, first: Bool) -> (Int, Int)? {
    let v = t[q].value
    if first && q > 0 && glued(t[q - 1].value, v) { return nil }
    switch s {
    case .n:
      guard let (x, e) = Numerals.match(t, at: q), x >= 0, x <= 100_000, x == x.rounded(.down) else { return nil }
      return (Int(x), e)
    case .year:
      if let (x, e) = digits(t, q, exactly: 4) ?? chineseDigits(t, q, exactly: 4), x >= 1900, x <= 2099 { return (x, e) }
      return nil
    case .mm:
      guard let (x, e) = digits(t, q, exactly: 2), (1...12).contains(x) else { return nil }
      return (x, e)
    case .dd:
      guard let (x, e) = digits(t, q, exactly: 2), (1...31).contains(x) else { return nil }
      return (x, e)
    case .yy:
      return digits(t, q, exactly: 2) ?? chineseDigits(t, q, exactly: 2)
    case .month:
      guard let (x, e) = smallNumber(t, q), (1...12).contains(x) else { return nil }
      return (x, e)
    case .day:
      guard let (x, e) = smallNumber(t, q), (1...31).contains(x) else { return nil }
      if isDigit(t[e - 1].value), let e2 = ordinalSuffix(t, e) { return (x, e2) }
      return (x, e)
    case .quarter:
      if isDigit(v), (1...4).contains(Int(v) - 48) {
        if let e = ordinalSuffix(t, q + 1) { return (Int(v) - 48, e) }
        return (Int(v) - 48, q + 1)
      }
      if isLetter(v) {
        guard let (x, e) = word(t, q, ordinals, plural: false), (1...4).contains(x) else { return nil }
        return (x, e)
      }
      if let x = Numerals.chineseDigit(v), (1...4).contains(x), v != 0x4E24 { return (x, q + 1) }
      return nil
    case .weekday:
      // 一…六 日 天 name a weekday only right after 周, 星期 or 礼拜 (not 今天天气).
      if !isLetter(v) {
        guard q > 0 else { return nil }
        let prev = t[q - 1].value
        guard prev == 0x5468 || prev == 0x671F || prev == 0x62DC else { return nil }  // 周 期 拜
      }
      switch v {
      case 0x4E00: return (1, q + 1)
      case 0x4E8C: return (2, q + 1)
      case 0x4E09: return (3, q + 1)
      case 0x56DB: return (4, q + 1)
      case 0x4E94: return (5, q + 1)
      case 0x516D: return (6, q + 1)
      case 0x65E5, 0x5929: return (7, q + 1)
      default: return word(t, q, weekdays, plural: true)
      }
    case .monthName:
      return word(t, q, monthNames, plural: false)
    case .ordinal:
      if isDigit(v), let (x, e) = digits(t, q, upTo: 2), let e2 = ordinalSuffix(t, e) { return (x, e2) }
      return word(t, q, ordinals, plural: false)
    }
  }

  /// 1–2 ASCII digits, or a Chinese numeral below 100 (三, 十二, 二十九, 廿一).
  static func smallNumber(_ t: [Unicode.Scalar], _ q: Int) -> (Int, Int)? {
    let v = t[q].value
    if isDigit(v) { return digits(t, q, upTo: 2) }
    guard isChineseNumeral(v) else { return nil }
    var j = q
    var tens = 0
    var ones: Int?
    if let d = Numerals.chineseDigit(v), d > 0 {
      ones = d
      j += 1
    }
    if j < t.count {
      let u = t[j].value
      if u == 0x5341 {  // 十
        tens = (ones ?? 1) * 10
        ones = nil
        j += 1
      } else if ones == nil && (u == 0x5EFF || u == 0x5345) {  // 廿 卅
        tens = u == 0x5EFF ? 20 : 30
        j += 1
      }
    }
    if tens > 0, j < t.count, let d = Numerals.chineseDigit(t[j].value), d > 0 {
      ones = d
      j += 1
    }
    let x = tens + (ones ?? 0)
    guard j > q, x > 0 else { return nil }
    return (x, j)
  }

  static func digits(_ t: [Unicode.Scalar], _ q: Int, upTo m: Int) -> (Int, Int)? {
    var j = q
    var x = 0
    while j < t.count, j - q < m, isDigit(t[j].value) {
      x = x * 10 + Int(t[j].value) - 48
      j += 1
    }
    return j > q ? (x, j) : nil
  }

  static func digits(_ t: [Unicode.Scalar], _ q: Int, exactly m: Int) -> (Int, Int)? {
    guard let (x, e) = digits(t, q, upTo: m), e - q == m else { return nil }
    return (x, e)
  }

  /// 二〇二五, 零七: Chinese digits written one by one.
  static func chineseDigits(_ t: [Unicode.Scalar], _ q: Int, exactly m: Int) -> (Int, Int)? {
    guard q + m <= t.count else { return nil }
    var x = 0
    for j in q..<(q + m) {
      let v = t[j].value
      guard let d = Numerals.chineseDigit(v), v != 0x4E24 else { return nil }  // not 两
      x = x * 10 + d
    }
    return (x, q + m)
  }

  /// st / nd / rd / th after a digit, as a whole word ending.
  static func ordinalSuffix(_ t: [Unicode.Scalar], _ e: Int) -> Int? {
    guard e + 2 <= t.count else { return nil }
    let a = t[e].value
    let b = t[e + 1].value
    let ok = (a == 0x73 && b == 0x74) || (a == 0x6E && b == 0x64) || (a == 0x72 && b == 0x64) || (a == 0x74 && b == 0x68)
    guard ok, e + 2 == t.count || !isLetter(t[e + 2].value) else { return nil }
    return e + 2
  }

  /// A whole English word from `table` at `q` (optionally with a plural s).
  static func word(_ t: [Unicode.Scalar], _ q: Int, _ table: [UInt64: Int], plural: Bool) -> (Int, Int)? {
    guard isLetter(t[q].value), q == 0 || !isLetter(t[q - 1].value) else { return nil }
    var j = q
    while j < t.count, isLetter(t[j].value) { j += 1 }
    guard j - q <= 10, let k = Numerals.wordKey(t, q, j) else { return nil }
    if let x = table[k] { return (x, j) }
    if plural, t[j - 1] == "s", let k2 = Numerals.wordKey(t, q, j - 1), let x = table[k2] { return (x, j) }
    return nil
  }

  static let weekdays = Numerals.keyed([
    "monday": 1, "mon": 1, "tuesday": 2, "tue": 2, "tues": 2, "wednesday": 3, "wed": 3, "thursday": 4, "thu": 4,
    "thur": 4, "thurs": 4, "friday": 5, "fri": 5, "saturday": 6, "sat": 6, "sunday": 7, "sun": 7,
  ])
  static let monthNames = Numerals.keyed([
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
  ])
  static let ordinals = Numerals.keyed([
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1,
  ])
}
