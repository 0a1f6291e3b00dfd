// The HTTP server's configuration file (YAML): tokens with their secrets, row scopes, whether
// personal fields are shown, rate limits; server limits; the audit log. Parsing reports every
// mistake by its place in the file ("tokens[1].scope[0]: …"), never a crash.

import Foundation
import QueryModel
import Yams

/// One predicate of a row scope: `dimension ∈ values` (positive only: a scope never widens).
public struct ScopePredicate: Hashable, Sendable {
  public var dimension: DimensionID
  public var values: [String]
  public init(_ dimension: DimensionID, _ values: [String]) {
    self.dimension = dimension
    self.values = values
  }

  /// The dimensions a scope may restrict: attributes of the customer row, and the order channel.
  public static let allowedDimensions: [DimensionID] = [.region, .city, .sourceChannel, .memberLevel, .gender, .channel]

  /// `region = 华东`, `source_channel in (门店, 直播)`, `channel in ("小程序")`.
  public static func parse(_ text: String) throws -> ScopePredicate {
    let s = text.trimmingCharacters(in: .whitespaces)
    let usage = "expected “dimension = value” or “dimension in (value, …)”, got “\(s)”"
    var dimText: Substring
    var rest: Substring
    if let eq = s.firstIndex(of: "=") {
      dimText = s[..<eq]
      rest = s[s.index(after: eq)...]
      let v = unquote(rest.trimmingCharacters(in: .whitespaces))
      guard !v.isEmpty else { throw ConfigError(usage) }
      return ScopePredicate(try dimension(String(dimText)), [v])
    }
    let lower = s.lowercased()
    guard let inRange = lower.range(of: " in ") else { throw ConfigError(usage) }
    let offset = lower.distance(from: lower.startIndex, to: inRange.lowerBound)
    dimText = s.prefix(offset)
    rest = s.dropFirst(offset + 4)
    var list = rest.trimmingCharacters(in: .whitespaces)
    guard list.hasPrefix("("), list.hasSuffix(")") else { throw ConfigError(usage) }
    list = String(list.dropFirst().dropLast())
    let values = list.split(separator: ",").map { unquote($0.trimmingCharacters(in: .whitespaces)) }.filter { !$0.isEmpty }
    guard !values.isEmpty else { throw ConfigError("the scope “\(s)” lists no value") }
    return ScopePredicate(try dimension(String(dimText)), values)
  }

  static func dimension(_ text: String) throws -> DimensionID {
    let t = text.trimmingCharacters(in: .whitespaces)
    guard let d = DimensionID(rawValue: t), allowedDimensions.contains(d) else {
      throw ConfigError("“\(t)” cannot scope rows; use one of: " + allowedDimensions.map(\.rawValue).joined(separator: ", "))
    }
    return d
  }

  static func unquote(_ s: String) -> String {
    for q in ["\"", "'", "“"] where s.hasPrefix(q) && s.count >= 2 {
      return String(s.dropFirst().dropLast())
    }
    return s
  }

  public var description: String {
    values.count == 1 ? "\(dimension.rawValue) = \(values[0])" : "\(dimension.rawValue) in (\(values.joined(separator: ", ")))"
  }
}

/// What one bearer token may see.
public struct TokenPolicy: Sendable {
  public var name: String
  public var secret: String
  /// Predicates ANDed into every plan (empty: all rows).
  public var scope: [ScopePredicate]
  /// Personal fields (name, phone, email, address) shown as stored; false masks them.
  public var showPersonal: Bool
  /// Questions per minute (0: no limit).
  public var ratePerMinute: Double

  public init(name: String, secret: String, scope: [ScopePredicate] = [], showPersonal: Bool = false, ratePerMinute: Double = 60) {
    self.name = name
    self.secret = secret
    self.scope = scope
    self.showPersonal = showPersonal
    self.ratePerMinute = ratePerMinute
  }
}

public struct ConfigError: Error, CustomStringConvertible {
  public var description: String
  public init(_ d: String) { description = d }
}

/// Everything the configuration file sets, with the defaults of an absent file.
public struct ServerConfig: Sendable {
  /// Tokens by secret. Empty: no authentication (allowed on loopback only, see `open`).
  public var tokens: [TokenPolicy] = []
  public var maxBodyBytes = 64 * 1024
  public var secondsPerQuestion = 10.0
  public var concurrentQuestions = max(1, ProcessInfo.processInfo.activeProcessorCount)
  /// Questions waiting for a free slot beyond the running ones; more get 503.
  public var queuedQuestions = 256
  /// A connection that sends nothing for this long is closed (slow clients).
  public var idleTimeoutSeconds = 15.0
  /// A request (head and body) must arrive within this long once the server waits for it
  /// (slowloris clients trickling bytes are closed).
  public var requestTimeoutSeconds = 30.0
  public var conversationIdleSeconds = 30.0 * 60
  public var maxConversations = 10_000
  /// Rows of one answer at most (a request's "limit" may lower it).
  public var maxRows = 10_000
  public var auditPath: String?
  public var auditMaxBytes = 10 << 20
  public var auditKeep = 5
  /// Result columns that hold personal data (masked for tokens without `personal: shown`).
  public var personalColumns: Set<String> = ["name", "phone", "email", "address", "mobile"]

  public init() {}

  /// The policy used when there is no configuration file: anyone on loopback, all rows,
  /// personal fields masked.
  public static let openPolicy = TokenPolicy(name: "local", secret: "", scope: [], showPersonal: false, ratePerMinute: 600)

  public static func load(path: String) throws -> ServerConfig {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ConfigError("cannot read the configuration file \(path)")
    }
    guard let text = String(data: data, encoding: .utf8) else { throw ConfigError("\(path) is not UTF-8 text") }
    do {
      return try parse(text)
    } catch let e as ConfigError {
      throw ConfigError("\(path): \(e.description)")
    }
  }

  public static func parse(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ServerConfig {
    let root: Any?
    do {
      root = try Yams.load(yaml: text)
    } catch {
      throw ConfigError("not valid YAML: \(error)")
    }
    guard let top = root as? [String: Any] else { throw ConfigError("the file must be a YAML mapping with a “tokens” list") }
    var c = ServerConfig()
    let known: Set<String> = ["tokens", "limits", "conversations", "audit", "personal_columns"]
    for k in top.keys where !known.contains(k) {
      throw ConfigError("unknown key “\(k)” (known: \(known.sorted().joined(separator: ", ")))")
    }
    if let limits = top["limits"] {
      let m = try mapping(limits, "limits")
      c.maxBodyBytes = try int(m, "max_body_bytes", "limits", c.maxBodyBytes, 1...(64 << 20))
      c.secondsPerQuestion = try number(m, "seconds_per_question", "limits", c.secondsPerQuestion, 0.1...3600)
      c.concurrentQuestions = try int(m, "concurrent_questions", "limits", c.concurrentQuestions, 1...256)
      c.queuedQuestions = try int(m, "queued_questions", "limits", c.queuedQuestions, 0...100_000)
      c.idleTimeoutSeconds = try number(m, "idle_timeout_seconds", "limits", c.idleTimeoutSeconds, 0.1...3600)
      c.requestTimeoutSeconds = try number(m, "request_timeout_seconds", "limits", c.requestTimeoutSeconds, 0.1...3600)
      c.maxRows = try int(m, "max_rows", "limits", c.maxRows, 1...10_000_000)
      try unknownKeys(m, ["max_body_bytes", "seconds_per_question", "concurrent_questions", "queued_questions", "idle_timeout_seconds",
                          "request_timeout_seconds", "max_rows"], "limits")
    }
    if let conv = top["conversations"] {
      let m = try mapping(conv, "conversations")
      c.conversationIdleSeconds = try number(m, "idle_minutes", "conversations", c.conversationIdleSeconds / 60, 0.01...100_000) * 60
      c.maxConversations = try int(m, "max", "conversations", c.maxConversations, 1...10_000_000)
      try unknownKeys(m, ["idle_minutes", "max"], "conversations")
    }
    if let audit = top["audit"] {
      let m = try mapping(audit, "audit")
      if let p = m["path"] {
        guard let s = p as? String, !s.isEmpty else { throw ConfigError("audit.path must be a file path") }
        c.auditPath = s
      }
      c.auditMaxBytes = try int(m, "max_bytes", "audit", c.auditMaxBytes, 1024...(1 << 40))
      c.auditKeep = try int(m, "keep", "audit", c.auditKeep, 1...1000)
      try unknownKeys(m, ["path", "max_bytes", "keep"], "audit")
    }
    if let pc = top["personal_columns"] {
      guard let list = pc as? [Any] else { throw ConfigError("personal_columns must be a list of column names") }
      c.personalColumns = Set(try list.enumerated().map { (i, v) in
        guard let s = v as? String else { throw ConfigError("personal_columns[\(i)] must be a column name") }
        return s
      })
    }
    guard let tokens = top["tokens"] as? [Any], !tokens.isEmpty else {
      throw ConfigError("“tokens” must be a non-empty list of {name, secret, scope, personal, rate_per_minute}")
    }
    var names = Set<String>(), secrets = Set<String>()
    for (i, t) in tokens.enumerated() {
      let at = "tokens[\(i)]"
      let m = try mapping(t, at)
      try unknownKeys(m, ["name", "secret", "secret_env", "scope", "personal", "rate_per_minute"], at)
      guard let name = m["name"] as? String, !name.isEmpty else { throw ConfigError("\(at).name must be a non-empty string") }
      var secret: String
      if let env = m["secret_env"] {
        guard let e = env as? String, let v = environment[e], !v.isEmpty else {
          throw ConfigError("\(at).secret_env names an environment variable that is not set")
        }
        secret = v
      } else if let s = m["secret"] as? String {
        secret = s
      } else if m["secret"] != nil {
        throw ConfigError("\(at).secret must be a string (quote it: secret: \"…\")")
      } else {
        throw ConfigError("\(at) needs “secret” (a string) or “secret_env” (an environment variable)")
      }
      secret = secret.trimmingCharacters(in: .whitespaces)
      guard secret.count >= 8 else { throw ConfigError("\(at).secret must be at least 8 characters") }
      guard names.insert(name).inserted else { throw ConfigError("\(at).name “\(name)” is used twice") }
      guard secrets.insert(secret).inserted else { throw ConfigError("\(at).secret is the same as another token's") }
      var policy = TokenPolicy(name: name, secret: secret)
      policy.scope = try scope(m["scope"], at + ".scope")
      switch m["personal"] {
      case nil: policy.showPersonal = false
      case let s as String where s == "masked": policy.showPersonal = false
      case let s as String where s == "shown": policy.showPersonal = true
      default: throw ConfigError("\(at).personal must be “masked” or “shown”")
      }
      policy.ratePerMinute = try number(m, "rate_per_minute", at, 60, 0...1_000_000)
      c.tokens.append(policy)
    }
    return c
  }

  /// A scope: a list of predicate strings, or a mapping dimension → value or list of values.
  static func scope(_ v: Any?, _ at: String) throws -> [ScopePredicate] {
    guard let v else { return [] }
    var out: [ScopePredicate] = []
    if let list = v as? [Any] {
      for (i, p) in list.enumerated() {
        guard let s = p as? String else { throw ConfigError("\(at)[\(i)] must be a string like “region = 华东”") }
        do { out.append(try ScopePredicate.parse(s)) } catch let e as ConfigError { throw ConfigError("\(at)[\(i)]: \(e.description)") }
      }
    } else if let m = v as? [String: Any] {
      for (k, val) in m.sorted(by: { $0.key < $1.key }) {
        let d: DimensionID
        do { d = try ScopePredicate.dimension(k) } catch let e as ConfigError { throw ConfigError("\(at): \(e.description)") }
        if let s = val as? String {
          out.append(ScopePredicate(d, [s]))
        } else if let l = val as? [Any], !l.isEmpty, l.allSatisfy({ $0 is String }) {
          out.append(ScopePredicate(d, l.map { $0 as! String }))
        } else {
          throw ConfigError("\(at).\(k) must be a value or a non-empty list of values")
        }
      }
    } else {
      throw ConfigError("\(at) must be a list like [\"region = 华东\"] or a mapping like {region: 华东}")
    }
    var seen = Set<DimensionID>()
    for p in out where !seen.insert(p.dimension).inserted {
      throw ConfigError("\(at) restricts \(p.dimension.rawValue) twice; list its values in one predicate")
    }
    return out
  }

  static func mapping(_ v: Any, _ at: String) throws -> [String: Any] {
    guard let m = v as? [String: Any] else { throw ConfigError("\(at) must be a mapping") }
    return m
  }

  static func unknownKeys(_ m: [String: Any], _ known: [String], _ at: String) throws {
    for k in m.keys where !known.contains(k) {
      throw ConfigError("\(at): unknown key “\(k)” (known: \(known.joined(separator: ", ")))")
    }
  }

  static func number(_ m: [String: Any], _ key: String, _ at: String, _ dflt: Double, _ range: ClosedRange<Double>) throws -> Double {
    guard let v = m[key] else { return dflt }
    let d: Double
    switch v {
    case let i as Int: d = Double(i)
    case let x as Double: d = x
    default: throw ConfigError("\(at).\(key) must be a number")
    }
    guard range.contains(d) else { throw ConfigError("\(at).\(key) must be between \(range.lowerBound) and \(range.upperBound)") }
    return d
  }

  static func int(_ m: [String: Any], _ key: String, _ at: String, _ dflt: Int, _ range: ClosedRange<Int>) throws -> Int {
    guard let v = m[key] else { return dflt }
    guard let i = v as? Int else { throw ConfigError("\(at).\(key) must be a whole number") }
    guard range.contains(i) else { throw ConfigError("\(at).\(key) must be between \(range.lowerBound) and \(range.upperBound)") }
    return i
  }
}
