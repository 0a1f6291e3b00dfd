// PostgreSQL: connection errors that need no server (bad URLs, a refused port), the COPY and
// date-shape helpers of `wenshu export`, and — with a server named by WENSHU_PG_URL holding
// retail_cn (as .ci/postgres.sh makes it) — the cube loaded from PostgreSQL answering every
// public acceptance case on retail_cn exactly as the cube loaded from the SQLite file does.
//
// Without WENSHU_PG_URL the server tests skip, saying so; under CI (CI=true) a missing
// WENSHU_PG_URL is a failure, so CI cannot pass by skipping them.

import CubeSQLite
import Engine
import Foundation
import PostgresIO
import QueryModel
import TestSupport
import XCTest

final class PostgresTests: XCTestCase {
  // MARK: - no server needed

  func testBadURLsAreRefusedWithAMessage() {
    for (url, says) in [
      ("mysql://u@127.0.0.1/db", "not a PostgreSQL URL"),
      ("postgresql://u@127.0.0.1:abc/db", "not a number"),
      ("postgresql://u@127.0.0.1:99999/db", "out of range"),
      ("postgresql://u@127.0.0.1:0/db", "out of range"),
      ("postgresql://u@127.0.0.1:5432/a/b", "slash"),
      ("postgresql://u@[::1/db", "not a well-formed URL"),
    ] {
      XCTAssertThrowsError(try PostgresConnection(url: url), url) { e in
        guard let e = e as? PostgresError else { return XCTFail("\(url): not a PostgresError: \(e)") }
        XCTAssertEqual(e.kind, .badURL, "\(url): \(e.message)")
        XCTAssertTrue(e.message.contains(says), "\(url): \(e.message)")
      }
    }
  }

  func testPasswordsNeverAppearInMessages() throws {
    let url = try PostgresURL("postgresql://me:s3cret@127.0.0.1:1/shop")
    XCTAssertEqual(url.redacted, "postgresql://me:***@127.0.0.1:1/shop")
    XCTAssertEqual(url.user, "me")
    XCTAssertEqual(url.port, 1)
    XCTAssertEqual(url.database, "shop")
    XCTAssertThrowsError(try PostgresConnection(url: url.text, connectTimeout: 3)) { e in
      XCTAssertFalse(String(describing: e).contains("s3cret"), String(describing: e))
    }
  }

  /// A port where nothing listens: a refusal that names the host and port, not a crash.
  func testRefusedPortSaysNoServerIsListening() throws {
    let port = try Self.closedPort()
    XCTAssertThrowsError(try PostgresConnection(url: "postgresql://wenshu@127.0.0.1:\(port)/shop", connectTimeout: 3)) { e in
      guard let e = e as? PostgresError else { return XCTFail("not a PostgresError: \(e)") }
      XCTAssertEqual(e.kind, .refused, e.message)
      XCTAssertTrue(e.message.contains("127.0.0.1:\(port)"), e.message)
      XCTAssertTrue(e.message.contains("connection refused"), e.message)
    }
    // Through the engine, as `wenshu ask --db postgresql://…` reaches it.
    XCTAssertThrowsError(try Engine(database: "postgresql://wenshu@127.0.0.1:\(port)/shop", grammars: TestData.grammars.path,
                                    today: TestData.demoToday)) { e in
      XCTAssertTrue(String(describing: e).contains("no PostgreSQL server is listening"), String(describing: e))
    }
  }

  func testCopyFieldsAreEscaped() {
    XCTAssertEqual(PostgresConnection.copyField(nil), "\\N")
    XCTAssertEqual(PostgresConnection.copyField("上海"), "上海")
    XCTAssertEqual(PostgresConnection.copyField("a\tb\nc\\d\re"), "a\\tb\\nc\\\\d\\re")
    XCTAssertEqual(PostgresConnection.copyField("\\N"), "\\\\N")
  }

  func testDateShapes() {
    func shape(_ s: String) -> String {
      let bytes = Array(s.utf8)
      return bytes.withUnsafeBufferPointer { b in
        switch PostgresExport.dateShape(b) {
        case .date: return "date"
        case .dateTime: return "timestamp"
        case nil: return "text"
        }
      }
    }
    XCTAssertEqual(shape("2025-03-25"), "date")
    XCTAssertEqual(shape("2024-02-29"), "date")
    XCTAssertEqual(shape("2025-03-25 12:17:26"), "timestamp")
    XCTAssertEqual(shape("2025-03-25T12:17"), "timestamp")
    XCTAssertEqual(shape("2025-03-25 12:17:26.125"), "timestamp")
    for s in ["2023-02-29", "2025-13-01", "2025/03/25", "20250325", "2025-03-25Z", "2025-03-25 24:00:00", "2025-03-25 12:17:26+08", "yesterday"] {
      XCTAssertEqual(shape(s), "text", s)
    }
  }

  /// Export refuses a URL that is not PostgreSQL's and a file that is not SQLite, before
  /// connecting anywhere.
  func testExportChecksItsInputs() throws {
    XCTAssertThrowsError(try PostgresExport.export(sqlitePath: "/nonexistent.sqlite", to: "postgresql://u@127.0.0.1:1/x")) { e in
      XCTAssertTrue(String(describing: e).contains("no such file"), String(describing: e))
    }
    guard let retail = TestData.shared("retail_cn") else { throw XCTSkip("../shared/data/retail_cn.sqlite not present") }
    XCTAssertThrowsError(try PostgresExport.export(sqlitePath: retail, to: "sqlite://x")) { e in
      XCTAssertEqual((e as? PostgresError)?.kind, .badURL, String(describing: e))
    }
  }

  // MARK: - with a server (WENSHU_PG_URL)

  static func serverURL(file: StaticString = #filePath, line: UInt = #line) throws -> String {
    if let u = ProcessInfo.processInfo.environment["WENSHU_PG_URL"], !u.isEmpty { return u }
    if TestData.isCI {
      XCTFail("WENSHU_PG_URL is not set: under CI (CI=true) .ci/run starts PostgreSQL (.ci/postgres.sh start) and exports its URL, so the PostgreSQL tests must run.",
              file: file, line: line)
    }
    throw XCTSkip("no PostgreSQL server: set WENSHU_PG_URL to a database holding retail_cn (`.ci/postgres.sh start` prints one) to run the PostgreSQL tests")
  }

  /// The connection is read-only, parameters are bound, and a long statement is cancelled.
  func testSessionIsReadOnlyBoundAndTimed() throws {
    let url = try Self.serverURL()
    let pg = try PostgresConnection(url: url, statementTimeout: 1)
    let r = try pg.query("SELECT $1::text, $2::bigint, $3::float8, $4::date, $5::text IS NULL", ["上海'; DROP TABLE orders; --", "42", "2.5", "2026-11-22", nil])
    XCTAssertEqual(r.rows, [[.text("上海'; DROP TABLE orders; --"), .int(42), .double(2.5), .date("2026-11-22"), .bool(true)]])
    XCTAssertThrowsError(try pg.execute("CREATE TABLE wenshu_must_not_exist (x int)")) { e in
      XCTAssertEqual((e as? PostgresError)?.kind, .readOnly, String(describing: e))
    }
    XCTAssertThrowsError(try pg.query("SELECT pg_sleep(3)")) { e in
      XCTAssertEqual((e as? PostgresError)?.kind, .timeout, String(describing: e))
    }
    // The connection is still usable after a refused statement.
    XCTAssertEqual(try pg.query("SELECT count(*) FROM orders").rows.first?.first?.int, 38222)
  }

  /// A database that does not exist, a role the server does not know, a database with no
  /// tables: each a message saying so.
  func testServerSideConnectionErrors() throws {
    let url = try PostgresURL(try Self.serverURL())
    let base = "postgresql://\(url.user ?? "wenshu")@\(url.host ?? "127.0.0.1"):\(url.port ?? 5432)"
    XCTAssertThrowsError(try PostgresConnection(url: base + "/wenshu_no_such_db")) { e in
      XCTAssertEqual((e as? PostgresError)?.kind, .noDatabase, String(describing: e))
    }
    XCTAssertThrowsError(try PostgresConnection(url: "postgresql://wenshu_no_such_role@\(url.host ?? "127.0.0.1"):\(url.port ?? 5432)/postgres")) { e in
      XCTAssertEqual((e as? PostgresError)?.kind, .authentication, String(describing: e))
    }
    XCTAssertThrowsError(try Engine(database: base + "/postgres", grammars: TestData.grammars.path, today: TestData.demoToday)) { e in
      XCTAssertTrue(String(describing: e).contains("has no tables"), String(describing: e))
    }
  }

  /// cdnow_sample from its own database: one purchases table, mapped as from the file.
  func testCdnowSampleLoadsLikeTheFile() throws {
    let url = try PostgresURL(try Self.serverURL())
    guard let file = TestData.shared("cdnow_sample") else { throw XCTSkip("../shared/data/cdnow_sample.sqlite not present") }
    let server = try Engine(database: "postgresql://\(url.user ?? "wenshu")@\(url.host ?? "127.0.0.1"):\(url.port ?? 5432)/cdnow_sample",
                            grammars: TestData.grammars.path, today: TestData.demoToday)
    let local = try TestData.engine(file)
    XCTAssertEqual(server.database.mapping, local.database.mapping)
    XCTAssertEqual(server.database.cube.orders.count, 6919)
    let today = Day(year: 1998, month: 7, day: 1)
    for q in ["去年的销售额", "每个月的订单数", "复购率"] {
      XCTAssertEqual(AnswerJSON.encode(server.ask(q, today: today)), AnswerJSON.encode(local.ask(q, today: today)), q)
    }
  }

  /// Rows read through the cursor are typed as single results are.
  func testCursorRowsAreTyped() throws {
    let pg = try PostgresConnection(url: try Self.serverURL())
    var got: [[PostgresValue]] = []
    try pg.transaction {
      try pg.forEachRow("""
        SELECT x::bigint, $1::float8, 'Infinity'::float8, 12::numeric, 1.5::numeric, NULL::text, true, DATE '2026-01-02',
               TIMESTAMP '2026-01-02 03:04:05', '上海'::text
        FROM generate_series(1, 5) x
        """, ["-0.25"], batch: 2) { row in
        got.append((0..<row.count).map(row.value))
      }
    }
    XCTAssertEqual(got.count, 5)
    XCTAssertEqual(got.map { $0[0] }, (1...5).map { .int(Int64($0)) })
    XCTAssertEqual(Array(got[4].dropFirst()), [.double(-0.25), .double(.infinity), .int(12), .double(1.5), .null, .bool(true),
                                               .date("2026-01-02"), .timestamp("2026-01-02 03:04:05"), .text("上海")])
  }

  /// Export never overwrites: the tables exist (CI exported them), so it refuses and writes nothing.
  func testExportRefusesExistingTablesWithoutReplace() throws {
    let url = try Self.serverURL()
    guard let retail = TestData.shared("retail_cn") else { throw XCTSkip("../shared/data/retail_cn.sqlite not present") }
    XCTAssertThrowsError(try PostgresExport.export(sqlitePath: retail, to: url)) { e in
      let m = String(describing: e)
      XCTAssertTrue(m.contains("already has tables") && m.contains("orders") && m.contains("--replace"), m)
    }
    let pg = try PostgresConnection(url: url)
    XCTAssertEqual(try pg.query("SELECT count(*) FROM customers").rows.first?.first?.int, 8000)
    let types = try pg.query("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position", ["orders"])
    XCTAssertEqual(types.rows.map { "\($0[0].string!) \($0[1].string!)" },
                   ["id bigint", "customer_id bigint", "created_at timestamp without time zone", "channel text", "total_amount double precision", "discount_amount double precision"])
  }

  /// Every public acceptance case on retail_cn: the cube loaded from PostgreSQL answers with
  /// the same JSON (columns, rows, interpretation, refusal) as the cube loaded from the file.
  func testEveryRetailCaseAgreesWithTheSQLiteFile() throws {
    let url = try Self.serverURL()
    guard let retail = TestData.shared("retail_cn"), let casesPath = TestData.sharedPath("acceptance/cases.jsonl") else {
      throw XCTSkip("../shared not present")
    }
    let fromServer = try Engine(database: url, grammars: TestData.grammars.path, today: TestData.demoToday)
    let fromFile = try TestData.engine(retail)
    XCTAssertEqual(fromServer.database.mapping, fromFile.database.mapping)
    XCTAssertEqual(fromServer.database.cube.orders.count, fromFile.database.cube.orders.count)
    XCTAssertEqual(fromServer.database.cube.customers.tableRowCount, fromFile.database.cube.customers.tableRowCount)
    XCTAssertEqual(fromServer.database.cube.items?.count, fromFile.database.cube.items?.count)
    XCTAssertEqual(fromServer.database.cube.feedback?.count, fromFile.database.cube.feedback?.count)
    XCTAssertEqual(fromServer.database.cube.events?.count, fromFile.database.cube.events?.count)
    XCTAssertGreaterThan(fromServer.database.cube.events?.count ?? 0, 0, "app_events is read from the server too")
    XCTAssertFalse(fromServer.database.path.contains(".sqlite"), fromServer.database.path)
    // The temporary SQLite copy is gone once the cube is loaded.
    let temp = try FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path)
    XCTAssertEqual(temp.filter { $0.hasPrefix("wenshu-pg-\(getpid())-") }, [])
    var compared = 0
    for line in try String(contentsOfFile: casesPath, encoding: .utf8).split(separator: "\n") where !line.isEmpty {
      guard let c = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], c["db"] as? String == "retail_cn",
        let q = c["q"] as? String, let today = (c["today"] as? String).flatMap(Day.init(iso:))
      else { continue }
      let a = AnswerJSON.encode(fromServer.ask(q, today: today))
      let b = AnswerJSON.encode(fromFile.ask(q, today: today))
      XCTAssertEqual(a, b, "\(c["id"] ?? q): the answer from PostgreSQL differs from the SQLite file's")
      compared += 1
    }
    // Questions on the events (app_events) as well, which no public case asks yet.
    for q in ["conversion funnel", "conversion funnel by region last month"] {
      let today = TestData.demoToday
      let a = fromServer.ask(q, today: today)
      XCTAssertNotNil(a.table, "\(q): \(AnswerJSON.encode(a))")
      XCTAssertEqual(AnswerJSON.encode(a), AnswerJSON.encode(fromFile.ask(q, today: today)), q)
    }
    XCTAssertGreaterThanOrEqual(compared, 40, "the public cases on retail_cn")
    print("postgres: \(compared) retail_cn cases agree between PostgreSQL and the SQLite file")
  }

  /// `wenshu export` into the scratch database: hostile text (tabs, newlines, backslashes,
  /// `\\N`, quotes), NULLs, a column mixing numbers and text, dates with a T, fractional
  /// seconds; types chosen by content; --replace replaces; the SQLite file is not touched.
  func testExportRoundTripIntoScratch() throws {
    let server = try PostgresURL(try Self.serverURL())
    let scratch = "postgresql://\(server.user ?? "wenshu")@\(server.host ?? "127.0.0.1"):\(server.port ?? 5432)/wenshu_scratch"
    do { _ = try PostgresConnection(url: scratch) } catch let e as PostgresError where e.kind == .noDatabase {
      if TestData.isCI { XCTFail("the scratch database is missing: .ci/postgres.sh start creates wenshu_scratch") }
      throw XCTSkip("no wenshu_scratch database on the server (.ci/postgres.sh start creates it)")
    }
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wenshu-pg-export-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("hostile.sqlite").path
    do {
      let db = try SQLiteDatabase(path: file, readOnly: false, create: true)
      try db.execute("CREATE TABLE wenshu_t (id INTEGER PRIMARY KEY, note TEXT, mixed, day TEXT, at TEXT, amount REAL, n INTEGER, empty REAL)")
      let ins = try db.prepare("INSERT INTO wenshu_t VALUES (?, ?, ?, ?, ?, ?, ?, NULL)")
      let rows: [[SQLValue]] = [
        [.int(1), .text("tab\there\nnew line \\ back \\N 'q' \"dq\" 上海"), .int(7), .text("2024-02-29"), .text("2024-02-29T23:59:59.5"), .double(0.1), .int(-3)],
        [.int(2), .null, .text("x7"), .null, .text("2025-01-01 00:00"), .double(12), .null],
        [.int(3), .text(""), .double(2.5), .text("2025-12-31"), .null, .double(-1e300), .int(Int64.max)],
      ]
      for r in rows { try ins.bind(r); try ins.step() }
    }
    let before = try Data(contentsOf: URL(fileURLWithPath: file))
    let report = try PostgresExport.export(sqlitePath: file, to: scratch, replace: true)
    XCTAssertEqual(report.tables.map(\.name), ["wenshu_t"])
    XCTAssertEqual(report.tables[0].columns.map(\.type),
                   ["bigint", "text", "text", "date", "timestamp", "double precision", "bigint", "double precision"])
    XCTAssertEqual(report.tables[0].columns.map(\.primaryKey), [true, false, false, false, false, false, false, false])
    XCTAssertThrowsError(try PostgresExport.export(sqlitePath: file, to: scratch)) { e in
      XCTAssertTrue(String(describing: e).contains("--replace"), String(describing: e))
    }
    _ = try PostgresExport.export(sqlitePath: file, to: scratch, replace: true)
    XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: file)), before, "export must not write the SQLite file")
    let pg = try PostgresConnection(url: scratch)
    let r = try pg.query("SELECT id, note, mixed, day, at, amount, n, empty FROM wenshu_t ORDER BY id")
    XCTAssertEqual(r.rows, [
      [.int(1), .text("tab\there\nnew line \\ back \\N 'q' \"dq\" 上海"), .text("7"), .date("2024-02-29"), .timestamp("2024-02-29 23:59:59.5"), .double(0.1), .int(-3), .null],
      [.int(2), .null, .text("x7"), .null, .timestamp("2025-01-01 00:00:00"), .double(12), .null, .null],
      [.int(3), .text(""), .text("2.5"), .date("2025-12-31"), .null, .double(-1e300), .int(Int64.max), .null],
    ])
  }

  /// The schema named by search_path in the URL is the one read; names that differ only in
  /// case are refused with a message (SQLite, and so the loader, cannot tell them apart).
  func testSearchPathAndCaseClashes() throws {
    let server = try PostgresURL(try Self.serverURL())
    let scratch = "postgresql://\(server.user ?? "wenshu")@\(server.host ?? "127.0.0.1"):\(server.port ?? 5432)/wenshu_scratch"
    let writer: PostgresConnection
    do { writer = try PostgresConnection(url: scratch, mode: .write) } catch let e as PostgresError where e.kind == .noDatabase {
      if TestData.isCI { XCTFail("the scratch database is missing: .ci/postgres.sh start creates wenshu_scratch") }
      throw XCTSkip("no wenshu_scratch database on the server (.ci/postgres.sh start creates it)")
    }
    try writer.transaction {
      try writer.execute("DROP SCHEMA IF EXISTS wenshu_case CASCADE")
      try writer.execute("CREATE SCHEMA wenshu_case")
      try writer.execute("CREATE TABLE wenshu_case.orders (id bigint, customer_id bigint, created_at date, amount float8)")
      try writer.execute("INSERT INTO wenshu_case.orders VALUES (1, 7, '2026-01-05', 10.5), (2, 7, '2026-02-05', 4.5), (3, 8, '2026-02-06', 1)")
    }
    let url = scratch + "?options=-csearch_path%3Dwenshu_case"
    let engine = try Engine(database: url, grammars: TestData.grammars.path, today: TestData.demoToday)
    XCTAssertEqual(engine.database.cube.orders.count, 3)
    XCTAssertEqual(engine.database.mapping.orders.amount, "amount")
    let a = engine.ask("销售额", today: Day(year: 2026, month: 3, day: 1))
    XCTAssertEqual(a.table?.rows.first?.first.flatMap { if case .double(let d) = $0 { d } else { nil } }, 16, AnswerJSON.encode(a))
    try writer.execute("CREATE TABLE wenshu_case.\"Orders\" (x bigint)")
    XCTAssertThrowsError(try Engine(database: url, grammars: TestData.grammars.path, today: TestData.demoToday)) { e in
      XCTAssertTrue(String(describing: e).contains("differ only in case"), String(describing: e))
    }
    try writer.execute("DROP SCHEMA wenshu_case CASCADE")
  }

  /// A port with no listener: bound and closed again.
  static func closedPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw XCTSkip("no socket") }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = 0
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &addr) { p in
      p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
    }
    guard ok else { throw XCTSkip("cannot find a free port") }
    return Int(UInt16(bigEndian: addr.sin_port))
  }
}
