// Line editing for the REPL: owns the LineReader protocol, the plain `readLine()` fallback, and
// the GNU readline reader (Chinese input, persistent history, tab completion of the vocabulary,
// Ctrl-C clearing the line). readline is GPL-3+, so it stays behind this small protocol and
// nothing else imports CReadline. The completion logic itself (`CompletionWords`) is plain Swift.

@preconcurrency import CReadline
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

public protocol LineReader {
  /// The next line, or nil at end of input (Ctrl-D).
  mutating func read(prompt: String) -> String?
  /// Adds a line to the history (and to the history file, for readline).
  mutating func remember(_ line: String)
}

/// Plain reading from stdin (no terminal: no editing, no history).
public struct PlainLineReader: LineReader {
  public init() {}
  public mutating func read(prompt: String) -> String? {
    FileHandle.standardOutput.write(Data(prompt.utf8))
    return readLine(strippingNewline: true)
  }
  public mutating func remember(_ line: String) {}
}

/// The words tab completion offers, and how they complete the text before the cursor.
///
/// Chinese has no spaces, so the word being completed is the longest tail of the line that
/// begins some phrase: 「上月各地区的复」 completes 「复」 to 复购率, 复购客户 …, keeping
/// 「上月各地区的」. English tails start at a word boundary ("repeat pur" → "repeat purchase rate").
public struct CompletionWords: Sendable {
  /// Whole phrases offered first: metrics, dimensions, values of the loaded data.
  public var preferred: [String]
  /// Other grammar phrases, offered when no preferred phrase fits.
  public var others: [String]

  public init(preferred: [String], others: [String]) {
    self.preferred = Array(Set(preferred)).sorted()
    self.others = Array(Set(others).subtracting(preferred)).sorted()
  }

  /// The text kept before the completed tail, and the phrases that complete the tail (empty
  /// when nothing fits).
  public func complete(_ before: String) -> (keep: String, phrases: [String]) {
    let chars = Array(before)
    let lowered = chars.map { Character($0.lowercased()) }
    var starts: [Int] = []
    for i in chars.indices where CompletionWords.canStart(chars, at: i) { starts.append(i) }
    for pool in [preferred, others] {
      for i in starts {
        let tail = String(lowered[i...])
        let found = pool.filter { $0.hasPrefix(tail) }
        if !found.isEmpty { return (String(chars[..<i]), found) }
      }
    }
    return ("", [])
  }

  /// A tail may start at any CJK character, and at an ASCII word's first letter.
  static func canStart(_ chars: [Character], at i: Int) -> Bool {
    let c = chars[i]
    if c.isWhitespace { return false }
    if i == 0 { return true }
    let prev = chars[i - 1]
    if isASCIIWord(c) { return !isASCIIWord(prev) }
    return true
  }

  static func isASCIIWord(_ c: Character) -> Bool {
    guard c.isASCII, let a = c.asciiValue else { return false }
    return (a >= 0x30 && a <= 0x39) || (a >= 0x41 && a <= 0x5A) || (a >= 0x61 && a <= 0x7A) || a == 0x5F
  }
}

// MARK: - readline glue (C callbacks cannot capture context, so their state is global)

/// State shared with readline's C callbacks; only touched on the main thread, by readline.
private enum ReadlineState {
  nonisolated(unsafe) static var words = CompletionWords(preferred: [], others: [])
  /// Matches of the completion under way (whole lines up to the cursor).
  nonisolated(unsafe) static var matches: [String] = []
  nonisolated(unsafe) static var nextMatch = 0
  /// Bytes of the kept text at the start of each match (not shown in the list of matches).
  nonisolated(unsafe) static var keptBytes = 0
  /// True while readline waits for a line: Ctrl-C then clears the line instead of nothing.
  nonisolated(unsafe) static var reading: Int32 = 0
  /// An empty set of word-break characters: the whole line up to the cursor reaches our
  /// completion function, which finds the tail to complete itself.
  nonisolated(unsafe) static let noBreaks: UnsafeMutablePointer<CChar>? = strdup("")
}

/// Called by readline for each match in turn (state 0 starts over).
private func nextCompletion(_ text: UnsafePointer<CChar>?, _ state: Int32) -> UnsafeMutablePointer<CChar>? {
  if state == 0 { ReadlineState.nextMatch = 0 }
  guard ReadlineState.nextMatch < ReadlineState.matches.count else { return nil }
  let m = ReadlineState.matches[ReadlineState.nextMatch]
  ReadlineState.nextMatch += 1
  return strdup(m)
}

/// readline's attempted-completion function: the vocabulary only, never file names.
private func attemptCompletion(
  _ text: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32
) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
  rl_attempted_completion_over = 1
  guard let text else { return nil }
  let before = String(decoding: UnsafeRawBufferPointer(start: text, count: strlen(text)), as: UTF8.self)
  let (keep, phrases) = ReadlineState.words.complete(before)
  guard !phrases.isEmpty else { return nil }
  ReadlineState.matches = phrases.map { keep + $0 }
  ReadlineState.keptBytes = keep.utf8.count
  // A space after an English word, none after Chinese.
  let endsASCII = phrases.count == 1 && (phrases[0].last.map(CompletionWords.isASCIIWord) ?? false)
  rl_completion_append_character = endsASCII ? 32 : 0
  return rl_completion_matches(text, nextCompletion)
}

/// Lists the matches without the kept text, so 「复购率 复购客户」 shows, not the whole line.
private func displayMatches(
  _ matches: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ count: Int32, _ maxLength: Int32
) {
  guard let matches, count > 0 else { return }
  let kept = ReadlineState.keptBytes
  var shortened: [UnsafeMutablePointer<CChar>?] = [matches[0].flatMap { strdup($0) }]
  var widest: Int32 = 1
  for i in 1...Int(count) {
    guard let m = matches[i] else { continue }
    let full = String(cString: m)
    let shown = full.utf8.count >= kept ? String(decoding: Array(full.utf8).dropFirst(kept), as: UTF8.self) : full
    widest = max(widest, Int32(displayWidth(shown)))
    shortened.append(strdup(shown))
  }
  shortened.append(nil)
  shortened.withUnsafeMutableBufferPointer { buf in
    rl_display_match_list(buf.baseAddress, Int32(buf.count - 2), widest)
  }
  for p in shortened { free(p) }
  rl_forced_update_display()
}

/// Terminal columns of `s`: East Asian wide characters take two (enough to lay out a list of
/// matches; Rendering owns the exact table).
func displayWidth(_ s: String) -> Int {
  var w = 0
  for u in s.unicodeScalars {
    switch u.value {
    case 0x0300...0x036F, 0x200B...0x200F: continue
    case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
      0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F,
      0x20000...0x3FFFD:
      w += 2
    default: w += 1
    }
  }
  return w
}

/// Ctrl-C while reading: abandon the line and show a fresh prompt; otherwise ignored.
private func interrupted(_ signal: Int32) {
  guard ReadlineState.reading != 0 else { return }
  _ = write(STDOUT_FILENO, "\n", 1)
  rl_on_new_line()
  rl_replace_line("", 0)
  rl_redisplay()
}

/// GNU readline with a persistent history file and completion of `words`.
public struct ReadlineReader: LineReader {
  let historyPath: String
  var last: String?
  /// Lines kept in the history file.
  public static let historyLimit: Int32 = 2000

  public init(historyPath: String, words: CompletionWords = CompletionWords(preferred: [], others: [])) {
    self.historyPath = historyPath
    setlocale(LC_ALL, "")
    rl_readline_name = UnsafePointer(strdup("wenshu"))
    ReadlineState.words = words
    rl_completer_word_break_characters = UnsafePointer(ReadlineState.noBreaks)
    rl_basic_word_break_characters = UnsafePointer(ReadlineState.noBreaks)
    rl_attempted_completion_function = attemptCompletion
    rl_completion_display_matches_hook = displayMatches
    rl_completion_query_items = 200
    signal(SIGINT, interrupted)
    using_history()
    stifle_history(ReadlineReader.historyLimit)
    read_history(historyPath)
    if history_length > 0, let e = history_get(history_base + history_length - 1), let l = e.pointee.line {
      last = String(cString: l)
    }
  }

  public mutating func read(prompt: String) -> String? {
    ReadlineState.reading = 1
    defer { ReadlineState.reading = 0 }
    guard let p = readline(prompt) else { return nil }
    defer { free(p) }
    return String(decoding: UnsafeRawBufferPointer(start: p, count: strlen(p)), as: UTF8.self)
  }

  /// Adds the line to the history unless it repeats the previous one, and saves the file.
  public mutating func remember(_ line: String) {
    guard !line.trimmingCharacters(in: .whitespaces).isEmpty, line != last else { return }
    last = line
    add_history(line)
    write_history(historyPath)
  }
}
