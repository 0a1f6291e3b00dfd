// `wenshu explain`: the plan of a question, without running it.

import ArgumentParser
import CubeSQLite
import Engine
import Foundation
import LineEditing
import Planning
import QueryModel
import Rendering
import SQLCompiler

struct Explain: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Show how a question is understood (the plan), without running it.")

  @OptionGroup var common: CommonOptions
  @Option(help: "Output format: table (text) or json.") var format: OutputFormat = .table
  @Flag(help: "Print only the plan as one SQL statement, runnable in the sqlite3 shell (or the --dialect engine's).") var sql = false
  @Option(help: "With --sql: the SQL engine, sqlite, postgres, duckdb or spark (typed tables as `wenshu export` creates them from --db).")
  var dialect: SQLDialect = .sqlite
  @Flag(help: "Also print each token: what it was read as and the grammar rule (file:line) that matched it.") var tokens = false
  @Argument(help: "The question.") var question: [String]

  func run() throws {
    let (engine, today) = try common.engine()
    if tokens {
      for line in TokenListing.lines(engine, question.joined(separator: " "), today: today) { Swift.print(line) }
    }
    if sql {
      try Explain.printSQL(engine, question.joined(separator: " "), today: today, dialect: dialect)
      return
    }
    try Explain.print(engine, question.joined(separator: " "), today: today, json: format == .json)
  }

  /// Prints the SQL of a question alone on stdout; refusals and model figures go to stderr.
  static func printSQL(_ engine: Engine, _ q: String, today: Day, dialect: SQLDialect = .sqlite) throws {
    let (planned, refusal, _, _) = engine.plan(q, today: today)
    guard let p = planned else {
      writeErr(refusal?.message ?? "?")
      throw ExitCode(2)
    }
    if dialect != .sqlite {
      let compiler = try DialectSetup.compiler(engine, dialect)
      do {
        Swift.print(try compiler.compile(p.tree, language: p.language).literalSQL)
      } catch {
        writeErr(String(describing: error))
        throw ExitCode(2)
      }
      return
    }
    switch engine.sql(for: p) {
    case .success(let s): Swift.print(s)
    case .failure(let r):
      writeErr(r.message)
      throw ExitCode(2)
    }
  }

  static func print(_ engine: Engine, _ q: String, today: Day, json: Bool) throws {
    let (planned, refusal, lang, _) = engine.plan(q, today: today)
    let a = Answer(question: q, language: lang, planned: planned, table: nil, refusal: refusal)
    if json {
      Swift.print(AnswerJSON.encode(a))
    } else if let p = planned {
      Swift.print(p.interpretation)
      Swift.print(p.tree.explainTree.text)
    } else {
      writeErr(refusal?.message ?? "?")
    }
    if planned == nil { throw ExitCode(2) }
  }
}
