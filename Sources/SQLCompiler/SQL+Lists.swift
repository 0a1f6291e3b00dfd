// Customer lists (plan.list): the customers of a kind in the period, each with the figures
// that put them there — period orders and spend (through the plan's channel and item
// filters and order predicates), or lifetime figures up to today for "all customers" and customer states — their
// last order day, and for states the days since it; sorted by those figures, ties by id.

import QueryModel

extension Compilation {
  func listStatement(_ set: CustomerSet) throws -> SQL {
    let u = customerRows
    let o = orders
    let ht = hasTable
    let it = hasItemFilter ? try items() : nil
    let per = cte("per") {
      let r = RowContext(customer: "o.c", universe: "u", rfm: needsRFM ? "u" : nil, channel: "o.channel", category: nil, product: nil, topic: nil)
      let withItem: SQL? = it.map { it in
        "o.rid IN (SELECT ol.rid FROM \(raw: it) it JOIN \(raw: orderOfID) ol ON ol.oid = it.oid WHERE \(itemPredicate("it") ?? "1 = 1"))"
      }
      let cond = allOf(["o.day IS NOT NULL", inPeriod(Scope(name: "m", period: plan.period, grain: nil, groups: []), "o.day"),
                        "o.c IS NOT NULL", customerPredicate(r), channelPredicate("o.channel"), orderAmountPredicate("o.amount"), withItem])
      return """
        SELECT o.c AS c, count(*) AS n, \(d.sumOrZero("o.amount")) AS spend FROM \(raw: o) o\(customerJoins("o.c")) \
        WHERE \(cond) GROUP BY o.c
        """
    }
    let r = RowContext(customer: "u.key", universe: "u", rfm: needsRFM ? "u" : nil, channel: nil, category: nil, product: nil, topic: nil)
    let k: SQL = "coalesce(per.n, 0)"
    let lifetime = set == .all || set == .active || set == .atRisk || set == .churned || set == .overdue
    let isState = set == .active || set == .atRisk || set == .churned || set == .overdue
    let orders: SQL = lifetime ? "u.n_orders" : k
    let spend: SQL = lifetime ? "u.spend" : "coalesce(per.spend, 0.0)"
    let activeFrom: SQL = "(\(today) - \(bind(plan.thresholds.activeDays)) + 1)"
    let churnBefore: SQL = "(\(today) - \(bind(plan.thresholds.churnDays)) + 1)"
    let member: SQL
    switch set {
    case .all:
      let bySegment = plan.filters.contains { $0.dimension == .segment }
      member = bySegment ? "u.n_orders > 0" : "(CASE WHEN ht.has = 0 THEN u.n_orders > 0 ELSE u.in_table = 1 END)"
    case .buyers: member = "\(k) > 0"
    case .repeatBuyers: member = "\(k) >= 2"
    case .highRepurchase: member = "\(k) >= \(bind(plan.thresholds.highRepurchaseOrders))"
    case .new:
      let inP: SQL = plan.period.map { p in "u.first_ever BETWEEN \(day(p.start)) AND \(day(p.end))" } ?? "u.first_ever <= \(today)"
      member = "\(k) > 0 AND \(inP)"
    case .returning:
      member = plan.period.map { p in "\(k) > 0 AND u.first_ever < \(day(p.start))" } ?? "1 = 0"
    case .active: member = "u.n_orders > 0 AND u.last_day >= \(activeFrom)"
    case .atRisk: member = "u.n_orders > 0 AND u.last_day < \(activeFrom) AND u.last_day >= \(churnBefore)"
    case .churned: member = "u.n_orders > 0 AND u.last_day < \(activeFrom) AND u.last_day < \(churnBefore)"
    case .overdue: member = overdueCondition("u")
    case .churnRisk: throw Compilation.noModel
    }
    let conditions: [SQL?] = plan.conditions.map { c in "\(c.measure == .orders ? orders : spend) \(raw: c.op.rawValue) \(bind(c.value))" }

    var cols: [SQL] = ["u.key AS \(raw: q("customer"))"]
    if hasNames { cols.append("u.name AS \(raw: q("name"))") }
    cols.append("\(orders) AS \(raw: q("orders"))")
    cols.append("\(spend) AS \(raw: q("spend"))")
    cols.append("\(d.iso(ofDay: "u.last_day")) AS \(raw: q("last_order"))")
    if isState { cols.append("\(today) - u.last_day AS \(raw: q("days_since_last_order"))") }

    let from: SQL = "\(raw: u) u LEFT JOIN \(raw: per) per ON per.c = u.key CROSS JOIN \(raw: ht) ht"
    let dir = (plan.ranking?.descending ?? true) ? "DESC" : "ASC"
    let byOrders = set == .repeatBuyers || set == .highRepurchase
    let (first, second) = byOrders ? (orders, spend) : (spend, orders)
    var statement: SQL = """
      SELECT \(cols.joined(", ")) FROM \(from) WHERE \(allOf([customerPredicate(r), member] + conditions)) \
      ORDER BY \(d.rankKey(first)) \(raw: dir), \(d.rankKey(second)) \(raw: dir), \(raw: d.ascending("u.key", text: !(reader?.integerKeys ?? true)))
      """
    if let rk = plan.ranking { statement.append(" LIMIT \(bind(max(rk.limit, 0)))") }
    return statement
  }
}
