// Masking personal data for tokens that may not see it: personal columns of a result table
// are masked cell by cell (张** · 138****1234 · a***@example.com), and every text sent back
// (interpretation, suggestions, messages, the echoed question, the whole response) is scrubbed
// of any personal value the data holds, so names never leak through suggestions or errors.

import QueryModel

public struct Masker: Sendable {
  public let personalColumns: Set<String>
  /// Personal values of the data, by their first scalar (for a fast scan of any text).
  private let byFirst: [Unicode.Scalar: [[Unicode.Scalar]]]
  public let valueCount: Int

  public init(personalColumns: Set<String>, personalValues: some Sequence<String>) {
    self.personalColumns = personalColumns
    var m: [Unicode.Scalar: Set<[Unicode.Scalar]>] = [:]
    for v in personalValues {
      let s = Array(v.trimmingCharacters(in: .whitespaces).unicodeScalars)
      // One-character values would mask ordinary text; they are masked in their columns only.
      guard s.count >= 2, let f = s.first else { continue }
      m[f, default: []].insert(s)
    }
    // Longest first, so 欧阳娜娜 is masked whole before 欧阳娜.
    byFirst = m.mapValues { $0.sorted { $0.count > $1.count } }
    valueCount = m.values.reduce(0) { $0 + $1.count }
  }

  /// One value masked: phones keep their first three and last four digits, e-mail addresses
  /// their first letter and domain, everything else its first character.
  public static func mask(_ s: String) -> String {
    let chars = Array(s)
    let digits = chars.filter(\.isNumber).count
    if digits >= 7 && digits * 10 >= chars.count * 7 {
      guard chars.count > 7 else { return String(repeating: "*", count: chars.count) }
      return String(chars.prefix(3)) + String(repeating: "*", count: chars.count - 7) + String(chars.suffix(4))
    }
    if let at = chars.firstIndex(of: "@"), at > 0 {
      return String(chars[0]) + "***" + String(chars[at...])
    }
    guard let first = chars.first else { return s }
    return String(first) + String(repeating: "*", count: max(2, chars.count - 1))
  }

  /// The table with its personal columns masked.
  public func mask(_ t: ResultTable) -> ResultTable {
    var out = t
    let idx = t.columns.indices.filter { personalColumns.contains(t.columns[$0].id) }
    guard !idx.isEmpty else { return out }
    for r in out.rows.indices {
      for i in idx where i < out.rows[r].count {
        if case .string(let s) = out.rows[r][i] { out.rows[r][i] = .string(Masker.mask(s)) }
      }
    }
    return out
  }

  /// The text with every personal value of the data replaced by its masked form.
  public func scrub(_ text: String) -> String {
    guard !byFirst.isEmpty else { return text }
    let scalars = Array(text.unicodeScalars)
    var out = String.UnicodeScalarView()
    var i = 0
    var changed = false
    outer: while i < scalars.count {
      if let candidates = byFirst[scalars[i]] {
        for c in candidates where i + c.count <= scalars.count {
          var same = true
          for k in 1..<c.count where scalars[i + k] != c[k] {
            same = false
            break
          }
          if same {
            var masked = String.UnicodeScalarView()
            masked.append(contentsOf: c)
            out.append(contentsOf: Masker.mask(String(masked)).unicodeScalars)
            i += c.count
            changed = true
            continue outer
          }
        }
      }
      out.append(scalars[i])
      i += 1
    }
    return changed ? String(out) : text
  }
}
