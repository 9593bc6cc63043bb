import API
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing

/// The console's files as the API serves them (docs/console.md): only the files read at start,
/// with their policy and validators. The browser's view of them is `Tests/python/test_console.py`.
@Suite struct ConsoleFilesTests {
    @Test func onlyTheFilesReadAtStartAreServedWithTheirPolicy() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("console-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("js"), withIntermediateDirectories: true)
        try "<!doctype html><title>t</title>".write(to: directory.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        try "export {};".write(to: directory.appendingPathComponent("js/app.js"), atomically: true, encoding: .utf8)
        try "secret".write(to: directory.appendingPathComponent(".env.js"), atomically: true, encoding: .utf8)
        try "binary".write(to: directory.appendingPathComponent("tool.exe"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent("passwd.js").path, withDestinationPath: "/etc/passwd")

        let console = try #require(try ConsoleFiles.load(directory: directory.path))
        #expect(try ConsoleFiles.load(directory: directory.appendingPathComponent("missing").path) == nil)
        // Never run: the console's routes do not touch the database.
        let client = PostgresClient(configuration: .init(host: "127.0.0.1", port: 1, username: "x", password: nil, database: nil, tls: .disable))
        let dependencies = APIDependencies(database: ReaderDatabase(client: client, timeout: .seconds(30), logger: Logger(label: "console-test")), console: console)
        let app = Application(router: buildRouter(configuration: APIConfiguration(), dependencies: dependencies))
        try await app.test(.router) { http in
            let index = try await http.execute(uri: "/console/", method: .get)
            #expect(index.status == .ok && index.headers[.contentType] == "text/html; charset=utf-8")
            #expect(index.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
            #expect(index.headers[.cacheControl] == "no-cache")
            let etag = try #require(index.headers[.eTag])
            let again = try await http.execute(uri: "/console/", method: .get, headers: [.ifNoneMatch: etag])
            #expect(again.status == .notModified && again.body.readableBytes == 0)
            let script = try await http.execute(uri: "/console/js/app.js", method: .get)
            #expect(script.status == .ok && String(buffer: script.body) == "export {};")
            #expect(script.headers[.contentType] == "text/javascript; charset=utf-8")
            for path in ["/console/.env.js", "/console/tool.exe", "/console/passwd.js", "/console/../Package.swift", "/console/js/../../index.html"] {
                let missing = try await http.execute(uri: path, method: .get)
                #expect(missing.status == .notFound, "\(path)")
            }
            let redirect = try await http.execute(uri: "/", method: .get)
            #expect(redirect.status == .found && redirect.headers[.location] == "/console/")
            let page = try await http.execute(uri: "/console", method: .get)
            #expect(page.status == .ok && page.headers[.eTag] == etag)
        }
    }
}
