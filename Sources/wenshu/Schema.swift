// `wenshu schema`: the inferred model and the data-quality report; `Schema.report` is also
// what the REPL's `:schema` prints.

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
    let (engine, today) = try common.engine()
    print(Schema.report(engine, today: today))
    let db = engine.database
    if let path = writeMapping {
      do {
        try db.mapping.text.write(toFile: path, atomically: true, encoding: .utf8)
        print("\nWrote the mapping to \(path)")
      } catch {
        throw CLIError(message: "cannot write \(path): \(error.localizedDescription)")
      }
    }
  }

  /// What is loaded: tables, the inferred mapping, the model (roles, dimensions with value
  /// counts) and the data-quality report. Printed by `wenshu schema` and the REPL's `:schema`.
  static func report(_ engine: Engine, today: Day) -> String {
    var out: [String] = []
    let db = engine.database
    let c = db.cube
    out.append("Database: \(db.path)")
    for t in db.schema.tables {
      out.append("  table \(t.name): \(t.rowCount) rows — " + t.columns.map { "\($0.name) \($0.declaredType)" }.joined(separator: ", "))
    }
    out.append("\nInferred mapping:")
    out.append(db.mapping.text.split(separator: "\n").dropFirst().map { "  " + $0 }.joined(separator: "\n"))
    out.append("\nModel:")
    out.append("  customers: \(c.customers.tableRowCount) in the customer table, \(c.customers.count) ids in all")
    out.append("  orders: \(c.orders.count), dates \(c.dateRange.map { "\($0.start.iso) … \($0.end.iso)" } ?? "—")")
    if let i = c.items { out.append("  order items: \(i.count)") }
    if let f = c.feedback { out.append("  feedback: \(f.count)") }
    for d in c.availableDimensions.sorted(by: { $0.rawValue < $1.rawValue }) where ![.customer, .segment, .topic].contains(d) {
      let n = c.values(of: d).count
      out.append("  dimension \(d.rawValue): \(n == 0 ? "derived" : "\(n) values")")
    }
    out.append("\nData quality:")
    for f in DataQuality.check(engine.database, today: today).findings {
      out.append("  \(f.title): \(f.count.map(String.init) ?? "n/a")" + (f.note.map { " (\($0))" } ?? ""))
    }
    return out.joined(separator: "\n")
  }
}
