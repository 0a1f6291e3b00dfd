// The in-memory columnar cube: customers, orders, order items and feedback, linked once.
//
// Loading (CubeSQLite) fills these columns; execution reads them. Every order carries the
// row of its customer (`orderCustomer`), resolved at load: customer ids found in orders but
// missing from the customer table get rows of their own, marked `inCustomerTable == false`,
// so every customer figure counts them (semantics.md) while customer attributes are NULL.

import QueryModel

public struct CustomerTable: Sendable {
  public var keys: KeyColumn
  /// False for ids that occur only in orders (or feedback), not in the customer table.
  public var inCustomerTable: ContiguousArray<Bool>
  public var name: DictColumn?
  /// DimensionID attributes stored on the customer (region, city, …), dictionary-encoded.
  public var attributes: [DimensionID: DictColumn]
  public var birthYear: ContiguousArray<Int32>?
  public var signupDay: ContiguousArray<Int32>?
  /// Number of rows of the customer table itself (0 when the data has none).
  public var tableRowCount: Int
  public var count: Int { keys.count }

  public init(keys: KeyColumn, inCustomerTable: ContiguousArray<Bool>, name: DictColumn?,
              attributes: [DimensionID: DictColumn], birthYear: ContiguousArray<Int32>?,
              signupDay: ContiguousArray<Int32>?, tableRowCount: Int) {
    self.keys = keys
    self.inCustomerTable = inCustomerTable
    self.name = name
    self.attributes = attributes
    self.birthYear = birthYear
    self.signupDay = signupDay
    self.tableRowCount = tableRowCount
  }
}

public struct OrderTable: Sendable {
  public var day: ContiguousArray<Int32>
  public var customer: ContiguousArray<Int32>
  /// NaN marks a NULL amount: it counts as an order, adds nothing to sales.
  public var amount: ContiguousArray<Double>
  public var channel: DictColumn?
  public var quantity: ContiguousArray<Double>?
  /// Discount amount per order (NULL reads as 0), when the data has one.
  public var discount: ContiguousArray<Double>?
  public var count: Int { day.count }

  /// A numeric order column by its role (amount, discount, quantity), for catalog formulas.
  public func measure(_ role: String) -> ContiguousArray<Double>? {
    switch role {
    case "amount": return amount
    case "discount": return discount
    case "quantity": return quantity
    default: return nil
    }
  }

  public init(day: ContiguousArray<Int32>, customer: ContiguousArray<Int32>, amount: ContiguousArray<Double>,
              channel: DictColumn?, quantity: ContiguousArray<Double>?) {
    self.day = day
    self.customer = customer
    self.amount = amount
    self.channel = channel
    self.quantity = quantity
  }
}

public struct ItemTable: Sendable {
  /// Row of the order in `OrderTable`; -1 when the order is unknown.
  public var order: ContiguousArray<Int32>
  /// Products and categories: one-byte codes when there are at most 255 of them.
  public var product: CompactDictColumn?
  public var category: CompactDictColumn?
  /// Int32 when every quantity is an integer, else Double.
  public var quantity: NumberColumn
  public var unitPrice: ContiguousArray<Double>
  public var count: Int { order.count }
  /// Whether items are stored in order-row order (unknown orders, -1, first), as item tables
  /// usually are: an order's items are then adjacent, and a run of orders' items is one run of
  /// rows (`rows(ofOrders:)`). Decided once here, not per query.
  public private(set) var inOrderRowOrder: Bool

  public init(order: ContiguousArray<Int32>, product: DictColumn?, category: DictColumn?,
              quantity: ContiguousArray<Double>, unitPrice: ContiguousArray<Double>) {
    self.order = order
    self.product = product.map(CompactDictColumn.init)
    self.category = category.map(CompactDictColumn.init)
    self.quantity = NumberColumn(quantity)
    self.unitPrice = unitPrice
    inOrderRowOrder = order.withUnsafeBufferPointer { o in
      var i = 1
      while i < o.count && o[i] >= o[i - 1] { i += 1 }
      return i >= o.count
    }
  }

  /// The item rows that can belong to the orders in `orders`: a binary search when items are
  /// in order-row order, else every row (callers still test each item's order).
  /// - Complexity: O(log items).
  public func rows(ofOrders orders: Range<Int>) -> Range<Int> {
    guard inOrderRowOrder else { return 0..<order.count }
    guard !orders.isEmpty else { return 0..<0 }
    return SortedRuns.firstIndex(atLeast: orders.lowerBound, in: order)..<SortedRuns.firstIndex(atLeast: orders.upperBound, in: order)
  }
}

public struct FeedbackTable: Sendable {
  public let customer: ContiguousArray<Int32>
  public let day: ContiguousArray<Int32>
  public let score: ContiguousArray<Double>
  public let comment: [String]
  public var count: Int { day.count }
  /// Whether rows are in day order (NULL days first), as feedback tables usually are: a
  /// period's rows are then one contiguous run (`rows(days:_:)`).
  public let byDay: Bool

  public init(customer: ContiguousArray<Int32>, day: ContiguousArray<Int32>, score: ContiguousArray<Double>, comment: [String]) {
    self.customer = customer
    self.day = day
    self.score = score
    self.comment = comment
    byDay = SortedRuns.ascending(day)
  }

  /// The rows that can hold feedback from day `lo` to day `hi`: a binary search when rows are
  /// in day order, else every row (callers still test each row's day).
  /// - Complexity: O(log rows).
  public func rows(days lo: Int32, _ hi: Int32) -> Range<Int> {
    byDay ? SortedRuns.run(day, lo, hi) : 0..<count
  }
}

/// Runs of rows in ascending integer columns (days, the order row of items, word numbers):
/// the binary searches shared by every table kept in order.
public enum SortedRuns {
  /// The first index of the ascending `values` whose value is at least `x` (the end when none).
  /// - Complexity: O(log count).
  public static func firstIndex<C: RandomAccessCollection>(atLeast x: Int, in values: C) -> C.Index
  where C.Element: BinaryInteger {
    var a = values.startIndex, n = values.count
    while n > 0 {
      let half = n / 2
      let m = values.index(a, offsetBy: half)
      if Int(values[m]) < x {
        a = values.index(after: m)
        n -= half + 1
      } else {
        n = half
      }
    }
    return a
  }

  /// Whether `day` never decreases.
  /// - Complexity: O(rows).
  public static func ascending(_ day: ContiguousArray<Int32>) -> Bool {
    day.withUnsafeBufferPointer { d in
      var i = 1
      while i < d.count {
        if d[i] < d[i - 1] { return false }
        i += 1
      }
      return true
    }
  }

  /// The rows of an ascending `day` column from day `lo` to day `hi` (binary searches).
  /// - Complexity: O(log rows).
  public static func run(_ day: ContiguousArray<Int32>, _ lo: Int32, _ hi: Int32) -> Range<Int> {
    guard lo <= hi else { return 0..<0 }
    return firstIndex(atLeast: Int(lo), in: day)..<firstIndex(atLeast: Int(hi) + 1, in: day)
  }
}

/// Per-customer figures over all orders, derived once at load (the customer-level table).
public struct CustomerStats: Sendable {
  public var firstDay: ContiguousArray<Int32>
  public var lastDay: ContiguousArray<Int32>
  public var orderCount: ContiguousArray<Int32>
  public var totalSpend: ContiguousArray<Double>

  /// One pass over the orders (only orders up to `until`, when given). The four figures of a
  /// customer are kept side by side while orders are read (customer rows come in random order,
  /// so that one order touches one cache line, not four), then split into columns.
  /// - Complexity: O(orders + customers).
  public init(orders: OrderTable, customers: Int, until: Int32 = Int32.max) {
    struct State {
      var first = Int32.max, last = nullDay, count: Int32 = 0
      var spend: Double = 0
    }
    var state = ContiguousArray<State>(repeating: State(), count: customers)
    state.withUnsafeMutableBufferPointer { s in
      orders.day.withUnsafeBufferPointer { day in
        orders.customer.withUnsafeBufferPointer { customer in
          orders.amount.withUnsafeBufferPointer { amount in
            for i in 0..<day.count {
              let d = day[i]
              if d == nullDay || d > until { continue }
              let c = Int(customer[i])
              if c < 0 || c >= s.count { continue }
              if d < s[c].first { s[c].first = d }
              if d > s[c].last { s[c].last = d }
              s[c].count += 1
              let a = amount[i]
              if !a.isNaN { s[c].spend += a }
            }
          }
        }
      }
    }
    firstDay = ContiguousArray(state.lazy.map { $0.count == 0 ? nullDay : $0.first })
    lastDay = ContiguousArray(state.lazy.map(\.last))
    orderCount = ContiguousArray(state.lazy.map(\.count))
    totalSpend = ContiguousArray(state.lazy.map(\.spend))
  }
}

/// The whole loaded database.
public struct Cube: Sendable {
  public var customers: CustomerTable
  public var orders: OrderTable
  public var items: ItemTable?
  public var feedback: FeedbackTable?
  /// App or web events (a clickstream), when the data has them: Events.swift.
  public var events: EventTable?
  public var stats: CustomerStats
  /// First and last order day (nil when there are no dated orders).
  public var dateRange: DateRange?
  /// Where the data came from, for messages.
  public var source: String
  /// Whether order rows are in day order (NULL days first), as real order tables usually
  /// are: a period's orders are then one contiguous run of rows (`orderRows`).
  public private(set) var ordersByDay: Bool

  public init(customers: CustomerTable, orders: OrderTable, items: ItemTable?, feedback: FeedbackTable?, source: String) {
    self.customers = customers
    self.orders = orders
    self.items = items
    self.feedback = feedback
    self.source = source
    stats = CustomerStats(orders: orders, customers: customers.count)
    var lo = Int32.max
    var hi = Int32.min
    for d in orders.day where d != nullDay {
      if d < lo { lo = d }
      if d > hi { hi = d }
    }
    dateRange = lo <= hi ? DateRange(Day(raw: lo), Day(raw: hi)) : nil
    ordersByDay = SortedRuns.ascending(orders.day)
  }

  /// The rows that can hold orders from day `lo` to day `hi`: a binary search when rows are in
  /// day order, else every row (callers still test each row's day).
  /// - Complexity: O(log orders).
  public func orderRows(days lo: Int32, _ hi: Int32) -> Range<Int> {
    ordersByDay ? SortedRuns.run(orders.day, lo, hi) : 0..<orders.count
  }

  /// The dimensions this data can group or filter by.
  public var availableDimensions: Set<DimensionID> {
    var s = Set(customers.attributes.keys)
    s.insert(.customer)
    s.insert(.segment)
    if customers.birthYear != nil { s.insert(.ageBand) }
    if orders.channel != nil { s.insert(.channel) }
    if items?.category != nil { s.insert(.category) }
    if items?.product != nil { s.insert(.product) }
    if feedback != nil { s.insert(.topic) }
    return s
  }

  /// The distinct values of a dimension in the data (for vocabulary and completion).
  public func values(of d: DimensionID) -> [String] {
    switch d {
    case .channel: return orders.channel?.dictionary ?? []
    case .category: return items?.category?.dictionary ?? []
    case .product: return items?.product?.dictionary ?? []
    default: return customers.attributes[d]?.dictionary ?? []
    }
  }
}
