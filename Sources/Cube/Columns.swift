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

/// Dictionary codes as narrow as the dictionary allows: one byte a row (0xFF for NULL) when it
/// has at most 255 values, as item categories, products and event types usually do; else four
/// (-1 for NULL). Reads give the same Int32 codes either way.
public struct CompactCodes: Sendable, Equatable {
  /// One byte a row when `isNarrow`, else empty.
  public private(set) var narrow: ContiguousArray<UInt8>
  /// Four bytes a row when not `isNarrow`, else empty.
  public private(set) var wide: ContiguousArray<Int32>
  public let isNarrow: Bool

  public init() {
    narrow = []
    wide = []
    isNarrow = false
  }

  /// The codes of a dictionary of `values` values, narrowed when they fit in a byte.
  public init(_ codes: ContiguousArray<Int32>, values: Int) {
    if values <= 255 {
      narrow = ContiguousArray(unsafeUninitializedCapacity: codes.count) { out, n in
        codes.withUnsafeBufferPointer { c in
          for i in 0..<c.count { out[i] = c[i] < 0 ? 0xFF : UInt8(truncatingIfNeeded: c[i]) }
        }
        n = codes.count
      }
      wide = []
      isNarrow = true
    } else {
      narrow = []
      wide = codes
      isNarrow = false
    }
  }

  public var count: Int { isNarrow ? narrow.count : wide.count }
  public var isEmpty: Bool { count == 0 }

  @inlinable @inline(__always) public subscript(_ i: Int) -> Int32 {
    if isNarrow {
      let b = narrow[i]
      return b == 0xFF ? -1 : Int32(b)
    }
    return wide[i]
  }

  /// All codes as Int32 (for tests and rare whole-column uses).
  public var int32: ContiguousArray<Int32> { isNarrow ? ContiguousArray((0..<count).map { self[$0] }) : wide }

  /// Bytes held.
  public var bytes: Int { narrow.count + 4 * wide.count }
}

/// A dictionary-encoded string column of a large fact with few values (item categories and
/// products, event types): `DictColumn`'s reads over `CompactCodes`.
public struct CompactDictColumn: Sendable {
  public var codes: CompactCodes
  public var dictionary: [String]

  public init(_ column: DictColumn) {
    codes = CompactCodes(column.codes, values: column.dictionary.count)
    dictionary = column.dictionary
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

/// Numbers stored as Int32 when every one is an integer that Int32 holds exactly (item
/// quantities usually are), else as Double: exact either way, half the memory in the usual case.
public struct NumberColumn: Sendable {
  /// The values when `isIntegral`, else empty.
  public private(set) var integers: ContiguousArray<Int32>
  /// The values when not `isIntegral`, else empty.
  public private(set) var doubles: ContiguousArray<Double>
  public let isIntegral: Bool

  public init(_ values: ContiguousArray<Double>) {
    // -0.0 and NaN stay Double (Int32 has neither).
    let integral = values.withUnsafeBufferPointer { v in
      v.allSatisfy { $0 >= -2_147_483_648 && $0 <= 2_147_483_647 && $0.rounded(.towardZero) == $0 && !($0 == 0 && $0.sign == .minus) }
    }
    if integral {
      integers = ContiguousArray(values.lazy.map { Int32($0) })
      doubles = []
    } else {
      integers = []
      doubles = values
    }
    isIntegral = integral
  }

  public var count: Int { isIntegral ? integers.count : doubles.count }

  @inlinable @inline(__always) public subscript(_ i: Int) -> Double { isIntegral ? Double(integers[i]) : doubles[i] }

  /// All values as Double (for tests and rare whole-column uses).
  public var values: ContiguousArray<Double> { isIntegral ? ContiguousArray(integers.lazy.map { Double($0) }) : doubles }

  /// Bytes held.
  public var bytes: Int { 4 * integers.count + 8 * doubles.count }
}
