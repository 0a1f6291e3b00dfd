// RFM per customer as of today (semantics.md "RFM"): R, F, M, 1–5 quintile scores with
// equal values scored equally, and the eight segments by comparison with the means.
//
// - Complexity: O(c log c) for c customers with orders.

import Cube
import QueryModel

enum RFMComputation {
  /// The eight segments alone: each customer's R, F and M against their means.
  /// - Complexity: O(customers), two passes.
  static func segments(stats: CustomerStats, today: Int32) -> ContiguousArray<Int8> {
    let n = stats.orderCount.count
    var seg = ContiguousArray<Int8>(repeating: -1, count: n)
    var pop = 0
    var rSum = 0.0, fSum = 0.0, mSum = 0.0
    for c in 0..<n where stats.orderCount[c] > 0 {
      pop += 1
      rSum += Double(today - stats.lastDay[c])
      fSum += Double(stats.orderCount[c])
      mSum += stats.totalSpend[c]
    }
    guard pop > 0 else { return seg }
    let rMean = rSum / Double(pop), fMean = fSum / Double(pop), mMean = mSum / Double(pop)
    // segment index by the three comparisons (R high = 4, F high = 2, M high = 1)
    var lookup = [Int8](repeating: 7, count: 8)
    for (i, s) in Segment.allCases.enumerated() {
      let p = s.profile
      lookup[(p.r ? 4 : 0) + (p.f ? 2 : 0) + (p.m ? 1 : 0)] = Int8(i)
    }
    for c in 0..<n where stats.orderCount[c] > 0 {
      let r = Double(today - stats.lastDay[c]) < rMean, f = Double(stats.orderCount[c]) > fMean, m = stats.totalSpend[c] > mMean
      seg[c] = lookup[(r ? 4 : 0) + (f ? 2 : 0) + (m ? 1 : 0)]
    }
    return seg
  }

  static func compute(stats: CustomerStats, today: Int32) -> RFMTable {
    let n = stats.orderCount.count
    var r = ContiguousArray<Int32>(repeating: -1, count: n)
    var f = ContiguousArray<Int32>(repeating: 0, count: n)
    var m = ContiguousArray<Double>(repeating: 0, count: n)
    var who: [Int] = []
    for c in 0..<n where stats.orderCount[c] > 0 {
      who.append(c)
      r[c] = today - stats.lastDay[c]
      f[c] = stats.orderCount[c]
      m[c] = stats.totalSpend[c]
    }
    let pop = who.count
    var rs = ContiguousArray<Int8>(repeating: 0, count: n)
    var fs = ContiguousArray<Int8>(repeating: 0, count: n)
    var ms = ContiguousArray<Int8>(repeating: 0, count: n)
    var seg = ContiguousArray<Int8>(repeating: -1, count: n)
    guard pop > 0 else {
      return RFMTable(r: r, f: f, m: m, rScore: rs, fScore: fs, mScore: ms, segment: seg, population: 0)
    }
    /// score = 1 + ⌊5 · (customers with a strictly smaller value) / N⌋ (for R: strictly larger),
    /// by binary search in the sorted values (no comparator closures on a million customers).
    func scores(_ values: [Double], larger: Bool, into out: inout ContiguousArray<Int8>) {
      let sorted = values.sorted()
      for (i, c) in who.enumerated() {
        let v = values[i]
        // first index with sorted[idx] >= v (strictly smaller below it)
        var lo = 0, hi = pop
        if larger {
          // count strictly larger: pop − (first index with sorted[idx] > v)
          while lo < hi { let mid = (lo + hi) / 2; if sorted[mid] <= v { lo = mid + 1 } else { hi = mid } }
          out[c] = Int8(1 + (5 * (pop - lo)) / pop)
        } else {
          while lo < hi { let mid = (lo + hi) / 2; if sorted[mid] < v { lo = mid + 1 } else { hi = mid } }
          out[c] = Int8(1 + (5 * lo) / pop)
        }
      }
    }
    /// For small non-negative integers (recency in days, order counts): a histogram and its
    /// prefix sums give the counts of strictly smaller or larger values in O(n).
    func integerScores(_ values: ContiguousArray<Int32>, larger: Bool, into out: inout ContiguousArray<Int8>) -> Bool {
      var maxV: Int32 = 0
      for c in who {
        let v = values[c]
        if v < 0 { return false }
        if v > maxV { maxV = v }
      }
      guard maxV < 10_000_000 else { return false }
      var hist = ContiguousArray<Int>(repeating: 0, count: Int(maxV) + 2)
      for c in who { hist[Int(values[c])] += 1 }
      var below = ContiguousArray<Int>(repeating: 0, count: hist.count)  // values strictly smaller
      for v in 1..<hist.count { below[v] = below[v - 1] + hist[v - 1] }
      for c in who {
        let v = Int(values[c])
        let n = larger ? pop - below[v] - hist[v] : below[v]
        out[c] = Int8(1 + (5 * n) / pop)
      }
      return true
    }
    if !integerScores(r, larger: true, into: &rs) { scores(who.map { Double(r[$0]) }, larger: true, into: &rs) }
    if !integerScores(f, larger: false, into: &fs) { scores(who.map { Double(f[$0]) }, larger: false, into: &fs) }
    scores(who.map { m[$0] }, larger: false, into: &ms)
    var rSum = 0.0, fSum = 0.0, mSum = 0.0
    for c in who {
      rSum += Double(r[c])
      fSum += Double(f[c])
      mSum += m[c]
    }
    let rMean = rSum / Double(pop), fMean = fSum / Double(pop), mMean = mSum / Double(pop)
    for c in who {
      let s = Segment.of(rHigh: Double(r[c]) < rMean, fHigh: Double(f[c]) > fMean, mHigh: m[c] > mMean)
      seg[c] = Int8(Segment.allCases.firstIndex(of: s) ?? 7)
    }
    return RFMTable(r: r, f: f, m: m, rScore: rs, fScore: fs, mScore: ms, segment: seg, population: pop)
  }
}
