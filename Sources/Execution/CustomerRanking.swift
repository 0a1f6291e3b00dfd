// Top customers by a plain figure (销售额前10的客户, top 10 customers by spend): one pass into
// per-customer arrays and a top-N selection, without building a group for every customer.
// Same columns and order as the general figures path (ties by customer key ascending).

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
    // Each range of orders into its own per-customer sums, added up in range order.
    let parts = ctx.orderPartials(filter, state: 2 * n) { range -> (ContiguousArray<Double>, ContiguousArray<Bool>) in
      var value = ContiguousArray<Double>(repeating: 0, count: n)
      var touched = ContiguousArray<Bool>(repeating: false, count: n)
      o.day.withUnsafeBufferPointer { day in
        o.customer.withUnsafeBufferPointer { cust in
          for i in range {
            let d = day[i], c = cust[i]
            guard filter.passes(i, day: d, customer: c) else { continue }
            let x = Int(c) + 1
            touched[x] = true
            if countsOrders {
              value[x] += 1
            } else if let col = column {
              let v = col[i]
              if !v.isNaN { value[x] += v }
            }
          }
        }
      }
      return (value, touched)
    }
    var (value, touched) = parts[0]
    for (v, t) in parts.dropFirst() {
      addInto(&value, v)
      for x in 0..<n where t[x] { touched[x] = true }
    }
    let rk = plan.ranking ?? Ranking(limit: 10, descending: true)
    let keys = cube.customers.keys
    func key(_ x: Int) -> Value { x == 0 ? .null : keys.value(x - 1) }
    func before(_ a: Int, _ b: Int) -> Bool {
      let va = rankValue(value[a]), vb = rankValue(value[b])
      if va != vb { return rk.descending ? va > vb : va < vb }
      return valueLess(key(a), key(b))
    }
    var top: [Int] = []
    top.reserveCapacity(rk.limit + 1)
    for x in 0..<n where touched[x] {
      if top.count == rk.limit, let last = top.last, !before(x, last) { continue }
      let at = top.firstIndex { before(x, $0) } ?? top.count
      top.insert(x, at: at)
      if top.count > rk.limit { top.removeLast() }
    }
    let lang = ctx.lang
    var columns = [ResultColumn(id: DimensionID.customer.rawValue, title: DimensionID.customer.title(lang), format: .label, isKey: true)]
    if cube.customers.name != nil { columns.append(ResultColumn(id: "name", title: lang == .zh ? "姓名" : "name", format: .label, isKey: false)) }
    columns.append(ResultColumn(id: m.rawValue, title: m.title(lang), format: m.format, isKey: false))
    let rows: [[Value]] = top.map { x in
      var r: [Value] = [key(x)]
      if let names = cube.customers.name { r.append(x == 0 ? .null : names.value(x - 1).map(Value.string) ?? .null) }
      let v = value[x]
      r.append(m.format == .count && v == v.rounded() && abs(v) < 9e15 ? .int(Int64(v)) : .double(v))
      return r
    }
    return ResultTable(columns: columns, rows: rows, shape: .ranking)
  }
}
