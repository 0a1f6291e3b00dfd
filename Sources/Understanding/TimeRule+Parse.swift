// The template language of time rules: `{slot}`, `<sub-phrase>`, `[optional]`, `(choice)`
// and plain words (documented at the top of grammars/time/zh.rules).
//
// This file owns parsing one phrase of a `time` rule into template elements, with every
// mistake reported as a `GrammarError` at the rule's file:line, and the small indexes the
// matcher (TimeRecognizer.swift) builds from the first element of each template.

import Grammar
import QueryModel

// MARK: - Templates

/// A `{slot}`: a value read from the text.
enum Slot: String, CaseIterable, Sendable {
  case n, year, yy, month, mm, monthName = "month_name", day, dd, weekday, quarter, ordinal
}

/// A `<sub-phrase>`: another time phrase, of a given unit (`time` = any).
enum SubKind: UInt8, CaseIterable, Sendable {
  case time = 0, day, week, month, quarter, year

  init?(name: String) {
    switch name {
    case "time": self = .time
    case "day": self = .day
    case "week": self = .week
    case "month": self = .month
    case "quarter": self = .quarter
    case "year": self = .year
    default: return nil
    }
  }

  /// Unit code of a range (X到Y): never a sub-phrase, so ranges do not nest (their readings
  /// would multiply: 1月到2月到3月 …).
  static let rangeCode: UInt8 = 255

  @inline(__always) func accepts(_ unitCode: UInt8) -> Bool {
    unitCode != SubKind.rangeCode && (self == .time || rawValue == unitCode)
  }
}

/// Templates that start with a sub-phrase, by the scalar that must follow it.
struct SubIndex: Sendable {
  var byNext: [UInt32: [Int32]] = [:]
  var any: [Int32] = []
}

enum Element: Sendable {
  case literal([UInt32])
  case optional([[UInt32]])
  case choice([[UInt32]])
  case slot(Slot)
  case sub(SubKind)
}

struct Template: Sendable {
  var elements: [Element]
  var rule: Int32
  var phrase: Int32
  var build: TimeBuild

  /// The phrase ends with digits written out (618, 今年618): it is not a date before a
  /// unit (618元, 618个).
  var endsWithNumber: Bool {
    guard case .literal(let l) = elements[elements.count - 1] else { return false }
    return l.allSatisfy(TextClass.isDigit)
  }

  /// The phrase is nothing but digits (618): a date only where a number could not stand.
  var isBareNumber: Bool { elements.count == 1 && endsWithNumber }

  /// Parses one phrase of a rule into elements.
  static func parse(_ phrase: String, rule: Rule) throws -> [Element] {
    var out: [Element] = []
    var lit: [UInt32] = []
    func flush() {
      if !lit.isEmpty { out.append(.literal(lit)) }
      lit = []
    }
    func fail(_ m: String) -> GrammarError { GrammarError(rule.location, "in “\(phrase)”: \(m)") }
    let s = Array(phrase.unicodeScalars)
    var i = 0
    while i < s.count {
      let c = s[i]
      switch c {
      case " ":
        flush()
        i += 1
      case "{", "<", "[", "(":
        flush()
        let close: Unicode.Scalar = c == "{" ? "}" : c == "<" ? ">" : c == "[" ? "]" : ")"
        guard let j = s[(i + 1)...].firstIndex(of: close) else { throw fail("no closing '\(close)'") }
        var inner = String.UnicodeScalarView()
        inner.append(contentsOf: s[(i + 1)..<j])
        let name = String(inner)
        switch c {
        case "{":
          guard let slot = Slot(rawValue: name) else {
            throw fail("unknown slot {\(name)} (known: \(Slot.allCases.map { "{\($0.rawValue)}" }.joined(separator: " ")))")
          }
          out.append(.slot(slot))
        case "<":
          guard let k = SubKind(name: name) else {
            throw fail("unknown sub-phrase <\(name)> (known: <time> <day> <week> <month> <quarter> <year>)")
          }
          out.append(.sub(k))
        default:
          var alts: [[UInt32]] = []
          for a in name.split(separator: "/", omittingEmptySubsequences: false) {
            let v = a.unicodeScalars.map(\.value)
            guard !v.isEmpty else { throw fail("empty alternative in “\(c)\(name)\(close)”") }
            for x in v where x == 0x7B || x == 0x3C || x == 0x5B || x == 0x28 {
              throw fail("brackets cannot nest in “\(c)\(name)\(close)”")
            }
            try checkScalars(v, fail)
            alts.append(v)
          }
          out.append(c == "[" ? .optional(alts) : .choice(alts))
        }
        i = j + 1
      case "}", ">", "]", ")":
        throw fail("'\(c)' without its opening bracket")
      default:
        try checkScalars([c.value], fail)
        lit.append(c.value)
        i += 1
      }
    }
    flush()
    guard !out.isEmpty else { throw fail("empty phrase") }
    if !out.contains(where: { if case .sub = $0 { return false } else { return true } }) {
      throw fail("a phrase needs words or slots besides its sub-phrases")
    }
    return out
  }

  static func checkScalars(_ v: [UInt32], _ fail: (String) -> GrammarError) throws {
    for x in v {
      if x >= 0x41 && x <= 0x5A { throw fail("write phrases in lower case (questions are lower-cased before matching)") }
      if x >= 0xFF01 && x <= 0xFF5E { throw fail("write half-width forms (questions are folded to half-width before matching)") }
    }
  }

  /// The scalars the elements from `k` on can start with, or nil when that is open (a slot,
  /// a sub-phrase, or nothing left).
  static func firstScalars(_ e: [Element], from k: Int) -> Set<UInt32>? {
    guard k < e.count else { return nil }
    switch e[k] {
    case .literal(let s): return [s[0]]
    case .choice(let alts): return Set(alts.map { $0[0] })
    case .optional(let alts):
      guard let rest = firstScalars(e, from: k + 1) else { return nil }
      return rest.union(alts.map { $0[0] })
    case .slot, .sub: return nil
    }
  }

  /// `[从/自]<time>到<time>` → `从<time>到<time>`, `自<time>到<time>`, `<time>到<time>`.
  static func expandLeadingOptionals(_ e: [Element]) -> [[Element]] {
    guard case .optional(let alts) = e[0] else { return [e] }
    let rest = Array(e.dropFirst())
    var out: [[Element]] = []
    for a in alts { out.append([.literal(a)] + rest) }
    if !rest.isEmpty { out += expandLeadingOptionals(rest) }
    return out
  }
}
