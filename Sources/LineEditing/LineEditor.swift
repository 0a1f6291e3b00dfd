// Line editing for the REPL: readline when stdin is a terminal (history, Chinese input,
// completion), a plain `readLine()` otherwise. readline is GPL-3+, so it stays behind this
// small protocol and nothing else imports CReadline.

@preconcurrency import CReadline
import Foundation

public protocol LineReader {
  /// The next line, or nil at end of input (Ctrl-D).
  mutating func read(prompt: String) -> String?
  mutating func remember(_ line: String)
}

/// Plain reading from stdin.
public struct PlainLineReader: LineReader {
  public init() {}
  public mutating func read(prompt: String) -> String? {
    FileHandle.standardOutput.write(Data(prompt.utf8))
    return readLine(strippingNewline: true)
  }
  public mutating func remember(_ line: String) {}
}

/// GNU readline with a persistent history file.
public struct ReadlineReader: LineReader {
  let historyPath: String

  public init(historyPath: String) {
    self.historyPath = historyPath
    setlocale(LC_ALL, "")
    using_history()
    read_history(historyPath)
  }

  public mutating func read(prompt: String) -> String? {
    guard let p = readline(prompt) else { return nil }
    defer { free(p) }
    return String(cString: p)
  }

  public mutating func remember(_ line: String) {
    guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { return }
    add_history(line)
    write_history(historyPath)
  }
}
