// Running one plan (or plan tree) both ways and comparing: the executor on the cube, the
// compiled SQL on SQLite (parameters bound). Nothing is corrected or skipped: any
// disagreement fails, and the side that is wrong per ../shared/docs/semantics.md is fixed at
// its source.

import CubeSQLite
import Execution
import Foundation
import QueryModel
import SQLCompiler

/// The result of one plan.
struct DiffOutcome {
  var failure: String?
  /// Seconds spent in the executor (with oracle runs) and in SQLite.
  var executorSeconds = 0.0
  var sqlSeconds = 0.0
  /// Both sides refused the plan (as they must for plans the data cannot answer).
  var refused = false
}

enum DiffRunner {
  /// Runs `plan` both ways and compares.
  static func check(_ plan: Plan, _ lang: Language, _ ds: DiffDataset, seed: UInt64) -> DiffOutcome {
    check(.aggregate(plan), lang, ds, seed: seed)
  }

  /// Runs a plan tree both ways (the executor's operators; one compiled statement) and compares.
  static func check(_ tree: LogicalPlan, _ lang: Language, _ ds: DiffDataset, seed: UInt64) -> DiffOutcome {
    var out = DiffOutcome()
    let plan = tree.main
    let header = "dataset=\(ds.name) seed=\(seed) today=\(plan.today.iso) lang=\(lang.rawValue)"
      + (plan.thresholds == Thresholds() ? "" : " thresholds=\(plan.thresholds)")
      + (tree.blocks.count == 1 ? "\n  plan: \(describe(plan))" : "\n  tree: \(tree.line)\n  blocks: " + tree.blocks.map(describe).joined(separator: "\n          "))
    let t0 = Date()
    let executed: Result<ResultTable, Error> = Result { try ds.executor.run(tree, language: lang) }
    out.executorSeconds = Date().timeIntervalSince(t0)
    let compiled: Result<CompiledSQL, Error> = Result { try ds.compiler.compile(tree, language: lang) }
    switch (executed, compiled) {
    case (.failure, .failure):
      out.refused = true
      return out
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
      if let diff = compare(table, rows) {
        out.failure = "\(header)\n  \(diff)\n  SQL:\n\(c.literalSQL)\n  executor:\n\(render(table.rows))\n  SQL gave:\n\(render(rows.map { $0.map(value) }))"
      }
      return out
    }
  }

  /// A plan's line with its customer and order predicates.
  static func describe(_ p: Plan) -> String {
    "\(p)" + p.customerPredicates.map { " customers=\($0)" }.joined() + p.orderPredicates.map { " orders=\($0)" }.joined()
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

  /// The first difference, or nil.
  static func compare(_ t: ResultTable, _ rows: [[SQLValue]]) -> String? {
    if rows.count != t.rows.count { return "row count: executor \(t.rows.count), SQL \(rows.count)" }
    for (i, (er, sr)) in zip(t.rows, rows).enumerated() {
      if er.count != sr.count { return "row \(i): executor has \(er.count) columns, SQL \(sr.count)" }
      for (j, c) in t.columns.enumerated() {
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

  /// Runs a plan tree on one thread and on three; the results must be the same (keys and
  /// counts exactly, other numbers within 1e-9 relative, rows in the same order), and a
  /// refusal must be the same refusal.
  static func checkThreads(_ tree: LogicalPlan, _ lang: Language, _ ds: DiffDataset, seed: UInt64) -> String? {
    checkSame(tree, lang, ds, seed: seed, (ds.singleThreaded, "1 thread"), (ds.executor, "3 threads"))
  }

  /// Runs a plan tree on two executors, which must agree as in `checkThreads`.
  static func checkSame(_ tree: LogicalPlan, _ lang: Language, _ ds: DiffDataset, seed: UInt64,
                        _ x: (Executor, String), _ y: (Executor, String)) -> String? {
    let header = "dataset=\(ds.name) seed=\(seed) today=\(tree.main.today.iso) lang=\(lang.rawValue)\n  tree: \(tree.line)"
    let one = Result { try x.0.run(tree, language: lang) }
    let other = Result { try y.0.run(tree, language: lang) }
    switch (one, other) {
    case (.failure(let a), .failure(let b)):
      return "\(a)" == "\(b)" ? nil : "\(header)\n  refused differently: \(x.1) \(a); \(y.1) \(b)"
    case (.failure(let e), .success), (.success, .failure(let e)):
      return "\(header)\n  refused by one only: \(e)"
    case (.success(let a), .success(let b)):
      if a.columns.map(\.id) != b.columns.map(\.id) { return "\(header)\n  columns: \(a.columns.map(\.id)) vs \(b.columns.map(\.id))" }
      if let d = compare(a, b.rows.map { $0.map(sqlValue) }) {
        return "\(header)\n  \(x.1) vs \(y.1): \(d)\n  \(x.1):\n\(render(a.rows))\n  \(y.1):\n\(render(b.rows))"
      }
      return nil
    }
  }

  static func sqlValue(_ v: Value) -> SQLValue {
    switch v {
    case .null: return .null
    case .int(let i): return .int(i)
    case .double(let d): return .double(d)
    case .string(let s): return .text(s)
    }
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
