// The events fact: one row per app or web event (浏览, 加购, 下单, 支付 …) of a customer at a
// time, with an optional product. Loaded by CubeSQLite/EventLoader.swift; funnels read it.

import QueryModel

public struct EventTable: Sendable {
  /// Customer row (-1 when the id is not a known customer).
  public var customer: ContiguousArray<Int32>
  /// Day of the event (`nullDay` when missing or unreadable).
  public var day: ContiguousArray<Int32>
  /// Seconds into the day (0 when the time has no clock part).
  public var second: ContiguousArray<Int32>
  /// The event type as in the data (one-byte codes when there are at most 255 types).
  public var type: CompactDictColumn
  public var product: DictColumn?
  public var count: Int { day.count }

  public init(customer: ContiguousArray<Int32>, day: ContiguousArray<Int32>, second: ContiguousArray<Int32>,
              type: DictColumn, product: DictColumn?) {
    self.customer = customer
    self.day = day
    self.second = second
    self.type = CompactDictColumn(type)
    self.product = product
  }

  /// A sortable instant: day × 86,400 + seconds.
  @inline(__always) public func instant(_ i: Int) -> Int64 { Int64(day[i]) * 86_400 + Int64(second[i]) }
}
