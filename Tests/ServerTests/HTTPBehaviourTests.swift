// The HTTP server's contract over loopback: bearer tokens (401), request checks (400 with a
// clear message for malformed JSON, wrong types, unknown fields, invalid UTF-8), the body
// limit (413), rate limits (429 with Retry-After), unknown routes (404 as JSON), the same JSON
// as the pipe, output formats, follow-ups per conversation id and per token (and their
// expiry), the schema within a scope, the audit log and its rotation, and the config file.

import Engine
import Foundation
import Planning
import QueryModel
import Server
import TestSupport
import XCTest

final class HTTPBehaviourTests: XCTestCase {
  static func service(_ tokens: [TokenPolicy], audit: String? = nil, auditMax: Int = 1 << 20, tweak: (inout ServerConfig) -> Void = { _ in }) throws -> AskService {
    let engine = try TestData.engine(try ServerFixtures.retailPath(), today: ServerFixtures.today)
    var config = ServerConfig()
    config.tokens = tokens
    config.auditPath = audit
    config.auditMaxBytes = auditMax
    config.auditKeep = 2
    tweak(&config)
    return try AskService(engine: engine, config: config, today: ServerFixtures.today)
  }

  static let east = TokenPolicy(name: "east", secret: "east-secret-1", scope: [ScopePredicate(.region, ["华东"])], showPersonal: false, ratePerMinute: 0)
  static let admin = TokenPolicy(name: "admin", secret: "admin-secret-2", scope: [], showPersonal: true, ratePerMinute: 0)

  func testAuthenticationRequestChecksAndErrors() async throws {
    let server = try await RunningServer.start(try Self.service([Self.east, Self.admin]))
    defer { server.stop() }
    let c = try server.client()

    XCTAssertEqual(try c.get("/v1/health").status, 200)
    let noToken = try c.ask(["question": "销售额"], token: nil)
    XCTAssertEqual(noToken.status, 401)
    XCTAssertEqual(noToken.headers["www-authenticate"], "Bearer")
    XCTAssertTrue((noToken.json?["error"] as? [String: Any])?["message"] is String)
    XCTAssertEqual(try c.ask(["question": "销售额"], token: "wrong-secret").status, 401)
    XCTAssertEqual(try c.get("/v1/schema", token: "wrong-secret").status, 401)

    func bad(_ body: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) throws {
      let r = try c.post("/v1/ask", token: "admin-secret-2", body: Array(body.utf8))
      XCTAssertEqual(r.status, 400, body, file: file, line: line)
      let msg = ((r.json?["error"] as? [String: Any])?["message"] as? String) ?? ""
      XCTAssertTrue(msg.contains(expected), "\(body): \(msg)", file: file, line: line)
    }
    try bad("", "not a JSON object")
    try bad("{", "malformed JSON")
    try bad("[1,2]", "not a JSON object")
    try bad("{\"question\": 5}", "\"question\" must be a string")
    try bad("{\"question\": null}", "\"question\" must be a string")
    try bad("{\"question\": \"销售额\", \"limit\": \"10\"}", "\"limit\" must be")
    try bad("{\"question\": \"销售额\", \"limit\": 0}", "\"limit\" must be")
    try bad("{\"question\": \"销售额\", \"limit\": true}", "\"limit\" must be")
    try bad("{\"question\": \"销售额\", \"format\": \"pdf\"}", "\"format\" must be one of")
    try bad("{\"question\": \"销售额\", \"today\": \"2026-13-01\"}", "\"today\" must be a date")
    try bad("{\"question\": \"销售额\", \"today\": 20261122}", "\"today\" must be a date")
    try bad("{\"question\": \"销售额\", \"conversation_id\": [1]}", "\"conversation_id\" must be")
    try bad("{\"questoin\": \"销售额\"}", "unknown field \"questoin\"")
    let invalidUTF8: [UInt8] = Array("{\"question\": \"".utf8) + [0xFF, 0xFE, 0xC3] + Array("\"}".utf8)
    let r8 = try c.post("/v1/ask", token: "admin-secret-2", body: invalidUTF8)
    XCTAssertEqual(r8.status, 400)
    XCTAssertTrue(r8.body.contains("not valid UTF-8"), r8.body)

    let big = try c.post("/v1/ask", token: "admin-secret-2", body: Array(repeating: UInt8(ascii: "a"), count: 70_000))
    XCTAssertEqual(big.status, 413)
    XCTAssertTrue(big.body.contains("65536"), big.body)

    let missing = try c.get("/v2/nothing", token: "admin-secret-2")
    XCTAssertEqual(missing.status, 404)
    XCTAssertNotNil(missing.json?["error"], missing.body)
    let wrongMethod = try c.get("/v1/ask", token: "admin-secret-2")
    XCTAssertTrue([404, 405].contains(wrongMethod.status))
    XCTAssertNotNil(wrongMethod.json?["error"], wrongMethod.body)

    // Still healthy and answering after all that, on the same connection.
    let ok = try c.ask(["question": "上个月销售额", "today": "2026-11-22"], token: "admin-secret-2")
    XCTAssertEqual(ok.status, 200)
    XCTAssertEqual(ok.json?["columns"] as? [String], ["sales"])
  }

  func testSameJSONAsThePipeAndFormats() async throws {
    let service = try Self.service([Self.admin])
    let server = try await RunningServer.start(service)
    defer { server.stop() }
    let c = try server.client()
    let q = "今年各地区的复购率"
    let r = try c.ask(["question": q, "today": "2026-11-22"], token: "admin-secret-2")
    XCTAssertEqual(r.body.trimmingCharacters(in: .newlines), AnswerJSON.encode(service.engine.ask(q, today: ServerFixtures.today)))
    // With a limit, as the pipe's "limit": the same first rows and "rows_total".
    let list = "上月高复购客户有哪些"
    let cut = try c.ask(["question": list, "today": "2026-11-22", "limit": 5], token: "admin-secret-2")
    XCTAssertEqual(cut.body.trimmingCharacters(in: .newlines), AnswerJSON.encode(service.engine.ask(list, today: ServerFixtures.today), limit: 5))
    for f in ["table", "csv", "markdown", "sql"] {
      let t = try c.ask(["question": q, "today": "2026-11-22", "format": f], token: "admin-secret-2")
      let text = t.json?["text"] as? String ?? ""
      if f == "sql" { XCTAssertTrue(text.uppercased().contains("SELECT"), text) } else { XCTAssertTrue(text.contains("华东"), "\(f): \(text.prefix(200))") }
    }
    let limited = try c.ask(["question": "上月高复购客户有哪些", "today": "2026-11-22", "limit": 3], token: "admin-secret-2")
    XCTAssertEqual((limited.json?["rows"] as? [Any])?.count, 3)
    XCTAssertGreaterThan(limited.json?["rows_total"] as? Int ?? 0, 3)
  }

  func testScopeCannotBeWidenedByWordingOrFollowUps() async throws {
    let server = try await RunningServer.start(try Self.service([Self.east, Self.admin]))
    defer { server.stop() }
    let c = try server.client()
    func rows(_ q: String, conversation: String? = nil, token: String = "east-secret-1") throws -> (rows: [[Any]], error: String?) {
      var f: [String: Any] = ["question": q, "today": "2026-11-22"]
      if let conversation { f["conversation_id"] = conversation }
      let r = try c.ask(f, token: token)
      XCTAssertEqual(r.status, 200)
      return (r.json?["rows"] as? [[Any]] ?? [], (r.json?["error"] as? [String: Any])?["message"] as? String)
    }
    for q in ["各地区的销售额", "全部地区的销售额", "sales by region for all regions", "除华东以外各地区的销售额"] {
      let (rs, err) = try rows(q)
      for row in rs { XCTAssertEqual(row.first as? String, "华东", "\(q): \(row)") }
      if rs.isEmpty { XCTAssertNotNil(err, q) }
    }
    // Totals, however asked, are the scope's total.
    let (eastOnly, _) = try rows("华东的销售额", token: "admin-secret-2")
    for q in ["销售额", "全部客户的销售额", "华东和华北的销售额", "total sales of all regions"] {
      let (rs, _) = try rows(q)
      XCTAssertEqual(rs.count, 1, q)
      XCTAssertEqual(rs.first?.last as? Double, eastOnly.first?.last as? Double, q)
    }
    // The SQL form is compiled from the scoped plan: it carries the predicate too.
    let sql = try c.ask(["question": "各地区的销售额", "today": "2026-11-22", "format": "sql"], token: "east-secret-1")
    let sqlText = sql.json?["text"] as? String ?? ""
    XCTAssertTrue(sqlText.contains("'华东'"), sqlText)
    let (_, outside) = try rows("华北的销售额")
    XCTAssertTrue(outside?.contains("数据范围") ?? false, outside ?? "answered")

    // Follow-ups stay in the scope, and per conversation and per token.
    let (first, _) = try rows("上个月华东的销售额", conversation: "u1")
    XCTAssertEqual(first.count, 1)
    let (_, follow) = try rows("那华北呢", conversation: "u1")
    XCTAssertTrue(follow?.contains("数据范围") ?? false, follow ?? "answered")
    let (admin1, _) = try rows("上个月华东的销售额", conversation: "u1", token: "admin-secret-2")
    let (admin2, adminErr) = try rows("那华北呢", conversation: "u1", token: "admin-secret-2")
    XCTAssertNil(adminErr)
    XCTAssertEqual(admin1.count, 1)
    XCTAssertEqual(admin2.count, 1)
    XCTAssertNotEqual("\(admin1)", "\(admin2)", "the follow-up changed nothing")
    // Another conversation id has no context: 那华北呢 alone is not the same question.
    let (fresh, _) = try rows("那华北呢", conversation: "u2", token: "admin-secret-2")
    XCTAssertNotEqual("\(fresh)", "\(admin2)")
  }

  func testAlternativesAreScopedToo() async throws {
    let stores = TokenPolicy(name: "stores", secret: "stores-secret-9", scope: [ScopePredicate(.region, ["华东"]), ScopePredicate(.sourceChannel, ["门店"])],
                             showPersonal: false, ratePerMinute: 0)
    let live = TokenPolicy(name: "live", secret: "live-secret-10", scope: [ScopePredicate(.channel, ["直播"])], showPersonal: false, ratePerMinute: 0)
    let server = try await RunningServer.start(try Self.service([stores, live]))
    defer { server.stop() }
    let c = try server.client()
    // 门店 reads as the order channel, with the source channel as an alternative.
    let r = try c.ask(["question": "门店的销售额", "today": "2026-11-22"], token: "stores-secret-9")
    let alternatives = r.json?["alternatives"] as? [[String: Any]] ?? []
    XCTAssertFalse(alternatives.isEmpty, r.body)
    for a in alternatives {
      let filters = ((a["plan"] as? [String: Any])?["filters"] as? [[String: Any]]) ?? []
      XCTAssertTrue(filters.contains { $0["dimension"] as? String == "region" && $0["values"] as? [String] == ["华东"] }, "\(a)")
      XCTAssertTrue((a["interpretation"] as? String)?.contains("数据范围") ?? false)
    }
    // For the order-channel token, 门店 as a channel is outside its scope: refused, not widened.
    let l = try c.ask(["question": "门店的销售额", "today": "2026-11-22"], token: "live-secret-10")
    XCTAssertNotNil(l.json?["error"], l.body)
  }

  func testConversationsExpire() {
    let clock = ManualClock()
    let conversations = Conversations(idleSeconds: 60, capacity: 2, clock: { clock.now })
    var c = Conversation()
    let engine = try! TestData.engine(try! ServerFixtures.retailPath(), today: ServerFixtures.today)
    let reading = engine.plan("上个月销售额", today: ServerFixtures.today).3!
    c.remember(reading)
    conversations.put(token: "a", id: "1", c)
    XCTAssertNotNil(conversations.get(token: "a", id: "1").last)
    XCTAssertNil(conversations.get(token: "b", id: "1").last, "conversations are per token")
    clock.now += 61
    XCTAssertNil(conversations.get(token: "a", id: "1").last, "expired after the idle time")
    for i in 0..<5 { conversations.put(token: "a", id: "\(i)", c) }
    XCTAssertLessThanOrEqual(conversations.count, 2)
  }

  func testRateLimitAnswers429WithRetryAfter() async throws {
    let limited = TokenPolicy(name: "slow", secret: "slow-secret-3", scope: [], showPersonal: false, ratePerMinute: 3)
    let server = try await RunningServer.start(try Self.service([limited, Self.admin]))
    defer { server.stop() }
    let c = try server.client()
    var statuses: [Int] = []
    var retry: String?
    for _ in 0..<6 {
      let r = try c.ask(["question": "销售额"], token: "slow-secret-3")
      statuses.append(r.status)
      if r.status == 429 { retry = r.headers["retry-after"] }
    }
    XCTAssertEqual(statuses.prefix(3), [200, 200, 200])
    XCTAssertEqual(statuses.suffix(3), [429, 429, 429])
    XCTAssertNotNil(retry.flatMap { Int($0) }, "Retry-After")
    XCTAssertGreaterThanOrEqual(Int(retry ?? "0") ?? 0, 1)
    // Other tokens are not affected.
    XCTAssertEqual(try c.ask(["question": "销售额"], token: "admin-secret-2").status, 200)
  }

  func testRateLimiterRefills() {
    let clock = ManualClock()
    let l = RateLimiter(clock: { clock.now })
    for _ in 0..<2 { XCTAssertNil(l.take("a", perMinute: 2)) }
    XCTAssertEqual(l.take("a", perMinute: 2), 30)
    clock.now += 30
    XCTAssertNil(l.take("a", perMinute: 2))
    XCTAssertNil(l.take("b", perMinute: 0), "0 = unlimited")
  }

  func testSchemaListsOnlyTheScopeAndNoCustomers() async throws {
    let server = try await RunningServer.start(try Self.service([Self.east, Self.admin]))
    defer { server.stop() }
    let c = try server.client()
    let s = try c.get("/v1/schema", token: "east-secret-1")
    XCTAssertEqual(s.status, 200)
    let dims = s.json?["dimensions"] as? [[String: Any]] ?? []
    let region = dims.first { $0["id"] as? String == "region" }?["values"] as? [String]
    XCTAssertEqual(region, ["华东"])
    XCTAssertNil(dims.first { $0["id"] as? String == "customer" }?["values"], "customer ids or names are never listed")
    let cities = Set(dims.first { $0["id"] as? String == "city" }?["values"] as? [String] ?? [])
    let all = try c.get("/v1/schema", token: "admin-secret-2")
    let allCities = Set(((all.json?["dimensions"] as? [[String: Any]])?.first { $0["id"] as? String == "city" }?["values"] as? [String]) ?? [])
    XCTAssertFalse(cities.isEmpty)
    XCTAssertTrue(cities.isStrictSubset(of: allCities), "the east token sees only cities of its customers")
    XCTAssertEqual(s.json?["personal"] as? String, "masked")
  }

  func testAuditLogLinesAndRotation() async throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wenshu-audit-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let path = dir.appendingPathComponent("audit.jsonl").path
    let server = try await RunningServer.start(try Self.service([Self.east], audit: path, auditMax: 4096))
    defer { server.stop() }
    let c = try server.client()
    _ = try c.ask(["question": "上个月销售额", "today": "2026-11-22"], token: "east-secret-1")
    _ = try c.ask(["question": "华北的销售额"], token: "east-secret-1")
    _ = try c.post("/v1/ask", token: "east-secret-1", body: Array("{".utf8))
    let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
    XCTAssertEqual(lines.count, 3)
    let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: Any]
    XCTAssertEqual(first["token"] as? String, "east")
    XCTAssertEqual(first["question"] as? String, "上个月销售额")
    XCTAssertEqual(first["rows"] as? Int, 1)
    XCTAssertTrue(first["time"] is String)
    let filters = ((first["plan"] as? [String: Any])?["filters"] as? [[String: Any]]) ?? []
    XCTAssertTrue(filters.contains { $0["dimension"] as? String == "region" }, "the audited plan is the scoped one")
    let second = try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as! [String: Any]
    XCTAssertTrue((second["refusal"] as? String)?.contains("数据范围") ?? false)
    let third = try JSONSerialization.jsonObject(with: Data(lines[2].utf8)) as! [String: Any]
    XCTAssertEqual(third["status"] as? Int, 400)
    for _ in 0..<40 { _ = try c.ask(["question": "上个月销售额", "today": "2026-11-22"], token: "east-secret-1") }
    XCTAssertTrue(FileManager.default.fileExists(atPath: path + ".1"))
    XCTAssertTrue(FileManager.default.fileExists(atPath: path + ".2"))
    XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".3"), "keep = 2")
    for p in [path, path + ".1"] {
      let size = (try FileManager.default.attributesOfItem(atPath: p)[.size] as? Int) ?? 0
      XCTAssertLessThanOrEqual(size, 4096)
    }
  }

  func testSlowQuestionsAndAFullQueueAnswer503() async throws {
    let pool = WorkerPool(threads: 1, maxQueued: 1)
    async let slow = pool.run(deadline: 0.2) { () -> Int in usleep(600_000); return 1 }
    try await Task.sleep(nanoseconds: 50_000_000)
    async let queued = pool.run(deadline: 5) { () -> Int in 2 }
    try await Task.sleep(nanoseconds: 50_000_000)
    let busy = await pool.run(deadline: 5) { () -> Int in 3 }
    guard case .busy = busy else { return XCTFail("a full queue must answer busy, got \(busy)") }
    guard case .timedOut = await slow else { return XCTFail("past the deadline: timed out") }
    guard case .done(2) = await queued else { return XCTFail("the queued job runs") }
  }

  func testConfigFile() throws {
    let good = """
      limits: {max_body_bytes: 1000, seconds_per_question: 2, concurrent_questions: 3}
      audit: {path: /tmp/x.jsonl, max_bytes: 2048, keep: 3}
      personal_columns: [name, phone]
      tokens:
        - name: east
          secret: "0123456789"
          scope: ["region = 华东", "source_channel in (门店, '直播')"]
          personal: masked
          rate_per_minute: 30
        - name: env
          secret_env: MY_TOKEN
          scope: {channel: [小程序], member_level: 金卡}
          personal: shown
      """
    let c = try ServerConfig.parse(good, environment: ["MY_TOKEN": "abcdefghij"])
    XCTAssertEqual(c.maxBodyBytes, 1000)
    XCTAssertEqual(c.concurrentQuestions, 3)
    XCTAssertEqual(c.auditKeep, 3)
    XCTAssertEqual(c.personalColumns, ["name", "phone"])
    XCTAssertEqual(c.tokens[0].scope, [ScopePredicate(.region, ["华东"]), ScopePredicate(.sourceChannel, ["门店", "直播"])])
    XCTAssertEqual(c.tokens[0].ratePerMinute, 30)
    XCTAssertFalse(c.tokens[0].showPersonal)
    XCTAssertEqual(c.tokens[1].secret, "abcdefghij")
    XCTAssertEqual(c.tokens[1].scope, [ScopePredicate(.channel, ["小程序"]), ScopePredicate(.memberLevel, ["金卡"])])
    XCTAssertTrue(c.tokens[1].showPersonal)

    // The documented example parses as documented.
    let example = try String(contentsOfFile: TestData.packageRoot.appendingPathComponent("examples/wenshu-http.yaml").path, encoding: .utf8)
    let ex = try ServerConfig.parse(example, environment: ["WENSHU_LIVE_TOKEN": "live-change-me-0004"])
    XCTAssertEqual(ex.tokens.map(\.name), ["east-stores", "live-commerce", "analyst", "crm-admin"])
    XCTAssertEqual(ex.tokens[0].scope, [ScopePredicate(.region, ["华东"]), ScopePredicate(.sourceChannel, ["门店"])])
    XCTAssertEqual(ex.tokens[1].scope, [ScopePredicate(.channel, ["直播", "小程序"])])
    XCTAssertEqual(ex.tokens.map(\.showPersonal), [false, false, false, true])
    XCTAssertEqual(ex.requestTimeoutSeconds, 30)

    func fails(_ text: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
      do {
        _ = try ServerConfig.parse(text, environment: [:])
        XCTFail("accepted: \(text)", file: file, line: line)
      } catch {
        XCTAssertTrue(String(describing: error).contains(expected), "\(error)", file: file, line: line)
      }
    }
    fails("tokens: []", "non-empty list")
    fails("tokens: [{name: a, secret: 12345678901}]", "quote it")
    fails(": : :", "YAML")
    fails("tokens: [{name: a, secret: short}]", "at least 8")
    fails("tokens: [{name: a, secret: \"0123456789\", scope: [\"customer = 5\"]}]", "cannot scope rows")
    fails("tokens: [{name: a, secret: \"0123456789\", scope: [\"region ~ 华东\"]}]", "expected “dimension = value”")
    fails("tokens: [{name: a, secret: \"0123456789\", personal: yes}]", "masked")
    fails("tokens: [{name: a, secret: \"0123456789\", rate_per_minute: fast}]", "rate_per_minute must be a number")
    fails("tokens: [{name: a, secret_env: NOPE}]", "not set")
    fails("tokens: [{name: a, secret: \"0123456789\"}, {name: a, secret: \"9876543210\"}]", "used twice")
    fails("tokens: [{name: a, secret: \"0123456789\", scope: [\"region = 华东\", \"region = 华北\"]}]", "twice")
    fails("limits: {max_body_bytes: -1}\ntokens: [{name: a, secret: \"0123456789\"}]", "between")
    fails("limtis: {}\ntokens: [{name: a, secret: \"0123456789\"}]", "unknown key")
  }

  func testMaskedForms() {
    XCTAssertEqual(Masker.mask("张伟"), "张**")
    XCTAssertEqual(Masker.mask("欧阳娜娜"), "欧***")
    XCTAssertEqual(Masker.mask("13812341234"), "138****1234")
    XCTAssertEqual(Masker.mask("+86 138 1234 1234"), "+86**********1234")
    XCTAssertEqual(Masker.mask("li.wei@example.com"), "l***@example.com")
    let m = Masker(personalColumns: ["name"], personalValues: ["马军", "郭磊磊"])
    XCTAssertEqual(m.scrub("客户马军与郭磊磊"), "客户马**与郭**")
    XCTAssertEqual(m.scrub("马上"), "马上")
  }
}

final class ManualClock: @unchecked Sendable {
  var now: Double = 1000
}
