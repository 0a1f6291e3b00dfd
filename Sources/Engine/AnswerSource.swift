// Where answers come from: the one seam between "a plan tree" and "its result table".
//
//   cube      the Executor over the in-memory cube (a SQLite file, the demo, or a PostgreSQL
//             server's tables read into memory).
//   pushdown  the plan tree compiled to one SQL statement (SQLCompiler, the server's dialect)
//             and run on the PostgreSQL server; the result table is the executor's for the
//             same plan: its columns, shape and notes are laid out by the executor over the
//             data's facts (PostgresCubeLoader.RowSelection.facts: every dimension value,
//             the first and last orders), and its rows are the statement's rows, which are
//             by construction the rows the executor would give over the whole data
//             (SQLCompiler's header; checked by the differential tests). Plans without a SQL
//             form (model figures, clusters, sentiment) are refused with a pointer to
//             --engine cube. A DIFFERENCE node (A's figure, B's, A − B) is the executor's operator
//             over the server's two-row breakdown: its note on a value without data depends
//             on the rows.
//
// The Engine asks its source and finishes the table the same way for both (Finishing.swift).

import CubeSQLite
import Execution
import Foundation
import PostgresIO
import QueryModel
import SQLCompiler

/// How a database is answered.
public enum EngineKind: String, Sendable, CaseIterable {
  case cube, pushdown
}

/// The engine an Engine answers with, and why (said on stderr by the command line).
public struct EngineChoice: Sendable {
  public var kind: EngineKind
  public var reason: String
}

extension Engine {
  /// Why the customer models are not fitted under pushdown.
  public static let modelNeedsCube =
    "the customer models (BG/NBD, Gamma-Gamma) are fitted in memory over every order; under --engine pushdown only the facts are read: use --engine cube"
}

/// Answers plan trees with result tables.
public protocol AnswerSource: AnyObject, Sendable {
  func table(_ tree: LogicalPlan, language: Language) throws -> ResultTable
  /// The same source with nothing cached from earlier questions (for timings).
  func fresh() -> AnswerSource
}

extension Executor: AnswerSource {
  public func table(_ tree: LogicalPlan, language: Language) throws -> ResultTable {
    try run(tree, language: language)
  }

  public func fresh() -> AnswerSource {
    let e = Executor(cube: cube, topics: topics)
    e.analysisGrammar = analysisGrammar
    return e
  }
}

/// Answers by running each plan's SQL where the data lives.
public final class PushdownAnswers: AnswerSource, @unchecked Sendable {
  /// Lays out the result table (columns, shape, notes) over the data's facts.
  let layout: Executor
  let compiler: SQLCompiler
  /// Runs a compiled statement (values bound) and returns its rows.
  let rows: @Sendable (CompiledSQL) throws -> [[Value]]
  /// Where the SQL runs, for messages ("PostgreSQL at …").
  let place: String

  public init(layout: Executor, compiler: SQLCompiler, place: String, rows: @escaping @Sendable (CompiledSQL) throws -> [[Value]]) {
    self.layout = layout
    self.compiler = compiler
    self.place = place
    self.rows = rows
  }

  public func fresh() -> AnswerSource { self }

  public func table(_ tree: LogicalPlan, language: Language) throws -> ResultTable {
    if case .difference(let d, let a, let b, let input) = tree {
      // Two rows of a breakdown side by side: the executor's operator over the server's
      // breakdown, so that its note on a value with no data is said as the cube says it.
      return DifferenceOperator.combine(try table(input, language: language), dimension: d, a: a, b: b, language: language)
    }
    let compiled: CompiledSQL
    do {
      compiled = try compiler.compile(tree, language: language)
    } catch {
      // The cube refuses some of the same plans (a feedback figure without feedback): its
      // refusal then, in its words; else the plan has no SQL form. (Model figures are not
      // fitted over the facts to find out.)
      if !tree.blocks.contains(where: PushdownAnswers.computedInMemory) { _ = try layout.run(tree, language: language) }
      throw Refusal(PushdownAnswers.noSQL(error, language))
    }
    var table = try layout.run(tree, language: language)
    let got: [[Value]]
    do {
      got = try rows(compiled)
    } catch {
      throw Refusal((language == .zh ? "在 \(place) 上执行 SQL 失败：" : "the SQL failed on \(place): ") + String(describing: error))
    }
    if let bad = got.first(where: { $0.count != table.columns.count }) {
      throw Refusal("the SQL returned \(bad.count) columns where the answer has \(table.columns.count) (\(table.columns.map(\.id).joined(separator: ", ")))")
    }
    table.rows = got
    return table
  }

  /// Figures only the in-memory engine computes: fitted models, clusters, comment sentiment.
  static func computedInMemory(_ p: Plan) -> Bool {
    p.metrics.contains(where: \.isModel) || p.list == .churnRisk || p.analysis.map { $0.kind == .clusters || $0.kind == .sentiment } ?? false
  }

  static func noSQL(_ error: Error, _ language: Language) -> String {
    var why = String(describing: error)
    while let last = why.last, last == "." || last == "。" { why.removeLast() }
    return language == .zh
      ? "这个问题没有 SQL 形式（\(why)）。--engine pushdown 只用 SQL 在服务器上回答；请用 --engine cube（把数据载入内存）来问。"
      : "\(why). Under --engine pushdown the server answers in SQL only; ask this with --engine cube (the data loaded into memory)."
  }
}

extension PushdownAnswers {
  /// Runs the statements on a PostgreSQL server through `pool`.
  public convenience init(layout: Executor, compiler: SQLCompiler, pool: PostgresPool) {
    self.init(layout: layout, compiler: compiler, place: PostgresURL.redact(pool.url)) { c in
      try pool.rows(c.sql, c.parameters.map(PushdownAnswers.text)).map { $0.map(PushdownAnswers.value) }
    }
  }

  /// The stored kinds of the server's columns (information_schema.columns.data_type), which
  /// the compiler's normalize stage reads as the loader reads the same values.
  public static func schema(postgresTypes: [String: [String: String]]) -> SourceSchema {
    var s = SourceSchema()
    for (table, columns) in postgresTypes {
      for (column, type) in columns { s.set(table, column, SourceSchema.Kind(postgresType: type)) }
    }
    return s
  }

  /// A bound value as libpq's text form (nil: NULL).
  static func text(_ v: SQLValue) -> String? {
    switch v {
    case .null: return nil
    case .int(let i): return String(i)
    case .double(let d):
      // A whole number is written whole, so that it reads as any numeric type the server
      // infers for its placeholder (orders >= 2: bigint).
      if d.isFinite && d == d.rounded() && abs(d) < 1e15 { return String(Int64(d)) }
      return d.isFinite ? String(d) : (d.isNaN ? "NaN" : (d > 0 ? "Infinity" : "-Infinity"))
    case .text(let s): return s
    }
  }

  /// A cell as the executor writes it: integers stay integers (keys keep their type).
  static func value(_ v: PostgresValue) -> Value {
    switch v {
    case .null: return .null
    case .int(let i): return .int(i)
    case .double(let d): return d.isNaN ? .null : .double(d)
    case .bool(let b): return .int(b ? 1 : 0)
    case .text(let s), .date(let s), .timestamp(let s): return .string(s)
    }
  }
}
