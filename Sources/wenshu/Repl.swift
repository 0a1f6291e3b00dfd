// `wenshu` / `wenshu repl`: interactive questions. Owns the REPL: the start-up line, the
// `:` commands (:help with examples drawn from the loaded data, :schema, :explain, :sql, :today,
// :format, :chart, :ascii, :limit, :reset, :quit), the conversation for follow-ups, and the completion
// words handed to the line editor. With stdin not a terminal it is the bot pipe (Serve.loop).

import ArgumentParser
import CubeSQLite
import Engine
import Foundation
import LineEditing
import Planning
import QueryModel
import Rendering

struct Repl: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Ask questions interactively (the default); with stdin not a terminal, the same as `serve --stdio`.")

  @OptionGroup var common: CommonOptions
  @Option(help: "Output format: table, json, csv or markdown.") var format: OutputFormat = .table
  @Option(help: "Chart: auto, bar, line or none.") var chart: String?
  @Flag(help: "Draw with plain ASCII characters.") var ascii = false

  func validate() throws {
    if let chart, ChartChoice(rawValue: chart) == nil {
      throw ValidationError("--chart must be auto, bar, line or none, got “\(chart)”")
    }
  }

  func run() throws {
    let (engine, today) = try common.engine()
    if isatty(STDIN_FILENO) == 0 {
      Serve.loop(engine, today: today)
      return
    }
    var session = ReplSession(engine: engine, today: today, format: format, chart: chart ?? "auto", ascii: ascii)
    print("问数 Wenshu — " + engine.summary(.zh))
    print("输入问题，例如「上月复购率是多少」或 “top 10 customers by spend”；Tab 补全，:help 帮助，:quit 或 Ctrl-D 退出。")
    let home = ProcessInfo.processInfo.environment["HOME"] ?? "."
    var reader: LineReader = ReadlineReader(historyPath: home + "/.wenshu_history", words: ReplSession.completionWords(engine))
    while let line = reader.read(prompt: "问数> ") {
      let q = line.trimmingCharacters(in: .whitespaces)
      if q.isEmpty { continue }
      reader.remember(q)
      if !session.handle(q) { return }
    }
    print("")
  }
}

/// The state of one interactive session and what each line does.
struct ReplSession {
  let engine: Engine
  var today: Day
  var format: OutputFormat
  var chart: String
  var ascii: Bool
  var conversation: Conversation? = Conversation()
  /// The last question answered or refused, for :explain and :sql.
  var last: Answer?
  /// `:limit N` (rows on screen and in CSV/JSON), `:limit all`, or nil for the default cut.
  var limit: Int?
  var showAll = false

  static let commands = [
    ":help", ":schema", ":explain", ":sql [full]", ":today [YYYY-MM-DD]", ":format table|json|csv|markdown",
    ":chart auto|bar|line|none", ":ascii on|off", ":limit N|all", ":model", ":reset", ":quit",
  ]

  init(engine: Engine, today: Day, format: OutputFormat, chart: String, ascii: Bool) {
    self.engine = engine
    self.today = today
    self.format = format
    self.chart = chart
    self.ascii = ascii
  }

  /// Handles one line (a question or a command); false when the session ends.
  mutating func handle(_ line: String) -> Bool {
    var text = line
    // A full-width colon from a Chinese input method is a command too.
    if text.hasPrefix("：") { text = ":" + text.dropFirst() }
    // A bare number picks one of the other readings offered for the last question.
    if let n = Int(text), let alts = last?.planned?.alternatives, n >= 1, n <= alts.count, let q = last?.question {
      let a = engine.run(alts[n - 1], question: q)
      last = a
      let (out, err) = render(a)
      if !out.isEmpty { print(out) }
      if let err { print(err) }
      print("")
      return true
    }
    guard text.hasPrefix(":") else {
      ask(text)
      return true
    }
    let parts = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    let name = parts[0].lowercased()
    let arg = parts.count > 1 ? parts[1].lowercased() : nil
    switch name {
    case ":quit", ":q", ":exit":
      return false
    case ":help", ":h", ":?":
      print(help())
    case ":schema":
      print(Schema.report(engine, today: today))
    case ":explain":
      print(explain())
    case ":sql":
      SQLText.page(sql(full: arg == "full"))
    case ":today":
      setToday(arg)
    case ":format":
      guard let arg else { print("格式 format: \(format.rawValue)"); break }
      guard let f = OutputFormat(rawValue: arg) else {
        print("格式只能是 format must be: table, json, csv, markdown")
        break
      }
      format = f
      print("格式 format: \(f.rawValue)")
    case ":chart":
      guard let arg else { print("图表 chart: \(chart)"); break }
      guard ChartChoice(rawValue: arg) != nil else {
        print("图表只能是 chart must be: auto, bar, line, none")
        break
      }
      chart = arg
      print("图表 chart: \(arg)")
    case ":ascii":
      switch arg {
      case nil: break
      case "on": ascii = true
      case "off": ascii = false
      default:
        print("用法 usage: :ascii on|off")
        return true
      }
      print("ASCII: \(ascii ? "on" : "off")")
    case ":limit":
      setLimit(arg)
    case ":model":
      do {
        guard engine.choice.kind == .cube else { throw CLIError(message: Engine.modelNeedsCube) }
        print(Model.describe(try engine.executor.model(calibrationEnd: today)))
      } catch {
        print("无法拟合客户模型 Cannot fit the customer models: \(error)")
      }
    case ":reset":
      conversation = Conversation()
      last = nil
      print("已重新开始对话（追问不再沿用上一个问题）。Conversation forgotten.")
    default:
      print("未知命令 Unknown command \(parts[0])。可用命令 Commands: " + ReplSession.commands.joined(separator: "  "))
    }
    return true
  }

  mutating func ask(_ q: String) {
    let a = engine.ask(q, today: today, conversation: &conversation)
    last = a
    let (out, err) = render(a)
    if !out.isEmpty { print(out) }
    if let err { print(err) }
    if let alts = a.planned?.alternatives, !alts.isEmpty {
      print(a.language == .zh ? "另有理解（输入编号改用）：" : "Other readings (type the number to use one):")
      for (i, alt) in alts.enumerated() { print("  \(i + 1)) \(alt.interpretation)") }
    }
    print("")
  }

  /// An answer as this session shows it: its format, chart, glyphs and row limit.
  func render(_ a: Answer) -> (out: String, err: String?) {
    let screenRows = limit ?? (showAll ? nil : RowLimit.defaultScreenRows(engine))
    return renderAnswer(a, format: format, chart: chart, ascii: ascii, screenRows: screenRows, limit: limit, hint: .repl)
  }

  mutating func setLimit(_ arg: String?) {
    switch arg {
    case nil:
      break
    case "all":
      limit = nil
      showAll = true
    case "default", "off":
      limit = nil
      showAll = false
    default:
      guard let n = arg.flatMap({ Int($0) }), n >= 1 else {
        print("用法 usage: :limit N（正整数 a positive whole number）| :limit all | :limit default")
        return
      }
      limit = n
      showAll = false
    }
    let rows = limit.map(String.init) ?? (showAll ? "all" : "\(RowLimit.defaultScreenRows(engine))（默认 default）")
    print("行数 rows: \(rows)")
  }

  mutating func setToday(_ arg: String?) {
    guard let arg else {
      print("今天 today: \(today.iso)")
      return
    }
    guard let d = Day(iso: arg) else {
      print("日期要写成 YYYY-MM-DD，例如 :today 2026-11-22")
      return
    }
    today = d
    print("今天 today: \(d.iso)（上月、本周等从这一天算起）")
  }

  func explain() -> String {
    guard let a = last else { return "还没有问题。Ask a question first, then :explain." }
    guard let p = a.planned else {
      return "「\(a.question)」没有回答：" + (a.refusal?.message ?? "?")
    }
    return [p.interpretation, p.plan.description, AnswerJSON.plan(p.plan)].joined(separator: "\n")
  }

  /// The last plan's SQL laid out one clause per line; the long data-reading expressions
  /// shortened unless `full`.
  func sql(full: Bool = false) -> String {
    guard let p = last?.planned else { return "还没有可以查看的计划。Ask a question first, then :sql." }
    return SQLText.layout(ReplSession.sqlText(engine, p.plan, p.language), full: full, zh: p.language == .zh)
  }

  /// The last plan as SQL (or why it has none).
  static func sqlText(_ engine: Engine, _ plan: Plan, _ language: Language) -> String {
    switch engine.sql(for: plan, language: language) {
    case .success(let s): return s
    case .failure(let r): return "-- " + r.message
    }
  }

  /// Examples the loaded data can answer, in both languages, with its own values.
  func help() -> String {
    let dims = engine.catalog.dimensions
    let cube = engine.database.cube
    func value(_ d: DimensionID) -> String? {
      guard dims.contains(d) else { return nil }
      let vs = cube.values(of: d).filter { !$0.isEmpty }
      return vs.sorted().first
    }
    var zh = ["上月销售额是多少", "今年每月的新客数", "上月复购率", "上月高复购客户有哪些", "RFM各分群的客户数", "有流失风险的客户有哪些"]
    var en = ["sales last month", "new customers per month this year", "top 10 customers by spend", "churn rate"]
    if let r = value(.region) {
      zh.append("上月各地区的复购率")
      zh.append("那\(r)呢（追问）")
      en.append("repeat purchase rate by region last month")
      en.append("what about \(r)? (a follow-up)")
    }
    if dims.contains(.channel) {
      zh.append("今年各渠道的销售额占比")
      en.append("sales by channel this year")
    }
    if dims.contains(.memberLevel) {
      let levels = cube.values(of: .memberLevel).filter { !$0.isEmpty }.sorted()
      if let m = levels.first(where: { !$0.hasSuffix("会员") }) ?? levels.first {
        zh.append(m + (m.hasSuffix("会员") ? "" : "会员") + "上月的客单价")
      }
    }
    if dims.contains(.category) {
      zh.append("今年销售额前5的品类")
      en.append("top 5 categories by sales this year")
    }
    if dims.contains(.city) {
      en.append("top 5 cities by sales this year")
    }
    if engine.catalog.hasFeedback {
      zh.append("上月差评的主要问题")
      zh.append("今年每月的NPS")
      en.append("NPS this year")
    }
    var out = ["问题类型 Question kinds:"]
    out += ReplSession.questionKinds.map { "  " + $0.kind + "：" + $0.zh + " · " + $0.en }
    out.append("可以这样问：")
    out += zh.map { "  " + $0 }
    out.append("You can ask:")
    out += en.map { "  " + $0 }
    out.append("图表：在问题里说「用柱状图」「用折线图」，或 :chart bar|line。Charts: say “as a bar chart”, or :chart.")
    out.append("命令 Commands:")
    out += [
      "  :help                          这份帮助 this help",
      "  :schema                        载入了什么 what is loaded",
      "  :explain                       上一个问题的计划 the last plan",
      "  :sql [full]                    上一个问题的 SQL，逐句分行（full：不省略）the last plan's SQL",
      "  :today [YYYY-MM-DD]            查看或修改今天 show or change today (\(today.iso))",
      "  :format table|json|csv|markdown 输出格式 output format (\(format.rawValue))",
      "  :chart auto|bar|line|none      图表 chart (\(chart))",
      "  :ascii on|off                  纯 ASCII 字符 plain ASCII (\(ascii ? "on" : "off"))",
      "  :limit N|all|default           显示行数 rows shown (\(limit.map(String.init) ?? (showAll ? "all" : "default")))",
      "  :reset                         忘掉对话 forget the conversation",
      "  :quit                          退出 leave (Ctrl-D)",
    ]
    return out.joined(separator: "\n")
  }

  /// The kinds of question Wenshu answers, each with an example in both languages.
  static let questionKinds: [(kind: String, zh: String, en: String)] = [
    ("一个数 figure", "上月销售额 / 本月复购率", "sales last month"),
    ("分组 breakdown", "上月各地区的复购率", "repeat purchase rate by region last month"),
    ("趋势 series", "今年每月的新客数 / 本月每天的销售额", "new customers per month this year"),
    ("排名 ranking", "今年销售额前5的品类", "top 10 customers by spend"),
    ("占比 share", "今年各渠道的销售额占比", "share of sales by channel"),
    ("对比 comparison", "本月销售额环比 / 今年销售额同比", "sales this month vs last month"),
    ("客户名单 list", "上月高复购客户有哪些", "list the repeat customers last month"),
    ("留存 cohorts", "2025年1月首购客户的次月留存率", "cohort retention this year"),
    ("RFM 分群 segments", "RFM各分群的客户数", "customers by RFM segment"),
    ("流失 churn", "流失率 / 有流失风险的客户有哪些", "churn rate by region"),
    ("预测 model", "预计购买次数 / 客户生命周期价值", "expected purchases next year"),
    ("评价 feedback", "上月差评的主要问题 / 今年每月的NPS", "NPS this year"),
  ]

  /// Completion words: whole phrases of metrics, dimensions, segments and data values first.
  static func completionWords(_ engine: Engine) -> CompletionWords {
    var preferred: [String] = []
    var others: [String] = []
    for (phrase, rule) in engine.vocabulary.lexicon.phrases {
      let kind = rule.split(separator: " ").first.map(String.init) ?? ""
      switch kind {
      case "metric", "dimension", "data", "segment", "alias", "entity": preferred.append(phrase)
      case "filler", "": continue
      default: others.append(phrase)
      }
    }
    return CompletionWords(preferred: preferred, others: others)
  }
}
