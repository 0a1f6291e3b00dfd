// A token with personal data masked never receives a customer name, over HTTP, in any output
// format, suggestion, error or value list: every public acceptance question in every format,
// the schema, malformed requests, and 10,000 fuzzed questions (random text, mutations of real
// questions, questions built around real customer names, list questions, follow-ups in
// conversations). The names are read from the customers table with SQL; a response leaks when
// any of them occurs in it. The same list questions for a token with `personal: shown` do
// carry names, so the detector is known to see them. WENSHU_MASK_FUZZ sets the count.

import Engine
import Foundation
import QueryModel
import Server
import TestSupport
import XCTest

final class MaskingTests: XCTestCase {
  static let pieces = [
    "上月", "复购率", "各地区", "销售额", "前10", "的", "客户", "有哪些", "华东", "金卡", "直播", "最近30天", "同比", "环比", "占比",
    "top", "5", "customers", "by", "sales", "last month", "churn rate", "流失", "RFM", "NPS", "差评", "留存", "首购", "按月", "走势",
    "至少", "3次", "超过", "5万", "那", "呢", "换成", "去年", "?", "，", " ", "哪个", "最高", "名单", "姓名", "叫", "手机号", "list",
    "name", "phone", "高复购客户", "流失客户", "消费金额前20的客户", "who are", "客户名单", "那华北呢",
  ]
  static let injections = ["'; DROP TABLE customers; --", "\" OR 1=1 --", "{{7*7}}", "<script>", "\u{0}", "%s%n", "name LIKE '%'"]

  /// A detector independent of the server's: every substring of 2 to 4 scalars of a text,
  /// against the names (packed into integers for speed: the names here are 2–3 scalars).
  struct NameSet {
    let names: Set<String>
    let packed: Set<UInt64>
    let long: Bool
    init(names: Set<String>) {
      self.names = names
      packed = Set(names.compactMap { n in
        let s = Array(n.unicodeScalars)
        return s.count >= 2 && s.count <= 3 ? s.reduce(UInt64(0)) { $0 << 21 | UInt64($1.value) } : nil
      })
      long = names.contains { $0.unicodeScalars.count > 3 }
    }
    func leaks(_ text: String) -> String? {
      let s = Array(text.unicodeScalars)
      for i in s.indices where s[i].value >= 0x80 {
        var key = UInt64(s[i].value)
        for len in 2...3 where i + len <= s.count {
          key = key << 21 | UInt64(s[i + len - 1].value)
          if packed.contains(key) {
            var v = String.UnicodeScalarView()
            v.append(contentsOf: s[i..<(i + len)])
            if names.contains(String(v)) { return String(v) }
          }
        }
        if long {
          for len in 4...8 where i + len <= s.count {
            var v = String.UnicodeScalarView()
            v.append(contentsOf: s[i..<(i + len)])
            if names.contains(String(v)) { return String(v) }
          }
        }
      }
      return nil
    }
  }

  func fuzzQuestion(_ r: inout SplitMix64, real: [String], names: [String]) -> String {
    switch r.below(8) {
    case 0: return String((0..<r.below(30)).map { _ in Character(Unicode.Scalar(UInt32(0x4E00 + r.below(0x5000)))!) })
    case 1:
      var q = Array(real[r.below(real.count)])
      for _ in 0..<(1 + r.below(3)) where !q.isEmpty {
        let at = r.below(q.count)
        if r.chance(0.5) { q.remove(at: at) } else { q.insert(Character(Unicode.Scalar(UInt32(0x4E00 + r.below(0x5000)))!), at: at) }
      }
      return String(q)
    case 2: return (0..<(1 + r.below(10))).map { _ in Self.pieces[r.below(Self.pieces.count)] }.joined()
    case 3: return real[r.below(real.count)] + Self.injections[r.below(Self.injections.count)]
    case 4:
      let n = names[r.below(names.count)]
      return [n + "的消费金额", "客户" + n + "上月买了什么", n + "是哪个地区的", "how much did \(n) spend", n, "\(n)的手机号", "有没有叫" + n + "的客户", n + "那华东呢"][r.below(8)]
    case 5:
      return ["上月高复购客户有哪些", "去年消费金额前10的客户", "流失客户有哪些", "top 20 customers by spend", "customers with at least 3 orders last quarter",
              "最近30天的新客户名单", "list at-risk customers", "哪些客户的流失风险最高", "今年各客户的订单数"][r.below(9)]
    case 6: return real[r.below(real.count)]
    default: return names[r.below(names.count)].prefix(1) + Self.pieces[r.below(Self.pieces.count)] + names[r.below(names.count)].suffix(2)
    }
  }

  func testMaskedTokenNeverReceivesANameOrPhone() async throws {
    let count = Int(ProcessInfo.processInfo.environment["WENSHU_MASK_FUZZ"] ?? "") ?? 10_000
    let path = try ServerFixtures.retailPath()
    let engine = try TestData.engine(path, today: ServerFixtures.today)
    var config = ServerConfig()
    config.tokens = [
      TokenPolicy(name: "masked", secret: "masked-secret-1", scope: [], showPersonal: false, ratePerMinute: 0),
      TokenPolicy(name: "masked-east", secret: "masked-secret-2", scope: [ScopePredicate(.region, ["华东"])], showPersonal: false, ratePerMinute: 0),
      TokenPolicy(name: "shown", secret: "shown-secret-3", scope: [], showPersonal: true, ratePerMinute: 0),
    ]
    let server = try await RunningServer.start(try AskService(engine: engine, config: config, today: ServerFixtures.today))
    defer { server.stop() }
    let nameList = try ServerFixtures.customerNames()
    XCTAssertGreaterThan(nameList.count, 1000)
    let names = NameSet(names: Set(nameList))
    let client = try server.client()
    let formats = AskRequest.Format.allCases.map(\.rawValue)

    // The detector sees names in an unmasked list.
    let shown = try client.ask(["question": "上月高复购客户有哪些", "today": "2026-11-22"], token: "shown-secret-3")
    XCTAssertNotNil(names.leaks(shown.body), "the unmasked list shows no name: the detector would see nothing")

    var requests = 0
    func check(_ r: HTTPResult, _ what: String) {
      requests += 1
      if let n = names.leaks(r.body) { XCTFail("\(what): the name \(n) was sent: \(r.body.prefix(300))") }
    }
    let cases = try AcceptanceCase.load()
    for token in ["masked-secret-1", "masked-secret-2"] {
      check(try client.get("/v1/schema", token: token), "schema")
      for c in cases {
        for f in formats {
          check(try client.ask(["question": c.question, "today": c.today, "format": f], token: token), "\(c.id) \(f)")
        }
      }
      for bad in ["{", "{\"question\": 5}", "{\"question\": \"马军\", \"format\": \"马军\"}", "{\"question\": \"x\", \"马军\": 1}", "[\"马军\"]"] {
        check(try client.post("/v1/ask", token: token, body: Array(bad.utf8)), "malformed \(bad)")
      }
    }

    var real = cases.map(\.question)
    let corpus = TestData.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpora/real_questions.tsv").path
    if let text = try? String(contentsOfFile: corpus, encoding: .utf8) {
      real += text.split(separator: "\n").compactMap { $0.split(separator: "\t").first.map(String.init) }.filter { !$0.isEmpty }
    }
    var rng = SplitMix64(seed: 20_261_206)
    var answered = 0, lists = 0
    for i in 0..<count {
      let q = fuzzQuestion(&rng, real: real, names: nameList)
      var fields: [String: Any] = ["question": q, "today": "2026-11-22", "format": formats[rng.below(formats.count)]]
      if rng.chance(0.3) { fields["conversation_id"] = "c\(rng.below(5))" }
      if rng.chance(0.7) { fields["limit"] = 1 + rng.below(200) }
      let r = try client.ask(fields, token: i % 3 == 0 ? "masked-secret-2" : "masked-secret-1")
      XCTAssertEqual(r.status, 200, "\(q.prefix(80)): \(r.body.prefix(200))")
      check(r, "fuzz \(i) “\(q.prefix(60))”")
      if r.body.contains("\"rows\"") { answered += 1 }
      if r.body.contains("\"name\"") { lists += 1 }
    }
    report("masking: \(requests) responses to masked tokens checked against \(nameList.count) names; fuzz: \(count) questions, \(answered) answered, \(lists) with a name column (masked)")
  }
}
