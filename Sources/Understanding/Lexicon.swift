// The lexicon: every phrase of the grammar and every value of the loaded data, in a trie
// over unicode scalars, scanned at every position of a question (longest match first).

import Grammar
import QueryModel

/// What a matched phrase can mean. A phrase may have several meanings (门店 is an order
/// channel and a source channel); the parser picks by context.
public enum Meaning: Hashable, Sendable {
  case metric(MetricID)
  case entityCustomer
  case dimension(DimensionID)
  case value(DimensionID, String)
  case segment(String)
  case measure(CustomerCondition.Measure)
  case unit(CustomerCondition.Measure)
  case cue(Cue)
  case chart(String)
  case condition(CustomerCondition.Op)
  case grain(TimeUnit)
  /// 下个月, next quarter: how far ahead a prediction looks, in days.
  case horizon(Int)
  case ordinalNext
  /// 第 (before a number): the number is an ordinal (第3个月).
  case ordinalPrefix
  /// 个月后 / months after (after a number): months after the cohort month.
  case monthsAfter
  case cohortFirst
  /// 新老客 / new and returning customers: several kinds of customer at once.
  case kinds([CustomerSet])
  /// 岁 / years old: the number before it is an age.
  case ageUnit
  /// aged / ages: the numbers after it are ages.
  case agePrefix
  case topicWord(String)
  case filler
  /// A figure Wenshu does not compute (中位数, profit): refused with a clear message.
  case unsupported(String)
  /// Words of the deeper analyses (grammars/analysis): they apply beside any other meaning
  /// of the phrase (Reading+Analysis.swift).
  case analysis(AnalysisWord)
}

/// Question-shape cues (grammars/questions).
public enum Cue: String, Hashable, Sendable, CaseIterable {
  case group, top, bottom, best, worst, rank, list, which, count
  case comparePrevious = "compare_previous"
  case compareYear = "compare_year"
  case growth, share, trend
  /// 那…呢, 换成, what about: the question changes the previous one.
  case followUp = "followup"
  /// 卖得最好 / best-selling: the top group by sales unless units are named.
  case bestSelling = "bestselling"
  /// 预计 / predicted: the figure is a model prediction.
  case predict
  /// 哪些 / which (plural): every group, ranked.
  case whichPlural = "which_plural"
  /// 和 / and: joins two values, periods or figures.
  case and
  /// 对比 / vs: an explicit comparison of two periods or two values.
  case compare
  /// 高多少 / how much higher: the difference A − B.
  case difference
  /// 合计 / combined: several values merged into one figure.
  case merge
  /// 贡献 / 带来的: a kind of customer qualifies the figure that follows.
  case link
  /// 最好的客户 / 大客户 / best customers: customers ranked by sales.
  case bestCustomers = "best_customers"
}

/// A trie over unicode scalars.
/// - Complexity: lookup O(length of the longest match).
public struct Lexicon: Sendable {
  struct Node: Sendable {
    var next: [UInt32: Int32] = [:]
    var meanings: [Meaning] = []
    var phrase: String?
  }
  var nodes: [Node] = [Node()]
  /// Every phrase with the rule that wrote it (for lint and completion).
  public private(set) var phrases: [String: String] = [:]

  public init() {}

  public mutating func add(_ phrase: String, _ meaning: Meaning, rule: String = "") {
    var n = 0
    for s in phrase.unicodeScalars {
      let v = s.value
      if let c = nodes[n].next[v] {
        n = Int(c)
      } else {
        nodes.append(Node())
        let c = Int32(nodes.count - 1)
        nodes[n].next[v] = c
        n = Int(c)
      }
    }
    if !nodes[n].meanings.contains(meaning) { nodes[n].meanings.append(meaning) }
    nodes[n].phrase = phrase
    phrases[phrase] = rule
  }

  static func isWordScalar(_ s: Unicode.Scalar) -> Bool {
    let v = s.value
    return (v >= 0x61 && v <= 0x7A) || (v >= 0x30 && v <= 0x39) || v == 0x5F
  }

  /// The longest phrase starting at `i` whose ends respect English word boundaries.
  public func longest(in text: [Unicode.Scalar], at i: Int) -> (end: Int, meanings: [Meaning])? {
    var n = 0
    var j = i
    var best: (Int, [Meaning])?
    let startsWord = Lexicon.isWordScalar(text[i])
    if startsWord, i > 0, Lexicon.isWordScalar(text[i - 1]), isLetter(text[i]) || isLetter(text[i - 1]) { return nil }
    while j < text.count, let c = nodes[n].next[text[j].value] {
      n = Int(c)
      j += 1
      if !nodes[n].meanings.isEmpty {
        let endsWord = Lexicon.isWordScalar(text[j - 1])
        if endsWord, j < text.count, Lexicon.isWordScalar(text[j]), isLetter(text[j]) || isLetter(text[j - 1]) { continue }
        best = (j, nodes[n].meanings)
      }
    }
    return best
  }

  /// Every phrase starting at `i` (shortest first), with the same word-boundary rules.
  public func matches(in text: [Unicode.Scalar], at i: Int) -> [(end: Int, meanings: [Meaning])] {
    var out: [(Int, [Meaning])] = []
    var n = 0
    var j = i
    if Lexicon.isWordScalar(text[i]), i > 0, Lexicon.isWordScalar(text[i - 1]), isLetter(text[i]) || isLetter(text[i - 1]) { return [] }
    while j < text.count, let c = nodes[n].next[text[j].value] {
      n = Int(c)
      j += 1
      if !nodes[n].meanings.isEmpty {
        if Lexicon.isWordScalar(text[j - 1]), j < text.count, Lexicon.isWordScalar(text[j]), isLetter(text[j]) || isLetter(text[j - 1]) { continue }
        out.append((j, nodes[n].meanings))
      }
    }
    return out
  }

  @inline(__always) func isLetter(_ s: Unicode.Scalar) -> Bool { s.value >= 0x61 && s.value <= 0x7A }
}
