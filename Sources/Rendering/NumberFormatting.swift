// Number formatting: how one value reads on screen, by its column's format and the language.
//
// Owns thousands separators, fixed decimals, percentages and the words for missing values.
// Locale-independent and deterministic: no Foundation, no NumberFormatter, no printf. A double
// is rounded on its shortest decimal form (the digits Swift prints for it), half away from
// zero, so 1.005 reads 1.01 and 0.3215 reads 32.2% as a person expects, whatever the binary
// value underneath; rates are moved two decimal places on those digits, never multiplied.

import QueryModel

/// Formats values for people: `1,234`, `1,234.56`, `32.2%`, `(未知)`, `—`.
///
///     NumberFormatting.format(.int(1234), .count, .zh)            // "1,234"
///     NumberFormatting.format(.double(1234.5), .money, .en)       // "1,234.50"
///     NumberFormatting.format(.double(0.3216), .rate, .zh)        // "32.2%"
///     NumberFormatting.format(.null, .label, .zh)                 // "(未知)"
///     NumberFormatting.format(.null, .money, .en)                 // "—"
public enum NumberFormatting {
  /// The text of `v` in a column of format `f`, for a reader of `lang`.
  ///
  /// - `count`: a whole number with separators (`1,234`); `money`: two decimals (`1,234.56`);
  ///   `rate`: a fraction as a percentage with one decimal (`0.3216` → `32.2%`); `number`: up
  ///   to two decimals (`1,234.5`); `score`: one decimal (`23.0`); `date`: a `Day` number as
  ///   `YYYY-MM-DD`; `label` and `period`: as they are (an integer id without separators).
  /// - A null (or NaN) key format (`label`, `period`, `date`) reads `(未知)` / `(unknown)`; a
  ///   null figure reads `—`. Text in a figure column is shown as it is.
  public static func format(_ v: Value, _ f: ValueFormat, _ lang: Language) -> String {
    format(v, f, lang, ascii: false)
  }

  /// `n` with thousands separators: `-1,234,567`.
  public static func grouped(_ n: Int) -> String {
    DecimalDigits(magnitude: UInt64(n.magnitude)).text(decimals: 0, negative: n < 0)
  }

  /// `x` rounded to `decimals` places, half away from zero on its shortest decimal form, with
  /// thousands separators; trailing zeros of the fraction dropped when `trimZeros`.
  ///
  ///     NumberFormatting.fixed(1234.5, decimals: 2)                   // "1,234.50"
  ///     NumberFormatting.fixed(1234.5, decimals: 2, trimZeros: true)  // "1,234.5"
  ///     NumberFormatting.fixed(-0.001, decimals: 2)                   // "0.00" (no negative zero)
  public static func fixed(_ x: Double, decimals: Int, trimZeros: Bool = false) -> String {
    guard x.isFinite else { return nonFinite(x, ascii: false) }
    return DecimalDigits(x).text(decimals: max(0, decimals), trimZeros: trimZeros, negative: x < 0)
  }

  /// The label of a missing group: `(未知)` / `(unknown)`.
  public static func unknownLabel(_ lang: Language) -> String {
    lang == .zh ? "(未知)" : "(unknown)"
  }

  // MARK: - Internal

  /// `format(_:_:_:)` with ASCII replacements for the dash of a missing figure and for infinity.
  static func format(_ v: Value, _ f: ValueFormat, _ lang: Language, ascii: Bool) -> String {
    switch v {
    case .null:
      return missing(f, lang, ascii: ascii)
    case .string(let s):
      return s
    case .int(let i):
      return format(int: i, f, lang)
    case .double(let d):
      if d.isNaN { return missing(f, lang, ascii: ascii) }
      if !d.isFinite { return nonFinite(d, ascii: ascii) }
      return format(double: d, f, lang)
    }
  }

  /// The text of a null: the unknown label for key formats, a dash for figures.
  static func missing(_ f: ValueFormat, _ lang: Language, ascii: Bool) -> String {
    switch f {
    case .label, .period, .date: return unknownLabel(lang)
    case .count, .money, .rate, .points, .number, .score: return ascii ? "-" : "—"
    }
  }

  private static func nonFinite(_ d: Double, ascii: Bool) -> String {
    if d.isNaN { return ascii ? "-" : "—" }
    let sign = d < 0 ? "-" : ""
    return sign + (ascii ? "inf" : "∞")
  }

  private static func format(int i: Int64, _ f: ValueFormat, _ lang: Language) -> String {
    let digits = DecimalDigits(magnitude: i.magnitude)
    let negative = i < 0
    switch f {
    case .label, .period: return String(i)
    case .date: return Day(raw: Int32(clamping: i)).iso
    case .count, .number: return digits.text(decimals: 0, negative: negative)
    case .money: return digits.text(decimals: 2, negative: negative)
    case .score: return digits.text(decimals: 1, negative: negative)
    case .rate: return digits.shifted(by: 2).text(decimals: 1, negative: negative) + "%"
    case .points: return points(digits.shifted(by: 2).text(decimals: 1, negative: negative), lang)
    }
  }

  /// "+2.1 个百分点" / "+2.1 pp": a signed number of percentage points.
  static func points(_ number: String, _ lang: Language) -> String {
    let nonZero = number.utf8.contains { $0 >= UInt8(ascii: "1") && $0 <= UInt8(ascii: "9") }
    let signed = number.hasPrefix("-") || !nonZero ? number : "+" + number
    return signed + (lang == .zh ? " 个百分点" : " pp")
  }

  private static func format(double d: Double, _ f: ValueFormat, _ lang: Language) -> String {
    let negative = d < 0
    switch f {
    case .label, .period:
      if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
      return d.description
    case .date:
      if abs(d) < 1e9 { return Day(raw: Int32(d.rounded(.down))).iso }
      return d.description
    case .count: return DecimalDigits(d).text(decimals: 0, negative: negative)
    case .money: return DecimalDigits(d).text(decimals: 2, negative: negative)
    case .number: return DecimalDigits(d).text(decimals: 2, trimZeros: true, negative: negative)
    case .score: return DecimalDigits(d).text(decimals: 1, negative: negative)
    case .rate: return DecimalDigits(d).shifted(by: 2).text(decimals: 1, negative: negative) + "%"
    case .points: return points(DecimalDigits(d).shifted(by: 2).text(decimals: 1, negative: negative), lang)
    }
  }

  // MARK: - Machine form

  /// Significant digits kept for rates (and changes of rates) in JSON and CSV.
  public static let machineRateDigits = 6

  /// The text of a double in JSON and CSV: money to the cent, rates (and their changes) to six
  /// significant digits, other figures to six significant digits or their whole part, whichever
  /// is longer; no thousands separators, a whole number with ".0". Rounding acts on the shortest
  /// decimal form, so the float noise of sums (3280569.059999966) never shows. nil for NaN and
  /// infinity (the caller writes its null).
  ///
  ///     NumberFormatting.machine(3280569.059999966, .money)   // "3280569.06"
  ///     NumberFormatting.machine(0.3215898825654923, .rate)   // "0.32159"
  ///     NumberFormatting.machine(12, .money)                  // "12.0"
  public static func machine(_ d: Double, _ f: ValueFormat) -> String? {
    guard d.isFinite else { return nil }
    if d == 0 { return "0.0" }
    let digits = DecimalDigits(d)
    let decimals: Int
    switch f {
    case .money: decimals = 2
    case .rate, .points: decimals = machineRateDigits - digits.exponent
    case .count, .number, .score: decimals = max(0, machineRateDigits - digits.exponent)
    case .label, .period, .date:
      if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) + ".0" }
      return d.description
    }
    guard decimals >= 0 else {
      // A rate of a million or more (never in practice): its whole part.
      return digits.text(decimals: 0, negative: d < 0, grouping: false) + ".0"
    }
    var text = digits.text(decimals: decimals, trimZeros: true, negative: d < 0, grouping: false)
    if !text.contains(".") { text += ".0" }
    return text
  }
}

/// The decimal digits of a non-negative number: value = 0.d₁d₂d₃… × 10^exponent.
struct DecimalDigits {
  /// Digits 0…9, most significant first, no leading zero; empty for zero.
  var digits: [UInt8]
  /// Where the decimal point sits: the number of integer digits when positive.
  var exponent: Int

  /// The digits of an integer's magnitude.
  init(magnitude m: UInt64) {
    var reversed: [UInt8] = []
    reversed.reserveCapacity(20)
    var rest = m
    while rest > 0 {
      reversed.append(UInt8(rest % 10))
      rest /= 10
    }
    digits = reversed.reversed()
    exponent = digits.count
  }

  /// The digits of |d|'s shortest round-trip decimal form (what `d.description` prints), so
  /// rounding acts on the number a person sees. `d` must be finite.
  init(_ d: Double) {
    var ds: [UInt8] = []
    ds.reserveCapacity(20)
    var integerDigits = 0
    var seenPoint = false
    var exp = 0
    var expSign = 1
    var inExponent = false
    for byte in abs(d).description.utf8 {
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"):
        let digit = byte - UInt8(ascii: "0")
        if inExponent {
          exp = exp * 10 + Int(digit)
        } else {
          ds.append(digit)
          if !seenPoint { integerDigits += 1 }
        }
      case UInt8(ascii: "."): seenPoint = true
      case UInt8(ascii: "e"), UInt8(ascii: "E"): inExponent = true
      case UInt8(ascii: "-"): if inExponent { expSign = -1 }
      default: break
      }
    }
    var e = integerDigits + expSign * exp
    var first = 0
    while first < ds.count && ds[first] == 0 {
      first += 1
      e -= 1
    }
    var last = ds.count
    while last > first && ds[last - 1] == 0 { last -= 1 }
    digits = Array(ds[first..<last])
    exponent = digits.isEmpty ? 0 : e
  }

  /// The number times 10^places (exact: only the decimal point moves).
  func shifted(by places: Int) -> DecimalDigits {
    var copy = self
    if !digits.isEmpty { copy.exponent += places }
    return copy
  }

  /// The number rounded half away from zero to `decimals` places, as text with thousands
  /// separators; "-" in front when `negative` and the rounded number is not zero.
  func text(decimals: Int, trimZeros: Bool = false, negative: Bool, grouping: Bool = true) -> String {
    var ds = digits
    var e = exponent
    let keep = e + decimals
    if keep < ds.count {
      if keep < 0 {
        ds = []
      } else {
        let roundUp = ds[keep] >= 5
        ds.removeSubrange(keep...)
        if roundUp {
          var i = keep - 1
          while i >= 0 && ds[i] == 9 {
            ds[i] = 0
            i -= 1
          }
          if i >= 0 {
            ds[i] += 1
          } else {
            ds.insert(1, at: 0)
            e += 1
          }
        }
      }
    }
    let isZero = !ds.contains { $0 != 0 }
    var out: [UInt8] = []
    out.reserveCapacity(max(e, 1) * 4 / 3 + decimals + 4)
    if negative && !isZero { out.append(UInt8(ascii: "-")) }
    let zero = UInt8(ascii: "0")
    if isZero || e <= 0 {
      out.append(zero)
    } else {
      for k in 0..<e {
        if grouping && k > 0 && (e - k) % 3 == 0 { out.append(UInt8(ascii: ",")) }
        out.append(zero + (k < ds.count ? ds[k] : 0))
      }
    }
    if decimals > 0 {
      var fraction: [UInt8] = []
      fraction.reserveCapacity(decimals)
      for i in e..<(e + decimals) {
        fraction.append(zero + (i >= 0 && i < ds.count && !isZero ? ds[i] : 0))
      }
      if trimZeros {
        while fraction.last == zero { fraction.removeLast() }
      }
      if !fraction.isEmpty {
        out.append(UInt8(ascii: "."))
        out.append(contentsOf: fraction)
      }
    }
    return String(decoding: out, as: UTF8.self)
  }
}
