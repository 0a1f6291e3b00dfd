// Bought together (semantics.md "Bought together"): for a product or category A, every other
// product (category) B with its co-buyers, confidence = co-buyers / A's buyers and
// lift = confidence / (B's buyers / units with any item in P); ranked by co-buyers, then lift,
// then name. A unit is a customer, or an order for "in the same order".
//
// Fast path: per unit, the set of item codes bought in the period, built once per (level,
// dimension, period) and cached: a 64-bit mask when there are at most 64 values (categories),
// else a sorted code list in one flat array (CSR). A question then reads A's units only.

import Cube
import QueryModel

/// Per unit (customer or order), the item codes bought in one period.
struct ItemSets: Sendable {
  /// Masks, when the dimension has at most 64 values.
  var masks: ContiguousArray<UInt64>?
  /// Else: codes of unit u are `codes[start[u]..<start[u+1]]`, sorted, distinct.
  var start: ContiguousArray<Int32>
  var codes: ContiguousArray<Int32>
  /// The customer row of each unit (the unit itself at customer level).
  var customerOf: ContiguousArray<Int32>
  var units: Int
  var cardinality: Int

  /// Builds the sets from the items of orders in [lo, hi].
  /// - Complexity: O(items + units) (a counting sort, then sorting each unit's few codes).
  static func build(cube: Cube, column: CompactDictColumn, sameOrder: Bool, lo: Int32, hi: Int32) -> ItemSets {
    let items = cube.items!
    let orders = cube.orders
    let units = sameOrder ? orders.count : cube.customers.count
    let k = column.dictionary.count
    var customerOf = ContiguousArray<Int32>()
    if sameOrder { customerOf = orders.customer } else { customerOf = ContiguousArray(0..<Int32(units)) }
    @inline(__always) func unit(_ i: Int) -> Int {
      let o = Int(items.order[i])
      if o < 0 { return -1 }
      let d = orders.day[o]
      if d == nullDay || d < lo || d > hi { return -1 }
      if sameOrder { return o }
      return Int(orders.customer[o])
    }
    if k <= 64 {
      var masks = ContiguousArray<UInt64>(repeating: 0, count: units)
      for i in 0..<items.count {
        let c = column.codes[i]
        if c < 0 { continue }
        let u = unit(i)
        if u >= 0 { masks[u] |= 1 << UInt64(c) }
      }
      return ItemSets(masks: masks, start: [], codes: [], customerOf: customerOf, units: units, cardinality: k)
    }
    var count = ContiguousArray<Int32>(repeating: 0, count: units + 1)
    for i in 0..<items.count where column.codes[i] >= 0 {
      let u = unit(i)
      if u >= 0 { count[u + 1] += 1 }
    }
    for u in 0..<units { count[u + 1] += count[u] }
    var fill = count
    var codes = ContiguousArray<Int32>(repeating: 0, count: Int(count[units]))
    for i in 0..<items.count where column.codes[i] >= 0 {
      let u = unit(i)
      if u >= 0 {
        codes[Int(fill[u])] = column.codes[i]
        fill[u] += 1
      }
    }
    // Sort and deduplicate each unit's codes in place, then compact.
    var start = ContiguousArray<Int32>(repeating: 0, count: units + 1)
    var w = 0
    codes.withUnsafeMutableBufferPointer { cp in
      for u in 0..<units {
        let a = Int(count[u]), b = Int(count[u + 1])
        start[u] = Int32(w)
        if b > a + 1 { cp[a..<b].sort() }
        var last: Int32 = -1
        for j in a..<b where cp[j] != last {
          last = cp[j]
          cp[w] = last
          w += 1
        }
      }
    }
    start[units] = Int32(w)
    codes.removeLast(codes.count - w)
    return ItemSets(masks: nil, start: start, codes: codes, customerOf: customerOf, units: units, cardinality: k)
  }
}

enum Baskets {
  static func run(_ ctx: ExecutionContext, _ a: Analysis, cache: AnalysisCache) throws -> ResultTable {
    let cube = ctx.cube
    let zh = ctx.lang == .zh
    guard let items = cube.items, let anchor = a.anchor else {
      throw ExecutionError(zh ? "这份数据没有订单明细（商品、品类），无法分析哪些商品一起购买。" : "This data has no order items (products or categories), so what is bought together cannot be answered.")
    }
    guard let column = anchor.dimension == .category ? items.category : items.product else {
      throw ExecutionError(zh ? "这份数据没有\(anchor.dimension.title(.zh))信息。" : "This data has no \(anchor.dimension.title(.en)).")
    }
    let (lo, hi) = Analyses.bounds(ctx)
    let key = "\(a.sameOrder)|\(anchor.dimension.rawValue)|\(lo)|\(hi)"
    let sets = cache.itemSets(key) { ItemSets.build(cube: cube, column: column, sameOrder: a.sameOrder, lo: lo, hi: hi) }
    let anchorCodes = Set(anchor.values.compactMap { column.code(of: $0) })
    guard !anchorCodes.isEmpty else {
      let v = anchor.values.joined(separator: "、")
      throw ExecutionError(zh ? "数据里没有“\(v)”。" : "“\(v)” does not occur in the data.")
    }
    let k = sets.cardinality
    var unitsWithItems = 0
    var buyersOf = [Int](repeating: 0, count: k)
    var co = [Int](repeating: 0, count: k)
    var anchorUnits = 0
    let mask = ctx.customerMask
    @inline(__always) func passes(_ u: Int) -> Bool {
      guard let mask else { return true }
      let c = sets.customerOf[u]
      return c >= 0 && mask[Int(c)]
    }
    if let masks = sets.masks {
      var am: UInt64 = 0
      for c in anchorCodes { am |= 1 << UInt64(c) }
      // Buyers of each value: counted over the masks by bit (64 counters, one pass).
      for u in 0..<sets.units {
        let m = masks[u]
        if m == 0 || !passes(u) { continue }
        unitsWithItems += 1
        var b = m
        while b != 0 {
          let j = b.trailingZeroBitCount
          buyersOf[j] += 1
          b &= b - 1
        }
        if m & am != 0 {
          anchorUnits += 1
          var o = m & ~am
          while o != 0 {
            let j = o.trailingZeroBitCount
            co[j] += 1
            o &= o - 1
          }
        }
      }
    } else {
      for u in 0..<sets.units {
        let a0 = Int(sets.start[u]), b0 = Int(sets.start[u + 1])
        if a0 == b0 || !passes(u) { continue }
        unitsWithItems += 1
        var hasAnchor = false
        for j in a0..<b0 {
          let c = Int(sets.codes[j])
          buyersOf[c] += 1
          if anchorCodes.contains(Int32(c)) { hasAnchor = true }
        }
        if hasAnchor {
          anchorUnits += 1
          for j in a0..<b0 where !anchorCodes.contains(sets.codes[j]) { co[Int(sets.codes[j])] += 1 }
        }
      }
    }
    struct Row { var code: Int; var co: Int; var confidence: Double; var lift: Double?; var name: String }
    var rows: [Row] = []
    for c in 0..<k where co[c] > 0 {
      let conf = Double(co[c]) / Double(anchorUnits)
      let base = Double(buyersOf[c]) / Double(unitsWithItems)
      rows.append(Row(code: c, co: co[c], confidence: conf, lift: base > 0 ? conf / base : nil, name: column.dictionary[c]))
    }
    rows.sort { x, y in
      if x.co != y.co { return x.co > y.co }
      if (x.lift ?? -1) != (y.lift ?? -1) { return (x.lift ?? -1) > (y.lift ?? -1) }
      return x.name.unicodeScalars.lexicographicallyPrecedes(y.name.unicodeScalars)
    }
    if rows.count > a.limit { rows.removeLast(rows.count - a.limit) }
    let unitWord = a.sameOrder ? (zh ? "订单" : "orders") : (zh ? "客户" : "customers")
    let columns = [
      ResultColumn(id: anchor.dimension.rawValue, title: anchor.dimension.title(ctx.lang), format: .label, isKey: true),
      ResultColumn(id: "co_buyers", title: a.sameOrder ? (zh ? "同单订单数" : "orders together") : (zh ? "共同购买客户数" : "co-buyers"), format: .count, isKey: false),
      ResultColumn(id: "confidence", title: zh ? "置信度" : "confidence", format: .rate, isKey: false),
      ResultColumn(id: "lift", title: zh ? "提升度" : "lift", format: .number, isKey: false),
      ResultColumn(id: "buyers", title: zh ? "购买\(unitWord)数" : "\(unitWord) buying it", format: .count, isKey: false),
    ]
    let out: [[Value]] = rows.map { r in
      [.string(r.name), .int(Int64(r.co)), .double(r.confidence), r.lift.map(Value.double) ?? .null, .int(Int64(buyersOf[r.code]))]
    }
    let what = anchor.values.joined(separator: zh ? "、" : ", ")
    let note = zh ? "购买“\(what)”的\(unitWord)：\(anchorUnits)；有商品购买的\(unitWord)：\(unitsWithItems)"
      : "\(unitWord) buying “\(what)”: \(anchorUnits); \(unitWord) with any item: \(unitsWithItems)"
    return ResultTable(columns: columns, rows: out, shape: .ranking, notes: [note])
  }
}
