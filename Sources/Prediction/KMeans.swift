// k-means (Lloyd's algorithm, stopping when the centres move less than scikit-learn's
// tolerance) with k-means++ seeding from a fixed seed, the best of several
// starts by within-cluster sum of squares (semantics.md "Clusters"). Points are rows of a
// flat, row-major array of `dims` columns. Starts run in parallel; the result is the same
// whatever the scheduling (each start has its own seed, the best is picked by (WCSS, start)).

import Dispatch

public struct KMeansResult: Sendable {
  public var centroids: [Double]  // k × dims, row-major
  public var assignment: [Int32]
  public var wcss: Double
  public var iterations: Int
}

public enum KMeans {
  /// SplitMix64: small, fast and the same on every platform.
  struct Rng {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
  }

  /// Runs `starts` k-means++ starts and keeps the lowest WCSS.
  /// - Complexity: O(starts · iterations · n · k · dims).
  public static func fit(_ x: [Double], dims: Int, k: Int, starts: Int = 10, seed: UInt64 = 20_261_122, maxIterations: Int = 300) -> KMeansResult {
    let n = x.count / dims
    precondition(n >= k && k >= 1)
    // scikit-learn's tolerance: 1e-4 × the mean variance of the features.
    var meanVariance = 0.0
    for d in 0..<dims {
      var m = 0.0, v = 0.0
      for i in 0..<n { m += x[i * dims + d] }
      m /= Double(n)
      for i in 0..<n { v += (x[i * dims + d] - m) * (x[i * dims + d] - m) }
      meanVariance += v / Double(n) / Double(dims)
    }
    let tol = 1e-4 * meanVariance
    let box = ResultBox(starts)
    DispatchQueue.concurrentPerform(iterations: starts) { s in
      let r = run(x, n: n, dims: dims, k: k, seed: seed &+ UInt64(s) &* 0x1_0000_0001, maxIterations: maxIterations, tol: tol)
      box.set(s, r)
    }
    let results = box.results
    var best = results[0]!
    for r in results.dropFirst() where r!.wcss < best.wcss { best = r! }
    return best
  }

  static func run(_ x: [Double], n: Int, dims: Int, k: Int, seed: UInt64, maxIterations: Int, tol: Double) -> KMeansResult {
    var rng = Rng(state: seed)
    var c = [Double](repeating: 0, count: k * dims)
    var assign = [Int32](repeating: -1, count: n)
    var iterations = 0
    var wcss = 0.0
    x.withUnsafeBufferPointer { xp in
      c.withUnsafeMutableBufferPointer { cp in
        // k-means++: the first centre uniformly, each next one with probability ∝ D².
        let first = Int(rng.next() % UInt64(n))
        for d in 0..<dims { cp[d] = xp[first * dims + d] }
        var d2 = [Double](repeating: 0, count: n)
        d2.withUnsafeMutableBufferPointer { dp in
          for i in 0..<n { dp[i] = dist(xp, i, UnsafeBufferPointer(cp), 0, dims) }
          for j in 1..<k {
            var total = 0.0
            for i in 0..<n { total += dp[i] }
            var pick = n - 1
            if total > 0 {
              var target = rng.unit() * total
              for i in 0..<n {
                target -= dp[i]
                if target <= 0 { pick = i; break }
              }
            } else {
              pick = Int(rng.next() % UInt64(n))
            }
            for d in 0..<dims { cp[j * dims + d] = xp[pick * dims + d] }
            for i in 0..<n { dp[i] = min(dp[i], dist(xp, i, UnsafeBufferPointer(cp), j, dims)) }
          }
        }
        let sums = UnsafeMutableBufferPointer<Double>.allocate(capacity: k * dims)
        let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: k)
        defer {
          sums.deallocate()
          counts.deallocate()
        }
        assign.withUnsafeMutableBufferPointer { ap in
          while iterations < maxIterations {
            iterations += 1
            var changed = 0
            for j in 0..<(k * dims) { sums[j] = 0 }
            for j in 0..<k { counts[j] = 0 }
            let centres = UnsafeBufferPointer(cp)
            for i in 0..<n {
              let (bj, _) = nearest(xp, i, centres, k, dims)
              if ap[i] != Int32(bj) { changed += 1; ap[i] = Int32(bj) }
              counts[bj] += 1
              for d in 0..<dims { sums[bj * dims + d] += xp[i * dims + d] }
            }
            if changed == 0 { break }
            var shift = 0.0
            for j in 0..<k where counts[j] > 0 {
              for d in 0..<dims {
                let v = sums[j * dims + d] / Double(counts[j])
                shift += (v - cp[j * dims + d]) * (v - cp[j * dims + d])
                cp[j * dims + d] = v
              }
            }
            // Converged when the centres moved (in total, squared) less than tol (as scikit-learn).
            if shift <= tol { break }
          }
          // The final assignment to the final centres, and its WCSS.
          wcss = 0
          let centres = UnsafeBufferPointer(cp)
          for i in 0..<n {
            let (bj, bd) = nearest(xp, i, centres, k, dims)
            ap[i] = Int32(bj)
            wcss += bd
          }
        }
      }
    }
    return KMeansResult(centroids: c, assignment: assign, wcss: wcss, iterations: iterations)
  }

  @inline(__always)
  static func nearest(_ x: UnsafeBufferPointer<Double>, _ i: Int, _ c: UnsafeBufferPointer<Double>, _ k: Int, _ dims: Int) -> (Int, Double) {
    var bj = 0
    var bd = Double.infinity
    for j in 0..<k {
      let dd = dist(x, i, c, j, dims)
      if dd < bd { bd = dd; bj = j }
    }
    return (bj, bd)
  }

  @inline(__always)
  static func dist(_ x: UnsafeBufferPointer<Double>, _ i: Int, _ c: UnsafeBufferPointer<Double>, _ j: Int, _ dims: Int) -> Double {
    if dims == 3 {
      let a = x[i * 3] - c[j * 3], b = x[i * 3 + 1] - c[j * 3 + 1], e = x[i * 3 + 2] - c[j * 3 + 2]
      return a * a + b * b + e * e
    }
    var s = 0.0
    for d in 0..<dims {
      let t = x[i * dims + d] - c[j * dims + d]
      s += t * t
    }
    return s
  }
}

/// Collects the starts' results from parallel workers.
final class ResultBox: @unchecked Sendable {
  private let q = DispatchQueue(label: "wenshu.kmeans")
  private(set) var results: [KMeansResult?]
  init(_ n: Int) { results = [KMeansResult?](repeating: nil, count: n) }
  func set(_ i: Int, _ r: KMeansResult) { q.sync { results[i] = r } }
}
