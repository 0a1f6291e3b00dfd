// Coverage notes: how an answer's period sits against the data, said in one place for every
// output format. The cube knows the first and last day of the orders; an answer whose period
// runs past the last day (or starts before the first) says so in its interpretation
// ("数据截至 2026-11-21") and in a note; a running period (本月, 今年: it ends today) is marked
// partial; a comparison of periods with different days of data says so; the time units of a
// series and the cohorts of a retention matrix that the data covers only in part are listed
// (`ResultTable.partialRows`), so charts draw them apart instead of as a drop.
//
// Computed after execution from the plan and the data's date range only: Execution knows
// nothing of it. The wording of every note is in `CoverageNotes.Words`.

import QueryModel

/// Where an answer's period sits against the data (the JSON `coverage` object).
public struct Coverage: Hashable, Sendable {
  /// First and last day of the orders.
  public var data: DateRange?
  /// The period the answer covers (nil: all data up to today).
  public var period: DateRange?
  /// The period ends after the data's last day.
  public var pastDataEnd: Bool
  /// The period starts before the data's first day.
  public var beforeDataStart: Bool
  /// The period is a calendar unit that has not ended (本月, 今年, this week).
  public var running: Bool

  public init(data: DateRange?, period: DateRange?, pastDataEnd: Bool, beforeDataStart: Bool, running: Bool) {
    self.data = data
    self.period = period
    self.pastDataEnd = pastDataEnd
    self.beforeDataStart = beforeDataStart
    self.running = running
  }
}

public enum CoverageNotes {
  /// Adds the coverage notes of `plan` to `table` (and to `interpretation`), marks its partial
  /// rows, and returns the coverage; nil when the data has no dates.
  ///
  ///     上月销售额 with --today 2026-12-06 on data ending 2026-11-21:
  ///     上月（2026-11-01 至 2026-11-30） · 销售额 = 订单金额之和 · 数据截至 2026-11-21
  ///     …
  ///     数据截至 2026-11-21：2026-11-22 至 2026-11-30 没有数据，本期只统计到 2026-11-21。
  @discardableResult
  public static func annotate(
    _ table: inout ResultTable, interpretation: inout String, plan: Plan, data: DateRange?, language: Language
  ) -> Coverage? {
    guard let data else { return nil }
    let w = Words(language)
    let today = plan.today
    guard let period = plan.period ?? plan.cohort?.cohorts else {
      markPartialUnits(&table, plan: plan, axis: DateRange(data.start, min(data.end, today)), data: data, w)
      return Coverage(data: data, period: nil, pastDataEnd: false, beforeDataStart: false, running: false)
    }
    let outside = period.end < data.start || period.start > data.end
    let past = period.end > data.end
    let before = period.start < data.start
    let unit = runningUnit(period, today: today)
    var notes: [String] = []
    if outside {
      notes.append(w.noData(period, data))
    } else {
      if let unit {
        notes.append(past ? w.runningPastEnd(unit, period, data) : w.running(unit, today))
      } else if past {
        notes.append(w.pastEnd(period, data))
      }
      if before { notes.append(w.beforeStart(period, data)) }
      if past { interpretation += w.separator + w.dataEnds(data.end) }
      if before { interpretation += w.separator + w.dataStarts(data.start) }
    }
    if plan.comparison != nil, let cp = plan.comparisonPeriod, !outside {
      let a = coveredDays(period, data, today), b = coveredDays(cp, data, today)
      if a != b && a > 0 && b > 0 { notes.append(w.unequalDays(a, b)) }
    }
    table.notes += notes
    if plan.cohort != nil {
      markPartialCohorts(&table, cohorts: period, data: data, today: today, w)
    } else {
      markPartialUnits(&table, plan: plan, axis: period, data: data, w)
    }
    return Coverage(data: data, period: period, pastDataEnd: past && !outside, beforeDataStart: before && !outside,
                    running: unit != nil)
  }

  /// The calendar unit `period` is the running part of: it starts where the unit holding
  /// today starts, ends today, and the unit ends later (本月 on the 22nd).
  static func runningUnit(_ period: DateRange, today: Day) -> TimeUnit? {
    guard period.end == today else { return nil }
    for u in [TimeUnit.week, .month, .quarter, .year] {
      let i = u.index(of: today)
      if u.start(ofIndex: i) == period.start && u.end(ofIndex: i) > today { return u }
    }
    return nil
  }

  /// Days of `period` that have data: within the data's range and not after today.
  static func coveredDays(_ period: DateRange, _ data: DateRange, _ today: Day) -> Int {
    let start = max(period.start, data.start), end = min(period.end, data.end, today)
    return end >= start ? end - start + 1 : 0
  }

  /// The rows of a series whose unit the data covers only in part: the unit is cut by the
  /// data's first or last day, by today, or by the period itself.
  static func markPartialUnits(_ t: inout ResultTable, plan: Plan, axis: DateRange, data: DateRange, _ w: Words) {
    guard let grain = plan.timeGrain,
      let key = t.columns.firstIndex(where: { $0.isKey && $0.format == .period && $0.id == grain.rawValue })
    else { return }
    let full = DateRange(max(axis.start, data.start), min(axis.end, data.end, plan.today))
    var partialLabels: [String: Bool] = [:]  // label → the data ends before the unit does
    let first = grain.index(of: axis.start), last = grain.index(of: axis.end)
    guard last >= first, last - first < 100_000 else { return }
    for i in first...last {
      let s = grain.start(ofIndex: i), e = grain.end(ofIndex: i)
      if s < full.start || e > full.end { partialLabels[grain.label(ofIndex: i)] = e > data.end }
    }
    var rows: [Int] = []
    var labels: [String] = []
    var pastData = false
    for (r, row) in t.rows.enumerated() where key < row.count {
      if case .string(let label) = row[key], let past = partialLabels[label] {
        rows.append(r)
        labels.append(label)
        pastData = pastData || past
      }
    }
    guard !rows.isEmpty else { return }
    t.partialRows = Array(Set(t.partialRows).union(rows)).sorted()
    t.notes.append(w.partialUnits(labels, dataEnd: pastData ? data.end : nil))
  }

  /// The cohorts (first-order months) the data covers only in part, and the note that each
  /// row's last cell is the running month.
  static func markPartialCohorts(_ t: inout ResultTable, cohorts: DateRange, data: DateRange, today: Day, _ w: Words) {
    guard let key = t.columns.firstIndex(where: { $0.isKey && $0.format == .period }) else { return }
    let end = min(data.end, today)
    let lastMonth = TimeUnit.month.index(of: end)
    guard TimeUnit.month.end(ofIndex: lastMonth) > end else { return }
    let label = TimeUnit.month.label(ofIndex: lastMonth)
    var rows: [Int] = []
    for (r, row) in t.rows.enumerated() where key < row.count {
      if case .string(let l) = row[key], l == label { rows.append(r) }
    }
    let lastCohortShown = !rows.isEmpty
    guard lastCohortShown || (cohorts.start <= end && cohorts.end >= TimeUnit.month.start(ofIndex: lastMonth - 1)) else { return }
    t.partialRows = Array(Set(t.partialRows).union(rows)).sorted()
    t.notes.append(w.partialCohort(label, end, cohortShown: lastCohortShown))
  }

  /// Every sentence the notes use, in both languages.
  struct Words {
    let zh: Bool
    init(_ lang: Language) { zh = lang == .zh }

    var separator: String { " · " }

    func unitName(_ u: TimeUnit) -> String {
      switch u {
      case .day: return zh ? "今天" : "today"
      case .week: return zh ? "本周" : "this week"
      case .month: return zh ? "本月" : "this month"
      case .quarter: return zh ? "本季度" : "this quarter"
      case .year: return zh ? "今年" : "this year"
      }
    }

    func dataEnds(_ d: Day) -> String { zh ? "数据截至 \(d.iso)" : "data ends \(d.iso)" }
    func dataStarts(_ d: Day) -> String { zh ? "数据始于 \(d.iso)" : "data starts \(d.iso)" }

    func noData(_ p: DateRange, _ data: DateRange) -> String {
      zh ? "本期（\(p.start.iso) 至 \(p.end.iso)）没有数据：数据范围是 \(data.start.iso) 至 \(data.end.iso)。"
        : "No data in this period (\(p.start.iso) to \(p.end.iso)): the data runs from \(data.start.iso) to \(data.end.iso)."
    }

    func running(_ u: TimeUnit, _ today: Day) -> String {
      zh ? "\(unitName(u))尚未结束：数字只到今天 \(today.iso)，是部分数据。"
        : "\(unitName(u).prefix(1).uppercased() + unitName(u).dropFirst()) is still running: figures cover up to today (\(today.iso)) only."
    }

    func runningPastEnd(_ u: TimeUnit, _ p: DateRange, _ data: DateRange) -> String {
      zh ? "\(unitName(u))尚未结束，且数据截至 \(data.end.iso)：数字只含 \(max(p.start, data.start).iso) 至 \(data.end.iso)。"
        : "\(unitName(u).prefix(1).uppercased() + unitName(u).dropFirst()) is still running and the data ends \(data.end.iso): figures cover \(max(p.start, data.start).iso) to \(data.end.iso) only."
    }

    func pastEnd(_ p: DateRange, _ data: DateRange) -> String {
      let after = data.end + 1
      let gap = after == p.end ? after.iso : "\(after.iso) 至 \(p.end.iso)"
      let gapEn = after == p.end ? after.iso : "\(after.iso) to \(p.end.iso)"
      return zh ? "数据截至 \(data.end.iso)：\(gap) 没有数据，本期只统计到 \(data.end.iso)。"
        : "The data ends \(data.end.iso): \(gapEn) has no data, so this period counts up to \(data.end.iso) only."
    }

    func beforeStart(_ p: DateRange, _ data: DateRange) -> String {
      let before = data.start - 1
      return zh ? "数据始于 \(data.start.iso)：\(p.start.iso) 至 \(before.iso) 没有数据。"
        : "The data starts \(data.start.iso): \(p.start.iso) to \(before.iso) has no data."
    }

    func unequalDays(_ a: Int, _ b: Int) -> String {
      zh ? "本期有数据的天数（\(a) 天）与对比期（\(b) 天）不同：变化不是同样长度时段的比较。"
        : "This period has \(a) days of data and the comparison period \(b): the change compares periods of different length."
    }

    /// `why`: the data ends inside or before the units (`end`), else they are cut by today
    /// or by the period.
    func partialUnits(_ labels: [String], dataEnd end: Day?) -> String {
      let list = labels.count > 4 ? labels.prefix(2).joined(separator: ", ") + " … " + (labels.last ?? "") : labels.joined(separator: ", ")
      if zh {
        let why = end.map { "数据截至 \($0.iso)" } ?? "时段不完整"
        return "不完整的时段：\(list)（\(why)），那里数字偏低不代表下降。"
      }
      let why = end.map { "the data ends \($0.iso)" } ?? "only part of the period"
      return "Partial period\(labels.count == 1 ? "" : "s"): \(list) (\(why)): a lower figure there is not a drop."
    }

    func partialCohort(_ month: String, _ end: Day, cohortShown: Bool) -> String {
      if zh {
        return (cohortShown ? "首购月 \(month) 尚未结束（数据只到 \(end.iso)），这一组客户还不完整；" : "")
          + "各行中 \(month) 那一格（每行最后一格）只是部分月份，不是留存下降。"
      }
      return (cohortShown ? "Cohort \(month) is not complete (data up to \(end.iso)); " : "")
        + "each row's \(month) cell (its last) is a partial month, not a drop in retention."
    }
  }
}
