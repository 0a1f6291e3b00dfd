// The events fact (a clickstream: customer, time, event type, optional product): which table
// plays it (inference by names, or `events …` lines of a mapping file) and reading it into an
// `EventTable`. Event customers are matched to the cube's customers by id; ids the cube does
// not know get codes of their own after the cube's customers (counted, with no attributes).

import Cube
import QueryModel

extension MappingInference {
  static let eventTableWords = ["event", "click", "behavior", "behaviour", "action", "track", "log", "埋点", "行为", "事件", "日志"]
  static let eventTypeColumnWords = ["event_type", "event_name", "eventtype", "action", "behavior", "behaviour", "event",
                                     "type", "行为类型", "事件类型", "行为", "事件"]

  /// A table (not already playing a role) with a customer, a time and an event-type column.
  static func inferEvents(_ schema: DatabaseSchema, _ m: DataMapping) -> DataMapping.Events? {
    let used: Set<String> = [m.orders.table, m.customers?.table, m.items?.table, m.feedback?.table].compactMap { $0 }.reduce(into: []) { $0.insert($1) }
    var bestFound: (Int, DataMapping.Events)?
    for t in schema.tables where !used.contains(t.name) {
      let cols = t.columns
      guard let type = best(cols, eventTypeColumnWords),
        let cust = best(cols, customerColumnWords, taken: [type]),
        let time = best(cols, ["event_time", "event_at", "occurred_at", "happened_at"] + dateColumnWords, taken: [type, cust])
      else { continue }
      let product = best(cols, ["product_id", "product", "sku", "item_id", "商品", "产品"], taken: [type, cust, time])
      let score = matches(t.name, eventTableWords) + matches(type, eventTypeColumnWords)
      let e = DataMapping.Events(table: t.name, customer: cust, time: time, type: type, product: product)
      if bestFound == nil || score > bestFound!.0 { bestFound = (score, e) }
    }
    return bestFound?.1
  }
}

extension DataMapping {
  public struct Events: Sendable, Equatable {
    public var table: String
    public var customer: String
    public var time: String
    public var type: String
    public var product: String?
    public init(table: String, customer: String, time: String, type: String, product: String?) {
      self.table = table
      self.customer = customer
      self.time = time
      self.type = type
      self.product = product
    }
  }
}

public enum EventLoader {
  /// Reads the events table in one pass.
  /// - Complexity: O(rows) with one hash lookup per row for the customer.
  public static func read(_ db: SQLiteDatabase, _ e: DataMapping.Events, customers: CustomerTable) throws -> EventTable {
    let q = quoteIdentifier
    var cols = [e.customer, e.time, e.type]
    if let p = e.product { cols.append(p) }
    let st = try db.prepare("SELECT \(cols.map(q).joined(separator: ", ")) FROM \(q(e.table))")
    var intRows: [Int64: Int32] = [:]
    var textRows: [String: Int32] = [:]
    let isInt: Bool
    switch customers.keys {
    case .int(let ks):
      isInt = true
      intRows.reserveCapacity(ks.count)
      for (i, k) in ks.enumerated() where intRows[k] == nil { intRows[k] = Int32(i) }
    case .text(let ks):
      isInt = false
      for (i, k) in ks.enumerated() where textRows[k] == nil { textRows[k] = Int32(i) }
    }
    var next = Int32(customers.count)
    var customer = ContiguousArray<Int32>()
    var day = ContiguousArray<Int32>()
    var second = ContiguousArray<Int32>()
    var types = TextDictionary()
    var typeCodes = ContiguousArray<Int32>()
    var products = TextDictionary()
    var productCodes = ContiguousArray<Int32>()
    while try st.step() {
      var c: Int32 = -1
      if !st.isNull(0) {
        if isInt {
          if let k = CustomerKeys.intKey(st, 0) {
            if let r = intRows[k] { c = r } else { c = next; intRows[k] = next; next += 1 }
          }
        } else if let k = st.text(0) {
          if let r = textRows[k] { c = r } else { c = next; textRows[k] = next; next += 1 }
        }
      }
      customer.append(c)
      day.append(DateParsing.day(st, 1))
      second.append(st.textBytes(1).map(secondsOfDay) ?? 0)
      typeCodes.append(st.textBytes(2).map { types.code($0) } ?? -1)
      if e.product != nil { productCodes.append(st.textBytes(3).map { products.code($0) } ?? -1) }
    }
    return EventTable(customer: customer, day: day, second: second,
                      type: DictColumn(codes: typeCodes, dictionary: types.strings),
                      product: e.product == nil ? nil : DictColumn(codes: productCodes, dictionary: products.strings))
  }

  /// Seconds into the day of a `YYYY-MM-DD HH:MM[:SS]` (or `T`-separated) time; 0 without a clock part.
  static func secondsOfDay(_ b: UnsafeBufferPointer<UInt8>) -> Int32 {
    guard b.count >= 16, b[10] == 0x20 || b[10] == 0x54 else { return 0 }
    func digits(_ at: Int) -> Int32? {
      guard at + 1 < b.count, (0x30...0x39).contains(b[at]), (0x30...0x39).contains(b[at + 1]) else { return nil }
      return Int32(b[at] - 0x30) * 10 + Int32(b[at + 1] - 0x30)
    }
    guard let h = digits(11), let m = digits(14), h < 24, m < 60 else { return 0 }
    let s = b.count >= 19 ? (digits(17) ?? 0) : 0
    return h * 3600 + m * 60 + min(s, 59)
  }
}
