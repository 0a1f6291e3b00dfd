// The deeper loyalty analyses of semantics.md "Baskets, paths, clusters and comment sentiment":
// bought together, funnels, clusters and comment sentiment. A plan carries at most one
// `Analysis`; its period, customer filters and groupings stay in the plan itself.
//
// Also the grammar data these analyses read at execution: the sentiment lexicon and which
// event-type values of the data are which funnel step (grammars/sentiment, grammars/analysis).

/// A funnel step, in funnel order.
public enum FunnelStep: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
  case view, cart, order, pay

  public var index: Int { FunnelStep.allCases.firstIndex(of: self)! }
  public static func < (a: FunnelStep, b: FunnelStep) -> Bool { a.index < b.index }

  public func title(_ lang: Language) -> String {
    switch (self, lang) {
    case (.view, .zh): return "浏览"
    case (.cart, .zh): return "加购"
    case (.order, .zh): return "下单"
    case (.pay, .zh): return "支付"
    case (.view, .en): return "view"
    case (.cart, .en): return "add to cart"
    case (.order, .en): return "order"
    case (.pay, .en): return "pay"
    }
  }
}

public struct Analysis: Hashable, Sendable, Codable {
  public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
    /// 买了A的还买了什么: co-buyers, confidence and lift of every other product or category.
    case boughtTogether = "bought_together"
    /// 转化漏斗: customers reaching each step of the events.
    case funnel
    /// 客户聚类: k-means on standardised log1p R, F, M.
    case clusters
    /// 评论情感 / 好评率: comments positive, negative or mixed/neutral by the lexicon.
    case sentiment
  }
  public var kind: Kind
  /// Bought together: the product or category bought (dimension .product or .category, one value).
  public var anchor: Filter?
  /// Bought together "in the same order" (同一订单) rather than by the same customer.
  public var sameOrder: Bool = false
  /// Bought together: rows shown.
  public var limit: Int = 10
  /// Funnel: the steps, in order (all four by default; two when the question names two).
  public var steps: [FunnelStep] = FunnelStep.allCases
  /// Clusters: k.
  public var clusters: Int = 4
  /// Sentiment: answer the negative comments' topics instead of the shares.
  public var negativeTopics: Bool = false

  public init(kind: Kind) { self.kind = kind }
}

/// A sentiment lexicon (grammars/sentiment/*.rules).
public struct SentimentLexicon: Hashable, Sendable {
  public var positive: [String] = []
  public var negative: [String] = []
  /// 不, 没, 没有, 不太: turn the polarity of the phrase right after them.
  public var negators: [String] = []
  /// 但, 但是, 不过, 可是: the clause after them weighs more.
  public var contrasts: [String] = []
  /// Read as a whole, with no polarity (快递 is not 快).
  public var neutral: [String] = []
  public init() {}
  public var isEmpty: Bool { positive.isEmpty && negative.isEmpty }
}

/// Grammar data the analyses read when they run.
public struct AnalysisGrammar: Hashable, Sendable {
  public var sentiment = SentimentLexicon()
  /// Event-type values of the data (lowercased) → funnel step.
  public var eventSteps: [String: FunnelStep] = [:]
  public init() {}
}

extension Analysis: CustomStringConvertible {
  /// The plan-line form: `analysis=bought_together:category:母婴 level=order top=10`.
  public var description: String {
    var s = "analysis=\(kind.rawValue)"
    switch kind {
    case .boughtTogether:
      if let a = anchor { s += ":\(a.dimension.rawValue):" + a.values.joined(separator: ",") }
      if sameOrder { s += " level=order" }
      s += " limit=\(limit)"
    case .funnel:
      s += " steps=" + steps.map(\.rawValue).joined(separator: ",")
    case .clusters:
      s += " k=\(clusters)"
    case .sentiment:
      if negativeTopics { s += " negative_topics" }
    }
    return s
  }
}
