// The dialects without their engines: every random plan the sqlite compiler compiles compiles for
// PostgreSQL, DuckDB and Spark too (typed tables as `wenshu export` creates them), with none of
// SQLite's own functions left; literals and names quoted per engine; a typed engine without the
// column types refused with a message. The real engines run the statements in
// DialectExportTests + Tests/scripts/dialect_*.py.

import CubeSQLite
import Foundation
import QueryModel
import SQLCompiler
import XCTest

final class DialectTests: XCTestCase {
  static let typed: [SQLDialect] = [.postgres, .duckdb, .spark]

  func testRandomPlansCompileForEveryDialect() throws {
    let sets = try DiffData.all()
    var schemas: [String: SourceSchema] = [:]
    for ds in sets { schemas[ds.name] = try DialectExportTests.schema(ds) }
    let sqliteOnly = ["typeof(", " GLOB ", "julianday(", "strftime(", "printf(", "total(", "instr("]
    var compiled = 0, sparkRowOrder = 0
    for i in 0..<200 {
      let seed = DiffPlans.seed(run: 7_700_016, index: i)
      guard let ds = DiffPlans.dataset(seed, sets) else { continue }
      let (tree, lang) = DiffPlans.tree(seed, ds)
      guard (try? ds.compiler.compile(tree, language: lang)) != nil else { continue }
      for d in Self.typed {
        let c = SQLCompiler(mapping: ds.loaded.mapping, dialect: d, schema: schemas[ds.name], topics: ds.topics)
        let sql = try c.compile(tree, language: lang).literalSQL
        // Spark has instr and DuckDB strftime of its own (other arguments).
        for f in sqliteOnly where sql.contains(f) && !(d == .spark && f == "instr(") && !(d == .duckdb && f == "strftime(") {
          XCTFail("\(d) SQL of dataset=\(ds.name) seed=\(seed) uses SQLite's \(f)")
        }
        if d == .spark {
          XCTAssertFalse(sql.contains("WITH RECURSIVE"), "Spark has no recursive CTE")
          // Row order from the tables' row-order column: a nondeterministic id read by both
          // sides of a UNION breaks Spark's plan (CANNOT_MERGE_INCOMPATIBLE_DATA_TYPE).
          for f in ["monotonically_increasing_id", "rand(", "uuid(", "spark_partition_id"] where sql.contains(f) {
            XCTFail("spark SQL of dataset=\(ds.name) seed=\(seed) uses the nondeterministic \(f)")
          }
          if sql.contains(" AS rid") { XCTAssertTrue(sql.contains("`wenshu_rowid` AS rid"), "dataset=\(ds.name) seed=\(seed)") }
          sparkRowOrder += sql.contains("`wenshu_rowid`") ? 1 : 0
        }
        compiled += 1
      }
    }
    XCTAssertGreaterThan(compiled, 300)
    XCTAssertGreaterThan(sparkRowOrder, 0, "no spark statement read the row-order column")
  }

  func testRowOrder() {
    XCTAssertEqual(SQLDialect.spark.rowOrderColumn, "wenshu_rowid")
    for d in [SQLDialect.sqlite, .postgres, .duckdb] { XCTAssertNil(d.rowOrderColumn, "\(d) keeps its own row order") }
  }

  func testLiteralsAndNames() {
    XCTAssertEqual(SQLDialect.spark.literal(.text("a\\b'c")), "'a\\\\b''c'")
    XCTAssertEqual(SQLDialect.postgres.literal(.text("a\\b'c")), "'a\\b''c'")
    XCTAssertEqual(SQLDialect.postgres.literal(.text("a\tb")), "('a' || chr(9) || 'b')")
    XCTAssertEqual(SQLDialect.sqlite.literal(.text("a\tb")), "('a' || char(9) || 'b')")
    XCTAssertEqual(SQLDialect.spark.quote("a`b"), "`a``b`")
    XCTAssertEqual(SQLDialect.duckdb.quote("a\"b"), "\"a\"\"b\"")
    XCTAssertEqual(SQLDialect.postgres.placeholder(2), "$3")
    XCTAssertEqual(SQLDialect.spark.literal(.double(2)), "CAST(2.0 AS DOUBLE)")
    XCTAssertEqual(SQLDialect.sqlite.literal(.double(2)), "2.0")
  }

  func testTypedEngineNeedsColumnTypes() throws {
    let ds = try XCTUnwrap(try DiffData.all().first)
    let c = SQLCompiler(mapping: ds.loaded.mapping, dialect: .postgres, topics: ds.topics)
    var plan = Plan(today: Day(year: 2026, month: 1, day: 1))
    plan.metrics = [.sales]
    XCTAssertThrowsError(try c.compile(plan, language: .en)) { e in
      XCTAssertTrue("\(e)".contains("PostgreSQL"), "\(e)")
    }
  }

  func testKindsOfPostgresTypes() {
    XCTAssertEqual(SourceSchema.Kind(postgresType: "bigint"), .integer)
    XCTAssertEqual(SourceSchema.Kind(postgresType: "double precision"), .real)
    XCTAssertEqual(SourceSchema.Kind(postgresType: "timestamp"), .timestamp)
    XCTAssertEqual(SourceSchema.Kind(postgresType: "date"), .date)
    XCTAssertEqual(SourceSchema.Kind(postgresType: "text"), .text)
  }
}
