// The subcommands of wenshu.

import ArgumentParser
import CubeSQLite
import Engine
import Foundation
import LineEditing
import QueryModel
import Rendering

struct Ask: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Answer one question.")

  @OptionGroup var common: CommonOptions
  @Option(help: "Output format: table, json, csv or markdown.") var format: OutputFormat = .table
  @Option(help: "Chart: auto, bar, line or none.") var chart: String?
  @Flag(help: "Draw with plain ASCII characters.") var ascii = false
  @Flag(help: "Print the plan instead of running it.") var explain = false
  @Argument(help: "The question, e.g. 上月复购率是多少") var question: [String]

  func run() throws {
    let (engine, today) = try common.engine()
    let q = question.joined(separator: " ")
    if explain {
      try Explain.print(engine, q, today: today, json: format == .json)
      return
    }
    let a = engine.ask(q, today: today)
    let (out, err) = renderAnswer(a, format: format, chart: chart, ascii: ascii)
    if !out.isEmpty { print(out) }
    if let err { writeErr(err) }
    if !a.ok { throw ExitCode(2) }
  }
}

struct Explain: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Show how a question is understood (the plan), without running it.")

  @OptionGroup var common: CommonOptions
  @Option(help: "Output format: table (text) or json.") var format: OutputFormat = .table
  @Argument(help: "The question.") var question: [String]

  func run() throws {
    let (engine, today) = try common.engine()
    try Explain.print(engine, question.joined(separator: " "), today: today, json: format == .json)
  }

  static func print(_ engine: Engine, _ q: String, today: Day, json: Bool) throws {
    let (planned, refusal, lang) = engine.plan(q, today: today)
    let a = Answer(question: q, language: lang, planned: planned, table: nil, refusal: refusal)
    if json {
      Swift.print(AnswerJSON.encode(a))
    } else if let p = planned {
      Swift.print(p.interpretation)
      Swift.print(AnswerJSON.plan(p.plan))
    } else {
      writeErr(refusal?.message ?? "?")
    }
    if planned == nil { throw ExitCode(2) }
  }
}

struct Schema: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Show the model inferred from a database and its data quality.")

  @OptionGroup var common: CommonOptions
  @Option(help: "Write the inferred mapping to FILE, for editing and --mapping.") var writeMapping: String?

  func run() throws {
    let (engine, _) = try common.engine()
    let db = engine.database
    let c = db.cube
    print("Database: \(db.path)")
    for t in db.schema.tables {
      print("  table \(t.name): \(t.rowCount) rows — " + t.columns.map { "\($0.name) \($0.declaredType)" }.joined(separator: ", "))
    }
    print("\nInferred mapping:")
    print(db.mapping.text.split(separator: "\n").dropFirst().map { "  " + $0 }.joined(separator: "\n"))
    print("\nModel:")
    print("  customers: \(c.customers.tableRowCount) in the customer table, \(c.customers.count) ids in all")
    print("  orders: \(c.orders.count), dates \(c.dateRange.map { "\($0.start.iso) … \($0.end.iso)" } ?? "—")")
    if let i = c.items { print("  order items: \(i.count)") }
    if let f = c.feedback { print("  feedback: \(f.count)") }
    for d in c.availableDimensions.sorted(by: { $0.rawValue < $1.rawValue }) where ![.customer, .segment, .topic].contains(d) {
      let n = c.values(of: d).count
      print("  dimension \(d.rawValue): \(n == 0 ? "derived" : "\(n) values")")
    }
    print("\nData quality:")
    let nullAmounts = c.orders.amount.filter(\.isNaN).count
    let orphans = (0..<c.orders.count).filter { i in
      let k = c.orders.customer[i]
      return k < 0 || (c.customers.tableRowCount > 0 && !c.customers.inCustomerTable[Int(k)])
    }.count
    let badDates = c.orders.day.filter { $0 == Int32.min }.count
    let today = try common.todayDay()
    let future = c.orders.day.filter { $0 != Int32.min && $0 > today.raw }.count
    let negative = c.orders.amount.filter { !$0.isNaN && $0 < 0 }.count
    print("  orders with a NULL amount: \(nullAmounts)")
    print("  orders whose customer is missing from the customer table: \(c.customers.tableRowCount > 0 ? String(orphans) : "n/a (no customer table)")")
    print("  orders with an unparseable date: \(badDates)")
    print("  orders dated after today (\(today.iso)): \(future)")
    print("  orders with a negative amount: \(negative)")
    if let path = writeMapping {
      do {
        try db.mapping.text.write(toFile: path, atomically: true, encoding: .utf8)
        print("\nWrote the mapping to \(path)")
      } catch {
        throw CLIError(message: "cannot write \(path): \(error.localizedDescription)")
      }
    }
  }
}

struct Demo: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Write a realistic demo retail database of any size.")

  @Option(help: "Number of customers.") var customers = 6000
  @Option(help: "Number of orders.") var orders = 40000
  @Option(help: "Random seed.") var seed: UInt64 = 20261122
  @Option(help: "Last day of the data YYYY-MM-DD (default: yesterday).") var lastDay: String?
  @Option(help: "Output SQLite file.") var out: String

  func run() throws {
    let last: Day
    if let l = lastDay {
      guard let d = Day(iso: l) else { throw ValidationError("--last-day must be YYYY-MM-DD") }
      last = d
    } else {
      last = try CommonOptions.parse([]).todayDay() - 1
    }
    let t0 = Date()
    do {
      try DemoDatabase.write(DemoSpec(customers: customers, orders: orders, seed: seed, lastDay: last), to: out)
    } catch {
      throw CLIError(message: "cannot write \(out): \(error)")
    }
    print("Wrote \(out): \(customers) customers, \(orders) orders, ending \(last.iso), in \(String(format: "%.1f", Date().timeIntervalSince(t0))) s")
  }
}

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
      let a = engine.ask(q, today: today)
      let (out, err) = renderAnswer(a, format: format, chart: nil, ascii: ascii)
      if !out.isEmpty { print(out) }
      if let err { print(err) }
    }
  }
}

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

struct Serve: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Answer questions from stdin as JSON Lines (one JSON object per input line).")

  @OptionGroup var common: CommonOptions
  @Flag(help: "Read questions from standard input.") var stdio = false

  func run() throws {
    let (engine, today) = try common.engine()
    try Serve.loop(engine, today: today)
  }

  static func loop(_ engine: Engine, today: Day) throws {
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
      let a = engine.ask(q, today: day)
      print(AnswerJSON.encode(a, id: id))
      fflush(nil)
    }
  }
}
