// Broken and hostile database files: each gets a clear message naming the path and what to
// do, never a crash, and the file's bytes and modification time stay exactly as they were
// (no journal or WAL file appears beside it).

import CubeSQLite
import Foundation
import TestSupport
import XCTest

final class HostileFileTests: XCTestCase {
  var dir: URL!

  override func setUpWithError() throws {
    dir = FileManager.default.temporaryDirectory.appendingPathComponent("wenshu-hostile-\(getpid())-\(UUID().uuidString.prefix(6))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(at: dir)
  }

  struct Snapshot: Equatable {
    var bytes: Data
    var mtime: Date?
    var siblings: [String]
  }

  func snapshot(_ path: String) -> Snapshot {
    let attrs = try? FileManager.default.attributesOfItem(atPath: path)
    let siblings = (try? FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent)) ?? []
    return Snapshot(bytes: FileManager.default.contents(atPath: path) ?? Data(), mtime: attrs?[.modificationDate] as? Date, siblings: siblings.sorted())
  }

  /// Loads `path`, expects a refusal containing `words` and the path, and an unchanged file.
  func expectRefusal(_ path: String, _ words: [String], file: StaticString = #filePath, line: UInt = #line) {
    let before = snapshot(path)
    XCTAssertThrowsError(try CubeLoader.load(path: path), file: file, line: line) { e in
      let msg = String(describing: e)
      XCTAssertTrue(msg.contains(path), "the message names the path: \(msg)", file: file, line: line)
      for w in words { XCTAssertTrue(msg.lowercased().contains(w.lowercased()), "“\(w)” in: \(msg)", file: file, line: line) }
    }
    XCTAssertEqual(snapshot(path), before, "the file and its folder are unchanged", file: file, line: line)
  }

  func copyOfDemo(_ name: String) throws -> String {
    let dst = dir.appendingPathComponent(name).path
    try FileManager.default.copyItem(atPath: try TestData.demoPath(), toPath: dst)
    return dst
  }

  func testNotSQLite() throws {
    let p = dir.appendingPathComponent("orders.csv").path
    try "id,customer,amount\n1,2,3\n".write(toFile: p, atomically: true, encoding: .utf8)
    expectRefusal(p, ["not a SQLite database"])
  }

  func testEmptyFile() throws {
    let p = dir.appendingPathComponent("empty.db").path
    FileManager.default.createFile(atPath: p, contents: Data())
    expectRefusal(p, ["empty"])
  }

  func testTruncated() throws {
    let p = try copyOfDemo("truncated.db")
    let data = FileManager.default.contents(atPath: p) ?? Data()
    try data.prefix(8192).write(to: URL(fileURLWithPath: p))
    expectRefusal(p, ["damaged"])
  }

  func testCorrupt() throws {
    let p = try copyOfDemo("corrupt.db")
    var data = FileManager.default.contents(atPath: p) ?? Data()
    // Keep the header, scribble over the schema page and beyond.
    for i in stride(from: 100, to: min(data.count, 200_000), by: 1) { data[i] = UInt8(truncatingIfNeeded: i &* 31) }
    try data.write(to: URL(fileURLWithPath: p))
    expectRefusal(p, ["damaged"])
  }

  func testDirectory() throws {
    expectRefusal(dir.path, ["directory"])
  }

  func testMissing() throws {
    let p = dir.appendingPathComponent("nope.sqlite").path
    XCTAssertThrowsError(try CubeLoader.load(path: p)) { e in
      XCTAssertTrue(String(describing: e).contains("no such file"))
    }
    XCTAssertFalse(FileManager.default.fileExists(atPath: p), "opening never creates the file")
  }

  func testLockedByAWriter() throws {
    let p = try copyOfDemo("locked.db")
    let writer = try SQLiteDatabase(path: p, readOnly: false)
    try writer.execute("BEGIN EXCLUSIVE")
    try writer.execute("UPDATE customers SET name = name WHERE id = 1")
    defer { try? writer.execute("ROLLBACK") }
    let before = snapshot(p)
    XCTAssertThrowsError(try CubeLoader.load(path: p)) { e in
      let msg = String(describing: e)
      XCTAssertTrue(msg.contains("locked"), msg)
      XCTAssertTrue(msg.contains(p), msg)
    }
    XCTAssertEqual(snapshot(p).bytes, before.bytes)
  }

  func testNoPermission() throws {
    let p = try copyOfDemo("secret.db")
    try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: p)
    defer { try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: p) }
    if FileManager.default.isReadableFile(atPath: p) {
      print("HostileFileTests.testNoPermission: skipped — running as root, who can read a file without permissions")
      throw XCTSkip("running as root: a file without read permission is still readable")
    }
    expectRefusal(p, ["permission"])
  }

  func testGoodFileIsNeverWritten() throws {
    let p = try copyOfDemo("good.db")
    let before = snapshot(p)
    _ = try CubeLoader.load(path: p)
    XCTAssertEqual(snapshot(p), before, "loading leaves the bytes, the time and the folder unchanged")
  }

  func testCommandLineRefusesWithExitStatusAndNoStackTrace() throws {
    guard TestData.binary != nil else { throw XCTSkip("binary not built") }
    let p = dir.appendingPathComponent("junk.sqlite").path
    try String(repeating: "x", count: 5000).write(toFile: p, atomically: true, encoding: .utf8)
    let (status, out, err) = try TestData.run(["ask", "--db", p, "--today", "2026-11-22", "上月销售额"])
    XCTAssertNotEqual(status, 0)
    XCTAssertLessThan(status, 126, "not a crash")
    XCTAssertTrue(err.contains("not a SQLite database"), err)
    XCTAssertFalse(err.contains("Fatal error") || out.contains("Fatal error"))
  }
}
