// Test support for the HTTP server: starts the real Hummingbird application in-process on a
// free loopback port, a minimal HTTP/1.1 client over a POSIX socket (keep-alive, so thousands
// of requests stay fast), filtered copies of retail_cn.sqlite (the scope's rows only, made with
// SQLite itself), and the public acceptance cases.

import CubeSQLite
import Engine
import Foundation
import Logging
import QueryModel
import Server
import TestSupport
import XCTest

/// A running server; `stop()` shuts it down.
final class RunningServer: @unchecked Sendable {
  let port: Int
  let service: AskService
  private let task: Task<Void, Never>

  private init(port: Int, service: AskService, task: Task<Void, Never>) {
    self.port = port
    self.service = service
    self.task = task
  }

  static func start(_ service: AskService) async throws -> RunningServer {
    let box = PortBox()
    let app = WenshuHTTP.application(service, host: "127.0.0.1", port: 0, logLevel: .critical) { port in box.set(port) }
    let task = Task { _ = try? await app.runService() }
    for _ in 0..<500 {
      if let p = box.get() { return RunningServer(port: p, service: service, task: task) }
      try await Task.sleep(nanoseconds: 10_000_000)
    }
    task.cancel()
    throw XCTSkip("the server did not start")
  }

  func stop() { task.cancel() }
  func client() throws -> HTTPClient { try HTTPClient(port: port) }
}

final class PortBox: @unchecked Sendable {
  private let lock = NSLock()
  private var port: Int?
  func set(_ p: Int) { lock.lock(); port = p; lock.unlock() }
  func get() -> Int? { lock.lock(); defer { lock.unlock() }; return port }
}

struct HTTPResult {
  var status: Int
  var headers: [String: String]
  var body: String
  /// The body as a JSON object (nil when it is not one).
  var json: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] }
}

/// One keep-alive connection to 127.0.0.1:port; reconnects when the server closed it.
final class HTTPClient {
  let port: Int
  private var fd: Int32 = -1
  private var buffer: [UInt8] = []

  init(port: Int) throws {
    self.port = port
    try connect()
  }

  deinit { if fd >= 0 { close(fd) } }

  private func connect() throws {
    if fd >= 0 { close(fd) }
    fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var tv = timeval(tv_sec: 60, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    let r = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Foundation.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard r == 0 else { throw NSError(domain: "http", code: Int(errno), userInfo: [NSLocalizedDescriptionKey: "connect failed"]) }
    buffer = []
  }

  func get(_ path: String, token: String? = nil) throws -> HTTPResult {
    try send(method: "GET", path: path, token: token, body: [])
  }

  func post(_ path: String, token: String?, body: [UInt8], extraHeaders: String = "") throws -> HTTPResult {
    try send(method: "POST", path: path, token: token, body: body, extraHeaders: extraHeaders)
  }

  /// POST /v1/ask with a JSON object.
  func ask(_ fields: [String: Any], token: String?) throws -> HTTPResult {
    let data = try JSONSerialization.data(withJSONObject: fields)
    return try post("/v1/ask", token: token, body: Array(data))
  }

  func send(method: String, path: String, token: String?, body: [UInt8], extraHeaders: String = "") throws -> HTTPResult {
    var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    if let token { head += "Authorization: Bearer \(token)\r\n" }
    if method == "POST" { head += "Content-Length: \(body.count)\r\n" }
    head += extraHeaders + "\r\n"
    let request = Array(head.utf8) + body
    for attempt in 0..<2 {
      if attempt > 0 || fd < 0 { try connect() }
      if writeAll(request), let r = try? readResponse() { return r }
    }
    throw NSError(domain: "http", code: 1, userInfo: [NSLocalizedDescriptionKey: "no response to \(method) \(path)"])
  }

  private func writeAll(_ bytes: [UInt8]) -> Bool {
    var done = 0
    while done < bytes.count {
      let n = bytes[done...].withUnsafeBytes { Foundation.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
      if n <= 0 { return false }
      done += n
    }
    return true
  }

  private func fill() throws {
    var chunk = [UInt8](repeating: 0, count: 65536)
    let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
    guard n > 0 else { throw NSError(domain: "http", code: 2, userInfo: [NSLocalizedDescriptionKey: "connection closed"]) }
    buffer += chunk[0..<n]
  }

  private func readResponse() throws -> HTTPResult {
    let sep: [UInt8] = [13, 10, 13, 10]
    var end: Int?
    while end == nil {
      if buffer.count >= 4 {
        for i in 0...(buffer.count - 4) where buffer[i] == 13 && Array(buffer[i..<i + 4]) == sep {
          end = i
          break
        }
      }
      if end == nil { try fill() }
    }
    let head = String(decoding: buffer[0..<end!], as: UTF8.self)
    buffer.removeFirst(end! + 4)
    let lines = head.components(separatedBy: "\r\n")
    let status = Int(lines[0].split(separator: " ")[1]) ?? 0
    var headers: [String: String] = [:]
    for l in lines.dropFirst() {
      if let c = l.firstIndex(of: ":") { headers[l[..<c].lowercased()] = l[l.index(after: c)...].trimmingCharacters(in: .whitespaces) }
    }
    var body: [UInt8] = []
    if let len = headers["content-length"].flatMap({ Int($0) }) {
      while buffer.count < len { try fill() }
      body = Array(buffer[0..<len])
      buffer.removeFirst(len)
    } else if headers["transfer-encoding"]?.lowercased() == "chunked" {
      while true {
        var lineEnd: Int?
        while lineEnd == nil {
          if let i = buffer.indices.dropLast().first(where: { buffer[$0] == 13 && buffer[$0 + 1] == 10 }) { lineEnd = i } else { try fill() }
        }
        let size = Int(String(decoding: buffer[0..<lineEnd!], as: UTF8.self).split(separator: ";")[0], radix: 16) ?? 0
        buffer.removeFirst(lineEnd! + 2)
        while buffer.count < size + 2 { try fill() }
        body += buffer[0..<size]
        buffer.removeFirst(size + 2)
        if size == 0 { break }
      }
    }
    if headers["connection"]?.lowercased() == "close" {
      close(fd)
      fd = -1
    }
    return HTTPResult(status: status, headers: headers, body: String(decoding: body, as: UTF8.self))
  }
}

/// One public acceptance case.
struct AcceptanceCase {
  var id: String
  var db: String
  var today: String
  var question: String

  static func load() throws -> [AcceptanceCase] {
    let path = TestData.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/acceptance/cases.jsonl").path
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw XCTSkip("../shared/acceptance/cases.jsonl not found") }
    return text.split(separator: "\n").compactMap { line in
      guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
        let id = o["id"] as? String, let db = o["db"] as? String, let q = o["q"] as? String else { return nil }
      return AcceptanceCase(id: id, db: db, today: o["today"] as? String ?? "2026-11-22", question: q)
    }
  }
}

enum ServerFixtures {
  static func retailPath() throws -> String {
    guard let p = TestData.shared("retail_cn") else { throw XCTSkip("../shared/data/retail_cn.sqlite not found") }
    return p
  }

  static let today = Day(year: 2026, month: 11, day: 22)

  /// A copy of retail_cn holding only the scope's rows: customers outside a customer predicate
  /// are deleted with all their orders, items and feedback; orders outside an order predicate
  /// are deleted with their items. Built by SQLite itself, independently of the engine.
  static func filteredCopy(_ scope: [ScopePredicate], name: String) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wenshu-server-tests-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let path = dir.appendingPathComponent("\(name).sqlite").path
    if FileManager.default.fileExists(atPath: path) { return path }
    try FileManager.default.copyItem(atPath: try retailPath(), toPath: path)
    let db = try SQLiteDatabase(path: path, readOnly: false)
    func list(_ vs: [String]) -> String { vs.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" }.joined(separator: ",") }
    for p in scope {
      if p.dimension == .channel {
        try db.execute("DELETE FROM orders WHERE channel IS NULL OR channel NOT IN (\(list(p.values)))")
      } else {
        try db.execute("DELETE FROM customers WHERE \(p.dimension.rawValue) IS NULL OR \(p.dimension.rawValue) NOT IN (\(list(p.values)))")
      }
    }
    try db.execute("DELETE FROM orders WHERE customer_id NOT IN (SELECT id FROM customers)")
    try db.execute("DELETE FROM order_items WHERE order_id NOT IN (SELECT id FROM orders)")
    try db.execute("DELETE FROM feedback WHERE customer_id NOT IN (SELECT id FROM customers)")
    try db.execute("DELETE FROM app_events WHERE customer_id NOT IN (SELECT id FROM customers)")
    return path
  }

  /// Every customer name of retail_cn, read with SQLite (not through the engine).
  static func customerNames() throws -> [String] {
    let db = try SQLiteDatabase(path: try retailPath())
    return try db.rows("SELECT DISTINCT name FROM customers WHERE name IS NOT NULL").compactMap { $0[0].string }
  }
}

/// A line on stderr (XCTest's stdout is not always flushed before the process ends).
func report(_ s: String) {
  FileHandle.standardError.write(Data((s + "\n").utf8))
}
