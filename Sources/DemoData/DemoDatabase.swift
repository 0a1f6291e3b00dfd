// The built-in demo: a deterministic generator of a Chinese omni-channel retailer's database
// (customers, orders, order items, feedback) shaped like the reference retail_cn.sqlite.
//
// This file owns `DemoSpec`, `DemoDatabase` (writing a demo file and the per-day cache of the
// built-in one) and everything private to generation: the seeded PRNG, the catalog, the
// calendar of seasons and the row writer. Nothing here reads the clock or the system random
// generator: the same spec always gives the same rows, in the same order.
//
// How the data is made, in two passes over the customers:
//  1. Each customer gets a sign-up day (sign-ups grow over time), a day after which they stop
//     buying (a third never stop), and a purchase intensity (log-normal). About 40% of buyers
//     buy once; the other orders are shared out in proportion to intensity × active days, so the
//     total is exactly the spec's.
//  2. Each customer's orders are laid out in bursts (several orders within days of each other,
//     which makes a third of a month's buyers repeat within the month), on days drawn by a
//     seasonal weight (618, 双十一, 双十二, a slow Spring Festival, busier weekends); then the
//     orders, their items and some feedback are drawn, and the customer row is written, with a
//     member level that follows the customer's spend.
//  3. The orders (with their items) and the feedback are written in date order, numbered in that
//     order, as a real order table is: consecutive rows belong to unrelated customers.
// A few dirty rows are added on purpose, as in retail_cn: orders with a NULL amount and orders
// of customers missing from the customer table.

import CSQLite
import Foundation
import QueryModel

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The size, seed and last day of a generated demo database.
///
///     let spec = DemoSpec(customers: 50, orders: 300, lastDay: Day(year: 2026, month: 11, day: 21))
///     try DemoDatabase.write(spec, to: "/tmp/demo.sqlite")
public struct DemoSpec: Sendable, Hashable {
  /// Rows of the `customers` table.
  public var customers: Int
  /// Rows of the `orders` table (the few dirty rows included).
  public var orders: Int
  /// The seed of the generator: the same spec always gives the same content.
  public var seed: UInt64
  /// The last day with data; data starts on January 1 two years before its year.
  public var lastDay: Day

  /// A spec; the defaults are those of the built-in demo.
  public init(customers: Int = 6000, orders: Int = 40000, seed: UInt64 = 20_261_122, lastDay: Day) {
    self.customers = customers
    self.orders = orders
    self.seed = seed
    self.lastDay = lastDay
  }
}

/// The built-in demo retail database: a generator and a per-day cache.
///
/// The tables have the shape of retail_cn.sqlite:
///
///     customers(id, name, gender, birth_year, city, region, source_channel, member_level, registered_at)
///     orders(id, customer_id, created_at, channel, total_amount, discount_amount)
///     order_items(order_id, product_id, product_name, category, quantity, unit_price)
///     feedback(id, customer_id, created_at, nps, comment)
///     app_events(customer_id, event_time, event_type 浏览/加购/下单/支付, product_id)
///
/// (app_events: the clickstream behind the last year's online orders, DemoEvents.swift)
/// with indexes on `orders(customer_id)` and `order_items(order_id)`.
public enum DemoDatabase {
  /// The generator's version, part of the cache file name: bump it when the content changes.
  static let version = 3

  /// Writes a new SQLite database at `path`, replacing any file there atomically (the data is
  /// written to `path + ".tmp"`, then renamed).
  ///
  /// - Complexity: O(customers + orders): about 3 s per million orders in a release build, on a
  ///   file of about 170 bytes per order.
  public static func write(_ spec: DemoSpec, to path: String) throws {
    try write(spec, to: path, via: path + ".tmp")
  }

  /// The path of the built-in demo whose data ends yesterday (`today - 1`):
  /// `$XDG_CACHE_HOME/wenshu/demo-<lastDay>-v1.sqlite` (`~/.cache` when XDG_CACHE_HOME is not
  /// set). The file is made on first use, through a temporary file of its own and a rename, so
  /// concurrent callers in several threads or processes all end up with a complete file.
  public static func cachedDemo(today: Day) throws -> String {
    let lastDay = today - 1
    let dir = cacheDirectory()
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let path = dir + "/demo-\(lastDay.iso)-v\(version).sqlite"
    if FileManager.default.fileExists(atPath: path) { return path }
    // A temporary name of its own, so that two writers never share one file.
    let tmp = path + ".\(ProcessInfo.processInfo.processIdentifier).\(UUID().uuidString).tmp"
    try write(DemoSpec(lastDay: lastDay), to: path, via: tmp)
    return path
  }

  static func cacheDirectory() -> String {
    let env = ProcessInfo.processInfo.environment
    if let xdg = env["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return xdg + "/wenshu" }
    let home = env["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
    return home + "/.cache/wenshu"
  }

  static func write(_ spec: DemoSpec, to path: String, via tmp: String) throws {
    guard spec.customers >= 0, spec.orders >= 0 else {
      throw DemoDataError(
        "a demo database needs non-negative counts (customers \(spec.customers), orders \(spec.orders))")
    }
    unlink(tmp)
    do {
      try DemoGenerator(spec).generate(into: tmp)
    } catch {
      unlink(tmp)
      throw error
    }
    if rename(tmp, path) != 0 {
      let reason = String(cString: strerror(errno))
      unlink(tmp)
      throw DemoDataError("cannot move the demo database to \(path): \(reason)")
    }
  }
}

// MARK: - Random numbers

/// xoshiro256** seeded through SplitMix64: small, fast and the same on every platform.
struct DemoRandom {
  private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

  init(seed: UInt64) {
    var x = seed
    func splitMix() -> UInt64 {
      x &+= 0x9E37_79B9_7F4A_7C15
      var z = x
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    s0 = splitMix()
    s1 = splitMix()
    s2 = splitMix()
    s3 = splitMix()
  }

  @inline(__always) mutating func next() -> UInt64 {
    let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = s3 << 45 | s3 >> 19
    return result
  }

  /// Uniform in [0, 1).
  @inline(__always) mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

  /// Uniform in 0..<n (n > 0, below 2³²).
  @inline(__always) mutating func below(_ n: Int) -> Int { Int(((next() >> 32) &* UInt64(n)) >> 32) }

  @inline(__always) mutating func chance(_ p: Double) -> Bool { uniform() < p }

  /// Standard normal (Box–Muller, one value per call).
  mutating func normal() -> Double {
    let u = 1 - uniform()
    return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * uniform())
  }

  /// Exponential with the given mean.
  mutating func exponential(mean: Double) -> Double { -log(1 - uniform()) * mean }

  /// An index drawn by cumulative weights (ascending, last = total).
  @inline(__always) mutating func pick(_ cumulative: [Double]) -> Int {
    let x = uniform() * (cumulative.last ?? 0)
    var i = 0
    while i < cumulative.count - 1, x >= cumulative[i] { i += 1 }
    return i
  }
}

// MARK: - The world: catalog, places, people

enum DemoWorld {
  static let categories = ["母婴", "美妆", "服饰", "食品", "数码", "家居", "运动"]
  /// (name, category index, unit price in fen): the retail_cn catalog.
  static let products: [(String, Int, Int)] = [
    ("婴儿纸尿裤", 0, 39190), ("奶粉", 0, 23190), ("婴儿推车", 0, 27290), ("儿童绘本", 0, 28690),
    ("保湿面霜", 1, 5690), ("口红", 1, 32890), ("防晒霜", 1, 40990), ("洗面奶", 1, 11890),
    ("羽绒服", 2, 47290), ("运动鞋", 2, 46790), ("T恤", 2, 58690), ("牛仔裤", 2, 30390),
    ("坚果礼盒", 3, 11290), ("咖啡豆", 3, 18890), ("有机大米", 3, 14490), ("牛奶", 3, 11090),
    ("蓝牙耳机", 4, 318090), ("充电宝", 4, 123090), ("智能手表", 4, 304290), ("平板电脑", 4, 141790),
    ("四件套", 5, 32590), ("收纳箱", 5, 23990), ("香薰", 5, 42490), ("保温杯", 5, 27890),
    ("瑜伽垫", 6, 58090), ("跑步机", 6, 159290), ("哑铃", 6, 71390), ("运动水壶", 6, 56790),
  ]
  static let productsPerCategory = 4

  static let regions = ["华东", "华北", "华南", "华中", "西南", "西北", "东北"]
  /// (city, region index, weight).
  static let cities: [(String, Int, Double)] = [
    ("上海", 0, 5), ("杭州", 0, 5), ("南京", 0, 5), ("苏州", 0, 5), ("宁波", 0, 5), ("合肥", 0, 5),
    ("北京", 1, 5), ("天津", 1, 4.5), ("石家庄", 1, 4.5), ("太原", 1, 4.5),
    ("广州", 2, 5), ("深圳", 2, 5.5), ("厦门", 2, 5.5), ("南宁", 2, 5),
    ("武汉", 3, 3.7), ("郑州", 3, 3.8), ("长沙", 3, 3.8),
    ("成都", 4, 4), ("重庆", 4, 3.7), ("昆明", 4, 4),
    ("西安", 5, 2.2), ("兰州", 5, 2.1),
    ("沈阳", 6, 2.1), ("大连", 6, 2.1), ("哈尔滨", 6, 2.2),
  ]

  static let channels = ["线上商城", "小程序", "门店", "直播"]
  static let orderChannelWeights: [Double] = [0.38, 0.24, 0.26, 0.12]
  static let levels = ["普通会员", "银卡", "金卡", "钻石"]
  /// Spend (fen) from which a customer is 银卡, 金卡, 钻石.
  static let levelThresholds = [300_000, 1_000_000, 3_000_000]
  static let genders = ["男", "女"]

  static let surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余"
  static let femaleChars = "丽娟敏静婷雪芳燕玲霞颖琳欣怡佳慧倩洁璐晶梅兰红萍悦雯思梦雨涵"
  static let maleChars = "伟强磊军勇杰涛明超鹏浩宇辉斌刚鑫峰俊凯博文华健龙飞阳轩睿泽晨"

  static let negativeTopics = ["物流慢", "质量一般", "客服态度差", "包装破损", "价格偏贵", "发错货", "退款太慢"]
  static let positiveTopics = ["物流很快", "质量很好", "客服态度好", "包装完好", "性价比高", "包装精美", "会回购", "推荐给朋友"]

  /// Every comment: singles, pairs of the same tone, and "positive，但negative".
  /// Layout: negatives (n), negative pairs (n·(n−1)), positives (p), positive pairs (p·(p−1)),
  /// mixed (p·n).
  static let comments: [String] = {
    var out: [String] = []
    let neg = negativeTopics
    let pos = positiveTopics
    out += neg
    for a in neg { for b in neg where b != a { out.append(a + "，" + b) } }
    out += pos
    for a in pos { for b in pos where b != a { out.append(a + "，" + b) } }
    for a in pos { for b in neg { out.append(a + "，但" + b) } }
    return out
  }()

  /// NPS score weights (0…10) of a content and of an unhappy customer.
  static let npsContent: [Double] = [0.3, 0.5, 1, 2, 3, 6, 9, 13, 14, 14, 37]
  static let npsUnhappy: [Double] = [3, 4, 6, 8, 10, 13, 15, 13, 10, 8, 10]

  /// Spring Festival (正月初一) by year; other years fall back to February 5.
  static let springFestival: [Int: (Int, Int)] = [
    2015: (2, 19), 2016: (2, 8), 2017: (1, 28), 2018: (2, 16), 2019: (2, 5), 2020: (1, 25),
    2021: (2, 12), 2022: (2, 1), 2023: (1, 22), 2024: (2, 10), 2025: (1, 29), 2026: (2, 17),
    2027: (2, 6), 2028: (1, 26), 2029: (2, 13), 2030: (2, 3), 2031: (1, 23), 2032: (2, 11),
    2033: (1, 31), 2034: (2, 19), 2035: (2, 8), 2036: (1, 28), 2037: (2, 15), 2038: (2, 4),
    2039: (1, 24), 2040: (2, 12),
  ]

  /// The relative order volume of a day, and whether it is a promotion day (more discounts).
  static func season(_ day: Day) -> (weight: Double, promo: Bool) {
    let (y, m, d) = day.civil
    let monthFactor: [Double] = [0.95, 0.9, 1.0, 1.0, 1.05, 1.1, 0.97, 1.0, 1.0, 1.05, 1.15, 1.1]
    var w = monthFactor[m - 1]
    var promo = false
    let sf = springFestival[y].map { Day(year: y, month: $0.0, day: $0.1) } ?? Day(year: y, month: 2, day: 5)
    let k = day - sf
    switch k {
    case -20 ... -11: w *= 1.15  // 年货节
    case -10 ... -1: w *= 0.55
    case 0...7: w *= 0.4
    case 8...14: w *= 0.75
    default: break
    }
    if m == 6 {
      if d == 18 {
        w *= 3.2
        promo = true
      } else if d >= 1, d <= 17 {
        w *= d >= 15 ? 1.7 : 1.3
        promo = true
      } else if d <= 20 {
        w *= 1.2
      }
    }
    if (m == 10 && d == 31) || (m == 11 && d <= 10) {
      w *= d >= 9 && m == 11 ? 1.9 : 1.4
      promo = true
    } else if m == 11 && d == 11 {
      w *= 4.0
      promo = true
    } else if m == 11 && (d == 12 || d == 13) {
      w *= 1.25
    }
    if m == 12 && d == 12 {
      w *= 1.8
      promo = true
    }
    if day.weekday >= 6 { w *= 1.15 }
    return (w, promo)
  }
}

// MARK: - Byte strings for binding without allocation

/// Fixed UTF-8 strings in one buffer, bound as text by index.
final class DemoByteStrings {
  private let storage: UnsafeMutablePointer<UInt8>
  private let offsets: [Int]
  private let lengths: [Int]

  init(_ strings: [String]) {
    let bytes = strings.map { Array($0.utf8) }
    let total = bytes.reduce(0) { $0 + $1.count }
    storage = UnsafeMutablePointer<UInt8>.allocate(capacity: max(total, 1))
    var offs: [Int] = []
    var lens: [Int] = []
    var at = 0
    for b in bytes {
      offs.append(at)
      lens.append(b.count)
      for (j, v) in b.enumerated() { storage[at + j] = v }
      at += b.count
    }
    offsets = offs
    lengths = lens
  }

  deinit { storage.deallocate() }

  var count: Int { offsets.count }

  @inline(__always) func pointer(_ i: Int) -> UnsafeMutablePointer<UInt8> { storage + offsets[i] }
  @inline(__always) func length(_ i: Int) -> Int { lengths[i] }

  @inline(__always) func bind(_ stmt: OpaquePointer, _ index: Int32, _ i: Int) {
    sqlite3_bind_text(
      stmt, index, UnsafeRawPointer(storage + offsets[i]).assumingMemoryBound(to: CChar.self), Int32(lengths[i]),
      sqliteTransient)
  }
}

// MARK: - The generator

/// One generation run: the spec, the calendar tables, the statements and scratch buffers.
final class DemoGenerator {
  let spec: DemoSpec
  let start: Day
  let dayCount: Int
  var lastIndex: Int { dayCount - 1 }
  let prevMonthStart: Int
  let prevMonthEnd: Int

  /// Per-day order weight, promotion flag and `YYYY-MM-DD` bytes.
  private var dayWeight: [Double] = []
  private var dayPromo: [Bool] = []
  private var maxDayWeight = 1.0
  private let dayText: DemoByteStrings
  /// Hour of the day by a uniform 10-bit draw.
  private var hourTable: [UInt8] = []

  private let stamp = UnsafeMutablePointer<UInt8>.allocate(capacity: 20)
  private let nameBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 16)

  private let categoryText = DemoByteStrings(DemoWorld.categories)
  private let productText = DemoByteStrings(DemoWorld.products.map { $0.0 })
  private let regionText = DemoByteStrings(DemoWorld.regions)
  private let cityText = DemoByteStrings(DemoWorld.cities.map { $0.0 })
  private let channelText = DemoByteStrings(DemoWorld.channels)
  private let levelText = DemoByteStrings(DemoWorld.levels)
  private let genderText = DemoByteStrings(DemoWorld.genders)
  private let commentText = DemoByteStrings(DemoWorld.comments)
  private let surnames = DemoByteStrings(DemoWorld.surnames.map { String($0) })
  private let femaleChars = DemoByteStrings(DemoWorld.femaleChars.map { String($0) })
  private let maleChars = DemoByteStrings(DemoWorld.maleChars.map { String($0) })

  init(_ spec: DemoSpec) {
    self.spec = spec
    let last = spec.lastDay
    start = Day(year: last.year - 2, month: 1, day: 1)
    dayCount = last - start + 1
    let monthIndex = last.monthIndex
    prevMonthStart = Day.firstOfMonth(index: monthIndex - 1) - start
    prevMonthEnd = Day.lastOfMonth(index: monthIndex - 1) - start
    var texts: [String] = []
    texts.reserveCapacity(dayCount)
    for k in 0..<dayCount {
      let day = start + k
      texts.append(day.iso)
      let s = DemoWorld.season(day)
      dayWeight.append(s.weight)
      dayPromo.append(s.promo)
    }
    dayText = DemoByteStrings(texts)
    maxDayWeight = dayWeight.max() ?? 1
    let hourWeights: [Double] = [
      1.2, 0.6, 0.3, 0.2, 0.2, 0.3, 0.6, 1.2, 2.2, 3.2, 4.2, 4.6, 4.8, 4.4, 4.0, 4.0, 4.3, 4.8, 5.2, 6.2, 7.2, 7.0, 5.0,
      2.6,
    ]
    let total = hourWeights.reduce(0, +)
    var acc = 0.0
    var bounds: [Double] = []
    for w in hourWeights {
      acc += w / total
      bounds.append(acc)
    }
    for i in 0..<1024 {
      let x = (Double(i) + 0.5) / 1024
      hourTable.append(UInt8(bounds.firstIndex { x < $0 } ?? 23))
    }
  }

  deinit {
    stamp.deallocate()
    nameBuffer.deallocate()
  }

  // MARK: Pass 1: who signs up when, how long they stay, how many orders they place

  struct Plan {
    var registered: [Int32]
    var end: [Int32]
    var orders: [Int32]
  }

  func plan(realOrders: Int) -> Plan {
    let n = spec.customers
    var rng = DemoRandom(seed: spec.seed ^ 0x5EED_0001)
    var registered = [Int32](repeating: 0, count: n)
    var end = [Int32](repeating: 0, count: n)
    var weight = [Double](repeating: 0, count: n)
    var orders = [Int32](repeating: 0, count: n)
    guard n > 0 else { return Plan(registered: registered, end: end, orders: orders) }

    // Sign-ups: growing over time, following the season mildly; stratified so ids follow dates.
    var cumulative = [Double](repeating: 0, count: dayCount)
    var acc = 0.0
    for k in 0..<dayCount {
      let t = Double(k) / Double(max(dayCount - 1, 1))
      acc += (0.45 + 1.1 * t) * dayWeight[k].squareRoot()
      cumulative[k] = acc
    }
    for i in 0..<n {
      let x = (Double(i) + rng.uniform()) / Double(n) * acc
      var lo = 0
      var hi = dayCount - 1
      while lo < hi {
        let mid = (lo + hi) / 2
        if cumulative[mid] > x { hi = mid } else { lo = mid + 1 }
      }
      registered[i] = Int32(lo)
    }

    // Buyers: all but ~5% (exactly), never more than there are orders.
    let buyers = min(n - n / 20, realOrders)
    var needNonBuyers = n - buyers
    var extraWeight = 0.0
    for i in 0..<n {
      let r = Int(registered[i])
      if needNonBuyers > 0, rng.below(n - i) < needNonBuyers {
        needNonBuyers -= 1
        weight[i] = -1
        end[i] = Int32(r)
        continue
      }
      orders[i] = 1
      let stays = rng.chance(0.32) ? dayCount : 20 + Int(rng.exponential(mean: 450))
      let e = min(r + stays, lastIndex)
      end[i] = Int32(e)
      if rng.chance(0.3) { continue }  // a one-time buyer
      let intensity = min(max(exp(0.6 * rng.normal()), 0.05), 6)
      weight[i] = intensity * Double(e - r + 1)
      extraWeight += weight[i]
    }

    // The remaining orders, shared by weight with systematic rounding (exact total).
    let extra = realOrders - buyers
    guard extra > 0 else { return Plan(registered: registered, end: end, orders: orders) }
    if extraWeight <= 0 {
      for i in 0..<n where weight[i] == 0 && orders[i] > 0 {
        weight[i] = Double(end[i] - registered[i] + 1)
        extraWeight += weight[i]
      }
    }
    let scale = Double(extra) / extraWeight
    var position = rng.uniform()
    var assigned = 0
    var heaviest = -1
    for i in 0..<n where weight[i] > 0 {
      let before = position.rounded(.down)
      position += weight[i] * scale
      let k = Int(position.rounded(.down) - before)
      orders[i] += Int32(k)
      assigned += k
      if heaviest < 0 || weight[i] > weight[heaviest] { heaviest = i }
    }
    // Rounding drift of the running sum (at most one or two orders).
    var drift = extra - assigned
    if drift != 0, heaviest >= 0 {
      if drift > 0 {
        orders[heaviest] += Int32(drift)
      } else {
        for i in 0..<n where drift < 0 && orders[i] > 1 {
          let take = min(Int(orders[i]) - 1, -drift)
          orders[i] -= Int32(take)
          drift += take
        }
      }
    }
    return Plan(registered: registered, end: end, orders: orders)
  }

  // MARK: Pass 2: writing rows

  /// An order drawn, kept until it is written in date order (amounts in fen; total −1 = NULL).
  struct PendingOrder {
    var time: Int32
    var customer: Int32
    var total: Int32
    var discount: Int32
    var firstItem: Int32
    var items: UInt8
    var channel: UInt8
  }

  struct PendingItem {
    var product: UInt16
    var quantity: UInt8
  }

  struct PendingFeedback {
    var time: Int32
    var customer: Int32
    var comment: Int32
    var nps: UInt8
  }

  private var insertCustomer: OpaquePointer?
  private var insertOrder: OpaquePointer?
  private var insertItem: OpaquePointer?
  private var insertFeedback: OpaquePointer?
  private var database: DemoSQLite?

  /// Latest orders (time, id), for making sure the last day and the previous month have data.
  private var latest: (Int, Int) = (-1, 0)
  private var secondLatest: (Int, Int) = (-1, 0)
  private var latestBeforePrevMonth: (Int, Int) = (-1, 0)
  private var ordersInPrevMonth = 0

  func generate(into path: String) throws {
    let db = try DemoSQLite(path: path)
    database = db
    try db.execute(
      """
      PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE;
      PRAGMA temp_store = MEMORY; PRAGMA cache_size = -32768;
      BEGIN;
      CREATE TABLE customers (
        id INTEGER PRIMARY KEY, name TEXT, gender TEXT, birth_year INTEGER,
        city TEXT, region TEXT, source_channel TEXT, member_level TEXT, registered_at TEXT);
      CREATE TABLE orders (
        id INTEGER PRIMARY KEY, customer_id INTEGER, created_at TEXT, channel TEXT,
        total_amount REAL, discount_amount REAL);
      CREATE TABLE order_items (
        order_id INTEGER, product_id INTEGER, product_name TEXT, category TEXT,
        quantity INTEGER, unit_price REAL);
      CREATE TABLE feedback (
        id INTEGER PRIMARY KEY, customer_id INTEGER, created_at TEXT, nps INTEGER, comment TEXT);
      """)
    let customerStatement = try db.prepare("INSERT INTO customers VALUES (?,?,?,?,?,?,?,?,?)")
    let orderStatement = try db.prepare("INSERT INTO orders VALUES (?,?,?,?,?,?)")
    let itemStatement = try db.prepare("INSERT INTO order_items VALUES (?,?,?,?,?,?)")
    let feedbackStatement = try db.prepare("INSERT INTO feedback VALUES (?,?,?,?,?)")
    insertCustomer = customerStatement.stmt
    insertOrder = orderStatement.stmt
    insertItem = itemStatement.stmt
    insertFeedback = feedbackStatement.stmt
    defer {
      insertCustomer = nil
      insertOrder = nil
      insertItem = nil
      insertFeedback = nil
      database = nil
    }

    try withExtendedLifetime((customerStatement, orderStatement, itemStatement, feedbackStatement)) {
      try writeRows()
    }
    // Indexes after the rows: one sort each, instead of an insert at a random place per row.
    try db.execute(
      """
      CREATE INDEX orders_customer ON orders(customer_id);
      CREATE INDEX items_order ON order_items(order_id);
      """)
    try DemoEvents.write(db, lastDay: spec.lastDay)
    try db.execute("COMMIT")
  }

  private func step(_ stmt: OpaquePointer?) throws {
    guard let stmt else { return }
    let rc = sqlite3_step(stmt)
    sqlite3_reset(stmt)
    if rc != SQLITE_DONE {
      throw DemoDataError("writing the demo database: \(database?.lastError ?? "error \(rc)")", code: rc)
    }
  }

  /// Binds `YYYY-MM-DD HH:MM:SS` of day index `day` and second of day `second`.
  @inline(__always) private func bindStamp(_ stmt: OpaquePointer, _ index: Int32, day: Int, second: Int) {
    let src = dayText.pointer(day)
    for j in 0..<10 { stamp[j] = src[j] }
    stamp[10] = 32
    let h = second / 3600
    let m = second / 60 % 60
    let s = second % 60
    stamp[11] = UInt8(48 + h / 10)
    stamp[12] = UInt8(48 + h % 10)
    stamp[13] = 58
    stamp[14] = UInt8(48 + m / 10)
    stamp[15] = UInt8(48 + m % 10)
    stamp[16] = 58
    stamp[17] = UInt8(48 + s / 10)
    stamp[18] = UInt8(48 + s % 10)
    sqlite3_bind_text(stmt, index, UnsafeRawPointer(stamp).assumingMemoryBound(to: CChar.self), 19, sqliteTransient)
  }

  /// A second of the day, most of them in the afternoon and evening.
  @inline(__always) private func secondOfDay(_ rng: inout DemoRandom) -> Int {
    let x = rng.next()
    let hour = Int(hourTable[Int(x >> 54)])
    return hour * 3600 + Int(((x & 0xFFFF_FFFF) &* 3600) >> 32)
  }

  /// A day in `lo...hi` drawn by the seasonal weight.
  @inline(__always) private func seasonalDay(_ rng: inout DemoRandom, _ lo: Int, _ hi: Int) -> Int {
    guard hi > lo else { return hi }
    var day = lo
    for _ in 0..<64 {
      day = lo + rng.below(hi - lo + 1)
      if rng.uniform() * maxDayWeight < dayWeight[day] { return day }
    }
    return day
  }

  /// Orders in one burst: 1 (85%), 2, 3 or 4.
  @inline(__always) private func burstSize(_ rng: inout DemoRandom) -> Int {
    let x = rng.below(100)
    return x < 85 ? 1 : x < 96 ? 2 : x < 99 ? 3 : 4
  }

  private func track(time: Int, id: Int) {
    let day = time / 86400
    if time >= latest.0 {
      secondLatest = latest
      latest = (time, id)
    } else if time >= secondLatest.0 {
      secondLatest = (time, id)
    }
    if day < prevMonthStart {
      if time >= latestBeforePrevMonth.0 { latestBeforePrevMonth = (time, id) }
    } else if day <= prevMonthEnd {
      ordersInPrevMonth += 1
    }
  }

  private func writeRows() throws {
    guard let insertCustomer, let insertOrder, let insertItem, let insertFeedback, let db = database else { return }
    let customers = spec.customers
    let orphans = customers == 0 ? spec.orders : min(spec.orders, min(40, spec.orders / 5000 + 1))
    let realOrders = spec.orders - orphans
    let plan = plan(realOrders: realOrders)

    var rng = DemoRandom(seed: spec.seed ^ 0xD3A0_5EED_0002)
    // Orders (by position among customers' orders) whose amount is NULL.
    let nullCount = min(realOrders, min(60, realOrders / 3000 + 1))
    var nullPositions = Set<Int>()
    while nullPositions.count < nullCount { nullPositions.insert(rng.below(realOrders)) }
    let nullSorted = nullPositions.sorted()
    var nextNull = 0

    var cityCumulative: [Double] = []
    var acc = 0.0
    for c in DemoWorld.cities {
      acc += c.2
      cityCumulative.append(acc)
    }
    let orderChannelCumulative = cumulativeOf(DemoWorld.orderChannelWeights)
    let npsContent = cumulativeOf(DemoWorld.npsContent)
    let npsUnhappy = cumulativeOf(DemoWorld.npsUnhappy)
    // Favourite category weights (母婴 美妆 服饰 食品 数码 家居 运动) of women with young
    // children's ages, other women, and men.
    let favouriteYoungMother = cumulativeOf([0.34, 0.2, 0.16, 0.1, 0.05, 0.1, 0.05])
    let favouriteWoman = cumulativeOf([0.06, 0.3, 0.24, 0.14, 0.07, 0.13, 0.06])
    let favouriteMan = cumulativeOf([0.06, 0.04, 0.14, 0.16, 0.3, 0.1, 0.2])
    let thisYear = spec.lastDay.year

    let negatives = DemoWorld.negativeTopics.count
    let positives = DemoWorld.positiveTopics.count
    let negativePairs = negatives
    let positiveSingles = negatives + negatives * (negatives - 1)
    let positivePairs = positiveSingles + positives
    let mixed = positivePairs + positives * (positives - 1)

    var times: [Int] = []
    times.reserveCapacity(256)
    var orderSeq = 0
    // Everything drawn is kept until all customers are done, then written in date order.
    var pendingOrders: [PendingOrder] = []
    var pendingItems: [PendingItem] = []
    var pendingFeedback: [PendingFeedback] = []
    pendingOrders.reserveCapacity(spec.orders)
    pendingItems.reserveCapacity(spec.orders + spec.orders / 2)
    pendingFeedback.reserveCapacity(spec.orders / 8)
    var lineProducts = [Int](repeating: -1, count: 4)

    for i in 0..<customers {
      let id = i + 1
      let reg = Int(plan.registered[i])
      var end = Int(plan.end[i])
      let count = Int(plan.orders[i])
      let t = Double(reg) / Double(max(lastIndex, 1))

      let female = rng.chance(0.58)
      let age = ageDraw(&rng)
      let birthYear = thisYear - age
      let city = rng.pick(cityCumulative)
      let region = DemoWorld.cities[city].1
      // Source channels (线上商城 小程序 门店 直播): live-streaming grows over time, stores shrink.
      let sourceRoll = rng.uniform()
      let source =
        sourceRoll < 0.40 - 0.04 * t ? 0 : sourceRoll < 0.62 - 0.04 * t ? 1 : sourceRoll < 0.92 - 0.14 * t ? 2 : 3
      let favourite = rng.pick(female ? (age >= 24 && age <= 40 ? favouriteYoungMother : favouriteWoman) : favouriteMan)
      let regSecond = 8 * 3600 + rng.below(13 * 3600)
      let leaver = end < lastIndex - 120
      let unhappy = leaver && rng.chance(0.5)

      var spend = 0
      if count > 0 {
        times.removeAll(keepingCapacity: true)
        let firstDay = min(reg + (rng.chance(0.7) ? 0 : 1 + rng.below(14)), lastIndex)
        end = max(end, firstDay)
        let firstSecond =
          firstDay == reg ? regSecond + 120 + rng.below(86_400 - regSecond - 120) : secondOfDay(&rng)
        times.append(firstDay * 86_400 + firstSecond)
        var inBurst = burstSize(&rng) - 1
        var previous = firstDay
        for _ in 1..<max(count, 1) {
          let day: Int
          if inBurst > 0 {
            day = min(previous + rng.below(15), end)
            inBurst -= 1
          } else {
            day = seasonalDay(&rng, min(firstDay + 1, end), end)
            inBurst = burstSize(&rng) - 1
          }
          var second = secondOfDay(&rng)
          if day == reg && second <= regSecond { second = regSecond + 1 + rng.below(86_399 - regSecond) }
          times.append(day * 86_400 + second)
          previous = day
        }
        times.sort()

        for time in times {
          let day = time / 86_400
          let second = time % 86_400
          let channel = rng.chance(0.6) ? source : rng.pick(orderChannelCumulative)

          // Items: 1–4 distinct products, a favourite category half the time.
          let lineRoll = rng.below(100)
          let lines = lineRoll < 66 ? 1 : lineRoll < 88 ? 2 : lineRoll < 96 ? 3 : 4
          var subtotal = 0
          for l in 0..<lines {
            var product = 0
            repeat {
              let category = rng.chance(0.5) ? favourite : rng.below(DemoWorld.categories.count)
              product = category * DemoWorld.productsPerCategory + rng.below(DemoWorld.productsPerCategory)
            } while lineProducts[0..<l].contains(product)
            lineProducts[l] = product
            let item = DemoWorld.products[product]
            let qRoll = rng.below(100)
            let quantity = item.1 == 4 ? (qRoll < 95 ? 1 : 2) : (qRoll < 80 ? 1 : qRoll < 90 ? 2 : qRoll < 96 ? 3 : 4)
            subtotal += quantity * item.2
            pendingItems.append(PendingItem(product: UInt16(product), quantity: UInt8(quantity)))
          }

          // Discounts: none, 5%, 10% or 20%; more of them on promotion days.
          let dRoll = rng.below(100)
          let rate: Int
          if dayPromo[day] {
            rate = dRoll < 20 ? 0 : dRoll < 45 ? 5 : dRoll < 75 ? 10 : 20
          } else {
            rate = dRoll < 55 ? 0 : dRoll < 70 ? 5 : dRoll < 85 ? 10 : 20
          }
          let discount = (subtotal * rate + 50) / 100
          let total = subtotal - discount
          spend += total

          let isNull = nextNull < nullSorted.count && nullSorted[nextNull] == orderSeq
          if isNull { nextNull += 1 }
          pendingOrders.append(
            PendingOrder(
              time: Int32(day * 86_400 + second), customer: Int32(id), total: isNull ? -1 : Int32(total),
              discount: Int32(discount), firstItem: Int32(pendingItems.count - lines), items: UInt8(lines),
              channel: UInt8(channel)))
          orderSeq += 1

          // Feedback on about one order in nine, a few days later.
          if rng.below(1000) < 115 {
            let fDay = day + 1 + rng.below(7)
            if fDay <= lastIndex {
              let nps = rng.pick(unhappy && rng.chance(0.7) ? npsUnhappy : npsContent)
              let comment: Int
              let cRoll = rng.below(100)
              if nps <= 6 {
                comment =
                  cRoll < 60
                  ? rng.below(negatives) : negativePairs + rng.below(negatives * (negatives - 1))
              } else if nps <= 8 {
                comment =
                  cRoll < 40
                  ? positiveSingles + rng.below(positives)
                  : cRoll < 75 ? mixed + rng.below(positives * negatives) : rng.below(negatives)
              } else {
                comment =
                  cRoll < 55
                  ? positiveSingles + rng.below(positives) : positivePairs + rng.below(positives * (positives - 1))
              }
              pendingFeedback.append(
                PendingFeedback(
                  time: Int32(fDay * 86_400 + 8 * 3600 + rng.below(14 * 3600)), customer: Int32(id),
                  comment: Int32(comment), nps: UInt8(nps)))
            }
          }
        }
      }

      // Member level follows spend, with some noise.
      var level = DemoWorld.levelThresholds.firstIndex { spend < $0 } ?? DemoWorld.levelThresholds.count
      let noise = rng.below(100)
      if noise < 10 && level > 0 {
        level -= 1
      } else if noise >= 95 && level < DemoWorld.levels.count - 1 {
        level += 1
      }

      // Name: a surname and one or two given-name characters.
      var nameLength = 0
      func appendChar(_ table: DemoByteStrings, _ k: Int) {
        let p = table.pointer(k)
        for j in 0..<table.length(k) where nameLength < 16 {
          nameBuffer[nameLength] = p[j]
          nameLength += 1
        }
      }
      appendChar(surnames, rng.below(surnames.count))
      let given = female ? femaleChars : maleChars
      appendChar(given, rng.below(given.count))
      if rng.chance(0.6) { appendChar(given, rng.below(given.count)) }

      sqlite3_bind_int64(insertCustomer, 1, Int64(id))
      sqlite3_bind_text(
        insertCustomer, 2, UnsafeRawPointer(nameBuffer).assumingMemoryBound(to: CChar.self), Int32(nameLength),
        sqliteTransient)
      genderText.bind(insertCustomer, 3, female ? 1 : 0)
      sqlite3_bind_int64(insertCustomer, 4, Int64(birthYear))
      cityText.bind(insertCustomer, 5, city)
      regionText.bind(insertCustomer, 6, region)
      channelText.bind(insertCustomer, 7, source)
      levelText.bind(insertCustomer, 8, level)
      bindStamp(insertCustomer, 9, day: reg, second: regSecond)
      try step(insertCustomer)
    }

    // Orders of customers who are not in the customer table.
    let orphanBase = customers < 900_000 ? 900_000 : (customers / 100_000 + 2) * 100_000
    let knownOrders = pendingOrders.count
    for k in 0..<orphans {
      let day = seasonalDay(&rng, 0, lastIndex)
      let time = day * 86_400 + secondOfDay(&rng)
      pendingOrders.append(
        PendingOrder(
          time: Int32(time), customer: Int32(orphanBase + k), total: Int32(5_000 + rng.below(45_000)), discount: 0,
          firstItem: Int32(pendingItems.count), items: 0, channel: 2))
    }

    // Date order (ties in the order drawn), numbered from 1 in that order.
    for (rank, k) in dateOrder(pendingOrders.lazy.map(\.time)).enumerated() {
      let o = pendingOrders[k]
      let orderID = rank + 1
      let day = Int(o.time) / 86_400
      for l in Int(o.firstItem)..<(Int(o.firstItem) + Int(o.items)) {
        let product = Int(pendingItems[l].product)
        let item = DemoWorld.products[product]
        sqlite3_bind_int64(insertItem, 1, Int64(orderID))
        sqlite3_bind_int64(insertItem, 2, Int64(product + 1))
        productText.bind(insertItem, 3, product)
        categoryText.bind(insertItem, 4, item.1)
        sqlite3_bind_int64(insertItem, 5, Int64(pendingItems[l].quantity))
        sqlite3_bind_double(insertItem, 6, Double(item.2) / 100)
        try step(insertItem)
      }
      sqlite3_bind_int64(insertOrder, 1, Int64(orderID))
      sqlite3_bind_int64(insertOrder, 2, Int64(o.customer))
      bindStamp(insertOrder, 3, day: day, second: Int(o.time) % 86_400)
      channelText.bind(insertOrder, 4, Int(o.channel))
      if o.total < 0 {
        sqlite3_bind_null(insertOrder, 5)
      } else {
        sqlite3_bind_double(insertOrder, 5, Double(o.total) / 100)
      }
      sqlite3_bind_double(insertOrder, 6, Double(o.discount) / 100)
      try step(insertOrder)
      if k < knownOrders { track(time: Int(o.time), id: orderID) }
    }
    for (rank, k) in dateOrder(pendingFeedback.lazy.map(\.time)).enumerated() {
      let f = pendingFeedback[k]
      sqlite3_bind_int64(insertFeedback, 1, Int64(rank + 1))
      sqlite3_bind_int64(insertFeedback, 2, Int64(f.customer))
      bindStamp(insertFeedback, 3, day: Int(f.time) / 86_400, second: Int(f.time) % 86_400)
      sqlite3_bind_int64(insertFeedback, 4, Int64(f.nps))
      commentText.bind(insertFeedback, 5, Int(f.comment))
      try step(insertFeedback)
    }

    try ensureRecentMonths(db)
  }

  /// Positions of `times` sorted by time, ties kept in their order.
  private func dateOrder<S: Collection>(_ times: S) -> [Int] where S.Element == Int32 {
    var keys = [UInt64]()
    keys.reserveCapacity(times.count)
    for (k, t) in times.enumerated() { keys.append(UInt64(UInt32(t)) << 32 | UInt64(k)) }
    keys.sort()
    return keys.map { Int($0 & 0xFFFF_FFFF) }
  }

  /// Moves an order or two forward in time when the random draw left the last day or the
  /// previous month without orders (only tiny specs can): moving forward keeps every order
  /// after its customer's sign-up.
  private func ensureRecentMonths(_ db: DemoSQLite) throws {
    guard latest.0 >= 0 else { return }
    let update = try db.prepare("UPDATE orders SET created_at = ? WHERE id = ?")
    func move(_ id: Int, day: Int, second: Int) throws {
      bindStamp(update.stmt, 1, day: day, second: second)
      sqlite3_bind_int64(update.stmt, 2, Int64(id))
      try step(update.stmt)
    }
    let latestDay = latest.0 / 86_400
    var prevMonthHasOrders = ordersInPrevMonth > 0
    var candidate = latestBeforePrevMonth
    if latestDay < lastIndex {
      try move(latest.1, day: lastIndex, second: latest.0 % 86_400)
      if latestDay >= prevMonthStart && latestDay <= prevMonthEnd {
        prevMonthHasOrders = ordersInPrevMonth > 1
      }
      if candidate.1 == latest.1 { candidate = secondLatest.0 / 86_400 < prevMonthStart ? secondLatest : (-1, 0) }
    }
    if !prevMonthHasOrders && candidate.0 >= 0 {
      try move(candidate.1, day: prevMonthStart + 14, second: candidate.0 % 86_400)
    }
  }

  /// Age at the last day: 18 to 61, most of them 25 to 42.
  private func ageDraw(_ rng: inout DemoRandom) -> Int {
    let roll = rng.below(100)
    if roll < 10 { return 18 + rng.below(7) }
    if roll < 70 { return 25 + rng.below(18) }
    if roll < 90 { return 43 + rng.below(10) }
    return 53 + rng.below(9)
  }
}

private func cumulativeOf(_ weights: [Double]) -> [Double] {
  var out: [Double] = []
  out.reserveCapacity(weights.count)
  var acc = 0.0
  for w in weights {
    acc += w
    out.append(acc)
  }
  return out
}
