// Numerals: reading a number written in digits, Chinese numerals or English number words.
//
// This file owns the one number reader of Wenshu. Time phrases (最近三十天, last two weeks),
// rankings (前十名, top 5) and amounts (1.5万, 2k) all read their numbers here, at a given
// offset of the normalised text, without regular expressions or intermediate strings:
//
//   digits         1200, 1,200, 1.5, 0033
//   Chinese        三十, 两千, 十二, 一百零五, 两, 廿一, 三万五 (35000), 两千六 (2600), 千一 (1100)
//   financial      壹佰贰拾, 參萬肆仟 (traditional forms too)
//   mixed          1.5万, 3千, 100万三千, 1万600, 5w, 2k, 1.2m, 3 million
//   English        one … nineteen, twenty … ninety, hundred, thousand, million, billion:
//                  twenty-one, five hundred and four, two thousand
//
// "a"/"an" are not numbers here (too ambiguous; grammar rules spell "a week ago" out).

/// Numbers in questions.
///
///     let t = Array("近两千六百天".unicodeScalars)
///     Numerals.match(t, at: 1)          // (value: 2600.0, end: 5)
///     Numerals.parseWhole("1.5万")      // 15000.0
///     Numerals.parseWhole("twenty-one") // 21.0
public enum Numerals {
  /// The number that starts at offset `i`, with the offset just after it.
  ///
  /// English words must start and end at a letter boundary ("one" is not read inside
  /// "phone"); a suffix k/w/m counts only when no letter follows it ("5w", not "5weeks").
  ///
  ///     Numerals.match(Array("top 2k".unicodeScalars), at: 4)   // (2000.0, 6)
  ///
  /// - Complexity: O(length of the number).
  public static func match(_ text: [Unicode.Scalar], at i: Int) -> (value: Double, end: Int)? {
    guard i >= 0, i < text.count else { return nil }
    let v = text[i].value
    if isASCIIDigit(v) || chineseDigit(v) != nil || chineseUnit(v) != nil || bigUnit(v) != nil || v == 0x5EFF
      || v == 0x5345
    {
      return matchDigitsOrChinese(text, i)
    }
    if isASCIILetter(v) {
      if i > 0 && isASCIILetter(text[i - 1].value) { return nil }
      return matchEnglish(text, i)
    }
    return nil
  }

  /// The value of a string that is one number and nothing else (surrounding spaces and a
  /// sign — `-`, 负, minus, negative — allowed).
  ///
  ///     Numerals.parseWhole("三万五")     // 35000.0
  ///     Numerals.parseWhole("3个")       // nil
  public static func parseWhole(_ s: String) -> Double? {
    var t: [Unicode.Scalar] = []
    t.reserveCapacity(s.unicodeScalars.count)
    for u in s.unicodeScalars {
      var v = u.value
      if v >= 0xFF01 && v <= 0xFF5E { v -= 0xFEE0 }
      if v >= 0x41 && v <= 0x5A { v += 0x20 }
      if let w = Unicode.Scalar(v) { t.append(w) }
    }
    var a = 0
    var b = t.count
    while a < b, t[a] == " " { a += 1 }
    while b > a, t[b - 1] == " " { b -= 1 }
    guard a < b else { return nil }
    var sign = 1.0
    if t[a] == "-" || t[a] == "负" || t[a] == "負" {
      sign = -1
      a += 1
    } else if let e = word(t, a, "minus") ?? word(t, a, "negative") {
      sign = -1
      a = e
    }
    while a < b, t[a] == " " { a += 1 }
    guard a < b else { return nil }
    let body = Array(t[a..<b])
    if body[0] == ".", body.count > 1, isASCIIDigit(body[1].value) {
      // ".77"
      var frac = 0.0
      var scale = 0.1
      for k in 1..<body.count {
        guard isASCIIDigit(body[k].value) else { return nil }
        frac += Double(body[k].value - 48) * scale
        scale /= 10
      }
      return sign * frac
    }
    guard let (value, end) = match(body, at: 0), end == body.count else { return nil }
    return sign * value
  }

  // MARK: - Character classes

  @inline(__always) static func isASCIIDigit(_ v: UInt32) -> Bool { v >= 0x30 && v <= 0x39 }
  @inline(__always) static func isASCIILetter(_ v: UInt32) -> Bool { (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) }

  /// 零〇一二两三四五六七八九 and their financial / traditional forms.
  @inline(__always) static func chineseDigit(_ v: UInt32) -> Int? {
    switch v {
    case 0x96F6, 0x3007: return 0  // 零 〇
    case 0x4E00, 0x58F9: return 1  // 一 壹
    case 0x4E8C, 0x4E24, 0x8D30, 0x8CB3, 0x5169: return 2  // 二 两 贰 貳 兩
    case 0x4E09, 0x53C1, 0x53C3: return 3  // 三 叁 參
    case 0x56DB, 0x8086: return 4  // 四 肆
    case 0x4E94, 0x4F0D: return 5  // 五 伍
    case 0x516D, 0x9646, 0x9678: return 6  // 六 陆 陸
    case 0x4E03, 0x67D2: return 7  // 七 柒
    case 0x516B, 0x634C: return 8  // 八 捌
    case 0x4E5D, 0x7396: return 9  // 九 玖
    default: return nil
    }
  }

  /// 十百千 (拾佰仟).
  @inline(__always) static func chineseUnit(_ v: UInt32) -> Double? {
    switch v {
    case 0x5341, 0x62FE: return 10  // 十 拾
    case 0x767E, 0x4F70: return 100  // 百 佰
    case 0x5343, 0x4EDF: return 1000  // 千 仟
    default: return nil
    }
  }

  /// 万亿 (萬億).
  @inline(__always) static func bigUnit(_ v: UInt32) -> Double? {
    switch v {
    case 0x4E07, 0x842C: return 10_000  // 万 萬
    case 0x4EBF, 0x5104: return 100_000_000  // 亿 億
    default: return nil
    }
  }

  @inline(__always) static func isPoint(_ v: UInt32) -> Bool { v == 0x70B9 || v == 0x9EDE }  // 点 點

  // MARK: - Digits and Chinese numerals

  /// Reads an ASCII digit run at `j` (thousands commas only when `commas`), with a decimal part.
  static func asciiNumber(_ t: [Unicode.Scalar], _ j0: Int, commas: Bool) -> (Double, Int, Int) {
    var j = j0
    var value = 0.0
    var digits = 0
    while j < t.count, isASCIIDigit(t[j].value) {
      value = value * 10 + Double(t[j].value - 48)
      j += 1
      digits += 1
    }
    if commas && digits <= 3 {
      // 1,200 / 3,000,000: a comma followed by exactly three digits.
      while j + 3 < t.count, t[j] == ",", isASCIIDigit(t[j + 1].value), isASCIIDigit(t[j + 2].value),
        isASCIIDigit(t[j + 3].value), j + 4 >= t.count || !isASCIIDigit(t[j + 4].value)
      {
        value = value * 1000 + Double(t[j + 1].value - 48) * 100 + Double(t[j + 2].value - 48) * 10
          + Double(t[j + 3].value - 48)
        j += 4
        digits += 3
      }
    }
    if j + 1 < t.count, t[j] == ".", isASCIIDigit(t[j + 1].value) {
      j += 1
      var scale = 0.1
      while j < t.count, isASCIIDigit(t[j].value) {
        value += Double(t[j].value - 48) * scale
        scale /= 10
        j += 1
      }
    }
    return (value, j, digits)
  }

  static func matchDigitsOrChinese(_ t: [Unicode.Scalar], _ i: Int) -> (value: Double, end: Int)? {
    var yi = 0.0  // the part already multiplied by 亿
    var wan = 0.0  // the part already multiplied by 万
    var sec = 0.0  // below 万
    var d: Double? = nil  // a digit not yet given a unit
    var dSingleChinese = false
    var lastUnit = 0.0  // the unit written just before `d` (0 after 零)
    var any = false
    var onlyASCII = true
    var j = i
    var end = i

    func scaled() -> Double {
      guard let dv = d else { return 0 }
      // 三万五 = 35000, 两千六 = 2600, 一百二 = 120: a bare digit after a unit ≥ 百.
      if dSingleChinese && lastUnit >= 100 { return dv * lastUnit / 10 }
      return dv
    }

    while j < t.count {
      let v = t[j].value
      if isASCIIDigit(v) {
        if d != nil { break }
        let (num, e, _) = asciiNumber(t, j, commas: !any)
        d = num
        dSingleChinese = false
        j = e
        end = e
        any = true
        continue
      }
      if let x = chineseDigit(v) {
        if x == 0 {
          if d != nil { break }  // 一零: digit by digit, not a numeral
          if !any {
            d = 0
            dSingleChinese = false
          }
          lastUnit = 0
          j += 1
          if !any { end = j }
          any = true
          onlyASCII = false
          continue
        }
        if d != nil { break }  // 五八: two digits without a unit
        d = Double(x)
        dSingleChinese = true
        j += 1
        end = j
        any = true
        onlyASCII = false
        continue
      }
      if v == 0x5EFF || v == 0x5345 {  // 廿 卅
        if d != nil { break }
        sec += v == 0x5EFF ? 20 : 30
        lastUnit = 10
        j += 1
        end = j
        any = true
        onlyASCII = false
        continue
      }
      if let u = chineseUnit(v) {
        if d == nil && !any && u >= 100 {
          // 千一, 百二万: a leading 百/千 only when a digit follows.
          guard j + 1 < t.count, chineseDigit(t[j + 1].value) ?? 0 > 0 else { break }
        }
        sec += (d ?? 1) * u
        d = nil
        lastUnit = u
        j += 1
        end = j
        any = true
        onlyASCII = false
        continue
      }
      if let u = bigUnit(v) {
        if !any {
          // 萬九 = 19000: a leading 万 only when a digit follows.
          guard j + 1 < t.count, chineseDigit(t[j + 1].value) ?? 0 > 0 else { break }
          d = 1
          dSingleChinese = false
        }
        let val = sec + scaled()
        if u == 10_000 {
          wan += val * u
        } else {
          yi = (yi + wan + val) * u
          wan = 0
        }
        sec = 0
        d = nil
        lastUnit = u
        j += 1
        end = j
        any = true
        onlyASCII = false
        continue
      }
      if isPoint(v), any, j + 1 < t.count {
        // 一点五, 一百点123, 零点零一: a decimal part, digit by digit.
        var k = j + 1
        var frac = 0.0
        var scale = 0.1
        while k < t.count {
          let w = t[k].value
          if isASCIIDigit(w) {
            frac += Double(w - 48) * scale
          } else if let x = chineseDigit(w) {
            frac += Double(x) * scale
          } else {
            break
          }
          scale /= 10
          k += 1
        }
        if k == j + 1 { break }
        d = scaled() + frac
        dSingleChinese = false
        lastUnit = 0
        j = k
        end = k
        onlyASCII = false
        continue
      }
      break
    }
    guard any, end > i else { return nil }
    var value = yi + wan + sec + scaled()
    if onlyASCII {
      // 2k, 5w, 1.2m (no letter may follow); 3 million, 5 thousand.
      if end < t.count {
        let s = t[end].value
        let next = end + 1 < t.count ? t[end + 1].value : 0x20
        if !isASCIILetter(next) {
          switch s {
          case 0x6B, 0x4B: return (value * 1_000, end + 1)  // k
          case 0x77, 0x57: return (value * 10_000, end + 1)  // w
          case 0x6D, 0x4D: return (value * 1_000_000, end + 1)  // m
          default: break
          }
        }
        if s == 0x20, end + 1 < t.count, isASCIILetter(t[end + 1].value) {
          var k = end + 1
          while k < t.count, isASCIILetter(t[k].value) { k += 1 }
          if let m = scaleWord(t, end + 1, k) { value *= m; end = k }
        }
      }
    }
    return (value, end)
  }

  // MARK: - English words

  /// A lowercase ASCII word of up to 13 letters packed into an integer (base 27), so that
  /// word tables are looked up without building strings.
  @inline(__always) static func wordKey(_ t: [Unicode.Scalar], _ a: Int, _ b: Int) -> UInt64? {
    guard b > a, b - a <= 13 else { return nil }
    var k: UInt64 = 0
    for j in a..<b {
      let v = t[j].value
      guard v >= 0x61 && v <= 0x7A else { return nil }
      k = k &* 27 &+ UInt64(v - 0x60)
    }
    return k
  }

  static func wordKey(_ w: String) -> UInt64 {
    var k: UInt64 = 0
    for v in w.utf8 { k = k &* 27 &+ UInt64(v - 0x60) }
    return k
  }

  static func keyed(_ table: [String: Int]) -> [UInt64: Int] {
    var out: [UInt64: Int] = [:]
    for (w, v) in table { out[wordKey(w)] = v }
    return out
  }

  static let smallWordKeys = keyed(smallWords)

  static let smallWords: [String: Int] = [
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
  ]

  /// hundred(s), thousand(s), million(s), billion(s) between `a` and `b`.
  static func scaleWord(_ t: [Unicode.Scalar], _ a: Int, _ b: Int) -> Double? {
    var n = b - a
    if n > 1 && t[b - 1] == "s" { n -= 1 }
    switch n {
    case 7 where same(t, a, "hundred"): return 100
    case 8 where same(t, a, "thousand"): return 1_000
    case 7 where same(t, a, "million"): return 1_000_000
    case 7 where same(t, a, "billion"): return 1_000_000_000
    default: return nil
    }
  }

  /// Whether the lowercase word `w` is written at `a` (the text is already lowercase).
  @inline(__always) static func same(_ t: [Unicode.Scalar], _ a: Int, _ w: StaticString) -> Bool {
    let n = w.utf8CodeUnitCount
    guard a + n <= t.count else { return false }
    return w.withUTF8Buffer { buf in
      for k in 0..<n where t[a + k].value != UInt32(buf[k]) { return false }
      return true
    }
  }

  /// The end of the whole word `w` at `a`, or nil.
  static func word(_ t: [Unicode.Scalar], _ a: Int, _ w: StaticString) -> Int? {
    let n = w.utf8CodeUnitCount
    guard same(t, a, w), a + n == t.count || !isASCIILetter(t[a + n].value) else { return nil }
    return a + n
  }

  static func smallValue(_ t: [Unicode.Scalar], _ a: Int, _ b: Int) -> Int? {
    guard b - a >= 3, b - a <= 9, let k = wordKey(t, a, b) else { return nil }
    return smallWordKeys[k]
  }

  static func matchEnglish(_ t: [Unicode.Scalar], _ i: Int) -> (value: Double, end: Int)? {
    var total = 0.0
    var current = 0
    var j = i
    var end = i
    var any = false
    while j < t.count {
      var k = j
      while k < t.count, isASCIILetter(t[k].value) { k += 1 }
      if k == j { break }
      if let v = smallValue(t, j, k) {
        let rest = current % 100
        if v >= 20 {
          if rest != 0 { break }
        } else if v >= 10 || v == 0 {
          if rest != 0 { break }
        } else if rest != 0 && (rest < 20 || rest % 10 != 0) {
          break
        }
        current += v
      } else if let m = scaleWord(t, j, k), any {
        if m == 100 {
          if current == 0 || current % 100 != current { break }
          current *= 100
        } else {
          if current == 0 { break }
          total += Double(current) * m
          current = 0
        }
      } else {
        break
      }
      any = true
      end = k
      j = k
      // Continue over " " or "-" (and " and ") to the next number word.
      guard j < t.count, t[j] == " " || t[j] == "-" else { break }
      var n = j + 1
      if t[j] == " ", let e = word(t, n, "and"), e < t.count, t[e] == " " { n = e + 1 }
      guard n < t.count, isASCIILetter(t[n].value) else { break }
      var m = n
      while m < t.count, isASCIILetter(t[m].value) { m += 1 }
      guard smallValue(t, n, m) != nil || scaleWord(t, n, m) != nil else { break }
      j = n
    }
    guard any else { return nil }
    return (total + Double(current), end)
  }
}
