// Loading the grammar into what understanding uses: the lexicon (vocabulary, question cues,
// feedback topic words), the normaliser's character folds, the time recognizer and the
// feedback topics. Unknown kinds and ids are grammar errors with file:line.

import Grammar
import QueryModel

public struct Vocabulary: Sendable {
  public var lexicon: Lexicon
  public var normalizer: Normalizer
  public var time: TimeRecognizer
  public var topics: [Topic]
  /// Other names of data values (east china → 华东), added when the value is in the data.
  public var aliases: [(DimensionID, String, [String])]
  public var settings: GrammarSet
  /// Names of all rules (for the lint that reports rules no example exercises).
  public var ruleNames: [String]
  /// The sentiment lexicon and the funnel steps of event-type values (Analysis.swift).
  public var analysis = AnalysisGrammar()

  public init(grammar: GrammarSet) throws {
    var lex = Lexicon()
    var folds: [Character: Character] = [:]
    var topics: [Topic] = []
    var names: [String] = []
    var aliases: [(DimensionID, String, [String])] = []
    var analysisGrammar = AnalysisGrammar()
    try Vocabulary.registerCatalog(grammar)
    for r in grammar.rules {
      let meaning: Meaning?
      switch r.kind {
      case "metric":
        guard let m = MetricID(rawValue: r.id) else {
          throw GrammarError(r.location, "unknown metric “\(r.id)”; metrics: \(MetricID.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        meaning = .metric(m)
      case "entity":
        guard r.id == "customer" else { throw GrammarError(r.location, "unknown entity “\(r.id)” (only customer)") }
        meaning = .entityCustomer
      case "dimension":
        guard let d = DimensionID(rawValue: r.id) else {
          throw GrammarError(r.location, "unknown dimension “\(r.id)”; dimensions: \(DimensionID.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        meaning = .dimension(d)
      case "segment":
        guard Segment(rawValue: r.id) != nil else {
          throw GrammarError(r.location, "unknown RFM segment “\(r.id)”; segments: \(Segment.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        meaning = .segment(r.id)
      case "measure", "unit":
        guard let m = CustomerCondition.Measure(rawValue: r.id) else {
          throw GrammarError(r.location, "unknown measure “\(r.id)” (orders, spend or amount)")
        }
        meaning = r.kind == "measure" ? .measure(m) : .unit(m)
      case "cue":
        guard let c = Cue(rawValue: r.id) else {
          throw GrammarError(r.location, "unknown cue “\(r.id)”; cues: \(Cue.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        meaning = .cue(c)
      case "chart":
        guard ["bar", "line"].contains(r.id) else { throw GrammarError(r.location, "unknown chart “\(r.id)” (bar or line)") }
        meaning = .chart(r.id)
      case "cond":
        let ops: [String: CustomerCondition.Op] = ["ge": .ge, "gt": .gt, "le": .le, "lt": .lt, "eq": .eq]
        guard let op = ops[r.id] else { throw GrammarError(r.location, "unknown condition “\(r.id)” (ge, gt, le, lt, eq)") }
        meaning = .condition(op)
      case "horizon":
        guard let d = Int(r.id), d > 0 else { throw GrammarError(r.location, "a horizon is `horizon DAYS: phrase | …` with a positive whole number of days") }
        meaning = .horizon(d)
      case "grain":
        guard let u = TimeUnit(rawValue: r.id) else { throw GrammarError(r.location, "unknown time grain “\(r.id)” (day, week, month, quarter, year)") }
        meaning = .grain(u)
      case "ordinal":
        switch r.id {
        case "next": meaning = .ordinalNext
        case "nth": meaning = .ordinalPrefix
        case "months_after": meaning = .monthsAfter
        default: throw GrammarError(r.location, "unknown ordinal “\(r.id)” (next, nth, months_after)")
        }
      case "cohort":
        meaning = .cohortFirst
      case "kinds":
        let sets = ([r.id] + r.args).map { CustomerSet(rawValue: $0) }
        guard sets.allSatisfy({ $0 != nil }) else {
          throw GrammarError(r.location, "`kinds KIND …: phrase` names kinds of customer (new, returning, repeat, high_repurchase, active, at_risk, churned, overdue)")
        }
        meaning = .kinds(sets.compactMap { $0 })
      case "age":
        switch r.id {
        case "unit": meaning = .ageUnit
        case "prefix": meaning = .agePrefix
        default: throw GrammarError(r.location, "unknown age word “\(r.id)” (unit or prefix)")
        }
      case "filler":
        meaning = .filler
      case "unsupported":
        meaning = .unsupported(r.id)
      case "topicword":
        meaning = .topicWord(r.id)
      case "topic":
        guard let pol = r.args.first, pol == "negative" || pol == "positive" else {
          throw GrammarError(r.location, "a topic needs a polarity: `topic NAME negative: …` or `topic NAME positive: …`")
        }
        topics.append(Topic(name: r.id, negative: pol == "negative", phrases: r.phrases))
        names.append(r.name)
        continue
      case "fold":
        for p in r.phrases {
          let cs = Array(p)
          guard cs.count == 2 else {
            throw GrammarError(r.location, "a fold item is two characters (traditional then simplified), found “\(p)”")
          }
          folds[cs[0]] = cs[1]
        }
        continue
      case "alias":
        guard let d = DimensionID(rawValue: r.id), let v = r.args.first else {
          throw GrammarError(r.location, "an alias is `alias DIMENSION VALUE: other name | …` with a known dimension")
        }
        aliases.append((d, v, r.phrases.map { $0.lowercased() }))
        names.append(r.name)
        continue
      case "analysis", "analysisopt", "step":
        meaning = .analysis(try AnalysisWord(rule: r))
      case "sentiment", "eventtype":
        try analysisGrammar.add(r)
        names.append(r.name)
        continue
      case "time", "setting", "formula", "title", "define":
        continue
      default:
        throw GrammarError(r.location, "unknown kind “\(r.kind)”")
      }
      names.append(r.name)
      if let meaning {
        for p in r.phrases { lex.add(p.lowercased(), meaning, rule: r.name) }
      }
    }
    // Topic names themselves are words for their topic (关于物流慢的差评).
    for t in topics where t.negative { lex.add(t.name, .topicWord(t.name), rule: "topic \(t.name)") }
    lexicon = lex
    normalizer = Normalizer(folds: folds)
    time = try TimeRecognizer(rules: grammar.rules(kind: "time"))
    self.topics = topics
    self.aliases = aliases
    settings = grammar
    ruleNames = names + time.ruleNames
    analysis = analysisGrammar
  }

  /// Adds the values found in the data (华东, 金卡, 母婴 …) as words for their dimension.
  public mutating func addDataValues(_ values: [DimensionID: [String]]) {
    for (d, vs) in values.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
      for v in vs {
        let key = normalizer.normalize(v)
        guard !key.isEmpty, key.unicodeScalars.count <= 40 else { continue }
        // Plain numbers are never values: they are numbers.
        if Numerals.parseWhole(key) != nil { continue }
        lexicon.add(key, .value(d, v), rule: "data \(d.rawValue)")
        // 华东地区 / 上海市 are also values.
        if d == .region, !key.hasSuffix("地区") { lexicon.add(key + "地区", .value(d, v), rule: "data \(d.rawValue)") }
        if d == .city, !key.hasSuffix("市") { lexicon.add(key + "市", .value(d, v), rule: "data \(d.rawValue)") }
      }
      for (ad, value, phrases) in aliases where ad == d && vs.contains(value) {
        for p in phrases { lexicon.add(normalizer.normalize(p), .value(d, value), rule: "alias \(d.rawValue) \(value)") }
      }
    }
  }

  /// Registers the metrics declared as data (grammars/metrics/catalog.rules) before any
  /// word names them: `formula ID FORMAT: EXPRESSION`, `title ID: 中文 | English`,
  /// `define ID: 中文定义 | English definition`.
  static func registerCatalog(_ grammar: GrammarSet) throws {
    var titles: [String: [Language: String]] = [:]
    var defs: [String: [Language: String]] = [:]
    for r in grammar.rules where r.kind == "title" || r.kind == "define" {
      guard r.phrases.count == 2 else { throw GrammarError(r.location, "\(r.kind) \(r.id): write the Chinese and the English, separated by |") }
      let both: [Language: String] = [.zh: r.phrases[0], .en: r.phrases[1]]
      if r.kind == "title" { titles[r.id] = both } else { defs[r.id] = both }
    }
    for r in grammar.rules where r.kind == "formula" {
      guard MetricID.builtIn.allSatisfy({ $0.rawValue != r.id }) else {
        throw GrammarError(r.location, "formula \(r.id): a built-in metric cannot be redefined")
      }
      guard let fmtName = r.args.first, let format = ValueFormat(rawValue: fmtName), r.args.count == 1 else {
        throw GrammarError(r.location, "formula \(r.id) needs one format: money, rate, count, number or score")
      }
      guard r.phrases.count == 1 else { throw GrammarError(r.location, "formula \(r.id): one expression") }
      let formula: Formula
      do {
        formula = try Formula.parse(r.phrases[0]) { name in MetricID.builtIn.first { $0.rawValue == name } }
      } catch {
        throw GrammarError(r.location, "formula \(r.id): \(error)")
      }
      guard let t = titles[r.id] else { throw GrammarError(r.location, "formula \(r.id) has no `title \(r.id): 中文 | English`") }
      MetricCatalog.shared.register(CatalogMetric(id: MetricID(catalog: r.id), format: format, formula: formula, titles: t,
                                                  definitions: defs[r.id] ?? [.zh: formula.description, .en: formula.description]))
    }
  }
}
