// `wenshu run FILE`: a question file answered in order, with one conversation (follow-ups work),
// every question answered even when some fail (exit status 2 then). Owns the question-file
// format (one question per line, `#` comments, blank lines as separators, `# ` / `## ` lines as
// headings) and the reports of `--out`, Markdown or HTML (title, date, database, headings, each
// question with its interpretation, chart, table and notes, refusals as quotes).

import ArgumentParser
import CubeSQLite
import Engine
import Foundation
import LineEditing
import Planning
import QueryModel
import Rendering

struct Run: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Answer every question of a file (one per line, # comments), optionally into a Markdown report.",
    discussion: """
      One question per line; lines starting with # are comments, and `# Title` / `## Section`
      become headings of the report; blank lines separate groups. Follow-ups (那华东呢) refer to
      the question before. Exit status 2 when any question could not be answered.
      """)

  @OptionGroup var common: CommonOptions
  @Option(help: "Write a report to this file: Markdown, or a self-contained HTML page when it ends in .html (repeat for both).")
  var out: [String] = []
  @Option(help: "Output format: table, json, csv or markdown.") var format: OutputFormat = .table
  @Option(help: "Chart: auto, bar, line or none.") var chart: String?
  @Flag(help: "Draw with plain ASCII characters.") var ascii = false
  @OptionGroup var rows: RowLimit
  @Argument(help: "The question file (- for standard input).") var file: String

  func validate() throws {
    if let chart, ChartChoice(rawValue: chart) == nil {
      throw ValidationError("--chart must be auto, bar, line or none, got “\(chart)”")
    }
  }

  func run() throws {
    let data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: file)
    guard let data else { throw CLIError(message: "cannot read the question file \(file)") }
    let lines = QuestionFile.lines(String(decoding: data, as: UTF8.self))
    let (engine, today) = try common.engine()
    var conversation: Conversation? = Conversation()
    var report = Report(engine: engine, today: today, file: file, limit: rows.limit)
    var printer = RunPrinter(format: format, chart: chart, ascii: ascii, screenRows: rows.screenRows(engine), limit: rows.limit)
    var failed = 0
    var asked = 0
    for line in lines {
      switch line {
      case .blank:
        printer.blank()
      case .comment(let text, let level):
        printer.comment(text)
        if let level { report.heading(text, level: level) }
      case .question(let q):
        let a = engine.ask(q, today: today, conversation: &conversation)
        asked += 1
        if !a.ok { failed += 1 }
        printer.answer(a)
        report.add(a)
      }
    }
    if format == .markdown { print(report.markdown) }
    for path in out {
      let text = path.lowercased().hasSuffix(".html") || path.lowercased().hasSuffix(".htm") ? report.html : report.markdown
      do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
        throw CLIError(message: "cannot write \(path): \(error.localizedDescription)")
      }
    }
    if failed > 0 {
      writeErr("\(failed) of \(asked) questions could not be answered.")
      throw ExitCode(2)
    }
  }
}

/// The lines of a question file.
enum QuestionFile {
  enum Line: Equatable {
    case blank
    /// A `#` comment; `level` is the heading level of `# X` (1), `## X` (2) … up to 5, nil
    /// for other comments (`#x`, `#`).
    case comment(String, level: Int?)
    case question(String)
  }

  static func lines(_ text: String) -> [Line] {
    var out: [Line] = []
    var body = Substring(text)
    if body.hasPrefix("\u{FEFF}") { body = body.dropFirst() }
    for raw in body.split(separator: "\n", omittingEmptySubsequences: false) {
      let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
      if line.isEmpty {
        out.append(.blank)
      } else if line.hasPrefix("#") {
        let hashes = line.prefix { $0 == "#" }.count
        let rest = line.dropFirst(hashes)
        let isHeading = hashes <= 5 && rest.hasPrefix(" ") && !rest.trimmingCharacters(in: .whitespaces).isEmpty
        out.append(.comment(line, level: isHeading ? hashes : nil))
      } else {
        out.append(.question(line))
      }
    }
    // The newline that ends the file is not a blank line of its own.
    if out.last == .blank { out.removeLast() }
    return out
  }
}

/// What `run` prints on stdout, question by question.
struct RunPrinter {
  var format: OutputFormat
  var chart: String?
  var ascii: Bool
  /// Rows on screen (nil: all) and in CSV and JSON (nil: all).
  var screenRows: Int?
  var limit: Int?
  /// Whether the last line printed was blank (blank lines never pile up).
  private var lastBlank = true

  init(format: OutputFormat, chart: String?, ascii: Bool, screenRows: Int?, limit: Int?) {
    self.format = format
    self.chart = chart
    self.ascii = ascii
    self.screenRows = screenRows
    self.limit = limit
  }

  mutating func blank() {
    guard format == .table || format == .csv, !lastBlank else { return }
    print("")
    lastBlank = true
  }

  mutating func comment(_ text: String) {
    guard format == .table || format == .csv else { return }
    print(text)
    lastBlank = false
  }

  mutating func answer(_ a: Answer) {
    switch format {
    case .markdown:
      return
    case .json:
      print(AnswerJSON.encode(a, limit: limit))
    case .table, .csv:
      print("» " + a.question)
      let (out, err) = renderAnswer(a, format: format, chart: chart, ascii: ascii, screenRows: screenRows, limit: limit)
      if !out.isEmpty { print(out) }
      if let err { print(err) }
      print("")
      lastBlank = true
    }
  }
}

/// The report of `--out`: title, date and database, then headings and answers in file order,
/// as Markdown (`report.md`) or as a self-contained HTML page (`report.html`: charts as inline
/// SVG). A `# Title` before the first question is the report's title; other headings keep
/// their level, and each question is a heading one level below the section it is in.
struct Report {
  let engine: Engine
  let today: Day
  let file: String
  /// Rows of each table (nil: all).
  let limit: Int?
  private var title: String?
  private enum Entry {
    case heading(String, level: Int)
    case answer(Answer, level: Int)
  }
  private var entries: [Entry] = []
  private var languages: [Language: Int] = [:]
  /// Level of the last heading written (questions go one below it).
  private var sectionLevel = 1

  init(engine: Engine, today: Day, file: String, limit: Int? = nil) {
    self.engine = engine
    self.today = today
    self.file = file
    self.limit = limit
  }

  mutating func heading(_ text: String, level: Int) {
    let words = text.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)
    if level == 1 && title == nil && entries.isEmpty {
      title = words
      return
    }
    entries.append(.heading(words, level: level))
    sectionLevel = level
  }

  mutating func add(_ a: Answer) {
    languages[a.language, default: 0] += 1
    entries.append(.answer(a, level: min(sectionLevel + 1, 6)))
  }

  /// The report's own words follow the questions (mostly Chinese → Chinese).
  private var zh: Bool { languages[.zh, default: 0] >= languages[.en, default: 0] }

  /// The title and the facts under it (date, database, questions), in the report's language.
  private var head: (title: String, facts: [(label: String, value: String, code: String, after: String)]) {
    let c = engine.database.cube
    let customers = engine.customerCount
    let orders = engine.orderCount
    let range = c.dateRange.map { "\($0.start.iso) … \($0.end.iso)" } ?? "—"
    let name = file == "-" ? (zh ? "标准输入" : "standard input") : (file as NSString).lastPathComponent
    let count = languages.values.reduce(0, +)
    if zh {
      return (
        title ?? "问数报告：\(name)",
        [
          ("日期：", today.iso, "", ""),
          ("数据库：", "", engine.database.path, "（\(customers) 位客户，\(orders) 笔订单，\(range)）"),
          ("问题：", "", name, "，\(count) 个"),
        ]
      )
    }
    return (
      title ?? "Wenshu report: \(name)",
      [
        ("Date: ", today.iso, "", ""),
        ("Database: ", "", engine.database.path, " (\(customers) customers, \(orders) orders, \(range))"),
        ("Questions: ", "", name, ", \(count)"),
      ]
    )
  }

  /// The Markdown report.
  var markdown: String {
    let (title, facts) = head
    var lines = ["# " + title, ""]
    for f in facts { lines.append("- " + f.label + f.value + (f.code.isEmpty ? "" : "`\(f.code)`") + f.after) }
    for e in entries {
      switch e {
      case .heading(let words, let level):
        lines.append("\n" + String(repeating: "#", count: level) + " " + words)
      case .answer(let a, let level):
        lines.append("\n" + String(repeating: "#", count: level) + " " + a.question)
        lines.append("\n" + renderAnswer(a, format: .markdown, chart: "none", ascii: false, limit: limit).out)
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// The HTML report: one self-contained page.
  var html: String {
    let (title, facts) = head
    let esc = HTMLRenderer.escape
    var body = "<h1>" + esc(title) + "</h1>\n<ul class=\"facts\">\n"
    for f in facts {
      body += "<li>" + esc(f.label + f.value) + (f.code.isEmpty ? "" : "<code>" + esc(f.code) + "</code>") + esc(f.after) + "</li>\n"
    }
    body += "</ul>\n"
    for e in entries {
      switch e {
      case .heading(let words, let level):
        body += "<h\(level)>" + esc(words) + "</h\(level)>\n"
      case .answer(let a, let level):
        body += "<section class=\"answer\">\n<h\(level)>" + esc(a.question) + "</h\(level)>\n"
        if let t = a.table, let p = a.planned {
          body += "<p class=\"interpretation\">" + esc(p.interpretation) + "</p>\n"
          var o = RenderOptions(language: a.language, maxRows: limit)
          o.moreRowsHint = RowLimit.Hint.options.text(a.language)
          body += HTMLRenderer.render(t, o)
        } else {
          body += "<blockquote class=\"refusal\">" + esc(a.refusal?.message ?? "?")
          if let s = a.refusal?.suggestions, !s.isEmpty {
            body += "<br>" + esc((a.language == .zh ? "可以这样问：" : "Try: ") + s.joined(separator: a.language == .zh ? "；" : "; "))
          }
          body += "</blockquote>\n"
        }
        body += "</section>\n"
      }
    }
    return HTMLRenderer.page(title: title, language: zh ? .zh : .en, body: body)
  }
}
