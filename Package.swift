// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "rdv",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "rdv", targets: ["rdv"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", exact: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.4.1"),
    ],
    targets: [
        .target(name: "Scheduling", swiftSettings: swiftSettings),
        .target(
            name: "Tenancy",
            dependencies: [
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .systemLibrary(name: "CArgon2", pkgConfig: "libargon2", providers: [.apt(["libargon2-dev"])]),
        .target(
            name: "Identity",
            dependencies: [
                "CArgon2",
                "Tenancy",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Agenda",
            dependencies: ["Tenancy", "Scheduling", .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Metrics", package: "swift-metrics")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Notifications",
            dependencies: [
                "Tenancy", "Scheduling", "Identity", "Agenda",
                .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        // How messages leave: the SMTP client and its MIME writer, the SMS providers over HTTP.
        // Only the executable and the tests depend on it: features stay off AsyncHTTPClient and
        // NIOSSL (which PostgresNIO still brings along for its own TLS).
        .target(
            name: "Transports",
            dependencies: [
                "Notifications", "Webhooks",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        // Webhook endpoints, their signed events from the messages outbox, the delivery log.
        .target(
            name: "Webhooks",
            dependencies: [
                "Tenancy", "Identity", "Notifications",
                .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Booking",
            dependencies: [
                "Tenancy", "Scheduling", "Identity", "Agenda", "Notifications",
                .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Exports of RDVs and usagers as CSV and XLSX, streamed from PostgreSQL.
        .target(
            name: "Exports",
            dependencies: [
                "CZlib", "Tenancy", "Identity", "Agenda", "Scheduling", "Privacy",
                .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Personal data over time: retention of each kind, and the trail of who accessed a usager's record.
        .target(
            name: "Privacy",
            dependencies: [
                "Tenancy", "Identity", "Agenda", "Notifications", "Scheduling",
                .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Consortium",
            dependencies: [
                "Tenancy", "Identity", "Agenda", "Notifications", "Scheduling",
                .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Web",
            dependencies: [
                "Tenancy",
                "Consortium",
                "Identity",
                "Agenda",
                "Booking",
                "Notifications",
                "Scheduling",
                "Webhooks",
                "Exports",
                "Privacy",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            resources: [.copy("Templates"), .copy("Static"), .copy("OpenAPI")],
            swiftSettings: swiftSettings
        ),
        // The parsers of outside input under libFuzzer (scripts/fuzz) and over their corpus (FuzzTests).
        .target(name: "FuzzTargets", dependencies: ["Agenda", "Booking", "Scheduling", "Tenancy", "Transports"], swiftSettings: swiftSettings),
        .executableTarget(name: "RDVFuzz", dependencies: ["FuzzTargets"], swiftSettings: swiftSettings),
        .executableTarget(name: "SlotBenchmark", dependencies: ["Scheduling"], swiftSettings: swiftSettings),
        // The HTTP baseline the load drill measures the platform against (scripts/load-drill).
        .executableTarget(name: "HelloBaseline", dependencies: [.product(name: "Hummingbird", package: "hummingbird")], swiftSettings: swiftSettings),
        .executableTarget(
            name: "rdv",
            dependencies: [
                "Web",
                "Tenancy",
                "Identity",
                "Agenda",
                "Booking",
                "Notifications",
                "Transports",
                "Scheduling",
                "Consortium",
                "Webhooks",
                "Privacy",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "Tenancy",
                "Identity",
                "Agenda",
                "Notifications",
                "Web",
                "Webhooks",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .target(name: "SeededRandom", path: "Tests/SeededRandom", swiftSettings: swiftSettings),
        .testTarget(name: "SchedulingTests", dependencies: ["Scheduling", "SeededRandom"], swiftSettings: swiftSettings),
        .testTarget(name: "AgendaTests", dependencies: ["Agenda", "Identity", "Scheduling", "TestSupport", "SeededRandom"], swiftSettings: swiftSettings),
        .testTarget(
            name: "NotificationsTests",
            dependencies: [
                "Notifications", "Transports", "Agenda", "Identity", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "BookingTests", dependencies: ["Booking", "Agenda", "Identity", "TestSupport", "SeededRandom", .product(name: "Crypto", package: "swift-crypto")], swiftSettings: swiftSettings),
        .testTarget(name: "ExportsTests", dependencies: ["Exports", "Scheduling", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "FuzzTests", dependencies: ["FuzzTargets", "SeededRandom"], resources: [.copy("corpus")], swiftSettings: swiftSettings),
        .testTarget(name: "PrivacyTests", dependencies: ["Privacy", "Tenancy", "Identity", "Agenda", "Notifications", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "IdentityTests", dependencies: ["Identity", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "TenancyTests", dependencies: ["Tenancy", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ConsortiumTests",
            dependencies: ["Consortium", "Tenancy", "Identity", "Agenda", "Notifications", "Scheduling", "TestSupport", "SeededRandom"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "WebTests",
            dependencies: ["Web", "Identity", "Agenda", "Booking", "Consortium", "Exports", "Privacy", "Notifications", "Transports", "Scheduling", "TestSupport", "Webhooks", .product(name: "HummingbirdTesting", package: "hummingbird"), .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "WebhooksTests",
            dependencies: [
                "Webhooks", "Transports", "Web", "Agenda", "Identity", "Notifications", "Tenancy", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
