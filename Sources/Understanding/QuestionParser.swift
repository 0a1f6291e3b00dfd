// Question → tokens → reading. Scans the normalised text at every position for the longest
// of: a time phrase (TimeRecognizer), a lexicon phrase (vocabulary, cues, data values) or a
// number; whatever matches nothing becomes an unknown token. A single left-to-right pass
// over the tokens then fills the reading, with one token of look-ahead for conditions.

import QueryModel

public struct QuestionParser: Sendable {
  public var vocabulary: Vocabulary

  public init(vocabulary: Vocabulary) { self.vocabulary = vocabulary }

  /// Longest lexicon phrase, time phrase or number at each position.
  /// - Complexity: O(n · longest phrase).
  public func tokens(_ text: [Unicode.Scalar]) -> [Token] {
    let times = vocabulary.time.matches(in: text)
    var timeAt: [Int: TimeMatch] = [:]
    for m in times { timeAt[m.start] = m }
    var out: [Token] = []
    var i = 0
    var unknownStart: Int?
    func flushUnknown(_ end: Int) {
      if let s = unknownStart {
        out.append(Token(kind: .unknown, start: s, end: end, text: string(text, s, end)))
        unknownStart = nil
      }
    }
    while i < text.count {
      if text[i] == " " {
        flushUnknown(i)
        i += 1
        continue
      }
      var bestEnd = i
      var bestKind: Token.Kind?
      if let t = timeAt[i] {
        bestEnd = t.end
        bestKind = .time(t.expr)
      }
      if let (e, ms) = vocabulary.lexicon.longest(in: text, at: i), e > bestEnd {
        bestEnd = e
        bestKind = .word(ms)
      }
      if let (v, e) = Numerals.match(text, at: i), e > bestEnd {
        bestEnd = e
        bestKind = .number(v)
      }
      if let k = bestKind {
        flushUnknown(i)
        out.append(Token(kind: k, start: i, end: bestEnd, text: string(text, i, bestEnd)))
        i = bestEnd
      } else {
        if unknownStart == nil { unknownStart = i }
        // English words stay whole: skip to the end of the word.
        if Lexicon.isWordScalar(text[i]) {
          while i < text.count, Lexicon.isWordScalar(text[i]) { i += 1 }
        } else {
          i += 1
          if unknownStart != nil, i < text.count, isCJK(text[i - 1]) != isCJK(text[i]) { flushUnknown(i) }
        }
      }
    }
    flushUnknown(text.count)
    return out
  }

  func string(_ t: [Unicode.Scalar], _ a: Int, _ b: Int) -> String {
    var s = String.UnicodeScalarView()
    s.append(contentsOf: t[a..<b])
    return String(s)
  }

  func isCJK(_ s: Unicode.Scalar) -> Bool { s.value >= 0x2E80 }

  /// Reads a question.
  ///
  ///     parser.read("上月华东的复购率").metrics   // [.repeatRate]
  public func read(_ question: String) -> Reading {
    let scalars = vocabulary.normalizer.scalars(question)
    let lang: Language = scalars.contains { $0.value >= 0x3400 && $0.value <= 0x9FFF } ? .zh : .en
    var r = Reading(question: question, normalized: String(String.UnicodeScalarView(scalars)), language: lang)
    r.tokens = tokens(scalars)
    fill(&r)
    return r
  }

  static let defaultTopPhrases: Set<String> = ["top", "前", "排名前", "头部", "排行前", "排前"]
  static let bareGrains: Set<String> = ["天", "周", "月", "day", "days", "week", "weeks", "month", "months", "quarter", "quarters", "year", "years"]

  func fill(_ r: inout Reading) {
    let toks = r.tokens
    var afterGroupCue = false
    var pendingTop: Bool?  // direction of a ranking cue waiting for its number
    var pendingCond: CustomerCondition.Op?
    var lastMeasure: CustomerCondition.Measure?
    var lastNumber: (value: Double, index: Int)?
    var lastValueDims: Set<DimensionID> = []

    func meanings(_ t: Token) -> [Meaning] {
      if case .word(let ms) = t.kind { return ms }
      return []
    }
    func nextUnit(_ i: Int) -> CustomerCondition.Measure? {
      guard i + 1 < toks.count else { return nil }
      for m in meanings(toks[i + 1]) { if case .unit(let u) = m { return u } }
      return nil
    }
    func addCondition(_ op: CustomerCondition.Op, _ v: Double, unit: CustomerCondition.Measure?) {
      let measure = unit ?? lastMeasure ?? .orders
      r.conditions.append(CustomerCondition(measure, op, v))
    }

    var i = 0
    while i < toks.count {
      let t = toks[i]
      defer { i += 1 }
      switch t.kind {
      case .time(let e):
        r.times.append(e)
        afterGroupCue = false
      case .unknown:
        r.unknown.append(t.text)
      case .number(let v):
        let unit = nextUnit(i)
        if let op = pendingCond {
          addCondition(op, v, unit: unit)
          pendingCond = nil
          if unit != nil { i += 1 }
        } else if let desc = pendingTop {
          r.ranking = (Int(max(1, min(v, 1_000_000))), desc)
          pendingTop = nil
        } else if let u = unit, i + 2 < toks.count, meanings(toks[i + 2]).contains(where: { if case .condition = $0 { return true }; return false }) {
          // 3次以上 / 5000元以上: the condition follows the number.
          if case .condition(let op) = meanings(toks[i + 2]).first(where: { if case .condition = $0 { return true }; return false }) {
            addCondition(op, v, unit: u)
          }
          i += 2
        } else if i + 1 < toks.count, meanings(toks[i + 1]).contains(where: { if case .condition = $0 { return true }; return false }) {
          if case .condition(let op) = meanings(toks[i + 1]).first(where: { if case .condition = $0 { return true }; return false }) {
            addCondition(op, v, unit: nil)
          }
          i += 1
        } else if r.ranking == nil, i + 1 < toks.count, meanings(toks[i + 1]).contains(.entityCustomer) || isDimension(toks[i + 1]) {
          // "5 cities", "10个客户" after a ranking word elsewhere.
          lastNumber = (v, i)
        } else {
          lastNumber = (v, i)
        }
      case .word(let ms):
        // Choose among a phrase's meanings by context.
        let nextIsCondition = i + 1 < toks.count && meanings(toks[i + 1]).contains { if case .condition = $0 { return true }; return false }
        var chosen = ms[0]
        if ms.count > 1 {
          if nextIsCondition, let m = ms.first(where: { if case .measure = $0 { return true }; return false }) {
            chosen = m
          } else if let m = ms.first(where: { if case .metric = $0 { return true }; return false }) {
            chosen = m
          }
        }
        if case .value = chosen {
          // all value meanings are kept; the planner picks the dimension
          let vals = ms.compactMap { m -> (DimensionID, String)? in
            if case .value(let d, let v) = m { return (d, v) }
            return nil
          }
          r.values.append(vals)
          lastValueDims = Set(vals.map(\.0))
          afterGroupCue = false
          continue
        }
        defer { if case .dimension = chosen {} else { lastValueDims = [] } }
        switch chosen {
        case .metric(let m):
          if !r.metrics.contains(m) { r.metrics.append(m) }
          if let measure = ms.compactMap({ m -> CustomerCondition.Measure? in if case .measure(let x) = m { return x }; return nil }).first {
            lastMeasure = measure
          } else if m == .orders {
            lastMeasure = .orders
          } else if m == .sales {
            lastMeasure = .spend
          }
          afterGroupCue = false
        case .entityCustomer:
          r.mentionsCustomer = true
          if afterGroupCue || pendingTop != nil { r.groupBy.append(.customer) }
          afterGroupCue = false
        case .dimension(let d):
          if lastValueDims.contains(d) {
            r.namedDimensions.insert(d)
          } else if !r.groupBy.contains(d) {
            r.groupBy.append(d)
          }
          lastValueDims = []
          afterGroupCue = false
        case .grain(let u):
          if !QuestionParser.bareGrains.contains(t.text) || afterGroupCue || r.which {
            r.grain = u
          }
          afterGroupCue = false
        case .segment(let s):
          if !r.segments.contains(s) { r.segments.append(s) }
          r.mentionsCustomer = true
        case .measure(let m):
          lastMeasure = m
        case .unit:
          break
        case .condition(let op):
          if let n = lastNumber, n.index == i - 1 {
            addCondition(op, n.value, unit: nil)
            lastNumber = nil
          } else {
            pendingCond = op
          }
        case .cue(let c):
          switch c {
          case .group: afterGroupCue = true
          case .which:
            r.which = true
            afterGroupCue = true
          case .top, .bottom:
            let desc = c == .top
            if i + 1 < toks.count, case .number = toks[i + 1].kind {
              pendingTop = desc
            } else if let n = lastNumber, n.index == i - 1 {
              r.ranking = (Int(max(1, min(n.value, 1_000_000))), desc)
            } else {
              r.ranking = (QuestionParser.defaultTopPhrases.contains(t.text) ? nil : 1, desc)
              pendingTop = nil
            }
            afterGroupCue = true
          case .best, .worst:
            if r.ranking == nil { r.ranking = (1, c == .best) }
          case .rank:
            if r.ranking == nil { r.ranking = (nil, true) }
          case .list: r.wantsList = true
          case .count: r.wantsCount = true
          case .comparePrevious: r.comparison = .previousPeriod
          case .compareYear: r.comparison = .yearOverYear
          case .growth: r.growth = true
          case .share: r.share = true
          case .trend: r.trend = true
          }
        case .chart(let c): r.chart = c
        case .ordinalNext: r.monthsAfter = 1
        case .cohortFirst: r.cohort = true
        case .topicWord(let name): if !r.topics.contains(name) { r.topics.append(name) }
        case .filler, .value: break
        }
      }
    }
    if r.which && r.mentionsCustomer && r.ranking == nil && !r.groupBy.contains(.customer) { r.wantsList = true }
  }

  func isDimension(_ t: Token) -> Bool {
    if case .word(let ms) = t.kind { return ms.contains { if case .dimension = $0 { return true }; return false } }
    return false
  }
}
