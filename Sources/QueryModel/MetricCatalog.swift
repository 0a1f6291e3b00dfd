// The metric catalog: metrics declared as data in grammars/metrics/catalog.rules, each a
// formula over base measures with its format and names. The cube executor and the SQL
// compiler both evaluate the same formula, so a new ratio is a catalog entry and its words,
// never Swift.
//
//     formula discount_rate rate: sum(discount) / (sales + sum(discount))
//     title discount_rate: 折扣率 | discount rate
//     define discount_rate: 折扣额 ÷ (销售额 + 折扣额) | discount ÷ (sales + discount)

import Foundation

/// An expression over base measures.
public indirect enum Formula: Hashable, Sendable, Codable, CustomStringConvertible {
  case number(Double)
  /// A built-in figure of the same rows (sales, orders, buyers …).
  case metric(MetricID)
  /// The sum of an order column by its role (discount, quantity, amount).
  case sum(String)
  /// Over customers with at least two orders in the period: the mean of
  /// (last order day − first order day) ÷ (orders − 1).
  case meanInterval
  case add(Formula, Formula)
  case subtract(Formula, Formula)
  case multiply(Formula, Formula)
  case divide(Formula, Formula)

  public var description: String {
    switch self {
    case .number(let v): return v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
    case .metric(let m): return m.rawValue
    case .sum(let c): return "sum(\(c))"
    case .meanInterval: return "mean_interval"
    case .add(let a, let b): return "(\(a) + \(b))"
    case .subtract(let a, let b): return "(\(a) - \(b))"
    case .multiply(let a, let b): return "\(a) * \(b)"
    case .divide(let a, let b): return "\(a) / \(b)"
    }
  }

  /// Order columns the formula sums (the data must have them).
  public var columns: Set<String> {
    switch self {
    case .sum(let c): return [c]
    case .add(let a, let b), .subtract(let a, let b), .multiply(let a, let b), .divide(let a, let b): return a.columns.union(b.columns)
    default: return []
    }
  }

  public var usesInterval: Bool {
    switch self {
    case .meanInterval: return true
    case .add(let a, let b), .subtract(let a, let b), .multiply(let a, let b), .divide(let a, let b): return a.usesInterval || b.usesInterval
    default: return false
    }
  }

  /// Built-in figures the formula reads.
  public var metrics: [MetricID] {
    switch self {
    case .metric(let m): return [m]
    case .add(let a, let b), .subtract(let a, let b), .multiply(let a, let b), .divide(let a, let b): return a.metrics + b.metrics
    default: return []
    }
  }

  /// The value, given the base measures; nil when a part is missing or a divisor is 0.
  public func evaluate(metric: (MetricID) -> Double?, sum: (String) -> Double?, interval: () -> Double?) -> Double? {
    func ev(_ f: Formula) -> Double? {
      switch f {
      case .number(let v): return v
      case .metric(let m): return metric(m)
      case .sum(let c): return sum(c)
      case .meanInterval: return interval()
      case .add(let a, let b): return ev(a).flatMap { x in ev(b).map { x + $0 } }
      case .subtract(let a, let b): return ev(a).flatMap { x in ev(b).map { x - $0 } }
      case .multiply(let a, let b): return ev(a).flatMap { x in ev(b).map { x * $0 } }
      case .divide(let a, let b):
        guard let x = ev(a), let y = ev(b), y != 0 else { return nil }
        return x / y
      }
    }
    return ev(self)
  }

  /// Parses `sum(discount) / (sales + sum(discount))`; `known` says which names are metrics.
  public static func parse(_ text: String, known: @escaping (String) -> MetricID?) throws -> Formula {
    var p = FormulaParser(scalars: Array(text.unicodeScalars), known: known)
    let f = try p.expression()
    p.skipSpaces()
    guard p.pos == p.scalars.count else { throw FormulaError("unexpected “\(p.rest)”") }
    return f
  }
}

public struct FormulaError: Error, CustomStringConvertible, Sendable {
  public var message: String
  init(_ m: String) { message = m }
  public var description: String { message }
}

/// Recursive descent over + − × ÷, parentheses, numbers, `sum(column)`, `mean_interval` and metric ids.
struct FormulaParser {
  var scalars: [Unicode.Scalar]
  var known: (String) -> MetricID?
  var pos = 0

  var rest: String { String(String.UnicodeScalarView(scalars[pos...])) }

  mutating func skipSpaces() { while pos < scalars.count, scalars[pos] == " " { pos += 1 } }

  mutating func peek() -> Unicode.Scalar? {
    skipSpaces()
    return pos < scalars.count ? scalars[pos] : nil
  }

  mutating func expression() throws -> Formula {
    var left = try term()
    while let c = peek(), c == "+" || c == "-" {
      pos += 1
      let right = try term()
      left = c == "+" ? .add(left, right) : .subtract(left, right)
    }
    return left
  }

  mutating func term() throws -> Formula {
    var left = try factor()
    while let c = peek(), c == "*" || c == "/" {
      pos += 1
      let right = try factor()
      left = c == "*" ? .multiply(left, right) : .divide(left, right)
    }
    return left
  }

  mutating func factor() throws -> Formula {
    guard let c = peek() else { throw FormulaError("the formula ends too early") }
    if c == "(" {
      pos += 1
      let e = try expression()
      guard peek() == ")" else { throw FormulaError("a “(” is not closed") }
      pos += 1
      return e
    }
    if c.properties.numericType != nil || c == "." {
      var s = ""
      while pos < scalars.count, scalars[pos].properties.numericType != nil || scalars[pos] == "." {
        s.unicodeScalars.append(scalars[pos])
        pos += 1
      }
      guard let v = Double(s) else { throw FormulaError("“\(s)” is not a number") }
      return .number(v)
    }
    var name = ""
    while pos < scalars.count, scalars[pos].properties.isAlphabetic || scalars[pos] == "_" {
      name.unicodeScalars.append(scalars[pos])
      pos += 1
    }
    guard !name.isEmpty else { throw FormulaError("unexpected “\(rest)”") }
    if name == "sum" {
      guard peek() == "(" else { throw FormulaError("sum needs a column: sum(discount)") }
      pos += 1
      var col = ""
      while let s = peek(), s != ")" {
        col.unicodeScalars.append(s)
        pos += 1
      }
      guard peek() == ")" else { throw FormulaError("sum( is not closed") }
      pos += 1
      let role = col.trimmingCharacters(in: .whitespaces)
      guard OrderMeasureColumn.roles.contains(role) else {
        throw FormulaError("sum(\(role)): the order columns are \(OrderMeasureColumn.roles.joined(separator: ", "))")
      }
      return .sum(role)
    }
    if name == "mean_interval" { return .meanInterval }
    guard let m = known(name) else { throw FormulaError("unknown name “\(name)” (a metric id, sum(column) or mean_interval)") }
    return .metric(m)
  }
}

/// Numeric order columns a formula can sum, by role.
public enum OrderMeasureColumn {
  public static let roles = ["amount", "discount", "quantity"]
}

/// One metric the catalog declares.
public struct CatalogMetric: Hashable, Sendable {
  public var id: MetricID
  public var format: ValueFormat
  public var formula: Formula
  public var titles: [Language: String]
  public var definitions: [Language: String]
  public init(id: MetricID, format: ValueFormat, formula: Formula, titles: [Language: String], definitions: [Language: String]) {
    self.id = id
    self.format = format
    self.formula = formula
    self.titles = titles
    self.definitions = definitions
  }
}

/// The metrics declared as data, registered once as the grammar loads.
public final class MetricCatalog: @unchecked Sendable {
  public static let shared = MetricCatalog()
  private let lock = NSLock()
  private var entries: [String: CatalogMetric] = [:]
  private var order: [String] = []

  public func register(_ m: CatalogMetric) {
    lock.lock()
    defer { lock.unlock() }
    if entries[m.id.rawValue] == nil { order.append(m.id.rawValue) }
    entries[m.id.rawValue] = m
  }

  public func formula(_ id: String) -> CatalogMetric? {
    lock.lock()
    defer { lock.unlock() }
    return entries[id]
  }

  public var all: [CatalogMetric] {
    lock.lock()
    defer { lock.unlock() }
    return order.compactMap { entries[$0] }
  }
}
