// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "authd",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "authd", targets: ["authd"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        // Already in Hummingbird's graph; named here because AuthService uses them directly
        // (NIOThreadPool for PBKDF2, a lifecycle Service for the session sweeper).
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        // Also in Hummingbird's graph: the HTTP part types a channel handler of ours sees.
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        // Metrics: the swift-metrics API in our code, Prometheus text format at /metrics.
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // `authd serve --config FILE`: TOML is not something to parse by hand.
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        // PostgreSQL storage engine (several replicas on one database): the wire protocol,
        // TLS and a connection pool. Alone, without postgres-kit or Fluent: an ORM and its
        // own migration system would fight the checksummed migrator and the audit chain lock.
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // Already in postgres-nio's graph: the TLS settings for sslmode=verify-full.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // Tests only: property-based checks of the header parser, the time formatter and the
        // duration parser.
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        // C libraries from the system (Debian: libsqlite3-dev, libssl-dev, libcrypt-dev,
        // libargon2-dev).
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CLibCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // Imported password hashes: bcrypt, sha-crypt and yescrypt through libxcrypt's
        // crypt_rn; argon2i/argon2id through libargon2.
        .systemLibrary(
            name: "CXCrypt",
            pkgConfig: "libxcrypt",
            providers: [.apt(["libcrypt-dev"])]
        ),
        .systemLibrary(
            name: "CArgon2",
            pkgConfig: "libargon2",
            providers: [.apt(["libargon2-dev"])]
        ),

        // Build-time tool and plugin that embed migrations/*.sql into AuthStore.
        .executableTarget(name: "EmbedMigrations"),
        .plugin(
            name: "EmbedMigrationsPlugin",
            capability: .buildTool(),
            dependencies: ["EmbedMigrations"]
        ),

        // Persistence: SQLite, migrations, users, sessions, audit, password hashing.
        .target(
            name: "AuthStore",
            dependencies: [
                "CSQLite",
                "CLibCrypto",
                "CXCrypt",
                "CArgon2",
                .product(name: "Logging", package: "swift-log"),
            ],
            plugins: ["EmbedMigrationsPlugin"]
        ),
        // Persistence on PostgreSQL: the same protocols as AuthStore's SQLite engine.
        .target(
            name: "AuthStorePostgres",
            dependencies: [
                "AuthStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            plugins: ["EmbedMigrationsPlugin"]
        ),
        // HTTP API and the login/logout logic.
        .target(
            name: "AuthService",
            dependencies: [
                "AuthStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // The one binary: server and admin tool.
        .executableTarget(
            name: "authd",
            dependencies: [
                "AuthStore",
                "AuthStorePostgres",
                "AuthService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),

        .testTarget(
            name: "AuthStoreTests",
            dependencies: [
                "AuthStore",
                "AuthStorePostgres",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "AuthServiceTests",
            dependencies: [
                "AuthService",
                "AuthStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .testTarget(
            name: "authdTests",
            dependencies: [
                "authd", "AuthStore", "AuthStorePostgres",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
    ]
)
