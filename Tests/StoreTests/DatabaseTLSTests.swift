import Foundation
import Logging
import PostgresNIO
import Store
import TestSupport
import Testing

/// Issue 22, "PostgreSQL connections support TLS": a private cluster serving a certificate this
/// test makes (its own CA), and `DATABASE_URL`'s `sslmode` / `sslrootcert` as libpq reads them.
@Suite struct DatabaseTLSTests {
    @Test func verifyFullVerifyCAAndRequireBehaveAsLibpqSays() async throws {
        let postgres = try await PrivatePostgres()
        defer { postgres.remove() }
        let tls = "\(postgres.folder)/tls"
        try Self.makeCertificates(in: tls)
        var logger = Logger(label: "tls-test")
        logger.logLevel = .critical

        // The server: TLS on, with the certificate for 127.0.0.1.
        try await Self.serve(certificate: "\(tls)/ip.crt", key: "\(tls)/server.key", postgres: postgres, logger: logger)

        func url(_ query: String) throws -> DatabaseURL {
            try DatabaseURL("postgres://quant@127.0.0.1:\(postgres.port)/quant?\(query)", passwordFile: postgres.passwordFile)
        }
        func encrypted(_ query: String) async throws -> Bool {
            try await url(query).withConnection(logger: logger) { c in
                try await c.scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", as: Bool.self, logger: logger) ?? false
            }
        }
        func refused(_ query: String) async -> Bool {
            do {
                _ = try await encrypted(query)
                return false
            } catch {
                return true
            }
        }

        #expect(try await encrypted("sslmode=verify-full&sslrootcert=\(tls)/ca.crt"))
        #expect(try await encrypted("sslmode=verify-ca&sslrootcert=\(tls)/ca.crt"))
        #expect(try await encrypted("sslmode=require"))
        #expect(try await !encrypted("sslmode=disable"))
        // A certificate from an authority the client does not trust.
        #expect(await refused("sslmode=verify-full&sslrootcert=\(tls)/other.crt"))
        #expect(await refused("sslmode=verify-ca&sslrootcert=\(tls)/other.crt"))
        #expect(throws: DatabaseURL.InvalidURL.self) { try url("sslmode=verify-full&sslrootcert=\(tls)/missing.crt") }

        // A certificate of the right authority for another host name: only verify-full refuses it.
        try await Self.serve(certificate: "\(tls)/dns.crt", key: "\(tls)/server.key", postgres: postgres, logger: logger)
        #expect(await refused("sslmode=verify-full&sslrootcert=\(tls)/ca.crt"))
        #expect(try await encrypted("sslmode=verify-ca&sslrootcert=\(tls)/ca.crt"))
    }

    /// A CA, a server key with two certificates it signed (for IP 127.0.0.1; for db.example.invalid),
    /// and another CA. The server's key belongs to the cluster's user with mode 0600, as PostgreSQL requires.
    static func makeCertificates(in folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let script = """
            set -e
            cd '\(folder)'
            openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj '/CN=quant test CA'
            openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.crt -days 2 -subj '/CN=another CA'
            openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj '/CN=quant test server'
            printf 'subjectAltName=IP:127.0.0.1\\n' > ip.ext
            printf 'subjectAltName=DNS:db.example.invalid\\n' > dns.ext
            openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out ip.crt -days 2 -extfile ip.ext
            openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out dns.crt -days 2 -extfile dns.ext
            chmod 0600 server.key
            chown postgres:postgres server.key ip.crt dns.crt ca.crt
            chmod 0755 .
            """
        let status = runToCompletionBlocking("/bin/bash", ["-c", script], environment: ProcessInfo.processInfo.environment)
        guard status == 0 else { throw TestDatabase.MissingService(description: "openssl could not make the test certificates (\(status))") }
    }

    /// Turns TLS on with `certificate` and waits until new sessions see it.
    static func serve(certificate: String, key: String, postgres: PrivatePostgres, logger: Logger) async throws {
        try await postgres.url.withConnection(logger: logger) { c in
            for statement in ["ALTER SYSTEM SET ssl = on", "ALTER SYSTEM SET ssl_cert_file = '\(certificate)'",
                              "ALTER SYSTEM SET ssl_key_file = '\(key)'", "SELECT pg_reload_conf()"] {
                _ = try await c.query(PostgresQuery(unsafeSQL: statement), logger: logger).collect()
            }
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let current = try await postgres.url.withConnection(logger: logger) { c in
                try await c.scalar("SELECT current_setting('ssl_cert_file')", as: String.self, logger: logger)
            }
            if current == certificate { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestDatabase.MissingService(description: "the cluster did not reload its TLS settings")
    }
}
