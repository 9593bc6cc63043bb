// swift-tools-version:6.1
// quant-pipeline: Kafka in, in-memory order books, PostgreSQL as the system of record.
// Dependency direction (see docs/architecture.md): pure cores <- adapters <- services <- quant.
import PackageDescription

let package = Package(
    name: "quant-pipeline",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "quant", targets: ["quant"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.27.0"),
        // MARK: extra package dependencies
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.21.0"),
    ],
    targets: [
        // MARK: pure cores (no I/O, no Foundation networking, no database)
        .target(name: "OrderBook", dependencies: ["MarketCore"], exclude: ["README.md"]),
        .target(name: "Risk", dependencies: ["MarketCore", "CBatchPricer"], exclude: ["README.md"]),
        // The batched option pricer's SIMD kernel over libmvec and SLEEF (libsleef-dev); Risk's OptionPricer.valuations wraps it.
        .target(name: "CBatchPricer", exclude: ["README.md"], linkerSettings: [.linkedLibrary("sleef"), .linkedLibrary("mvec")]),
        .target(name: "MarketCore", exclude: ["README.md"]),
        .target(name: "MarketMessages", dependencies: ["MarketCore"], exclude: ["README.md"]),
        .target(name: "Accounts", dependencies: ["MarketCore", "OrderBook"], exclude: ["README.md"]),
        // The channels (and, to come, payloads and row layouts) the services share; imports nothing.
        .target(name: "PipelineContracts", exclude: ["README.md"]),

        // MARK: adapters
        .systemLibrary(
            name: "CRdKafka",
            path: "Sources/CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .target(
            name: "Kafka",
            dependencies: [
                "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["README.md"],
            // scripts/setup installs librdkafka 2.8 in /usr/local: load that one, not an older system copy.
            linkerSettings: [.unsafeFlags(["-Xlinker", "-rpath", "-Xlinker", "/usr/local/lib"], .when(platforms: [.linux]))]
        ),
        .target(
            name: "QuantConfig",
            dependencies: [.product(name: "Yams", package: "Yams")],
            exclude: ["README.md"]
        ),
        .target(
            name: "Store",
            dependencies: [
                "MarketCore", "MarketMessages", "OrderBook", "Accounts", "PipelineContracts", "Telemetry",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                // Only for ConnectionPoolError: a closed pool is told apart by its type, not its text.
                .product(name: "_ConnectionPoolModule", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["README.md"]
        ),

        // Values a portfolio from what the reader views hold: the risk engine's runs and the API's
        // stress tests and hedges (so no service depends on another).
        .target(
            name: "PortfolioValuation",
            dependencies: [
                "Risk", "MarketCore", "QuantConfig",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["README.md"]
        ),

        // MARK: services
        .target(
            name: "RiskEngine",
            dependencies: [
                "Risk", "MarketCore", "PortfolioValuation", "Store", "QuantConfig", "Telemetry", "PipelineContracts",
                "Kafka",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["README.md"]
        ),
        .target(
            name: "Processor",
            dependencies: [
                "MarketCore", "MarketMessages", "OrderBook", "Accounts", "Store", "Kafka", "Telemetry", "PipelineContracts",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["README.md"]
        ),

        .target(
            name: "API",
            dependencies: [
                "MarketCore", "MarketMessages", "OrderBook", "Store", "Kafka", "QuantConfig", "Telemetry",
                "Risk", "PortfolioValuation", "PipelineContracts",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["README.md"]
        ),

        .target(
            name: "Telemetry",
            dependencies: [
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            exclude: ["README.md"]
        ),

        // MARK: tools: benchmarks and the demo (composed by the executable, never by a service)
        .target(name: "AllocationCounter", exclude: ["README.md"]),  // C: counts heap allocations for quant bench
        .target(
            name: "Benchmarks",
            dependencies: [
                "OrderBook", "Risk", "MarketCore", "MarketMessages", "Processor", "RiskEngine", "PortfolioValuation", "Store",
                "Kafka", "PipelineContracts", "QuantConfig", "AllocationCounter",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["README.md"]
        ),

        .target(
            name: "Demo",
            dependencies: [
                "MarketCore", "MarketMessages", "Kafka", "QuantConfig",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                // Already built for HummingbirdTesting; the demo scrapes /metrics with it.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            exclude: ["README.md"]
        ),

        // MARK: the executable
        .executableTarget(
            name: "quant",
            dependencies: [
                "MarketCore", "QuantConfig", "Store", "Risk", "Processor", "Kafka", "MarketMessages",
                "OrderBook", "Benchmarks", "Demo", "PipelineContracts",
                "RiskEngine", "PortfolioValuation", "API", "Telemetry", .product(name: "Hummingbird", package: "hummingbird"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["README.md"]
        ),

        // MARK: tests
        .target(
            name: "TestSupport", dependencies: ["Store", .product(name: "PostgresNIO", package: "postgres-nio")],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka", "TestSupport"]),
        .testTarget(
            name: "TelemetryTests",
            dependencies: ["Telemetry", .product(name: "Metrics", package: "swift-metrics")]
        ),
        .testTarget(
            name: "RiskEngineTests",
            dependencies: [
                "RiskEngine", "PortfolioValuation", "PipelineContracts", "Risk", "MarketCore", "Store", "QuantConfig", "TestSupport",
                "Kafka",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "OrderBookTests", dependencies: ["OrderBook", "MarketCore"]),
        .testTarget(name: "AccountsTests", dependencies: ["Accounts", "OrderBook", "MarketCore"]),
        .testTarget(name: "RiskTests", dependencies: ["Risk", "MarketCore"]),
        .testTarget(name: "BenchmarksTests", dependencies: ["Benchmarks"]),
        .testTarget(name: "MarketCoreTests", dependencies: ["MarketCore"]),
        .testTarget(
            name: "ProcessorTests",
            dependencies: [
                "Processor", "Store", "OrderBook", "Accounts", "MarketMessages", "MarketCore", "Kafka", "QuantConfig", "TestSupport",
            ]
        ),
        .testTarget(name: "MarketMessagesTests", dependencies: ["MarketMessages", "MarketCore"]),
        .testTarget(name: "QuantConfigTests", dependencies: ["QuantConfig"]),
        .testTarget(
            name: "APITests",
            dependencies: [
                "API", "Store", "Kafka", "OrderBook", "MarketCore", "QuantConfig", "TestSupport", "Processor", "PipelineContracts",
                "PortfolioValuation", "RiskEngine",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .testTarget(
            name: "DocsTests",
            dependencies: [
                "Store", "PipelineContracts", "TestSupport", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Yams", package: "Yams"),
            ],
            exclude: ["synthetic-market.sql"]
        ),
        .testTarget(
            name: "StoreTests",
            dependencies: ["Store", "QuantConfig", "PipelineContracts", "TestSupport", "MarketCore", .product(name: "PostgresNIO", package: "postgres-nio")]
        ),
    ]
)
