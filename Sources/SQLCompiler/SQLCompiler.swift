// Plan → one SQL statement over the user's own database: the public entry point, the
// compiled form, and the state of one compilation (the plan, the mapping, the CTEs so far).
//
// The statement returns the rows of the executor's `ResultTable` for the same plan: the same
// columns in the same order and units (rates as fractions, group keys labelled as the
// executor labels them), computed as ../shared/docs/semantics.md defines them. Values taken
// from the question (filter values, dates, thresholds, limits) are bound parameters only.
//
// Layout: SQL+Sources (the mapped tables read as the loader reads them), SQL+RFM, SQL+Filters,
// SQL+Time (time keys and axes), SQL+Figures, SQL+Lists, SQL+Cohorts.

import CubeSQLite
import QueryModel

/// A compiled plan: one statement (a WITH list allowed) and its parameters.
///
///     let compiled = try SQLCompiler(mapping: db.mapping, topics: topics).compile(plan, language: .zh)
///     let rows = try SQLiteDatabase(path: path).rows(compiled.sql, compiled.parameters)
///     print(compiled.literalSQL)   // the same statement, runnable in the sqlite3 shell
public struct CompiledSQL: Sendable, Hashable {
  /// The statement with a placeholder (`?` in SQLite) for each value.
  public var sql: String
  /// The values of the placeholders, in order.
  public var parameters: [SQLValue]
  /// The same statement with every value written as a safely quoted literal.
  public var literalSQL: String

  public init(sql: String, parameters: [SQLValue], literalSQL: String) {
    self.sql = sql
    self.parameters = parameters
    self.literalSQL = literalSQL
  }
}

/// A plan that cannot be compiled for this data (the executor refuses the same plans).
public struct SQLCompileError: Error, CustomStringConvertible, Sendable {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// Compiles plans to SQL over the database described by a `DataMapping`.
///
///     let db = try CubeLoader.load(path: "retail_cn.sqlite")
///     let compiler = SQLCompiler(mapping: db.mapping, topics: vocabulary.topics)
///     let c = try compiler.compile(plan, language: .zh)
///     // c.sql: "WITH RECURSIVE km AS (…) SELECT … LIMIT ?", c.parameters: [.text("2026-11-22"), …]
public struct SQLCompiler: Sendable {
  public let mapping: DataMapping
  public let dialect: SQLDialect
  /// Feedback topics of the grammar (their phrases decide which comments are about them).
  public let topics: [Topic]
  /// Event-type values → funnel steps (grammars/analysis/events.rules), for funnels.
  public var eventSteps: [String: FunnelStep] = [:]

  public init(mapping: DataMapping, dialect: SQLDialect = .sqlite, topics: [Topic]) {
    self.mapping = mapping
    self.dialect = dialect
    self.topics = topics
  }

  /// The statement answering `plan`, with labels (RFM segment names) in `language`.
  ///
  /// - Throws: `SQLCompileError` for plans the data cannot answer (a feedback figure without a
  ///   feedback table, a category filter without order items), as the executor does.
  public func compile(_ plan: Plan, language: Language) throws -> CompiledSQL {
    let c = Compilation(mapping: mapping, dialect: dialect, topics: topics, plan: plan, language: language)
    c.eventSteps = eventSteps
    let body = try c.statement()
    let full = c.withClause() + body
    let (sql, parameters) = full.parameterized(dialect.placeholder)
    return CompiledSQL(sql: sql, parameters: parameters, literalSQL: full.literal(dialect.literal))
  }

  /// The RFM table as of `today` (semantics.md "RFM"): one row per customer with an order up
  /// to today, by id — customer, [name], recency, frequency, monetary, r_score, f_score,
  /// m_score, segment (`Segment.name(language)`).
  public func compileRFM(today: Day, language: Language) -> CompiledSQL {
    let c = Compilation(mapping: mapping, dialect: dialect, topics: topics, plan: Plan(today: today), language: language)
    c.forceRFM = true
    let body = c.rfmStatement()
    let full = c.withClause() + body
    let (sql, parameters) = full.parameterized(dialect.placeholder)
    return CompiledSQL(sql: sql, parameters: parameters, literalSQL: full.literal(dialect.literal))
  }
}

/// One compilation: the plan and the common table expressions written so far.
final class Compilation {
  let mapping: DataMapping
  let d: SQLDialect
  let topics: [Topic]
  let plan: Plan
  let lang: Language
  private var ctes: [(name: String, body: SQL, materialized: Bool)] = []
  private var recursive = false
  /// Join RFM columns even when the plan does not group or filter by segment.
  var forceRFM = false
  /// Event-type values → funnel steps (SQL+Analysis.swift).
  var eventSteps: [String: FunnelStep] = [:]

  init(mapping: DataMapping, dialect: SQLDialect, topics: [Topic], plan: Plan, language: Language) {
    self.mapping = mapping
    self.d = dialect
    self.topics = topics
    self.plan = plan
    self.lang = language
  }

  /// The name of a CTE, writing it (after the CTEs its body uses) the first time.
  @discardableResult
  func cte(_ name: String, recursive isRecursive: Bool = false, materialized: Bool = false, _ body: () throws -> SQL) rethrows -> String {
    if ctes.contains(where: { $0.name == name }) { return name }
    let b = try body()
    if !ctes.contains(where: { $0.name == name }) {
      ctes.append((name, b, materialized))
      if isRecursive { recursive = true }
    }
    return name
  }

  func withClause() -> SQL {
    guard !ctes.isEmpty else { return SQL() }
    let items = ctes.map { "\(raw: $0.name) AS \(raw: $0.materialized ? d.materialized : "")(\n  \($0.body)\n)" as SQL }
    return "\(raw: recursive ? d.withRecursive : "WITH") " + items.joined(",\n") + "\n"
  }

  /// The main SELECT, after checking what the data can answer.
  func statement() throws -> SQL {
    try checkFilters()
    if let a = plan.analysis { return try analysisStatement(a) }
    if plan.list == .churnRisk || (plan.list == nil && plan.cohort == nil && plan.metrics.contains(where: \.isModel)) {
      throw Compilation.noModel
    }
    if let set = plan.list { return try listStatement(set) }
    if let cohort = plan.cohort { return try cohortStatement(cohort) }
    return try figuresStatement()
  }

  static let noModel = SQLCompileError(
    "model-based figures (expected purchases, CLV, P(alive), churn probability, churn risk) come from a fitted model and have no SQL form")

  // MARK: Values of the plan (always bound)

  func bind(_ v: Int) -> SQL { "\(bind: .int(Int64(v)))" }
  func bind(_ v: Double) -> SQL { "\(bind: .double(v))" }
  func bind(_ s: String) -> SQL { "\(bind: .text(s))" }

  /// The day number of a day of the plan (bound as ISO text).
  func day(_ x: Day) -> SQL { d.day(ofISO: bind(x.iso)) }
  var today: SQL { day(plan.today) }

  /// An identifier.
  func q(_ name: String) -> String { d.quote(name) }

  /// A constant of the compiler (not from the question), written as a literal.
  func constant(_ s: String) -> SQL { SQL(raw: d.literal(.text(s))) }
}
