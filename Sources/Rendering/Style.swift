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
  let moreRowsHint: String?

  init(_ o: RenderOptions) {
    ascii = o.ascii
    color = o.color
    language = o.language
    moreRowsHint = o.moreRowsHint
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

  /// "… 还有 3 行（共 53 行）" / "… 3 more rows (53 in all)", then the caller's hint on how to
  /// see them all ("；用 --limit N 或 --all 查看全部").
  func moreRows(_ n: Int, of total: Int) -> String {
    let count = NumberFormatting.grouped(n)
    let all = NumberFormatting.grouped(total)
    var text: String
    switch language {
    case .zh: text = ellipsis + " 还有 " + count + " 行（共 " + all + " 行）"
    case .en: text = ellipsis + " " + count + (n == 1 ? " more row" : " more rows") + " (" + all + " in all)"
    }
    if let hint = moreRowsHint, !hint.isEmpty { text += (language == .zh ? "；" : "; ") + hint }
    return text
  }

  /// "… 还有 3 列" / "… 3 more columns".
  func moreColumns(_ n: Int) -> String {
    let count = NumberFormatting.grouped(n)
    switch language {
    case .zh: return ellipsis + " 还有 " + count + " 列"
    case .en: return ellipsis + " " + count + (n == 1 ? " more column" : " more columns")
    }
  }

  /// The legend under a shaded grid: what the shades mean and what a blank cell is.
  func shadeLegend(_ shades: String, low: String, high: String) -> String {
    switch language {
    case .zh: return "色块 " + shades + " 由浅到深：" + low + " 到 " + high + "（越深越高）；空白是还没到的月份"
    case .en: return "shades " + shades + " light to dark: " + low + " to " + high + " (darker is higher); blank: month not reached yet"
    }
  }

  var noRows: String { language == .zh ? "(无数据)" : "(no rows)" }
  var unknown: String { NumberFormatting.unknownLabel(language) }
  var maximum: String { language == .zh ? "最高" : "max" }
  var minimum: String { language == .zh ? "最低" : "min" }
  var latest: String { language == .zh ? "最近" : "latest" }
  var change: String { language == .zh ? "变化" : "change" }
  var percentagePoints: String { language == .zh ? "个百分点" : "pp" }
  /// What marks a partial time unit in a chart's legend.
  var partialUnit: String { language == .zh ? "未完整的时段" : "partial period" }
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
