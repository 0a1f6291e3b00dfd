// What the HTTP endpoints do, without HTTP: authenticate a bearer token, parse and check an
// /v1/ask body, rate-limit, admit to the worker pool under a deadline, plan → scope → run,
// mask, encode (the pipe's JSON, plus the rendered text for other formats), audit.
// Also the /v1/schema and /v1/health documents.

import Cube
import Engine
import Foundation
import Planning
import QueryModel
import Rendering

/// An HTTP answer before it meets the wire.
public struct Reply: Sendable {
  public var status: Int
  public var body: String
  public var headers: [(String, String)] = []
  public init(status: Int, body: String, headers: [(String, String)] = []) {
    self.status = status
    self.body = body
    self.headers = headers
  }

  /// `{"error": {"message": …, "suggestions": []}}` with a status.
  public static func error(_ status: Int, _ message: String, headers: [(String, String)] = []) -> Reply {
    Reply(status: status, body: "{\"error\":{\"message\":" + AnswerJSON.string(message) + ",\"suggestions\":[]}}", headers: headers)
  }
}

enum JSONText {
  static func string(_ s: String) -> String { AnswerJSON.string(s) }
}

/// A checked /v1/ask request.
public struct AskRequest: Sendable {
  public enum Format: String, Sendable, CaseIterable { case json, table, csv, markdown, sql }
  public var question: String
  public var conversationID: String?
  public var format: Format = .json
  public var limit: Int?
  public var today: Day?

  /// A JSON value of any type (wrong types are reported, never a crash).
  enum Field: Decodable {
    case string(String), int(Int), number(Double), bool(Bool), null, other
    init(from decoder: Decoder) throws {
      let c = try decoder.singleValueContainer()
      if c.decodeNil() { self = .null } else if let b = try? c.decode(Bool.self) { self = .bool(b) } else if let i = try? c.decode(Int.self) {
        self = .int(i)
      } else if let d = try? c.decode(Double.self) { self = .number(d) } else if let s = try? c.decode(String.self) { self = .string(s) } else {
        self = .other
      }
    }
  }

  static let fields = ["question", "conversation_id", "format", "limit", "today"]

  /// The request from the raw body, or the 400 message.
  public static func parse(_ body: [UInt8]) -> Result<AskRequest, Refusal> {
    guard let text = String(validating: body, as: UTF8.self) else {
      return .failure(Refusal("the request body is not valid UTF-8"))
    }
    let usage = "expected a JSON object {\"question\": \"…\", \"conversation_id\": \"…\", \"format\": \"json|table|csv|markdown|sql\", \"limit\": 100, \"today\": \"YYYY-MM-DD\"}"
    guard text.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("{") else {
      return .failure(Refusal("the request body is not a JSON object: " + usage))
    }
    let wire: [String: Field]
    do {
      wire = try JSONDecoder().decode([String: Field].self, from: Data(text.utf8))
    } catch {
      return .failure(Refusal("malformed JSON: " + usage))
    }
    for k in wire.keys.sorted() where !fields.contains(k) {
      return .failure(Refusal("unknown field \"\(String(k.prefix(60)))\": " + usage))
    }
    guard case .string(let q) = wire["question"] else {
      return .failure(Refusal("\"question\" must be a string: " + usage))
    }
    var r = AskRequest(question: q)
    switch wire["conversation_id"] {
    case nil, .null: break
    case .string(let s):
      guard !s.isEmpty, s.utf8.count <= 200 else { return .failure(Refusal("\"conversation_id\" must be 1 to 200 bytes")) }
      r.conversationID = s
    case .int(let i): r.conversationID = String(i)
    default: return .failure(Refusal("\"conversation_id\" must be a string"))
    }
    switch wire["format"] {
    case nil, .null: break
    case .string(let s):
      guard let f = Format(rawValue: s) else {
        return .failure(Refusal("\"format\" must be one of " + Format.allCases.map(\.rawValue).joined(separator: ", ") + ", got \(JSONText.string(String(s.prefix(40))))"))
      }
      r.format = f
    default: return .failure(Refusal("\"format\" must be a string: one of " + Format.allCases.map(\.rawValue).joined(separator: ", ")))
    }
    switch wire["limit"] {
    case nil, .null: break
    case .int(let i):
      guard i >= 1 else { return .failure(Refusal("\"limit\" must be a whole number of rows, at least 1")) }
      r.limit = i
    default: return .failure(Refusal("\"limit\" must be a whole number of rows, at least 1"))
    }
    switch wire["today"] {
    case nil, .null: break
    case .string(let s):
      guard let d = Day(iso: s) else { return .failure(Refusal("\"today\" must be a date YYYY-MM-DD, got \(JSONText.string(String(s.prefix(40))))")) }
      r.today = d
    default: return .failure(Refusal("\"today\" must be a date string YYYY-MM-DD"))
    }
    return .success(r)
  }

  public init(question: String) { self.question = question }
}

public final class AskService: @unchecked Sendable {
  public let engine: Engine
  public let config: ServerConfig
  public let defaultToday: Day
  public let audit: AuditLog?
  let limiter = RateLimiter()
  let conversations: Conversations
  let pool: WorkerPool
  /// Every personal value of the data (customer names…), for scrubbing masked answers.
  public let masker: Masker
  private let bySecret: [String: TokenPolicy]
  let started = Date()

  /// With `followClock`, a request without "today" uses the local date when it arrives (a server
  /// runs for days); otherwise `today`, fixed (as `--today` asks).
  public let followClock: Bool

  public init(engine: Engine, config: ServerConfig, today: Day, followClock: Bool = false) throws {
    self.engine = engine
    self.config = config
    defaultToday = today
    self.followClock = followClock
    audit = try config.auditPath.map { try AuditLog(path: $0, maxBytes: config.auditMaxBytes, keep: config.auditKeep) }
    conversations = Conversations(idleSeconds: config.conversationIdleSeconds, capacity: config.maxConversations)
    pool = WorkerPool(threads: config.concurrentQuestions, maxQueued: config.queuedQuestions)
    let cube = engine.database.cube
    masker = Masker(personalColumns: config.personalColumns, personalValues: cube.customers.name?.dictionary ?? [])
    var m: [String: TokenPolicy] = [:]
    for t in config.tokens { m[t.secret] = t }
    bySecret = m
    try checkScopes()
  }

  /// Refuses to start with a scope naming a dimension the data lacks (values absent from the
  /// data are allowed: they match nothing).
  func checkScopes() throws {
    let dims = engine.database.cube.availableDimensions
    for t in config.tokens {
      for p in t.scope where !dims.contains(p.dimension) {
        throw ConfigError("token “\(t.name)”: this data has no \(p.dimension.rawValue) to scope by")
      }
    }
  }

  // MARK: Authentication

  /// The policy of an `Authorization: Bearer …` header, or the 401 reply.
  public func authenticate(_ header: String?) -> Result<TokenPolicy, ReplyError> {
    if config.tokens.isEmpty { return .success(ServerConfig.openPolicy) }
    guard let h = header, h.count > 7, h.prefix(7).lowercased() == "bearer " else {
      return .failure(ReplyError(.error(401, "missing bearer token: send “Authorization: Bearer <secret>”", headers: [("WWW-Authenticate", "Bearer")])))
    }
    let secret = h.dropFirst(7).trimmingCharacters(in: .whitespaces)
    // Compared with every secret in constant time per secret (no early exit on a prefix).
    var found: TokenPolicy?
    for (s, p) in bySecret where AskService.constantTimeEqual(s, secret) { found = p }
    guard let found else {
      return .failure(ReplyError(.error(401, "unknown bearer token", headers: [("WWW-Authenticate", "Bearer error=\"invalid_token\"")])))
    }
    return .success(found)
  }

  /// The local calendar date now.
  public static func localToday() -> Day {
    var t = time_t(Date().timeIntervalSince1970)
    var parts = tm()
    localtime_r(&t, &parts)
    return Day(year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday))
  }

  static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    var diff = UInt8(x.count == y.count ? 0 : 1)
    for i in 0..<max(x.count, y.count) { diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0) }
    return diff == 0
  }

  // MARK: /v1/ask

  /// Answers a POST /v1/ask body for an authenticated token (errors that echo the request
  /// are scrubbed of personal values too).
  public func ask(policy: TokenPolicy, body: [UInt8]) async -> Reply {
    var reply = await askUnscrubbed(policy: policy, body: body)
    if !policy.showPersonal { reply.body = masker.scrub(reply.body) }
    return reply
  }

  func askUnscrubbed(policy: TokenPolicy, body: [UInt8]) async -> Reply {
    let start = DispatchTime.now().uptimeNanoseconds
    func ms() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 }
    if let wait = limiter.take(policy.name, perMinute: policy.ratePerMinute) {
      audit?.write(.init(token: policy.name, question: "", plan: nil, rows: nil, refusal: "rate limited", status: 429, milliseconds: ms()))
      return .error(429, "rate limit of \(Int(policy.ratePerMinute)) questions a minute reached; retry in \(wait) s", headers: [("Retry-After", String(wait))])
    }
    let request: AskRequest
    switch AskRequest.parse(body) {
    case .failure(let r):
      audit?.write(.init(token: policy.name, question: "", plan: nil, rows: nil, refusal: r.message, status: 400, milliseconds: ms()))
      return .error(400, r.message)
    case .success(let r): request = r
    }
    let outcome = await pool.run(deadline: config.secondsPerQuestion) { [self] in
      answer(policy: policy, request: request)
    }
    switch outcome {
    case .done(let reply, let entry):
      var e = entry
      e.milliseconds = ms()
      audit?.write(e)
      return reply
    case .busy:
      audit?.write(.init(token: policy.name, question: request.question, plan: nil, rows: nil, refusal: "busy", status: 503, milliseconds: ms()))
      return .error(503, "too many questions waiting; retry in a second", headers: [("Retry-After", "1")])
    case .timedOut:
      audit?.write(.init(token: policy.name, question: request.question, plan: nil, rows: nil, refusal: "timed out", status: 503, milliseconds: ms()))
      return .error(503, "the question took longer than \(config.secondsPerQuestion) s and was abandoned", headers: [("Retry-After", "5")])
    }
  }

  /// Plan → scope → run → mask → encode, synchronously (on a worker thread).
  public func answer(policy: TokenPolicy, request: AskRequest) -> (Reply, AuditLog.Entry) {
    let today = request.today ?? (followClock ? AskService.localToday() : defaultToday)
    var conversation: Conversation? = request.conversationID.map { conversations.get(token: policy.name, id: $0) }
    let (planned, refusal, lang, reading) = engine.plan(request.question, today: today, conversation: conversation)
    var answer: Answer
    if let planned {
      answer = scopedRun(policy: policy, planned: planned, question: request.question)
      if answer.ok, let reading, let id = request.conversationID {
        conversation?.remember(reading)
        if let conversation { conversations.put(token: policy.name, id: id, conversation) }
      }
    } else {
      answer = Answer(question: request.question, language: lang, planned: nil, table: nil, refusal: refusal)
    }
    let (body, rows) = encode(answer, policy: policy, format: request.format, limit: request.limit)
    let entry = AuditLog.Entry(token: policy.name, question: request.question, plan: answer.planned.map { AnswerJSON.plan($0.plan) },
                               rows: rows, refusal: answer.refusal?.message, status: 200, milliseconds: 0)
    return (Reply(status: 200, body: body), entry)
  }

  /// A plan understood from a question, with the token's scope ANDed in, run (or refused).
  public func scopedRun(policy: TokenPolicy, planned: PlannedQuestion, question: String) -> Answer {
    switch RowScope(policy.scope).apply(planned) {
    case .failure(let r):
      return Answer(question: question, language: planned.language, planned: nil, table: nil, refusal: r)
    case .success(let scoped):
      return run(scoped, question: question)
    }
  }

  /// The response body of an answer for a token: personal columns masked, rows capped, the
  /// rendered text for formats other than JSON, every personal value scrubbed; and the rows sent.
  public func encode(_ input: Answer, policy: TokenPolicy, format: AskRequest.Format = .json, limit: Int? = nil) -> (String, Int?) {
    var answer = input
    answer.question = PipeEcho.echo(answer.question)
    if !policy.showPersonal, let t = answer.table { answer.table = masker.mask(t) }
    let cap = min(limit ?? config.maxRows, config.maxRows)
    // The pipe's JSON, cut to `cap` rows with "rows_total" as the pipe's "limit" does.
    var body = AnswerJSON.encode(answer, limit: cap)
    if let t = answer.table, t.rows.count > cap { answer.table?.rows.removeLast(t.rows.count - cap) }
    if format != .json, let text = render(answer, format: format) { body = String(body.dropLast()) + ",\"text\":" + JSONText.string(text) + "}" }
    if !policy.showPersonal { body = masker.scrub(body) }
    return (body, answer.table?.rows.count)
  }

  /// Runs a scoped plan as `Engine.ask` runs one (the model's note joins the interpretation).
  func run(_ planned: PlannedQuestion, question: String) -> Answer {
    var a = engine.run(planned, question: question)
    if var table = a.table, var understood = a.planned,
      planned.plan.metrics.contains(where: \.isModel) || planned.plan.list == .churnRisk, let model = table.notes.first {
      understood.interpretation += " · " + model
      table.notes.removeFirst()
      a.planned = understood
      a.table = table
    }
    return a
  }

  /// The text of a format other than JSON (nil when there is nothing to render).
  func render(_ a: Answer, format: AskRequest.Format) -> String? {
    let refusalText = a.refusal.map { r in
      r.message + (r.suggestions.isEmpty ? "" : "\n" + (a.language == .zh ? "可以这样问：" : "Try: ") + r.suggestions.joined(separator: a.language == .zh ? "；" : "; "))
    }
    guard let t = a.table, let p = a.planned else { return refusalText }
    let o = RenderOptions(language: a.language, maxRows: nil, ascii: false, color: false, chart: .auto, width: 100)
    switch format {
    case .json: return nil
    case .csv: return CSVRenderer.render(t)
    case .markdown: return "*\(p.interpretation)*\n\n" + MarkdownRenderer.render(t, RenderOptions(language: a.language, maxRows: nil, chart: .none))
    case .table: return p.interpretation + "\n" + TerminalRenderer.render(t, o)
    case .sql:
      switch engine.sql(for: p) {
      case .success(let s): return s
      case .failure(let r): return r.message
      }
    }
  }

  // MARK: /v1/schema and /v1/health

  /// Liveness for load balancers, without a token: nothing about the data (its size would
  /// already tell an outsider something).
  public func health() -> Reply {
    let up = Date().timeIntervalSince(started)
    return Reply(status: 200, body: "{\"status\":\"ok\",\"uptime_seconds\":\(Int(up)),\"questions_waiting_or_running\":\(pool.load)}")
  }

  /// What may be asked: metrics, dimensions and their values within the token's scope (never
  /// customer names or ids), the data's date range, the scope and whether personal data is masked.
  public func schema(policy: TokenPolicy) -> Reply {
    schemaLock.lock()
    if let cached = schemaCache[policy.name] {
      schemaLock.unlock()
      return cached
    }
    schemaLock.unlock()
    let reply = computeSchema(policy: policy)
    schemaLock.lock()
    schemaCache[policy.name] = reply
    schemaLock.unlock()
    return reply
  }

  private let schemaLock = NSLock()
  private var schemaCache: [String: Reply] = [:]

  func computeSchema(policy: TokenPolicy) -> Reply {
    let cube = engine.database.cube
    let inScope = ScopeMask(cube: cube, scope: policy.scope)
    var dims: [String] = []
    for d in DimensionID.allCases where cube.availableDimensions.contains(d) || d == .segment {
      var values: [String]?
      switch d {
      case .customer: values = nil
      case .segment: values = Segment.allCases.map { $0.name(.zh) }
      case .topic: values = engine.vocabulary.topics.map(\.name)
      case .ageBand: values = ["<25", "25–34", "35–44", "45–54", "≥55"]
      case .channel: values = inScope.channelValues()
      case .category, .product: values = cube.values(of: d)
      default: values = inScope.customerValues(d)
      }
      var s = "{\"id\":" + JSONText.string(d.rawValue)
      if var values {
        if !policy.showPersonal { values = values.filter { masker.scrub($0) == $0 } }
        if values.count > 500 { s += ",\"values_total\":\(values.count)"; values = Array(values.prefix(500)) }
        s += ",\"values\":[" + values.map(JSONText.string).joined(separator: ",") + "]"
      }
      dims.append(s + "}")
    }
    var body = "{\"token\":" + JSONText.string(policy.name)
    body += ",\"scope\":[" + policy.scope.map { JSONText.string($0.description) }.joined(separator: ",") + "]"
    body += ",\"personal\":" + (policy.showPersonal ? "\"shown\"" : "\"masked\"")
    body += ",\"rate_per_minute\":\(Int(policy.ratePerMinute))"
    if let r = cube.dateRange { body += ",\"data_range\":{\"start\":\"\(r.start.iso)\",\"end\":\"\(r.end.iso)\"}" }
    body += ",\"metrics\":[" + MetricID.allCases.map { JSONText.string($0.rawValue) }.joined(separator: ",") + "]"
    body += ",\"dimensions\":[" + dims.joined(separator: ",") + "]"
    body += ",\"formats\":[" + AskRequest.Format.allCases.map { JSONText.string($0.rawValue) }.joined(separator: ",") + "]"
    body += ",\"examples\":[" + engine.planner.examples(.zh).map(JSONText.string).joined(separator: ",") + "]}"
    if !policy.showPersonal { body = masker.scrub(body) }
    return Reply(status: 200, body: body)
  }
}

/// An error that is already an HTTP reply.
public struct ReplyError: Error {
  public var reply: Reply
  public init(_ r: Reply) { reply = r }
}

/// The echoed question: cut when longer than any question the engine reads (as the pipe does).
enum PipeEcho {
  static func echo(_ q: String) -> String {
    let limit = Engine.maxQuestionLength
    guard q.unicodeScalars.count > limit else { return q }
    var s = String.UnicodeScalarView()
    s.append(contentsOf: q.unicodeScalars.prefix(limit))
    return String(s) + "…"
  }
}

/// Which customers and orders a scope lets through, for the schema's value lists.
struct ScopeMask {
  let cube: Cube
  let customers: [Bool]?
  let channels: Set<Int32>?

  init(cube: Cube, scope: [ScopePredicate]) {
    self.cube = cube
    var mask: [Bool]?
    var ch: Set<Int32>?
    for p in scope {
      if p.dimension == .channel {
        let codes = Set(p.values.compactMap { cube.orders.channel?.code(of: $0) })
        ch = ch.map { $0.intersection(codes) } ?? codes
        continue
      }
      guard let col = cube.customers.attributes[p.dimension] else {
        mask = [Bool](repeating: false, count: cube.customers.count)
        continue
      }
      let codes = Set(p.values.compactMap { col.code(of: $0) })
      var m = mask ?? [Bool](repeating: true, count: cube.customers.count)
      for c in 0..<m.count where m[c] { m[c] = codes.contains(col.codes[c]) }
      mask = m
    }
    // An order-level scope: the customers with an order in it.
    if let ch {
      var m = mask ?? [Bool](repeating: true, count: cube.customers.count)
      var has = [Bool](repeating: false, count: cube.customers.count)
      for i in 0..<cube.orders.count {
        let c = Int(cube.orders.customer[i])
        if c >= 0, ch.contains(cube.orders.channel?.codes[i] ?? -1) { has[c] = true }
      }
      for c in 0..<m.count { m[c] = m[c] && has[c] }
      mask = m
    }
    customers = mask
    channels = ch
  }

  func customerValues(_ d: DimensionID) -> [String] {
    guard let col = cube.customers.attributes[d] else { return cube.values(of: d) }
    guard let customers else { return cube.values(of: d) }
    var seen = Set<Int32>()
    for c in 0..<customers.count where customers[c] { seen.insert(col.codes[c]) }
    return seen.filter { $0 >= 0 }.map { col.dictionary[Int($0)] }.sorted()
  }

  func channelValues() -> [String] {
    guard let col = cube.orders.channel else { return [] }
    var seen = Set<Int32>()
    for i in 0..<cube.orders.count {
      let c = Int(cube.orders.customer[i])
      if let customers, c < 0 || !customers[c] { continue }
      let code = col.codes[i]
      if let channels, !channels.contains(code) { continue }
      seen.insert(code)
    }
    return seen.filter { $0 >= 0 }.map { col.dictionary[Int($0)] }.sorted()
  }
}
