// The events fact (a clickstream: customer, time, event type, optional product): which table
// plays it (inference by names, or `events …` lines of a mapping file) and reading it into an
// `EventTable`. Event customers are matched to the cube's customers by id; ids the cube does
// not know are -1 (as for feedback) and take part in no funnel.

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
  struct EventPart: ChunkPart {
    var rows: Int
    var type: TextDictionary
  }

  /// Reads the events (in two chunks when large, as the other facts); customers not known
  /// (in neither the customer table nor the orders) are -1, as for feedback. The product
  /// column is mapped but not read: no analysis uses it yet.
  /// - Complexity: O(rows).
  static func read(_ connections: LoadConnections, _ e: DataMapping.Events, keys: CustomerKeys,
                   expectedRows: Int, columns: [String]) throws -> EventTable {
    let q = quoteIdentifier
    let select = "SELECT \([e.customer, e.time, e.type].map(q).joined(separator: ", ")) FROM \(q(e.table))"
    let plan = connections.plan(table: e.table, columns: columns, select: select, rows: expectedRows)
    var scanned = try connections.scan(plan, into: ColumnCounts(int32: 4)) { chunk, st, b in
      let cust = b.int32[0], day = b.int32[1], sec = b.int32[2], type = b.int32[3]
      var customers = ChunkCustomers(known: keys)
      var part = EventPart(rows: 0, type: TextDictionary())
      var i = chunk.start
      let end = chunk.positions.upperBound
      while try st.step() {
        guard i < end else { throw ChunkOverflow() }
        cust[i] = customers.code(st, 0, add: false)
        // A text time is fetched once for its day and its seconds; a number or NULL has no
        // clock part.
        let t = st.type(1)
        if t == SQLiteStatement.typeInteger || t == SQLiteStatement.typeFloat || t == SQLiteStatement.typeNull {
          day[i] = DateParsing.day(st, 1)
          sec[i] = 0
        } else {
          (day[i], sec[i]) = st.withBytes(1) { b in (DateParsing.parse(bytes: b), secondsOfDay(b)) }
        }
        type[i] = CubeLoader.code(st, 2, &part.type)
        i += 1
      }
      part.rows = i - chunk.start
      return part
    }
    let rows = scanned.parts.map(\.rows)
    var typeCodes = scanned.take(int32: 3)
    let types = CubeLoader.mergeDictionaries(scanned.parts.map(\.type), chunks: scanned.chunks, rows: rows, codes: &typeCodes)
    return EventTable(customer: scanned.take(int32: 0), day: scanned.take(int32: 1), second: scanned.take(int32: 2),
                      type: types.column(typeCodes), product: nil)
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
