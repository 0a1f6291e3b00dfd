// `wenshu model`: fits BG/NBD and Gamma-Gamma on the orders up to the calibration end and
// shows the fit: parameters, log-likelihood, customers used, calibration window.

import ArgumentParser
import Engine
import Foundation
import Prediction
import QueryModel

struct Model: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Fit the customer models (BG/NBD, Gamma-Gamma) and show the fit.")

  @OptionGroup var common: CommonOptions
  @Option(help: "Last day of the calibration period YYYY-MM-DD (default: today).") var calibrationEnd: String?
  @Option(help: "Output format: table (text) or json.") var format: OutputFormat = .table

  func run() throws {
    let (engine, today) = try common.engine()
    guard engine.choice.kind == .cube else { throw CLIError(message: Engine.modelNeedsCube, code: 2) }
    var end = today
    if let c = calibrationEnd {
      guard let d = Day(iso: c) else { throw ValidationError("--calibration-end must be YYYY-MM-DD, got “\(c)”") }
      end = d
    }
    let m: CustomerModel
    do {
      m = try engine.executor.model(calibrationEnd: end)
    } catch {
      throw CLIError(message: "cannot fit the customer models: \(error)", code: 2)
    }
    if format == .json {
      print(m.json())
      return
    }
    print(Model.describe(m))
  }

  /// The fit in words: parameters, log-likelihoods, customers used, calibration window.
  static func describe(_ m: CustomerModel) -> String {
    var lines: [String] = []
    func f(_ v: Double) -> String { String(format: "%.4f", v) }
    let b = m.bgnbd
    lines.append("BG/NBD (Fader, Hardie & Lee 2005), time in \(m.unit)")
    lines.append("  r = \(f(b.r))  alpha = \(f(b.alpha))  a = \(f(b.a))  b = \(f(b.b))")
    lines.append("  log-likelihood = \(String(format: "%.4f", m.logLikelihood)), \(m.customersUsed) customers, \(m.repeatCustomers) with repeat purchases\(m.converged ? "" : " (did not converge)")")
    if let g = m.gammaGamma {
      lines.append("Gamma-Gamma (Fader, Hardie & Lee 2005)")
      lines.append("  p = \(f(g.p))  q = \(f(g.q))  gamma = \(f(g.gamma))")
      if let ll = m.gammaGammaLogLikelihood { lines.append("  log-likelihood = \(String(format: "%.4f", ll)), \(m.gammaGammaCustomers) customers with repeat purchases") }
    } else {
      lines.append("Gamma-Gamma: not fitted (no customer with a repeat purchase)")
    }
    lines.append("Calibration: \(m.calibrationStart.iso) to \(m.calibrationEnd.iso)")
    return lines.joined(separator: "\n")
  }
}
