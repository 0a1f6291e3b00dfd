// swift-tools-version: 6.0
// Wenshu (问数): a rule-based natural-language query engine for customer-loyalty analytics.
// One stage per module; dependencies point one way:
//   QueryModel ← Grammar ← Understanding ← Planning ← Engine → Execution → Cube ← CubeSQLite
//   Rendering knows results (QueryModel) only; the executable sits on Engine + Rendering.
import PackageDescription

let package = Package(
  name: "Wenshu",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "wenshu", targets: ["wenshu"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
  ],
  targets: [
    .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
    .systemLibrary(name: "CReadline", providers: [.apt(["libreadline-dev"])]),
    .systemLibrary(name: "CPostgres", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
    .target(name: "QueryModel"),
    .target(name: "Grammar", dependencies: ["QueryModel"]),
    .target(name: "Understanding", dependencies: ["QueryModel", "Grammar"]),
    .target(name: "Planning", dependencies: ["QueryModel", "Grammar", "Understanding"]),
    .target(name: "Cube", dependencies: ["QueryModel"]),
    .target(name: "CubeSQLite", dependencies: ["Cube", "QueryModel", "Grammar", "CSQLite"]),
    .target(name: "PostgresIO", dependencies: ["CPostgres", "CubeSQLite"]),
    .target(name: "DemoData", dependencies: ["QueryModel", "CSQLite"]),
    .target(name: "Execution", dependencies: ["Cube", "QueryModel", "Prediction"]),
    .target(name: "SQLCompiler", dependencies: ["QueryModel", "CubeSQLite"]),
    .target(name: "Rendering", dependencies: ["QueryModel"], exclude: ["generate-width-table.py"]),
    .target(name: "Prediction", dependencies: ["Cube", "QueryModel"]),
    .target(name: "Engine", dependencies: [
      "QueryModel", "Grammar", "Understanding", "Planning", "Cube", "CubeSQLite", "Execution", "Rendering", "Prediction", "SQLCompiler", "DemoData", "PostgresIO",
    ]),
    .target(name: "LineEditing", dependencies: ["CReadline"]),
    // The HTTP server for chat bots: tokens, row scopes, masking, audit log, limits.
    .target(name: "Server", dependencies: [
      "Engine", "QueryModel", "Planning", "Rendering", "Cube",
      .product(name: "Hummingbird", package: "hummingbird"),
      .product(name: "Yams", package: "Yams"),
    ]),
    .executableTarget(name: "wenshu", dependencies: [
      "Engine", "Rendering", "QueryModel", "LineEditing", "Planning", "Prediction", "DemoData", "PostgresIO", "Server",
      .product(name: "ArgumentParser", package: "swift-argument-parser"),
    ]),
    .target(name: "TestSupport", dependencies: ["Engine", "QueryModel", "CubeSQLite", "DemoData"], path: "Tests/TestSupport"),
    .testTarget(name: "WenshuTests", dependencies: [
      "QueryModel", "Grammar", "Understanding", "Planning", "Cube", "CubeSQLite", "Execution",
      "Rendering", "Engine", "TestSupport", "Prediction", "SQLCompiler", "DemoData",
    ]),
    // The random plans of the differential tests (Tests/WenshuTests/Differential{Data,Plans,Compare}.swift,
    // linked into Tests/PostgresTests) answered through PostgreSQL push-down.
    .testTarget(name: "PostgresTests", dependencies: [
      "PostgresIO", "Engine", "QueryModel", "CubeSQLite", "TestSupport", "Execution", "SQLCompiler", "DemoData", "Grammar", "Understanding",
    ]),
    .testTarget(name: "ServerTests", dependencies: [
      "Server", "Engine", "QueryModel", "Planning", "CubeSQLite", "TestSupport",
    ]),
  ]
)
