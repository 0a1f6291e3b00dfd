// The databases of the differential tests: small generated demos (most plans run on these),
// the shared reference databases when present, and hand-made edge databases (NULL amounts and
// customer ids, orphan customers, repeated ids, ties, a single-row table, no customer table,
// text customer ids, dates stored as text, YYYYMMDD integers, Unix seconds and milliseconds).
// Each is loaded once per process into a cube, an executor and a compiler.

import CubeSQLite
import DemoData
import Execution
import Foundation
import Grammar
import QueryModel
import SQLCompiler
import TestSupport
import Understanding

/// One database under test, with what the plan generator needs to know about it.
final class DiffDataset: @unchecked Sendable {
  let name: String
  let path: String
  /// Relative frequency of plans on this database.
  let weight: Double
  let loaded: LoadedDatabase
  /// The executor under test: every scan split over three threads, however small the data
  /// (so the parallel path is the one compared with SQL).
  let executor: Executor
  /// The same cube on one thread, for the thread-count invariance check.
  let singleThreaded: Executor
  let compiler: SQLCompiler
  let topics: [Topic]
  /// Dimensions the data has, and the values of each (filters pick from these).
  let dimensions: [DimensionID]
  let values: [DimensionID: [String]]
  let hasFeedback: Bool
  let hasItems: Bool
  let dataRange: DateRange?

  init(name: String, path: String, weight: Double, topics: [Topic]) throws {
    self.name = name
    self.path = path
    self.weight = weight
    self.topics = topics
    loaded = try CubeLoader.load(path: path)
    let cube = loaded.cube
    executor = Executor(cube: cube, topics: topics)
    executor.parallelism = ScanParallelism(threads: 3, minRows: 0)
    singleThreaded = Executor(cube: cube, topics: topics)
    singleThreaded.parallelism = ScanParallelism(threads: 1)
    compiler = SQLCompiler(mapping: loaded.mapping, topics: topics)
    dimensions = DimensionID.allCases.filter { cube.availableDimensions.contains($0) }
    var v: [DimensionID: [String]] = [:]
    for d in dimensions {
      switch d {
      case .segment: v[d] = Segment.allCases.flatMap { [$0.rawValue, $0.name(.zh), $0.name(.en)] }
      case .ageBand: v[d] = ["<25", "25–34", "35–44", "45–54", "≥55"]
      case .topic: v[d] = topics.map(\.name)
      case .customer: v[d] = []
      default: v[d] = cube.values(of: d)
      }
    }
    values = v
    hasFeedback = cube.feedback != nil
    hasItems = cube.items != nil
    dataRange = cube.dateRange
  }

  private let lock = NSLock()
  private var connections: [SQLiteDatabase] = []

  /// A read-only connection for one worker (connections are not shared between threads).
  func withConnection<R>(_ body: (SQLiteDatabase) throws -> R) throws -> R {
    lock.lock()
    let db = connections.popLast()
    lock.unlock()
    let conn = try db ?? SQLiteDatabase(path: path, readOnly: true)
    defer {
      lock.lock()
      connections.append(conn)
      lock.unlock()
    }
    return try body(conn)
  }
}

enum DiffData {
  static let lock = NSLock()
  nonisolated(unsafe) static var cached: [DiffDataset]?

  static func topics() throws -> [Topic] {
    try Vocabulary(grammar: GrammarSet(directory: TestData.grammars)).topics
  }

  static var directory: String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wenshu-diff-\(getpid())").path
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
  }

  /// Every dataset (built once per process).
  static func all() throws -> [DiffDataset] {
    lock.lock()
    defer { lock.unlock() }
    if let c = cached { return c }
    let topics = try topics()
    let dir = directory
    var out: [DiffDataset] = []
    let demos: [(String, DemoSpec, Double)] = [
      ("demo-a", DemoSpec(customers: 120, orders: 900, seed: 11, lastDay: Day(year: 2026, month: 11, day: 21)), 6),
      ("demo-b", DemoSpec(customers: 60, orders: 320, seed: 12, lastDay: Day(year: 2025, month: 3, day: 10)), 4),
      ("demo-c", DemoSpec(customers: 200, orders: 1400, seed: 13, lastDay: Day(year: 2024, month: 12, day: 31)), 4),
      ("demo-orphans", DemoSpec(customers: 0, orders: 60, seed: 14, lastDay: Day(year: 2026, month: 6, day: 30)), 1),
    ]
    for (name, spec, weight) in demos {
      let path = dir + "/\(name).sqlite"
      if !FileManager.default.fileExists(atPath: path) { try DemoDatabase.write(spec, to: path) }
      out.append(try DiffDataset(name: name, path: path, weight: weight, topics: topics))
    }
    for (name, script, weight) in DiffEdges.scripts {
      let path = dir + "/\(name).sqlite"
      if !FileManager.default.fileExists(atPath: path) {
        let db = try SQLiteDatabase(path: path, readOnly: false, create: true)
        try db.execute("BEGIN; " + script + "; COMMIT;")
      }
      out.append(try DiffDataset(name: name, path: path, weight: weight, topics: topics))
    }
    if let p = TestData.shared("retail_cn") { out.append(try DiffDataset(name: "retail_cn", path: p, weight: 0.25, topics: topics)) }
    if let p = TestData.shared("cdnow_sample") { out.append(try DiffDataset(name: "cdnow_sample", path: p, weight: 0.6, topics: topics)) }
    if let p = TestData.shared("cdnow") { out.append(try DiffDataset(name: "cdnow", path: p, weight: 0.1, topics: topics)) }
    cached = out
    return out
  }
}

/// Hand-made databases for the cases generated data does not have.
enum DiffEdges {
  static var scripts: [(String, String, Double)] {
    [("edge-mixed", mixed, 3), ("edge-single", single, 0.5), ("edge-textids", textIDs, 1.5), ("edge-intkeys", intKeys, 1.5),
     ("edge-keys", keys, 1), ("edge-empty", empty, 0.3), ("edge-nodates", noDates, 0.3)]
  }

  /// Everything dirty at once: repeated and NULL customer ids, NULL attributes, orphans,
  /// NULL amounts and customers, dates in every stored form, ties, items of missing orders,
  /// a repeated order id, feedback of unknown customers and with NULL scores.
  static let mixed = """
    CREATE TABLE customers (id INTEGER, name TEXT, region TEXT, city TEXT, gender TEXT, member_level TEXT,
      source_channel TEXT, birth_year, registered_at);
    INSERT INTO customers VALUES
      (1, '甲', '华东', '上海', '女', '金卡', '门店', 1990, '2024-01-05'),
      (2, '乙', '华东', '杭州', '男', '银卡', '小程序', '1985', '2024/2/7'),
      (3, 'O''Brien', '华北', '北京', NULL, '金卡', '门店', NULL, 20240310),
      (4, NULL, NULL, NULL, '女', NULL, NULL, 2001, 1712000000),
      (5, '戊', '华南', '广州', '男', '普通会员', '直播', 1960.0, '2024-05-05 10:00:00'),
      (6, '己', '华东', '上海', '女', '钻石', '门店', 1975, NULL),
      (7, '庚', '空组', '无单城', '男', '银卡', '小程序', 1999, '2025-01-01'),
      (2, '乙二', '西北', '兰州', '女', '钻石', '直播', 1950, '2020-01-01'),
      (NULL, '无号', '华东', '上海', '女', '金卡', '门店', 1990, '2024-01-05'),
      (8, '辛', '华北', '天津', '女', '普通会员', '线上商城', 'abc', '2024-13-01'),
      (9, '壬', '华南', '深圳', '男', '金卡', '门店', 1980, '2025-06-30T08:00:00Z');
    CREATE TABLE orders (id INTEGER, customer_id INTEGER, created_at, channel TEXT, total_amount REAL, quantity INTEGER);
    INSERT INTO orders VALUES
      (1, 1, '2024-01-05 09:00:00', '门店', 100, 1),
      (2, 1, '2024-02-10', '小程序', 100, 2),
      (3, 2, '2024/2/8', '门店', 100, 1),
      (4, 2, 20240315, '直播', NULL, 3),
      (5, 3, 1710460800, '门店', 250.5, 1),
      (6, 3, 1713052800000, '小程序', 249.5, NULL),
      (7, NULL, '2024-04-01', '门店', 80, 1),
      (8, 99, '2024-04-02', NULL, 80, 1),
      (9, 99, '2024-12-31', '门店', 120, 2),
      (10, 5, '2025-01-01', '直播', 120, 1),
      (11, 5, '20250102', '直播', 60, 1),
      (12, 6, 20250215.0, '门店', 60, 1),
      (13, 6, '2025-02-30', '门店', 999, 1),
      (14, 6, 'n/a', '门店', 999, 1),
      (15, 6, NULL, '门店', 999, 1),
      (16, 1, '2025-03-01', '门店', 100, 1),
      (17, 2, '2025-03-01', '门店', 100, 1),
      (18, 4, '2025-06-30', '线上商城', 0, 0),
      (19, 9, '2025-07-01', '门店', 300, 1),
      (20, 9, '2025-07-02', '门店', 300, 1),
      (21, 9, '2025-07-03', '门店', 300, 1),
      (22, 100, '2025-07-04', '直播', 55.25, 1),
      (22, 101, '2025-07-05', '直播', 44.75, 1),
      (23, 3, '2025.8.9', '门店', 10, 1),
      (24, 8, '2025-12-31 23:59:59', '小程序', 75, 1),
      (25, 8, '2026-01-01 00:00:00', '小程序', 75, 1),
      (26, 1, '2026-01-02', NULL, NULL, NULL);
    CREATE TABLE order_items (order_id INTEGER, product_name TEXT, category TEXT, quantity INTEGER, unit_price REAL);
    INSERT INTO order_items VALUES
      (1, '口红', '美妆', 1, 100), (2, '口红', '美妆', 1, 60), (2, '面霜', '美妆', 1, 40),
      (3, 'T恤', '服饰', 2, 50), (4, 'T恤', '服饰', 3, 40), (5, '耳机', '数码', 1, 250.5),
      (6, '耳机', '数码', NULL, 249.5), (7, '大米', '食品', 1, 80), (8, '大米', NULL, 1, 80),
      (9, '大米', '食品', 2, NULL), (10, '口红', '美妆', 1, 120), (11, '牛奶', '食品', 1, 60),
      (12, '牛奶', '食品', 1, 60), (16, 'T恤', '服饰', 1, 100), (17, 'T恤', '服饰', 1, 100),
      (19, '耳机', '数码', 1, 300), (20, '耳机', '数码', 1, 300), (21, '面霜', '美妆', 1, 300),
      (22, '口红', '美妆', 1, 44.75), (23, NULL, '食品', 1, 10), (24, '牛奶', '食品', 1, 75),
      (25, '牛奶', '食品', 1, 75), (999, '幽灵', '美妆', 5, 5), (NULL, '幽灵', '美妆', 1, 1);
    CREATE TABLE feedback (id INTEGER PRIMARY KEY, customer_id INTEGER, created_at, nps, comment TEXT);
    INSERT INTO feedback VALUES
      (1, 1, '2024-01-10', 10, '物流很快，质量很好'), (2, 2, '2024-02-12', 3, '物流慢，包装破损'),
      (3, 3, 1710633600, 6, '质量一般'), (4, 77, '2024-04-05', 9, '推荐给朋友'), (5, NULL, '2024-04-06', 0, '发错货'),
      (6, 5, '2025-01-03', NULL, '物流慢'), (7, 5, '2025-01-04', '8', NULL), (8, 9, '2025-07-05', 7, '价格偏贵，但会回购'),
      (9, 9, '2025-07-06', 2, '客服态度差，退款太慢，物流慢'), (10, 99, '2025-01-01', 5, '太贵'), (11, 6, NULL, 1, '物流慢');
    """

  /// Customer ids stored untyped in the customer table (integer text, padded text, garbage,
  /// a real, a repeated id) with integer ids in the orders; unix-millisecond order dates.
  static let keys = """
    CREATE TABLE clients (id, region TEXT, gender TEXT, birth_year);
    INSERT INTO clients VALUES (1, '华东', '女', 1990), ('2', '华北', '男', 1980), (' 3', '华东', '女', 2000),
      ('x4', '华南', '男', 1970), (5.0, '华南', '女', 1995), ('06', '华北', '男', NULL), (6, '西北', '女', 1985), (7, NULL, NULL, 1960);
    CREATE TABLE orders (customer_id INTEGER, created_at INTEGER, total_amount REAL);
    INSERT INTO orders VALUES (1, 1704067200000, 10), (2, 1704153600000, 20), (3, 1706745600000, 30), (4, 1709251200000, 40),
      (5, 1709337600000, 50), (6, 1711929600000, 60), (6, 1714521600000, 60), (7, 1717200000000, 70), (8, 1719792000000, 80),
      (1, 1722470400000, 10), (2, 1725148800000, 20), (NULL, 1727740800000, 5), (3, 1730419200000, 30);
    """

  /// No orders at all.
  static let empty = """
    CREATE TABLE customers (id INTEGER PRIMARY KEY, region TEXT);
    INSERT INTO customers VALUES (1, '华东'), (2, '华北');
    CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, created_at TEXT, total_amount REAL, channel TEXT)
    """

  /// Orders whose dates cannot be read.
  static let noDates = """
    CREATE TABLE orders (customer_id INTEGER, created_at TEXT, total_amount REAL);
    INSERT INTO orders VALUES (1, 'n/a', 5), (2, '2025-02-30', 6), (1, NULL, 7)
    """

  /// One order, no customer table.
  static let single = """
    CREATE TABLE purchases (cust_id INTEGER, txn_date TEXT, dollars REAL);
    INSERT INTO purchases VALUES (42, '2025-05-05', 19.99);
    """

  /// Text customer ids, no customer table, dates as Unix seconds, equal spends.
  static let textIDs = """
    CREATE TABLE transactions (customer_id TEXT, ts INTEGER, amount REAL, channel TEXT);
    INSERT INTO transactions VALUES
      ('C001', 1704067200, 10, 'web'), ('C001', 1706745600, 10, 'web'), ('C002', 1704153600, 20, 'app'),
      ('C003', 1706832000, 20, 'app'), ('C003', 1709251200, NULL, 'web'), ('c001', 1709337600, 10, NULL),
      ('C''004', 1711929600, 5, 'web'), (NULL, 1711929600, 7, 'web'), ('12', 1714521600, 30, 'app'),
      (' 12', 1714608000, 30, 'app'), ('C002', 1717200000, 20, 'app'), ('C005', 1735603200, 15, 'web'),
      ('C005', 1735689600, 15, 'web'), ('C006', 1746057600, 40, 'web'), ('C002', 1748736000, 20, 'app'),
      ('C007', 1748822400, 0, 'app');
    """

  /// Integer ids in the first 1000 orders, then ids stored as text, padded text, garbage and a real.
  static var intKeys: String {
    var rows: [String] = []
    for i in 0..<1000 {
      let c = 1 + (i * 7) % 37
      let day = Day(year: 2023, month: 1, day: 1) + (i * 13) % 700
      let amount = Double((i * 31) % 17) * 5
      rows.append("(\(c), '\(day.iso)', \(amount))")
    }
    rows += ["('7', '2024-12-01', 5)", "(' 8', '2024-12-02', 5)", "('x9', '2024-12-03', 5)", "(5.0, '2024-12-04', 5)",
             "('+3', '2024-12-05', 5)", "(40, '2024-12-06', 5)"]
    return """
      CREATE TABLE members (id INTEGER PRIMARY KEY, level TEXT, region TEXT);
      INSERT INTO members VALUES \((1...40).map { "(\($0), '\(["金卡", "银卡", "普通会员"][$0 % 3])', '\(["华东", "华北"][$0 % 2])')" }.joined(separator: ", "));
      CREATE TABLE orders (member_id INTEGER, order_date TEXT, amount REAL);
      INSERT INTO orders VALUES \(rows.joined(separator: ", "))
      """
  }
}
