// The machine form of an answer: one JSON object with question, interpretation, plan,
// columns and rows (rates as fractions to six significant digits, money to the cent, integer
// ids as integers, NULL as null), the notes, which rows are partial time units, and how the
// answer's period sits against the data (`coverage`); or {"error": {"message", "suggestions"}}.

import Foundation
import QueryModel
import Rendering

public enum AnswerJSON {
  /// The answer as one line of JSON; with `limit`, only the first `limit` rows, and
  /// `"rows_total"` saying how many there are.
  public static func encode(_ a: Answer, id: String? = nil, limit: Int? = nil) -> String {
    var out = "{"
    if let id { out += "\"id\":" + id + "," }
    out += "\"question\":" + string(a.question)
    if let p = a.planned {
      out += ",\"interpretation\":" + string(p.interpretation)
      out += ",\"plan\":" + plan(p.plan)
      out += ",\"plan_line\":" + string(p.tree.line)
      out += ",\"tree\":" + p.tree.explainTree.json
      if p.ignored.count > 0 { out += ",\"not_understood\":[" + p.ignored.map(string).joined(separator: ",") + "]" }
      if !p.alternatives.isEmpty {
        out += ",\"alternatives\":[" + p.alternatives.map { "{\"interpretation\":" + string($0.interpretation) + ",\"plan\":" + plan($0.plan) + "}" }.joined(separator: ",") + "]"
      }
    }
    if let t = a.table {
      let shown = limit.map { min(max(0, $0), t.rows.count) } ?? t.rows.count
      out += ",\"columns\":[" + t.columns.map { string($0.id) }.joined(separator: ",") + "]"
      out += ",\"column_titles\":[" + t.columns.map { string($0.title) }.joined(separator: ",") + "]"
      out += ",\"shape\":" + string(t.shape.rawValue)
      out += ",\"rows\":[" + t.rows.prefix(shown).map { row in
        "[" + row.enumerated().map { j, v in value(v, j < t.columns.count ? t.columns[j].format : .label) }.joined(separator: ",") + "]"
      }.joined(separator: ",") + "]"
      if shown < t.rows.count { out += ",\"rows_total\":" + String(t.rows.count) }
      out += ",\"notes\":[" + t.notes.map(string).joined(separator: ",") + "]"
      let partial = t.partialRows.filter { $0 < shown }
      if !partial.isEmpty { out += ",\"partial_rows\":[" + partial.map(String.init).joined(separator: ",") + "]" }
    }
    if let c = a.coverage {
      out += ",\"coverage\":{"
      var fields: [String] = []
      if let r = c.data { fields.append("\"data_start\":" + string(r.start.iso) + ",\"data_end\":" + string(r.end.iso)) }
      fields.append("\"past_data_end\":" + String(c.pastDataEnd))
      fields.append("\"before_data_start\":" + String(c.beforeDataStart))
      fields.append("\"running\":" + String(c.running))
      out += fields.joined(separator: ",") + "}"
    }
    if let r = a.refusal {
      out += ",\"error\":{\"message\":" + string(r.message) + ",\"suggestions\":[" + r.suggestions.map(string).joined(separator: ",") + "]}"
    }
    return out + "}"
  }

  public static func plan(_ p: Plan) -> String {
    let enc = JSONEncoder()
    enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    guard let d = try? enc.encode(p), let s = String(data: d, encoding: .utf8) else { return "null" }
    return s
  }

  /// One cell in a column of format `f`: doubles in their machine form
  /// (`NumberFormatting.machine`), NaN and infinity as null.
  public static func value(_ v: Value, _ f: ValueFormat = .number) -> String {
    switch v {
    case .null: return "null"
    case .int(let i): return String(i)
    case .double(let d): return NumberFormatting.machine(d, f) ?? "null"
    case .string(let s): return string(s)
    }
  }

  /// A JSON string literal.
  public static func string(_ s: String) -> String {
    var out = "\""
    out.reserveCapacity(s.utf8.count + 2)
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if u.value < 0x20 || u.value == 0x2028 || u.value == 0x2029 {
          out += String(format: "\\u%04x", u.value)
        } else {
          out.unicodeScalars.append(u)
        }
      }
    }
    return out + "\""
  }
}
