// Display width: how many terminal cells a string takes, and padding and cutting by that measure.
//
// Owns the one measure every renderer aligns with. A grapheme takes the width of its first
// scalar (DuckDB's rule): East Asian Wide and Fullwidth scalars take two cells; combining
// marks, format characters and control characters none; everything else one, East Asian
// Ambiguous included (box drawing, "…", "—"). An emoji presentation selector (U+FE0F) makes a
// narrow grapheme two cells wide. The ranges come from EastAsianWidthTable.swift, generated
// from Unicode data by generate-width-table.py. Never align with `String.count`.

/// Terminal display width of text, by East Asian Width.
///
///     DisplayWidth.of("abc")                               // 3
///     DisplayWidth.of("华东")                               // 4
///     DisplayWidth.pad("华东", to: 6, alignRight: false)    // "华东  "
///     DisplayWidth.truncate("华东地区", to: 5)               // "华东…"
public enum DisplayWidth {
  /// The number of terminal cells `s` takes.
  ///
  ///     DisplayWidth.of("Sales")       // 5
  ///     DisplayWidth.of("销售额")       // 6
  ///     DisplayWidth.of("ＡＢ")         // 4 (full-width forms)
  ///     DisplayWidth.of("e\u{301}")    // 1 (a combining mark takes no cell)
  ///
  /// - Complexity: O(n) in the UTF-8 length. ASCII text is measured on its bytes, without
  ///   grapheme breaking; nothing is allocated.
  public static func of(_ s: String) -> Int {
    var cells = 0
    for byte in s.utf8 {
      if byte >= 0x80 { return graphemeWidth(s) }
      if byte >= 0x20 && byte != 0x7F { cells += 1 }
    }
    return cells
  }

  /// The number of terminal cells one grapheme takes: the width of its first scalar, or two
  /// when a narrow first scalar asks for emoji presentation (U+FE0F), as in "❤️".
  public static func of(_ c: Character) -> Int {
    var scalars = c.unicodeScalars.makeIterator()
    guard let first = scalars.next() else { return 0 }
    let w = of(scalar: first)
    if w == 1 {
      while let next = scalars.next() {
        if next.value == 0xFE0F { return 2 }
      }
    }
    return w
  }

  /// The number of terminal cells one scalar takes on its own: 0, 1 or 2.
  ///
  /// - Complexity: O(1) for ASCII, Latin and CJK ideographs; O(log r) over the generated
  ///   ranges otherwise.
  public static func of(scalar: Unicode.Scalar) -> Int {
    let v = scalar.value
    if v < 0x7F { return v >= 0x20 ? 1 : 0 }
    if v < 0xA0 { return 0 }  // DEL and C1 controls
    if v < 0x300 { return 1 }  // Latin-1 and Latin extensions: no marks before U+0300
    if v >= 0x4E00 && v <= 0x9FFF { return 2 }  // CJK Unified Ideographs
    if contains(zeroRanges, v) { return 0 }
    if contains(wideRanges, v) { return 2 }
    return 1
  }

  /// `s` padded with spaces to `width` cells, on the left when `alignRight`; unchanged when
  /// it is already as wide or wider (padding never cuts: see `truncate(_:to:)`).
  ///
  ///     DisplayWidth.pad("华东", to: 6, alignRight: true)   // "  华东"
  public static func pad(_ s: String, to width: Int, alignRight: Bool) -> String {
    pad(s, measured: of(s), to: width, alignRight: alignRight)
  }

  /// `s` cut to at most `width` cells, ending with "…" when something was cut.
  ///
  ///     DisplayWidth.truncate("Customer loyalty", to: 9)   // "Customer…"
  ///     DisplayWidth.truncate("华东地区", to: 6)             // "华东…" (a wide character never splits)
  ///
  /// The result may be one cell narrower than `width` when a wide character did not fit;
  /// pad it if the column must be exact.
  public static func truncate(_ s: String, to width: Int) -> String {
    truncate(s, to: width, ellipsis: "…")
  }

  // MARK: - Internal

  /// Padding when the width of `s` is already known.
  static func pad(_ s: String, measured w: Int, to width: Int, alignRight: Bool) -> String {
    guard w < width else { return s }
    let fill = String(repeating: " ", count: width - w)
    return alignRight ? fill + s : s + fill
  }

  /// Cuts `s` to `width` cells with the given ellipsis ("…", or "..." in ASCII mode).
  static func truncate(_ s: String, to width: Int, ellipsis: String) -> String {
    guard width > 0 else { return "" }
    if of(s) <= width { return s }
    let ellipsisWidth = of(ellipsis)
    if ellipsisWidth >= width { return String(ellipsis.prefix(width)) }
    let budget = width - ellipsisWidth
    var used = 0
    var end = s.startIndex
    while end < s.endIndex {
      let w = of(s[end])
      if used + w > budget { break }
      used += w
      end = s.index(after: end)
    }
    return String(s[..<end]) + ellipsis
  }

  /// Width of text that is not all ASCII: grapheme by grapheme.
  private static func graphemeWidth(_ s: String) -> Int {
    var cells = 0
    for c in s { cells += of(c) }
    return cells
  }

  /// Binary search in sorted, disjoint closed ranges flattened as lo, hi, lo, hi, ….
  private static func contains(_ ranges: [UInt32], _ v: UInt32) -> Bool {
    var lo = 0
    var hi = ranges.count / 2 - 1
    while lo <= hi {
      let mid = (lo + hi) >> 1
      if v < ranges[2 * mid] {
        hi = mid - 1
      } else if v > ranges[2 * mid + 1] {
        lo = mid + 1
      } else {
        return true
      }
    }
    return false
  }
}
