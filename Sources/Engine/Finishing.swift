// Finishing an answer: what the Engine does to a result table after execution, before any
// renderer sees it. Changes of rates become percentage points (`.points`), breakdowns follow
// the natural order of their dimensions (grammars/config/order.rules), a customer's last order
// date is labelled as all-time beside a period's figures, and the coverage notes
// say how the period sits against the data (CoverageNotes). One place, for every caller:
// ask, run, the REPL and the pipe.

import Planning
import QueryModel

extension Engine {
  /// The finished table of an answer and its coverage; the interpretation gains "数据截至 …"
  /// when the period runs past the data.
  func finish(_ table: inout ResultTable, _ planned: inout PlannedQuestion) -> Coverage? {
    for j in table.columns.indices where table.columns[j].format == .rate && table.columns[j].id.hasSuffix("_change") {
      // 复购率 30.1% → 32.2%: the change is +2.1 percentage points, not 2.1%.
      table.columns[j].format = .points
    }
    if planned.plan.period != nil, let j = table.columns.firstIndex(where: { $0.id == "last_order" }) {
      // A customer's last order is over all their orders, not the period's: say so beside
      // the period's figures.
      table.columns[j].title += planned.language == .zh ? "（全部时间）" : " (all time)"
    }
    order.sort(&table, plan: planned.plan)
    return CoverageNotes.annotate(
      &table, interpretation: &planned.interpretation, plan: planned.plan, data: database.cube.dateRange,
      language: planned.language)
  }
}
