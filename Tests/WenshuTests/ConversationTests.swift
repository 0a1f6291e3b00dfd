// Conversations (Sources/Planning/Conversation.swift): a fragment (那华东呢, 按渠道拆开, 哪个渠道最高)
// changes the previous question; a question that is whole on its own (哪个品类卖得最多: its
// words imply the figure; 买母婴的客户还买哪些品类: it names its analysis) is answered as if
// asked first, never laid over the one before; nor is one that cannot change the previous
// question but plans alone. A ranking fragment ranks what it names.

import Engine
import Planning
import QueryModel
import TestSupport
import XCTest

final class ConversationTests: XCTestCase {
  let today = Day(year: 2026, month: 11, day: 22)

  /// Asks `questions` in one conversation; returns each plan's one-line form (or the refusal).
  func converse(_ questions: [String]) throws -> [String] {
    guard let path = TestData.shared("retail_cn") else { throw XCTSkip("../shared/data/retail_cn.sqlite not present") }
    let e = try TestData.engine(path, today: today)
    var c: Conversation? = Conversation()
    return questions.map { q in
      let a = e.ask(q, today: today, conversation: &c)
      return a.planned.map { "\($0.plan)" } ?? "refused: \(a.refusal?.message ?? "")"
    }
  }

  /// The plan of `q` asked on its own.
  func alone(_ q: String) throws -> String {
    try converse([q])[0]
  }

  func testWholeQuestionsAreNotLaidOverThePreviousOne() throws {
    let pairs: [(String, String)] = [
      ("最好的客户", "哪个品类卖得最多"),
      ("今年各地区的销售额", "哪些品类卖得最好"),
      ("买了奶粉的客户还买了什么", "买母婴的客户还买哪些品类"),
      ("上月各地区的复购率", "转化漏斗"),
      ("上月的销售额", "好评率"),
      ("sales on Singles' Day", "how many customers ordered at least 5 times this year"),
      // 金卡会员 names customers: "how many" counts them.
      ("客单价低于500的订单有多少", "女性金卡会员有多少"),
      // Laid over the cohort table it does not plan; on its own it does.
      ("monthly retention of customers who first bought in January 2026", "RFM segments"),
    ]
    for (first, second) in pairs {
      let plans = try converse([first, second])
      XCTAssertEqual(plans[1], try alone(second), "\(second) after \(first)")
      XCTAssertFalse(plans[1].hasPrefix("refused"), "\(second) after \(first): \(plans[1])")
    }
  }

  func testFragmentsChangeThePreviousQuestion() throws {
    let plans = try converse(["上月各地区的复购率", "哪个渠道最高", "那华东呢", "今年各地区的销售额", "按渠道拆开",
                              "买母婴的客户还买什么", "那买数码的呢", "最好的客户", "那卖得最好的品类呢"])
    // A ranking ranks what it names: channels, not regions × channels.
    XCTAssertTrue(plans[1].contains("metric=repeat_purchase_rate period=2026-10-01..2026-10-31 by=channel top=1"), plans[1])
    XCTAssertTrue(plans[2].contains("filter=region:华东 by=channel top=1"), plans[2])
    // A grouping without a ranking splits the previous one further.
    XCTAssertTrue(plans[4].contains("metric=sales period=2026-01-01..2026-11-22 by=region,channel"), plans[4])
    XCTAssertTrue(plans[6].contains("数码"), plans[6])
    XCTAssertFalse(plans[6].contains("母婴"), plans[6])
    // Said as a follow-up (那…呢), an implied figure still follows up: categories ranked.
    XCTAssertTrue(plans[8].contains("by=category top=1"), plans[8])
    XCTAssertFalse(plans[8].contains("customer"), plans[8])
  }

  func testAFragmentThatCannotChangeThePreviousQuestionKeepsItsRefusal() throws {
    // 按渠道拆开 after 流失率: churn belongs to customers; the refusal offers the source channel.
    let plans = try converse(["流失率", "按渠道拆开"])
    XCTAssertTrue(plans[1].hasPrefix("refused"), plans[1])
    XCTAssertTrue(plans[1].contains("来源渠道"), plans[1])
  }
}
