// A fixed set of threads that answer questions (the engine's work is synchronous CPU work and
// must not run on the server's event loops), a bounded queue in front of them (a full queue is
// "busy", never unbounded memory), and a deadline per question: past it the caller is answered
// at once, and a question still waiting in the queue is dropped without running.

import Foundation

public final class WorkerPool: @unchecked Sendable {
  public enum Outcome<T: Sendable>: Sendable {
    case done(T)
    case busy
    case timedOut
  }

  private let condition = NSCondition()
  private var jobs: [() -> Void] = []
  private var head = 0
  private let maxQueued: Int
  private var running = 0
  public let threads: Int

  public init(threads: Int, maxQueued: Int) {
    self.threads = threads
    self.maxQueued = maxQueued
    for i in 0..<threads {
      let t = Thread { [unowned self] in self.loop() }
      t.name = "wenshu-worker-\(i)"
      t.stackSize = 8 << 20
      t.start()
    }
  }

  private func loop() {
    while true {
      condition.lock()
      while head >= jobs.count { condition.wait() }
      let job = jobs[head]
      head += 1
      if head > 1024 && head * 2 > jobs.count {
        jobs.removeFirst(head)
        head = 0
      }
      running += 1
      condition.unlock()
      job()
      condition.lock()
      running -= 1
      condition.unlock()
    }
  }

  /// Questions waiting plus running.
  public var load: Int {
    condition.lock()
    defer { condition.unlock() }
    return jobs.count - head + running
  }

  /// Runs `work` on a worker; `.timedOut` after `deadline` seconds, `.busy` when the queue is full.
  public func run<T: Sendable>(deadline: Double, _ work: @escaping @Sendable () -> T) async -> Outcome<T> {
    let once = Once()
    return await withCheckedContinuation { (cont: CheckedContinuation<Outcome<T>, Never>) in
      condition.lock()
      if jobs.count - head >= maxQueued + max(0, threads - running) {
        condition.unlock()
        cont.resume(returning: .busy)
        return
      }
      jobs.append {
        guard !once.isDone else { return }  // abandoned while queued
        let r = work()
        if once.claim() { cont.resume(returning: .done(r)) }
      }
      condition.signal()
      condition.unlock()
      DispatchQueue.global().asyncAfter(deadline: .now() + deadline) {
        if once.claim() { cont.resume(returning: .timedOut) }
      }
    }
  }
}

/// A flag claimed once, from any thread.
final class Once: @unchecked Sendable {
  private let lock = NSLock()
  private var done = false
  func claim() -> Bool {
    lock.lock()
    defer { lock.unlock() }
    if done { return false }
    done = true
    return true
  }
  var isDone: Bool {
    lock.lock()
    defer { lock.unlock() }
    return done
  }
}
