// `wenshu` / `wenshu repl`: interactive questions with line editing and a conversation.

import ArgumentParser
import CubeSQLite
import Engine
import Foundation
import LineEditing
import Planning
import QueryModel
import Rendering

struct Repl: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Ask questions interactively (the default).")

  @OptionGroup var common: CommonOptions
  @Flag(help: "Draw with plain ASCII characters.") var ascii = false

  func run() throws {
    let (engine, today) = try common.engine()
    if isatty(STDIN_FILENO) == 0 {
      try Serve.loop(engine, today: today)
      return
    }
    print("问数 Wenshu — " + engine.summary(.zh))
    print("输入问题，例如「上月复购率是多少」或 “top 10 customers by spend”；:help 查看帮助，:quit 退出。")
    let home = ProcessInfo.processInfo.environment["HOME"] ?? "."
    var reader: LineReader = ReadlineReader(historyPath: home + "/.wenshu_history")
    var format = OutputFormat.table
    var conversation: Conversation? = Conversation()
    while let line = reader.read(prompt: "问数> ") {
      let q = line.trimmingCharacters(in: .whitespaces)
      if q.isEmpty { continue }
      reader.remember(q)
      switch q {
      case ":quit", ":q", ":exit": return
      case ":help":
        print("例：上月销售额 · 今年各地区的复购率 · 上月高复购客户有哪些 · 流失率 · RFM各分群的客户数")
        print("e.g. sales last month · top 5 cities by sales this year · churn rate · new customers per month this year")
        print("命令: :help :format table|json|csv|markdown :today :quit")
        continue
      case ":today":
        print(today.iso)
        continue
      default:
        if q.hasPrefix(":format") {
          format = OutputFormat(rawValue: q.dropFirst(7).trimmingCharacters(in: .whitespaces)) ?? format
          continue
        }
      }
      let a = engine.ask(q, today: today, conversation: &conversation)
      let (out, err) = renderAnswer(a, format: format, chart: nil, ascii: ascii)
      if !out.isEmpty { print(out) }
      if let err { print(err) }
    }
  }
}
