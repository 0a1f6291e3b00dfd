// Amounts of money written the Chinese way: 123元1角1分, 十块三毛, 一百三十五块六角七分钱.
// A number followed by 元/块 and optional 角/毛 and 分 reads as one amount in yuan.

extension Numerals {
  /// An amount of money starting at `i`, with the unit 元/块 (so never a count of orders).
  ///
  ///     Numerals.matchMoney(Array("十块三毛".unicodeScalars), at: 0)   // (10.3, 4)
  public static func matchMoney(_ text: [Unicode.Scalar], at i: Int) -> (value: Double, end: Int)? {
    guard let (yuan, e1) = match(text, at: i), e1 < text.count else { return nil }
    var end = e1
    if text[end] == "元" {
      end += 1
    } else if text[end] == "块" {
      end += 1
    } else {
      return nil
    }
    var value = yuan
    // optional 角/毛 then 分
    if let (jiao, e2) = match(text, at: end), e2 < text.count, text[e2] == "角" || text[e2] == "毛", jiao < 10 {
      value += jiao / 10
      end = e2 + 1
    }
    if let (fen, e3) = match(text, at: end), e3 < text.count, text[e3] == "分", fen < 10 {
      value += fen / 100
      end = e3 + 1
    }
    if end < text.count, text[end] == "钱" { end += 1 }
    return (value, end)
  }
}
