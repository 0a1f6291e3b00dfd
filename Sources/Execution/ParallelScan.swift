// Scans of the order fact on every core, and what every such scan shares:
//
// - `ScanParallelism`: how many threads a scan uses (WENSHU_THREADS, read once; default the
//   active processor count) and from how many rows on (smaller scans stay on one thread).
// - `ExecutionContext.orderPartials`: the rows of the period (a binary search when rows are in
//   day order) split into one contiguous range per thread; the scan of each range fills its
//   own partial state, and the partials come back in range order for the caller to merge
//   (sums and counts add, customer bitsets OR, per-customer arrays add before a top-N).
// - `OrderFilter`: "this order passes the plan's filters" (period, customer mask, channel,
//   order predicates and item filters), decided from arrays built once, inlined in every scan.
// - `OrderKeyer`: the group key of an order as a sum of precomputed per-customer, per-day and
//   per-channel contributions (no date arithmetic and no enum switch per row; the customer
//   part from a table of one or two bytes per customer when the key space allows).
//
// Results do not depend on the number of threads: integer figures are exact, bitsets are
// exact, sums of money differ at most in the last bits (the differential test compares them
// within 1e-9 relative, and rankings compare values rounded to 1e-6).

import Cube
import Dispatch
import Foundation
import QueryModel

/// How many threads a scan of the order fact uses.
public struct ScanParallelism: Sendable, Equatable {
  /// Threads per scan (1 = single-threaded).
  public var threads: Int
  /// Scans of fewer rows stay on one thread (threads cost more than they save).
  public var minRows: Int

  public init(threads: Int, minRows: Int = ScanParallelism.defaultMinRows) {
    self.threads = max(1, threads)
    self.minRows = max(0, minRows)
  }

  public static let defaultMinRows = 200_000

  /// WENSHU_THREADS when set to a positive number, else the active processor count.
  public static let standard: ScanParallelism = {
    let env = ProcessInfo.processInfo.environment["WENSHU_THREADS"].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    let n = env.flatMap { $0 >= 1 ? $0 : nil } ?? ProcessInfo.processInfo.activeProcessorCount
    return ScanParallelism(threads: min(n, 256))
  }()

  /// One thread when each thread's partial state (`state` elements, e.g. arrays over all
  /// customers) would cost more to clear and merge than its share of `rows` saves; a
  /// `minRows` of 0 (tests) always splits.
  func sized(state: Int, rows: Int) -> ScanParallelism {
    minRows == 0 || rows >= 2 * state ? self : ScanParallelism(threads: 1, minRows: minRows)
  }

  /// Contiguous row ranges, one per thread (a single range for small scans).
  func ranges(_ rows: Range<Int>) -> [Range<Int>] {
    let n = rows.count, base = rows.lowerBound
    let t = n < minRows || n < 2 ? 1 : min(threads, n)
    guard t > 1 else { return [rows] }
    return (0..<t).map { j in (base + n * j / t)..<(base + n * (j + 1) / t) }
  }
}

/// Shares a pointer across the threads of one `concurrentPerform`; each thread writes only
/// its own slot.
private struct SlotsBox<T>: @unchecked Sendable {
  let base: UnsafeMutablePointer<T?>
}

private struct WorkBox<T>: @unchecked Sendable {
  let work: (Range<Int>) -> T
}

extension ScanParallelism {
  /// Runs `scan` over each range of `rows` (in parallel when there are several) and returns
  /// the partial results in range order. `alignedTo` moves a split point forward (so that
  /// rows belonging together stay in one range).
  func partials<T>(_ rows: Range<Int>, alignedTo align: ((Int) -> Int)? = nil, _ scan: (Range<Int>) -> T) -> [T] {
    var rs = ranges(rows)
    if let align, rs.count > 1 {
      var cuts = [rows.lowerBound]
      for r in rs.dropFirst() { cuts.append(max(cuts.last!, min(rows.upperBound, align(r.lowerBound)))) }
      cuts.append(rows.upperBound)
      rs = zip(cuts, cuts.dropFirst()).compactMap { $0 < $1 ? $0..<$1 : nil }
      if rs.isEmpty { rs = [rows] }
    }
    if rs.count == 1 { return [scan(rs[0])] }
    let parts = rs
    let slots = UnsafeMutablePointer<T?>.allocate(capacity: rs.count)
    slots.initialize(repeating: nil, count: rs.count)
    defer {
      slots.deinitialize(count: rs.count)
      slots.deallocate()
    }
    withoutActuallyEscaping(scan) { scan in
      let box = SlotsBox(base: slots), work = WorkBox(work: scan)
      DispatchQueue.concurrentPerform(iterations: rs.count) { j in
        box.base[j] = work.work(parts[j])
      }
    }
    return (0..<rs.count).map { slots[$0]! }
  }
}

/// Whether an order passes the plan's filters, from arrays built once per plan.
struct OrderFilter {
  /// Days of the period (NULL days fall below `lo`).
  let lo: Int32, hi: Int32
  let customerMask: ContiguousArray<Bool>?
  /// Allowed channel codes, indexed by code + 1 (slot 0: NULL or no channel column).
  let channelOK: ContiguousArray<Bool>?
  let channelCodes: ContiguousArray<Int32>?
  /// Orders passing the order predicates and item filters.
  let orderOK: ContiguousArray<Bool>?
  /// Only the period applies.
  let periodOnly: Bool

  init(lo: Int32, hi: Int32, customerMask: ContiguousArray<Bool>?, channelOK: ContiguousArray<Bool>?,
       channelCodes: ContiguousArray<Int32>?, orderOK: ContiguousArray<Bool>?) {
    self.lo = lo
    self.hi = hi
    self.customerMask = customerMask
    self.channelOK = channelOK
    self.channelCodes = channelCodes
    self.orderOK = orderOK
    periodOnly = customerMask == nil && channelOK == nil && orderOK == nil
  }

  @inline(__always) func passes(_ i: Int, day d: Int32, customer c: Int32) -> Bool {
    if d < lo || d > hi { return false }
    if periodOnly { return true }
    if let m = customerMask, c < 0 || !m[Int(c)] { return false }
    if let ok = channelOK {
      let code = channelCodes.map { Int($0[i]) + 1 } ?? 0
      if !ok[code] { return false }
    }
    if let ok = orderOK, !ok[i] { return false }
    return true
  }
}

/// The group key of an order: customer part + day part + channel part, each precomputed.
struct OrderKeyer {
  /// The customer part of the key is `customerUnit` × a small code per customer row c at
  /// index c + 1 (index 0: orders without a customer), stored in the narrowest table that
  /// holds it (one or two bytes for most groupings: a million customers then take one or two
  /// megabytes, in cache, where eight-byte keys would miss it on every order).
  let customerCode8: ContiguousArray<UInt8>
  let customerCode16: ContiguousArray<UInt16>
  let customerCode64: ContiguousArray<Int64>
  let customerWidth: Int
  let customerUnit: Int64
  let hasCustomer: Bool
  /// Key contribution per day from `dayLo`; -1 outside the time axis.
  let dayKey: ContiguousArray<Int64>
  let dayLo: Int32
  let hasTime: Bool
  /// Key contribution per channel code + 1.
  let channelKey: ContiguousArray<Int64>
  let channelCodes: ContiguousArray<Int32>?
  let hasChannel: Bool

  /// The customer part of the key of customer row `x` - 1 (x = 0: no customer).
  @inline(__always) func customerPart(_ x: Int) -> Int64 {
    switch customerWidth {
    case 1: return Int64(customerCode8[x]) &* customerUnit
    case 2: return Int64(customerCode16[x]) &* customerUnit
    default: return customerCode64[x]
    }
  }

  /// The key, or -1 when the day falls outside the time axis.
  @inline(__always) func key(_ i: Int, day d: Int32, customer c: Int32) -> Int64 {
    var k: Int64 = 0
    if hasTime {
      let x = Int(d) &- Int(dayLo)
      if x < 0 || x >= dayKey.count { return -1 }
      let t = dayKey[x]
      if t < 0 { return -1 }
      k = t
    }
    if hasCustomer { k &+= customerPart(Int(c) &+ 1) }
    if hasChannel { k &+= channelKey[channelCodes.map { Int($0[i]) + 1 } ?? 0] }
    return k
  }
}

/// Sales and orders per dense group, added in four lanes by row: rows in day order hit the same
/// group again and again, so consecutive rows add into separate sums (four independent chains of
/// additions instead of one), added up per group at the end. One per scanned range; `release()`
/// frees it.
struct LaneSums {
  let groups: Int
  let lanes: Int
  private let sales: UnsafeMutablePointer<Double>
  private let orders: UnsafeMutablePointer<Int>

  init(groups: Int) {
    self.groups = groups
    lanes = groups <= 1 << 16 ? 4 : 1
    sales = .allocate(capacity: lanes * groups)
    orders = .allocate(capacity: lanes * groups)
    sales.initialize(repeating: 0, count: lanes * groups)
    orders.initialize(repeating: 0, count: lanes * groups)
  }

  /// Row `i`'s order in group `g` (a NaN amount is an order with no sales).
  @inline(__always) func add(row i: Int, group g: Int, amount a: Double) {
    let at = (lanes == 4 ? (i & 3) &* groups : 0) &+ g
    sales[at] += a.isNaN ? 0 : a
    orders[at] &+= 1
  }

  /// Adds each group's lanes into `salesOut`/`ordersOut`.
  func total(into salesOut: inout ContiguousArray<Double>, _ ordersOut: inout ContiguousArray<Int>) {
    salesOut.withUnsafeMutableBufferPointer { so in
      ordersOut.withUnsafeMutableBufferPointer { oo in
        for g in 0..<groups {
          var sum = 0.0, n = 0
          for l in 0..<lanes {
            sum += sales[l &* groups &+ g]
            n &+= orders[l &* groups &+ g]
          }
          so[g] += sum
          oo[g] &+= n
        }
      }
    }
  }

  func release() {
    sales.deallocate()
    orders.deallocate()
  }
}

extension ExecutionContext {
  /// The order filter of the plan over a period.
  func orderFilter(_ period: DateRange?) -> OrderFilter {
    let (lo, hi) = bounds(period)
    var channelOK: ContiguousArray<Bool>?
    if let allowed = channelAllowed {
      let n = cube.orders.channel?.dictionary.count ?? 0
      channelOK = ContiguousArray((0...n).map { allowed.contains(Int32($0) - 1) })
    }
    return OrderFilter(lo: max(lo, nullDay + 1), hi: hi, customerMask: customerMask, channelOK: channelOK,
                       channelCodes: cube.orders.channel?.codes, orderOK: orderHasAllowedItem)
  }

  /// The keyer of an order-only grouping (customer attributes, channel, time); nil when a
  /// part is an item attribute.
  func orderKeyer(_ keys: GroupKeys, _ sources: [PartSource]) -> OrderKeyer? {
    var chanKey = ContiguousArray<Int64>(), dayKey = ContiguousArray<Int64>()
    var dayLo: Int32 = 0
    var hasChan = false, hasTime = false
    var customerParts: [(ContiguousArray<Int32>, Int64)] = [], span: Int64 = 1
    for (j, src) in sources.enumerated() {
      let s = keys.strides[j]
      switch src {
      case .customer(let a):
        customerParts.append((a, s))
        span += Int64(max(keys.parts[j].cardinality, 1)) * s
      case .order(let a):
        hasChan = true
        let n = cube.orders.channel?.dictionary.count ?? 0
        chanKey = ContiguousArray((0...n).map { Int64($0) * s })
        if a.isEmpty { chanKey = [0] }
      case .time(let t, let lo):
        hasTime = true
        dayLo = lo
        dayKey = ContiguousArray(t.map { $0 < 0 ? -1 : Int64($0) * s })
      case .item: return nil
      case .constant: break
      }
    }
    // The customer part in units of the smallest customer stride (which divides the others).
    let n = cube.customers.count
    let unit = customerParts.map(\.1).min() ?? 1
    span /= unit
    var c8 = ContiguousArray<UInt8>(), c16 = ContiguousArray<UInt16>(), c64 = ContiguousArray<Int64>()
    let width = customerParts.isEmpty ? 0 : span <= 256 ? 1 : span <= 65536 ? 2 : 8
    func fill<T: FixedWidthInteger>(_ out: inout ContiguousArray<T>) {
      out = ContiguousArray(repeating: 0, count: n + 1)
      out.withUnsafeMutableBufferPointer { o in
        for (a, s) in customerParts {
          let m = T(truncatingIfNeeded: s / unit)
          a.withUnsafeBufferPointer { a in
            for c in 0..<min(n, a.count) { o[c + 1] &+= T(truncatingIfNeeded: a[c] &+ 1) &* m }
          }
        }
      }
    }
    switch width {
    case 1: fill(&c8)
    case 2: fill(&c16)
    case 8: fill(&c64); for x in c64.indices { c64[x] &*= unit }
    default: break
    }
    return OrderKeyer(customerCode8: c8, customerCode16: c16, customerCode64: c64, customerWidth: width, customerUnit: unit,
                      hasCustomer: !customerParts.isEmpty, dayKey: dayKey, dayLo: dayLo, hasTime: hasTime,
                      channelKey: chanKey, channelCodes: hasChan ? cube.orders.channel?.codes : nil, hasChannel: hasChan)
  }

  /// The orders that can fall from day `lo` to day `hi` (all rows unless rows are in day
  /// order), scanned in parallel ranges, each into its own partial.
  /// `state`: the size of each partial state (see `ScanParallelism.sized`).
  func orderPartials<T>(days lo: Int32, _ hi: Int32, state: Int = 0, _ scan: (Range<Int>) -> T) -> [T] {
    let rows = cube.orderRows(days: lo, hi)
    // Rows expected in the period: all of the run in day order, else the period's share of
    // the data's days.
    var expected = rows.count
    if !cube.ordersByDay, let r = cube.dateRange {
      let span = Int(r.end.raw) - Int(r.start.raw) + 1
      let covered = max(0, min(Int(hi), Int(r.end.raw)) - max(Int(lo), Int(r.start.raw)) + 1)
      expected = Int(Double(rows.count) * Double(covered) / Double(span))
    }
    return parallelism.sized(state: state, rows: expected).partials(rows, scan)
  }

  /// The orders that can pass `filter`'s period, scanned in parallel ranges.
  func orderPartials<T>(_ filter: OrderFilter, state: Int = 0, _ scan: (Range<Int>) -> T) -> [T] {
    orderPartials(days: filter.lo, filter.hi, state: state, scan)
  }
}

/// Adds `b` into `a` element by element.
@inline(__always) func addInto<T: AdditiveArithmetic>(_ a: inout ContiguousArray<T>, _ b: ContiguousArray<T>) {
  a.withUnsafeMutableBufferPointer { pa in
    b.withUnsafeBufferPointer { pb in
      for i in 0..<min(pa.count, pb.count) { pa[i] += pb[i] }
    }
  }
}
