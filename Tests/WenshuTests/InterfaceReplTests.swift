// The REPL in a real terminal: tmux runs `wenshu` on its own server socket, keys are sent with
// send-keys and the screen is read back with capture-pane. Covers a Chinese table, a follow-up
// (那华东呢), :help, tab completion, Ctrl-C clearing the line, the history file and Ctrl-D
// leaving. Skipped, with the reason printed, when tmux is not installed.

import Foundation
import TestSupport
import XCTest

final class InterfaceReplTests: XCTestCase {
  private var socket = ""
  private var home: URL?

  private func tmuxPath() -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
      let p = "\(dir)/tmux"
      if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    return nil
  }

  /// Runs tmux on this test's own server socket; returns its status and (for capture-pane) its
  /// output. Spawned with posix_spawn and waitpid, not Foundation's Process: the tmux server
  /// that new-session forks would inherit Process's termination socket (or an output pipe) and
  /// keep it open for ever, so waitUntilExit would never return.
  @discardableResult
  private func tmux(_ args: [String]) throws -> (Int32, String) {
    guard let path = tmuxPath() else { throw XCTSkip("tmux is not installed") }
    let outPath = FileManager.default.temporaryDirectory.appendingPathComponent("wenshu-tmux-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: outPath) }
    let capture = args.first == "capture-pane"
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, capture ? outPath : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv = ([path, "-L", socket, "-f", "/dev/null"] + args).map { strdup($0) } + [nil]
    defer { for a in argv { free(a) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, path, &actions, nil, argv, environ)
    guard rc == 0 else { throw XCTSkip("cannot start tmux (posix_spawn \(rc))") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let exited = (status & 0x7f) == 0
    let code = exited ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    let out = capture ? String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: outPath))) ?? Data(), as: UTF8.self) : ""
    return (code, out)
  }

  private func screen() throws -> String {
    try tmux(["capture-pane", "-p", "-J", "-S", "-400", "-t", "repl"]).1
  }

  /// Waits until the screen satisfies `ok` (up to `seconds`); returns the last screen.
  @discardableResult
  private func waitFor(_ what: String, seconds: Double = 20, _ ok: (String) -> Bool) throws -> String {
    let deadline = Date().addingTimeInterval(seconds)
    var s = ""
    while Date() < deadline {
      s = try screen()
      if ok(s) { return s }
      Thread.sleep(forTimeInterval: 0.1)
    }
    XCTFail("timed out waiting for \(what); the screen:\n\(s)")
    return s
  }

  private func keys(_ k: String...) throws { try tmux(["send-keys", "-t", "repl"] + k) }

  /// Types literal text (no key names).
  private func type(_ text: String) throws { try tmux(["send-keys", "-t", "repl", "-l", text]) }

  private func count(_ s: String, _ part: String) -> Int { s.components(separatedBy: part).count - 1 }

  override func tearDown() {
    _ = try? tmux(["kill-server"])
    if let home { try? FileManager.default.removeItem(at: home) }
  }

  func testReplInATerminal() throws {
    guard tmuxPath() != nil else {
      print("InterfaceReplTests skipped: tmux is not installed, so the REPL cannot be driven in a real terminal.")
      throw XCTSkip("tmux is not installed")
    }
    let db = try Interface.retail()
    let bin = try Interface.binary()
    socket = "wenshu-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let h = FileManager.default.temporaryDirectory.appendingPathComponent("wenshu-repl-home-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: h, withIntermediateDirectories: true)
    home = h
    let command = [
      "env", "HOME=\(h.path)", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "TERM=xterm-256color", "NO_COLOR=1", bin,
      "--db", db, "--today", "2026-11-22", "--grammars", TestData.grammars.path,
    ].map { "'" + $0 + "'" }.joined(separator: " ")
    try tmux(["new-session", "-d", "-s", "repl", "-x", "120", "-y", "50", "-c", Interface.root, command])

    // The start-up line, then the prompt.
    var s = try waitFor("the prompt") { $0.contains("问数> ") }
    XCTAssertTrue(s.contains("已载入 ../shared/data/retail_cn.sqlite：8000 位客户，38222 笔订单，2024-01-01 … 2026-11-21"), s)

    // A Chinese table.
    try type("上月各地区的复购率")
    try keys("Enter")
    s = try waitFor("the table of 上月各地区的复购率") { $0.contains("西南 30.5%") }
    XCTAssertTrue(s.contains("上月（2026-10-01 至 2026-10-31） · 复购率 = 复购客户数 ÷ 下单客户数 · 按地区"), s)
    XCTAssertTrue(s.contains("华东 34.4%"), s)
    XCTAssertTrue(s.contains("西北 41.5%"), s)

    // A follow-up uses the conversation.
    try type("那华东呢")
    try keys("Enter")
    s = try waitFor("the follow-up") { $0.contains("地区：华东 · 复购率") }
    XCTAssertTrue(s.contains("34.4%"), s)

    // :help, with examples from the data.
    try type(":help")
    try keys("Enter")
    s = try waitFor(":help") { $0.contains(":quit") && $0.contains("You can ask:") }
    XCTAssertTrue(s.contains("上月各地区的复购率"), s)
    XCTAssertTrue(s.contains("上月差评的主要问题"), "feedback examples when the data has feedback")

    // Tab completes a dimension: 上月各来源渠 → 上月各来源渠道.
    try type("上月各来源渠")
    try keys("Tab")
    try waitFor("the completion") { $0.contains("问数> 上月各来源渠道") }
    try type("的新客数")
    try keys("Enter")
    s = try waitFor("the completed question's answer") { $0.contains("新客数 = 首单落在期内的客户 · 按来源渠道") }

    // Ctrl-C abandons the line being typed, and the REPL goes on.
    try type("上月销售额和订单")
    try waitFor("the typed line") { $0.contains("问数> 上月销售额和订单") }
    try keys("C-c")
    Thread.sleep(forTimeInterval: 0.3)
    try type("上月订单数")
    try keys("Enter")
    s = try waitFor("the answer after Ctrl-C") { $0.contains("订单数 = 订单笔数") }
    XCTAssertFalse(s.contains("上月销售额和订单上月订单数"), "Ctrl-C must clear the line:\n\(s)")
    XCTAssertFalse(s.contains("销售额 = 订单金额之和 · 订单数"), "the abandoned line must not be asked")

    // Unknown commands list the commands.
    try type(":frobnicate")
    try keys("Enter")
    s = try waitFor("the unknown-command message") { $0.contains("Unknown command :frobnicate") }
    XCTAssertTrue(s.contains(":schema"), s)

    // Ctrl-D leaves: the session ends with the program.
    try keys("C-d")
    let deadline = Date().addingTimeInterval(10)
    var alive = true
    while Date() < deadline {
      if try tmux(["has-session", "-t", "repl"]).0 != 0 {
        alive = false
        break
      }
      Thread.sleep(forTimeInterval: 0.1)
    }
    XCTAssertFalse(alive, "Ctrl-D should end the REPL")

    // The history file keeps what was asked, not the abandoned line.
    let history = String(decoding: (try? Data(contentsOf: h.appendingPathComponent(".wenshu_history"))) ?? Data(), as: UTF8.self)
    XCTAssertTrue(history.contains("上月各地区的复购率"), history)
    XCTAssertTrue(history.contains("那华东呢"), history)
    XCTAssertFalse(history.contains("上月销售额和订单"), history)
  }

  func testReplCommands() throws {
    guard tmuxPath() != nil else {
      print("InterfaceReplTests skipped: tmux is not installed, so the REPL cannot be driven in a real terminal.")
      throw XCTSkip("tmux is not installed")
    }
    let db = try Interface.retail()
    let bin = try Interface.binary()
    socket = "wenshu-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let h = FileManager.default.temporaryDirectory.appendingPathComponent("wenshu-repl-home-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: h, withIntermediateDirectories: true)
    home = h
    let command = [
      "env", "HOME=\(h.path)", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "TERM=xterm-256color", "NO_COLOR=1", "PAGER=cat", bin,
      "--db", db, "--today", "2026-11-22", "--grammars", TestData.grammars.path,
    ].map { "'" + $0 + "'" }.joined(separator: " ")
    try tmux(["new-session", "-d", "-s", "repl", "-x", "160", "-y", "50", "-c", Interface.root, command])
    try waitFor("the prompt") { $0.contains("问数> ") }

    try type(":explain")
    try keys("Enter")
    try waitFor(":explain before any question") { $0.contains("Ask a question first") }

    try type(":today 2026-06-15")
    try keys("Enter")
    try type("上月销售额")
    try keys("Enter")
    try waitFor("上月 from the new today") { $0.contains("上月（2026-05-01 至 2026-05-31）") }

    try type(":explain")
    try keys("Enter")
    var s = try waitFor(":explain") { $0.contains("metric=sales period=2026-05-01..2026-05-31") }
    XCTAssertTrue(s.contains("\"metrics\":[\"sales\"]"), s)

    try type(":sql")
    try keys("Enter")
    try waitFor(":sql") { $0.contains("SQL is not available yet") || $0.contains("SELECT") || $0.contains("select") }

    try type(":format csv")
    try keys("Enter")
    try type("上月各渠道的销售额")
    try keys("Enter")
    try waitFor("CSV") { $0.contains("渠道,销售额") }

    try type(":format json")
    try keys("Enter")
    try type("那门店呢")
    try keys("Enter")
    s = try waitFor("JSON follow-up") { $0.contains("{\"question\":\"那门店呢\"") }

    try type(":reset")
    try keys("Enter")
    try type(":format table")
    try keys("Enter")
    try type("那华东呢")
    try keys("Enter")
    s = try waitFor("a follow-up after :reset has nothing to follow") { $0.contains("没有识别出要计算的指标") }

    try type(":schema")
    try keys("Enter")
    s = try waitFor(":schema") { $0.contains("dimension region: 7 values") }
    XCTAssertTrue(s.contains("table customers: 8000 rows"), s)

    try type(":chart none")
    try keys("Enter")
    try type(":today 2026-11-22")
    try keys("Enter")
    try type("上月各地区的复购率")
    try keys("Enter")
    s = try waitFor("a table without a chart") { $0.contains("│ 华东 │  34.4% │") }

    try type(":quit")
    try keys("Enter")
    let deadline = Date().addingTimeInterval(10)
    var alive = true
    while Date() < deadline {
      if try tmux(["has-session", "-t", "repl"]).0 != 0 {
        alive = false
        break
      }
      Thread.sleep(forTimeInterval: 0.1)
    }
    XCTAssertFalse(alive, ":quit should end the REPL")
  }

  /// :limit, :sql laid out and paged, :help's question kinds and the cohort legend.
  func testReplLimitSQLAndLegend() throws {
    guard tmuxPath() != nil else {
      print("InterfaceReplTests skipped: tmux is not installed, so the REPL cannot be driven in a real terminal.")
      throw XCTSkip("tmux is not installed")
    }
    let db = try Interface.retail()
    let bin = try Interface.binary()
    socket = "wenshu-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let h = FileManager.default.temporaryDirectory.appendingPathComponent("wenshu-repl-home-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: h, withIntermediateDirectories: true)
    home = h
    let command = [
      "env", "HOME=\(h.path)", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "TERM=xterm-256color", "NO_COLOR=1", "PAGER=less -FRX", bin,
      "--db", db, "--today", "2026-11-22", "--grammars", TestData.grammars.path,
    ].map { "'" + $0 + "'" }.joined(separator: " ")
    try tmux(["new-session", "-d", "-s", "repl", "-x", "120", "-y", "50", "-c", Interface.root, command])
    try waitFor("the prompt") { $0.contains("问数> ") }

    try type(":limit 5")
    try keys("Enter")
    try waitFor(":limit 5") { $0.contains("行数 rows: 5") }
    try type("上月高复购客户有哪些")
    try keys("Enter")
    var s = try waitFor("a list cut at 5") { $0.contains("… 还有 135 行（共 140 行）；用 :limit N 或 :limit all 查看全部") }
    XCTAssertEqual(count(s, "│ 3"), 0, "only five rows, none of them customer 3…: \(s)")
    try type(":limit zero")
    try keys("Enter")
    try waitFor("a bad :limit") { $0.contains("用法 usage: :limit N") }
    try type(":limit default")
    try keys("Enter")
    try waitFor(":limit default") { $0.contains("行数 rows: 50（默认 default）") }

    // :sql: one clause per line, the long reading expressions shortened, in the pager (this
    // statement is longer than the 50-row screen).
    try type("上月各地区的复购率")
    try keys("Enter")
    try waitFor("the regional repeat rates") { $0.contains("西北 41.5%") }
    try type(":sql")
    try keys("Enter")
    s = try waitFor("the pager") { screen in
      let last = screen.split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
      return last.map { $0.hasPrefix(":") || $0.contains("(END)") } ?? false
    }
    XCTAssertTrue(s.contains("…（省略 "), s)
    XCTAssertTrue(s.contains("    FROM "), "clauses on their own lines: \(s)")
    try keys("q")
    try tmux(["clear-history", "-t", "repl"])
    try type(":today")
    try keys("Enter")
    try waitFor("the prompt after the pager") { $0.contains("今天 today: 2026-11-22") }

    try type(":help")
    try keys("Enter")
    s = try waitFor(":help's question kinds") { $0.contains("问题类型 Question kinds:") && $0.contains(":limit N|all|default") }
    XCTAssertTrue(s.contains("留存 cohorts：2025年1月首购客户的次月留存率"), s)

    try type("今年首购客户的月留存率")
    try keys("Enter")
    s = try waitFor("the cohort legend") { $0.contains("色块 ░▒▓█ 由浅到深：0.0% 到 38.4%（越深越高）；空白是还没到的月份") }
    XCTAssertTrue(s.contains("首购月 2026-11 尚未结束"), s)
    try type(":quit")
    try keys("Enter")
  }
}
