// Text normalisation: one canonical form for every question before any matching.
//
// Full-width forms become half-width, ASCII letters lower-case, traditional characters
// simplified (pairs from grammars/normalize/), control and zero-width characters dropped,
// punctuation kept as single characters, runs of spaces collapsed to one.

/// Folds a question into the form the lexicon and the time grammar are written in.
///
///     let n = Normalizer(folds: ["個": "个"])
///     n.normalize("上個月的ＧＭＶ")   // "上个月的gmv"
public struct Normalizer: Sendable {
  let folds: [UInt32: Unicode.Scalar]

  public init(folds: [Character: Character] = [:]) {
    var f: [UInt32: Unicode.Scalar] = [:]
    for (k, v) in folds {
      if let a = k.unicodeScalars.first, let b = v.unicodeScalars.first { f[a.value] = b }
    }
    self.folds = f
  }

  /// Normalised unicode scalars of `text`.
  /// - Complexity: O(n).
  public func scalars(_ text: String) -> [Unicode.Scalar] {
    var out: [Unicode.Scalar] = []
    out.reserveCapacity(text.unicodeScalars.count)
    var lastSpace = true
    for s in text.unicodeScalars {
      var v = s.value
      if v >= 0xFF01 && v <= 0xFF5E { v -= 0xFEE0 }  // full-width ASCII
      switch v {
      case 0x3000, 0x09, 0x0A, 0x0D, 0xA0: v = 0x20
      case 0x3002: v = 0x2E  // 。
      case 0x3001: v = 0x2C  // 、
      case 0x201C, 0x201D, 0x300C, 0x300D, 0x300E, 0x300F: v = 0x22  // quotes
      case 0x2018, 0x2019: v = 0x27
      default: break
      }
      if v < 0x20 || v == 0x7F || (v >= 0x200B && v <= 0x200F) || v == 0xFEFF || (v >= 0x2060 && v <= 0x2064) { continue }
      if v >= 0x41 && v <= 0x5A { v += 0x20 }
      if v == 0x20 {
        if !lastSpace { out.append(" ") }
        lastSpace = true
        continue
      }
      lastSpace = false
      if let f = folds[v] {
        out.append(f)
      } else if let u = Unicode.Scalar(v) {
        out.append(u)
      }
    }
    if out.last == " " { out.removeLast() }
    return out
  }

  public func normalize(_ text: String) -> String {
    var s = String.UnicodeScalarView()
    s.append(contentsOf: scalars(text))
    return String(s)
  }
}
