// Time phrases: compiles the `time` rules of grammars/time/*.rules once and finds them in
// normalised question text, leftmost-longest and without overlaps.
//
// This file owns matching: the public recognizer (compiling rules into indexed templates,
// `matches`, `candidates`, the lint's `ruleUses`) and the chart matcher. Its neighbours own
// the rest: TimeRule+Parse.swift the template language of time rules (documented at the top
// of grammars/time/zh.rules) and its parsing; TimeBuild.swift the rule ids, their validation
// (every mistake is a `GrammarError` with the rule's file:line) and the constructors that
// turn a matched template into an unresolved `TimeExpr`; TimeRecognizer+Slots.swift reading
// slot values ({n}, {year}, {weekday} …) from the text. Resolving against today is
// Planning's job (TimeResolution).
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
  /// Where that rule is written (time/zh.rules:61); nil for matches made by hand.
  public var location: SourceLocation?

  public init(start: Int, end: Int, expr: TimeExpr, rule: String, location: SourceLocation? = nil) {
    self.start = start
    self.end = end
    self.expr = expr
    self.rule = rule
    self.location = location
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
    select(text).map(match)
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
    return chart.longestAtEachStart().map { match(chart.edges[Int($0)]) }
  }

  func match(_ e: Edge) -> TimeMatch {
    let rule = rules[Int(templates[Int(e.tpl)].rule)]
    return TimeMatch(start: Int(e.start), end: Int(e.end), expr: e.expr, rule: rule.name, location: rule.location)
  }

  func select(_ text: [Unicode.Scalar]) -> [Edge] {
    var chart = Chart(text: text, recognizer: self)
    chart.build()
    return chart.selected().map { chart.edges[Int($0)] }
  }
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
