// `wenshu bench` (hidden): the measurements behind bench/run.sh. It loads the database once
// (reporting load time and peak memory), then times each question through the same path as
// `wenshu ask` minus process start: parse + plan, execute on a fresh Executor (no RFM or
// customer-stats cache carried across repetitions; under --engine pushdown the SQL runs on
// the server each time), and render the table to a string (never printed). Per question it
// also reports the process CPU time (user + system, getrusage) over the timed repetitions ÷
// their wall time: about 1 for a one-thread scan, up to the number of threads (WENSHU_THREADS)
// when a scan uses several cores. `--parse` times understanding over the question corpora
// instead. Output: JSON.

import ArgumentParser
import CubeSQLite
import Engine
import Execution
import Foundation
import Grammar
import QueryModel
import Rendering

struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Benchmark: load time, peak memory and per-question timings, as JSON (see bench/README.md).",
    shouldDisplay: false)

  @OptionGroup var common: CommonOptions
  @Option(help: "File of questions, one `id<TAB>question` per line (`#` comments).") var questions: String?
  @Option(help: "Timed repetitions per question (after the warm-up).") var reps = 5
  @Option(help: "Untimed warm-up repetitions per question.") var warmup = 1
  @Flag(help: "Only load, then report load time and memory.") var loadOnly = false
  @Flag(help: "Time parse + plan over grammars/questions/{zh,en}.corpus instead.") var parse = false
  @Option(help: "Rounds over the corpora for --parse (after one warm-up round).") var rounds = 20
  @Option(help: "Directory to write each question's result as CSV (first repetition), for cross-checks.") var dump: String?

  func run() throws {
    let t0 = DispatchTime.now()
    let (engine, today) = try common.engine()
    let engineSeconds = seconds(since: t0)
    var out: [String: Any] = [
      "db": engine.database.path,
      "today": today.iso,
      "engine": engine.choice.kind.rawValue,
      "orders": engine.orderCount,
      "customers": engine.choice.kind == .cube ? engine.database.cube.customers.count : engine.customerCount,
      "items": engine.choice.kind == .cube ? engine.database.cube.items?.count ?? 0 : engine.tableRows(engine.database.mapping.items?.table),
      "feedback": engine.choice.kind == .cube ? engine.database.cube.feedback?.count ?? 0 : engine.tableRows(engine.database.mapping.feedback?.table),
      "load_seconds": engine.database.seconds,
      "engine_seconds": engineSeconds,
      "rss_after_load_kb": procStatus("VmRSS") ?? -1,
      "hwm_after_load_kb": procStatus("VmHWM") ?? -1,
    ]
    if parse {
      out["parse"] = try parseBench(engine)
    } else if !loadOnly {
      guard let file = questions else { throw ValidationError("--questions FILE is needed (or --load-only / --parse)") }
      out["questions"] = try questionBench(engine, today: today, file: file)
    }
    out["hwm_end_kb"] = procStatus("VmHWM") ?? -1
    let data = try JSONSerialization.data(withJSONObject: out, options: [.prettyPrinted, .sortedKeys])
    print(String(decoding: data, as: UTF8.self))
  }

  func questionBench(_ engine: Engine, today: Day, file: String) throws -> [[String: Any]] {
    let text = try String(contentsOfFile: file, encoding: .utf8)
    var results: [[String: Any]] = []
    for raw in text.split(separator: "\n") {
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.isEmpty || line.hasPrefix("#") { continue }
      let parts = line.split(separator: "\t", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
      guard parts.count == 2 else { throw ValidationError("\(file): expected `id<TAB>question` in “\(line)”") }
      let (id, q) = (parts[0], parts[1])
      var total: [Double] = []
      var planT: [Double] = []
      var runT: [Double] = []
      var renderT: [Double] = []
      var rows = -1
      var refusal: String?
      var interpretation = ""
      var bytes = 0
      var cpuSeconds = 0.0
      for rep in 0..<(warmup + reps) {
        // Everything that answers the question happens inside the timed region, on a fresh
        // executor: nothing computed for one repetition is reused by the next.
        let answers = engine.answers.fresh()
        let cpu0 = processCPUSeconds()
        let a = DispatchTime.now()
        let (planned, refused, _, _) = engine.plan(q, today: today)
        let b = DispatchTime.now()
        guard let planned else {
          refusal = refused?.message ?? "refused"
          break
        }
        let table: ResultTable
        do {
          table = try answers.table(planned.tree, language: planned.language)
        } catch {
          refusal = String(describing: error)
          break
        }
        let c = DispatchTime.now()
        let options = RenderOptions(language: planned.language, maxRows: 50, ascii: false, color: false,
                                    chart: planned.chart.flatMap(ChartChoice.init(rawValue:)) ?? .auto, width: 100)
        let rendered = planned.interpretation + "\n" + TerminalRenderer.render(table, options)
        let d = DispatchTime.now()
        let cpu1 = processCPUSeconds()
        bytes = rendered.utf8.count
        rows = table.rows.count
        interpretation = planned.interpretation
        if rep == 0, let dir = dump {
          try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
          try CSVRenderer.render(table).write(toFile: dir + "/\(id).csv", atomically: true, encoding: .utf8)
          try rendered.write(toFile: dir + "/\(id).txt", atomically: true, encoding: .utf8)
        }
        if rep >= warmup {
          planT.append(span(a, b))
          runT.append(span(b, c))
          renderT.append(span(c, d))
          total.append(span(a, d))
          cpuSeconds += cpu1 - cpu0
        }
      }
      var r: [String: Any] = ["id": id, "question": q, "ok": refusal == nil]
      if let refusal {
        r["refusal"] = refusal
      } else {
        r["rows"] = rows
        r["bytes"] = bytes
        r["interpretation"] = interpretation
        r["seconds"] = total
        r["median"] = median(total)
        r["min"] = total.min() ?? 0
        r["plan_median"] = median(planT)
        r["execute_median"] = median(runT)
        r["render_median"] = median(renderT)
        r["cpu_seconds"] = cpuSeconds
        r["cpu_per_wall"] = cpuSeconds / max(total.reduce(0, +), 1e-9)
      }
      results.append(r)
    }
    return results
  }

  /// Every phrasing of the corpora (before `=>`, split on `|`), with the file's @today.
  func parseBench(_ engine: Engine) throws -> [String: Any] {
    guard let dir = GrammarSet.locate(explicit: common.grammars)?.path else { throw ValidationError("grammars/ not found") }
    var phrases: [(String, Day)] = []
    var perLanguage: [String: Int] = [:]
    for lang in ["zh", "en"] {
      let text = try String(contentsOfFile: dir + "/questions/\(lang).corpus", encoding: .utf8)
      var today = Day(year: 2026, month: 11, day: 22)
      for raw in text.split(separator: "\n") {
        let line = raw.trimmingCharacters(in: .whitespaces)
        if line.isEmpty || line.hasPrefix("#") { continue }
        if line.hasPrefix("@today") {
          today = Day(iso: line.dropFirst(6).trimmingCharacters(in: .whitespaces)) ?? today
          continue
        }
        guard let arrow = line.range(of: "=>") else { continue }
        for p in line[..<arrow.lowerBound].split(separator: "|") {
          let s = p.trimmingCharacters(in: .whitespaces)
          if !s.isEmpty { phrases.append((s, today)); perLanguage[lang, default: 0] += 1 }
        }
      }
    }
    // Round 0 is the warm-up. `read` is the parser alone; `plan` is Engine.plan (read + plan).
    var readRounds: [Double] = []
    var planRounds: [Double] = []
    var planned = 0
    var sink = 0
    for round in 0...max(1, rounds) {
      let a = DispatchTime.now()
      for (q, _) in phrases { sink &+= engine.parser.read(q).tokens.count }
      let b = DispatchTime.now()
      var ok = 0
      for (q, d) in phrases where engine.plan(q, today: d).0 != nil { ok += 1 }
      let c = DispatchTime.now()
      if round > 0 {
        readRounds.append(span(a, b))
        planRounds.append(span(b, c))
      }
      planned = ok
    }
    let n = Double(max(1, phrases.count))
    return [
      "phrases": phrases.count, "per_language": perLanguage, "planned": planned, "rounds": readRounds.count,
      "read_us_median": median(readRounds) / n * 1e6, "plan_us_median": median(planRounds) / n * 1e6,
      "read_per_second": n / median(readRounds), "plan_per_second": n / median(planRounds),
      "tokens": sink,
    ]
  }

  func seconds(since t: DispatchTime) -> Double { span(t, DispatchTime.now()) }
  func span(_ a: DispatchTime, _ b: DispatchTime) -> Double { Double(b.uptimeNanoseconds - a.uptimeNanoseconds) / 1e9 }
  func median(_ xs: [Double]) -> Double {
    guard !xs.isEmpty else { return 0 }
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
  }

  /// User + system CPU time of the whole process (every thread), in seconds.
  func processCPUSeconds() -> Double {
    var u = rusage()
    #if os(Linux)
      getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
    #else
      getrusage(RUSAGE_SELF, &u)
    #endif
    return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec)
      + Double(u.ru_stime.tv_usec) / 1e6
  }

  /// A field of /proc/self/status in kB (Linux), e.g. VmHWM (peak resident set).
  func procStatus(_ key: String) -> Int? {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in s.split(separator: "\n") where line.hasPrefix(key + ":") {
      return Int(line.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
    }
    return nil
  }
}
