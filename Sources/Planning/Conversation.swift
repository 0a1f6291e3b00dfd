// The conversation context: follow-up questions (那华东呢, 换成去年, 按渠道拆开, 只看金卡会员,
// "what about last year", "by channel") change the previous question's reading instead of
// starting over. Used by the REPL and the bot pipe; one-shot `ask` has none.

import Understanding

/// What was last understood in a conversation.
///
///     var c = Conversation()
///     c.remember(parser.read("上月各地区的复购率"))
///     c.resolve(parser.read("那华东呢"))   // reads as 上月华东的复购率
public struct Conversation: Sendable {
  public private(set) var last: Reading?

  public init() {}

  /// The reading to plan: `r` alone, or laid over the previous reading when `r` only changes
  /// a period, filter or grouping (or says it follows up).
  public func resolve(_ r: Reading) -> Reading {
    guard let last, r.isFragment || (r.followUp && !r.metrics.isEmpty) else { return r }
    return r.merged(onto: last)
  }

  /// Keeps a reading that was answered, for the next question.
  public mutating func remember(_ r: Reading) { last = r }

  public mutating func reset() { last = nil }
}
