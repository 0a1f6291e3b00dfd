// Helpers for the interface tests (REPL, question files, bot pipe): finding the built binary
// (WENSHU_BIN, else TestData.binary), running it with a chosen environment and working
// directory and with stdin/stdout/stderr in files (no pipe can fill up and deadlock), and
// golden files under examples/expected/ (WENSHU_UPDATE_GOLDEN=1 rewrites them).

import Foundation
import TestSupport
import XCTest

enum Interface {
  /// The wenshu binary under test: $WENSHU_BIN (relative to the package root), else the
  /// package's .build/release or .build/debug.
  static func binary() throws -> String {
    if let b = ProcessInfo.processInfo.environment["WENSHU_BIN"], !b.isEmpty {
      let path = b.hasPrefix("/") ? b : TestData.packageRoot.appendingPathComponent(b).path
      guard FileManager.default.isExecutableFile(atPath: path) else {
        throw XCTSkip("WENSHU_BIN=\(b) is not an executable file")
      }
      return path
    }
    guard let b = TestData.binary else { throw XCTSkip("wenshu is not built (swift build), and WENSHU_BIN is not set") }
    return b
  }

  static var root: String { TestData.packageRoot.path }

  /// The retail database as a path relative to the package root (so outputs do not depend on
  /// where the package is checked out).
  static func retail() throws -> String {
    guard TestData.shared("retail_cn") != nil else { throw XCTSkip("../shared/data/retail_cn.sqlite not present") }
    return "../shared/data/retail_cn.sqlite"
  }

  struct Result {
    var status: Int32
    var stdout: Data
    var stderr: String
    var out: String { String(decoding: stdout, as: UTF8.self) }
  }

  /// Runs the binary in the package root with `stdin` bytes; stdout is not a terminal.
  static func run(_ args: [String], stdin: Data = Data(), env extra: [String: String] = [:]) throws -> Result {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wenshu-interface-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let inURL = dir.appendingPathComponent("in"), outURL = dir.appendingPathComponent("out"),
      errURL = dir.appendingPathComponent("err")
    try stdin.write(to: inURL)
    FileManager.default.createFile(atPath: outURL.path, contents: nil)
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: try binary())
    p.arguments = args
    p.currentDirectoryURL = TestData.packageRoot
    var env = ProcessInfo.processInfo.environment
    env["COLUMNS"] = "100"
    env["NO_COLOR"] = "1"
    env["HOME"] = dir.path
    for (k, v) in extra { env[k] = v }
    p.environment = env
    let inH = try FileHandle(forReadingFrom: inURL)
    let outH = try FileHandle(forWritingTo: outURL)
    let errH = try FileHandle(forWritingTo: errURL)
    p.standardInput = inH
    p.standardOutput = outH
    p.standardError = errH
    try p.run()
    p.waitUntilExit()
    try inH.close()
    try outH.close()
    try errH.close()
    return Result(status: p.terminationStatus, stdout: try Data(contentsOf: outURL),
                  stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
  }

  /// Compares `actual` with examples/expected/NAME, or writes it when WENSHU_UPDATE_GOLDEN=1.
  static func assertGolden(_ actual: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
    let url = TestData.packageRoot.appendingPathComponent("examples/expected/\(name)")
    if ProcessInfo.processInfo.environment["WENSHU_UPDATE_GOLDEN"] == "1" {
      try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try actual.write(to: url, atomically: true, encoding: .utf8)
      return
    }
    guard let data = FileManager.default.contents(atPath: url.path) else {
      XCTFail("missing golden file examples/expected/\(name) (run with WENSHU_UPDATE_GOLDEN=1 once, then check it)", file: file, line: line)
      return
    }
    let expected = String(decoding: data, as: UTF8.self)
    if expected != actual {
      let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
      let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
      let i = (0..<min(e.count, a.count)).first { e[$0] != a[$0] } ?? min(e.count, a.count)
      let want = i < e.count ? String(e[i]) : "<end>"
      let got = i < a.count ? String(a[i]) : "<end>"
      XCTFail("\(name) differs at line \(i + 1):\n  expected: \(want)\n  actual:   \(got)", file: file, line: line)
    }
  }

  /// The JSON objects of a JSON Lines text (a line that is not an object fails the test).
  static func jsonLines(_ data: Data, file: StaticString = #filePath, line: UInt = #line) -> [[String: Any]] {
    var out: [[String: Any]] = []
    var lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
    if lines.last?.isEmpty == true { lines.removeLast() }
    for (i, l) in lines.enumerated() {
      guard let o = (try? JSONSerialization.jsonObject(with: Data(l))) as? [String: Any] else {
        XCTFail("output line \(i + 1) is not a JSON object: \(String(decoding: l.prefix(200), as: UTF8.self))", file: file, line: line)
        out.append([:])
        continue
      }
      out.append(o)
    }
    return out
  }
}
