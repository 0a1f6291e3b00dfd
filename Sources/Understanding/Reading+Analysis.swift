// The words of the deeper analyses (grammars/analysis) and what a question says with them:
// which analysis, bought together "in the same order", the funnel steps named, the number of
// clusters. These words are side meanings: a phrase that also means something else (下单 is a
// measure and a funnel step) keeps that meaning too, and the planner uses the analysis only
// when one was asked for (Planner+Analysis.swift).

import Grammar
import QueryModel

/// One analysis word of the grammar.
public enum AnalysisWord: Hashable, Sendable {
  case ask(String)  // bought_together, funnel, clusters, sentiment, negative_topics
  case sameOrder
  case clusterUnit
  case filler
  case step(FunnelStep)

  static let asks: Set<String> = ["bought_together", "funnel", "clusters", "sentiment", "negative_topics"]

  init(rule r: Rule) throws {
    switch r.kind {
    case "analysis":
      guard AnalysisWord.asks.contains(r.id) else {
        throw GrammarError(r.location, "unknown analysis “\(r.id)”; analyses: \(AnalysisWord.asks.sorted().joined(separator: ", "))")
      }
      self = .ask(r.id)
    case "step":
      guard let s = FunnelStep(rawValue: r.id) else {
        throw GrammarError(r.location, "unknown funnel step “\(r.id)”; steps: \(FunnelStep.allCases.map(\.rawValue).joined(separator: ", "))")
      }
      self = .step(s)
    default:
      switch r.id {
      case "same_order": self = .sameOrder
      case "cluster_unit": self = .clusterUnit
      case "filler": self = .filler
      default: throw GrammarError(r.location, "unknown analysis option “\(r.id)” (same_order, cluster_unit, filler)")
      }
    }
  }
}

extension AnalysisWord: CustomStringConvertible {
  /// In the grammar's own words (`analysis funnel`, `step pay`).
  public var description: String {
    switch self {
    case .ask(let a): return "analysis \(a)"
    case .sameOrder: return "analysisopt same_order"
    case .clusterUnit: return "analysisopt cluster_unit"
    case .filler: return "analysisopt filler"
    case .step(let s): return "step \(s.rawValue)"
    }
  }
}

/// What a question says with analysis words.
public struct AnalysisReading: Sendable, Hashable {
  /// The analysis asked for (the last one named wins).
  public var ask: String?
  public var sameOrder = false
  /// Funnel steps in the order the question names them.
  public var steps: [FunnelStep] = []
  /// 分成5类: the number before a cluster unit.
  public var clusterCount: Int?
  public init() {}

  /// Words that only make sense with an analysis were said (同一订单, 分成5类).
  public var hasOptions: Bool { sameOrder || clusterCount != nil }

  /// A follow-up's analysis words over the previous question's (那买数码的呢 keeps bought
  /// together; 那同一订单呢 switches it to orders; a follow-up naming a figure leaves the analysis).
  public func merged(onto old: AnalysisReading, figureNamed: Bool) -> AnalysisReading {
    if figureNamed && ask == nil { return AnalysisReading() }
    if let a = ask, a != old.ask { return self }
    var r = old
    if sameOrder { r.sameOrder = true }
    if !steps.isEmpty { r.steps = steps }
    if let k = clusterCount { r.clusterCount = k }
    return r
  }

  /// Records the analysis meanings of a phrase and returns its other meanings.
  /// `number` is a number just before the phrase (for 5类).
  mutating func take(_ ms: [Meaning], number: Double?) -> [Meaning] {
    var rest: [Meaning] = []
    for m in ms {
      guard case .analysis(let w) = m else {
        rest.append(m)
        continue
      }
      switch w {
      case .ask(let a): ask = a
      case .sameOrder: sameOrder = true
      case .step(let s): steps.append(s)
      case .clusterUnit:
        if let n = number, n.isFinite, n >= 1, n == n.rounded() { clusterCount = Int(min(n, 1000)) }
      case .filler: break
      }
    }
    return rest
  }
}

extension AnalysisGrammar {
  /// Adds a `sentiment positive|negative|negator|contrast: …` or `eventtype STEP: …` rule.
  mutating func add(_ r: Rule) throws {
    if r.kind == "eventtype" {
      guard let s = FunnelStep(rawValue: r.id) else {
        throw GrammarError(r.location, "unknown funnel step “\(r.id)”; steps: \(FunnelStep.allCases.map(\.rawValue).joined(separator: ", "))")
      }
      for p in r.phrases { eventSteps[p.lowercased()] = s }
      return
    }
    switch r.id {
    case "positive": sentiment.positive += r.phrases
    case "negative": sentiment.negative += r.phrases
    case "negator": sentiment.negators += r.phrases
    case "contrast": sentiment.contrasts += r.phrases
    case "neutral": sentiment.neutral += r.phrases
    default: throw GrammarError(r.location, "unknown sentiment list “\(r.id)” (positive, negative, negator, contrast, neutral)")
    }
  }
}
