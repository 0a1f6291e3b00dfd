// The machine form of an answer: one JSON object with question, interpretation, plan,
// columns and raw rows (rates as fractions, integer ids as integers, NULL as null), or
// {"error": {"message", "suggestions"}}.

import Foundation
import QueryModel

public enum AnswerJSON {
  public static func encode(_ a: Answer, id: String? = nil) -> String {
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
      out += ",\"columns\":[" + t.columns.map { string($0.id) }.joined(separator: ",") + "]"
      out += ",\"column_titles\":[" + t.columns.map { string($0.title) }.joined(separator: ",") + "]"
      out += ",\"shape\":" + string(t.shape.rawValue)
      out += ",\"rows\":[" + t.rows.map { "[" + $0.map(value).joined(separator: ",") + "]" }.joined(separator: ",") + "]"
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

  public static func value(_ v: Value) -> String {
    switch v {
    case .null: return "null"
    case .int(let i): return String(i)
    case .double(let d):
      if d.isNaN || d.isInfinite { return "null" }
      if d == d.rounded(), abs(d) < 1e15 { return String(format: "%.1f", d) }
      return "\(d)"
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
