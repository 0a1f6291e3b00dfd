// Top customers by a plain figure (销售额前10的客户, top 10 customers by spend): one pass into
// per-customer sums and a top-N selection, without building a group for every customer.
// Same columns and order as the general figures path (ties by customer key ascending).
//
// On several threads (`ScanParallelism`), the work splits two ways:
// - a period with fewer orders than twice the customers (a month): each thread takes its own
//   range of customers, reads every order of the period and adds up those of its customers
//   (no partial state to merge: the sums and the walk over the customers both split, and each
//   customer's sum is added in row order as on one thread);
// - longer scans: ranges of orders fill sums over all customers of their own, then ranges of
//   customers add them up and pick their first N, each on its own thread.
// Every thread allocates its own sums per query (`serve` answers questions concurrently).

import Cube
import QueryModel

enum CustomerRanking {
  /// Whether the plan is a ranking of customers by sales, orders or units from orders.
  static func applies(_ ctx: ExecutionContext, _ metrics: [MetricID]) -> Bool {
    let plan = ctx.plan
    guard plan.ranking != nil, plan.groupBy == [.customer], plan.timeGrain == nil, metrics.count == 1,
      [.sales, .orders, .units].contains(metrics[0]), plan.comparison == nil, !plan.share, plan.conditions.isEmpty
    else { return false }
    return ctx.basis(metrics[0]) == .orders
  }

  /// - Complexity: O(orders + customers · log N) (orders × threads for the split by customers).
  static func run(_ ctx: ExecutionContext, metric m: MetricID) -> ResultTable {
    let cube = ctx.cube
    let plan = ctx.plan
    let n = cube.customers.count + 1  // slot 0: orders without a customer id
    let filter = ctx.orderFilter(plan.period)
    let rows = cube.orderRows(days: filter.lo, filter.hi)
    let rk = plan.ranking ?? Ranking(limit: 10, descending: true)
    let keys = cube.customers.keys
    func key(_ x: Int) -> Value { x == 0 ? .null : keys.value(x - 1) }
    // A strict total order: rank value, then customer key (keys are unique).
    func before(_ a: Candidate, _ b: Candidate) -> Bool {
      let va = rankValue(a.value), vb = rankValue(b.value)
      if va != vb { return rk.descending ? va > vb : va < vb }
      return valueLess(key(a.slot), key(b.slot))
    }
    let scan = Scan(ctx, metric: m, filter: filter)
    var candidates: [Candidate]
    let threads = ctx.parallelism
    // Ranges of customers, one per thread, starting on a cache line of sums (eight slots).
    let byCustomers = ScanParallelism(threads: threads.threads, minRows: 0)
    if threads.ranges(rows).count == 1 {
      let sums = Sums(slots: 0..<n)
      defer { sums.release() }
      scan.add(rows, into: sums)
      candidates = top(sums, 0..<n, limit: rk.limit, descending: rk.descending, before)
    } else if rows.count >= 2 * n {
      let parts = threads.partials(rows) { range -> Sums in
        let sums = Sums(slots: 0..<n)
        scan.add(range, into: sums)
        return sums
      }
      defer { for p in parts { p.release() } }
      let total = parts[0], others = parts.dropFirst()
      candidates = byCustomers.partials(0..<n, alignedTo: { $0 & ~7 }) { range -> [Candidate] in
        for p in others { total.add(p, range) }
        return top(total, range, limit: rk.limit, descending: rk.descending, before)
      }.flatMap { $0 }
    } else {
      candidates = byCustomers.partials(0..<n, alignedTo: { $0 & ~7 }) { range -> [Candidate] in
        let sums = Sums(slots: range)
        defer { sums.release() }
        scan.add(rows, into: sums)
        return top(sums, range, limit: rk.limit, descending: rk.descending, before)
      }.flatMap { $0 }
    }
    let ranked = candidates.sorted(by: before).prefix(rk.limit)
    let lang = ctx.lang
    var columns = [ResultColumn(id: DimensionID.customer.rawValue, title: DimensionID.customer.title(lang), format: .label, isKey: true)]
    if cube.customers.name != nil { columns.append(ResultColumn(id: "name", title: lang == .zh ? "姓名" : "name", format: .label, isKey: false)) }
    columns.append(ResultColumn(id: m.rawValue, title: m.title(lang), format: m.format, isKey: false))
    let out: [[Value]] = ranked.map { c in
      var r: [Value] = [key(c.slot)]
      if let names = cube.customers.name { r.append(c.slot == 0 ? .null : names.value(c.slot - 1).map(Value.string) ?? .null) }
      let v = c.value
      r.append(m.format == .count && v == v.rounded() && abs(v) < 9e15 ? .int(Int64(v)) : .double(v))
      return r
    }
    return ResultTable(columns: columns, rows: out, shape: .ranking)
  }

  /// A customer slot (customer row + 1; 0: no customer) and its figure.
  struct Candidate {
    let slot: Int
    let value: Double
  }

  /// The figure of each customer slot of a range, one Double per slot; a slot without orders
  /// holds -0.0, which no order's figure can leave there (every order adds a figure that is
  /// never -0.0, and -0.0 + x is x), so "has orders" costs no second array. Eight spare slots
  /// past the end take the orders of customers outside the range (no branch per order).
  struct Sums {
    let slots: Range<Int>
    let base: UnsafeMutablePointer<Double>
    static let none = -0.0

    init(slots: Range<Int>) {
      self.slots = slots
      base = .allocate(capacity: slots.count + 8)
      base.initialize(repeating: Sums.none, count: slots.count + 8)
    }

    /// Whether `v` is the figure of a slot without orders.
    @inline(__always) static func isNone(_ v: Double) -> Bool { v.bitPattern == Sums.none.bitPattern }

    /// Adds the sums of `other` (same slots) into these, over the slots `range`.
    func add(_ other: Sums, _ range: Range<Int>) {
      let lo = slots.lowerBound
      for x in range { base[x - lo] += other.base[x - lo] }
    }

    func release() { base.deallocate() }
  }

  /// What one order adds to its customer's figure, and the scan of a range of orders.
  struct Scan {
    let filter: OrderFilter
    let day: ContiguousArray<Int32>
    let customer: ContiguousArray<Int32>
    /// The column summed per order (amount or quantity; NULL adds nothing).
    let column: ContiguousArray<Double>?
    /// 1 per order instead of a column. Not counting and no column (units where the data has no
    /// quantity): each order adds 0, and its customer still has orders.
    let countsOrders: Bool

    /// `countsOrders` defaults to `column == nil`.
    init(filter: OrderFilter, day: ContiguousArray<Int32>, customer: ContiguousArray<Int32>, column: ContiguousArray<Double>?,
         countsOrders: Bool? = nil) {
      self.filter = filter
      self.day = day
      self.customer = customer
      self.column = column
      self.countsOrders = countsOrders ?? (column == nil)
    }

    /// The scan of metric `m` (sales, orders or units) over the cube's orders.
    init(_ ctx: ExecutionContext, metric m: MetricID, filter: OrderFilter) {
      let o = ctx.cube.orders
      self.init(filter: filter, day: o.day, customer: o.customer,
                column: m == .sales ? o.amount : (m == .orders ? nil : o.quantity), countsOrders: m == .orders)
    }

    /// Adds the orders of `rows` that pass the filter and belong to a slot of `sums`.
    func add(_ rows: Range<Int>, into sums: Sums) {
      let lo = sums.slots.lowerBound, span = UInt(sums.slots.count), p = sums.base
      let counts = countsOrders, hasColumn = column != nil
      day.withUnsafeBufferPointer { day in
        customer.withUnsafeBufferPointer { cust in
          (column ?? []).withUnsafeBufferPointer { col in
            for i in rows {
              let d = day[i], c = cust[i]
              guard filter.passes(i, day: d, customer: c) else { continue }
              let a = counts ? 1 : (hasColumn ? col[i] : 0)
              // NULL (NaN) adds 0; + 0.0 turns an amount of -0.0 into 0.0 (see `Sums`).
              let v = (a.isNaN ? 0 : a) + 0.0
              let x = Int(c) &+ 1 &- lo
              let at = UInt(bitPattern: x) < span ? x : Int(span) &+ (i & 7)
              p[at] += v
            }
          }
        }
      }
    }
  }

  /// The first `limit` of the slots `range` that have orders, in the order `before`.
  static func top(_ sums: Sums, _ range: Range<Int>, limit: Int, descending: Bool,
                  _ before: (Candidate, Candidate) -> Bool) -> [Candidate] {
    var top: [Candidate] = []
    top.reserveCapacity(limit + 1)
    // Once the list is full, values beyond `cut` rank after its last one: `cut` lies a little
    // past the last one's rank value, further than rounding to 1e-6 (`rankValue`) can move a value.
    var cut = descending ? -Double.infinity : Double.infinity
    let lo = sums.slots.lowerBound, p = sums.base
    for x in range {
      let v = p[x - lo]
      if Sums.isNone(v) || (descending ? v < cut : v > cut) { continue }
      let c = Candidate(slot: x, value: v)
      if top.count == limit, let last = top.last, !before(c, last) { continue }
      let at = top.firstIndex { before(c, $0) } ?? top.count
      top.insert(c, at: at)
      if top.count > limit { top.removeLast() }
      if top.count == limit, let last = top.last {
        let r = rankValue(last.value), margin = max(1e-5, abs(r) * 1e-12)
        cut = descending ? r - margin : r + margin
      }
    }
    return top
  }
}
