// Reading grammar files: the analyst-editable data under grammars/.
//
// Every grammar file shares one line format, so that vocabulary, time words, question
// patterns and settings read alike and every mistake is reported with file:line:
//
//     # a comment (also after a rule: text after " #" is ignored)
//     metric sales: 销售额 | 营业额 | 成交额 | GMV | 收入
//     time offset month 1: 上月 | 上个月 | last month
//     setting active_days: 90
//
// A line is `kind id [arg ...]: phrase | phrase …`. This file only splits lines; the
// consumers (Understanding, Planning) give kinds and ids their meaning and report unknown
// ones through `GrammarError` with the rule's location.

import Foundation

/// Where a rule was written: shown in every grammar error.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
  public var file: String
  public var line: Int
  public init(file: String, line: Int) {
    self.file = file
    self.line = line
  }
  public var description: String { "\(file):\(line)" }
}

/// One line of a grammar file: `kind id args…: phrases`.
public struct Rule: Hashable, Sendable {
  public var kind: String
  public var id: String
  public var args: [String]
  public var phrases: [String]
  public var location: SourceLocation

  public init(kind: String, id: String, args: [String], phrases: [String], location: SourceLocation) {
    self.kind = kind
    self.id = id
    self.args = args
    self.phrases = phrases
    self.location = location
  }

  /// "metric sales" — a stable name for lint reports.
  public var name: String { ([kind, id] + args).joined(separator: " ") }
}

/// A mistake in a grammar file, always with its place.
public struct GrammarError: Error, CustomStringConvertible, Sendable {
  public var location: SourceLocation
  public var message: String
  public init(_ location: SourceLocation, _ message: String) {
    self.location = location
    self.message = message
  }
  public var description: String { "\(location): \(message)" }
}

public enum RuleFile {
  /// Parses the text of one grammar file.
  ///
  /// - Throws: `GrammarError` naming `file:line` for a line without `:`, without an id,
  ///   or with an empty phrase.
  public static func parse(_ text: String, file: String) throws -> [Rule] {
    var rules: [Rule] = []
    var lineNo = 0
    for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
      lineNo += 1
      var line = Substring(rawLine)
      if let hash = line.range(of: " #") { line = line[..<hash.lowerBound] }
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
      let loc = SourceLocation(file: file, line: lineNo)
      guard let colon = trimmed.firstIndex(of: ":") else {
        throw GrammarError(loc, "expected `kind id: phrase | phrase`, found no ':' in “\(trimmed)”")
      }
      let head = trimmed[..<colon].split(separator: " ").map(String.init)
      guard head.count >= 2 else {
        throw GrammarError(loc, "a rule needs a kind and an id before ':' (found “\(trimmed[..<colon])”)")
      }
      let body = trimmed[trimmed.index(after: colon)...]
      let phrases = body.split(separator: "|", omittingEmptySubsequences: false)
        .map { $0.trimmingCharacters(in: .whitespaces) }
      if phrases.contains(where: \.isEmpty) {
        throw GrammarError(loc, "empty phrase in “\(trimmed)” (two '|' in a row, or a trailing '|')")
      }
      rules.append(Rule(kind: head[0], id: head[1], args: Array(head.dropFirst(2)), phrases: phrases, location: loc))
    }
    return rules
  }

  /// Reads and parses a file; the location names the path relative to `root` when given.
  public static func load(_ url: URL, relativeTo root: URL? = nil) throws -> [Rule] {
    let name: String
    if let root, url.path.hasPrefix(root.path) {
      name = String(url.path.dropFirst(root.path.count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
    } else {
      name = url.path
    }
    guard let data = FileManager.default.contents(atPath: url.path) else {
      throw GrammarError(SourceLocation(file: name, line: 0), "cannot read the file")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw GrammarError(SourceLocation(file: name, line: 0), "the file is not UTF-8 text")
    }
    return try parse(text, file: name)
  }
}

/// All grammar files of a directory: `<area>/<lang>.rules`, read in a stable order.
public struct GrammarSet: Sendable {
  public var root: URL
  public var rules: [Rule]

  public init(rules: [Rule], root: URL = URL(fileURLWithPath: "/")) {
    self.rules = rules
    self.root = root
  }

  /// Loads every `*.rules` file under `root`.
  public init(directory root: URL) throws {
    self.root = root
    let fm = FileManager.default
    var isDir: ObjCBool = false
    guard fm.fileExists(atPath: root.path, isDirectory: &isDir), isDir.boolValue else {
      throw GrammarError(SourceLocation(file: root.path, line: 0), "grammar directory not found")
    }
    var files: [URL] = []
    if let e = fm.enumerator(at: root, includingPropertiesForKeys: nil) {
      for case let u as URL in e where u.pathExtension == "rules" { files.append(u) }
    }
    files.sort { $0.path < $1.path }
    var all: [Rule] = []
    for f in files { all += try RuleFile.load(f, relativeTo: root) }
    rules = all
  }

  public func rules(kind: String) -> [Rule] { rules.filter { $0.kind == kind } }

  /// The value of `setting id: value`, or nil.
  public func setting(_ id: String) -> String? {
    rules.last { $0.kind == "setting" && $0.id == id }?.phrases.first
  }

  /// Finds the grammars/ directory: an explicit path, next to the executable, or in the package.
  public static func locate(explicit: String?, executable: String = CommandLine.arguments.first ?? "") -> URL? {
    let fm = FileManager.default
    if let explicit { return URL(fileURLWithPath: explicit) }
    if let env = ProcessInfo.processInfo.environment["WENSHU_GRAMMARS"], !env.isEmpty {
      return URL(fileURLWithPath: env)
    }
    var candidates: [URL] = []
    let exe = URL(fileURLWithPath: executable).resolvingSymlinksInPath()
    var dir = exe.deletingLastPathComponent()
    for _ in 0..<6 {
      candidates.append(dir.appendingPathComponent("grammars"))
      candidates.append(dir.appendingPathComponent("share/wenshu/grammars"))
      dir = dir.deletingLastPathComponent()
    }
    candidates.append(URL(fileURLWithPath: fm.currentDirectoryPath).appendingPathComponent("grammars"))
    // The source tree this binary was built from (works for tests and `swift run`).
    let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("grammars")
    candidates.append(source)
    for c in candidates {
      var isDir: ObjCBool = false
      if fm.fileExists(atPath: c.appendingPathComponent("vocabulary").path, isDirectory: &isDir), isDir.boolValue {
        return c
      }
    }
    return nil
  }
}
