// `wenshu serve --stdio`: JSON Lines for bots, one answer per input line, with a conversation.

import ArgumentParser
import CubeSQLite
import Engine
import Foundation
import LineEditing
import Planning
import QueryModel
import Rendering

struct Serve: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Answer questions from stdin as JSON Lines (one JSON object per input line).")

  @OptionGroup var common: CommonOptions
  @Flag(help: "Read questions from standard input.") var stdio = false

  func run() throws {
    let (engine, today) = try common.engine()
    try Serve.loop(engine, today: today)
  }

  static func loop(_ engine: Engine, today: Day) throws {
    var conversation: Conversation? = Conversation()
    while let line = readLine(strippingNewline: true) {
      var q = line
      var id: String?
      var day = today
      if line.hasPrefix("{") {
        if let obj = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] {
          if let i = obj["id"] {
            if let s = i as? String { id = AnswerJSON.string(s) } else if let n = i as? NSNumber { id = n.stringValue }
          }
          q = obj["question"] as? String ?? ""
          if let t = obj["today"] as? String, let d = Day(iso: t) { day = d }
        } else {
          let a = Answer(question: String(line.prefix(200)), language: .en, planned: nil, table: nil,
                         refusal: Refusal("malformed JSON line: expected {\"id\": …, \"question\": …}"))
          print(AnswerJSON.encode(a))
          fflush(nil)
          continue
        }
      }
      let a = engine.ask(q, today: day, conversation: &conversation)
      print(AnswerJSON.encode(a, id: id))
      fflush(nil)
    }
  }
}
