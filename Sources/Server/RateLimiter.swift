// Per-token rate limits: a token bucket per token name (capacity = one minute's questions,
// refilled continuously); a refused request learns how many seconds to wait (Retry-After).

import Foundation

public final class RateLimiter: @unchecked Sendable {
  private struct Bucket {
    var tokens: Double
    var updated: Double
  }
  private let lock = NSLock()
  private var buckets: [String: Bucket] = [:]
  private let now: @Sendable () -> Double

  public init(clock: @escaping @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime }) {
    now = clock
  }

  /// nil when the question may go ahead, else the seconds to wait. `perMinute` 0 = unlimited.
  public func take(_ name: String, perMinute: Double) -> Int? {
    guard perMinute > 0 else { return nil }
    let capacity = max(1, perMinute)
    let rate = perMinute / 60
    let t = now()
    lock.lock()
    defer { lock.unlock() }
    var b = buckets[name] ?? Bucket(tokens: capacity, updated: t)
    b.tokens = min(capacity, b.tokens + (t - b.updated) * rate)
    b.updated = t
    if b.tokens >= 1 {
      b.tokens -= 1
      buckets[name] = b
      return nil
    }
    buckets[name] = b
    return max(1, Int(((1 - b.tokens) / rate).rounded(.up)))
  }
}
