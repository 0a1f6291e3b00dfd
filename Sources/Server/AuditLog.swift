// The audit log: one JSON line per question (time, token name, question, plan summary, rows
// returned, refusal, HTTP status, milliseconds), appended under a lock and rotated by size
// (wenshu-audit.jsonl → .1 → .2 … up to `keep` old files).

import Foundation

public final class AuditLog: @unchecked Sendable {
  public struct Entry: Sendable {
    public var token: String
    public var question: String
    public var plan: String?
    public var rows: Int?
    public var refusal: String?
    public var status: Int
    public var milliseconds: Double
    public init(token: String, question: String, plan: String?, rows: Int?, refusal: String?, status: Int, milliseconds: Double) {
      self.token = token
      self.question = question
      self.plan = plan
      self.rows = rows
      self.refusal = refusal
      self.status = status
      self.milliseconds = milliseconds
    }
  }

  public let path: String
  public let maxBytes: Int
  public let keep: Int
  private let lock = NSLock()
  private var handle: FileHandle?
  private var size = 0

  public init(path: String, maxBytes: Int, keep: Int) throws {
    self.path = path
    self.maxBytes = maxBytes
    self.keep = keep
    try open()
  }

  private func open() throws {
    if !FileManager.default.fileExists(atPath: path) {
      guard FileManager.default.createFile(atPath: path, contents: nil) else {
        throw ConfigError("cannot create the audit log \(path)")
      }
    }
    guard let h = FileHandle(forWritingAtPath: path) else { throw ConfigError("cannot write the audit log \(path)") }
    size = Int(h.seekToEndOfFile())
    handle = h
  }

  public func write(_ e: Entry) {
    var line = "{\"time\":" + json(Self.timestamp())
    line += ",\"token\":" + json(e.token)
    line += ",\"question\":" + json(String(e.question.prefix(2000)))
    line += ",\"plan\":" + (e.plan ?? "null")
    line += ",\"rows\":" + (e.rows.map(String.init) ?? "null")
    line += ",\"refusal\":" + (e.refusal.map(json) ?? "null")
    line += ",\"status\":\(e.status),\"ms\":" + String(format: "%.1f", e.milliseconds) + "}\n"
    let data = Data(line.utf8)
    lock.lock()
    defer { lock.unlock() }
    if size + data.count > maxBytes && size > 0 { rotate() }
    handle?.write(data)
    size += data.count
  }

  /// path.(keep-1) → path.keep, …, path → path.1, and a new empty path.
  private func rotate() {
    try? handle?.close()
    handle = nil
    let fm = FileManager.default
    try? fm.removeItem(atPath: "\(path).\(keep)")
    if keep > 1 {
      for i in stride(from: keep - 1, through: 1, by: -1) where fm.fileExists(atPath: "\(path).\(i)") {
        try? fm.moveItem(atPath: "\(path).\(i)", toPath: "\(path).\(i + 1)")
      }
    }
    try? fm.moveItem(atPath: path, toPath: "\(path).1")
    size = 0
    try? open()
  }

  static func timestamp() -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return f.string(from: Date())
  }

  private func json(_ s: String) -> String { JSONText.string(s) }
}
