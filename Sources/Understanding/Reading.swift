// A reading of a question: what its words say, before today and the data resolve it.
//
// The parser fills a `Reading` from the tokens; Planning turns it into a `Plan`. A reading
// keeps the words it could not understand so that they are reported, never dropped.

import QueryModel

/// One scanned piece of a question.
public struct Token: Hashable, Sendable {
  public enum Kind: Hashable, Sendable {
    case time(TimeExpr)
    case number(Double)
    case word([Meaning])
    case unknown
  }
  public var kind: Kind
  public var start: Int
  public var end: Int
  public var text: String
}

public struct Reading: Sendable {
  public var question: String
  public var normalized: String
  public var language: Language
  public var tokens: [Token] = []
  public var metrics: [MetricID] = []
  public var times: [TimeExpr] = []
  public var groupBy: [DimensionID] = []
  public var grain: TimeUnit?
  /// Each filter value with the dimensions it may belong to (门店: channel or source channel).
  public var values: [[(DimensionID, String)]] = []
  /// Dimensions named next to a value (华东地区): they pick the value's dimension, no grouping.
  public var namedDimensions: Set<DimensionID> = []
  public var segments: [String] = []
  public var topics: [String] = []
  /// A ranking: limit (nil = the cue's default) and direction.
  public var ranking: (limit: Int?, descending: Bool)?
  public var wantsList = false
  public var wantsCount = false
  public var comparison: Comparison?
  public var growth = false
  public var share = false
  public var trend = false
  public var chart: String?
  public var conditions: [CustomerCondition] = []
  public var cohort = false
  public var monthsAfter: Int?
  public var mentionsCustomer = false
  public var which = false
  /// Text that matched nothing in the grammar or the data.
  public var unknown: [String] = []

  public init(question: String, normalized: String, language: Language) {
    self.question = question
    self.normalized = normalized
    self.language = language
  }
}
