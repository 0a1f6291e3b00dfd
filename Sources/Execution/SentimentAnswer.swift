// Answers about comment sentiment (semantics.md "Comment sentiment"): the shares of positive,
// negative and mixed/neutral comments and 好评率 = positive / comments with text in P, by period
// and customer attribute; or the topics (grammars/feedback) of the negative comments.

import Cube
import QueryModel

enum SentimentAnswer {
  static func run(_ ctx: ExecutionContext, _ a: Analysis, lexicon: SentimentLexicon, cache: AnalysisCache) throws -> ResultTable {
    let zh = ctx.lang == .zh
    guard let fb = ctx.cube.feedback else {
      throw ExecutionError(zh ? "这份数据没有评价（反馈）表，无法分析评论情感。" : "This data has no feedback table, so comment sentiment cannot be answered.")
    }
    guard !lexicon.isEmpty else {
      throw ExecutionError(zh ? "没有情感词表（grammars/sentiment/）。" : "No sentiment lexicon found (grammars/sentiment/).")
    }
    let polarity = cache.polarities {
      let cl = SentimentClassifier(lexicon)
      var memo: [String: Int8] = [:]
      return fb.comment.map { c in
        if c.unicodeScalars.allSatisfy({ $0.properties.isWhitespace }) { return -1 }
        if let p = memo[c] { return p }
        let p = Int8(cl.classify(c).rawValue)
        memo[c] = p
        return p
      }
    }
    let (lo, hi) = Analyses.bounds(ctx)
    let keys = ctx.groupKeys(period: ctx.plan.period, dataRange: ctx.cube.dateRange)
    for p in keys.parts where p.dimension != nil && !(p.dimension!.isCustomerAttribute && p.dimension != .customer) {
      throw ExecutionError(zh ? "评论情感只能按时间或客户属性拆分。" : "Comment sentiment can be split by time or a customer attribute only.")
    }
    let partCodes = keys.parts.map { p in p.dimension.map { Analyses.customerCodes(ctx, $0) } }
    func key(_ i: Int) -> Int64? {
      var k: Int64 = 0
      for (j, p) in keys.parts.enumerated() {
        var code: Int
        if let g = p.grain {
          code = g.index(of: Day(raw: fb.day[i])) - p.base
          if code < 0 || code >= p.cardinality { return nil }
        } else {
          let c = fb.customer[i]
          code = c < 0 ? 0 : Int(partCodes[j]![Int(c)]) + 1
        }
        k += Int64(code) * keys.strides[j]
      }
      return k
    }
    if a.negativeTopics { return try topics(ctx, fb, polarity, lo, hi) }
    var counts: [Int64: [Int]] = [:]
    for i in 0..<fb.count where polarity[i] >= 0 && Analyses.inPeriod(fb.day[i], lo, hi) && ctx.customerPasses(fb.customer[i]) {
      guard let k = key(i) else { continue }
      counts[k, default: [0, 0, 0]][Int(polarity[i])] += 1
    }
    var columns: [ResultColumn] = []
    for p in keys.parts {
      if let g = p.grain { columns.append(ResultColumn(id: g.rawValue, title: g.title(ctx.lang), format: .period, isKey: true)) }
      else if let d = p.dimension { columns.append(ResultColumn(id: d.rawValue, title: d.title(ctx.lang), format: .label, isKey: true)) }
    }
    columns += [
      ResultColumn(id: "positive_rate", title: zh ? "好评率" : "positive share", format: .rate, isKey: false),
      ResultColumn(id: "negative_rate", title: zh ? "负面占比" : "negative share", format: .rate, isKey: false),
      ResultColumn(id: "mixed_rate", title: zh ? "中性或混合占比" : "mixed or neutral share", format: .rate, isKey: false),
      ResultColumn(id: "comments", title: zh ? "有内容的评论数" : "comments with text", format: .count, isKey: false),
    ]
    var allKeys = Array(counts.keys)
    if keys.parts.isEmpty { allKeys = [0] }
    if let gi = keys.parts.firstIndex(where: { $0.grain != nil }), keys.parts.count == 1 {
      allKeys = (0..<keys.parts[gi].cardinality).map(Int64.init)  // every unit of the period
    }
    let sortValue: (Int64) -> [Value] = { k in
      zip(keys.parts, keys.decode(k)).map { p, c in p.grain != nil ? .int(Int64(c)) : ctx.label(p.dimension!, code: Int32(c - 1)) }
    }
    allKeys.sort { x, y in
      let a = sortValue(x), b = sortValue(y)
      for (u, v) in zip(a, b) where u != v { return valueLess(u, v) }
      return false
    }
    var rows: [[Value]] = []
    for k in allKeys {
      var line: [Value] = []
      for (p, c) in zip(keys.parts, keys.decode(k)) {
        line.append(p.grain.map { .string($0.label(ofIndex: p.base + c)) } ?? ctx.label(p.dimension!, code: Int32(c - 1)))
      }
      let v = counts[k] ?? [0, 0, 0]
      let total = v.reduce(0, +)
      for j in 0..<3 { line.append(total > 0 ? .double(Double(v[j]) / Double(total)) : .null) }
      line.append(.int(Int64(total)))
      rows.append(line)
    }
    let shape: ResultShape = keys.parts.isEmpty ? .breakdown : (ctx.plan.timeGrain != nil && keys.parts.count == 1 ? .series : .breakdown)
    let note = zh ? "好评率 = 正面评论 ÷ 有内容的评论；按 grammars/sentiment 词表判断（否定词反转，“但”之后的分句权重加倍）"
      : "positive share = positive comments ÷ comments with text; by the grammars/sentiment lexicon (negators turn a phrase, the clause after “but” weighs double)"
    return ResultTable(columns: columns, rows: rows, shape: shape, notes: [note])
  }

  /// The topics of the negative comments, by count.
  static func topics(_ ctx: ExecutionContext, _ fb: FeedbackTable, _ polarity: [Int8], _ lo: Int32, _ hi: Int32) throws -> ResultTable {
    let zh = ctx.lang == .zh
    let negTopics = ctx.topics.filter(\.negative)
    var counts = [Int](repeating: 0, count: negTopics.count)
    var negative = 0
    for i in 0..<fb.count where polarity[i] == Int8(Polarity.negative.rawValue) && Analyses.inPeriod(fb.day[i], lo, hi) && ctx.customerPasses(fb.customer[i]) {
      negative += 1
      for (j, t) in negTopics.enumerated() where t.phrases.contains(where: { fb.comment[i].contains($0) }) { counts[j] += 1 }
    }
    var order = Array(0..<negTopics.count).filter { counts[$0] > 0 }
    order.sort { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : negTopics[$0].name.unicodeScalars.lexicographicallyPrecedes(negTopics[$1].name.unicodeScalars) }
    let columns = [
      ResultColumn(id: "topic", title: zh ? "主题" : "topic", format: .label, isKey: true),
      ResultColumn(id: "negative_comments", title: zh ? "负面评论数" : "negative comments", format: .count, isKey: false),
      ResultColumn(id: "share", title: zh ? "占负面评论" : "share of negative comments", format: .rate, isKey: false),
    ]
    let rows: [[Value]] = order.map { j in [.string(negTopics[j].name), .int(Int64(counts[j])), negative > 0 ? .double(Double(counts[j]) / Double(negative)) : .null] }
    let note = zh ? "负面评论：\(negative) 条（按情感词表判断）；一条评论可涉及多个主题" : "negative comments: \(negative) (by the sentiment lexicon); a comment may touch several topics"
    return ResultTable(columns: columns, rows: rows, shape: .ranking, notes: [note])
  }
}
