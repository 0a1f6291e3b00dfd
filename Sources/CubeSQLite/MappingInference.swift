// Guessing the mapping from the database itself: table and column names (English and
// Chinese), declared types and the shape of sampled values. Never by file name.

import QueryModel

public enum MappingInference {
  /// Words that suggest a role, matched as substrings of lower-cased names.
  static let orderTableWords = ["order", "purchase", "txn", "transaction", "sale", "订单", "交易", "购买"]
  static let customerTableWords = ["customer", "member", "client", "user", "buyer", "客户", "会员", "用户"]
  static let itemTableWords = ["item", "line", "detail", "明细", "商品"]
  static let feedbackTableWords = ["feedback", "review", "survey", "rating", "nps", "评价", "反馈", "评论"]

  static let customerColumnWords = ["customer_id", "cust_id", "customerid", "custid", "member_id", "user_id", "client_id",
                                    "buyer_id", "uid", "客户id", "客户编号", "会员id", "会员编号", "用户id", "客户", "会员"]
  static let dateColumnWords = ["created_at", "order_date", "order_time", "txn_date", "purchase_date", "date", "time",
                                "created", "_at", "ts", "timestamp", "day", "dt", "日期", "时间", "下单"]
  static let amountColumnWords = ["total_amount", "amount", "total", "dollars", "revenue", "sales", "payment", "paid",
                                  "price", "value", "金额", "实付", "总价", "销售额"]

  static func matches(_ name: String, _ words: [String]) -> Int {
    let n = name.lowercased()
    for (i, w) in words.enumerated() where n == w { return 100 - i }
    for (i, w) in words.enumerated() where n.contains(w) { return 50 - i }
    return 0
  }

  static func isNumericType(_ t: String) -> Bool {
    t.contains("INT") || t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") || t.contains("NUM") || t.contains("DEC")
  }

  /// Picks the best column of `table` for a role, excluding those already taken.
  static func best(_ cols: [DatabaseSchema.Column], _ words: [String], taken: Set<String> = [],
                   where ok: (DatabaseSchema.Column) -> Bool = { _ in true }) -> String? {
    var bestName: String?
    var bestScore = 0
    for c in cols where !taken.contains(c.name) && ok(c) {
      let s = matches(c.name, words)
      if s > bestScore {
        bestScore = s
        bestName = c.name
      }
    }
    return bestName
  }

  /// Infers the mapping, or explains what could not be found.
  public static func infer(_ schema: DatabaseSchema) throws -> DataMapping {
    // Orders: the table with a customer, a date and an amount; name words break ties.
    var bestOrders: (score: Int, m: DataMapping.Orders)?
    for t in schema.tables {
      let cols = t.columns
      guard let cust = best(cols, customerColumnWords),
        let date = best(cols, dateColumnWords, taken: [cust]),
        let amount = best(cols, amountColumnWords, taken: [cust, date], where: { isNumericType($0.declaredType) || $0.declaredType.isEmpty })
      else { continue }
      var score = 10 + matches(t.name, orderTableWords) + min(t.rowCount, 1_000_000) / 100_000
      if matches(t.name, itemTableWords) > 0 { score -= 20 }
      let id = cols.first { $0.name.lowercased() == "id" || $0.name.lowercased() == "order_id" || $0.name == "订单id" }?.name
      let channel = best(cols, ["channel", "渠道", "platform", "平台"], taken: [cust, date, amount])
      let quantity = best(cols, ["quantity", "qty", "n_cds", "units", "数量", "件数"], taken: [cust, date, amount])
      let discount = best(cols, ["discount", "discount_amount", "discount_total", "coupon_amount", "折扣", "优惠", "优惠金额", "折扣金额"],
                          taken: [cust, date, amount], where: { isNumericType($0.declaredType) || $0.declaredType.isEmpty })
      let m = DataMapping.Orders(table: t.name, id: id, customer: cust, date: date, amount: amount, channel: channel, quantity: quantity,
                                 discount: discount)
      if bestOrders == nil || score > bestOrders!.score { bestOrders = (score, m) }
    }
    guard let orders = bestOrders?.m else {
      throw SQLiteError(
        "no orders table found: Wenshu looks for a table with a customer id, a date and an amount column "
          + "(tables here: \(schema.tables.map(\.name).joined(separator: ", "))). Write a mapping file and pass it with --mapping FILE.")
    }
    var mapping = DataMapping(orders: orders, customers: nil, items: nil, feedback: nil)

    // Customers: a table named like customers with an id column and attributes.
    for t in schema.tables where t.name != orders.table && matches(t.name, customerTableWords) > 0 {
      let cols = t.columns
      guard let id = cols.first(where: { $0.name.lowercased() == "id" })?.name ?? best(cols, customerColumnWords + ["编号", "id"])
      else { continue }
      var attrs: [DimensionID: String] = [:]
      let words: [(DimensionID, [String])] = [
        (.region, ["region", "area", "地区", "区域", "大区"]), (.city, ["city", "城市"]),
        (.sourceChannel, ["source_channel", "acquisition", "source", "来源", "注册渠道", "获客"]),
        (.memberLevel, ["member_level", "level", "tier", "等级", "会员等级"]), (.gender, ["gender", "sex", "性别"]),
      ]
      var taken: Set<String> = [id]
      for (d, w) in words {
        if let c = best(cols, w, taken: taken) {
          attrs[d] = c
          taken.insert(c)
        }
      }
      let name = best(cols, ["name", "姓名", "名称", "nickname"], taken: taken)
      let birth = best(cols, ["birth_year", "birthyear", "birth", "出生"], taken: taken)
      let signup = best(cols, ["registered_at", "signup", "register", "created_at", "join", "注册"], taken: taken)
      mapping.customers = DataMapping.Customers(table: t.name, id: id, name: name, attributes: attrs, birthYear: birth, signup: signup)
      break
    }

    // Items: a table with an order reference and product/category/quantity/price.
    for t in schema.tables where t.name != orders.table {
      let cols = t.columns
      guard let order = best(cols, ["order_id", "orderid", "订单id", "订单编号", "order"]) else { continue }
      let category = best(cols, ["category", "品类", "类目", "分类"], taken: [order])
      let product = best(cols, ["product_name", "product", "sku_name", "item_name", "商品名称", "商品", "产品"], taken: [order])
      let qty = best(cols, ["quantity", "qty", "数量", "件数"], taken: [order])
      let price = best(cols, ["unit_price", "price", "单价", "价格"], taken: [order])
      guard category != nil || product != nil, qty != nil || price != nil else { continue }
      mapping.items = DataMapping.Items(table: t.name, order: order, product: product, category: category, quantity: qty, unitPrice: price)
      break
    }

    // Feedback: a customer, a date and a score.
    for t in schema.tables where t.name != orders.table && t.name != mapping.items?.table {
      let cols = t.columns
      guard let score = best(cols, ["nps", "score", "rating", "评分", "分数"]),
        let cust = best(cols, customerColumnWords, taken: [score]),
        let date = best(cols, dateColumnWords, taken: [score, cust])
      else { continue }
      let comment = best(cols, ["comment", "text", "content", "review", "评价", "评论", "内容"], taken: [score, cust, date])
      mapping.feedback = DataMapping.Feedback(table: t.name, customer: cust, date: date, score: score, comment: comment)
      break
    }
    mapping.events = inferEvents(schema, mapping)
    return mapping
  }
}
