// `wenshu schema`: the inferred model and the data-quality report.

import ArgumentParser
import CubeSQLite
import Engine
import Foundation
import LineEditing
import Planning
import QueryModel
import Rendering

struct Schema: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Show the model inferred from a database and its data quality.")

  @OptionGroup var common: CommonOptions
  @Option(help: "Write the inferred mapping to FILE, for editing and --mapping.") var writeMapping: String?

  func run() throws {
    let (engine, _) = try common.engine()
    let db = engine.database
    let c = db.cube
    print("Database: \(db.path)")
    for t in db.schema.tables {
      print("  table \(t.name): \(t.rowCount) rows — " + t.columns.map { "\($0.name) \($0.declaredType)" }.joined(separator: ", "))
    }
    print("\nInferred mapping:")
    print(db.mapping.text.split(separator: "\n").dropFirst().map { "  " + $0 }.joined(separator: "\n"))
    print("\nModel:")
    print("  customers: \(c.customers.tableRowCount) in the customer table, \(c.customers.count) ids in all")
    print("  orders: \(c.orders.count), dates \(c.dateRange.map { "\($0.start.iso) … \($0.end.iso)" } ?? "—")")
    if let i = c.items { print("  order items: \(i.count)") }
    if let f = c.feedback { print("  feedback: \(f.count)") }
    for d in c.availableDimensions.sorted(by: { $0.rawValue < $1.rawValue }) where ![.customer, .segment, .topic].contains(d) {
      let n = c.values(of: d).count
      print("  dimension \(d.rawValue): \(n == 0 ? "derived" : "\(n) values")")
    }
    print("\nData quality:")
    let nullAmounts = c.orders.amount.filter(\.isNaN).count
    let orphans = (0..<c.orders.count).filter { i in
      let k = c.orders.customer[i]
      return k < 0 || (c.customers.tableRowCount > 0 && !c.customers.inCustomerTable[Int(k)])
    }.count
    let badDates = c.orders.day.filter { $0 == Int32.min }.count
    let today = try common.todayDay()
    let future = c.orders.day.filter { $0 != Int32.min && $0 > today.raw }.count
    let negative = c.orders.amount.filter { !$0.isNaN && $0 < 0 }.count
    print("  orders with a NULL amount: \(nullAmounts)")
    print("  orders whose customer is missing from the customer table: \(c.customers.tableRowCount > 0 ? String(orphans) : "n/a (no customer table)")")
    print("  orders with an unparseable date: \(badDates)")
    print("  orders dated after today (\(today.iso)): \(future)")
    print("  orders with a negative amount: \(negative)")
    if let path = writeMapping {
      do {
        try db.mapping.text.write(toFile: path, atomically: true, encoding: .utf8)
        print("\nWrote the mapping to \(path)")
      } catch {
        throw CLIError(message: "cannot write \(path): \(error.localizedDescription)")
      }
    }
  }
}
