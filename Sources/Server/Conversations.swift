// Conversation context per (token, conversation id), so follow-ups (那华东呢) work per user of
// a bot; a conversation unused for the idle time is forgotten, and the oldest go first when
// there are too many.

import Foundation
import Planning

public final class Conversations: @unchecked Sendable {
  private struct Entry {
    var conversation: Conversation
    var used: Double
  }
  private let lock = NSLock()
  private var entries: [String: Entry] = [:]
  public let idleSeconds: Double
  public let capacity: Int
  private let now: @Sendable () -> Double

  public init(idleSeconds: Double, capacity: Int, clock: @escaping @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime }) {
    self.idleSeconds = idleSeconds
    self.capacity = capacity
    now = clock
  }

  static func key(_ token: String, _ id: String) -> String { token + "\u{0}" + id }

  /// The conversation so far (a new one when unknown or expired).
  public func get(token: String, id: String) -> Conversation {
    let k = Conversations.key(token, id)
    let t = now()
    lock.lock()
    defer { lock.unlock() }
    if let e = entries[k], t - e.used <= idleSeconds { return e.conversation }
    entries[k] = nil
    return Conversation()
  }

  public func put(token: String, id: String, _ c: Conversation) {
    let t = now()
    lock.lock()
    defer { lock.unlock() }
    entries[Conversations.key(token, id)] = Entry(conversation: c, used: t)
    if entries.count > capacity {
      entries = entries.filter { t - $0.value.used <= idleSeconds }
      while entries.count > capacity, let oldest = entries.min(by: { $0.value.used < $1.value.used }) {
        entries[oldest.key] = nil
      }
    }
  }

  public var count: Int {
    lock.lock()
    defer { lock.unlock() }
    return entries.count
  }
}
