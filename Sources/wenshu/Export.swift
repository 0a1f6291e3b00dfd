// `wenshu export --to postgresql://… [--db FILE]`: copies a SQLite database's tables into a
// PostgreSQL server (PostgresIO/PostgresExport.swift). The only command that writes, and it
// writes only to the target server: the SQLite file is opened read-only.

import ArgumentParser
import Foundation
import PostgresIO

struct Export: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Copy a SQLite database's tables into PostgreSQL (one transaction; existing tables refused without --replace).",
    discussion: """
      Example:
        wenshu export --db shop.sqlite --to postgresql://me@127.0.0.1:5432/shop
      Columns become bigint, double precision, date, timestamp or text by what they hold.
      """)

  @Option(help: "The SQLite database file to copy.") var db: String
  @Option(help: "The target server: postgresql://user[:password]@host:port/database.") var to: String
  @Flag(help: "Drop and recreate tables that already exist on the server.") var replace = false

  func run() throws {
    guard PostgresURL.looksLikeURL(to) else {
      throw CLIError(message: "--to must be a PostgreSQL URL such as postgresql://user@127.0.0.1:5432/shop, got “\(to)”")
    }
    guard !PostgresURL.looksLikeURL(db) else {
      throw CLIError(message: "--db must be a SQLite file for export (the source); --to names the server.")
    }
    do {
      let report = try PostgresExport.export(sqlitePath: db, to: to, replace: replace)
      print(report.lines.joined(separator: "\n"))
    } catch {
      throw CLIError(message: String(describing: error))
    }
  }
}
