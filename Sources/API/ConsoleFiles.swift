import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The web console (console/, docs/console.md): plain files read once when the API starts and
/// served from memory under `/console/`, so the page works wherever the API runs and nothing comes
/// from the internet. Only files found then are served (a path is looked up, never joined to the
/// directory), each with its ETag and `Cache-Control: no-cache` (the browser revalidates, so a new
/// version shows at once), and a Content-Security-Policy that lets the page load scripts, styles
/// and data only from this origin.
public struct ConsoleFiles: Sendable {
    struct File: Sendable {
        let body: ByteBuffer
        let contentType: String
        let etag: String
    }

    let files: [String: File]

    /// Scripts, style sheets, images and fetches from this origin only. Inline style *attributes*
    /// are allowed: dygraphs writes its legend's colours as `style="…"` (they cannot run code);
    /// inline `<style>` and `<script>` elements are not.
    static let contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src-elem 'self'; style-src-attr 'unsafe-inline'; "
        + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    static let contentTypes = [
        "html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8",
        "svg": "image/svg+xml", "png": "image/png", "md": "text/plain; charset=utf-8", "": "text/plain; charset=utf-8",
    ]

    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!

    init(files: [String: File]) { self.files = files }

    /// Every file under `directory` with a known type (hidden files and symbolic links left out),
    /// keyed by its path relative to `directory`. Nil when the directory does not exist.
    public static func load(directory: String) throws -> ConsoleFiles? {
        let root = URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else { return nil }
        var files: [String: File] = [:]
        let keys: [URLResourceKey] = [.isRegularFileKey, .isSymbolicLinkKey]
        guard let walk = FileManager.default.enumerator(at: root, includingPropertiesForKeys: keys, options: [.skipsHiddenFiles]) else {
            return nil
        }
        for case let url as URL in walk {
            let values = try url.resourceValues(forKeys: Set(keys))
            guard values.isRegularFile == true, values.isSymbolicLink != true,
                  let type = contentTypes[url.pathExtension.lowercased()] else { continue }
            let path = String(url.standardizedFileURL.path.dropFirst(root.path.count).drop { $0 == "/" })
            let bytes = try Data(contentsOf: url)
            files[path] = File(body: ByteBuffer(bytes: bytes), contentType: type, etag: "\"\(Self.fingerprint(bytes))\"")
        }
        return ConsoleFiles(files: files)
    }

    /// FNV-1a (64 bits) in hex: changes with the content, which is all an ETag needs to say.
    static func fingerprint(_ bytes: Data) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(hash, radix: 16)
    }

    func response(for path: String, request: Request) -> Response? {
        guard let file = files[path.isEmpty ? "index.html" : path] else { return nil }
        var headers: HTTPFields = [
            .contentType: file.contentType, .eTag: file.etag, .cacheControl: "no-cache",
            .contentSecurityPolicy: Self.contentSecurityPolicy, .xContentTypeOptions: "nosniff",
            Self.referrerPolicy: "no-referrer",
        ]
        if let tags = request.headers[.ifNoneMatch], tags.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == file.etag }) {
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentLength] = String(file.body.readableBytes)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: file.body))
    }
}

/// `GET /` sends the browser to `/console/`; `GET /console` (with or without the slash, which the
/// router does not tell apart) answers the page, and `GET /console/**` a file. The page names its
/// files by absolute paths, so it loads the same under either address.
struct ConsoleController: Sendable {
    let console: ConsoleFiles

    func addRoutes(to router: Router<APIRequestContext>) {
        router.get("/") { _, _ in Self.redirect }
        router.get("console") { request, _ in try serve(request, path: "") }
        router.get("console/**") { request, context in
            try serve(request, path: context.parameters.getCatchAll().joined(separator: "/"))
        }
    }

    static let redirect = Response(status: .found, headers: [.location: "/console/", .cacheControl: "no-cache"])

    private func serve(_ request: Request, path: String) throws -> Response {
        guard let response = console.response(for: path, request: request) else {
            throw Problem.notFound("no console file \(path.prefix(100))")
        }
        return response
    }
}
