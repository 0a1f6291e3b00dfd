// `wenshu serve --stdio` (and `wenshu` with stdin not a terminal): the bot pipe. Owns the JSON
// Lines protocol: stdin read as bytes and split on \n (invalid UTF-8 decoded with replacement,
// huge lines cut, never the end of the stream), one JSON object written and flushed per input
// line, blank and malformed lines included; `{"id", "question", "today"}` request objects with
// the id echoed and an optional `"limit"` on the rows; one conversation per stream for follow-ups.

import ArgumentParser
import CubeSQLite
import Engine
import Foundation
import LineEditing
import Planning
import QueryModel
import Rendering

struct Serve: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Answer questions from stdin as JSON Lines (one JSON object per input line), or over HTTP with --http.",
    discussion: """
      Each input line is a question, or a JSON object {"id": …, "question": …, "today": "YYYY-MM-DD",
      "limit": N} whose id (a string or a number) is echoed back; with "limit", at most N rows. Exactly one JSON object is written and flushed
      per input line, in order: an answer, or {"error": {"message", "suggestions"}}. Follow-ups
      (那华东呢, "what about last year") use the previous answered question of the stream.
      With --http HOST:PORT [--config tokens.yaml]: an HTTP server for chat bots with bearer tokens,
      row scopes, masked personal data, rate limits and an audit log (see README, "HTTP server").
      """)

  @OptionGroup var common: CommonOptions
  @Flag(help: "Read questions from standard input.") var stdio = false
  @Option(help: "Serve HTTP on HOST:PORT instead (POST /v1/ask, GET /v1/schema, GET /v1/health; see README).")
  var http: String?
  @Option(help: "With --http: the YAML file of tokens, scopes, masking, limits and the audit log.")
  var config: String?

  func run() throws {
    if let http {
      try ServeHTTP.run(address: http, configPath: config, common: common)
      return
    }
    if config != nil { throw CLIError(message: "--config goes with --http HOST:PORT") }
    let (engine, today) = try common.engine()
    Serve.loop(engine, today: today)
  }

  /// Answers every line of stdin until its end.
  static func loop(_ engine: Engine, today: Day) {
    var session = PipeSession(engine: engine, today: today)
    var input = ByteLines(fd: STDIN_FILENO)
    while let line = input.next() {
      writeLine(session.respond(to: line))
    }
  }

  /// Writes `s` and a newline straight to stdout (unbuffered: the bot sees it at once).
  static func writeLine(_ s: String) {
    var bytes = Array(s.utf8)
    bytes.append(0x0A)
    var done = 0
    while done < bytes.count {
      let n = bytes[done...].withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        return
      }
      done += n
    }
  }
}

/// One stream of the bot pipe: its conversation and how each line becomes one JSON object.
struct PipeSession {
  let engine: Engine
  let today: Day
  var conversation: Conversation? = Conversation()

  init(engine: Engine, today: Day) {
    self.engine = engine
    self.today = today
  }

  /// The JSON object answering one input line (raw bytes, without the \n).
  mutating func respond(to bytes: ArraySlice<UInt8>) -> String {
    var raw = bytes
    if raw.last == 0x0D { raw = raw.dropLast() }
    let line = String(decoding: raw, as: UTF8.self)
    let trimmed = line.trimmingCharacters(in: .whitespaces)
    guard trimmed.hasPrefix("{") else { return answer(line, today: today, id: nil) }
    switch PipeRequest.parse(trimmed) {
    case .failure(let message, let id):
      return PipeSession.error(message, question: String(line.prefix(200)), id: id)
    case .success(let request):
      var day = today
      if let t = request.today {
        guard let d = Day(iso: t) else {
          return PipeSession.error("\"today\" must be a date YYYY-MM-DD, got \(AnswerJSON.string(t))",
                                   question: request.question, id: request.id)
        }
        day = d
      }
      return answer(request.question, today: day, id: request.id, limit: request.limit)
    }
  }

  private mutating func answer(_ question: String, today day: Day, id: String?, limit: Int? = nil) -> String {
    var a = engine.ask(question, today: day, conversation: &conversation)
    a.question = PipeSession.echo(a.question)
    return AnswerJSON.encode(a, id: id, limit: limit)
  }

  /// The question as echoed back: cut when it is longer than any question the engine reads.
  static func echo(_ q: String) -> String {
    let limit = Engine.maxQuestionLength
    guard q.unicodeScalars.count > limit else { return q }
    var s = String.UnicodeScalarView()
    s.append(contentsOf: q.unicodeScalars.prefix(limit))
    return String(s) + "…"
  }

  static func error(_ message: String, question: String, id: String?) -> String {
    let a = Answer(question: echo(question), language: .en, planned: nil, table: nil, refusal: Refusal(message))
    return AnswerJSON.encode(a, id: id)
  }
}

/// A request object of the pipe: `{"id": "a1" | 7, "question": "…", "today": "YYYY-MM-DD"}`.
struct PipeRequest {
  /// The id as JSON text (a string literal or a number), echoed verbatim.
  var id: String?
  var question: String
  var today: String?
  /// At most this many rows in the answer (nil: all).
  var limit: Int?

  enum Parsed {
    case success(PipeRequest)
    case failure(String, id: String?)
  }

  private struct Wire: Decodable {
    var id: ID?
    var question: Field?
    var today: Field?
    var limit: Limit?
  }

  /// A row limit: a positive whole number, or something else (reported).
  private enum Limit: Decodable {
    case rows(Int)
    case invalid
    init(from decoder: Decoder) throws {
      let c = try decoder.singleValueContainer()
      if (try? c.decode(Bool.self)) == nil, let n = try? c.decode(Int.self), n >= 1 { self = .rows(n) } else { self = .invalid }
    }
  }

  /// A JSON value that is a string or something else (reported, never a crash).
  private enum Field: Decodable {
    case string(String)
    case other
    init(from decoder: Decoder) throws {
      let c = try decoder.singleValueContainer()
      if let s = try? c.decode(String.self) { self = .string(s) } else { self = .other }
    }
  }

  /// An id: a string or a number, kept as JSON text.
  private enum ID: Decodable {
    case json(String)
    case unsupported
    init(from decoder: Decoder) throws {
      let c = try decoder.singleValueContainer()
      if let s = try? c.decode(String.self) {
        self = .json(AnswerJSON.string(s))
      } else if (try? c.decode(Bool.self)) != nil {
        self = .unsupported
      } else if let i = try? c.decode(Int64.self) {
        self = .json(String(i))
      } else if let d = try? c.decode(Double.self), d.isFinite {
        self = .json(d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)")
      } else {
        self = .unsupported
      }
    }
  }

  static func parse(_ text: String) -> Parsed {
    let wire: Wire
    do {
      wire = try JSONDecoder().decode(Wire.self, from: Data(text.utf8))
    } catch {
      return .failure("malformed JSON line: expected a question, or {\"id\": …, \"question\": …, \"today\": \"YYYY-MM-DD\"}", id: nil)
    }
    var id: String?
    switch wire.id {
    case .json(let s): id = s
    case .unsupported: return .failure("\"id\" must be a string or a number", id: nil)
    case nil: id = nil
    }
    guard case .string(let q) = wire.question else {
      return .failure("the JSON object needs \"question\": a string", id: id)
    }
    var today: String?
    switch wire.today {
    case .string(let t): today = t
    case .other: return .failure("\"today\" must be a date string YYYY-MM-DD", id: id)
    case nil: today = nil
    }
    var limit: Int?
    switch wire.limit {
    case .rows(let n): limit = n
    case .invalid: return .failure("\"limit\" must be a positive whole number", id: id)
    case nil: limit = nil
    }
    return .success(PipeRequest(id: id, question: q, today: today, limit: limit))
  }
}

/// Lines of a file descriptor as bytes, split on \n; a last line without \n counts too.
/// A line longer than `maxLineBytes` keeps its start and skips the rest up to its \n, so one
/// huge line costs bounded memory and still gets its one answer.
struct ByteLines {
  let fd: Int32
  static let maxLineBytes = 8 << 20
  private var buffer: [UInt8] = []
  private var start = 0
  private var scanned = 0
  private var overflow = false
  private var atEnd = false

  init(fd: Int32) { self.fd = fd }

  mutating func next() -> ArraySlice<UInt8>? {
    while true {
      if let nl = buffer[scanned...].firstIndex(of: 0x0A) {
        let line = buffer[start..<nl]
        start = nl + 1
        scanned = start
        if overflow {
          overflow = false
          return line.prefix(ByteLines.maxLineBytes)
        }
        return line
      }
      scanned = buffer.count
      if atEnd {
        guard start < buffer.count || overflow else { return nil }
        let line = buffer[start...]
        start = buffer.count
        scanned = start
        overflow = false
        return line
      }
      compact()
      fill()
    }
  }

  /// Drops consumed bytes; past the limit, keeps only the line's start.
  private mutating func compact() {
    if start > 0 {
      buffer.removeFirst(start)
      scanned -= start
      start = 0
    }
    if buffer.count > ByteLines.maxLineBytes {
      buffer.removeLast(buffer.count - ByteLines.maxLineBytes)
      scanned = buffer.count
      overflow = true
    }
  }

  private mutating func fill() {
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n > 0 {
        buffer.append(contentsOf: chunk[0..<n])
        return
      }
      if n < 0 && errno == EINTR { continue }
      atEnd = true
      return
    }
  }
}
