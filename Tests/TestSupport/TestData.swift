// Shared test helpers: paths to the package, its grammars, the shared databases, a small
// generated demo database, the built binary, and engines over them (built once per process).
//
// Tests that need ../shared (the reference databases and corpora) skip when it is missing,
// except under CI (environment CI=true): there a missing ../shared is recorded as a failure
// naming the missing path, so a CI run cannot pass by skipping them.

import CubeSQLite
import DemoData
import Engine
import Foundation
import QueryModel
import XCTest

public enum TestData {
  /// The package root (two levels above this file's directory).
  public static let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  public static var grammars: URL { packageRoot.appendingPathComponent("grammars") }

  /// Whether the tests run under CI (environment CI=true, as .ci/run is started).
  public static var isCI: Bool {
    let v = ProcessInfo.processInfo.environment["CI"]?.lowercased() ?? ""
    return v == "true" || v == "1" || v == "yes"
  }

  /// ../shared/data/NAME.sqlite when present; nil when missing, and then the caller skips —
  /// but under CI the missing file is also recorded as a failure at the caller's line.
  public static func shared(_ name: String, file: StaticString = #filePath, line: UInt = #line) -> String? {
    sharedPath("data/\(name).sqlite", file: file, line: line)
  }

  /// ../shared/PATH (a file or a directory, e.g. `corpora/time`) when present; when missing,
  /// as `shared(_:)`: nil, and a recorded failure under CI.
  public static func sharedPath(_ path: String, file: StaticString = #filePath, line: UInt = #line) -> String? {
    let p = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/\(path)").path
    if FileManager.default.fileExists(atPath: p) { return p }
    if isCI {
      XCTFail(
        "../shared/\(path) is missing (looked for \(p)). Under CI (CI=true) the tests that need ../shared must run, "
          + "so a missing ../shared fails instead of skipping: lay shared/ beside the package.",
        file: file, line: line)
    }
    return nil
  }

  public static let demoToday = Day(year: 2026, month: 11, day: 22)

  nonisolated(unsafe) private static var cache: [String: Engine] = [:]
  private static let lock = NSLock()

  /// A small demo database (ending the day before `demoToday`), generated once per process.
  public static func demoPath() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wenshu-tests-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let path = dir.appendingPathComponent("demo.sqlite").path
    if !FileManager.default.fileExists(atPath: path) {
      try DemoDatabase.write(DemoSpec(customers: 3000, orders: 15000, seed: 7, lastDay: demoToday - 1), to: path)
    }
    return path
  }

  /// An engine over `path` (cached), with the package's grammars.
  public static func engine(_ path: String, today: Day = demoToday) throws -> Engine {
    lock.lock()
    defer { lock.unlock() }
    if let e = cache[path] { return e }
    let e = try Engine(database: path, grammars: grammars.path, today: today)
    cache[path] = e
    return e
  }

  /// The built binary (release preferred), for end-to-end tests.
  /// WENSHU_BIN if set, else the newer of the release and debug builds.
  public static var binary: String? {
    if let env = ProcessInfo.processInfo.environment["WENSHU_BIN"], FileManager.default.isExecutableFile(atPath: env) { return env }
    var best: (String, Date)?
    for c in [".build/release/wenshu", ".build/debug/wenshu"] {
      let p = packageRoot.appendingPathComponent(c).path
      guard FileManager.default.isExecutableFile(atPath: p) else { continue }
      let m = (try? FileManager.default.attributesOfItem(atPath: p)[.modificationDate] as? Date) ?? .distantPast
      if best == nil || m > best!.1 { best = (p, m) }
    }
    return best?.0
  }

  /// Runs the binary with arguments and optional stdin; returns (status, stdout, stderr).
  public static func run(_ args: [String], stdin: String? = nil) throws -> (Int32, String, String) {
    guard let bin = binary else { throw NSError(domain: "wenshu-tests", code: 1, userInfo: [NSLocalizedDescriptionKey: "binary not built"]) }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: bin)
    p.arguments = args
    let out = Pipe(), err = Pipe(), inp = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = inp
    try p.run()
    if let stdin { inp.fileHandleForWriting.write(Data(stdin.utf8)) }
    try inp.fileHandleForWriting.close()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
  }
}
