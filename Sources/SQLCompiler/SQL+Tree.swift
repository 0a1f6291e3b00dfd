// A plan tree (QueryModel/LogicalPlan) as one statement: each aggregate block is compiled
// with its own CTE names (prefix b<i>_; the source CTEs — orders, customers, items,
// feedback, RFM — are shared), its rows numbered in the block's order, and the nodes above
// combine the blocks as the executor's operators do:
//
//   share(part, whole)   part's rows LEFT JOIN whole's rows on the whole's key columns (NULL
//                        keys match NULL keys); per figure both blocks have, the whole's value
//                        (<id>_whole) and part ÷ whole (<id>_share; NULL when either is
//                        missing or the whole is 0), as ShareOperator.
//   difference(d, a, b)  one row: the first figure of the rows whose d is a and b, and a − b,
//                        as DifferenceOperator.
//   stack(key, parts)    the parts' rows one under another, each under its label in a first
//                        key column `key`, as StackOperator.
//
// Only trees over figures blocks compile (lists and cohorts are no parts of a tree).

import CubeSQLite
import QueryModel

extension SQLCompiler {
  /// One statement for a plan tree; an aggregate leaf alone compiles as `compile(_:language:)`.
  public func compile(_ tree: LogicalPlan, language: Language) throws -> CompiledSQL {
    if case .aggregate(let p) = tree { return try compile(p, language: language) }
    // The shared source CTEs (customer figures up to today, RFM) hold for one today only.
    guard Set(tree.blocks.map(\.today)).count == 1 else { throw SQLCompileError("the blocks of a plan tree share one today") }
    let t = TreeCompilation(compiler: self, language: language)
    let (name, columns) = try t.node(tree)
    // The statement's own fragments go through a compilation of the main block (dialect, quoting).
    let c = try compilation(tree.main, language: language, store: t.store, prefix: "z_")
    let body: SQL = "SELECT \(raw: columns.map { c.q($0.id) }.joined(separator: ", ")) FROM \(raw: name) ORDER BY rn"
    let full = c.withClause() + body
    let (sql, parameters) = full.parameterized { dialect.placeholder($0, $1) }
    return CompiledSQL(sql: sql, parameters: parameters, literalSQL: full.literal(dialect.literal))
  }
}

/// The state of compiling one tree: the shared CTE store and a counter for node names.
final class TreeCompilation {
  let compiler: SQLCompiler
  let lang: Language
  let store = CTEStore()
  private var count = 0

  init(compiler: SQLCompiler, language: Language) {
    self.compiler = compiler
    self.lang = language
  }

  func compilation(_ plan: Plan, prefix: String) throws -> Compilation {
    try compiler.compilation(plan, language: lang, store: store, prefix: prefix)
  }

  /// The CTE holding a node's rows (with rn, their order) and its columns.
  func node(_ tree: LogicalPlan) throws -> (String, [OutputColumn]) {
    count += 1
    let n = count
    switch tree {
    case .aggregate(let plan):
      let c = try compilation(plan, prefix: "b\(n)_")
      guard plan.list == nil, plan.cohort == nil else {
        throw SQLCompileError("a plan tree combines figures; lists and cohorts are no parts of one")
      }
      c.orderColumns = c.d != .sqlite
      let body = try c.statement()
      guard let columns = c.outputColumns else { throw SQLCompileError("a plan tree combines figures blocks only") }
      let name = c.cte("rows") { c.numberedRows(body) }
      return (name, columns)

    case .share(let part, let whole):
      let (pn, pc) = try node(part)
      let (wn, wc) = try node(whole)
      let c = try compilation(part.main, prefix: "s\(n)_")
      let keys = wc.filter(\.isKey)
      let on: [SQL] = keys.map { k in
        pc.contains(where: { $0.isKey && $0.id == k.id }) ? c.d.isNotDistinct("p.\(raw: c.q(k.id))", "w.\(raw: c.q(k.id))")
          : "w.\(raw: c.q(k.id)) IS NULL"
      }
      let figures = pc.filter { p in !p.isKey && wc.contains { !$0.isKey && $0.id == p.id } }
      var cols: [SQL] = ["p.rn AS rn"] + pc.map { SQL(raw: "p." + c.q($0.id) + " AS " + c.q($0.id)) }
      var out = pc
      for f in figures {
        let a: SQL = "p.\(raw: c.q(f.id))", b: SQL = "w.\(raw: c.q(f.id))"
        let numeric = f.numeric && (wc.first { $0.id == f.id }?.numeric ?? false)
        cols.append("\(b) AS \(raw: c.q(f.id + "_whole"))")
        let share: SQL = numeric ? "(CASE WHEN \(a) IS NULL OR \(b) IS NULL OR \(b) = 0 THEN NULL ELSE \(c.d.real(a)) / \(b) END)" : SQL(raw: c.nullReal)
        cols.append("\(share) AS \(raw: c.q(f.id + "_share"))")
        out.append(OutputColumn(id: f.id + "_whole", isKey: false, numeric: f.numeric))
        out.append(OutputColumn(id: f.id + "_share", isKey: false, numeric: true))
      }
      let name = c.cte("rows") {
        "SELECT \(cols.joined(", ")) FROM \(raw: pn) p LEFT JOIN \(raw: wn) w ON \(allOf(on))"
      }
      return (name, out)

    case .difference(let dim, let a, let b, let input):
      let (inName, ic) = try node(input)
      guard let key = ic.first(where: { $0.isKey && $0.id == dim.rawValue }), let fig = ic.first(where: { !$0.isKey }) else {
        return (inName, ic)  // as the operator: the input unchanged
      }
      let c = try compilation(input.main, prefix: "d\(n)_")
      func pick(_ v: String) -> SQL {
        "(SELECT \(raw: c.q(fig.id)) FROM \(raw: inName) WHERE \(raw: c.q(key.id)) = \(c.bind(v)) ORDER BY rn LIMIT 1)"
      }
      let name = c.cte("rows") {
        """
        SELECT 1 AS rn, va AS \(raw: c.q(fig.id + "_a")), vb AS \(raw: c.q(fig.id + "_b")), \
        (CASE WHEN va IS NULL OR vb IS NULL THEN NULL ELSE va - vb END) AS \(raw: c.q(fig.id + "_difference")) \
        FROM (SELECT \(pick(a)) AS va, \(pick(b)) AS vb) x
        """
      }
      return (name, [
        OutputColumn(id: fig.id + "_a", isKey: false, numeric: fig.numeric),
        OutputColumn(id: fig.id + "_b", isKey: false, numeric: fig.numeric),
        OutputColumn(id: fig.id + "_difference", isKey: false, numeric: true),
      ])

    case .stack(let key, let parts):
      let c = try compilation(tree.main, prefix: "k\(n)_")
      var arms: [SQL] = []
      var columns: [OutputColumn]?
      for (i, part) in parts.enumerated() {
        let (pn, pc) = try node(part.plan)
        if columns == nil { columns = pc }
        let cols = (columns ?? pc).map { c.q($0.id) }.joined(separator: ", ")
        arms.append("SELECT \(raw: String(i)) AS pi, rn AS prn, \(c.bind(part.label)) AS \(raw: c.q(key)), \(raw: cols) FROM \(raw: pn)")
      }
      guard let first = columns, !arms.isEmpty else { throw SQLCompileError("a stack needs parts") }
      let name = c.cte("rows") {
        let cols = ([key] + first.map(\.id)).map { c.q($0) }.joined(separator: ", ")
        return "SELECT row_number() OVER (ORDER BY pi, prn) AS rn, \(raw: cols) FROM (\(arms.joined(" UNION ALL "))) x"
      }
      return (name, [OutputColumn(id: key, isKey: true, numeric: false)] + first)
    }
  }
}

extension Compilation {
  /// A block's rows numbered in its order (rn). SQLite numbers them as the ordered subquery
  /// gives them; other engines need the order in the window (ob<i> columns of the block).
  func numberedRows(_ body: SQL) -> SQL {
    if d == .sqlite { return "SELECT row_number() OVER () AS rn, x.* FROM (\(body)) x" }
    if windowOrder.isEmpty { return "SELECT 1 AS rn, x.* FROM (\(body)) x" }
    return "SELECT row_number() OVER (ORDER BY \(raw: windowOrder.joined(separator: ", "))) AS rn, x.* FROM (\(body)) x"
  }
}
