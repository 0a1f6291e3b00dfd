// SQLite → cube: reads the mapped tables with prepared statements straight into column
// buffers, resolves every order's customer row once, and links items to orders.
// The database is opened read-only and never written.
//
// Large tables are read in two rowid chunks on two threads (ChunkedScan.swift); text is
// dictionary-encoded from its bytes (ByteDictionary.swift); customer and order ids are resolved
// through arrays when dense (KeyMaps.swift). The result is the cube a plain row-by-row read
// gives: LoaderEquivalenceTests compares every column with such a reader.

import Cube
import Foundation
import QueryModel

public struct LoadedDatabase: Sendable {
  public var cube: Cube
  public var mapping: DataMapping
  public var schema: DatabaseSchema
  public var path: String
  public var seconds: Double
}

public enum CubeLoader {
  /// Checks the file before SQLite sees it, so that users get a message that says what to do.
  public static func checkFile(_ path: String) throws {
    let fm = FileManager.default
    var isDir: ObjCBool = false
    guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
      throw SQLiteError("\(path): no such file. Pass the path of a SQLite database with --db FILE.")
    }
    if isDir.boolValue {
      throw SQLiteError("\(path) is a directory, not a SQLite database. Pass the database file itself with --db FILE.")
    }
    guard fm.isReadableFile(atPath: path), let h = FileHandle(forReadingAtPath: path) else {
      throw SQLiteError("\(path): permission denied. Make the file readable (chmod +r) or copy it somewhere you can read.")
    }
    defer { try? h.close() }
    let head = (try? h.read(upToCount: 100)) ?? Data()
    if head.isEmpty {
      throw SQLiteError("\(path) is empty (0 bytes): it holds no database. Check the path, or re-export the database.")
    }
    if head.count < 16 || !head.starts(with: Array("SQLite format 3\0".utf8)) {
      throw SQLiteError("\(path) is not a SQLite database (its first bytes are not the SQLite header). Wenshu reads SQLite files; convert CSV or other formats first.")
    }
  }

  /// Opens and loads `path`. With no mapping, one is inferred from the database.
  public static func load(path: String, mappingFile: String? = nil) throws -> LoadedDatabase {
    let t0 = Date()
    try checkFile(path)
    let db: SQLiteDatabase
    do {
      db = try SQLiteDatabase(path: path, readOnly: true)
    } catch let e as SQLiteError {
      throw SQLiteError("\(path): cannot open the database (\(e.message)).")
    }
    let schema: DatabaseSchema
    do {
      schema = try DatabaseSchema.read(db)
    } catch let e as SQLiteError {
      if e.code == 5 || e.code == 6 {
        throw SQLiteError("\(path) is locked by another program writing to it. Try again when it has finished, or copy the file.")
      }
      throw SQLiteError("\(path) is damaged or not a readable SQLite database (\(e.message)). Restore it from a backup or re-export it.")
    }
    let mapping = try mappingFile.map { try DataMapping.load(file: $0, schema: schema) } ?? MappingInference.infer(schema)
    let cube: Cube
    do {
      cube = try build(db: db, mapping: mapping, source: path, schema: schema)
    } catch let e as SQLiteError {
      throw SQLiteError("\(path): reading the data failed (\(e.message)). The file may be damaged or locked.")
    }
    return LoadedDatabase(cube: cube, mapping: mapping, schema: schema, path: path, seconds: Date().timeIntervalSince(t0))
  }

  static func columnIsInteger(_ db: SQLiteDatabase, table: String, column: String) throws -> Bool {
    let rows = try db.rows(
      "SELECT typeof(\(quoteIdentifier(column))), count(*) FROM (SELECT \(quoteIdentifier(column)) FROM \(quoteIdentifier(table)) LIMIT 1000) GROUP BY 1")
    var ints = 0
    var others = 0
    for r in rows {
      let n = Int(r[1].double ?? 0)
      switch r[0].string ?? "" {
      case "integer": ints += n
      case "null": break
      default: others += n
      }
    }
    return ints > 0 && others == 0
  }

  /// The code of column `i`'s text in `dict`, -1 for NULL.
  @inline(__always)
  static func code(_ st: SQLiteStatement, _ i: Int, _ dict: inout TextDictionary) -> Int32 {
    guard let b = st.textBytes(i) else { return -1 }
    return dict.code(b)
  }

  /// Column `i` as a Double, `ifNull` for NULL. NULL reads as 0, so the type is asked only
  /// for zeros (one SQLite call a value instead of two).
  @inline(__always)
  static func double(_ st: SQLiteStatement, _ i: Int, ifNull: Double) -> Double {
    let v = st.double(i)
    return v == 0 && st.isNull(i) ? ifNull : v
  }

  /// Gives the codes of `parts[k]`'s positions their codes in the first part's dictionary
  /// (values first seen in a later chunk come after those of earlier chunks, as one reader
  /// going through the table in order would have numbered them).
  /// - Complexity: O(rows of the later chunks) when their numbering differs, else O(values).
  static func mergeDictionaries(_ dicts: [TextDictionary], chunks: [ScanChunk], rows: [Int],
                                codes: inout ContiguousArray<Int32>) -> TextDictionary {
    guard var merged = dicts.first else { return TextDictionary() }
    for k in dicts.indices.dropFirst() {
      let remap = merged.absorb(dicts[k])
      if remap.enumerated().allSatisfy({ Int32($0.offset) == $0.element }) { continue }
      let start = chunks[k].start
      for i in start..<(start + rows[k]) where codes[i] >= 0 { codes[i] = remap[Int(codes[i])] }
    }
    return merged
  }

  /// The cube of `db` under mapping `m`. Tables of at least `parallelThreshold` rows are read
  /// in two chunks (tests lower it to exercise the chunked path on small files).
  static func build(db: SQLiteDatabase, mapping m: DataMapping, source: String, schema: DatabaseSchema? = nil,
                    parallelThreshold: Int = LoadConnections.defaultParallelThreshold) throws -> Cube {
    let q = quoteIdentifier
    let connections = LoadConnections(db, parallelThreshold: parallelThreshold)
    func rowCount(_ table: String) -> Int {
      if let t = schema?.tables.first(where: { $0.name == table }) { return t.rowCount }
      return (try? db.rows("SELECT count(*) FROM \(q(table))").first?.first?.double).flatMap { $0 }.map { Int($0) } ?? 0
    }
    func columnNames(_ table: String) -> [String] {
      if let cols = schema?.columns(of: table) { return cols.map(\.name) }
      return ((try? db.rows("SELECT name FROM pragma_table_info(?)", [.text(table)])) ?? []).compactMap { $0.first?.string }
    }
    let integerKeys = try columnIsInteger(db, table: m.orders.table, column: m.orders.customer)
    var keys = CustomerKeys(integer: integerKeys)

    // Customers first, so their rows come first and in table order (a repeated id keeps its
    // first row).
    var customerTable = CustomerColumns()
    if let c = m.customers {
      customerTable = try readCustomers(connections, c, keys: &keys, expectedRows: rowCount(c.table), columns: columnNames(c.table))
    }

    // Orders.
    let orderRead = try readOrders(connections, m.orders, keys: &keys, linkItems: m.items != nil,
                                   expectedRows: rowCount(m.orders.table), columns: columnNames(m.orders.table))

    // Feedback (its customers may also be missing from the customer table).
    var feedback: FeedbackTable?
    if let f = m.feedback {
      feedback = try readFeedback(connections, f, keys: keys, expectedRows: rowCount(f.table), columns: columnNames(f.table))
    }

    // Items.
    var items: ItemTable?
    if let it = m.items {
      items = try readItems(connections, it, orderRows: orderRead.orderRows, expectedRows: rowCount(it.table), columns: columnNames(it.table))
    }

    // Events (a clickstream), when mapped: EventLoader.swift.
    var events: EventTable?
    if let e = m.events {
      events = try EventLoader.read(connections, e, keys: keys, expectedRows: rowCount(e.table), columns: columnNames(e.table))
    }

    // Customers that appear only in orders get rows with NULL attributes.
    let customers = (consume customerTable).table(keys: keys, counted: m.customers != nil)
    var cube = Cube(customers: customers, orders: orderRead.table, items: items, feedback: feedback, source: source)
    cube.events = events
    return cube
  }

  /// The customer table's columns, one row per distinct id.
  struct CustomerColumns {
    var rows = 0
    var attributes: [DimensionID: DictColumn] = [:]
    var name: DictColumn?
    var birth: ContiguousArray<Int32>?
    var signup: ContiguousArray<Int32>?

    /// The customers: these rows, then a row with NULL attributes for each id found only in
    /// orders (`counted`: whether there is a customer table at all).
    /// - Complexity: O(keys); the columns grow in place.
    consuming func table(keys: CustomerKeys, counted: Bool) -> CustomerTable {
      let n = keys.count
      let missing = n - rows
      for d in Array(attributes.keys) { attributes[d]?.codes.append(contentsOf: repeatElement(-1, count: missing)) }
      name?.codes.append(contentsOf: repeatElement(-1, count: missing))
      birth?.append(contentsOf: repeatElement(nullDay, count: missing))
      signup?.append(contentsOf: repeatElement(nullDay, count: missing))
      var inTable = ContiguousArray<Bool>(repeating: false, count: n)
      for i in 0..<rows { inTable[i] = true }
      let keyColumn: KeyColumn = keys.integer ? .int(keys.intKeys) : .text(keys.textKeys)
      return CustomerTable(keys: keyColumn, inCustomerTable: inTable, name: name, attributes: attributes, birthYear: birth,
                           signupDay: signup, tableRowCount: counted ? rows : 0)
    }
  }

  /// Where the customer table's columns are in its SELECT and its Int32 columns.
  struct CustomerLayout: Sendable {
    var dims: [DimensionID]
    var columns: [String]
    var name: Int?
    var birth: Int?
    var signup: Int?

    init(_ c: DataMapping.Customers) {
      dims = DimensionID.allCases.filter { c.attributes[$0] != nil }
      var cols = [c.id] + dims.compactMap { c.attributes[$0] }
      name = c.name.map { n in cols.append(n); return cols.count - 1 }
      birth = c.birthYear.map { n in cols.append(n); return cols.count - 1 }
      signup = c.signup.map { n in cols.append(n); return cols.count - 1 }
      columns = cols
    }

    /// Int32 columns: one per attribute, then name, birth year and signup when mapped (the
    /// SELECT's columns from 1 on, in order).
    var int32Count: Int { columns.count - 1 }
  }

  /// Reads the customer table, adding its ids to `keys` in table order (a repeated id keeps
  /// its first row; a NULL id has none). A large table with integer ids is read in two chunks
  /// and its ids added in order afterwards, unless it turns out to hold NULL or repeated ids.
  /// - Complexity: O(rows), one String per distinct text value.
  static func readCustomers(_ connections: LoadConnections, _ c: DataMapping.Customers, keys: inout CustomerKeys,
                            expectedRows: Int, columns: [String]) throws -> CustomerColumns {
    let layout = CustomerLayout(c)
    let q = quoteIdentifier
    let select = "SELECT \(layout.columns.map(q).joined(separator: ", ")) FROM \(q(c.table))"
    let plan = connections.plan(table: c.table, columns: columns, select: select, rows: expectedRows)
    if keys.integer, keys.count == 0, plan.isSplit,
       let read = try readCustomerChunks(connections, plan, layout, keys: &keys) {
      return read
    }
    return try readCustomersInOrder(connections.main, select, layout, keys: &keys, expectedRows: expectedRows)
  }

  /// The customer table in two chunks, or nil when an id is NULL, not an integer, or repeated
  /// (then `keys` is as it was).
  static func readCustomerChunks(_ connections: LoadConnections, _ plan: ScanPlan, _ layout: CustomerLayout,
                                 keys: inout CustomerKeys) throws -> CustomerColumns? {
    struct NotOneRowPerId: Error {}
    struct Part: ChunkPart {
      var rows: Int
      var dicts: [TextDictionary]
    }
    let textColumns = layout.dims.count + (layout.name == nil ? 0 : 1)
    var scanned: ScannedTable<Part>
    do {
      scanned = try connections.scan(plan, into: ColumnCounts(int32: layout.int32Count, int64: 1)) { chunk, st, b in
        let ids = b.int64[0]
        var dicts = (0..<textColumns).map { _ in TextDictionary() }
        var i = chunk.start
        let end = chunk.positions.upperBound
        while try st.step() {
          guard i < end else { throw ChunkOverflow() }
          guard let k = CustomerKeys.intKey(st, 0) else { throw NotOneRowPerId() }
          ids[i] = k
          for t in 0..<textColumns { b.int32[t][i] = code(st, t + 1, &dicts[t]) }
          if let c = layout.birth { b.int32[c - 1][i] = st.isNull(c) ? nullDay : Int32(truncatingIfNeeded: st.int64(c)) }
          if let c = layout.signup { b.int32[c - 1][i] = DateParsing.day(st, c) }
          i += 1
        }
        return Part(rows: i - chunk.start, dicts: dicts)
      }
    } catch is NotOneRowPerId {
      return nil
    }
    var fresh = CustomerKeys(integer: true)
    guard fresh.adopt(scanned.take(int64: 0)) else { return nil }
    keys = fresh
    var out = CustomerColumns(rows: scanned.rows)
    let rows = scanned.parts.map(\.rows)
    func dictionary(_ t: Int) -> DictColumn {
      var codes = scanned.take(int32: t)
      return mergeDictionaries(scanned.parts.map { $0.dicts[t] }, chunks: scanned.chunks, rows: rows, codes: &codes).column(codes)
    }
    for (t, d) in layout.dims.enumerated() { out.attributes[d] = dictionary(t) }
    if let c = layout.name { out.name = dictionary(c - 1) }
    if let c = layout.birth { out.birth = scanned.take(int32: c - 1) }
    if let c = layout.signup { out.signup = scanned.take(int32: c - 1) }
    return out
  }

  /// The customer table by one statement, row by row.
  static func readCustomersInOrder(_ db: SQLiteDatabase, _ select: String, _ layout: CustomerLayout, keys: inout CustomerKeys,
                                   expectedRows: Int) throws -> CustomerColumns {
    let st = try db.prepare(select)
    let capacity = max(expectedRows, 0)
    func column() -> ContiguousArray<Int32> {
      var a = ContiguousArray<Int32>()
      a.reserveCapacity(capacity)
      return a
    }
    let dims = layout.dims
    var attrDicts = dims.map { _ in TextDictionary() }
    var attrCodes = dims.map { _ in column() }
    var nameDict = TextDictionary()
    var nameCodes = column()
    var birth = column()
    var signup = column()
    var rows = 0
    while try st.step() {
      guard let (_, isNew) = keys.add(st, 0), isNew else { continue }  // NULL or a repeated id: the first row wins
      rows += 1
      for k in dims.indices { attrCodes[k].append(code(st, k + 1, &attrDicts[k])) }
      if let i = layout.name { nameCodes.append(code(st, i, &nameDict)) }
      if let i = layout.birth { birth.append(st.isNull(i) ? nullDay : Int32(truncatingIfNeeded: st.int64(i))) }
      if let i = layout.signup { signup.append(DateParsing.day(st, i)) }
    }
    var out = CustomerColumns(rows: rows)
    for (k, d) in dims.enumerated() { out.attributes[d] = attrDicts[k].column(attrCodes[k]) }
    if layout.name != nil { out.name = nameDict.column(nameCodes) }
    if layout.birth != nil { out.birth = birth }
    if layout.signup != nil { out.signup = signup }
    return out
  }

  struct OrderPart: ChunkPart {
    var rows: Int
    var newCustomers: NewCustomers
    var channel: TextDictionary
    var ids: OrderIDs
  }

  /// Reads the orders (in two chunks when large), then gives new customer ids their rows in
  /// order-table order.
  /// - Complexity: O(rows); no hashing for dense integer customer and order ids.
  static func readOrders(_ connections: LoadConnections, _ o: DataMapping.Orders, keys: inout CustomerKeys,
                         linkItems: Bool, expectedRows: Int, columns: [String]) throws -> (table: OrderTable, orderRows: OrderRows) {
    let q = quoteIdentifier
    var ocols = [o.customer, o.date, o.amount]
    let channelAt = o.channel.map { ocols.append($0); return ocols.count - 1 }
    let qtyAt = o.quantity.map { ocols.append($0); return ocols.count - 1 }
    let discountAt = o.discount.map { ocols.append($0); return ocols.count - 1 }
    let discountSlot = qtyAt == nil ? 1 : 2
    if let id = o.id { ocols.append(id) } else { ocols.append("rowid") }
    let idAt = ocols.count - 1
    let select = "SELECT \(ocols.enumerated().map { $0.offset == idAt && o.id == nil ? "rowid" : q($0.element) }.joined(separator: ", ")) FROM \(q(o.table))"
    let plan = connections.plan(table: o.table, columns: columns, select: select, rows: expectedRows)
    // Both chunks see the keys as they were before the orders (`known`).
    func scan(known: CustomerKeys) throws -> ScannedTable<OrderPart> {
      try connections.scan(plan, into: ColumnCounts(int32: channelAt == nil ? 2 : 3, double: 1 + (qtyAt == nil ? 0 : 1) + (discountAt == nil ? 0 : 1))) { chunk, st, b in
        let day = b.int32[0], cust = b.int32[1], amount = b.double[0]
        let channel = channelAt.map { _ in b.int32[2] }
        let qty = qtyAt.map { _ in b.double[1] }
        let discount = discountAt.map { _ in b.double[discountSlot] }
        var customers = ChunkCustomers(known: known)
        var part = OrderPart(rows: 0, newCustomers: NewCustomers(), channel: TextDictionary(), ids: OrderIDs())
        var i = chunk.start
        let end = chunk.positions.upperBound
        while try st.step() {
          guard i < end else { throw ChunkOverflow() }
          cust[i] = customers.code(st, 0, add: true)
          day[i] = DateParsing.day(st, 1)
          amount[i] = double(st, 2, ifNull: .nan)
          if let channel, let c = channelAt { channel[i] = code(st, c, &part.channel) }
          if let qty, let c = qtyAt { qty[i] = st.double(c) }  // NULL reads as 0
          if let discount, let c = discountAt { discount[i] = st.double(c) }  // NULL reads as 0
          if linkItems { part.ids.append(st.int64(idAt)) }
          i += 1
        }
        part.rows = i - chunk.start
        part.newCustomers = customers.new
        return part
      }
    }
    var scanned = try scan(known: keys)
    var cust = scanned.take(int32: 1)
    for (chunk, part) in zip(scanned.chunks, scanned.parts) where !part.newCustomers.isEmpty {
      let rows = keys.absorb(part.newCustomers)
      for i in chunk.start..<(chunk.start + part.rows) where cust[i] <= -2 { cust[i] = rows[Int(-2 - cust[i])] }
    }
    var channel: DictColumn?
    if channelAt != nil {
      var codes = scanned.take(int32: 2)
      let dict = mergeDictionaries(scanned.parts.map(\.channel), chunks: scanned.chunks, rows: scanned.parts.map(\.rows), codes: &codes)
      channel = dict.column(codes)
    }
    var table = OrderTable(day: scanned.take(int32: 0), customer: cust, amount: scanned.take(double: 0), channel: channel,
                           quantity: qtyAt == nil ? nil : scanned.take(double: 1))
    if discountAt != nil { table.discount = scanned.take(double: discountSlot) }
    return (table, OrderRows(scanned.parts.map(\.ids)))
  }

  struct FeedbackPart: ChunkPart {
    var rows: Int
    var comments: [String]
  }

  /// Reads the feedback (in two chunks when large); customers not known are -1.
  /// - Complexity: O(rows); repeated comments share one String.
  static func readFeedback(_ connections: LoadConnections, _ f: DataMapping.Feedback, keys: CustomerKeys,
                           expectedRows: Int, columns: [String]) throws -> FeedbackTable {
    let q = quoteIdentifier
    var fc = [f.customer, f.date, f.score]
    if let c = f.comment { fc.append(c) }
    let hasComment = f.comment != nil
    let select = "SELECT \(fc.map(q).joined(separator: ", ")) FROM \(q(f.table))"
    let plan = connections.plan(table: f.table, columns: columns, select: select, rows: expectedRows)
    var scanned = try connections.scan(plan, into: ColumnCounts(int32: 2, double: 1)) { chunk, st, b in
      let cust = b.int32[0], day = b.int32[1], score = b.double[0]
      var customers = ChunkCustomers(known: keys)
      var interner = StringInterner()
      var comments: [String] = []
      comments.reserveCapacity(chunk.capacity)
      var i = chunk.start
      let end = chunk.positions.upperBound
      while try st.step() {
        guard i < end else { throw ChunkOverflow() }
        cust[i] = customers.code(st, 0, add: false)
        day[i] = DateParsing.day(st, 1)
        score[i] = double(st, 2, ifNull: .nan)
        comments.append(hasComment ? (st.textBytes(3).map { interner.string($0) } ?? "") : "")
        i += 1
      }
      return FeedbackPart(rows: i - chunk.start, comments: comments)
    }
    let comments = scanned.parts.count == 1 ? scanned.parts[0].comments : scanned.parts.flatMap(\.comments)
    return FeedbackTable(customer: scanned.take(int32: 0), day: scanned.take(int32: 1), score: scanned.take(double: 0), comment: comments)
  }

  struct ItemPart: ChunkPart {
    var rows: Int
    var product: TextDictionary
    var category: TextDictionary
  }

  /// Reads the order items (in two chunks when large), linking each to its order's row.
  /// - Complexity: O(rows); no hashing for consecutive or dense order ids.
  static func readItems(_ connections: LoadConnections, _ it: DataMapping.Items, orderRows: OrderRows,
                        expectedRows: Int, columns: [String]) throws -> ItemTable {
    let q = quoteIdentifier
    var ic = [it.order]
    let pAt = it.product.map { ic.append($0); return ic.count - 1 }
    let cAt = it.category.map { ic.append($0); return ic.count - 1 }
    let qAt = it.quantity.map { ic.append($0); return ic.count - 1 }
    let uAt = it.unitPrice.map { ic.append($0); return ic.count - 1 }
    // Int32 columns: order, then product and category when mapped.
    let productCol = pAt.map { _ in 1 }
    let categoryCol = cAt.map { _ in pAt == nil ? 1 : 2 }
    let select = "SELECT \(ic.map(q).joined(separator: ", ")) FROM \(q(it.table))"
    let plan = connections.plan(table: it.table, columns: columns, select: select, rows: expectedRows)
    let counts = ColumnCounts(int32: 1 + (pAt == nil ? 0 : 1) + (cAt == nil ? 0 : 1), double: 2)
    var scanned = try connections.scan(plan, into: counts) { chunk, st, b in
      let order = b.int32[0], iq = b.double[0], up = b.double[1]
      let product = productCol.map { b.int32[$0] }
      let category = categoryCol.map { b.int32[$0] }
      var part = ItemPart(rows: 0, product: TextDictionary(), category: TextDictionary())
      var i = chunk.start
      let end = chunk.positions.upperBound
      while try st.step() {
        guard i < end else { throw ChunkOverflow() }
        order[i] = orderRows.row(st.int64(0))
        if let product, let c = pAt { product[i] = code(st, c, &part.product) }
        if let category, let c = cAt { category[i] = code(st, c, &part.category) }
        iq[i] = qAt.map { st.double($0) } ?? 1  // NULL reads as 0
        up[i] = uAt.map { st.double($0) } ?? 0
        i += 1
      }
      part.rows = i - chunk.start
      return part
    }
    let rows = scanned.parts.map(\.rows)
    var product: DictColumn?
    if let k = productCol {
      var codes = scanned.take(int32: k)
      product = mergeDictionaries(scanned.parts.map(\.product), chunks: scanned.chunks, rows: rows, codes: &codes).column(codes)
    }
    var category: DictColumn?
    if let k = categoryCol {
      var codes = scanned.take(int32: k)
      category = mergeDictionaries(scanned.parts.map(\.category), chunks: scanned.chunks, rows: rows, codes: &codes).column(codes)
    }
    return ItemTable(order: scanned.take(int32: 0), product: product, category: category,
                     quantity: scanned.take(double: 0), unitPrice: scanned.take(double: 1))
  }
}
