// `wenshu ask`: one question, one answer.

import ArgumentParser
import CubeSQLite
import Engine
import Foundation
import LineEditing
import Planning
import QueryModel
import Rendering

struct Ask: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Answer one question.")

  @OptionGroup var common: CommonOptions
  @Option(help: "Output format: table, json, csv or markdown.") var format: OutputFormat = .table
  @Option(help: "Chart: auto, bar, line or none.") var chart: String?
  @Flag(help: "Draw with plain ASCII characters.") var ascii = false
  @Flag(help: "Print the plan instead of running it.") var explain = false
  @Flag(help: "Also print the plan as SQL, runnable in the sqlite3 shell.") var sql = false
  @OptionGroup var rows: RowLimit
  @Argument(help: "The question, e.g. 上月复购率是多少") var question: [String]

  func run() throws {
    let (engine, today) = try common.engine()
    let q = question.joined(separator: " ")
    if explain {
      try Explain.print(engine, q, today: today, json: format == .json)
      return
    }
    let a = engine.ask(q, today: today)
    let (out, err) = renderAnswer(
      a, format: format, chart: chart, ascii: ascii, screenRows: rows.screenRows(engine), limit: rows.limit)
    if !out.isEmpty { print(out) }
    if sql, let p = a.planned {
      switch engine.sql(for: p) {
      case .success(let s): print("\n-- SQL\n" + s)
      case .failure(let r): print("\n-- no SQL: " + r.message)
      }
    }
    if let err { writeErr(err) }
    if !a.ok { throw ExitCode(2) }
  }
}
