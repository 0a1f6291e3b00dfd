// "Did you mean": whole questions close to a refused one, each checked to plan. A word that
// was not understood is replaced by the nearest grammar phrase or data value (edit distance,
// meaningful words only: never a filler, punctuation or a lone letter); failing that, the
// question without the word is offered when it still asks something. The user's own figure,
// dimension and period are kept because only the unknown word changes.

import QueryModel
import Planning
import Understanding

extension Engine {
  /// Runnable rewrites of `question`, closest first (at most `limit`).
  func rewrites(of question: String, unknown words: [String], uncombined: [String] = [], today: Day, limit: Int = 3) -> [String] {
    var out: [String] = []
    func tryAsk(_ q: String) {
      guard !out.contains(q), q != question, out.count < limit else { return }
      let reading = parser.read(q)
      guard reading.unknown.isEmpty, (try? planner.plan(reading, today: today, catalog: catalog)) != nil else { return }
      out.append(q)
    }
    let lower = question.lowercased()
    let reading = parser.read(question)
    for w in words.prefix(3) {
      for p in nearestPhrases(w, max: 4) {
        guard let range = lower.range(of: w.lowercased()) else { continue }
        var q = lower
        q.replaceSubrange(range, with: p)
        tryAsk(q)
      }
    }
    // The question without a word that could not be combined.
    for w in (words + uncombined).prefix(3) where lower.contains(w.lowercased()) {
      var q = lower.replacingOccurrences(of: w.lowercased(), with: reading.language == .zh ? "" : " ")
        .split(separator: " ").joined(separator: " ")
      // (No 的 left at either end: 首购月的销售额 → 销售额.)
      while q.hasPrefix("的") { q.removeFirst() }
      while q.hasSuffix("的") { q.removeLast() }
      tryAsk(q)
    }
    // The words that were understood, in order, without the fillers around the unknown ones
    // (when they still ask something): "total sales in usa?" → "sales".
    var kept: [(text: String, joiner: Bool)] = []
    for t in reading.tokens {
      switch t.kind {
      case .unknown: continue
      case .word(let ms) where ms.allSatisfy({ $0 == .filler }): continue
      case .word(let ms):
        if kept.last?.text == t.text { continue }
        // Words that join or group need something after them (by, 和, 以及, 各).
        let joiner = ms.allSatisfy { m in
          if case .cue(let c) = m { return [.group, .and, .compare, .link, .which, .whichPlural].contains(c) }
          return false
        }
        kept.append((t.text, joiner))
      default: kept.append((t.text, false))
      }
    }
    while kept.last?.joiner == true { kept.removeLast() }
    if !kept.isEmpty { tryAsk(kept.map(\.text).joined(separator: reading.language == .zh ? "" : " ")) }
    return out
  }

  /// The phrases that name something (figures, dimensions, values, segments, topics), by
  /// length: never a filler, a cue, a mark or a lone letter.
  static func suggestionIndex(_ phrases: [String: String]) -> [Int: [(String, [Unicode.Scalar])]] {
    var out: [Int: [(String, [Unicode.Scalar])]] = [:]
    for (p, rule) in phrases.sorted(by: { $0.key < $1.key }) {
      guard ["metric", "dimension", "data", "alias", "segment", "topic"].contains(where: { rule.hasPrefix($0) }) else { continue }
      let ps = Array(p.unicodeScalars)
      // Chinese words are one character or more; other words two letters or more.
      let meaningful = ps.contains { $0.value >= 0x2E80 && $0.properties.isAlphabetic } || ps.filter(\.properties.isAlphabetic).count >= 2
      if meaningful { out[ps.count, default: []].append((p, ps)) }
    }
    return out
  }

  /// Grammar phrases and data values nearest to `word` by edit distance (meaningful ones only,
  /// sharing a character with the word), or holding the whole word.
  /// - Complexity: O(phrases within two characters of the word's length × length²).
  func nearestPhrases(_ word: String, max: Int) -> [String] {
    let ws = Array(word.lowercased().unicodeScalars.prefix(40))
    guard !ws.isEmpty else { return [] }
    var scored: [(Int, String)] = []
    let limit = Swift.max(1, ws.count / 3)
    for n in Swift.max(1, ws.count - 2)...(ws.count + 2) {
      for (p, ps) in suggestionPhrases[n] ?? [] {
        // A replacement keeps some of the word (没 is never 市).
        guard ps.contains(where: ws.contains) else { continue }
        let d = Engine.editDistance(ws, ps)
        if d <= limit { scored.append((d, p)) }
      }
    }
    // A longer name holding the whole word (纸尿裤 → 婴儿纸尿裤), a few characters longer.
    if ws.count >= 2 {
      let w = String(String.UnicodeScalarView(ws))
      for n in (ws.count + 1)...(ws.count + 4) {
        for (p, _) in suggestionPhrases[n] ?? [] where p.lowercased().contains(w) && !scored.contains(where: { $0.1 == p }) {
          scored.append((n - ws.count, p))
        }
      }
    }
    scored.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
    return scored.prefix(max).map(\.1)
  }

  static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var prev = Array(0...b.count)
    var cur = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      cur[0] = i
      for j in 1...b.count {
        cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
      }
      swap(&prev, &cur)
    }
    return prev[b.count]
  }
}
