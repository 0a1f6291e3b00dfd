// The wenshu command line: ask, explain, schema, demo, repl (the default), run, serve.
// A thin layer: it parses flags, builds the Engine and renders answers.

import ArgumentParser
import CubeSQLite
import Engine
import Foundation
import PostgresIO
import QueryModel
import Rendering

@main
struct Wenshu: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "wenshu",
    abstract: "问数 Wenshu — ask customer-loyalty questions of a SQLite database, in Chinese or English.",
    discussion: """
      Examples:
        wenshu ask "上月复购率是多少"
        wenshu ask --db shop.sqlite "top 10 customers by spend last quarter"
        wenshu explain --format json "今年各地区的复购率"
        wenshu schema --db shop.sqlite
      With no --db, Wenshu answers on a built-in demo shop generated on first use.
      """,
    subcommands: [Repl.self, Ask.self, Explain.self, Schema.self, Demo.self, Run.self, Serve.self, Model.self, Bench.self, Export.self, ExportSQL.self],
    defaultSubcommand: Repl.self)
}

/// Options shared by every command that answers questions.
struct CommonOptions: ParsableArguments {
  @Option(help: "SQLite database file, or a PostgreSQL URL postgresql://user@host:port/db, to query (default: the built-in demo).")
  var db: String?

  @Option(name: .customLong("engine"), help: "How a PostgreSQL --db is answered: cube (its tables read into memory) or pushdown (each question's SQL run on the server). Default: cube when the orders fit in memory (at most 50,000,000), else pushdown.")
  var engineChoice: String?

  @Option(help: "Seconds a statement may run on a PostgreSQL server before it is cancelled.")
  var statementTimeout = 300

  @Option(help: "The reference date YYYY-MM-DD for 上月, last week, … (default: the real date).")
  var today: String?

  @Option(help: "Directory of grammar files (default: grammars/ beside the binary or the package).")
  var grammars: String?

  @Option(help: "Mapping file that names the tables and columns for each role (see `wenshu schema --write-mapping`).")
  var mapping: String?

  func todayDay() throws -> Day {
    if let t = today {
      guard let d = Day(iso: t) else { throw ValidationError("--today must be a date YYYY-MM-DD, got “\(t)”") }
      return d
    }
    let now = Date()
    var tm = tm()
    var t = time_t(now.timeIntervalSince1970)
    localtime_r(&t, &tm)
    return Day(year: Int(tm.tm_year) + 1900, month: Int(tm.tm_mon) + 1, day: Int(tm.tm_mday))
  }

  func engine() throws -> (Engine, Day) {
    let day = try todayDay()
    let isServer = db.map(PostgresURL.looksLikeURL) ?? false
    var requested: EngineKind?
    if let e = engineChoice {
      guard let kind = EngineKind(rawValue: e) else { throw CLIError(message: "--engine must be cube or pushdown, got “\(e)”") }
      requested = kind
    }
    guard statementTimeout > 0 else { throw CLIError(message: "--statement-timeout must be a positive number of seconds, got \(statementTimeout)") }
    let engine: Engine
    do {
      engine = try Engine(database: db, grammars: grammars, mapping: mapping, today: day, engine: requested, statementTimeout: statementTimeout)
    } catch {
      throw CLIError(message: String(describing: error))
    }
    if isServer {
      let secs = String(format: "%.2f", engine.database.seconds)
      let c = engine.choice
      writeErr(c.kind == .cube
        ? "engine: cube — \(engine.database.path) read into memory (\(engine.orderCount) orders, \(secs) s): \(c.reason)"
        : "engine: pushdown — each question's SQL runs on \(engine.database.path) (\(engine.orderCount) orders; facts read in \(secs) s): \(c.reason)")
    }
    if today == nil, let note = CommonOptions.todayNote(engine, today: day) { writeErr(note) }
    return (engine, day)
  }

  /// Said once when today was taken from the clock and the data ends before yesterday: which
  /// day 上月 and 本月 count from, and how to choose another.
  static func todayNote(_ engine: Engine, today: Day) -> String? {
    guard let r = engine.database.cube.dateRange, r.end < today - 1 else { return nil }
    return "今天按 \(today.iso) 计算，数据截至 \(r.end.iso)；用 --today YYYY-MM-DD 指定另一天。"
      + " Today is taken as \(today.iso) and the data ends \(r.end.iso); --today YYYY-MM-DD sets another day."
  }
}

/// How many rows an answer shows: `--limit N`, `--all`, or the screen's default cut (the
/// `max_screen_rows` setting, 50) on screen and every row in CSV, JSON and Markdown.
struct RowLimit: ParsableArguments {
  @Option(help: "Show at most N rows (on screen and in CSV, JSON and Markdown).") var limit: Int?
  @Flag(help: "Show every row on screen (CSV and JSON always hold every row unless --limit is given).") var all = false

  init() {}
  init(limit: Int?, all: Bool) {
    self.limit = limit
    self.all = all
  }

  func validate() throws {
    if let limit, limit < 1 { throw ValidationError("--limit must be a positive whole number, got \(limit)") }
    if limit != nil && all { throw ValidationError("--limit and --all cannot be used together") }
  }

  /// Rows on screen: the limit, all, or the default cut.
  func screenRows(_ engine: Engine?) -> Int? {
    if let limit { return limit }
    if all { return nil }
    return RowLimit.defaultScreenRows(engine)
  }

  /// `setting max_screen_rows` of the grammar (50 when absent or not a positive number).
  static func defaultScreenRows(_ engine: Engine?) -> Int {
    engine.flatMap { $0.grammar.setting("max_screen_rows") }.flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil } ?? 50
  }

  /// What the screen says about seeing every row, by how the user can ask for them.
  enum Hint {
    case options, repl
    func text(_ lang: Language) -> String {
      switch (self, lang) {
      case (.options, .zh): return "用 --limit N 或 --all 查看全部"
      case (.options, .en): return "use --limit N or --all to see them all"
      case (.repl, .zh): return "用 :limit N 或 :limit all 查看全部"
      case (.repl, .en): return "use :limit N or :limit all to see them all"
      }
    }
  }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case table, json, csv, markdown
}

/// A message for the user and an exit status, never a stack trace.
struct CLIError: Error, CustomStringConvertible {
  var message: String
  var code: Int32 = 1
  var description: String { message }
}

func writeErr(_ s: String) {
  FileHandle.standardError.write(Data((s + "\n").utf8))
}

func terminalWidth() -> Int {
  if let c = ProcessInfo.processInfo.environment["COLUMNS"], let n = Int(c), n > 20 { return n }
  var ws = winsize()
  if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 20 { return Int(ws.ws_col) }
  return 100
}

func renderOptions(_ lang: Language, chart: String?, ascii: Bool, maxRows: Int?, hint: RowLimit.Hint = .options) -> RenderOptions {
  let isTTY = isatty(STDOUT_FILENO) == 1
  let color = isTTY && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
  return RenderOptions(language: lang, maxRows: maxRows, ascii: ascii, color: color,
                       chart: chart.flatMap(ChartChoice.init(rawValue:)) ?? .auto, width: terminalWidth(),
                       moreRowsHint: hint.text(lang))
}

/// The text form of an answer: interpretation, then chart and table (or the refusal). On screen
/// `screenRows` rows at most (nil: all); CSV, JSON and Markdown hold `limit` rows (nil: all).
func renderAnswer(
  _ a: Answer, format: OutputFormat, chart: String?, ascii: Bool, screenRows: Int? = 50, limit: Int? = nil,
  hint: RowLimit.Hint = .options
) -> (out: String, err: String?) {
  switch format {
  case .json:
    return (AnswerJSON.encode(a, limit: limit), nil)
  case .csv:
    guard let t = a.table else { return ("", a.refusal?.message) }
    return (CSVRenderer.render(t, limit: limit, language: a.language), nil)
  case .markdown:
    guard let t = a.table, let p = a.planned else { return (markdownRefusal(a), nil) }
    return ("*\(p.interpretation)*\n\n" + MarkdownRenderer.render(t, renderOptions(a.language, chart: "none", ascii: ascii, maxRows: limit, hint: hint)), nil)
  case .table:
    guard let t = a.table, let p = a.planned else {
      var msg = a.refusal?.message ?? "?"
      if let s = a.refusal?.suggestions, !s.isEmpty {
        msg += "\n" + (a.language == .zh ? "可以这样问：" : "Try: ") + s.joined(separator: a.language == .zh ? "；" : "; ")
      }
      return ("", msg)
    }
    // The question's own chart (用柱状图, as a line chart) wins over "auto".
    let chosen = chart == nil || chart == "auto" ? p.chart ?? chart : chart
    var head = p.interpretation
    for alt in p.alternatives {
      head += "\n" + (a.language == .zh ? "（也可理解为：" : "(could also mean: ") + alt.interpretation + (a.language == .zh ? "）" : ")")
    }
    return (head + "\n" + TerminalRenderer.render(t, renderOptions(a.language, chart: chosen, ascii: ascii, maxRows: screenRows, hint: hint)), nil)
  }
}

/// A refusal as a Markdown quote: the message, then what to ask instead.
func markdownRefusal(_ a: Answer) -> String {
  var lines = (a.refusal?.message ?? "?").split(separator: "\n", omittingEmptySubsequences: false).map { "> " + $0 }
  if let s = a.refusal?.suggestions, !s.isEmpty {
    lines.append(">")
    lines.append("> " + (a.language == .zh ? "可以这样问：" : "Try: ") + s.joined(separator: a.language == .zh ? "；" : "; "))
  }
  return lines.joined(separator: "\n")
}
