// `wenshu serve --http HOST:PORT [--config FILE]`: loads the engine and the configuration and
// runs the HTTP server (Sources/Server) until interrupted. Without a configuration file it
// listens on loopback only, with no tokens, every row and personal data masked.

import Engine
import Foundation
import Logging
import QueryModel
import Server
import ServiceLifecycle

enum ServeHTTP {
  static func run(address: String, configPath: String?, common: CommonOptions) throws {
    // SIGTERM and SIGINT are taken by a thread of ours (sigwait) for a graceful shutdown: blocked
    // here, before any other thread starts, so every thread inherits the mask.
    var stopSignals = sigset_t()
    sigemptyset(&stopSignals)
    sigaddset(&stopSignals, SIGTERM)
    sigaddset(&stopSignals, SIGINT)
    pthread_sigmask(SIG_BLOCK, &stopSignals, nil)
    guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port) else {
      throw CLIError(message: "--http must be HOST:PORT, e.g. 127.0.0.1:8080, got “\(address)”")
    }
    var host = String(address[..<colon])
    if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    if host.isEmpty { host = "127.0.0.1" }
    let config: ServerConfig
    if let configPath {
      do { config = try ServerConfig.load(path: configPath) } catch { throw CLIError(message: String(describing: error)) }
    } else {
      guard ["127.0.0.1", "localhost", "::1"].contains(host) else {
        throw CLIError(message: "--config FILE (tokens and scopes) is required to listen on \(host); without it only loopback is served")
      }
      config = ServerConfig()
    }
    let (engine, today) = try common.engine()
    let service: AskService
    do { service = try AskService(engine: engine, config: config, today: today, followClock: common.today == nil) } catch { throw CLIError(message: String(describing: error)) }
    let bindHost = host
    let shown = host.contains(":") ? "[\(host)]" : host
    let app = WenshuHTTP.application(service, host: bindHost, port: port) { bound in
      writeErr("wenshu: listening on http://\(shown):\(bound) (\(config.tokens.isEmpty ? "no tokens: loopback only, personal data masked" : "\(config.tokens.count) tokens"))")
    }
    let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: Logger(label: "wenshu-http")))
    let done = DispatchSemaphore(value: 0)
    let failure = FailureBox()
    Task {
      do { try await group.run() } catch { failure.set(String(describing: error)) }
      done.signal()
    }
    let waitSet = stopSignals
    let waiter = Thread {
      var signal: Int32 = 0
      var set = waitSet
      sigwait(&set, &signal)
      writeErr("wenshu: stopping (finishing the requests under way)")
      Task { await group.triggerGracefulShutdown() }
    }
    waiter.start()
    done.wait()
    if let f = failure.get() { throw CLIError(message: "the HTTP server stopped: \(f)") }
  }
}

final class FailureBox: @unchecked Sendable {
  private let lock = NSLock()
  private var message: String?
  func set(_ s: String) { lock.lock(); message = s; lock.unlock() }
  func get() -> String? { lock.lock(); defer { lock.unlock() }; return message }
}
