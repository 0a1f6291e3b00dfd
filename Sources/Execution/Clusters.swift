// Customer clusters (semantics.md "Clusters"): k-means (Prediction/KMeans.swift) over the
// customers with at least one order up to today, on standardised log(1 + R), log(1 + F),
// log(1 + M), R, F, M as in RFM (days since the last order, orders, spend). Each cluster:
// size, share and mean R, F, M, named as the RFM segments are from how its means compare
// with the overall means. The within-cluster sum of squares is in the notes (and the JSON).

import Cube
import Foundation
import Prediction
import QueryModel

enum Clusters {
  /// The customers clustered and their standardised features (row-major, 3 per customer).
  static func features(_ ctx: ExecutionContext) -> (customers: [Int32], raw: [(Double, Double, Double)], x: [Double]) {
    let st = ctx.stats
    var customers: [Int32] = []
    var raw: [(Double, Double, Double)] = []
    for c in 0..<st.orderCount.count where st.orderCount[c] > 0 && ctx.customerPasses(Int32(c)) {
      customers.append(Int32(c))
      raw.append((Double(ctx.today - st.lastDay[c]), Double(st.orderCount[c]), st.totalSpend[c]))
    }
    let n = raw.count
    var x = [Double](repeating: 0, count: n * 3)
    for (i, r) in raw.enumerated() {
      x[i * 3] = log1p(max(r.0, 0))
      x[i * 3 + 1] = log1p(max(r.1, 0))
      x[i * 3 + 2] = log1p(max(r.2, 0))
    }
    for d in 0..<3 {
      var mean = 0.0
      for i in 0..<n { mean += x[i * 3 + d] }
      mean /= Double(max(n, 1))
      var v = 0.0
      for i in 0..<n { v += (x[i * 3 + d] - mean) * (x[i * 3 + d] - mean) }
      let sd = (v / Double(max(n, 1))).squareRoot()
      for i in 0..<n { x[i * 3 + d] = sd > 0 ? (x[i * 3 + d] - mean) / sd : 0 }
    }
    return (customers, raw, x)
  }

  static func run(_ ctx: ExecutionContext, _ a: Analysis) throws -> ResultTable {
    let zh = ctx.lang == .zh
    let (customers, raw, x) = features(ctx)
    let k = a.clusters
    guard k >= 2, k <= 20 else {
      throw ExecutionError(zh ? "聚类的类数要在 2 到 20 之间。" : "The number of clusters must be between 2 and 20.")
    }
    guard customers.count >= k else {
      throw ExecutionError(zh ? "有订单的客户只有 \(customers.count) 位，不够分成 \(k) 类。" : "Only \(customers.count) customers have orders: too few for \(k) clusters.")
    }
    let fit = KMeans.fit(x, dims: 3, k: k)
    var size = [Int](repeating: 0, count: k)
    var sums = [(Double, Double, Double)](repeating: (0, 0, 0), count: k)
    var all = (0.0, 0.0, 0.0)
    for (i, r) in raw.enumerated() {
      let j = Int(fit.assignment[i])
      size[j] += 1
      sums[j].0 += r.0; sums[j].1 += r.1; sums[j].2 += r.2
      all.0 += r.0; all.1 += r.1; all.2 += r.2
    }
    let n = Double(raw.count)
    let overall = (all.0 / n, all.1 / n, all.2 / n)
    // Clusters numbered by size (largest first), ties by mean spend.
    let meanSpend: [Double] = (0..<k).map { j in size[j] > 0 ? sums[j].2 / Double(size[j]) : 0 }
    let orderIdx: [Int] = (0..<k).filter { size[$0] > 0 }.sorted { (x: Int, y: Int) -> Bool in
      if size[x] != size[y] { return size[x] > size[y] }
      return meanSpend[x] > meanSpend[y]
    }
    let columns = [
      ResultColumn(id: "cluster", title: zh ? "类别" : "cluster", format: .label, isKey: true),
      ResultColumn(id: "name", title: zh ? "名称" : "name", format: .label, isKey: false),
      ResultColumn(id: "customers", title: zh ? "客户数" : "customers", format: .count, isKey: false),
      ResultColumn(id: "share", title: zh ? "占比" : "share", format: .rate, isKey: false),
      ResultColumn(id: "recency_days", title: zh ? "平均最近一次购买距今天数" : "mean days since last order", format: .number, isKey: false),
      ResultColumn(id: "frequency", title: zh ? "平均订单数" : "mean orders", format: .number, isKey: false),
      ResultColumn(id: "monetary", title: zh ? "平均消费金额" : "mean spend", format: .money, isKey: false),
    ]
    var rows: [[Value]] = []
    for (rank, j) in orderIdx.enumerated() {
      let s = Double(size[j])
      let m = (sums[j].0 / s, sums[j].1 / s, sums[j].2 / s)
      let seg = Segment.of(rHigh: m.0 < overall.0, fHigh: m.1 > overall.1, mHigh: m.2 > overall.2)
      rows.append([.string(zh ? "第\(rank + 1)类" : "cluster \(rank + 1)"), .string(seg.name(ctx.lang)), .int(Int64(size[j])),
                   .double(s / n), .double(m.0), .double(m.1), .double(m.2)])
    }
    let wcss = String(format: "%.6f", fit.wcss)
    let note = zh ? "k-means：\(customers.count) 位客户，特征为标准化的 log(1+R)、log(1+F)、log(1+M)，k-means++ 固定种子取 10 次中最优；组内平方和 WCSS = \(wcss)"
      : "k-means on \(customers.count) customers, standardised log(1+R), log(1+F), log(1+M), k-means++ from a fixed seed, best of 10; within-cluster sum of squares WCSS = \(wcss)"
    return ResultTable(columns: columns, rows: rows, shape: .breakdown, notes: [note])
  }
}
