// The REPL's :sql: the statement laid out for reading, one clause per line, with the long
// data-reading expressions (date parsing, key normalising: thousands of characters on one
// line) shortened unless asked for in full, and paged through `less` when longer than the
// screen. Only the layout changes: `:sql full` prints a statement that runs as it is.

import Foundation

enum SQLText {
  /// Lines longer than this are shortened in the short form (the terminal's width, at least 80).
  static var longLine: Int { max(80, terminalWidth()) }

  /// `sql` with each top-level clause (FROM, WHERE, GROUP BY, ORDER BY, JOIN, UNION ALL …) of
  /// every line on a line of its own, indented under the line it came from; with `full` false,
  /// a line still longer than `longLine` keeps its start and says how much was left out.
  ///
  ///     SELECT k0 AS "region", v0 AS "repeat_purchase_rate"
  ///     FROM fin
  ///     ORDER BY k0
  static func layout(_ sql: String, full: Bool, zh: Bool = true) -> String {
    var out: [String] = []
    for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
      let indent = String(line.prefix { $0 == " " })
      for piece in clauses(String(line.dropFirst(indent.count))) {
        let text = indent + piece
        if full || text.count <= longLine {
          out.append(text)
        } else {
          let kept = String(text.prefix(max(40, longLine - 44)))
          let left = text.count - kept.count
          out.append(kept + (zh ? " …（省略 \(left) 个字符；:sql full 显示全部）" : " … (\(left) characters left out; :sql full shows all)"))
        }
      }
    }
    return out.joined(separator: "\n")
  }

  /// Keywords that start a clause of their own.
  private static let breaks = [
    "FROM ", "WHERE ", "GROUP BY ", "HAVING ", "ORDER BY ", "LIMIT ", "LEFT JOIN ", "JOIN ", "UNION ALL ",
  ]

  /// One line cut before each clause keyword that is outside parentheses and quotes.
  static func clauses(_ line: String) -> [String] {
    let chars = Array(line)
    var pieces: [String] = []
    var current = ""
    var depth = 0
    var quote: Character?
    var i = 0
    while i < chars.count {
      let ch = chars[i]
      if let q = quote {
        current.append(ch)
        if ch == q { quote = nil }
        i += 1
        continue
      }
      switch ch {
      case "'", "\"": quote = ch
      case "(": depth += 1
      case ")": depth -= 1
      default: break
      }
      if depth == 0, ch == " ", !["LEFT", "INNER", "CROSS", "OUTER"].contains(where: { current.hasSuffix($0) }),
        breaks.contains(where: { k in i + 1 + k.count <= chars.count && String(chars[(i + 1)..<(i + 1 + k.count)]) == k })
      {
        pieces.append(current)
        current = ""
        i += 1
        continue
      }
      current.append(ch)
      i += 1
    }
    pieces.append(current)
    return pieces.enumerated().map { $0.offset == 0 ? $0.element : "  " + $0.element }
  }

  /// Prints `text`, through `$PAGER` (or `less -FRX`) when stdout is a terminal and the text is
  /// longer than the screen; otherwise as it is.
  static func page(_ text: String) {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
    var ws = winsize()
    let rows = ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &ws) == 0 && ws.ws_row > 0 ? Int(ws.ws_row) : 0
    guard isatty(STDOUT_FILENO) == 1, rows > 0, lines > rows - 2, let pager = pagerCommand() else {
      print(text)
      return
    }
    // posix_spawn, not Process: the pager must stay in the terminal's foreground process group
    // to read keys. Quitting it early closes the pipe: a write error then, not a SIGPIPE.
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else {
      print(text)
      return
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
    posix_spawn_file_actions_addclose(&actions, fds[1])
    let words: [String] = ["/bin/sh", "-c", pager]
    let argv = words.map { strdup($0) } + [nil]
    defer { for a in argv { free(a) } }
    var pid: pid_t = 0
    guard posix_spawn(&pid, "/bin/sh", &actions, nil, argv, environ) == 0 else {
      close(fds[0])
      close(fds[1])
      print(text)
      return
    }
    close(fds[0])
    let previous = signal(SIGPIPE, SIG_IGN)
    defer { signal(SIGPIPE, previous) }
    let bytes = Array((text + "\n").utf8)
    var done = 0
    while done < bytes.count {
      let n = bytes[done...].withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { break }
      done += n
    }
    close(fds[1])
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
  }

  /// $PAGER, else less when it is installed.
  private static func pagerCommand() -> String? {
    if let p = ProcessInfo.processInfo.environment["PAGER"], !p.trimmingCharacters(in: .whitespaces).isEmpty { return p }
    for dir in ["/usr/bin", "/bin", "/usr/local/bin"] where FileManager.default.isExecutableFile(atPath: dir + "/less") {
      return dir + "/less -FRX"
    }
    return nil
  }
}
