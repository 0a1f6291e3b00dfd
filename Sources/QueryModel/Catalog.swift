// What the loaded data can answer, as planning sees it (no storage types here).

public struct Catalog: Sendable {
  public var dimensions: Set<DimensionID>
  public var hasFeedback: Bool
  public var hasItems: Bool
  public var hasCustomerTable: Bool
  public var dataRange: DateRange?
  /// An events table (clickstream) is loaded: funnels can be answered.
  public var hasEvents = false

  public init(dimensions: Set<DimensionID>, hasFeedback: Bool, hasItems: Bool, hasCustomerTable: Bool, dataRange: DateRange?) {
    self.dimensions = dimensions
    self.hasFeedback = hasFeedback
    self.hasItems = hasItems
    self.hasCustomerTable = hasCustomerTable
    self.dataRange = dataRange
  }
}

/// A question that cannot be answered, with what the user could ask instead.
public struct Refusal: Error, Sendable, CustomStringConvertible {
  public var message: String
  /// Whole questions that can be asked instead, closest first.
  public var suggestions: [String]
  /// The words of the question that were not understood (the façade offers rewrites of them).
  public var words: [String]
  /// Words understood but not combinable with the rest (the façade offers the question without them).
  public var uncombined: [String]
  public init(_ message: String, suggestions: [String] = [], words: [String] = [], uncombined: [String] = []) {
    self.message = message
    self.suggestions = suggestions
    self.words = words
    self.uncombined = uncombined
  }
  public var description: String { message }
}
