// Running one plan both ways and comparing: the executor on the cube, the compiled SQL on
// SQLite (parameters bound). Where semantics.md and the executor disagree, the expected
// table is the executor's corrected from other executor runs (shares: ÷ the ungrouped
// figure; a time series compared with another period: the comparison period's own series,
// unit by unit; month-0 retention: the cohort itself), and each disagreement is recorded as
// an executor finding. Columns that no other run can correct (units under customer
// conditions, new and returning customers whose orders all lie after today) are compared
// only to record findings.

import CubeSQLite
import Execution
import Foundation
import QueryModel
import SQLCompiler

/// A disagreement between the executor and semantics.md, with the first plan that showed it.
struct DiffFinding {
  var kind: String
  var count = 0
  var example = ""
}

/// The result of one plan.
struct DiffOutcome {
  var failure: String?
  /// Seconds spent in the executor (with oracle runs) and in SQLite.
  var executorSeconds = 0.0
  var sqlSeconds = 0.0
  /// Columns left unchecked (known executor deviations no other run can correct); all = the
  /// whole table.
  var unchecked: (columns: Int, of: Int) = (0, 0)
  var findings: [(kind: String, example: String)] = []
}

enum DiffRunner {
  /// Runs `plan` both ways and compares.
  static func check(_ plan: Plan, _ lang: Language, _ ds: DiffDataset, seed: UInt64) -> DiffOutcome {
    var out = DiffOutcome()
    let header = "dataset=\(ds.name) seed=\(seed) today=\(plan.today.iso) lang=\(lang.rawValue)"
      + (plan.thresholds == Thresholds() ? "" : " thresholds=\(plan.thresholds)") + "\n  plan: \(plan)"
    let t0 = Date()
    let executed: Result<ResultTable, Error> = Result { try ds.executor.run(plan, language: lang) }
    out.executorSeconds = Date().timeIntervalSince(t0)
    let compiled: Result<CompiledSQL, Error> = Result { try ds.compiler.compile(plan, language: lang) }
    switch (executed, compiled) {
    case (.failure, .failure): return out
    case (.failure(let e), .success(let c)):
      out.failure = "\(header)\n  the executor refused (\(e)) but the compiler did not:\n\(c.literalSQL)"
      return out
    case (.success, .failure(let e)):
      out.failure = "\(header)\n  the compiler refused: \(e)"
      return out
    case (.success(let table), .success(let c)):
      let rows: [[SQLValue]]
      do {
        let t1 = Date()
        rows = try ds.withConnection { try $0.rows(c.sql, c.parameters) }
        out.sqlSeconds = Date().timeIntervalSince(t1)
      } catch {
        out.failure = "\(header)\n  the SQL failed: \(error)\n\(c.literalSQL)"
        return out
      }
      var expected = table
      var skip = Set<Int>()
      do {
        try correct(&expected, plan, lang, ds, &out, &skip, sqlRows: rows)
      } catch {
        out.failure = "\(header)\n  an oracle run failed: \(error)"
        return out
      }
      out.unchecked = (skip.count, expected.columns.count)
      if let diff = compare(expected, rows, skip: skip) {
        out.failure = "\(header)\n  \(diff)\n  SQL:\n\(c.literalSQL)\n  expected (executor\(expected == table ? "" : ", corrected")):\n\(render(expected.rows))\n  SQL gave:\n\(render(rows.map { $0.map(value) }))"
      }
      return out
    }
  }

  // MARK: Semantics.md where the executor differs

  static func correct(_ t: inout ResultTable, _ plan: Plan, _ lang: Language, _ ds: DiffDataset, _ out: inout DiffOutcome,
                      _ skip: inout Set<Int>, sqlRows: [[SQLValue]]) throws {
    let ids = t.columns.map(\.id)
    func col(_ id: String) -> Int? { ids.firstIndex(of: id) }
    let keyCount = t.columns.prefix { $0.isKey || $0.id == "name" }.count
    let original = t
    func note(_ kind: String, _ cols: [Int]) {
      let changed = original.rows.indices.contains { i in cols.contains { j in !same(original.rows[i][j], t.rows[i][j], exact: false) } }
      if changed { out.findings.append((kind, "\(plan) today=\(plan.today.iso) on \(ds.name)")) }
    }

    // Cohort month 0: every cohort customer ordered in the cohort month.
    if let c = plan.cohort, c.monthsAfter == 0, let size = col("cohort_size"), let kept = col("retained"), let rate = col("retention_rate") {
      for i in t.rows.indices {
        let n = t.rows[i][size]
        t.rows[i][kept] = n
        t.rows[i][rate] = (n.doubleValue ?? 0) > 0 ? .double(1) : .null
      }
      note("month-0 retention is 0 instead of 1 (Cohorts.swift never sets bit 0)", [kept, rate])
    }
    // Negated channel or topic filters, several topic filters: the executor ignores negation.
    let negatedIgnored = plan.filters.contains { ($0.dimension == .channel || $0.dimension == .topic) && $0.negated }
      || plan.filters.filter { $0.dimension == .topic }.count > 1
    if negatedIgnored {
      if !sameRows(t, sqlRows) { out.findings.append(("negated channel/topic filters are applied as positive ones", "\(plan) today=\(plan.today.iso) on \(ds.name)")) }
      skip = Set(t.columns.indices)
      return
    }

    guard plan.list == nil, plan.cohort == nil else {
      if let set = plan.list, set == .new || set == .returning, futureOnlyCustomers(plan, ds) {
        // Customers whose orders all lie after today: the executor counts them returning.
        if !sameRows(t, sqlRows) { out.findings.append(("new/returning lists with orders after today (nullDay compares below every date)", "\(plan) today=\(plan.today.iso) on \(ds.name)")) }
        skip = Set(t.columns.indices)
        t.rows = sqlRows.map { $0.map(value) }
      }
      return
    }
    let metrics = plan.metrics.isEmpty ? [MetricID.sales] : plan.metrics

    // Units under customer conditions: the executor leaves them unrestricted.
    if !plan.conditions.isEmpty, let i = metrics.firstIndex(of: .units) {
      var cols = [keyCount + i]
      if let s = col("units_share") { cols.append(s) }
      if let p = col("units_previous") { cols += [p, p + 1, p + 2] }
      let differs = t.rows.indices.contains { r in r < sqlRows.count && cols.contains { !same(t.rows[r][$0], value(sqlRows[r][$0]), exact: false) } }
      if differs && t.rows.count == sqlRows.count { out.findings.append(("units ignore customer conditions (sales and orders do not)", "\(plan) today=\(plan.today.iso) on \(ds.name)")) }
      skip.formUnion(cols)
    }

    // New and returning customers whose orders all lie after today.
    if futureOnlyCustomers(plan, ds) {
      for (i, m) in metrics.enumerated() where m == .newCustomers || m == .returningCustomers {
        var cols = [keyCount + i]
        if let s = col(m.rawValue + "_share") { cols.append(s) }
        if let p = col(m.rawValue + "_previous") { cols += [p, p + 1, p + 2] }
        let differs = t.rows.indices.contains { r in r < sqlRows.count && cols.contains { !same(t.rows[r][$0], value(sqlRows[r][$0]), exact: false) } }
        if differs && t.rows.count == sqlRows.count { out.findings.append(("new/returning customers with orders after today (nullDay compares below every date)", "\(plan) today=\(plan.today.iso) on \(ds.name)")) }
        skip.formUnion(cols)
      }
    }

    // A ranking by a figure that cannot be checked orders and cuts the rows by it.
    let byFigure = plan.ranking != nil || (plan.groupBy == [.topic] && plan.timeGrain == nil)
    if byFigure && skip.contains(keyCount) {
      skip = Set(t.columns.indices)
      return
    }

    // Shares over groups: ÷ the same figure with no grouping.
    let grouped = !plan.groupBy.isEmpty || plan.timeGrain != nil
    if plan.share && grouped {
      var total = plan
      total.groupBy = []
      total.timeGrain = nil
      total.ranking = nil
      total.comparison = nil
      total.comparisonPeriod = nil
      total.share = false
      // Figures grouped by category or product stay item figures (q × price) in the total.
      if plan.groupBy.contains(where: \.isItemAttribute), !plan.filters.contains(where: { $0.dimension.isItemAttribute }) {
        let dim: DimensionID = ds.loaded.mapping.items?.category != nil ? .category : .product
        total.filters.append(Filter(dim, ["\u{1}none"], negated: true))
      }
      let totals = try ds.executor.run(total, language: lang).rows.first ?? []
      var cols: [Int] = []
      for (i, m) in metrics.enumerated() {
        guard let s = col(m.rawValue + "_share") else { continue }
        cols.append(s)
        let tv = totals.count > i ? totals[i].doubleValue : nil
        for r in t.rows.indices {
          let v = t.rows[r][keyCount + i].doubleValue
          if let v, let tv, tv != 0 { t.rows[r][s] = .double(v / tv) } else { t.rows[r][s] = .null }
        }
      }
      note("shares divide by the sum of the rows shown, not the figure over all groups", cols)
    }

    // A time series compared with another period: unit k against the comparison period's unit k.
    if plan.comparison != nil, let cp = plan.comparisonPeriod, let g = plan.timeGrain, let p = plan.period {
      var other = plan
      other.period = cp
      other.comparison = nil
      other.comparisonPeriod = nil
      other.share = false
      other.ranking = nil
      let prev = try ds.executor.run(other, language: lang)
      let others = keyCount - 1  // keys before the time column
      var lookup: [[Value]: [Value]] = [:]
      for row in prev.rows {
        guard let label = row[others].stringValue, let start = unitStart(label, g) else { continue }
        let pos = g.index(of: start) - g.index(of: cp.start)
        lookup[Array(row[0..<others]) + [.int(Int64(pos))]] = Array(row[keyCount..<(keyCount + metrics.count)])
      }
      let cpUnits = g.index(of: cp.end) - g.index(of: cp.start) + 1
      var cols: [Int] = []
      for r in t.rows.indices {
        guard let label = t.rows[r][others].stringValue, let start = unitStart(label, g) else { continue }
        let pos = g.index(of: start) - g.index(of: p.start)
        let found = lookup[Array(t.rows[r][0..<others]) + [.int(Int64(pos))]]
        for (i, m) in metrics.enumerated() {
          guard let pc = col(m.rawValue + "_previous") else { continue }
          if r == 0 { cols += [pc, pc + 1, pc + 2] }
          var pv: Value
          if pos >= cpUnits {
            pv = .null
          } else if let found {
            pv = found[i]
          } else {
            pv = [.repeatRate, .churnRate, .aov, .spendPerBuyer, .nps, .averageScore, .retention].contains(m) ? .null
              : (m.format == .count ? .int(0) : .double(0))
          }
          t.rows[r][pc] = pv
          if let c = t.rows[r][keyCount + i].doubleValue, let pd = pv.doubleValue {
            t.rows[r][pc + 1] = .double(c - pd)
            t.rows[r][pc + 2] = pd == 0 ? .null : .double((c - pd) / abs(pd))
          } else {
            t.rows[r][pc + 1] = .null
            t.rows[r][pc + 2] = .null
          }
        }
      }
      note("a time series compared with another period gets 0 for the previous values (keys on the current period's units)", cols)
    }
  }

  /// Whether some customer's orders in the plan's periods may all lie after today.
  static func futureOnlyCustomers(_ plan: Plan, _ ds: DiffDataset) -> Bool {
    guard let r = ds.dataRange, r.end > plan.today else { return false }
    return [plan.period, plan.comparisonPeriod].contains { $0.map { $0.end > plan.today } ?? false }
  }

  /// The first day of a time label of a grain.
  static func unitStart(_ label: String, _ g: TimeUnit) -> Day? {
    switch g {
    case .day, .week: return Day(iso: label)
    case .month: return Day(iso: label + "-01")
    case .quarter:
      let parts = label.split(separator: "-")
      guard parts.count == 2, let y = Int(parts[0]), let q = Int(parts[1].dropFirst()) else { return nil }
      return Day(year: y, month: 3 * q - 2, day: 1)
    case .year: return Int(label).map { Day(year: $0, month: 1, day: 1) }
    }
  }

  // MARK: Comparing

  static func value(_ v: SQLValue) -> Value {
    switch v {
    case .null: return .null
    case .int(let i): return .int(i)
    case .double(let d): return .double(d)
    case .text(let s): return .string(s)
    }
  }

  /// Equal as the tests require: keys and text exactly, counts exactly, other numbers
  /// within 1e-9 relative.
  static func same(_ a: Value, _ b: Value, exact: Bool) -> Bool {
    if a.isNull || b.isNull { return a.isNull && b.isNull }
    switch (a, b) {
    case (.string(let x), .string(let y)): return x == y
    case (.string, _), (_, .string): return false
    default:
      guard let x = a.doubleValue, let y = b.doubleValue else { return false }
      if exact { return x == y }
      return abs(x - y) <= 1e-9 * max(1, abs(x), abs(y))
    }
  }

  static func sameRows(_ t: ResultTable, _ rows: [[SQLValue]]) -> Bool {
    compare(t, rows, skip: []) == nil
  }

  /// The first difference, or nil.
  static func compare(_ t: ResultTable, _ rows: [[SQLValue]], skip: Set<Int>) -> String? {
    if !t.columns.isEmpty && skip.isSuperset(of: t.columns.indices) { return nil }
    if rows.count != t.rows.count { return "row count: executor \(t.rows.count), SQL \(rows.count)" }
    for (i, (er, sr)) in zip(t.rows, rows).enumerated() {
      if er.count != sr.count { return "row \(i): executor has \(er.count) columns, SQL \(sr.count)" }
      for (j, c) in t.columns.enumerated() where !skip.contains(j) {
        let a = er[j], b = value(sr[j])
        if c.isKey {
          // Keys keep their type: an integer id must come back as an integer.
          let ok: Bool
          switch (a, b) {
          case (.int(let x), .int(let y)): ok = x == y
          case (.string(let x), .string(let y)): ok = x == y
          case (.null, .null): ok = true
          default: ok = false
          }
          if !ok { return "row \(i) column \(c.id): executor \(a), SQL \(b)" }
        } else if !same(a, b, exact: c.format == .count && a.doubleValue.map { $0 == $0.rounded() } ?? false) {
          return "row \(i) column \(c.id): executor \(a), SQL \(b)"
        }
      }
    }
    return nil
  }

  static func render(_ rows: [[Value]], limit: Int = 12) -> String {
    var lines = rows.prefix(limit).map { "    " + $0.map(describe).joined(separator: " | ") }
    if rows.count > limit { lines.append("    … \(rows.count - limit) more rows") }
    return lines.isEmpty ? "    (no rows)" : lines.joined(separator: "\n")
  }

  static func describe(_ v: Value) -> String {
    switch v {
    case .null: return "NULL"
    case .int(let i): return String(i)
    case .double(let d): return String(d)
    case .string(let s): return "'\(s)'"
    }
  }
}

extension Value {
  var stringValue: String? {
    if case .string(let s) = self { return s }
    return nil
  }
}
