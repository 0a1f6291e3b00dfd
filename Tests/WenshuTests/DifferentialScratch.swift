import CubeSQLite
import Execution
import Foundation
import QueryModel
import SQLCompiler
import XCTest

final class DifferentialScratch: XCTestCase {
  func testShow() throws {
    let sets = try DiffData.all()
    let ds = sets.first { $0.name == (ProcessInfo.processInfo.environment["DS"] ?? "edge-mixed") }!
    var plan = Plan(today: Day(year: 2026, month: 1, day: 10))
    plan.metrics = [.sales, .buyers]
    plan.groupBy = [.region]
    plan.timeGrain = .quarter
    plan.share = true
    if let s = ProcessInfo.processInfo.environment["SEED"].flatMap({ UInt64($0) }) { plan = DiffPlans.plan(s, ds).0; print(plan) }
    let c = try ds.compiler.compile(plan, language: .zh)
    if ProcessInfo.processInfo.environment["SHOW"] != nil { print(c.literalSQL) }
    print(c.literalSQL.count, c.parameters.count)
    let tp = Date()
    for _ in 0..<20 { _ = try ds.withConnection { try $0.prepare(c.sql) } }
    print("prepare", Date().timeIntervalSince(tp) / 20)
    let t0 = Date()
    let rows = try ds.withConnection { try $0.rows(c.sql, c.parameters) }
    print("sql", Date().timeIntervalSince(t0))
    let t1 = Date()
    _ = try ds.executor.run(plan, language: .zh)
    print("exec", Date().timeIntervalSince(t1))
    print(DiffRunner.render(rows.map { $0.map(DiffRunner.value) }))
    print(DiffRunner.render(try ds.executor.run(plan, language: .zh).rows))
  }
}
