// The data-quality report of `wenshu schema`: what is wrong with the user's data, counted
// on the loaded cube (NULL amounts, orphan orders, unparseable, future and negative values)
// and in SQL for what the cube does not keep (duplicate ids).

import Cube
import QueryModel

public struct DataQuality: Sendable {
  public struct Finding: Sendable {
    public var title: String
    public var count: Int?
    public var note: String?
  }
  public var findings: [Finding]

  public static func check(_ db: LoadedDatabase, today: Day) -> DataQuality {
    let c = db.cube
    let m = db.mapping
    var f: [Finding] = []
    f.append(Finding(title: "orders with a NULL amount", count: c.orders.amount.filter(\.isNaN).count,
                     note: "counted as orders, adding nothing to sales"))
    let hasTable = c.customers.tableRowCount > 0
    let nullCustomer = c.orders.customer.filter { $0 < 0 }.count
    let orphans = hasTable ? c.orders.customer.filter { $0 >= 0 && !c.customers.inCustomerTable[Int($0)] }.count : 0
    f.append(Finding(title: "orders whose customer is missing from the customer table", count: hasTable ? orphans : nil,
                     note: hasTable ? "grouped as (unknown) by customer attributes" : "no customer table: customers are the ids in the orders"))
    f.append(Finding(title: "orders with a NULL customer id", count: nullCustomer, note: nil))
    f.append(Finding(title: "orders with an unparseable or missing date", count: c.orders.day.filter { $0 == nullDay }.count,
                     note: "left out of every period"))
    f.append(Finding(title: "orders dated after today (\(today.iso))", count: c.orders.day.filter { $0 != nullDay && $0 > today.raw }.count, note: nil))
    f.append(Finding(title: "orders with a negative amount", count: c.orders.amount.filter { !$0.isNaN && $0 < 0 }.count, note: nil))
    if let db = try? SQLiteDatabase(path: db.path) {
      func duplicates(_ table: String, _ column: String) -> Int? {
        let q = quoteIdentifier
        let sql = "SELECT count(\(q(column))) - count(DISTINCT \(q(column))) FROM \(q(table))"
        return (try? db.rows(sql).first?.first?.double).flatMap { $0 }.map { Int($0) }
      }
      if let id = m.orders.id { f.append(Finding(title: "duplicate order ids (\(m.orders.table).\(id))", count: duplicates(m.orders.table, id), note: nil)) }
      if let cu = m.customers {
        f.append(Finding(title: "duplicate customer ids (\(cu.table).\(cu.id))", count: duplicates(cu.table, cu.id), note: "the first row of each id is used"))
      }
    }
    if let fb = c.feedback {
      f.append(Finding(title: "feedback with a score outside 0–10", count: fb.score.filter { !$0.isNaN && ($0 < 0 || $0 > 10) }.count, note: nil))
    }
    if let items = c.items {
      f.append(Finding(title: "order items whose order is missing", count: items.order.filter { $0 < 0 }.count, note: nil))
    }
    return DataQuality(findings: f)
  }
}
