// Question → tokens → reading. Scans the normalised text at every position for the longest
// of: a time phrase (TimeRecognizer), a lexicon phrase (vocabulary, cues, data values) or a
// number; whatever matches nothing becomes an unknown token. A single left-to-right pass
// over the tokens then fills the reading, with one token of look-ahead for conditions.

import QueryModel

public struct QuestionParser: Sendable {
  public var vocabulary: Vocabulary

  public init(vocabulary: Vocabulary) { self.vocabulary = vocabulary }

  /// Whether a value's phrase names customers (金卡会员, 女性客户, gold members): it ends with
  /// a word of the customer entity.
  func namesCustomers(_ text: String) -> Bool {
    let s = Array(text.lowercased().unicodeScalars)
    guard s.count > 1 else { return false }
    for k in 1..<s.count where vocabulary.lexicon.matches(in: s, at: k).contains(where: { $0.end == s.count && $0.meanings.contains(.entityCustomer) }) {
      return true
    }
    return false
  }

  /// Segments the text into tokens: the cover with the fewest unmatched characters, then the
  /// fewest tokens (dynamic programming over every lexicon, time and number match), so that
  /// 各年龄段 reads 各 + 年龄段 rather than 各年 + 龄段.
  /// - Complexity: O(n · matches per position).
  public func tokens(_ text: [Unicode.Scalar]) -> [Token] {
    let n = text.count
    let times = vocabulary.time.candidates(in: text)
    var timeAt: [Int: TimeMatch] = [:]
    for m in times { timeAt[m.start] = m }
    // cost[i]: (unknown scalars, tokens) of the best cover of text[i...]; choice[i]: its first step.
    var cost = [(Int, Int)](repeating: (0, 0), count: n + 1)
    var choice = [(end: Int, kind: Token.Kind?)](repeating: (0, nil), count: n + 1)
    func better(_ a: (Int, Int), _ b: (Int, Int)) -> Bool { a.0 != b.0 ? a.0 < b.0 : a.1 < b.1 }
    var i = n - 1
    while i >= 0 {
      if text[i] == " " {
        cost[i] = cost[i + 1]
        choice[i] = (i + 1, nil)
        i -= 1
        continue
      }
      // An unmatched step: one scalar (an English word stays whole).
      var e = i + 1
      if Lexicon.isWordScalar(text[i]) { while e < n, Lexicon.isWordScalar(text[e]) { e += 1 } }
      var best = (cost[e].0 + (e - i), cost[e].1 + 1)
      var step: (end: Int, kind: Token.Kind?) = (e, nil)
      func consider(_ end: Int, _ kind: Token.Kind) {
        let c = (cost[end].0, cost[end].1 + 1)
        // Ties go to the longer first phrase (流失风险最高 + 的, not 流失风险 + 最高的).
        if better(c, best) || (c == best && (step.kind == nil || end > step.end)) {
          best = c
          step = (end, kind)
        }
      }
      for (end, ms) in vocabulary.lexicon.matches(in: text, at: i) { consider(end, .word(ms)) }
      if let t = timeAt[i] { consider(t.end, .time(t.expr)) }
      if let (v, end) = Numerals.match(text, at: i) { consider(end, .number(v)) }
      if let (v, end) = Numerals.matchMoney(text, at: i) { consider(end, .money(v)) }
      cost[i] = best
      choice[i] = step
      i -= 1
    }
    var out: [Token] = []
    var pos = 0
    var unknownStart: Int?
    while pos < n {
      let (end, kind) = choice[pos]
      if let kind {
        if let s = unknownStart {
          out.append(Token(kind: .unknown, start: s, end: pos, text: string(text, s, pos)))
          unknownStart = nil
        }
        out.append(Token(kind: kind, start: pos, end: end, text: string(text, pos, end)))
      } else if text[pos] == " " {
        if let s = unknownStart {
          out.append(Token(kind: .unknown, start: s, end: pos, text: string(text, s, pos)))
          unknownStart = nil
        }
      } else if unknownStart == nil {
        unknownStart = pos
      }
      pos = max(end, pos + 1)
    }
    if let s = unknownStart { out.append(Token(kind: .unknown, start: s, end: n, text: string(text, s, n))) }
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

  /// A ranking size from a number: at least 1, at most a million (NaN and infinities included).
  static func rankSize(_ v: Double) -> Int {
    guard v.isFinite else { return 1_000_000 }
    return Int(max(1, min(v.rounded(), 1_000_000)))
  }

  static let defaultTopPhrases: Set<String> = ["top", "前", "排名前", "头部", "排行前", "排前"]
  static let bareGrains: Set<String> = ["天", "周", "月", "day", "days", "week", "weeks", "month", "months", "quarter", "quarters", "year", "years"]

  func fill(_ r: inout Reading) {
    let toks = r.tokens
    var afterGroupCue = false
    var pendingTop: Bool?  // direction of a ranking cue waiting for its number
    var pendingCond: CustomerCondition.Op?
    var lastMeasure: CustomerCondition.Measure?
    /// Whether `lastMeasure` came from a figure word (订单数, orders) rather than a measure word (下单).
    var measureFromFigure = false
    var lastNumber: (value: Double, index: Int)?
    var lastValueDims: Set<DimensionID> = []
    /// Numbers read but not yet given a role (a ranking size, a threshold): reported if none comes.
    var looseNumbers: [Int: String] = [:]

    func meanings(_ t: Token) -> [Meaning] {
      if case .word(let ms) = t.kind { return ms }
      return []
    }
    func nextUnit(_ i: Int) -> CustomerCondition.Measure? {
      guard i + 1 < toks.count else { return nil }
      for m in meanings(toks[i + 1]) { if case .unit(let u) = m { return u } }
      return nil
    }
    /// A measure word just after position `i` (1.5万以上消费).
    func measureAfter(_ i: Int) -> CustomerCondition.Measure? {
      for j in (i + 1)..<min(toks.count, i + 3) {
        // 大于500的订单(数): a bare amount before 订单 is the order's amount.
        if meanings(toks[j]).contains(.metric(.orders)) { return .amount }
        for m in meanings(toks[j]) {
          if case .measure(let x) = m { return x }
          if case .unit(let x) = m { return x }
        }
      }
      return nil
    }
    func addCondition(_ op: CustomerCondition.Op, _ v: Double, unit: CustomerCondition.Measure?, at i: Int = -1) {
      // The unit, else a measure word, else amounts of 100 or more are money, else orders.
      // orders over 500: a bare number after the figure "orders" is an order amount.
      let figureAmount: CustomerCondition.Measure? = unit == nil && measureFromFigure && lastMeasure == .orders && !r.mentionsCustomer ? .amount : nil
      let measure = unit ?? figureAmount ?? lastMeasure ?? (i >= 0 ? measureAfter(i) : nil) ?? (v >= 100 ? .spend : .orders)
      if measure == .amount {
        r.orderConditions.append(OrderPredicate(op, v))
      } else {
        r.conditions.append(CustomerCondition(measure, op, v))
      }
    }

    var consumed = readAges(&r)
    consumed.formUnion(readRanges(&r, skipping: consumed))
    var i = 0
    while i < toks.count {
      let t = toks[i]
      defer { i += 1 }
      if consumed.contains(i) { continue }
      switch t.kind {
      case .time(let e):
        r.times.append(e)
        afterGroupCue = false
      case .unknown:
        r.unknown.append(t.text)
      case .money(let v):
        // An amount of money: a threshold on spend, with its condition before or after it.
        if let op = pendingCond {
          addCondition(op, v, unit: .spend)
          pendingCond = nil
        } else if i + 1 < toks.count, case .condition(let op)? = meanings(toks[i + 1]).first(where: { if case .condition = $0 { return true }; return false }) {
          addCondition(op, v, unit: .spend)
          i += 1
        } else {
          r.unknown.append(t.text)
        }
      case .number(let v) where i + 1 < toks.count && meanings(toks[i + 1]).contains(.monthsAfter)
        || i > 0 && meanings(toks[i - 1]).contains(.ordinalPrefix) && i + 1 < toks.count && meanings(toks[i + 1]).contains(.monthsAfter):
        // 第3个月, 3个月后, month 3 … after: the k-th month after the cohort month.
        r.monthsAfter = Int(max(0, min(v, 120)))
        r.cohort = true
        i += 1
      case .number(let v):
        let unit = nextUnit(i)
        if let op = pendingCond {
          addCondition(op, v, unit: unit, at: i)
          pendingCond = nil
          if unit != nil { i += 1 }
        } else if let desc = pendingTop {
          r.ranking = (QuestionParser.rankSize(v), desc)
          r.rankingExplicit = true
          pendingTop = nil
        } else if let u = unit, i + 2 < toks.count, meanings(toks[i + 2]).contains(where: { if case .condition = $0 { return true }; return false }) {
          // 3次以上 / 5000元以上: the condition follows the number.
          if case .condition(let op) = meanings(toks[i + 2]).first(where: { if case .condition = $0 { return true }; return false }) {
            addCondition(op, v, unit: u, at: i + 2)
          }
          i += 2
        } else if i + 1 < toks.count, meanings(toks[i + 1]).contains(where: { if case .condition = $0 { return true }; return false }) {
          if case .condition(let op) = meanings(toks[i + 1]).first(where: { if case .condition = $0 { return true }; return false }) {
            addCondition(op, v, unit: nil, at: i + 1)
          }
          i += 1
        } else {
          lastNumber = (v, i)
          looseNumbers[i] = t.text
        }
      case .word(let all):
        // Analysis words apply beside the phrase's other meanings (Reading+Analysis.swift).
        let ms = r.analysis.take(all, number: lastNumber.map { n in n.index == i - 1 ? n.value : nil } ?? nil)
        if ms.isEmpty {
          if r.analysis.clusterCount != nil, let n = lastNumber, n.index == i - 1 { looseNumbers[n.index] = nil }
          continue
        }
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
          if namesCustomers(t.text) { r.mentionsCustomer = true }
          continue
        }
        defer { if case .dimension = chosen {} else { lastValueDims = [] } }
        // Readings that never conflict all apply (下个月: the month after a cohort, and a horizon).
        for m in ms {
          if case .horizon(let d) = m { r.horizonDays = d }
          if case .ordinalNext = m { r.monthsAfter = 1 }
        }
        if case .metric = chosen {
          for case .cue(let c) in ms where c == .best || c == .worst {
            if r.ranking == nil { r.ranking = (1, c == .best) }
          }
        }
        switch chosen {
        case .metric(let m):
          if !r.metrics.contains(m) { r.metrics.append(m) }
          r.metricTokens.append((m, i))
          if let measure = ms.compactMap({ m -> CustomerCondition.Measure? in if case .measure(let x) = m { return x }; return nil }).first {
            lastMeasure = measure
            measureFromFigure = false
          } else if m == .orders {
            lastMeasure = .orders
            measureFromFigure = true
          } else if m == .sales {
            lastMeasure = .spend
            measureFromFigure = true
          }
          afterGroupCue = false
        case .entityCustomer:
          r.mentionsCustomer = true
          if afterGroupCue || pendingTop != nil { r.groupBy.append(.customer) }
          afterGroupCue = false
        case .dimension(let d):
          if r.language == .en, t.text.hasSuffix("s"), !t.text.hasSuffix("ss") { r.plural = true }
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
          measureFromFigure = false
          r.measures.append(m)
        case .unit:
          break
        case .condition(let op):
          if let n = lastNumber, n.index == i - 1 {
            addCondition(op, n.value, unit: nil, at: i)
            looseNumbers[n.index] = nil
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
          case .whichPlural:
            r.which = true
            r.plural = true
            afterGroupCue = true
          case .and: r.andTokens.append(i)
          case .compare: r.compare = true
          case .difference: r.difference = true
          case .merge: r.merge = true
          case .link: break
          case .bestCustomers:
            r.mentionsCustomer = true
            if r.ranking == nil { r.ranking = (nil, true) }
            if !r.groupBy.contains(.customer) { r.groupBy.append(.customer) }
          case .top, .bottom:
            let desc = c == .top
            if i + 1 < toks.count, case .number = toks[i + 1].kind {
              pendingTop = desc
            } else if let n = lastNumber, n.index == i - 1 {
              r.ranking = (QuestionParser.rankSize(n.value), desc)
              r.rankingExplicit = true
              looseNumbers[n.index] = nil
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
          case .comparePrevious, .compareYear:
            r.comparison = c == .compareYear ? .yearOverYear : .previousPeriod
            let w = t.text
            if w.contains("week") || w.contains("周") || w.contains("wow") { r.compareUnit = .week }
            else if w.contains("quarter") || w.contains("季") || w.contains("qoq") { r.compareUnit = .quarter }
            else if w.contains("month") || w.contains("月") || w.contains("mom") { r.compareUnit = .month }
          case .growth: r.growth = true
          case .share: r.share = true
          case .trend: r.trend = true
          case .followUp: r.followUp = true
          case .predict: r.predict = true
          case .bestSelling:
            r.bestSelling = true
            if r.ranking == nil { r.ranking = (1, true) }
          }
        case .chart(let c): r.chart = c
        case .horizon(let d): r.horizonDays = d
        case .ordinalNext: r.monthsAfter = 1
        case .ordinalPrefix, .monthsAfter: break
        case .cohortFirst: r.cohort = true
        case .kinds(let sets):
          // 新老客: each kind as if it had been named (a figure beside them stacks them).
          for set in sets {
            guard let m = QuestionParser.kindMetrics.first(where: { $0.value == set })?.key else {
              // A kind with no count of its own (逾期未复购的客户): it qualifies what is asked.
              if !r.customerKinds.contains(set) { r.customerKinds.append(set) }
              continue
            }
            if !r.metrics.contains(m) { r.metrics.append(m) }
            r.metricTokens.append((m, i))
          }
          r.mentionsCustomer = true
        case .ageUnit, .agePrefix: r.unknown.append(t.text)  // an age word without its number
        case .topicWord(let name): if !r.topics.contains(name) { r.topics.append(name) }
        case .unsupported(let id):
          if id == "negation" { r.negations.append(t.text) } else { r.unsupported.append(t.text) }
        case .filler, .value, .analysis: break
        }
      }
    }
    // "the 5 cities with the lowest …", "10个客户": a number before what is ranked sizes the ranking.
    if let rk = r.ranking, rk.limit == nil || rk.limit == 1 {
      for (idx, _) in looseNumbers.sorted(by: { $0.key < $1.key }) where idx + 1 < toks.count {
        var j = idx + 1
        while j + 1 < toks.count, meanings(toks[j]) == [.filler] { j += 1 }  // 20个客户, 10位会员
        let next = meanings(toks[j])
        let isNoun = next.contains(.entityCustomer) || next.contains { if case .dimension = $0 { return true }; return false }
        if isNoun, case .number(let v) = toks[idx].kind, v >= 1, v == v.rounded() {
          r.ranking = (QuestionParser.rankSize(v), rk.descending)
          r.rankingExplicit = true
          looseNumbers[idx] = nil
          break
        }
      }
    }
    for (_, text) in looseNumbers.sorted(by: { $0.key < $1.key }) { r.unknown.append(text) }
    qualifyFigures(&r)
    if r.which && r.mentionsCustomer && r.ranking == nil && !r.groupBy.contains(.customer) { r.wantsList = true }
  }

  /// Metrics that are counts of a kind of customer: beside another figure, the kind
  /// qualifies that figure (老客的销售额 = the sales of returning customers).
  public static let kindMetrics: [MetricID: CustomerSet] = [
    .newCustomers: .new, .returningCustomers: .returning, .repeatCustomers: .repeatBuyers,
    .highRepurchaseCustomers: .highRepurchase, .activeCustomers: .active, .atRiskCustomers: .atRisk, .churnedCustomers: .churned,
  ]

  /// A kind of customer named beside a figure qualifies it, unless an "and" joins the two
  /// with nothing else between (新客数和销售额: two figures).
  func qualifyFigures(_ r: inout Reading) {
    // 订单的销售额 / 金额大于500的订单的销售额: 订单 names what is counted, the figure follows.
    for t in r.metricTokens where t.metric == .orders && r.tokens[t.index].text == "订单" {
      if r.metricTokens.contains(where: { $0.index > t.index && $0.metric != .orders && QuestionParser.kindMetrics[$0.metric] == nil }) {
        r.metrics.removeAll { $0 == .orders }
        r.metricTokens.removeAll { $0.index == t.index }
      }
    }
    let figures = r.metricTokens.filter { QuestionParser.kindMetrics[$0.metric] == nil }
    let kinds = r.metricTokens.filter { QuestionParser.kindMetrics[$0.metric] != nil }
    guard !figures.isEmpty, !kinds.isEmpty else { return }
    for k in kinds {
      let joined = figures.contains { f in
        let (a, b) = (min(f.index, k.index), max(f.index, k.index))
        return r.andTokens.contains { $0 > a && $0 < b } && !r.metricTokens.contains { $0.index > a && $0.index < b }
      }
      // 复购率 and 复购客户数 side by side stay two figures; a kind joined to a figure stays a figure.
      if joined { continue }
      guard let set = QuestionParser.kindMetrics[k.metric] else { continue }
      if !r.customerKinds.contains(set) { r.customerKinds.append(set) }
      r.metrics.removeAll { $0 == k.metric }
    }
  }

  /// Ranges of a customer's own figures: 消费1000到5000元, 下单3到5次, spent 1000 to 5000
  /// (both ends inclusive). Returns the token indices read.
  func readRanges(_ r: inout Reading, skipping: Set<Int>) -> Set<Int> {
    let toks = r.tokens
    var used = Set<Int>()
    func meanings(_ j: Int) -> [Meaning] {
      guard j >= 0, j < toks.count, case .word(let ms) = toks[j].kind else { return [] }
      return ms
    }
    func amount(_ j: Int) -> (Double, Bool)? {
      guard j >= 0, j < toks.count, !skipping.contains(j) else { return nil }
      switch toks[j].kind {
      case .number(let v): return (v, false)
      case .money(let v): return (v, true)
      default: return nil
      }
    }
    func unit(_ j: Int) -> CustomerCondition.Measure? {
      for m in meanings(j) { if case .unit(let u) = m { return u } }
      return nil
    }
    func measure(_ j: Int) -> CustomerCondition.Measure? {
      for m in meanings(j) {
        if case .measure(let x) = m { return x }
        if case .metric(let x) = m, x == .sales { return .spend }
      }
      return nil
    }
    let separators: Set<String> = ["到", "至", "-", "~", "～", "—", "–", "to", "and", "through"]
    var i = 0
    while i + 2 < toks.count {
      defer { i += 1 }
      guard let (a, aMoney) = amount(i), separators.contains(toks[i + 1].text), let (b, bMoney) = amount(i + 2) else { continue }
      let u = unit(i + 3)
      // The measure stands right before the range (消费1000到5000, spent between 1000 and 5000)
      // or its unit right after (3到5次); a bare range next to a figure is not a condition.
      let before = measure(i - 1) ?? (i >= 1 && toks[i - 1].text == "between" ? measure(i - 2) : nil)
      let m: CustomerCondition.Measure? = (aMoney || bMoney) ? .spend : (u ?? before)
      guard let m, m != .amount || u == nil else { continue }
      let (lo, hi) = (min(a, b), max(a, b))
      if m == .amount {
        r.orderConditions += [OrderPredicate(.ge, lo), OrderPredicate(.le, hi)]
      } else {
        r.conditions += [CustomerCondition(m, .ge, lo), CustomerCondition(m, .le, hi)]
      }
      used.formUnion([i, i + 1, i + 2])
      if u != nil { used.insert(i + 3) }
      i += 2
    }
    return used
  }

  /// Ages: 25到34岁, 35-44岁, 50岁以上, 25岁以下, aged 25 to 34, over 50 years old. Returns
  /// the token indices read (so the main pass skips them).
  func readAges(_ r: inout Reading) -> Set<Int> {
    let toks = r.tokens
    var used = Set<Int>()
    func meanings(_ j: Int) -> [Meaning] {
      guard j >= 0, j < toks.count, case .word(let ms) = toks[j].kind else { return [] }
      return ms
    }
    func number(_ j: Int) -> Int? {
      guard j >= 0, j < toks.count, case .number(let v) = toks[j].kind, v >= 0, v < 150, v == v.rounded() else { return nil }
      return Int(v)
    }
    func isUnit(_ j: Int) -> Bool { meanings(j).contains(.ageUnit) }
    func isPrefix(_ j: Int) -> Bool { meanings(j).contains(.agePrefix) }
    func op(_ j: Int) -> CustomerCondition.Op? {
      for m in meanings(j) { if case .condition(let o) = m { return o } }
      return nil
    }
    let separators: Set<String> = ["到", "至", "-", "~", "～", "—", "–", "to", "and", "through"]
    func isSeparator(_ j: Int) -> Bool { j >= 0 && j < toks.count && separators.contains(toks[j].text) }
    var i = 0
    while i < toks.count {
      defer { i += 1 }
      guard let a = number(i), !used.contains(i) else { continue }
      // A range: [aged] A (到|-|to) B [岁|years old]
      if isSeparator(i + 1), let b = number(i + 2), isUnit(i + 3) || isPrefix(i - 1) {
        r.ages.append((min(a, b), max(a, b)))
        used.formUnion([i, i + 1, i + 2])
        if isUnit(i + 3) { used.insert(i + 3) }
        if isPrefix(i - 1) { used.insert(i - 1) }
        continue
      }
      guard isUnit(i + 1) || isPrefix(i - 1) else { continue }
      let unitAt = isUnit(i + 1) ? i + 1 : i
      used.insert(i)
      if isUnit(i + 1) { used.insert(i + 1) }
      if isPrefix(i - 1) { used.insert(i - 1) }
      // 50岁以上 (≥ 50), 25岁以下 (< 25): semantics.md "Ranges".
      if let o = op(unitAt + 1) {
        used.insert(unitAt + 1)
        switch o {
        case .ge, .gt: r.ages.append((o == .gt ? a + 1 : a, nil))
        case .le, .lt: r.ages.append((nil, a - 1))
        case .eq: r.ages.append((a, a))
        }
      } else if let o = op(i - 1) ?? op(i - 2) {
        used.insert(op(i - 1) != nil ? i - 1 : i - 2)
        switch o {
        case .ge: r.ages.append((a, nil))
        case .gt: r.ages.append((a + 1, nil))
        case .le: r.ages.append((nil, a))
        case .lt: r.ages.append((nil, a - 1))
        case .eq: r.ages.append((a, a))
        }
      } else {
        r.ages.append((a, a))
      }
    }
    if !r.ages.isEmpty { r.mentionsCustomer = true }
    return used
  }

  func isDimension(_ t: Token) -> Bool {
    if case .word(let ms) = t.kind { return ms.contains { if case .dimension = $0 { return true }; return false } }
    return false
  }
}
