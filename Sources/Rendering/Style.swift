// Style: the glyphs, colours and words the renderers add around the data.
//
// Owns the Unicode/ASCII glyph pairs, ANSI painting (only when colour is on) and the few
// words in each language ("… 还有 N 行", (无数据), chart legends), so no renderer spells them.

import QueryModel

/// Glyphs, colour and language for one rendering, derived from `RenderOptions`.
struct Style {
  let ascii: Bool
  let color: Bool
  let language: Language

  init(_ o: RenderOptions) {
    ascii = o.ascii
    color = o.color
    language = o.language
  }

  // MARK: Glyphs

  var ellipsis: String { ascii ? "..." : "…" }
  var horizontal: String { ascii ? "-" : "─" }
  var vertical: String { ascii ? "|" : "│" }
  var separator: String { ascii ? " - " : " · " }

  // MARK: Colour

  /// ANSI Select Graphic Rendition codes used here.
  enum Paint: String {
    case bold = "1"
    case dim = "2"
    case red = "31"
    case green = "32"
    case cyan = "36"
  }

  /// `s` wrapped in an ANSI colour when colour is on; measure widths before painting.
  func paint(_ s: String, _ p: Paint) -> String {
    guard color, !s.isEmpty else { return s }
    return "\u{1B}[" + p.rawValue + "m" + s + "\u{1B}[0m"
  }

  // MARK: Words

  /// "… 还有 3 行" / "… 3 more rows".
  func moreRows(_ n: Int) -> String {
    let count = NumberFormatting.grouped(n)
    switch language {
    case .zh: return ellipsis + " 还有 " + count + " 行"
    case .en: return ellipsis + " " + count + (n == 1 ? " more row" : " more rows")
    }
  }

  /// "… 还有 3 列" / "… 3 more columns".
  func moreColumns(_ n: Int) -> String {
    let count = NumberFormatting.grouped(n)
    switch language {
    case .zh: return ellipsis + " 还有 " + count + " 列"
    case .en: return ellipsis + " " + count + (n == 1 ? " more column" : " more columns")
    }
  }

  var noRows: String { language == .zh ? "(无数据)" : "(no rows)" }
  var unknown: String { NumberFormatting.unknownLabel(language) }
  var maximum: String { language == .zh ? "最高" : "max" }
  var minimum: String { language == .zh ? "最低" : "min" }
  var latest: String { language == .zh ? "最近" : "latest" }
  var change: String { language == .zh ? "变化" : "change" }
  var percentagePoints: String { language == .zh ? "个百分点" : "pt" }
}

/// Small text helpers shared by the renderers.
enum Text {
  /// `n` spaces (none when `n` ≤ 0).
  static func spaces(_ n: Int) -> String {
    n > 0 ? String(repeating: " ", count: n) : ""
  }

  /// `glyph` repeated `n` times (none when `n` ≤ 0).
  static func repeated(_ glyph: String, _ n: Int) -> String {
    n > 0 ? String(repeating: glyph, count: n) : ""
  }

  /// `s` on one line: control characters (newlines, tabs, ESC, C1) become spaces, so data can
  /// neither break a row nor send escape sequences to the terminal.
  ///
  /// - Complexity: O(n); returns `s` itself, unallocated, when there is nothing to replace.
  static func singleLine(_ s: String) -> String {
    func isControl(_ u: Unicode.Scalar) -> Bool { u.value < 0x20 || (u.value >= 0x7F && u.value < 0xA0) }
    guard s.unicodeScalars.contains(where: isControl) else { return s }
    var out = String.UnicodeScalarView()
    for u in s.unicodeScalars { out.append(isControl(u) ? " " : u) }
    return String(out)
  }

  /// `s` without trailing spaces (bars and plots end where the ink ends).
  static func trimmingTrailingSpaces(_ s: String) -> String {
    var end = s.endIndex
    while end > s.startIndex {
      let before = s.index(before: end)
      if s[before] != " " { break }
      end = before
    }
    return end == s.endIndex ? s : String(s[..<end])
  }
}
