// Random plan trees (the differential generator and datasets) compiled for another engine and
// written as JSON lines for a script that runs them on that engine (Tests/scripts/dialect_*.py):
// each dataset once with its tables' column types (PostgresExport's rule, the types `wenshu
// export` gives on a server), then per plan the literal SQL, the rows the cube's executor gives
// and the comparison rule of DifferentialCompare as data. Skipped unless asked for:
//
//   WENSHU_DIALECT_EXPORT   the JSONL file to write
//   WENSHU_DIALECT          duckdb, spark or postgres
//   WENSHU_DIALECT_PLANS    plans (default 300); WENSHU_DIFF_SEED as in DifferentialTests
//   WENSHU_DIALECT_CASES    also every case of this acceptance file (cases.jsonl): its question planned
//                           by the engine, the plan tree run by the executor and compiled (lines
//                           with "case": id; a question the engine refuses: {"kind":"case_refused"})
//
// Lines: {"kind":"dataset","name","path","tables":{table:[[column,kind],…]},"integer_keys"}
//        (spark also "row_column": the bigint column each table must carry, the row's SQLite rowid)
//        {"kind":"plan","dataset","seed","sql","columns":[{"id","key","count"}],"rows":[[…]]}
//        (postgres also "bound_sql" with $1::type placeholders and "parameters", each a literal)
//        {"kind":"compile_error","dataset","seed","error"}   (the executor answered, the compiler refused)
//        {"kind":"refused","dataset","seed","error"}   (refused by both, or a feature the engine lacks:
//                                                     "… is not supported on <engine>", counted, not failed)
// Rows are compared in order; keys keep their type (integer or text); a count column whose
// expected value is whole compares exactly; other numbers within 1e-9 relative.

import CubeSQLite
import Engine
import Execution
import Foundation
import PostgresIO
import QueryModel
import SQLCompiler
import TestSupport
import XCTest

final class DialectExportTests: XCTestCase {
  func testExportPlans() throws {
    let env = ProcessInfo.processInfo.environment
    guard let out = env["WENSHU_DIALECT_EXPORT"], let name = env["WENSHU_DIALECT"] else {
      throw XCTSkip("set WENSHU_DIALECT_EXPORT=file.jsonl and WENSHU_DIALECT=duckdb|spark|postgres")
    }
    guard let dialect = SQLDialect(rawValue: name), dialect != .sqlite else {
      return XCTFail("WENSHU_DIALECT must be duckdb, spark or postgres, got \(name)")
    }
    let count = env["WENSHU_DIALECT_PLANS"].flatMap { Int($0) } ?? 300
    let sets = try DiffData.all()
    var lines: [String] = []
    var compilers: [String: SQLCompiler] = [:]
    for ds in sets {
      let schema = try Self.schema(ds)
      var c = SQLCompiler(mapping: ds.loaded.mapping, dialect: dialect, schema: schema, topics: ds.topics)
      c.eventSteps = ds.compiler.eventSteps
      compilers[ds.name] = c
      let tables = schema.tables.keys.sorted().map { t in
        JSON.string(t) + ": [" + (schema.tables[t] ?? [:]).sorted { $0.key < $1.key }
          .map { "[\(JSON.string($0.key)), \(JSON.string($0.value.rawValue))]" }.joined(separator: ", ") + "]"
      }
      lines.append("{\"kind\": \"dataset\", \"name\": \(JSON.string(ds.name)), \"path\": \(JSON.string(ds.path)), "
        + "\"tables\": {\(tables.joined(separator: ", "))}, \"integer_keys\": \(schema.integerKeys ?? false)"
        + (dialect.rowOrderColumn.map { ", \"row_column\": \(JSON.string($0))" } ?? "") + "}")
    }
    let seed = DifferentialTests.runSeed
    var written = 0, refused = 0, unsupported = 0, failed = 0
    for i in 0..<count {
      let s = DiffPlans.seed(run: seed, index: i)
      guard let ds = DiffPlans.dataset(s, sets), let compiler = compilers[ds.name] else { continue }
      let (tree, lang) = DiffPlans.tree(s, ds)
      let executed = Result { try ds.executor.run(tree, language: lang) }
      let compiled = Result { try compiler.compile(tree, language: lang) }
      switch (executed, compiled) {
      case (.failure, .failure(let e)):
        refused += 1
        lines.append(Self.refusedLine(dataset: ds.name, seed: s, error: e))
      case (.success, .failure(let e)) where Self.unsupported(e, dialect):
        unsupported += 1
        lines.append(Self.refusedLine(dataset: ds.name, seed: s, error: e))
      case (.failure(let e), .success):
        failed += 1
        XCTFail("dataset=\(ds.name) seed=\(s): the executor refused (\(e)) but the \(dialect.engineName) compiler did not")
      case (.success, .failure(let e)):
        failed += 1
        lines.append("{\"kind\": \"compile_error\", \"dataset\": \(JSON.string(ds.name)), \"seed\": \(s), \"error\": \(JSON.string("\(e)"))}")
        XCTFail("dataset=\(ds.name) seed=\(s): the \(dialect.engineName) compiler refused what the executor answered: \(e)")
      case (.success(let table), .success(let c)):
        written += 1
        lines.append(Self.planLine(dataset: ds.name, seed: s, sql: c.literalSQL, table, bound: dialect == .postgres ? c : nil))
      }
    }
    var cases = 0
    if let file = env["WENSHU_DIALECT_CASES"] {
      cases = try Self.acceptanceCases(file, dialect, sets, &lines)
    }
    try (lines.joined(separator: "\n") + "\n").write(toFile: out, atomically: true, encoding: .utf8)
    print("dialect export: \(dialect.rawValue), \(written) plans written to \(out), \(refused) refused by both, "
      + "\(unsupported) not supported on \(dialect.engineName), \(failed) refused by one side only, \(cases) acceptance cases")
  }

  /// Whether the compiler refused a feature the engine lacks ("… is not supported on <engine>").
  static func unsupported(_ error: Error, _ dialect: SQLDialect) -> Bool {
    "\(error)".contains("is not supported on \(dialect.engineName)")
  }

  static func refusedLine(dataset: String, seed: UInt64, error: Error) -> String {
    "{\"kind\": \"refused\", \"dataset\": \(JSON.string(dataset)), \"seed\": \(seed), \"error\": \(JSON.string("\(error)"))}"
  }

  /// The acceptance cases as plan lines (the executor's rows of the planned tree, the SQL).
  static func acceptanceCases(_ file: String, _ dialect: SQLDialect, _ sets: [DiffDataset], _ lines: inout [String]) throws -> Int {
    var n = 0
    for line in try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n") where !line.isEmpty {
      guard let c = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
        let id = c["id"] as? String, let db = c["db"] as? String, let q = c["q"] as? String,
        let todayText = c["today"] as? String, let today = Day(iso: todayText)
      else { continue }
      guard let ds = sets.first(where: { $0.name == db }) else {
        XCTFail("case \(id): no dataset \(db) (../shared/data)")
        continue
      }
      n += 1
      let engine = try TestData.engine(ds.path, today: today)
      let (planned, refusal, _, _) = engine.plan(q, today: today)
      guard let p = planned else {
        lines.append("{\"kind\": \"case_refused\", \"case\": \(JSON.string(id)), \"dataset\": \(JSON.string(db)), \"error\": \(JSON.string(refusal?.message ?? "?"))}")
        continue
      }
      var compiler = SQLCompiler(mapping: engine.database.mapping, dialect: dialect, schema: try schema(ds), topics: engine.vocabulary.topics)
      compiler.eventSteps = engine.vocabulary.analysis.eventSteps
      let executor = Executor(cube: engine.database.cube, topics: engine.vocabulary.topics)
      let executed = Result { try executor.run(p.tree, language: p.language) }
      let compiled = Result { try compiler.compile(p.tree, language: p.language) }
      switch (executed, compiled) {
      case (.failure(let e), _):
        lines.append("{\"kind\": \"case_refused\", \"case\": \(JSON.string(id)), \"dataset\": \(JSON.string(db)), \"error\": \(JSON.string("\(e)"))}")
      case (.success, .failure(let e)) where unsupported(e, dialect):
        lines.append("{\"kind\": \"case_refused\", \"case\": \(JSON.string(id)), \"dataset\": \(JSON.string(db)), \"error\": \(JSON.string("\(e)"))}")
      case (.success, .failure(let e)):
        lines.append("{\"kind\": \"compile_error\", \"case\": \(JSON.string(id)), \"dataset\": \(JSON.string(db)), \"seed\": 0, \"error\": \(JSON.string("\(e)"))}")
        XCTFail("case \(id): the \(dialect.engineName) compiler refused what the executor answered: \(e)")
      case (.success(let table), .success(let sql)):
        lines.append(planLine(dataset: db, seed: 0, case: id, sql: sql.literalSQL, table, bound: dialect == .postgres ? sql : nil))
      }
    }
    return n
  }

  /// A plan line; with `bound`, also the statement with placeholders and its parameters
  /// ("bound_sql", "parameters": literals of the dialect), for running it as a driver does.
  static func planLine(dataset: String, seed: UInt64, case id: String? = nil, sql: String, _ table: ResultTable, bound: CompiledSQL? = nil) -> String {
    let cols = table.columns.map { "{\"id\": \(JSON.string($0.id)), \"key\": \($0.isKey), \"count\": \($0.format == .count)}" }
    let rows = table.rows.map { "[" + $0.map(JSON.value).joined(separator: ", ") + "]" }
    return "{\"kind\": \"plan\", \"dataset\": \(JSON.string(dataset)), \"seed\": \(seed), "
      + (id.map { "\"case\": \(JSON.string($0)), " } ?? "")
      + (bound.map { b in
        "\"bound_sql\": \(JSON.string(b.sql)), \"parameters\": [\(b.parameters.map { JSON.string(SQLDialect.postgres.literal($0)) }.joined(separator: ", "))], "
      } ?? "")
      + "\"sql\": \(JSON.string(sql)), \"columns\": [\(cols.joined(separator: ", "))], \"rows\": [\(rows.joined(separator: ", "))]}"
  }

  /// The dataset's column types as `wenshu export` creates them on a server, and the loader's key kind.
  static func schema(_ ds: DiffDataset) throws -> SourceSchema {
    let db = try SQLiteDatabase(path: ds.path, readOnly: true)
    var s = SourceSchema()
    for t in SourceSchema.tables(of: ds.loaded.mapping) {
      s.set(t, postgresColumns: try PostgresExport.plan(db, table: t).columns.map { ($0.name, $0.type) })
    }
    s.integerKeys = try db.rows(SourceSchema.integerKeysQuery(ds.loaded.mapping)).first?.first?.double.map { $0 != 0 }
    return s
  }
}

/// JSON values of the export lines (strings are escaped by the answer encoder, `AnswerJSON.string`).
enum JSON {
  static func string(_ s: String) -> String { AnswerJSON.string(s) }

  /// An executor value: integers as integers, doubles always with a point or exponent.
  static func value(_ v: Value) -> String {
    switch v {
    case .null: return "null"
    case .int(let i): return String(i)
    case .double(let d):
      if d.isNaN { return "\"NaN\"" }
      if d.isInfinite { return d > 0 ? "\"Infinity\"" : "\"-Infinity\"" }
      let s = String(d)
      return s.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) ? s : s + ".0"
    case .string(let s): return string(s)
    }
  }
}
