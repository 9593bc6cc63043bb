/// Paging by key (instruments by symbol, portfolios by id): the cursor is the last key of the
/// previous page in base64url; the reader asks for one row more than `limit` to know if more follow.
struct KeyCursor {
    let limit: Int
    /// The key to start after; nil on the first page.
    let after: String?

    /// Reads `limit` and `cursor`, refusing a cursor whose key `isValid` rejects.
    init(_ p: RequestParameters, limits: APIConfiguration.Limits, isValid: (String) -> Bool) throws {
        limit = try p.int("limit", default: min(100, limits.maxPageSize), range: 1...limits.maxPageSize)
        guard let cursor = p.query("cursor") else { after = nil; return }
        guard let key = Base64URL.decode(cursor), isValid(key) else {
            throw Problem.badParameter("cursor", "not a cursor this API returned")
        }
        after = key
    }

    /// The page out of `limit + 1` rows, and the next cursor when there is a next page.
    func page<Row>(_ rows: [Row], key: (Row) -> String) -> (rows: [Row], next: String?) {
        let page = Array(rows.prefix(limit))
        return (page, rows.count > limit ? page.last.map { Base64URL.encode(key($0)) } : nil)
    }
}
