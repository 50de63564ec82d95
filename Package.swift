// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "apex",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ApexDomain", targets: ["ApexDomain"]),
        .library(name: "ApexStore", targets: ["ApexStore"]),
        .library(name: "ApexServer", targets: ["ApexServer"]),
        .library(name: "ApexBackup", targets: ["ApexBackup"]),
        .library(name: "ApexAudit", targets: ["ApexAudit"]),
        .library(name: "ApexFiles", targets: ["ApexFiles"]),
        .library(name: "ApexMetrics", targets: ["ApexMetrics"]),
        .library(name: "ApexSearch", targets: ["ApexSearch"]),
        .library(name: "ApexAnalytics", targets: ["ApexAnalytics"]),
        .library(name: "ApexWebhooks", targets: ["ApexWebhooks"]),
        .library(name: "ApexLive", targets: ["ApexLive"]),
        .library(name: "ApexExport", targets: ["ApexExport"]),
        .library(name: "ApexMail", targets: ["ApexMail"]),
        .library(name: "ApexWeb", targets: ["ApexWeb"]),
        .executable(name: "apex-cli", targets: ["apex-cli"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/mattpolzin/OpenAPIKit.git", from: "6.4.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
    ],
    targets: [
        .target(
            name: "ApexDomain",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "ApexStore",
            dependencies: [
                "ApexDomain",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Files attached to projects: the blob store (content-addressed by SHA-256), streaming
        // multipart uploads, signed direct links. Beside the core: ApexServer wires it into routes.
        .target(
            name: "ApexFiles",
            dependencies: [
                "ApexDomain",
                "ApexStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                "ApexChildProcess",
            ]
        ),
        // Prometheus metrics: the registry every part records into (HTTP, appends, consumer lag,
        // verify results, rate limits, gauges features register), scraped on its own listener.
        .target(
            name: "ApexMetrics",
            dependencies: [
                "ApexDomain",
                "ApexStore",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // Full-text search over projects, calculations and files: a checkpointed consumer of the
        // log keeping SQLite FTS5 or PostgreSQL tsvector tables current. ApexServer wires it in.
        .target(
            name: "ApexSearch",
            dependencies: [
                "ApexDomain",
                "ApexStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Usage analytics and audit anomaly flags: checkpointed consumers of the log keeping
        // per-account counters and per-user baselines in the store's database. ApexServer wires it in.
        .target(
            name: "ApexAnalytics",
            dependencies: [
                "ApexDomain",
                "ApexStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Webhooks: signed, retried, logged deliveries of the log's events to endpoints of each
        // account (Standard Webhooks v1). Beside the core: ApexServer wires it into routes.
        .target(
            name: "ApexWebhooks",
            dependencies: [
                "ApexDomain",
                "ApexStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Live updates: one follower of the log per process fanning events out to Server-Sent
        // Events streams, with bounded buffers, and presence (who has a project open) in a
        // feature table shared by every instance. ApexServer wires it into routes.
        .target(
            name: "ApexLive",
            dependencies: [
                "ApexDomain",
                "ApexStore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Exports of projects, calculations and audit trails as JSON, NDJSON, CSV and XLSX (a
        // streamed workbook: ZIPFoundation and hand-written OOXML parts), from the store in pages.
        .target(
            name: "ApexExport",
            dependencies: [
                "ApexAudit",
                "ApexDomain",
                "ApexStore",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        // Email notifications: a small SMTP client over SwiftNIO, MIME, templates per locale, and
        // an outbox fed by the log (the `email` consumer) that a sender service drains.
        .target(
            name: "ApexMail",
            dependencies: [
                "ApexDomain",
                "ApexStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources/Templates")]
        ),
        // The web pages: templates per page, texts per locale, the script and style sheet, and the
        // sign-in links, CSRF tokens and spent-token ledger behind sessions. ApexServer serves them.
        .target(
            name: "ApexWeb",
            dependencies: [
                "ApexDomain",
                "ApexStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.copy("Resources/Templates"), .copy("Resources/Locales"), .copy("Resources/Assets")]
        ),
        .target(
            name: "ApexServer",
            dependencies: [
                "ApexAnalytics",
                "ApexBackup",
                "ApexDomain",
                "ApexExport",
                "ApexFiles",
                "ApexLive",
                "ApexMail",
                "ApexMetrics",
                "ApexSearch",
                "ApexStore",
                "ApexWebhooks",
                "ApexWeb",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources/openapi.yaml")]
        ),
        .target(
            name: "ApexBackup",
            dependencies: [
                "ApexChildProcess",
                "ApexDomain",
                "ApexFiles",
                "ApexStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Runs other programs to completion (swift-subprocess): ApexBackup's PostgreSQL tools and
        // the tests' programs. Not a product.
        .target(
            name: "ApexChildProcess",
            dependencies: [
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .target(
            name: "ApexAudit",
            dependencies: [
                "ApexDomain",
                "ApexStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.copy("Report/AuditReport.html.mustache")]
        ),
        // What both command-line tools share: settings, the --store option, errors, the logger.
        .target(
            name: "ApexCommandLine",
            dependencies: [
                "ApexDomain",
                "ApexStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "apex-cli",
            dependencies: [
                "ApexAudit",
                "ApexCommandLine",
                "ApexDomain",
                "ApexExport",
                "ApexFiles",
                "ApexLive",
                "ApexMail",
                "ApexMetrics",
                "ApexStore",
                "ApexServer",
                "ApexBackup",
                "ApexWebhooks",
                "ApexWeb",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The benchmark harness and the load of durability drills: built and run from the
        // package (`swift run -c release apex-bench`), never shipped.
        .executableTarget(
            name: "apex-bench",
            dependencies: [
                "ApexChildProcess",
                "ApexCommandLine",
                "ApexDomain",
                "ApexExport",
                "ApexSearch",
                "ApexStore",
                "ApexServer",
                "ApexWebhooks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        // What the test targets share: child processes, the scratch PostgreSQL database and the
        // built executables. Used only by test targets.
        .target(
            name: "ApexTestSupport",
            dependencies: [
                "ApexChildProcess",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Tests/ApexTestSupport"
        ),
        .testTarget(
            name: "ApexDomainTests",
            dependencies: [
                "ApexDomain",
                "ApexTestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(name: "ApexSearchTests", dependencies: ["ApexSearch", "ApexDomain"]),
        .testTarget(name: "ApexExportTests", dependencies: ["ApexExport", "ApexDomain"]),
        .testTarget(
            name: "ApexFilesTests",
            dependencies: [
                "ApexFiles", "ApexDomain", .product(name: "Crypto", package: "swift-crypto"), .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "ApexServerTests",
            dependencies: [
                "ApexAnalytics",
                "ApexChildProcess",
                "ApexDomain",
                "ApexExport",
                "ApexFiles",
                "ApexLive",
                "ApexMail",
                "ApexMetrics",
                "ApexStore",
                "ApexServer",
                "ApexTestSupport",
                "ApexWebhooks",
                "ApexWeb",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "OpenAPIKit", package: "OpenAPIKit"), .product(name: "Yams", package: "Yams"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "ApexBackupTests",
            dependencies: [
                "ApexBackup",
                "ApexChildProcess",
                "ApexDomain",
                "ApexFiles",
                "ApexStore",
                "ApexTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "ApexCLITests",
            dependencies: [
                "ApexAnalytics",
                "ApexChildProcess",
                "ApexDomain",
                "ApexFiles",
                "ApexStore",
                "ApexTestSupport",
                "ApexWebhooks",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "ApexAuditTests",
            dependencies: [
                "ApexAudit",
                "ApexTestSupport",
                "ApexDomain",
                "ApexStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "ApexWebhooksTests",
            dependencies: ["ApexWebhooks", "ApexDomain", "ApexStore", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .testTarget(name: "ApexMailTests", dependencies: ["ApexMail", "ApexStore"]),
        .testTarget(name: "ApexBenchTests", dependencies: ["ApexChildProcess", "ApexTestSupport"]),
        .testTarget(
            name: "ApexStoreTests",
            dependencies: [
                "ApexChildProcess",
                "ApexDomain",
                "ApexStore",
                "ApexTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)

// Strict settings for every target, from one place.
for target in package.targets {
    var settings = target.swiftSettings ?? []
    settings.append(contentsOf: [
        .swiftLanguageMode(.v6),
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("InternalImportsByDefault"),
        .enableUpcomingFeature("MemberImportVisibility"),
    ])
    target.swiftSettings = settings
}
