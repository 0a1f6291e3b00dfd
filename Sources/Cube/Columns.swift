// Column storage: typed, contiguous, with NULLs kept.
//
// Strings are dictionary-encoded (Int32 codes, -1 for NULL); dates are day numbers
// (Int32, `Int32.min` for NULL); amounts are Double with NaN for NULL. Operators switch on
// a column's type once per column, never per row.

import QueryModel

/// The NULL marker of day columns.
public let nullDay: Int32 = Int32.min

/// A dictionary-encoded string column: `codes[i]` indexes `dictionary`, -1 is NULL.
public struct DictColumn: Sendable {
  public var codes: ContiguousArray<Int32>
  public var dictionary: [String]

  public init(codes: ContiguousArray<Int32>, dictionary: [String]) {
    self.codes = codes
    self.dictionary = dictionary
  }

  public func value(_ row: Int) -> String? {
    let c = codes[row]
    return c < 0 ? nil : dictionary[Int(c)]
  }

  /// The code of a value, or nil when the value does not occur.
  public func code(of value: String) -> Int32? {
    dictionary.firstIndex(of: value).map { Int32($0) }
  }
}

/// Builds a dictionary column row by row.
public struct DictBuilder {
  public private(set) var codes = ContiguousArray<Int32>()
  public private(set) var dictionary: [String] = []
  private var index: [String: Int32] = [:]

  public init(capacity: Int = 0) { codes.reserveCapacity(capacity) }

  public mutating func append(_ s: String?) {
    guard let s else {
      codes.append(-1)
      return
    }
    if let c = index[s] {
      codes.append(c)
    } else {
      let c = Int32(dictionary.count)
      dictionary.append(s)
      index[s] = c
      codes.append(c)
    }
  }

  public func build() -> DictColumn { DictColumn(codes: codes, dictionary: dictionary) }
}

/// Customer keys keep their type from the data: integer ids stay integers.
public enum KeyColumn: Sendable {
  case int(ContiguousArray<Int64>)
  case text([String])

  public var count: Int {
    switch self {
    case .int(let a): return a.count
    case .text(let a): return a.count
    }
  }

  public func value(_ row: Int) -> Value {
    switch self {
    case .int(let a): return .int(a[row])
    case .text(let a): return .string(a[row])
    }
  }
}
