// `wenshu export-sql --dialect D`: the normalize stage for engine D as CREATE VIEW statements
// (for a DBA: the plan SQL reads these names; Wenshu itself inlines them as CTEs, since a
// read-only session cannot create views), and the compiler setup `explain --sql --dialect D`
// shares: the column types of the SQLite --db as `PostgresExport.plan` decides them when it
// copies the file to a server (the same rule, not a copy of it).

import ArgumentParser
import CubeSQLite
import Engine
import Foundation
import PostgresIO
import SQLCompiler

extension SQLDialect: ExpressibleByArgument {}

struct ExportSQL: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export-sql",
    abstract: "Print the normalize stage (typed views of orders, customers, items, feedback) for a SQL engine.",
    discussion: """
      The views read the tables as Wenshu's loader does (dates as day numbers, one customer key type).
      Column types come from the SQLite --db as `wenshu export` would create them on the server.
      On Spark every table must also carry the row-order column wenshu_rowid (bigint: each row's
      rowid in the SQLite file; the first of repeated customer rows wins by it).
        wenshu export-sql --dialect postgres --db shop.sqlite
        wenshu export-sql --dialect spark --db shop.sqlite --types
      """)

  @OptionGroup var common: CommonOptions
  @Option(help: "SQL engine: sqlite, postgres, duckdb or spark.") var dialect: SQLDialect = .postgres
  @Flag(help: "Print the column types (JSON: table → [[column, kind]], and whether customer ids are integers) instead of the views.")
  var types = false

  func run() throws {
    let (engine, _) = try common.engine()
    let schema = try DialectSetup.schema(engine)
    if types {
      Swift.print(DialectSetup.json(schema, dialect))
      return
    }
    let compiler = try DialectSetup.compiler(engine, dialect, schema: schema)
    if let row = dialect.rowOrderColumn {
      Swift.print("-- Every table these views read must carry the column \(dialect.quote(row)) BIGINT: each row's rowid in")
      Swift.print("-- the SQLite file it was copied from (SELECT rowid AS \(row), * FROM t); the first of repeated rows wins by it.\n")
    }
    do {
      for v in try compiler.normalizeViews() {
        Swift.print("DROP VIEW IF EXISTS \(dialect.quote(v.name));")
        Swift.print("CREATE VIEW \(dialect.quote(v.name)) AS\n\(v.body);\n")
      }
    } catch {
      throw CLIError(message: String(describing: error))
    }
  }
}

/// The SQL compiler for another engine over the engine's database.
enum DialectSetup {
  /// The stored types of the SQLite file behind `engine`, as `wenshu export` creates them.
  static func schema(_ engine: Engine) throws -> SourceSchema {
    let path = engine.database.path
    guard !PostgresURL.looksLikeURL(path) else {
      throw CLIError(message: "the column types are read from a SQLite --db (the file `wenshu export` copies to a server)")
    }
    do {
      let db = try SQLiteDatabase(path: path, readOnly: true)
      let mapping = engine.database.mapping
      var schema = SourceSchema()
      for t in SourceSchema.tables(of: mapping) {
        schema.set(t, postgresColumns: try PostgresExport.plan(db, table: t).columns.map { ($0.name, $0.type) })
      }
      schema.integerKeys = try db.rows(SourceSchema.integerKeysQuery(mapping)).first?.first?.double.map { $0 != 0 }
      return schema
    } catch let e as CLIError {
      throw e
    } catch {
      throw CLIError(message: "reading the column types of \(path): \(error)")
    }
  }

  static func compiler(_ engine: Engine, _ dialect: SQLDialect, schema: SourceSchema? = nil) throws -> SQLCompiler {
    let s = dialect == .sqlite ? nil : try schema ?? self.schema(engine)
    var c = SQLCompiler(mapping: engine.database.mapping, dialect: dialect, schema: s, topics: engine.vocabulary.topics)
    c.eventSteps = engine.vocabulary.analysis.eventSteps
    return c
  }

  /// {"tables": {"orders": [["id", "integer"], …]}, "integer_keys": true}, and "row_column"
  /// where the dialect reads a row-order column.
  static func json(_ s: SourceSchema, _ dialect: SQLDialect) -> String {
    func str(_ x: String) -> String {
      let data = (try? JSONSerialization.data(withJSONObject: [x])) ?? Data("[\"\"]".utf8)
      let text = String(decoding: data, as: UTF8.self)
      return String(text.dropFirst().dropLast())
    }
    let tables = s.tables.keys.sorted().map { t in
      let cols = (s.tables[t] ?? [:]).sorted { $0.key < $1.key }.map { "[\(str($0.key)), \(str($0.value.rawValue))]" }
      return "\(str(t)): [\(cols.joined(separator: ", "))]"
    }
    return "{\"tables\": {\(tables.joined(separator: ", "))}, \"integer_keys\": \(s.integerKeys.map { $0 ? "true" : "false" } ?? "null")"
      + (dialect.rowOrderColumn.map { ", \"row_column\": \(str($0))" } ?? "") + "}"
  }
}
