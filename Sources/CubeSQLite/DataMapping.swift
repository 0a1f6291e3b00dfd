// Which tables and columns of the user's database play the roles of semantics.md
// (orders, customers, order items, feedback), and the mapping file that overrides inference.
//
// A mapping file uses the grammar line format, so errors name file:line:
//
//     orders table: purchases
//     orders customer: cust_id
//     orders date: txn_date
//     orders amount: dollars
//     customers region: region

import Foundation
import Grammar
import QueryModel

public struct DataMapping: Sendable, Equatable {
  public struct Orders: Sendable, Equatable {
    public var table: String
    public var id: String?
    public var customer: String
    public var date: String
    public var amount: String
    public var channel: String?
    public var quantity: String?
    public var discount: String?
  }
  public struct Customers: Sendable, Equatable {
    public var table: String
    public var id: String
    public var name: String?
    public var attributes: [DimensionID: String]
    public var birthYear: String?
    public var signup: String?
  }
  public struct Items: Sendable, Equatable {
    public var table: String
    public var order: String
    public var product: String?
    public var category: String?
    public var quantity: String?
    public var unitPrice: String?
  }
  public struct Feedback: Sendable, Equatable {
    public var table: String
    public var customer: String
    public var date: String
    public var score: String
    public var comment: String?
  }

  public var orders: Orders
  public var customers: Customers?
  public var items: Items?
  public var feedback: Feedback?
  /// App or web events (a clickstream): EventLoader.swift.
  public var events: Events? = nil

  /// The mapping in its file form (what `--write-mapping` writes).
  public var text: String {
    var out = ["# Wenshu data mapping: role field: column. Edit and pass with --mapping FILE."]
    func line(_ role: String, _ field: String, _ v: String?) { if let v { out.append("\(role) \(field): \(v)") } }
    line("orders", "table", orders.table)
    line("orders", "id", orders.id)
    line("orders", "customer", orders.customer)
    line("orders", "date", orders.date)
    line("orders", "amount", orders.amount)
    line("orders", "channel", orders.channel)
    line("orders", "quantity", orders.quantity)
    line("orders", "discount", orders.discount)
    if let c = customers {
      line("customers", "table", c.table)
      line("customers", "id", c.id)
      line("customers", "name", c.name)
      for d in DimensionID.allCases { line("customers", d.rawValue, c.attributes[d]) }
      line("customers", "birth_year", c.birthYear)
      line("customers", "signup", c.signup)
    }
    if let i = items {
      line("items", "table", i.table)
      line("items", "order", i.order)
      line("items", "product", i.product)
      line("items", "category", i.category)
      line("items", "quantity", i.quantity)
      line("items", "unit_price", i.unitPrice)
    }
    if let f = feedback {
      line("feedback", "table", f.table)
      line("feedback", "customer", f.customer)
      line("feedback", "date", f.date)
      line("feedback", "score", f.score)
      line("feedback", "comment", f.comment)
    }
    if let e = events {
      line("events", "table", e.table)
      line("events", "customer", e.customer)
      line("events", "time", e.time)
      line("events", "type", e.type)
      line("events", "product", e.product)
    }
    return out.joined(separator: "\n") + "\n"
  }

  /// Reads a mapping file and checks every table and column against the database.
  public static func load(file: String, schema: DatabaseSchema) throws -> DataMapping {
    let rules = try RuleFile.load(URL(fileURLWithPath: file))
    var byRole: [String: [String: (String, SourceLocation)]] = [:]
    for r in rules {
      guard ["orders", "customers", "items", "feedback", "events"].contains(r.kind) else {
        throw GrammarError(r.location, "unknown role “\(r.kind)”; roles are orders, customers, items, feedback, events")
      }
      byRole[r.kind, default: [:]][r.id] = (r.phrases[0], r.location)
    }
    func table(_ role: String) throws -> (String, [String: (String, SourceLocation)])? {
      guard let fields = byRole[role] else { return nil }
      guard let (t, loc) = fields["table"] else {
        let anyLoc = fields.values.first?.1 ?? SourceLocation(file: file, line: 0)
        throw GrammarError(anyLoc, "role \(role) has no `\(role) table: NAME` line")
      }
      guard let cols = schema.columns(of: t) else {
        throw GrammarError(loc, "no table “\(t)” in the database; tables: \(schema.tables.map(\.name).joined(separator: ", "))")
      }
      for (field, (col, cloc)) in fields where field != "table" {
        if !cols.contains(where: { $0.name == col }) {
          throw GrammarError(cloc, "no column “\(col)” in table \(t); columns: \(cols.map(\.name).joined(separator: ", "))")
        }
      }
      return (t, fields)
    }
    guard let (ot, of) = try table("orders") else {
      throw GrammarError(SourceLocation(file: file, line: 0), "the mapping has no orders role (`orders table: NAME`)")
    }
    func need(_ f: [String: (String, SourceLocation)], _ k: String, _ role: String) throws -> String {
      guard let v = f[k]?.0 else {
        throw GrammarError(f["table"]?.1 ?? SourceLocation(file: file, line: 0), "role \(role) needs a `\(role) \(k): COLUMN` line")
      }
      return v
    }
    var m = DataMapping(
      orders: Orders(table: ot, id: of["id"]?.0, customer: try need(of, "customer", "orders"), date: try need(of, "date", "orders"),
                     amount: try need(of, "amount", "orders"), channel: of["channel"]?.0, quantity: of["quantity"]?.0,
                     discount: of["discount"]?.0),
      customers: nil, items: nil, feedback: nil)
    if let (ct, cf) = try table("customers") {
      var attrs: [DimensionID: String] = [:]
      for d in DimensionID.allCases { if let v = cf[d.rawValue]?.0 { attrs[d] = v } }
      m.customers = Customers(table: ct, id: try need(cf, "id", "customers"), name: cf["name"]?.0, attributes: attrs,
                              birthYear: cf["birth_year"]?.0, signup: cf["signup"]?.0)
    }
    if let (it, f) = try table("items") {
      m.items = Items(table: it, order: try need(f, "order", "items"), product: f["product"]?.0, category: f["category"]?.0,
                      quantity: f["quantity"]?.0, unitPrice: f["unit_price"]?.0)
    }
    if let (ft, f) = try table("feedback") {
      m.feedback = Feedback(table: ft, customer: try need(f, "customer", "feedback"), date: try need(f, "date", "feedback"),
                            score: try need(f, "score", "feedback"), comment: f["comment"]?.0)
    }
    if let (et, f) = try table("events") {
      m.events = Events(table: et, customer: try need(f, "customer", "events"), time: try need(f, "time", "events"),
                        type: try need(f, "type", "events"), product: f["product"]?.0)
    }
    return m
  }
}

/// Tables and columns of a database, as SQLite describes them.
public struct DatabaseSchema: Sendable {
  public struct Column: Sendable, Equatable {
    public var name: String
    public var declaredType: String
  }
  public struct Table: Sendable {
    public var name: String
    public var columns: [Column]
    public var rowCount: Int
  }
  public var tables: [Table]

  public func columns(of table: String) -> [Column]? { tables.first { $0.name == table }?.columns }

  public static func read(_ db: SQLiteDatabase) throws -> DatabaseSchema {
    var tables: [Table] = []
    for row in try db.rows("SELECT name FROM sqlite_master WHERE type IN ('table','view') AND name NOT LIKE 'sqlite_%' ORDER BY name") {
      guard let name = row[0].string else { continue }
      let cols = try db.rows("SELECT name, type FROM pragma_table_info(?)", [.text(name)]).map {
        Column(name: $0[0].string ?? "", declaredType: ($0[1].string ?? "").uppercased())
      }
      let count = Int((try? db.rows("SELECT count(*) FROM \(quoteIdentifier(name))").first?.first?.double) ?? 0)
      tables.append(Table(name: name, columns: cols, rowCount: count))
    }
    return DatabaseSchema(tables: tables)
  }
}

/// An identifier quoted for SQL: "name" with inner quotes doubled.
public func quoteIdentifier(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
