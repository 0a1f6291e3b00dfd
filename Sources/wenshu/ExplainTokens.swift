// `wenshu explain --tokens`: how a question was cut into tokens, for grammar authors.
//
// This file owns the token listing: per token its text, what it was read as (a metric, a
// dimension, a data value, a cue, a time phrase with its period, a number, or not
// understood) and the grammar rule that matched it with its file:line, found from the rule
// name the lexicon records for each phrase (Lexicon.phrases) and the time match's location.

import Engine
import Grammar
import Planning
import QueryModel
import Rendering
import Understanding

enum TokenListing {
  /// One line per token:
  ///
  ///     上个月  time 上月 = 2026-10-01..2026-10-31   time offset month 1 (time/zh.rules:61)
  ///     华东    value region = 华东                  data region (a value in the data)
  ///     销售额  metric sales                         metric sales (vocabulary/zh.rules:6)
  static func lines(_ engine: Engine, _ question: String, today: Day) -> [String] {
    let vocabulary = engine.parser.vocabulary
    let reading = engine.parser.read(question)
    let scalars = vocabulary.normalizer.scalars(question)
    var times: [Int: TimeMatch] = [:]
    for m in vocabulary.time.candidates(in: scalars) { times[m.start] = m }
    let rules = engine.grammar.rules
    var byName: [String: [Rule]] = [:]
    for r in rules { byName[r.name, default: []].append(r) }

    /// The rule that wrote a phrase: among the rules of that name, the one listing the phrase.
    func source(_ ruleName: String, _ text: String) -> String {
      if ruleName.hasPrefix("data ") { return ruleName + " (a value in the data)" }
      let candidates = byName[ruleName] ?? []
      let exact = candidates.first { r in r.phrases.contains { vocabulary.normalizer.normalize($0) == text } }
      guard let r = exact ?? candidates.first else { return ruleName.isEmpty ? "—" : ruleName }
      return "\(ruleName) (\(r.location))"
    }

    var rows: [[String]] = []
    for t in reading.tokens {
      let read: String
      let rule: String
      switch t.kind {
      case .time(let e):
        let period = TimeResolution.resolve(e, today: today).map { r in
          r.start == r.end ? "\(r.start)" : "\(r.start)..\(r.end)"
        } ?? "no such date"
        read = "time \(TimeResolution.describe(e, reading.language)) = \(period)"
        if let m = times[t.start], m.end == t.end {
          rule = m.rule + (m.location.map { " (\($0))" } ?? "")
        } else {
          rule = "—"
        }
      case .number(let v):
        read = "number \(formatNumber(v))"
        rule = "a number"
      case .money(let v):
        read = "amount \(formatNumber(v))"
        rule = "a money amount"
      case .word(let meanings):
        read = meanings.map(describe).joined(separator: " or ")
        rule = source(vocabulary.lexicon.phrases[t.text] ?? "", t.text)
      case .unknown:
        read = "not understood"
        rule = "—"
      }
      rows.append([t.text, read, rule])
    }
    guard !rows.isEmpty else { return ["(no tokens)"] }
    let w0 = rows.map { DisplayWidth.of($0[0]) }.max() ?? 0
    let w1 = rows.map { DisplayWidth.of($0[1]) }.max() ?? 0
    return rows.map { r in
      DisplayWidth.pad(r[0], to: w0, alignRight: false) + "  " + DisplayWidth.pad(r[1], to: w1, alignRight: false) + "  " + r[2]
    }
  }

  static func formatNumber(_ v: Double) -> String {
    v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
  }

  /// What a lexicon meaning says, in the grammar's own words (`metric sales`, `cue top`).
  static func describe(_ m: Meaning) -> String {
    switch m {
    case .metric(let x): return "metric \(x.rawValue)"
    case .entityCustomer: return "entity customer"
    case .dimension(let d): return "dimension \(d.rawValue)"
    case .value(let d, let v): return "value \(d.rawValue) = \(v)"
    case .segment(let s): return "segment \(s)"
    case .measure(let x): return "measure \(x.rawValue)"
    case .unit(let x): return "unit \(x.rawValue)"
    case .cue(let c): return "cue \(c.rawValue)"
    case .chart(let c): return "chart \(c)"
    case .condition(let op): return "condition \(op.rawValue)"
    case .grain(let u): return "grain \(u.rawValue)"
    case .horizon(let d): return "horizon \(d) days"
    case .ordinalNext: return "ordinal next"
    case .ordinalPrefix: return "ordinal nth"
    case .monthsAfter: return "ordinal months_after"
    case .cohortFirst: return "cohort first"
    case .kinds(let sets): return "kinds " + sets.map(\.rawValue).joined(separator: " ")
    case .ageUnit: return "age unit"
    case .agePrefix: return "age prefix"
    case .topicWord(let t): return "topic word \(t)"
    case .filler: return "filler"
    case .unsupported(let u): return "unsupported \(u)"
    case .analysis(let w): return w.description
    }
  }
}
