// `wenshu demo`: writes a demo database of any size.

import ArgumentParser
import CubeSQLite
import DemoData
import Engine
import Foundation
import LineEditing
import Planning
import QueryModel
import Rendering

struct Demo: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Write a realistic demo retail database of any size.")

  @Option(help: "Number of customers.") var customers = 6000
  @Option(help: "Number of orders.") var orders = 40000
  @Option(help: "Random seed.") var seed: UInt64 = 20261122
  @Option(help: "Last day of the data YYYY-MM-DD (default: yesterday).") var lastDay: String?
  @Option(help: "Output SQLite file.") var out: String

  func run() throws {
    let last: Day
    if let l = lastDay {
      guard let d = Day(iso: l) else { throw ValidationError("--last-day must be YYYY-MM-DD") }
      last = d
    } else {
      last = try CommonOptions.parse([]).todayDay() - 1
    }
    let t0 = Date()
    do {
      try DemoDatabase.write(DemoSpec(customers: customers, orders: orders, seed: seed, lastDay: last), to: out)
    } catch {
      throw CLIError(message: "cannot write \(out): \(error)")
    }
    print("Wrote \(out): \(customers) customers, \(orders) orders, ending \(last.iso), in \(String(format: "%.1f", Date().timeIntervalSince(t0))) s")
  }
}
