// Plan → result table over the cube: picks the operator for the plan's shape (figures,
// customer list, cohort), then orders, ranks, fills time series, adds shares and comparisons.

import Cube
import Foundation
import Prediction
import QueryModel

public final class Executor: @unchecked Sendable {
  public let cube: Cube
  public let topics: [Topic]
  private let lock = NSLock()
  private var rfmCache: [Int32: RFMTable] = [:]
  private var segmentCache: [Int32: ContiguousArray<Int8>] = [:]
  private var statsCache: [Int32: CustomerStats] = [:]
  private var modelCache: [Int32: CustomerModel] = [:]
  /// Grammar data and built-once structures of the deeper analyses (Analyses.swift).
  public var analysisGrammar = AnalysisGrammar()
  let analysisCache = AnalysisCache()
  /// Threads per scan of the order fact: WENSHU_THREADS or the processor count (tests set it).
  public var parallelism = ScanParallelism.standard

  public init(cube: Cube, topics: [Topic]) {
    self.cube = cube
    self.topics = topics
  }

  /// Per-customer figures over orders up to `today` (the load-time table when no order is later).
  func stats(_ today: Int32) -> CustomerStats {
    if let r = cube.dateRange, r.end.raw <= today { return cube.stats }
    lock.lock()
    defer { lock.unlock() }
    if let s = statsCache[today] { return s }
    let s = CustomerStats(orders: cube.orders, customers: cube.customers.count, until: today)
    statsCache[today] = s
    return s
  }

  /// RFM segments only (no quintile scores): what segment questions need.
  func segments(today: Day) -> ContiguousArray<Int8> {
    let st = stats(today.raw)
    lock.lock()
    defer { lock.unlock() }
    if let r = rfmCache[today.raw] { return r.segment }
    if let s = segmentCache[today.raw] { return s }
    let s = RFMComputation.segments(stats: st, today: today.raw)
    segmentCache[today.raw] = s
    return s
  }

  public func rfm(today: Day) -> RFMTable {
    let st = stats(today.raw)
    lock.lock()
    defer { lock.unlock() }
    if let r = rfmCache[today.raw] { return r }
    let r = RFMComputation.compute(stats: st, today: today.raw)
    rfmCache[today.raw] = r
    return r
  }

  /// BG/NBD and Gamma-Gamma fitted on the orders up to `calibrationEnd` (cached).
  public func model(calibrationEnd: Day) throws -> CustomerModel {
    lock.lock()
    if let m = modelCache[calibrationEnd.raw] {
      lock.unlock()
      return m
    }
    lock.unlock()
    let m = try CustomerModel.fit(cube: cube, calibrationEnd: calibrationEnd)
    lock.lock()
    modelCache[calibrationEnd.raw] = m
    lock.unlock()
    return m
  }

  func fittedModel(_ ctx: ExecutionContext) throws -> CustomerModel {
    do {
      return try model(calibrationEnd: ctx.plan.today)
    } catch let e as PredictionError {
      throw ExecutionError(ctx.lang == .zh ? e.chineseDescription : e.description)
    }
  }

  public func run(_ plan: Plan, language: Language) throws -> ResultTable {
    let ctx = try ExecutionContext(cube: cube, plan: plan, lang: language, topics: topics, stats: stats(plan.today.raw),
                                   parallelism: parallelism) { [unowned self] in
      self.segments(today: plan.today)
    }
    if let a = plan.analysis { return try Analyses.run(ctx, a, executor: self) }
    if plan.list == .churnRisk {
      let m = try fittedModel(ctx)
      var t = ChurnRiskList.run(ctx, model: m)
      t.notes.insert(ctx.modelNote(m), at: 0)
      return t
    }
    if let set = plan.list { return try CustomerList.run(ctx, set: set) }
    if let cohort = plan.cohort { return Cohorts.run(ctx, cohort) }
    return try figuresTable(ctx)
  }

  /// Runs a plan tree: each aggregate block on the cube, then the nodes above combine them.
  public func run(_ tree: LogicalPlan, language: Language) throws -> ResultTable {
    switch tree {
    case .aggregate(let p): return try run(p, language: language)
    case .share(let part, let whole):
      return ShareOperator.combine(part: try run(part, language: language), whole: try run(whole, language: language), language: language)
    case .difference(let d, let a, let b, let input):
      return DifferenceOperator.combine(try run(input, language: language), dimension: d, a: a, b: b, language: language)
    case .stack(let key, let parts):
      return StackOperator.combine(try parts.map { ($0.label, try run($0.plan, language: language)) }, key: key, language: language)
    }
  }

  func groups(_ ctx: ExecutionContext, _ keys: GroupKeys, metric: MetricID, period: DateRange?) throws -> [Int64: Figures] {
    if metric.formula != nil { return try ctx.catalogFigures(keys, period: period, metric: metric) }
    switch ctx.basis(metric) {
    case .orders: return ctx.orderFigures(keys, period: period, items: false)
    case .items: return ctx.orderFigures(keys, period: period, items: true)
    case .feedback: return try ctx.feedbackFigures(keys, period: period)
    case .states: return ctx.stateFigures(keys)
    case .customerTable: return ctx.customerTableFigures(keys, period: period)
    case .model: return try ctx.modelFigures(keys, metric: metric, model: fittedModel(ctx))
    }
  }

  func figuresTable(_ ctx: ExecutionContext) throws -> ResultTable {
    let plan = ctx.plan
    let lang = ctx.lang
    let metrics = plan.metrics.isEmpty ? [MetricID.sales] : plan.metrics
    if CustomerRanking.applies(ctx, metrics) { return CustomerRanking.run(ctx, metric: metrics[0]) }
    // The time axis: the asked period, else the units that have data (up to today).
    var axis = plan.period
    if axis == nil, plan.timeGrain != nil, let r = cube.dateRange {
      axis = DateRange(r.start, min(r.end, plan.today))
    }
    let keys = ctx.groupKeys(period: axis, dataRange: cube.dateRange)
    var perMetric: [[Int64: Figures]] = []
    for m in metrics { perMetric.append(try groups(ctx, keys, metric: m, period: plan.period)) }

    // All keys: every time unit of the axis (crossed with the other groups that have data).
    var allKeys = Set<Int64>()
    for g in perMetric { allKeys.formUnion(g.keys) }
    // (Only for series and small crossings: a customer × month table is never zero-filled.)
    if let gi = keys.parts.firstIndex(where: { $0.grain != nil }), axis != nil,
      keys.parts.allSatisfy({ $0.grain != nil || ($0.dimension != .customer && $0.cardinality <= 200) }) {
      let card = keys.parts[gi].cardinality
      let stride = keys.strides[gi]
      var others = Set<Int64>()
      for k in allKeys { others.insert(k - (k / stride % Int64(card)) * stride) }
      if keys.parts.count == 1 { others = [0] }
      for o in others { for t in 0..<card { allKeys.insert(o + Int64(t) * stride) } }
    }
    if keys.parts.isEmpty { allKeys = [0] }
    // Segment and topic groups exist only for customers in them.
    if let si = keys.parts.firstIndex(where: { $0.dimension == .segment || $0.dimension == .topic }) {
      allKeys = allKeys.filter { keys.decode($0)[si] != 0 }
    }

    // A ranking over many groups keeps only the groups that can make the top N (values at
    // least as good as the N-th, ties included) before rows are built.
    if let rk = plan.ranking, plan.comparison == nil, !plan.share, allKeys.count > rk.limit * 8, let m0 = metrics.first {
      var scored: [(Int64, Double)] = []
      scored.reserveCapacity(allKeys.count)
      for k in allKeys {
        // the value rows will show: a group missing from this figure's scan counts as empty
        if let v = perMetric[0][k].map({ $0.value(m0) }) ?? Figures().value(m0) { scored.append((k, rankValue(v))) }
      }
      if scored.count >= rk.limit {
        var vals = scored.map(\.1)
        vals.sort(by: rk.descending ? (>) : (<))
        let cut = vals[rk.limit - 1]
        allKeys = Set(scored.lazy.filter { rk.descending ? $0.1 >= cut : $0.1 <= cut }.map(\.0))
      }
    }
    var rows: [(key: Int64, codes: [Int], values: [Double?])] = []
    for k in allKeys {
      let vals = metrics.enumerated().map { (i, m) -> Double? in
        perMetric[i][k].map { $0.value(m) } ?? Figures().value(m)
      }
      rows.append((k, keys.decode(k), vals))
    }

    // Comparison: the same figures for the comparison period, side by side.
    // A time series is compared unit by unit: the k-th unit of the period with the k-th unit
    // of the comparison period (none where that period has fewer units).
    var compareValues: [Int64: [Double?]]?
    if plan.comparison != nil, let cp = plan.comparisonPeriod {
      let ckeys = ctx.groupKeys(period: cp, dataRange: cube.dateRange)
      var cm: [Int64: [Double?]] = [:]
      var per: [[Int64: Figures]] = []
      for m in metrics { per.append(try groups(ctx, ckeys, metric: m, period: cp)) }
      for r in rows {
        var ck: Int64? = 0
        for (j, p) in ckeys.parts.enumerated() {
          let code = r.codes[j]
          if p.grain != nil && code >= p.cardinality { ck = nil; break }
          ck = ck.map { $0 + Int64(code) * ckeys.strides[j] }
        }
        cm[r.key] = metrics.enumerated().map { (i, m) in ck.flatMap { per[i][$0].map { $0.value(m) } ?? Figures().value(m) } ?? nil }
      }
      compareValues = cm
    }

    // Order: rankings by the figure (ties by key), time ascending, topics by count, else by key.
    let sortKey: (Int, [Int]) -> Value = { j, codes in
      let p = keys.parts[j]
      if p.grain != nil { return .int(Int64(codes[j])) }
      guard let d = p.dimension else { return .null }
      return ctx.label(d, code: Int32(codes[j] - 1))
    }
    func keyLess(_ a: [Int], _ b: [Int]) -> Bool {
      for j in keys.parts.indices where a[j] != b[j] {
        let va = sortKey(j, a), vb = sortKey(j, b)
        return valueLess(va, vb)
      }
      return false
    }
    let byFigure = plan.ranking != nil || (keys.parts.count == 1 && keys.parts[0].dimension == .topic)
    if byFigure {
      let desc = plan.ranking?.descending ?? true
      func before(_ a: (key: Int64, codes: [Int], values: [Double?]), _ b: (key: Int64, codes: [Int], values: [Double?])) -> Bool {
        let x = a.values[0], y = b.values[0]
        switch (x, y) {
        case (nil, nil): return keyLess(a.codes, b.codes)
        case (nil, _): return false
        case (_, nil): return true
        case (let x?, let y?):
          let (x, y) = (rankValue(x), rankValue(y))
          if x != y { return desc ? x > y : x < y }
          return keyLess(a.codes, b.codes)
        }
      }
      if let limit = plan.ranking?.limit, limit * 8 < rows.count {
        // Top N without sorting everything: a small sorted list, most rows rejected at once.
        var top: [(key: Int64, codes: [Int], values: [Double?])] = []
        top.reserveCapacity(limit + 1)
        for r in rows {
          if top.count == limit, let last = top.last, !before(r, last) { continue }
          let at = top.firstIndex { before(r, $0) } ?? top.count
          top.insert(r, at: at)
          if top.count > limit { top.removeLast() }
        }
        rows = top
      } else {
        rows.sort(by: before)
        if let limit = plan.ranking?.limit, rows.count > limit { rows.removeLast(rows.count - limit) }
      }
    } else {
      rows.sort { keyLess($0.codes, $1.codes) }
    }

    // Columns.
    var columns: [ResultColumn] = []
    for p in keys.parts {
      if let g = p.grain {
        columns.append(ResultColumn(id: g.rawValue, title: g.title(lang), format: .period, isKey: true))
      } else if let d = p.dimension {
        columns.append(ResultColumn(id: d.rawValue, title: d.title(lang), format: .label, isKey: true))
        if d == .customer, cube.customers.name != nil {
          columns.append(ResultColumn(id: "name", title: lang == .zh ? "姓名" : "name", format: .label, isKey: false))
        }
      }
    }
    for m in metrics { columns.append(ResultColumn(id: m.rawValue, title: m.title(lang), format: m.format, isKey: false)) }
    // Shares: of the same figure over all groups; for a kind of customer with no grouping
    // (复购客户占比, 新客占比), of the buyers in the period (semantics.md "share").
    var shareTotals: [Double]?
    if plan.share {
      var totals: [Double] = []
      for (i, m) in metrics.enumerated() {
        if keys.parts.isEmpty, m.customerSet != nil, m != .buyers, m != .customers, !m.isState {
          let b = try groups(ctx, keys, metric: .buyers, period: plan.period)
          totals.append(Double(b[0]?.buyers ?? 0))
        } else if keys.parts.isEmpty, m.isState, m != .churnRate {
          totals.append(Double(try groups(ctx, keys, metric: m, period: nil)[0]?.withOrders ?? 0))
        } else if keys.parts.isEmpty {
          totals.append(rows.reduce(0) { $0 + ($1.values[i] ?? 0) })
        } else {
          // The same figure over all groups, the unknown group included.
          let all = try groups(ctx, GroupKeys(parts: []), metric: m, period: plan.period)
          totals.append(all[0].flatMap { $0.value(m) } ?? 0)
        }
      }
      shareTotals = totals
    }
    if plan.share {
      for m in metrics {
        columns.append(ResultColumn(id: m.rawValue + "_share", title: lang == .zh ? "\(m.title(lang))占比" : "share of \(m.title(lang))", format: .rate, isKey: false))
      }
    }
    if plan.comparison != nil && plan.comparisonPeriod != nil {
      let prevTitle = plan.comparison == .yearOverYear ? (lang == .zh ? "去年同期" : "same period last year") : (lang == .zh ? "上期" : "previous period")
      for m in metrics {
        columns.append(ResultColumn(id: m.rawValue + "_previous", title: "\(prevTitle) \(m.title(lang))", format: m.format, isKey: false))
        columns.append(ResultColumn(id: m.rawValue + "_change", title: lang == .zh ? "变化" : "change", format: m.format == .rate ? .points : (m.format == .count ? .number : m.format), isKey: false))
        columns.append(ResultColumn(id: m.rawValue + "_change_rate", title: lang == .zh ? "变化率" : "change rate", format: .rate, isKey: false))
      }
    }

    var out: [[Value]] = []
    for r in rows {
      var line: [Value] = []
      for (j, p) in keys.parts.enumerated() {
        if let g = p.grain {
          line.append(.string(g.label(ofIndex: p.base + r.codes[j])))
        } else if let d = p.dimension {
          line.append(ctx.label(d, code: Int32(r.codes[j] - 1)))
          if d == .customer, let names = cube.customers.name {
            let c = r.codes[j] - 1
            line.append(c >= 0 ? names.value(c).map(Value.string) ?? .null : .null)
          }
        }
      }
      for (i, m) in metrics.enumerated() { line.append(cell(r.values[i], m)) }
      if let totals = shareTotals {
        for i in metrics.indices { line.append(totals[i] == 0 ? .null : r.values[i].map { .double($0 / totals[i]) } ?? .null) }
      }
      if let cm = compareValues {
        for (i, m) in metrics.enumerated() {
          let cur = r.values[i], prev = cm[r.key]?[i] ?? nil
          line.append(cell(prev, m))
          if let c = cur, let p = prev {
            line.append(m.format == .count ? .double(c - p) : .double(c - p))
            line.append(p == 0 ? .null : .double((c - p) / abs(p)))
          } else {
            line.append(.null)
            line.append(.null)
          }
        }
      }
      out.append(line)
    }
    let shape: ResultShape
    if plan.comparison != nil && keys.parts.isEmpty {
      shape = .comparison
    } else if keys.parts.isEmpty {
      shape = .scalar
    } else if plan.timeGrain != nil && keys.parts.count == 1 {
      shape = .series
    } else if plan.ranking != nil {
      shape = .ranking
    } else {
      shape = .breakdown
    }
    var notes: [String] = []
    if metrics.contains(where: \.isModel) { notes.append(ctx.modelNote(try fittedModel(ctx))) }
    return ResultTable(columns: columns, rows: out, shape: shape, notes: notes)
  }

  func cell(_ v: Double?, _ m: MetricID) -> Value {
    guard let v else { return .null }
    if m.format == .count, v == v.rounded(), abs(v) < 9e15 { return .int(Int64(v)) }
    return .double(v)
  }
}

/// A figure as rankings compare it: at 6 decimal places (as SQL's round(x, 6), half away from
/// zero), so that sums equal but for floating-point rounding (summed in another order) tie
/// and are ordered by key, as semantics.md's "ties broken by the key ascending" asks.
@inline(__always) func rankValue(_ v: Double) -> Double {
  guard v.isFinite, abs(v) < 9e9 else { return v }
  return (v * 1e6).rounded(.toNearestOrAwayFromZero) / 1e6
}

/// Orders values for keys: NULL (unknown) first, numbers before text, text by code points.
func valueLess(_ a: Value, _ b: Value) -> Bool {
  switch (a, b) {
  case (.null, .null): return false
  case (.null, _): return true
  case (_, .null): return false
  case (.int(let x), .int(let y)): return x < y
  case (.double(let x), .double(let y)): return x < y
  case (.int(let x), .double(let y)): return Double(x) < y
  case (.double(let x), .int(let y)): return x < Double(y)
  case (.string(let x), .string(let y)): return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars)
  case (.string, _): return false
  case (_, .string): return true
  }
}
