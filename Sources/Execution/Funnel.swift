// Funnels over the events table (semantics.md "Funnel"): a customer reaches step 1 with any
// event of step 1 in P, and step k with an event of step k in P at or after the earliest time
// they reached step k − 1. Each step: customers reached, conversion from the previous step and
// from step 1; by a customer attribute when asked.
//
// One pass over the events per step, keeping each customer's earliest qualifying instant: no
// sort, O(steps · events). "At or after" includes the same instant (an order and its payment
// logged in the same second both count).

import Cube
import QueryModel

enum Funnel {
  static func run(_ ctx: ExecutionContext, _ a: Analysis, steps stepOfValue: [String: FunnelStep]) throws -> ResultTable {
    let zh = ctx.lang == .zh
    guard let ev = ctx.cube.events else {
      throw ExecutionError(zh ? "这份数据没有行为事件表（浏览、加购、下单、支付的点击流），无法做漏斗分析。可以问下单客户数、复购率等。"
        : "This data has no events table (a clickstream of views, add-to-carts, orders and payments), so a funnel cannot be answered. Ask about buyers or repeat purchase instead.")
    }
    let steps = a.steps
    // Event type code → position in the asked steps (-1: not a step asked).
    var position = [Int8](repeating: -1, count: ev.type.dictionary.count)
    var found = Set<FunnelStep>()
    for (code, v) in ev.type.dictionary.enumerated() {
      if let s = stepOfValue[v.lowercased()] {
        found.insert(s)
        if let p = steps.firstIndex(of: s) { position[code] = Int8(p) }
      }
    }
    let missing = steps.filter { !found.contains($0) }
    if !missing.isEmpty {
      let names = missing.map { $0.title(ctx.lang) }.joined(separator: zh ? "、" : ", ")
      let have = ev.type.dictionary.prefix(20).joined(separator: zh ? "、" : ", ")
      throw ExecutionError(zh ? "事件表里没有“\(names)”这一步的事件（事件类型有：\(have)）。可以在 grammars/analysis/events.rules 里说明哪个事件类型是哪一步。"
        : "The events table has no events of the step “\(names)” (event types: \(have)). Say which event type is which step in grammars/analysis/events.rules.")
    }
    let (lo, hi) = Analyses.bounds(ctx)
    let known = ctx.cube.customers.count
    let group = ctx.plan.groupBy.first
    if let g = group, !g.isCustomerAttribute || g == .customer {
      throw ExecutionError(zh ? "漏斗只能按客户属性（地区、会员等级等）拆分。" : "A funnel can be split by a customer attribute (region, member level …) only.")
    }
    // One pass per step: reached[k][c] = the earliest instant of a step-k event of customer c
    // in P at or after reached[k − 1][c] (Int64.max: not reached).
    var customers = known
    for c in ev.customer where Int(c) >= customers { customers = Int(c) + 1 }
    let m = steps.count
    var previous = ContiguousArray<Int64>()
    let groups = group.map { ctx.cardinality($0) + 1 } ?? 1
    var reached = [Int](repeating: 0, count: groups * m)
    let groupCodes = group.map { Analyses.customerCodes(ctx, $0) }
    var passes: ContiguousArray<Bool>?
    if let mask = ctx.customerMask {
      var p = ContiguousArray<Bool>(repeating: false, count: customers)
      for c in 0..<known { p[c] = mask[c] }
      passes = p
    }
    for k in 0..<m {
      var current = ContiguousArray<Int64>(repeating: Int64.max, count: customers)
      for i in 0..<ev.count {
        let code = ev.type.codes[i]
        if code < 0 || position[Int(code)] != Int8(k) { continue }
        let c = Int(ev.customer[i])
        if c < 0 { continue }
        if let p = passes, !p[c] { continue }
        if !Analyses.inPeriod(ev.day[i], lo, hi) { continue }
        let t = ev.instant(i)
        if k > 0 && (previous[c] == Int64.max || t < previous[c]) { continue }
        if t < current[c] { current[c] = t }
      }
      for c in 0..<customers where current[c] != Int64.max {
        let g = groupCodes.map { gc in c < known ? Int(gc[c]) + 1 : 0 } ?? 0
        reached[g * m + k] += 1
      }
      previous = current
    }
    var columns: [ResultColumn] = []
    if let g = group { columns.append(ResultColumn(id: g.rawValue, title: g.title(ctx.lang), format: .label, isKey: true)) }
    columns += [
      ResultColumn(id: "step", title: zh ? "步骤" : "step", format: .label, isKey: true),
      ResultColumn(id: "customers", title: zh ? "到达客户数" : "customers reached", format: .count, isKey: false),
      ResultColumn(id: "conversion_from_previous", title: zh ? "较上一步转化率" : "conversion from previous step", format: .rate, isKey: false),
      ResultColumn(id: "conversion_from_first", title: zh ? "较第一步转化率" : "conversion from step 1", format: .rate, isKey: false),
    ]
    var rows: [[Value]] = []
    var groupOrder = Array(0..<groups).filter { g in reached[g * m] > 0 }
    if let g = group {
      groupOrder.sort { valueLess(ctx.label(g, code: Int32($0 - 1)), ctx.label(g, code: Int32($1 - 1))) }
    } else if groupOrder.isEmpty {
      groupOrder = [0]
    }
    for g in groupOrder {
      for s in 0..<m {
        var line: [Value] = []
        if let d = group { line.append(ctx.label(d, code: Int32(g - 1))) }
        let v = reached[g * m + s]
        line.append(.string(steps[s].title(ctx.lang)))
        line.append(.int(Int64(v)))
        let prev = s == 0 ? v : reached[g * m + s - 1]
        let first = reached[g * m]
        line.append(s == 0 ? (v > 0 ? .double(1) : .null) : (prev > 0 ? .double(Double(v) / Double(prev)) : .null))
        line.append(first > 0 ? .double(Double(v) / Double(first)) : .null)
        rows.append(line)
      }
    }
    let note = zh ? "事件按客户和时间排序：第 k 步须发生在到达第 k−1 步的最早时间或之后" : "step k counts when it happens at or after the earliest time the customer reached step k − 1"
    return ResultTable(columns: columns, rows: rows, shape: group == nil ? .breakdown : .breakdown, notes: [note])
  }
}
