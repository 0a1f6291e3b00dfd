// Answers as data: the typed table every plan produces and every renderer consumes.
//
// Values stay raw (rates as fractions, money as Double, ids with the type they have in the
// data); each column says how it should be shown, so renderers never guess.

/// The language a question was asked in; interpretations and labels follow it.
public enum Language: String, Hashable, Sendable, Codable {
  case zh, en
}

/// One cell.
public enum Value: Hashable, Sendable {
  case null
  case int(Int64)
  case double(Double)
  case string(String)

  public var doubleValue: Double? {
    switch self {
    case .int(let v): return Double(v)
    case .double(let v): return v.isNaN ? nil : v
    default: return nil
    }
  }

  public var isNull: Bool {
    if case .null = self { return true }
    if case .double(let v) = self, v.isNaN { return true }
    return false
  }
}

/// How a column's numbers read on screen.
public enum ValueFormat: String, Hashable, Sendable, Codable {
  /// A key or label: shown as is (a null key as (未知) / (unknown)).
  case label
  /// A time group label such as 2026-10 (already text).
  case period
  /// A whole count: 1,234.
  case count
  /// Money: 1,234.56.
  case money
  /// A fraction shown as a percentage: 0.3216 → 32.2%.
  case rate
  /// A difference of two rates, as a fraction shown in percentage points: 0.021 → +2.1 个百分点.
  case points
  /// A plain number: 1,234.5 (up to two decimals).
  case number
  /// An NPS-like score: 23.0.
  case score
  /// A calendar day, written YYYY-MM-DD.
  case date
}

public struct ResultColumn: Hashable, Sendable {
  /// Machine name, stable across languages (e.g. "region", "sales").
  public var id: String
  /// Header in the question's language (e.g. "地区", "销售额").
  public var title: String
  public var format: ValueFormat
  /// True for group keys, false for figures.
  public var isKey: Bool

  public init(id: String, title: String, format: ValueFormat, isKey: Bool) {
    self.id = id
    self.title = title
    self.format = format
    self.isKey = isKey
  }
}

/// What the answer looks like, so a renderer can choose a chart.
public enum ResultShape: String, Hashable, Sendable, Codable {
  case scalar, breakdown, series, ranking, list, cohort, comparison
}

public struct ResultTable: Hashable, Sendable {
  public var columns: [ResultColumn]
  public var rows: [[Value]]
  public var shape: ResultShape
  /// Notes shown under the table (thresholds used, rows cut, …).
  public var notes: [String]
  /// Rows whose time unit the data covers only in part (a running month, a day after the
  /// data's last date): charts draw them apart so they do not read as a drop.
  public var partialRows: [Int] = []

  public init(columns: [ResultColumn], rows: [[Value]], shape: ResultShape, notes: [String] = []) {
    self.columns = columns
    self.rows = rows
    self.shape = shape
    self.notes = notes
  }
}
