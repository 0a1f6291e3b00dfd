// A piece of SQL under construction: text interleaved with bound values, written with
// string interpolation so that a value can only enter a statement as a parameter.
//
//     let region: SQL = "\(raw: column) IN (\(bind: .text("华东")))"
//     region.parameterized()   // ("region" IN (?), [.text("华东")])
//
// The same fragments render twice: with placeholders (for a driver) and with every value as
// a quoted literal (for a shell), so the two forms can never drift apart.

import CubeSQLite

/// SQL text with its bound values, in order.
struct SQL: Sendable {
  enum Part: Sendable {
    case text(String)
    case value(SQLValue)
  }

  private(set) var parts: [Part] = []

  init() {}
  init(raw text: String) { if !text.isEmpty { parts = [.text(text)] } }
  init(bind value: SQLValue) { parts = [.value(value)] }

  var isEmpty: Bool { parts.isEmpty }

  mutating func append(_ other: SQL) { parts.append(contentsOf: other.parts) }
  mutating func append(raw text: String) { if !text.isEmpty { parts.append(.text(text)) } }

  static func + (a: SQL, b: SQL) -> SQL {
    var out = a
    out.append(b)
    return out
  }

  /// The text with `placeholder(i, value)` for the i-th value (0-based), and the values.
  func parameterized(_ placeholder: (Int, SQLValue) -> String) -> (String, [SQLValue]) {
    var text = ""
    var values: [SQLValue] = []
    for p in parts {
      switch p {
      case .text(let s): text += s
      case .value(let v):
        text += placeholder(values.count, v)
        values.append(v)
      }
    }
    return (text, values)
  }

  /// The text with `placeholder(i)` for the i-th value (0-based), and the values.
  func parameterized(_ placeholder: (Int) -> String) -> (String, [SQLValue]) {
    parameterized { i, _ in placeholder(i) }
  }

  /// The text with every value written as a literal.
  func literal(_ quote: (SQLValue) -> String) -> String {
    var text = ""
    for p in parts {
      switch p {
      case .text(let s): text += s
      case .value(let v): text += quote(v)
      }
    }
    return text
  }
}

extension SQL: ExpressibleByStringInterpolation {
  init(stringLiteral value: String) { self.init(raw: value) }

  init(stringInterpolation: Interpolation) { parts = stringInterpolation.sql.parts }

  struct Interpolation: StringInterpolationProtocol {
    var sql = SQL()
    init(literalCapacity: Int, interpolationCount: Int) {}
    mutating func appendLiteral(_ literal: String) { sql.append(raw: literal) }
    /// Embeds another fragment (its values stay parameters).
    mutating func appendInterpolation(_ fragment: SQL) { sql.append(fragment) }
    /// Binds a value: it becomes a placeholder.
    mutating func appendInterpolation(bind value: SQLValue) { sql.parts.append(.value(value)) }
    /// Text written by the compiler itself (identifiers already quoted, keywords, numbers of
    /// the statement's shape); never a value from the question.
    mutating func appendInterpolation(raw text: String) { sql.append(raw: text) }
  }
}

extension Array where Element == SQL {
  func joined(_ separator: String) -> SQL {
    var out = SQL()
    for (i, s) in enumerated() {
      if i > 0 { out.append(raw: separator) }
      out.append(s)
    }
    return out
  }
}
