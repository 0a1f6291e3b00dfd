// Listing customers (有哪些, list): who belongs to a kind of customer in a period, with the
// figures that put them in the list, sorted by those figures.

import Cube
import QueryModel

enum CustomerList {
  static func run(_ ctx: ExecutionContext, set: CustomerSet) throws -> ResultTable {
    let cube = ctx.cube
    let plan = ctx.plan
    let lang = ctx.lang
    let (lo, hi) = ctx.bounds(plan.period)
    let n = cube.customers.count
    let o = cube.orders
    let filter = ctx.orderFilter(plan.period)
    // Orders and spend per customer in the period: each range of orders into its own arrays.
    let parts = ctx.orderPartials(filter, state: 2 * n) { range -> (ContiguousArray<Int32>, ContiguousArray<Double>) in
      var count = ContiguousArray<Int32>(repeating: 0, count: n)
      var spend = ContiguousArray<Double>(repeating: 0, count: n)
      o.day.withUnsafeBufferPointer { day in
        o.customer.withUnsafeBufferPointer { cust in
          for i in range {
            let d = day[i], c = cust[i]
            guard c >= 0, filter.passes(i, day: d, customer: c) else { continue }
            count[Int(c)] += 1
            let a = o.amount[i]
            if !a.isNaN { spend[Int(c)] += a }
          }
        }
      }
      return (count, spend)
    }
    var (count, spend) = parts[0]
    for (k, s) in parts.dropFirst() {
      addInto(&count, k)
      addInto(&spend, s)
    }
    let st = ctx.stats
    let isState = set == .active || set == .atRisk || set == .churned || set == .overdue
    let activeFrom = ctx.today - Int32(plan.thresholds.activeDays) + 1
    let churnBefore = ctx.today - Int32(plan.thresholds.churnDays) + 1
    let high = Int32(plan.thresholds.highRepurchaseOrders)
    let segmentFiltered = plan.filters.contains { $0.dimension == .segment }
    var members: [Int] = []
    for c in 0..<n {
      guard ctx.customerPasses(Int32(c)) else { continue }
      let k = count[c]
      let ok: Bool
      switch set {
      case .all:
        ok = segmentFiltered || cube.customers.tableRowCount == 0 ? st.orderCount[c] > 0 : cube.customers.inCustomerTable[c]
      case .buyers: ok = k > 0
      case .repeatBuyers: ok = k >= 2
      case .highRepurchase: ok = k >= high
      case .new: ok = k > 0 && cube.stats.firstDay[c] >= lo && cube.stats.firstDay[c] <= hi
      case .returning: ok = k > 0 && cube.stats.firstDay[c] < lo
      case .active: ok = st.orderCount[c] > 0 && st.lastDay[c] >= activeFrom
      case .atRisk: ok = st.orderCount[c] > 0 && st.lastDay[c] < activeFrom && st.lastDay[c] >= churnBefore
      case .churned: ok = st.orderCount[c] > 0 && st.lastDay[c] < churnBefore
      case .overdue: ok = ExecutionContext.isOverdue(st, c, today: Int64(ctx.today))
      case .churnRisk: ok = false  // listed by ChurnRiskList
      }
      guard ok else { continue }
      let (fc, fs) = isState || set == .all ? (Double(st.orderCount[c]), st.totalSpend[c]) : (Double(k), spend[c])
      if !plan.conditions.allSatisfy({ $0.test(fc, fs) }) { continue }
      members.append(c)
    }
    let useLifetime = isState || set == .all
    func orders(_ c: Int) -> Int32 { useLifetime ? st.orderCount[c] : count[c] }
    func money(_ c: Int) -> Double { useLifetime ? st.totalSpend[c] : spend[c] }
    let desc = plan.ranking?.descending ?? true
    members.sort { a, b in
      let (x, y) = set == .repeatBuyers || set == .highRepurchase ? (Double(orders(a)), Double(orders(b))) : (rankValue(money(a)), rankValue(money(b)))
      if x != y { return desc ? x > y : x < y }
      let (x2, y2) = set == .repeatBuyers || set == .highRepurchase ? (rankValue(money(a)), rankValue(money(b))) : (Double(orders(a)), Double(orders(b)))
      if x2 != y2 { return desc ? x2 > y2 : x2 < y2 }
      return valueLess(cube.customers.keys.value(a), cube.customers.keys.value(b))
    }
    if let limit = plan.ranking?.limit, members.count > limit { members.removeLast(members.count - limit) }

    let zh = lang == .zh
    var columns = [ResultColumn(id: "customer", title: zh ? "客户" : "customer", format: .label, isKey: true)]
    if cube.customers.name != nil { columns.append(ResultColumn(id: "name", title: zh ? "姓名" : "name", format: .label, isKey: false)) }
    columns.append(ResultColumn(id: "orders", title: zh ? (useLifetime ? "累计订单数" : "订单数") : (useLifetime ? "lifetime orders" : "orders"), format: .count, isKey: false))
    columns.append(ResultColumn(id: "spend", title: zh ? (useLifetime ? "累计消费" : "消费金额") : (useLifetime ? "lifetime spend" : "spend"), format: .money, isKey: false))
    columns.append(ResultColumn(id: "last_order", title: zh ? "最后下单日" : "last order", format: .date, isKey: false))
    if isState {
      columns.append(ResultColumn(id: "days_since_last_order", title: zh ? "未下单天数" : "days since last order", format: .count, isKey: false))
    }
    var rows: [[Value]] = []
    rows.reserveCapacity(members.count)
    for c in members {
      var r: [Value] = [cube.customers.keys.value(c)]
      if let names = cube.customers.name { r.append(names.value(c).map(Value.string) ?? .null) }
      r.append(.int(Int64(orders(c))))
      r.append(.double(money(c)))
      r.append(st.lastDay[c] == nullDay ? .null : .string(Day(raw: st.lastDay[c]).iso))
      if isState { r.append(.int(Int64(ctx.today - st.lastDay[c]))) }
      rows.append(r)
    }
    return ResultTable(columns: columns, rows: rows, shape: .list)
  }
}
