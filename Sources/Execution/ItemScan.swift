// The scan of the order-items fact (sales, orders and units by category or product, or with an
// item filter): each item takes its order's day, customer and channel, and its own category or
// product code.
//
// - Only the items of the period's orders are read: when orders are in day order and items in
//   order-row order (as real tables are), that is one run of rows found by two binary searches.
// - The group key is the order's key (`OrderKeyer`, as order scans key orders) plus the item
//   codes' contributions: no enum switch per row.
// - Ranges of items split between orders scan on every core, each into its own accumulator,
//   merged in range order; distinct orders per group then need only the current order's keys.
//   Items out of order-row order scan on one thread with a (group, order) table.

import Cube
import QueryModel

extension ExecutionContext {
  func itemFigures(_ items: ItemTable, _ keys: GroupKeys, _ sources: [PartSource], period: DateRange?, needPairs: Bool,
                   _ accumulator: () -> ScanAccumulator) -> ScanAccumulator {
    let o = cube.orders
    let filter = orderFilter(period)
    let allowed = itemAllowed
    let clustered = items.inOrderRowOrder
    let rows = items.rows(ofOrders: cube.orderRows(days: filter.lo, filter.hi))
    // Item parts of the key, from the item codes; the other parts from the order.
    var itemParts: [(codes: CompactCodes, stride: Int64)] = []
    var orderSources = sources
    for (j, src) in sources.enumerated() {
      guard case .item(let a) = src else { continue }
      orderSources[j] = .constant
      if !a.isEmpty { itemParts.append((a, keys.strides[j])) }
    }
    guard let keyer = orderKeyer(keys, orderSources) else { return accumulator() }
    let nO = Int64(o.count + 1)
    let order = items.order
    let integral = items.quantity.isIntegral
    let state = needPairs ? 4 * (cube.customers.count + 1) : 0
    let threads = clustered ? parallelism.sized(state: state, rows: rows.count) : ScanParallelism(threads: 1)
    let parts = threads.partials(rows, alignedTo: { j in
      var j = j
      while j > 0 && j < order.count && order[j] == order[j - 1] { j += 1 }
      return j
    }) { range -> ScanAccumulator in
      var part = accumulator()
      if clustered, part.dense, !needPairs, itemParts.count <= 1 {
        denseItems(range, items, filter, keyer, itemParts.first, &part)
        return part
      }
      var seen = SlotTable(capacity: 16)
      var lastOrder = -1
      var keysOfOrder: [Int64] = []
      order.withUnsafeBufferPointer { order in
        o.day.withUnsafeBufferPointer { day in
          o.customer.withUnsafeBufferPointer { cust in
            items.quantity.integers.withUnsafeBufferPointer { qInt in
              items.quantity.doubles.withUnsafeBufferPointer { qDouble in
              items.unitPrice.withUnsafeBufferPointer { price in
                for j in range {
                  if let a = allowed, !a[j] { continue }
                  let oi = Int(order[j])
                  if oi < 0 { continue }
                  let d = day[oi], c = cust[oi]
                  // (An allowed item's order has an allowed item: the filter's order mask then
                  // tests only the order predicates.)
                  guard filter.passes(oi, day: d, customer: c) else { continue }
                  var k = keyer.key(oi, day: d, customer: c)
                  if k < 0 { continue }
                  for p in itemParts { k &+= Int64(p.codes[j] &+ 1) &* p.stride }
                  let q = integral ? Double(qInt[j]) : qDouble[j]
                  let first: Bool
                  if clustered {
                    if oi != lastOrder {
                      lastOrder = oi
                      keysOfOrder.removeAll(keepingCapacity: true)
                    }
                    first = !keysOfOrder.contains(k)
                    if first { keysOfOrder.append(k) }
                  } else {
                    var isNew = false
                    _ = seen.id(k &* nO &+ Int64(oi), isNew: &isNew)
                    first = isNew
                  }
                  part.add(k, c, newOrder: first, spend: q * price[j], units: q)
                }
              }
              }
            }
          }
        }
      }
      return part
    }
    var acc = parts[0]
    for part in parts.dropFirst() { acc.merge(part) }
    return acc
  }

  /// Items in order-row order into dense groups without customer figures (sales, orders and
  /// units by category × channel, month …): through pointers, each group's last order in an
  /// array (an order's items are adjacent, so an order is new to a group when it is not that
  /// group's last one).
  private func denseItems(_ range: Range<Int>, _ items: ItemTable, _ filter: OrderFilter, _ keyer: OrderKeyer,
                          _ itemPart: (codes: CompactCodes, stride: Int64)?, _ part: inout ScanAccumulator) {
    let o = cube.orders
    let allowed = itemAllowed
    let integral = items.quantity.isIntegral
    let stride = itemPart?.stride ?? 0
    let narrowCodes = itemPart?.codes.isNarrow ?? false
    var lastOrder = ContiguousArray<Int32>(repeating: -1, count: part.gSales.count)
    items.order.withUnsafeBufferPointer { order in
      o.day.withUnsafeBufferPointer { day in
        o.customer.withUnsafeBufferPointer { cust in
          items.quantity.integers.withUnsafeBufferPointer { qInt in
            items.quantity.doubles.withUnsafeBufferPointer { qDouble in
              items.unitPrice.withUnsafeBufferPointer { price in
                (itemPart?.codes.narrow ?? []).withUnsafeBufferPointer { narrow in
                  (itemPart?.codes.wide ?? []).withUnsafeBufferPointer { wide in
                    lastOrder.withUnsafeMutableBufferPointer { last in
                      part.gSales.withUnsafeMutableBufferPointer { sales in
                        part.gOrders.withUnsafeMutableBufferPointer { orders in
                          part.gUnits.withUnsafeMutableBufferPointer { units in
                            for j in range {
                              if let a = allowed, !a[j] { continue }
                              let oi = order[j]
                              if oi < 0 { continue }
                              let d = day[Int(oi)], c = cust[Int(oi)]
                              guard filter.passes(Int(oi), day: d, customer: c) else { continue }
                              var k = keyer.key(Int(oi), day: d, customer: c)
                              if k < 0 { continue }
                              if stride != 0 {
                                let code: Int32
                                if narrowCodes {
                                  let b = narrow[j]
                                  code = b == 0xFF ? -1 : Int32(b)
                                } else {
                                  code = wide[j]
                                }
                                k &+= Int64(code &+ 1) &* stride
                              }
                              let g = Int(k)
                              let q = integral ? Double(qInt[j]) : qDouble[j]
                              sales[g] += q * price[j]
                              units[g] += q
                              if last[g] != oi {
                                last[g] = oi
                                orders[g] += 1
                              }
                            }
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}
