// Plan → one SQL statement over the user's own database: the public entry point, the
// compiled form, and the state of one compilation (the plan, the mapping, the CTEs so far).
//
// The statement returns the rows of the executor's `ResultTable` for the same plan: the same
// columns in the same order and units (rates as fractions, group keys labelled as the
// executor labels them), computed as ../shared/docs/semantics.md defines them. Values taken
// from the question (filter values, dates, thresholds, limits) are bound parameters only.
//
// Layout: SQL+Sources (the mapped tables read as the loader reads them), SQL+RFM, SQL+Filters,
// SQL+Time (time keys and axes), SQL+Figures (built-in and catalog metrics), SQL+Lists,
// SQL+Cohorts, SQL+Tree (a plan tree — shares, differences — as one statement).

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

/// A column of a compiled figures statement.
struct OutputColumn {
  var id: String
  var isKey: Bool
  var numeric: Bool
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
  /// The stored column types (typed engines); nil for SQLite, whose values are read as the loader reads them.
  public var schema: SourceSchema?
  /// Feedback topics of the grammar (their phrases decide which comments are about them).
  public let topics: [Topic]
  /// Event-type values → funnel steps (grammars/analysis/events.rules), for funnels.
  public var eventSteps: [String: FunnelStep] = [:]

  public init(mapping: DataMapping, dialect: SQLDialect = .sqlite, schema: SourceSchema? = nil, topics: [Topic]) {
    self.mapping = mapping
    self.dialect = dialect
    self.schema = dialect == .sqlite ? nil : schema
    self.topics = topics
  }

  /// A compilation of `plan` (its source CTEs read typed columns when there is a schema).
  func compilation(_ plan: Plan, language: Language, store: CTEStore = CTEStore(), prefix: String = "") throws -> Compilation {
    if dialect != .sqlite && schema == nil {
      throw SQLCompileError("SQL for \(dialect.engineName) reads typed tables: the compiler needs their column types (a SourceSchema)")
    }
    return uncheckedCompilation(plan, language: language, store: store, prefix: prefix)
  }

  func uncheckedCompilation(_ plan: Plan, language: Language, store: CTEStore = CTEStore(), prefix: String = "") -> Compilation {
    let c = Compilation(mapping: mapping, dialect: dialect, topics: topics, plan: plan, language: language, store: store, prefix: prefix)
    c.eventSteps = eventSteps
    if let schema { c.reader = TypedReader(d: dialect, schema: schema, integerKeys: schema.keysAreIntegers(mapping)) }
    return c
  }

  /// The statement answering `plan`, with labels (RFM segment names) in `language`.
  ///
  /// - Throws: `SQLCompileError` for plans the data cannot answer (a feedback figure without a
  ///   feedback table, a category filter without order items), as the executor does.
  public func compile(_ plan: Plan, language: Language) throws -> CompiledSQL {
    let c = try compilation(plan, language: language)
    let body = try c.statement()
    let full = c.withClause() + body
    let (sql, parameters) = full.parameterized { dialect.placeholder($0, $1) }
    return CompiledSQL(sql: sql, parameters: parameters, literalSQL: full.literal(dialect.literal))
  }

  /// The RFM table as of `today` (semantics.md "RFM"): one row per customer with an order up
  /// to today, by id — customer, [name], recency, frequency, monetary, r_score, f_score,
  /// m_score, segment (`Segment.name(language)`).
  /// The normalize stage as views `wenshu_<name>` (name, body), in dependency order: what the
  /// plan SQL reads, for a DBA to create (Wenshu inlines them as CTEs: a read-only session
  /// cannot create views).
  public func normalizeViews() throws -> [(name: String, body: String)] {
    let c = try compilation(Plan(today: Day(year: 2000, month: 1, day: 1)), language: .en)
    c.sourcePrefix = "wenshu_"
    try c.normalizeStage()
    return c.store.items.map { ($0.name, $0.body.literal(dialect.literal)) }
  }

  /// On a typed engine the compiler must have a `schema`.
  public func compileRFM(today: Day, language: Language) -> CompiledSQL {
    let c = uncheckedCompilation(Plan(today: today), language: language)
    c.forceRFM = true
    let body = c.rfmStatement()
    let full = c.withClause() + body
    let (sql, parameters) = full.parameterized { dialect.placeholder($0, $1) }
    return CompiledSQL(sql: sql, parameters: parameters, literalSQL: full.literal(dialect.literal))
  }
}

/// The common table expressions of one statement, in the order they were written (one store
/// may serve several compilations: the blocks of a plan tree).
final class CTEStore {
  var items: [(name: String, body: SQL, materialized: Bool)] = []
  var recursive = false
}

/// One compilation: the plan and the common table expressions written so far.
final class Compilation {
  let mapping: DataMapping
  let d: SQLDialect
  let topics: [Topic]
  let plan: Plan
  let lang: Language
  let store: CTEStore
  /// Prefix of this compilation's own CTE names (the blocks of a tree share the source CTEs).
  let prefix: String
  /// Join RFM columns even when the plan does not group or filter by segment.
  var forceRFM = false
  /// The output columns of a figures statement (id, key, numeric), once it is written.
  var outputColumns: [OutputColumn]?
  /// Event-type values → funnel steps (SQL+Analysis.swift).
  var eventSteps: [String: FunnelStep] = [:]
  /// Reads typed stored columns (typed engines); nil: SQLite's untyped values, read as the loader reads them.
  var reader: TypedReader?
  /// Add the ORDER BY terms of a figures statement as columns ob0, ob1, … (a block of a tree
  /// on an engine that does not keep a subquery's order), and the window order over them.
  var orderColumns = false
  var windowOrder: [String] = []
  /// Prefix of the source CTE names ("wenshu_" when they are printed as views).
  var sourcePrefix = ""

  init(mapping: DataMapping, dialect: SQLDialect, topics: [Topic], plan: Plan, language: Language,
       store: CTEStore = CTEStore(), prefix: String = "") {
    self.mapping = mapping
    self.d = dialect
    self.topics = topics
    self.plan = plan
    self.lang = language
    self.store = store
    self.prefix = prefix
  }

  /// CTEs that depend only on the mapping and today: shared by every block of a tree.
  static let sourceNames: Set<String> = ["km", "cs0", "cs", "o0", "o", "ol", "st", "u", "ht", "it", "fb0", "fb", "tp", "ft", "rm", "ur", "rq"]

  /// The name a CTE of this compilation goes by in the statement.
  func cteName(_ name: String) -> String {
    if Compilation.sourceNames.contains(name) { return sourcePrefix + name }
    return prefix + name
  }

  /// The name of a CTE, writing it (after the CTEs its body uses) the first time.
  @discardableResult
  func cte(_ short: String, recursive isRecursive: Bool = false, materialized: Bool = false, _ body: () throws -> SQL) rethrows -> String {
    let name = cteName(short)
    if store.items.contains(where: { $0.name == name }) { return name }
    let b = try body()
    if !store.items.contains(where: { $0.name == name }) {
      store.items.append((name, b, materialized))
      if isRecursive { store.recursive = true }
    }
    return name
  }

  func withClause() -> SQL {
    guard !store.items.isEmpty else { return SQL() }
    let items = store.items.map { "\(raw: $0.name) AS \(raw: $0.materialized ? d.materialized : "")(\n  \($0.body)\n)" as SQL }
    return "\(raw: store.recursive ? d.withRecursive ?? "WITH" : "WITH") " + items.joined(",\n") + "\n"
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
