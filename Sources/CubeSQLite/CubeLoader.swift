// SQLite → cube: reads the mapped tables with prepared statements straight into column
// buffers, resolves every order's customer row once, and links items to orders.
// The database is opened read-only and never written.

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
      cube = try build(db: db, mapping: mapping, source: path)
    } catch let e as SQLiteError {
      throw SQLiteError("\(path): reading the data failed (\(e.message)). The file may be damaged or locked.")
    }
    return LoadedDatabase(cube: cube, mapping: mapping, schema: schema, path: path, seconds: Date().timeIntervalSince(t0))
  }

  /// Customer ids in the order they are first seen; integer ids stay integers.
  struct CustomerIndex {
    var intIndex: [Int64: Int32] = [:]
    var textIndex: [String: Int32] = [:]
    var intKeys = ContiguousArray<Int64>()
    var textKeys: [String] = []
    let integer: Bool

    init(integer: Bool) { self.integer = integer }

    var count: Int { integer ? intKeys.count : textKeys.count }

    /// The row of the current statement's column `i`, adding it when new (or -1 for NULL).
    mutating func row(_ st: SQLiteStatement, _ i: Int, add: Bool) -> Int32 {
      if st.isNull(i) { return -1 }
      if integer {
        let k: Int64
        if st.type(i) == SQLiteStatement.typeInteger {
          k = st.int64(i)
        } else if let v = st.text(i).flatMap({ Int64($0.trimmingCharacters(in: .whitespaces)) }) {
          k = v
        } else {
          return -1
        }
        if let r = intIndex[k] { return r }
        guard add else { return -1 }
        let r = Int32(intKeys.count)
        intIndex[k] = r
        intKeys.append(k)
        return r
      } else {
        let k = st.text(i) ?? ""
        if let r = textIndex[k] { return r }
        guard add else { return -1 }
        let r = Int32(textKeys.count)
        textIndex[k] = r
        textKeys.append(k)
        return r
      }
    }
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

  static func build(db: SQLiteDatabase, mapping m: DataMapping, source: String) throws -> Cube {
    let q = quoteIdentifier
    let integerKeys = try columnIsInteger(db, table: m.orders.table, column: m.orders.customer)
    var index = CustomerIndex(integer: integerKeys)

    // Customers first, so their rows come first and in table order.
    var attrBuilders: [DimensionID: DictBuilder] = [:]
    var nameBuilder: DictBuilder?
    var birth: ContiguousArray<Int32>?
    var signup: ContiguousArray<Int32>?
    var tableRows = 0
    if let c = m.customers {
      let dims = DimensionID.allCases.filter { c.attributes[$0] != nil }
      var cols = [c.id] + dims.compactMap { c.attributes[$0] }
      let nameAt = c.name.map { n in cols.append(n); return cols.count - 1 }
      let birthAt = c.birthYear.map { n in cols.append(n); return cols.count - 1 }
      let signupAt = c.signup.map { n in cols.append(n); return cols.count - 1 }
      let st = try db.prepare("SELECT \(cols.map(q).joined(separator: ", ")) FROM \(q(c.table))")
      for d in dims { attrBuilders[d] = DictBuilder() }
      if nameAt != nil { nameBuilder = DictBuilder() }
      if birthAt != nil { birth = [] }
      if signupAt != nil { signup = [] }
      while try st.step() {
        let before = index.count
        let r = index.row(st, 0, add: true)
        guard r >= 0, index.count > before else { continue }  // NULL or duplicate id: first row wins
        tableRows += 1
        for (k, d) in dims.enumerated() { attrBuilders[d]?.append(st.text(k + 1)) }
        if let i = nameAt { nameBuilder?.append(st.text(i)) }
        if let i = birthAt { birth?.append(st.isNull(i) ? nullDay : Int32(truncatingIfNeeded: st.int64(i))) }
        if let i = signupAt { signup?.append(DateParsing.day(st, i)) }
      }
    }

    // Orders.
    let o = m.orders
    var ocols = [o.customer, o.date, o.amount]
    let channelAt = o.channel.map { ocols.append($0); return ocols.count - 1 }
    let qtyAt = o.quantity.map { ocols.append($0); return ocols.count - 1 }
    let idAt: Int
    if let id = o.id { ocols.append(id) } else { ocols.append("rowid") }
    idAt = ocols.count - 1
    let total = (try? db.rows("SELECT count(*) FROM \(q(o.table))").first?.first?.double).flatMap { $0 }.map { Int($0) } ?? 0
    var day = ContiguousArray<Int32>()
    var cust = ContiguousArray<Int32>()
    var amount = ContiguousArray<Double>()
    day.reserveCapacity(total)
    cust.reserveCapacity(total)
    amount.reserveCapacity(total)
    var channel = channelAt.map { _ in DictBuilder(capacity: total) }
    var qty: ContiguousArray<Double>? = qtyAt.map { _ in ContiguousArray<Double>() }
    var orderRowById: [Int64: Int32] = [:]
    let linkItems = m.items != nil
    let ost = try db.prepare(
      "SELECT \(ocols.enumerated().map { $0.offset == idAt && o.id == nil ? "rowid" : q($0.element) }.joined(separator: ", ")) FROM \(q(o.table))")
    while try ost.step() {
      let row = Int32(day.count)
      cust.append(index.row(ost, 0, add: true))
      day.append(DateParsing.day(ost, 1))
      amount.append(ost.isNull(2) ? .nan : ost.double(2))
      if let i = channelAt { channel?.append(ost.text(i)) }
      if let i = qtyAt { qty?.append(ost.isNull(i) ? 0 : ost.double(i)) }
      if linkItems { orderRowById[ost.int64(idAt)] = row }
    }

    // Feedback (its customers may also be missing from the customer table).
    var feedback: FeedbackTable?
    if let f = m.feedback {
      var fc = [f.customer, f.date, f.score]
      if let c = f.comment { fc.append(c) }
      let st = try db.prepare("SELECT \(fc.map(q).joined(separator: ", ")) FROM \(q(f.table))")
      var fcust = ContiguousArray<Int32>()
      var fday = ContiguousArray<Int32>()
      var fscore = ContiguousArray<Double>()
      var fcomment: [String] = []
      while try st.step() {
        fcust.append(index.row(st, 0, add: false))
        fday.append(DateParsing.day(st, 1))
        fscore.append(st.isNull(2) ? .nan : st.double(2))
        fcomment.append(f.comment != nil ? (st.text(3) ?? "") : "")
      }
      feedback = FeedbackTable(customer: fcust, day: fday, score: fscore, comment: fcomment)
    }

    // Items.
    var items: ItemTable?
    if let it = m.items {
      var ic = [it.order]
      let pAt = it.product.map { ic.append($0); return ic.count - 1 }
      let cAt = it.category.map { ic.append($0); return ic.count - 1 }
      let qAt = it.quantity.map { ic.append($0); return ic.count - 1 }
      let uAt = it.unitPrice.map { ic.append($0); return ic.count - 1 }
      let st = try db.prepare("SELECT \(ic.map(q).joined(separator: ", ")) FROM \(q(it.table))")
      var iorder = ContiguousArray<Int32>()
      var prod = pAt.map { _ in DictBuilder() }
      var cat = cAt.map { _ in DictBuilder() }
      var iq = ContiguousArray<Double>()
      var up = ContiguousArray<Double>()
      while try st.step() {
        iorder.append(orderRowById[st.int64(0)] ?? -1)
        if let i = pAt { prod?.append(st.text(i)) }
        if let i = cAt { cat?.append(st.text(i)) }
        iq.append(qAt.map { st.isNull($0) ? 0 : st.double($0) } ?? 1)
        up.append(uAt.map { st.isNull($0) ? 0 : st.double($0) } ?? 0)
      }
      items = ItemTable(order: iorder, product: prod?.build(), category: cat?.build(), quantity: iq, unitPrice: up)
    }

    // Customers that appear only in orders get rows with NULL attributes.
    let n = index.count
    let inTable = ContiguousArray<Bool>((0..<n).map { $0 < tableRows })
    var attributes: [DimensionID: DictColumn] = [:]
    for (d, b) in attrBuilders {
      var col = b.build()
      col.codes.append(contentsOf: repeatElement(-1, count: n - col.codes.count))
      attributes[d] = col
    }
    var name = nameBuilder?.build()
    if var col = name {
      col.codes.append(contentsOf: repeatElement(-1, count: n - col.codes.count))
      name = col
    }
    if var b = birth {
      b.append(contentsOf: repeatElement(nullDay, count: n - b.count))
      birth = b
    }
    if var s = signup {
      s.append(contentsOf: repeatElement(nullDay, count: n - s.count))
      signup = s
    }
    let keys: KeyColumn = integerKeys ? .int(index.intKeys) : .text(index.textKeys)
    let customers = CustomerTable(keys: keys, inCustomerTable: inTable, name: name, attributes: attributes,
                                  birthYear: birth, signupDay: signup, tableRowCount: m.customers == nil ? 0 : tableRows)
    let orders = OrderTable(day: day, customer: cust, amount: amount, channel: channel?.build(), quantity: qty)
    return Cube(customers: customers, orders: orders, items: items, feedback: feedback, source: source)
  }
}
