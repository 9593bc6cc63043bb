import Hummingbird

/// `GET /market/symbols?q=&limit=`: instruments whose symbol starts with `q` or whose name
/// contains it (case-insensitive), best matches first, through `api.search_instruments`.
struct SymbolSearchController: Sendable {
    struct Match: Codable, Sendable {
        var symbol: String
        var name: String?
        var kind: String
        var underlying: String?
        var active: Bool
        /// `symbol` (prefix of the symbol) or `name` (found in the name).
        var match: String
    }

    struct MatchList: Codable, Sendable { var instruments: [Match] }

    let database: ReaderDatabase
    let limits: APIConfiguration.Limits

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get("market/symbols", use: search)
    }

    @Sendable func search(_ request: Request, context: APIRequestContext) async throws -> Response {
        let p = RequestParameters(request: request, context: context)
        guard let q = p.query("q"), (1...64).contains(q.count), !q.contains("\u{0}") else {
            throw Problem.badParameter("q", "required: 1 to 64 characters of a symbol's start or a name")
        }
        let limit = try p.int("limit", default: min(20, limits.maxPageSize), range: 1...min(1000, limits.maxPageSize))
        let rows = try await database.rows("""
            SELECT symbol, name, kind, underlying, active, match FROM api.search_instruments(\(q), \(Int32(limit)))
            """) { row in
            let (symbol, name, kind, underlying, active, match) = try row.decode((String, String?, String, String?, Bool, String).self)
            return Match(symbol: symbol, name: name, kind: kind, underlying: underlying, active: active, match: match)
        }
        return try JSONBody.response(MatchList(instruments: rows))
    }
}
