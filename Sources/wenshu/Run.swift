// `wenshu run FILE`: a question file answered in order, optionally as a Markdown report.

import ArgumentParser
import CubeSQLite
import Engine
import Foundation
import LineEditing
import Planning
import QueryModel
import Rendering

struct Run: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Answer every question of a file (one per line, # comments).")

  @OptionGroup var common: CommonOptions
  @Option(help: "Write a Markdown report to this file.") var out: String?
  @Flag(help: "Draw with plain ASCII characters.") var ascii = false
  @Argument(help: "The question file.") var file: String

  func run() throws {
    guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
      throw CLIError(message: "cannot read the question file \(file)")
    }
    let (engine, today) = try common.engine()
    var failed = 0
    var report = "# Wenshu report (\(today.iso))\n\n"
    for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.isEmpty {
        print("")
        continue
      }
      if line.hasPrefix("#") {
        print(line)
        report += line.hasPrefix("##") ? line + "\n\n" : "\n"
        continue
      }
      let a = engine.ask(line, today: today)
      if !a.ok { failed += 1 }
      print("» " + line)
      let (o, err) = renderAnswer(a, format: .table, chart: nil, ascii: ascii)
      if !o.isEmpty { print(o) }
      if let err { print(err) }
      print("")
      let (md, _) = renderAnswer(a, format: .markdown, chart: nil, ascii: ascii)
      report += "### \(line)\n\n\(md)\n\n"
    }
    if let out {
      do { try report.write(toFile: out, atomically: true, encoding: .utf8) } catch {
        throw CLIError(message: "cannot write \(out): \(error.localizedDescription)")
      }
    }
    if failed > 0 { throw ExitCode(2) }
  }
}
