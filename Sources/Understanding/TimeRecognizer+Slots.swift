// Reading slot values from normalised text: numbers ({n}), years ({year}, {yy}), months and
// days in digits or Chinese numerals, weekdays, quarters, English month names and ordinals.
//
// This file owns `TextClass`: the character classes the matcher needs (letters, digits,
// Chinese numerals, where a number may end) and one reader per `{slot}` of the time
// template language; the matcher (TimeRecognizer.swift) calls them.

// MARK: - Reading slot values

enum TextClass {
  @inline(__always) static func isLetter(_ v: UInt32) -> Bool { v >= 0x61 && v <= 0x7A }
  @inline(__always) static func isDigit(_ v: UInt32) -> Bool { v >= 0x30 && v <= 0x39 }
  @inline(__always) static func isChineseNumeral(_ v: UInt32) -> Bool {
    Numerals.chineseDigit(v) != nil || v == 0x5341 || v == 0x767E || v == 0x5343 || v == 0x5EFF || v == 0x5345
  }

  /// Whether a slot may start with this scalar (a cheap pre-check before trying slot-first templates).
  @inline(__always) static func canStartSlot(_ v: UInt32) -> Bool {
    isDigit(v) || isLetter(v) || isChineseNumeral(v) || v == 0x65E5 || v == 0x5929  // 日 天
  }

  /// Units and words that make the digits before them a number (618元, 618个, 618万).
  static let numberFollowers: Set<UInt32> = Set("元块万千百亿%个单次人件笔位名岁天日号年月周分折倍kw".unicodeScalars.map(\.value))

  /// Words after which a bare number (618) is still a date: the start of the question,
  /// punctuation, and 在 的 和 与 及 跟 or 、 (spaces between are skipped). After anything
  /// else (超过618, 大于 618, 金额是618, over 618, top 618) it is a number.
  static let dateNumberPredecessors: Set<UInt32> = Set("在的和与及跟、,，;；:：(（".unicodeScalars.map(\.value))

  /// Whether digits ending at `e` may stand for a date: nothing follows that makes them a
  /// number or an amount.
  static func dateNumberEnds(_ t: [Unicode.Scalar], _ e: Int) -> Bool {
    guard e < t.count else { return true }
    let v = t[e].value
    if v == 0x2E { return e + 1 >= t.count || !isDigit(t[e + 1].value) }  // 618.5 is a number
    return !numberFollowers.contains(v) && !isDigit(v) && !isLetter(v)
  }

  /// Whether bare digits starting at `p` may stand for a date (see `dateNumberPredecessors`).
  static func dateNumberStarts(_ t: [Unicode.Scalar], _ p: Int) -> Bool {
    var q = p - 1
    while q >= 0 && t[q] == " " { q -= 1 }
    guard q >= 0 else { return true }
    let v = t[q].value
    return dateNumberPredecessors.contains(v) || (v < 0x80 && !isDigit(v) && !isLetter(v) && v != 0x2E)
  }

  /// Two scalars that read as one number: a slot may not end between them.
  @inline(__always) static func glued(_ a: UInt32, _ b: UInt32) -> Bool {
    (isDigit(a) && isDigit(b)) || (isChineseNumeral(a) && isChineseNumeral(b))
  }

  static func read(_ s: Slot, _ t: [Unicode.Scalar], _ q: Int, first: Bool) -> (Int, Int)? {
    let v = t[q].value
    if first && q > 0 && glued(t[q - 1].value, v) { return nil }
    switch s {
    case .n:
      guard let (x, e) = Numerals.match(t, at: q), x >= 0, x <= 100_000, x == x.rounded(.down) else { return nil }
      return (Int(x), e)
    case .year:
      if let (x, e) = digits(t, q, exactly: 4) ?? chineseDigits(t, q, exactly: 4), x >= 1900, x <= 2099 { return (x, e) }
      return nil
    case .mm:
      guard let (x, e) = digits(t, q, exactly: 2), (1...12).contains(x) else { return nil }
      return (x, e)
    case .dd:
      guard let (x, e) = digits(t, q, exactly: 2), (1...31).contains(x) else { return nil }
      return (x, e)
    case .yy:
      return digits(t, q, exactly: 2) ?? chineseDigits(t, q, exactly: 2)
    case .month:
      guard let (x, e) = smallNumber(t, q), (1...12).contains(x) else { return nil }
      return (x, e)
    case .day:
      guard let (x, e) = smallNumber(t, q), (1...31).contains(x) else { return nil }
      if isDigit(t[e - 1].value), let e2 = ordinalSuffix(t, e) { return (x, e2) }
      return (x, e)
    case .quarter:
      if isDigit(v), (1...4).contains(Int(v) - 48) {
        if let e = ordinalSuffix(t, q + 1) { return (Int(v) - 48, e) }
        return (Int(v) - 48, q + 1)
      }
      if isLetter(v) {
        guard let (x, e) = word(t, q, ordinals, plural: false), (1...4).contains(x) else { return nil }
        return (x, e)
      }
      if let x = Numerals.chineseDigit(v), (1...4).contains(x), v != 0x4E24 { return (x, q + 1) }
      return nil
    case .weekday:
      // 一…六 日 天 name a weekday only right after 周, 星期 or 礼拜 (not 今天天气).
      if !isLetter(v) {
        guard q > 0 else { return nil }
        let prev = t[q - 1].value
        guard prev == 0x5468 || prev == 0x671F || prev == 0x62DC else { return nil }  // 周 期 拜
      }
      switch v {
      case 0x4E00: return (1, q + 1)
      case 0x4E8C: return (2, q + 1)
      case 0x4E09: return (3, q + 1)
      case 0x56DB: return (4, q + 1)
      case 0x4E94: return (5, q + 1)
      case 0x516D: return (6, q + 1)
      case 0x65E5, 0x5929: return (7, q + 1)
      default: return word(t, q, weekdays, plural: true)
      }
    case .monthName:
      return word(t, q, monthNames, plural: false)
    case .ordinal:
      if isDigit(v), let (x, e) = digits(t, q, upTo: 2), let e2 = ordinalSuffix(t, e) { return (x, e2) }
      return word(t, q, ordinals, plural: false)
    }
  }

  /// 1–2 ASCII digits, or a Chinese numeral below 100 (三, 十二, 二十九, 廿一).
  static func smallNumber(_ t: [Unicode.Scalar], _ q: Int) -> (Int, Int)? {
    let v = t[q].value
    if isDigit(v) { return digits(t, q, upTo: 2) }
    guard isChineseNumeral(v) else { return nil }
    var j = q
    var tens = 0
    var ones: Int?
    if let d = Numerals.chineseDigit(v), d > 0 {
      ones = d
      j += 1
    }
    if j < t.count {
      let u = t[j].value
      if u == 0x5341 {  // 十
        tens = (ones ?? 1) * 10
        ones = nil
        j += 1
      } else if ones == nil && (u == 0x5EFF || u == 0x5345) {  // 廿 卅
        tens = u == 0x5EFF ? 20 : 30
        j += 1
      }
    }
    if tens > 0, j < t.count, let d = Numerals.chineseDigit(t[j].value), d > 0 {
      ones = d
      j += 1
    }
    let x = tens + (ones ?? 0)
    guard j > q, x > 0 else { return nil }
    return (x, j)
  }

  static func digits(_ t: [Unicode.Scalar], _ q: Int, upTo m: Int) -> (Int, Int)? {
    var j = q
    var x = 0
    while j < t.count, j - q < m, isDigit(t[j].value) {
      x = x * 10 + Int(t[j].value) - 48
      j += 1
    }
    return j > q ? (x, j) : nil
  }

  static func digits(_ t: [Unicode.Scalar], _ q: Int, exactly m: Int) -> (Int, Int)? {
    guard let (x, e) = digits(t, q, upTo: m), e - q == m else { return nil }
    return (x, e)
  }

  /// 二〇二五, 零七: Chinese digits written one by one.
  static func chineseDigits(_ t: [Unicode.Scalar], _ q: Int, exactly m: Int) -> (Int, Int)? {
    guard q + m <= t.count else { return nil }
    var x = 0
    for j in q..<(q + m) {
      let v = t[j].value
      guard let d = Numerals.chineseDigit(v), v != 0x4E24 else { return nil }  // not 两
      x = x * 10 + d
    }
    return (x, q + m)
  }

  /// st / nd / rd / th after a digit, as a whole word ending.
  static func ordinalSuffix(_ t: [Unicode.Scalar], _ e: Int) -> Int? {
    guard e + 2 <= t.count else { return nil }
    let a = t[e].value
    let b = t[e + 1].value
    let ok = (a == 0x73 && b == 0x74) || (a == 0x6E && b == 0x64) || (a == 0x72 && b == 0x64) || (a == 0x74 && b == 0x68)
    guard ok, e + 2 == t.count || !isLetter(t[e + 2].value) else { return nil }
    return e + 2
  }

  /// A whole English word from `table` at `q` (optionally with a plural s).
  static func word(_ t: [Unicode.Scalar], _ q: Int, _ table: [UInt64: Int], plural: Bool) -> (Int, Int)? {
    guard isLetter(t[q].value), q == 0 || !isLetter(t[q - 1].value) else { return nil }
    var j = q
    while j < t.count, isLetter(t[j].value) { j += 1 }
    guard j - q <= 10, let k = Numerals.wordKey(t, q, j) else { return nil }
    if let x = table[k] { return (x, j) }
    if plural, t[j - 1] == "s", let k2 = Numerals.wordKey(t, q, j - 1), let x = table[k2] { return (x, j) }
    return nil
  }

  static let weekdays = Numerals.keyed([
    "monday": 1, "mon": 1, "tuesday": 2, "tue": 2, "tues": 2, "wednesday": 3, "wed": 3, "thursday": 4, "thu": 4,
    "thur": 4, "thurs": 4, "friday": 5, "fri": 5, "saturday": 6, "sat": 6, "sunday": 7, "sun": 7,
  ])
  static let monthNames = Numerals.keyed([
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
  ])
  static let ordinals = Numerals.keyed([
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1,
  ])
}
