// Time keys: the calendar unit of a day number (day, ISO week as its Monday, month index,
// quarter index, year), a unit's first and last day, its label as the executor writes it
// (2026-11-22, the Monday's date, 2026-11, 2026-Q4, 2026), and the axis of a time series:
// every unit from the first to the last of the period (or, with no period, of the order
// data up to today), so that units without data still get a row.

import QueryModel

/// Which period a set of figures is computed over.
struct Scope {
  /// Suffix of the scope's CTE names: m (main period), c (comparison period), t (totals).
  var name: String
  var period: DateRange?
  var grain: TimeUnit?
  var groups: [DimensionID]
}

extension Compilation {
  func step(_ g: TimeUnit) -> Int { g == .week ? 7 : 1 }

  /// The unit index of a day number: the day, the week's Monday, year·12 + month − 1,
  /// the month index ÷ 3, or the year.
  func unit(_ g: TimeUnit, _ day: SQL) -> SQL {
    switch g {
    case .day: return "(\(day))"
    case .week: return "((\(day)) - \(d.mod("(\(day)) + 3", "7")))"
    case .month: return "(\(d.year(ofDay: day)) * 12 + \(d.month(ofDay: day)) - 1)"
    case .quarter: return d.intDiv("\(d.year(ofDay: day)) * 12 + \(d.month(ofDay: day)) - 1", "3")
    case .year: return d.year(ofDay: day)
    }
  }

  /// The first day of unit `i`.
  func unitStart(_ g: TimeUnit, _ i: SQL) -> SQL {
    switch g {
    case .day, .week: return "(\(i))"
    case .month: return d.day(ofMonthIndex: i)
    case .quarter: return d.day(ofMonthIndex: "(\(i)) * 3")
    case .year: return d.day(ofMonthIndex: "(\(i)) * 12")
    }
  }

  /// The label of unit `i` (semantics.md "Result shapes").
  func unitLabel(_ g: TimeUnit, _ i: SQL) -> SQL {
    switch g {
    case .day, .week: return d.iso(ofDay: i)
    case .month: return d.concat([d.padded(d.intDiv(i, "12"), width: 4), "'-'", d.padded("(\(i)) % 12 + 1", width: 2)])
    case .quarter: return d.concat([d.padded(d.intDiv(i, "4"), width: 4), "'-Q'", d.toText("(\(i)) % 4 + 1")])
    case .year: return d.toText(i)
    }
  }

  /// One row (lo, hi, has): the first and last unit of a scope's axis; has = 0 when there
  /// is no axis (no period and no dated orders: units then come from the data alone).
  func axisBounds(_ s: Scope, _ g: TimeUnit) -> String {
    cte("axb_" + s.name) {
      if let p = s.period {
        return "SELECT \(unit(g, day(p.start))) AS lo, \(unit(g, day(p.end))) AS hi, 1 AS has"
      }
      let o = orders
      let t = today
      return """
        SELECT coalesce(\(unit(g, "min(day)")), \(unit(g, t))) AS lo, \
        coalesce(\(unit(g, d.least("max(day)", t))), \(unit(g, t))) AS hi, \
        CASE WHEN min(day) IS NULL THEN 0 ELSE 1 END AS has FROM \(raw: o) WHERE day IS NOT NULL
        """
    }
  }

  /// Every unit of a scope's axis: (kt, ustart, uend).
  func axis(_ s: Scope, _ g: TimeUnit) -> String {
    let b = axisBounds(s, g)
    let units = seriesCTE("axu_" + s.name, column: "kt", lo: "lo", hi: "b.hi", step: step(g), from: "\(raw: b) b", condition: "has = 1")
    return cte("ax_" + s.name) {
      "SELECT kt, \(unitStart(g, "kt")) AS ustart, \(unitStart(g, "kt + \(raw: String(step(g)))")) - 1 AS uend FROM \(raw: units)"
    }
  }
}

extension Compilation {
  /// A CTE of the integers lo, lo + step, … up to hi (at least lo), over `from` where
  /// `condition` holds (one row): recursive, or the engine's series generator.
  func seriesCTE(_ short: String, column: String, lo: SQL, hi: SQL, step: Int, from: SQL, condition: SQL) -> String {
    let name = cteName(short)
    let (body, recursive) = d.series(name: name, column: column, lo: lo, hi: hi, step: step, from: from, condition: condition)
    return cte(short, recursive: recursive) { body }
  }
}
