import Foundation
import NIOSSL
import PostgresNIO

/// A parsed `postgres://user[:password]@host[:port]/database[?sslmode=…&application_name=…]` URL.
///
/// `sslmode` follows libpq's names: `disable` (default), `prefer`, `require` (encrypt, do not verify),
/// `verify-ca` (encrypt and verify the server certificate's chain) and `verify-full` (and its host
/// name too). `sslrootcert` names a PEM file of the certificate authorities to trust (libpq's
/// parameter); without it the system's trust store is used.
public struct DatabaseURL: Sendable, Equatable, CustomStringConvertible {
    public enum SSLMode: String, Sendable { case disable, prefer, require, verifyCA = "verify-ca", verifyFull = "verify-full" }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var sslMode: SSLMode
    /// `sslrootcert`: the CA certificates (PEM) that verify the server; nil: the system's.
    public var sslRootCertificate: String?
    public var applicationName: String?

    public struct InvalidURL: Error, CustomStringConvertible {
        public let description: String
    }

    public init(_ text: String, passwordFile: String = "") throws {
        guard let components = URLComponents(string: text),
              let scheme = components.scheme, ["postgres", "postgresql"].contains(scheme)
        else { throw InvalidURL(description: "database URL must look like postgres://user@host:port/database") }
        guard let host = components.host, !host.isEmpty else { throw InvalidURL(description: "database URL has no host") }
        guard let user = components.user, !user.isEmpty else { throw InvalidURL(description: "database URL has no user") }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else { throw InvalidURL(description: "database URL has no database name") }
        self.host = host
        self.port = components.port ?? 5432
        self.username = user.removingPercentEncoding ?? user
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        let mode = query["sslmode"] ?? "disable"
        guard let sslMode = SSLMode(rawValue: mode) else {
            throw InvalidURL(description: "unsupported sslmode '\(mode)': use disable, prefer, require, verify-ca or verify-full")
        }
        self.sslMode = sslMode
        if let rootCertificate = query["sslrootcert"], !rootCertificate.isEmpty {
            guard FileManager.default.isReadableFile(atPath: rootCertificate) else {
                throw InvalidURL(description: "cannot read sslrootcert \(rootCertificate)")
            }
            sslRootCertificate = rootCertificate
        }
        self.applicationName = query["application_name"]
        if !passwordFile.isEmpty {
            guard let secret = try? String(contentsOfFile: passwordFile, encoding: .utf8) else {
                throw InvalidURL(description: "cannot read database password file \(passwordFile)")
            }
            password = secret.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        }
    }

    /// The URL with any password masked, safe for logs.
    public var description: String {
        "postgres://\(username)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)"
    }

    /// The same server with another database, e.g. for tests that create their own.
    public func with(database: String) -> DatabaseURL {
        var copy = self
        copy.database = database
        return copy
    }

    private var tlsConfiguration: TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch sslMode {
        case .verifyFull: tls.certificateVerification = .fullVerification
        case .verifyCA: tls.certificateVerification = .noHostnameVerification
        default: tls.certificateVerification = .none
        }
        if let sslRootCertificate { tls.trustRoots = .file(sslRootCertificate) }
        return tls
    }

    public func connectionConfiguration(applicationName fallback: String = "quant") throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch sslMode {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(try NIOSSLContext(configuration: tlsConfiguration))
        case .require, .verifyCA, .verifyFull: tls = .require(try NIOSSLContext(configuration: tlsConfiguration))
        }
        var config = PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
        config.options.additionalStartupParameters = [("application_name", applicationName ?? fallback)]
        return config
    }

    public func clientConfiguration(poolSize: Int, applicationName fallback: String = "quant") -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch sslMode {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(tlsConfiguration)
        case .require, .verifyCA, .verifyFull: tls = .require(tlsConfiguration)
        }
        var config = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
        config.options.maximumConnections = poolSize
        config.options.additionalStartupParameters = [("application_name", applicationName ?? fallback)]
        return config
    }

    /// Opens a single connection (the migrator needs one session for its advisory lock).
    public func connect(logger: Logger, applicationName: String = "quant") async throws -> PostgresConnection {
        try await PostgresConnection.connect(
            configuration: connectionConfiguration(applicationName: applicationName), id: 1, logger: logger)
    }

    /// Runs `body` on a fresh connection and closes it afterwards, whatever happens.
    @discardableResult
    public func withConnection<T: Sendable>(
        logger: Logger, applicationName: String = "quant", _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let connection = try await connect(logger: logger, applicationName: applicationName)
        do {
            let result = try await body(connection)
            try? await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
