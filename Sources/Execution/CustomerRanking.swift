// Top customers by a plain figure (销售额前10的客户, top 10 customers by spend): one pass into
// per-customer arrays and a top-N selection, without building a group for every customer.
// Same columns and order as the general figures path (ties by customer key ascending).
// Both cores share the work: by ranges of rows (long scans) or of customers (see `run`).

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

  /// - Complexity: O(orders + customers · log N).
  static func run(_ ctx: ExecutionContext, metric m: MetricID) -> ResultTable {
    let cube = ctx.cube
    let plan = ctx.plan
    let o = cube.orders
    let n = cube.customers.count + 1  // slot 0: orders without a customer id
    let filter = ctx.orderFilter(plan.period)
    // The column summed per order: amount (NULL adds nothing), 1 per order, or quantity.
    let column: ContiguousArray<Double>? = m == .sales ? o.amount : (m == .orders ? nil : o.quantity)
    let countsOrders = m == .orders
    let rk = plan.ranking ?? Ranking(limit: 10, descending: true)
    let keys = cube.customers.keys
    func key(_ x: Int) -> Value { x == 0 ? .null : keys.value(x - 1) }
    // A strict total order: value, then customer key (keys are unique).
    func before(_ a: (Int, Double), _ b: (Int, Double)) -> Bool {
      let va = rankValue(a.1), vb = rankValue(b.1)
      if va != vb { return rk.descending ? va > vb : va < vb }
      return valueLess(key(a.0), key(b.0))
    }
    /// The first `rk.limit` of the customers `lo..<hi` that have an order, from their
    /// (value, orders) pairs at `p[2 * (x - lo)]`, `p[2 * (x - lo) + 1]`.
    func top(_ lo: Int, _ hi: Int, _ p: UnsafeMutablePointer<Double>) -> [(Int, Double)] {
      var top: [(Int, Double)] = []
      top.reserveCapacity(rk.limit + 1)
      var bound = 0.0  // the last one's rank value once the list is full
      for x in lo..<hi {
        let at = 2 &* (x &- lo)
        guard p[at &+ 1] > 0 else { continue }
        let v = p[at]
        if top.count == rk.limit {
          let r = rankValue(v)
          if rk.descending ? r < bound : r > bound { continue }
          guard let last = top.last, before((x, v), last) else { continue }
        }
        let at2 = top.firstIndex { before((x, v), $0) } ?? top.count
        top.insert((x, v), at: at2)
        if top.count > rk.limit { top.removeLast() }
        if top.count == rk.limit, let last = top.last { bound = rankValue(last.1) }
      }
      return top
    }
    // Per customer, the figure and its number of orders side by side (one cache line per
    // order). Long scans: ranges of rows fill arrays of their own, then ranges of customers
    // add them up and pick their first N on every core. Shorter ones: each thread takes a range
    // of customers, reads every row of the period and counts the orders of its own customers
    // (no merge; state and walk both split).
    let scanned = cube.orderRows(days: filter.lo, filter.hi)
    let customerSplit = ScanParallelism(threads: ctx.parallelism.threads, minRows: 0)
      .ranges(0..<n).map { r in (r.lowerBound & ~63)..<(r.upperBound == n ? n : r.upperBound & ~63) }
    let day = o.day, cust = o.customer
    @inline(__always) func scan(_ range: Range<Int>, _ lo: Int, _ span: Int, into p: UnsafeMutablePointer<Double>) {
      day.withUnsafeBufferPointer { day in
        cust.withUnsafeBufferPointer { cust in
          for i in range {
            let d = day[i], c = cust[i]
            guard filter.passes(i, day: d, customer: c) else { continue }
            var v = countsOrders ? 1 : column?[i] ?? 0
            if v.isNaN { v = 0 }
            // Customers of other ranges go to one of eight scratch slots past the end.
            let x = Int(c) &+ 1 &- lo
            let at = UInt(bitPattern: x) < UInt(span) ? 2 &* x : 2 &* (span &+ (i & 7))
            p[at] += v
            p[at &+ 1] += 1
          }
        }
      }
    }
    var tops: [[(Int, Double)]]
    if scanned.count >= 2 * n {
      let parts = ctx.parallelism.partials(scanned) { range -> UnsafeMutablePointer<Double> in
        let p = ScratchBuffers.take(2 * (n + 8))
        scan(range, 0, n, into: p)
        return p
      }
      defer { for p in parts { ScratchBuffers.give(p, 2 * (n + 8)) } }
      let into = parts[0], others = Array(parts.dropFirst())
      tops = ScanParallelism(threads: customerSplit.count, minRows: 0).partials(0..<customerSplit.count) { js -> [(Int, Double)] in
        js.flatMap { j in
          let r = customerSplit[j]
          for q in others {
            for at in (2 * r.lowerBound)..<(2 * r.upperBound) { into[at] += q[at] }
          }
          return top(r.lowerBound, r.upperBound, into + 2 * r.lowerBound)
        }
      }
    } else {
      let split = scanned.count < ctx.parallelism.minRows ? [0..<n] : customerSplit
      tops = ScanParallelism(threads: split.count, minRows: 0).partials(0..<split.count) { js -> [(Int, Double)] in
        js.flatMap { j in
          let lo = split[j].lowerBound, span = split[j].count
          let p = ScratchBuffers.take(2 * (span + 8))
          defer { ScratchBuffers.give(p, 2 * (span + 8)) }
          scan(scanned, lo, span, into: p)
          return top(lo, lo + span, p)
        }
      }
    }
    let top = tops.joined().sorted(by: before).prefix(rk.limit).map { $0 }
    let lang = ctx.lang
    var columns = [ResultColumn(id: DimensionID.customer.rawValue, title: DimensionID.customer.title(lang), format: .label, isKey: true)]
    if cube.customers.name != nil { columns.append(ResultColumn(id: "name", title: lang == .zh ? "姓名" : "name", format: .label, isKey: false)) }
    columns.append(ResultColumn(id: m.rawValue, title: m.title(lang), format: m.format, isKey: false))
    let rows: [[Value]] = top.map { (x, v) in
      var r: [Value] = [key(x)]
      if let names = cube.customers.name { r.append(x == 0 ? .null : names.value(x - 1).map(Value.string) ?? .null) }
      r.append(m.format == .count && v == v.rounded() && abs(v) < 9e15 ? .int(Int64(v)) : .double(v))
      return r
    }
    return ResultTable(columns: columns, rows: rows, shape: .ranking)
  }
}
