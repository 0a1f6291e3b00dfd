// Cohort retention (semantics.md "Cohort retention"): a customer's cohort is the month of the
// first order; month-k retention = cohort customers with an order in the k-th calendar month
// after the cohort month ÷ cohort size. One pass over orders with a 128-month bitmask per customer.

import Cube
import QueryModel

enum Cohorts {
  static func run(_ ctx: ExecutionContext, _ spec: CohortSpec) -> ResultTable {
    let cube = ctx.cube
    let st = ctx.stats
    let lang = ctx.lang
    let zh = lang == .zh
    let lo = spec.cohorts.start.monthIndex
    let hi = spec.cohorts.end.monthIndex
    let todayMonth = ctx.plan.today.monthIndex
    let n = cube.customers.count
    var cohortOf = ContiguousArray<Int32>(repeating: -1, count: n)
    for c in 0..<n where st.orderCount[c] > 0 && ctx.customerPasses(Int32(c)) {
      let m = Day(raw: st.firstDay[c]).monthIndex
      if m >= lo && m <= hi { cohortOf[c] = Int32(m - lo) }
    }
    // Month index per day of the data (no date arithmetic per order), and each customer's
    // first month.
    let o = cube.orders
    let dayLo = cube.dateRange?.start.raw ?? 0
    let dayHi = min(cube.dateRange?.end.raw ?? -1, ctx.today)
    let monthOf = ContiguousArray((dayLo...max(dayLo, dayHi)).map { Int32(Day(raw: $0).monthIndex) })
    var firstMonth = ContiguousArray<Int32>(repeating: 0, count: n)
    for c in 0..<n where cohortOf[c] >= 0 { firstMonth[c] = Int32(Day(raw: st.firstDay[c]).monthIndex) }
    // Bit k of a customer's pair of words: an order k months after the first; each range of
    // orders sets its own bits, OR-ed together.
    let parts = ctx.orderPartials(days: dayLo, dayHi, state: 2 * n) { range -> ContiguousArray<UInt64> in
      var bits = ContiguousArray<UInt64>(repeating: 0, count: 2 * n)
      for i in range {
        let c = o.customer[i]
        if c < 0 || cohortOf[Int(c)] < 0 { continue }
        let d = o.day[i]
        if d == nullDay || d > dayHi || d < dayLo { continue }
        let k = Int(monthOf[Int(d - dayLo)] - firstMonth[Int(c)])
        if k >= 0 && k < 128 { bits[2 * Int(c) + k / 64] |= 1 << UInt64(k % 64) }
      }
      return bits
    }
    var bits = parts[0]
    for p in parts.dropFirst() { for x in bits.indices { bits[x] |= p[x] } }
    let cohorts = hi - lo + 1
    let maxK = max(0, min(127, todayMonth - lo))
    var size = [Int](repeating: 0, count: cohorts)
    var kept = [[Int]](repeating: [Int](repeating: 0, count: maxK + 1), count: cohorts)
    for c in 0..<n where cohortOf[c] >= 0 {
      let h = Int(cohortOf[c])
      size[h] += 1
      kept[h][0] += 1  // every customer orders in the cohort month itself
      for k in 1...max(1, maxK) where k <= maxK {
        let bit = (bits[2 * c + k / 64] >> UInt64(k % 64)) & 1
        if bit == 1 { kept[h][k] += 1 }
      }
    }
    func label(_ h: Int) -> String { TimeUnit.month.label(ofIndex: lo + h) }

    if let k = spec.monthsAfter {
      var total = 0
      var retained = 0
      for h in 0..<cohorts where k >= 0 && lo + h + k <= todayMonth {
        total += size[h]
        retained += k <= maxK ? kept[h][k] : 0
      }
      let cohortLabel = cohorts == 1 ? label(0) : "\(label(0))…\(label(cohorts - 1))"
      let columns = [
        ResultColumn(id: "cohort", title: zh ? "首购月" : "cohort", format: .period, isKey: true),
        ResultColumn(id: "retention_rate", title: zh ? "留存率" : "retention", format: .rate, isKey: false),
        ResultColumn(id: "cohort_size", title: zh ? "首购客户数" : "cohort size", format: .count, isKey: false),
        ResultColumn(id: "retained", title: zh ? "第\(k)个月仍购买" : "active in month \(k)", format: .count, isKey: false),
      ]
      let rate: Value = total == 0 ? .null : .double(Double(retained) / Double(total))
      return ResultTable(columns: columns, rows: [[.string(cohortLabel), rate, .int(Int64(total)), .int(Int64(retained))]], shape: .scalar)
    }

    var columns = [
      ResultColumn(id: "cohort", title: zh ? "首购月" : "cohort", format: .period, isKey: true),
      ResultColumn(id: "cohort_size", title: zh ? "首购客户数" : "customers", format: .count, isKey: false),
    ]
    let width = max(0, todayMonth - lo)
    if width >= 1 {
      for k in 1...width {
        columns.append(ResultColumn(id: "m\(k)", title: zh ? "第\(k)月" : "M\(k)", format: .rate, isKey: false))
      }
    }
    var rows: [[Value]] = []
    for h in 0..<cohorts {
      var r: [Value] = [.string(label(h)), .int(Int64(size[h]))]
      if width >= 1 {
        for k in 1...width {
          if lo + h + k > todayMonth || size[h] == 0 || k > maxK {
            r.append(.null)
          } else {
            r.append(.double(Double(kept[h][k]) / Double(size[h])))
          }
        }
      }
      rows.append(r)
    }
    return ResultTable(columns: columns, rows: rows, shape: .cohort)
  }
}
