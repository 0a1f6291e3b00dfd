// The façade: the only module that knows every stage. It loads the grammar and the data,
// and answers a question by understanding → planning → execution, returning an `Answer`
// that the command line renders. Nothing below reads the clock: today is passed in.
// Execution is asked of the Engine's `answers` (AnswerSource.swift): the cube, or SQL pushed
// down to a PostgreSQL server; which one and why is `choice`.

import CubeSQLite
import DemoData
import Execution
import Foundation
import Grammar
import Planning
import PostgresIO
import SQLCompiler
import QueryModel
import Understanding

/// One answered (or refused) question.
public struct Answer: Sendable {
  public var question: String
  public var language: Language
  public var planned: PlannedQuestion?
  public var table: ResultTable?
  public var refusal: Refusal?
  /// How the answer's period sits against the data (CoverageNotes).
  public var coverage: Coverage?
  public var ok: Bool { table != nil }

  public init(question: String, language: Language, planned: PlannedQuestion?, table: ResultTable?, refusal: Refusal?) {
    self.question = question
    self.language = language
    self.planned = planned
    self.table = table
    self.refusal = refusal
  }
}

public final class Engine: @unchecked Sendable {
  public let grammar: GrammarSet
  public private(set) var vocabulary: Vocabulary
  public let parser: QuestionParser
  public let planner: Planner
  /// The executor over the cube (under pushdown the cube holds the data's facts only).
  public let executor: Executor
  /// Where answers come from: the executor, or SQL run on the server.
  public let answers: AnswerSource
  /// The engine answering and why.
  public let choice: EngineChoice
  /// Rows per table where the data lives (a server's counts under pushdown).
  public let rowCounts: [String: Int]
  public let database: LoadedDatabase
  public let catalog: Catalog
  /// The phrases a refusal may offer in place of an unknown word, by length (built once).
  let suggestionPhrases: [Int: [(String, [Unicode.Scalar])]]
  /// The natural order of dimension values (grammars/config/order.rules).
  public let order: DimensionOrder

  /// Largest orders table the automatic choice reads into memory (engine cube); larger ones are
  /// answered by the server (engine pushdown).
  public static let cubeOrderLimit = 50_000_000

  /// Loads the grammar (from `grammars`, or found beside the binary or the package) and the
  /// database (the built-in demo when `database` is nil). `engine` chooses how a PostgreSQL
  /// database is answered (nil: cube when its orders fit in memory, else pushdown); files
  /// and the demo are always answered by the cube.
  public init(database path: String?, grammars: String? = nil, mapping: String? = nil, today: Day,
              engine requested: EngineKind? = nil, statementTimeout: Int = 300) throws {
    guard let dir = GrammarSet.locate(explicit: grammars) else {
      throw Refusal("grammar files not found: put grammars/ next to the wenshu binary, or pass --grammars DIR")
    }
    grammar = try GrammarSet(directory: dir)
    order = try DimensionOrder(grammar: grammar)
    var vocab = try Vocabulary(grammar: grammar)
    var choice = EngineChoice(kind: .cube, reason: "")
    var pool: PostgresPool?
    var columnTypes: [String: [String: String]] = [:]
    if let url = path, PostgresURL.looksLikeURL(url) {
      // A PostgreSQL server: its tables read into the in-memory cube, or only their facts
      // with the answers computed on the server (PostgresIO).
      let load = try PostgresCubeLoader.load(url: url, mappingFile: mapping, statementTimeout: statementTimeout) { m, counts in
        choice = Engine.choose(requested, orders: counts[m.orders.table] ?? 0)
        return choice.kind == .cube ? .all : .facts
      }
      database = load.database
      rowCounts = load.rowCounts
      columnTypes = load.columnTypes
      if choice.kind == .pushdown { pool = try PostgresPool(url: url, statementTimeout: statementTimeout) }
    } else {
      if requested == .pushdown {
        throw Refusal("--engine pushdown runs each question's SQL on a PostgreSQL server: give --db postgresql://user@host/db (a SQLite file or the demo is answered by the cube).")
      }
      let dbPath = try path ?? DemoDatabase.cachedDemo(today: today)
      database = try CubeLoader.load(path: dbPath, mappingFile: mapping)
      rowCounts = Dictionary(database.schema.tables.map { ($0.name, $0.rowCount) }, uniquingKeysWith: { a, _ in a })
      choice.reason = "the data is read into memory"
    }
    self.choice = choice
    let cube = database.cube
    var values: [DimensionID: [String]] = [:]
    for d in DimensionID.allCases where ![.customer, .segment, .topic].contains(d) {
      let vs = cube.values(of: d)
      if !vs.isEmpty && vs.count <= 50_000 { values[d] = vs }
    }
    vocab.addDataValues(values)
    vocabulary = vocab
    parser = QuestionParser(vocabulary: vocab)
    planner = Planner(thresholds: try Planner.thresholds(grammar))
    suggestionPhrases = Engine.suggestionIndex(vocab.lexicon.phrases)
    executor = Executor(cube: cube, topics: vocab.topics)
    executor.analysisGrammar = vocab.analysis
    if let pool {
      var compiler = Engine.compiler(database.mapping, vocab, dialect: .postgres)
      compiler.schema = PushdownAnswers.schema(postgresTypes: columnTypes)
      answers = PushdownAnswers(layout: executor, compiler: compiler, pool: pool)
    } else {
      answers = executor
    }
    var catalog = Catalog(dimensions: cube.availableDimensions, hasFeedback: cube.feedback != nil, hasItems: cube.items != nil,
                          hasCustomerTable: cube.customers.tableRowCount > 0, dataRange: cube.dateRange)
    catalog.hasEvents = cube.events != nil
    self.catalog = catalog
  }

  /// Longest question accepted (longer input is refused at once, never scanned).
  public static let maxQuestionLength = 2000

  /// Understands and plans without running; with a conversation, follow-ups change the
  /// previous question.
  public func plan(_ question: String, today: Day, conversation: Conversation? = nil) -> (PlannedQuestion?, Refusal?, Language, Reading?) {
    let trimmed = question.trimmingCharacters(in: .whitespacesAndNewlines)
    let lang: Language = trimmed.unicodeScalars.contains { $0.value >= 0x3400 && $0.value <= 0x9FFF } ? .zh : .en
    if trimmed.isEmpty {
      return (nil, Refusal(lang == .zh ? "问题是空的。" : "The question is empty.", suggestions: planner.examples(lang)), lang, nil)
    }
    if trimmed.unicodeScalars.count > Engine.maxQuestionLength {
      return (nil, Refusal(lang == .zh ? "问题太长（超过 \(Engine.maxQuestionLength) 个字符），请只问一个问题。"
        : "The question is too long (over \(Engine.maxQuestionLength) characters); ask one question at a time."), lang, nil)
    }
    let alone = parser.read(trimmed)
    var reading = alone
    if let conversation { reading = conversation.resolve(alone) }
    do {
      do {
        return (try planner.plan(reading, today: today, catalog: catalog), nil, reading.language, reading)
      } catch where reading.followUp && !alone.followUp {
        // Read as a change of the previous question without being said as one, a question that
        // cannot change it (RFM segments after a cohort table) is answered on its own when it can be.
        guard let own = try? planner.plan(alone, today: today, catalog: catalog) else { throw error }
        return (own, nil, alone.language, alone)
      }
    } catch var r as Refusal {
      if !r.words.isEmpty || !r.uncombined.isEmpty {
        // Whole questions that plan, the unknown word replaced or left out.
        let better = rewrites(of: trimmed, unknown: r.words, uncombined: r.uncombined, today: today)
        if let first = better.first {
          r.message += reading.language == .zh ? " 您是不是想问：\(first)" : " Did you mean: \(first)"
        }
        r.suggestions = better + r.suggestions.filter { !better.contains($0) }
      }
      return (nil, r, reading.language, reading)
    } catch {
      return (nil, Refusal(String(describing: error)), reading.language, reading)
    }
  }

  /// Answers a question on its own.
  public func ask(_ question: String, today: Day) -> Answer {
    var c: Conversation?
    return ask(question, today: today, conversation: &c)
  }

  /// Answers a question in a conversation (nil: on its own), remembering it when answered.
  public func ask(_ question: String, today: Day, conversation: inout Conversation?) -> Answer {
    let (planned, refusal, lang, reading) = plan(question, today: today, conversation: conversation)
    guard let planned else { return Answer(question: question, language: lang, planned: nil, table: nil, refusal: refusal) }
    do {
      var table = try answers.table(planned.tree, language: planned.language)
      var understood = planned
      if planned.plan.metrics.contains(where: \.isModel) || planned.plan.list == .churnRisk, let model = table.notes.first {
        // The interpretation names the model and its fitted parameters.
        understood.interpretation += " · " + model
        table.notes.removeFirst()
      }
      let coverage = finish(&table, &understood)
      if let reading { conversation?.remember(reading) }
      var answer = Answer(question: question, language: lang, planned: understood, table: table, refusal: nil)
      answer.coverage = coverage
      return answer
    } catch let e as ExecutionError {
      return Answer(question: question, language: lang, planned: planned, table: nil, refusal: Refusal(e.message))
    } catch let r as Refusal {
      return Answer(question: question, language: lang, planned: planned, table: nil, refusal: r)
    } catch {
      return Answer(question: question, language: lang, planned: planned, table: nil, refusal: Refusal(String(describing: error)))
    }
  }

  /// Runs a plan already understood (an alternative reading the user chose).
  public func run(_ planned: PlannedQuestion, question: String) -> Answer {
    do {
      var table = try answers.table(planned.tree, language: planned.language)
      var understood = planned
      let coverage = finish(&table, &understood)
      var answer = Answer(question: question, language: planned.language, planned: understood, table: table, refusal: nil)
      answer.coverage = coverage
      return answer
    } catch {
      return Answer(question: question, language: planned.language, planned: planned, table: nil,
                    refusal: (error as? Refusal) ?? Refusal((error as? ExecutionError)?.message ?? String(describing: error)))
    }
  }

  /// The plan as one SQL statement, runnable in the sqlite3 shell against the same database
  /// (values written as quoted literals), or why it has none (model-based figures).
  /// The SQL compiler for this database's mapping, topics and event steps.
  var sqlCompiler: SQLCompiler { Engine.compiler(database.mapping, vocabulary, dialect: .sqlite) }

  static func compiler(_ mapping: DataMapping, _ vocabulary: Vocabulary, dialect: SQLDialect) -> SQLCompiler {
    var c = SQLCompiler(mapping: mapping, dialect: dialect, topics: vocabulary.topics)
    c.eventSteps = vocabulary.analysis.eventSteps
    return c
  }

  /// The engine for a PostgreSQL database whose orders table has `orders` rows.
  public static func choose(_ requested: EngineKind?, orders: Int) -> EngineChoice {
    switch requested {
    case .cube?: return EngineChoice(kind: .cube, reason: "asked for (--engine cube)")
    case .pushdown?: return EngineChoice(kind: .pushdown, reason: "asked for (--engine pushdown)")
    case nil:
      return orders <= cubeOrderLimit
        ? EngineChoice(kind: .cube, reason: "\(orders) orders fit in memory (at most \(cubeOrderLimit); --engine pushdown answers on the server)")
        : EngineChoice(kind: .pushdown, reason: "\(orders) orders are more than \(cubeOrderLimit) read into memory (--engine cube loads them anyway)")
    }
  }

  /// Rows of a table where the data lives (0 for nil or an unknown table).
  public func tableRows(_ table: String?) -> Int { table.flatMap { rowCounts[$0] } ?? 0 }

  /// Orders and customers where the data lives (the server's counts under pushdown).
  public var orderCount: Int {
    choice.kind == .cube ? database.cube.orders.count : tableRows(database.mapping.orders.table)
  }
  public var customerCount: Int {
    if choice.kind == .cube {
      let c = database.cube.customers
      return c.tableRowCount > 0 ? c.tableRowCount : c.count
    }
    return tableRows(database.mapping.customers?.table)
  }

  public func sql(for planned: PlannedQuestion) -> Result<String, Refusal> {
    do {
      let compiler = sqlCompiler
      // The whole tree as one statement: each block a CTE, the nodes joining them.
      let compiled = try compiler.compile(planned.tree, language: planned.language)
      return .success(compiled.literalSQL)
    } catch {
      return .failure(Refusal(String(describing: error)))
    }
  }

  public func sql(for plan: Plan, language: Language) -> Result<String, Refusal> {
    do {
      let compiler = sqlCompiler
      let compiled = try compiler.compile(plan, language: language)
      return .success(compiled.literalSQL)
    } catch {
      return .failure(Refusal(String(describing: error)))
    }
  }

  /// One line about what is loaded (for the REPL's start).
  public func summary(_ lang: Language) -> String {
    let c = database.cube
    let range = c.dateRange.map { "\($0.start.iso) … \($0.end.iso)" } ?? "—"
    let secs = String(format: "%.2f", database.seconds)
    let how = choice.kind == .cube ? "" : (lang == .zh ? "（在服务器上计算）" : " (answered on the server)")
    return lang == .zh
      ? "已载入 \(database.path)\(how)：\(customerCount) 位客户，\(orderCount) 笔订单，\(range)，用时 \(secs) 秒"
      : "Loaded \(database.path)\(how): \(customerCount) customers, \(orderCount) orders, \(range), in \(secs) s"
  }
}
