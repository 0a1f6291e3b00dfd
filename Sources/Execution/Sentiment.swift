// Comment sentiment (semantics.md "Comment sentiment"): the lexicon classifier and the answers
// built on it — positive / negative / mixed-or-neutral shares and 好评率 by period and group,
// and the topics of the negative comments.

import Cube
import QueryModel

public enum Polarity: Int, Sendable, CaseIterable {
  case positive, negative, mixed
}

/// Classifies comments with a `SentimentLexicon`.
///
///     质量很好，但物流太慢  → +1 − 2 = −1 → negative (the clause after 但 weighs double)
///     没有破损              → negated negative → positive
public struct SentimentClassifier: Sendable {
  struct Node {
    var next: [UInt32: Int32] = [:]
    /// +1, −1, 0 (neutral phrase) or nil (no phrase ends here).
    var polarity: Int8?
  }
  var nodes = [Node()]
  let negators: [[Unicode.Scalar]]
  let contrasts: [[Unicode.Scalar]]

  public init(_ lex: SentimentLexicon) {
    negators = lex.negators.map { Array($0.lowercased().unicodeScalars) }.sorted { $0.count > $1.count }
    contrasts = lex.contrasts.map { Array($0.lowercased().unicodeScalars) }.sorted { $0.count > $1.count }
    for p in lex.neutral { add(p, 0) }
    for p in lex.positive { add(p, 1) }
    for p in lex.negative { add(p, -1) }
  }

  mutating func add(_ phrase: String, _ pol: Int8) {
    var n = 0
    for s in phrase.lowercased().unicodeScalars {
      if let c = nodes[n].next[s.value] { n = Int(c) } else {
        nodes.append(Node())
        nodes[n].next[s.value] = Int32(nodes.count - 1)
        n = nodes.count - 1
      }
    }
    nodes[n].polarity = pol
  }

  static func isLetter(_ s: Unicode.Scalar) -> Bool { (s.value >= 0x61 && s.value <= 0x7A) || s.value == 0x27 }
  static func isBreak(_ s: Unicode.Scalar) -> Bool {
    "，,。.！!？?；;～~\n\r…".unicodeScalars.contains(s)
  }

  /// The longest phrase at `i` (English phrases end at a word boundary): end and polarity.
  func match(_ t: [Unicode.Scalar], _ i: Int) -> (Int, Int8)? {
    if SentimentClassifier.isLetter(t[i]), i > 0, SentimentClassifier.isLetter(t[i - 1]) { return nil }
    var n = 0, j = i
    var best: (Int, Int8)?
    while j < t.count, let c = nodes[n].next[t[j].value] {
      n = Int(c)
      j += 1
      if let p = nodes[n].polarity {
        if SentimentClassifier.isLetter(t[j - 1]), j < t.count, SentimentClassifier.isLetter(t[j]) { continue }
        best = (j, p)
      }
    }
    return best
  }

  func hasSuffix(_ t: ArraySlice<Unicode.Scalar>, _ w: [Unicode.Scalar]) -> Bool {
    guard t.count >= w.count else { return false }
    if !t.elementsEqual(w) && !t.suffix(w.count).elementsEqual(w) { return false }
    // an English negator is a whole word
    if let f = w.first, SentimentClassifier.isLetter(f), t.count > w.count, SentimentClassifier.isLetter(t[t.endIndex - w.count - 1]), w.first != "n" { return false }
    return true
  }

  /// Weighted positive and negative totals of a comment.
  public func score(_ comment: String) -> (positive: Double, negative: Double) {
    let t = Array(comment.lowercased().unicodeScalars)
    var pos = 0.0, neg = 0.0
    var weight = 1.0
    var gapStart = 0
    var i = 0
    while i < t.count {
      if SentimentClassifier.isBreak(t[i]) {
        i += 1
        gapStart = i
        // a new sentence starts at 。！？ (a comma keeps the contrast's weight)
        if "。.！!？?\n".unicodeScalars.contains(t[i - 1]) { weight = 1 }
        continue
      }
      if let c = contrasts.first(where: { w in i + w.count <= t.count && t[i..<(i + w.count)].elementsEqual(w) }),
        !(SentimentClassifier.isLetter(c[0]) && ((i > 0 && SentimentClassifier.isLetter(t[i - 1])) || (i + c.count < t.count && SentimentClassifier.isLetter(t[i + c.count])))),
        match(t, i).map({ $0.0 <= i + c.count }) ?? true {
        weight = 2
        i += c.count
        gapStart = i
        continue
      }
      if let (end, p) = match(t, i) {
        if p != 0 {
          var gap = t[gapStart..<i]
          while let l = gap.last, l == " " { gap = gap.dropLast() }
          let negated = negators.contains { hasSuffix(gap, $0) }
          let v = negated ? -Int(p) : Int(p)
          if v > 0 { pos += weight } else { neg += weight }
        }
        i = end
        gapStart = i
        continue
      }
      i += 1
    }
    return (pos, neg)
  }

  public func classify(_ comment: String) -> Polarity {
    let (p, n) = score(comment)
    return p > n ? .positive : (n > p ? .negative : .mixed)
  }
}
