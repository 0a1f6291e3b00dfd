// The wenshu command line: ask, explain, schema, demo, repl (the default), run, serve.
// A thin layer: it parses flags, builds the Engine and renders answers.

import ArgumentParser
import CubeSQLite
import Engine
import Foundation
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
    subcommands: [Repl.self, Ask.self, Explain.self, Schema.self, Demo.self, Run.self, Serve.self, Model.self, Bench.self],
    defaultSubcommand: Repl.self)
}

/// Options shared by every command that answers questions.
struct CommonOptions: ParsableArguments {
  @Option(help: "SQLite database to query (default: the built-in demo).")
  var db: String?

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
    do {
      return (try Engine(database: db, grammars: grammars, mapping: mapping, today: day), day)
    } catch {
      throw CLIError(message: String(describing: error))
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

func renderOptions(_ lang: Language, chart: String?, ascii: Bool, screen: Bool) -> RenderOptions {
  let isTTY = isatty(STDOUT_FILENO) == 1
  let color = isTTY && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
  return RenderOptions(language: lang, maxRows: screen ? 50 : nil, ascii: ascii, color: color,
                       chart: chart.flatMap(ChartChoice.init(rawValue:)) ?? .auto, width: terminalWidth())
}

/// The text form of an answer: interpretation, then chart and table (or the refusal).
func renderAnswer(_ a: Answer, format: OutputFormat, chart: String?, ascii: Bool) -> (out: String, err: String?) {
  switch format {
  case .json:
    return (AnswerJSON.encode(a), nil)
  case .csv:
    guard let t = a.table else { return ("", a.refusal?.message) }
    return (CSVRenderer.render(t), nil)
  case .markdown:
    guard let t = a.table, let p = a.planned else { return (markdownRefusal(a), nil) }
    return ("*\(p.interpretation)*\n\n" + MarkdownRenderer.render(t, renderOptions(a.language, chart: "none", ascii: ascii, screen: false)), nil)
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
    return (head + "\n" + TerminalRenderer.render(t, renderOptions(a.language, chart: chosen, ascii: ascii, screen: true)), nil)
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
