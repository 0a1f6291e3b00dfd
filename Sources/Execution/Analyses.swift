// The deeper analyses' entry point (semantics.md "Baskets, paths, clusters and comment
// sentiment"): dispatch by kind, and the structures built once per executor and reused by
// every question (per-unit item sets, the sentiment of each comment).

import Cube
import Foundation
import QueryModel

enum Analyses {
  static func run(_ ctx: ExecutionContext, _ a: Analysis, executor: Executor) throws -> ResultTable {
    switch a.kind {
    case .boughtTogether: return try Baskets.run(ctx, a, cache: executor.analysisCache)
    case .funnel: return try Funnel.run(ctx, a, steps: executor.analysisGrammar.eventSteps)
    case .clusters: return try Clusters.run(ctx, a)
    case .sentiment: return try SentimentAnswer.run(ctx, a, lexicon: executor.analysisGrammar.sentiment, cache: executor.analysisCache)
    }
  }

  /// Whether a day is in the plan's period (all data up to today when none).
  @inline(__always) static func inPeriod(_ d: Int32, _ lo: Int32, _ hi: Int32) -> Bool { d != nullDay && d >= lo && d <= hi }

  /// The code of a customer dimension for every customer (-1 = NULL), computed once per question.
  static func customerCodes(_ ctx: ExecutionContext, _ d: DimensionID) -> ContiguousArray<Int32> {
    if let col = ctx.cube.customers.attributes[d] { return col.codes }
    return ContiguousArray((0..<ctx.cube.customers.count).map { ctx.customerCode(d, $0) })
  }

  static func bounds(_ ctx: ExecutionContext) -> (Int32, Int32) {
    if let p = ctx.plan.period { return (p.start.raw, p.end.raw) }
    return (Int32.min + 1, ctx.today)
  }
}

/// Built-once structures, keyed by what they depend on (thread-safe).
final class AnalysisCache: @unchecked Sendable {
  private let lock = NSLock()
  private var baskets: [String: ItemSets] = [:]
  private var polarity: [Int8]?

  func itemSets(_ key: String, _ build: () throws -> ItemSets) rethrows -> ItemSets {
    lock.lock()
    if let b = baskets[key] { lock.unlock(); return b }
    lock.unlock()
    let b = try build()
    lock.lock()
    baskets[key] = b
    lock.unlock()
    return b
  }

  func polarities(_ build: () -> [Int8]) -> [Int8] {
    lock.lock()
    if let p = polarity { lock.unlock(); return p }
    lock.unlock()
    let p = build()
    lock.lock()
    polarity = p
    lock.unlock()
    return p
  }
}
