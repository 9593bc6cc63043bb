import Foundation
import PostgresNIO
import Store

/// What a key may do. `write` includes `read`.
public enum APIKeyScope: String, Sendable, CaseIterable, Codable {
    case read, write
}

/// A key the API accepted: who it is and what it may do.
public struct APIKeyIdentity: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var scopes: Set<APIKeyScope>
    /// The accounts a write key trades for; `*` is every account (migration 0019).
    public var accounts: Set<String>

    public init(id: Int64, name: String, scopes: Set<APIKeyScope>, accounts: Set<String> = []) {
        self.id = id
        self.name = name
        self.scopes = scopes
        self.accounts = accounts
    }

    /// The binding that stands for every account.
    public static let everyAccount = "*"

    public var tradesForEveryAccount: Bool { accounts.contains(Self.everyAccount) }

    /// The one account of a key bound to exactly one: an order that names none is for it.
    public var onlyAccount: String? {
        accounts.count == 1 && !tradesForEveryAccount ? accounts.first : nil
    }

    /// Whether this key may send orders for `account`, or cancel or modify that account's orders.
    /// An order without an account is open only to keys bound to every account.
    public func mayTrade(for account: String?) -> Bool {
        tradesForEveryAccount || account.map(accounts.contains) == true
    }
}

/// One row of `quant api-key list` (never the secret: it is not stored).
public struct APIKeyRecord: Sendable, Codable {
    public var id: Int64
    public var name: String
    public var prefix: String
    public var scopes: [String]
    public var accounts: [String]
    public var createdAt: String
    public var revokedAt: String?
    public var lastUsedAt: String?
}

/// API keys in `ops.api_keys` (migration 0013): created with a random secret that is shown once,
/// stored as its SHA-256 (computed by PostgreSQL), looked up by that hash, revoked by id or name.
public struct APIKeyStore: Sendable {
    public enum Failure: Error, CustomStringConvertible, Equatable {
        case nameInUse(String)
        case invalidName
        case invalidAccount(String)
        case accountsWithoutWrite
        public var description: String {
            switch self {
            case .nameInUse(let name): "a live key is already named \(name); revoke it first or pick another name"
            case .invalidName: "a key name is 1-100 characters"
            case .invalidAccount(let account):
                "'\(account)' is not an account: 1-64 printable ASCII characters without spaces, or * for every account"
            case .accountsWithoutWrite: "only a key with scope write trades for accounts"
            }
        }
    }

    let database: ReaderDatabase

    public init(database: ReaderDatabase) { self.database = database }

    /// A new key; the secret is returned here and nowhere else. A write key trades for `accounts`
    /// (`*`: every account); with none it may write portfolios but send no orders.
    public func create(name: String, scope: APIKeyScope, accounts: [String] = [])
        async throws -> (record: APIKeyRecord, secret: String)
    {
        guard (1...100).contains(name.count) else { throw Failure.invalidName }
        if scope != .write, !accounts.isEmpty { throw Failure.accountsWithoutWrite }
        for account in accounts where account != APIKeyIdentity.everyAccount && !RequestParameters.isIdentifier(account) {
            throw Failure.invalidAccount(account)
        }
        let accounts = Array(Set(accounts)).sorted()
        let secret = Self.newSecret()
        let scopes = scope == .write ? ["read", "write"] : ["read"]
        let prefix = String(secret.prefix(11))
        do {
            guard let record = try await database.row("""
                INSERT INTO ops.api_keys (name, secret_prefix, secret_hash, scopes, accounts)
                VALUES (\(name), \(prefix), sha256(convert_to(\(secret), 'UTF8')), \(scopes)::text[], \(accounts)::text[])
                RETURNING \(unescaped: Self.columns)
                """, Self.record)
            else { throw Failure.invalidName }
            return (record, secret)
        } catch where PostgresErrorText.sqlState(error) == "23505" {
            throw Failure.nameInUse(name)
        }
    }

    public func list() async throws -> [APIKeyRecord] {
        try await database.rows("SELECT \(unescaped: Self.columns) FROM ops.api_keys ORDER BY key_id", Self.record)
    }

    /// Revokes the live key with this id (digits) or name; false when there is none.
    public func revoke(_ idOrName: String) async throws -> Bool {
        let id = Int64(idOrName) ?? -1
        return try await database.row("""
            UPDATE ops.api_keys SET revoked_at = now()
            WHERE revoked_at IS NULL AND (key_id = \(id) OR name = \(idOrName))
            RETURNING 1
            """) { _ in true } ?? false
    }

    /// The live key with this secret, if any; notes it as used.
    func authenticate(_ secret: String) async throws -> APIKeyIdentity? {
        try await database.row("""
            UPDATE ops.api_keys SET last_used_at = now()
            WHERE secret_hash = sha256(convert_to(\(secret), 'UTF8')) AND revoked_at IS NULL
            RETURNING key_id, name, scopes, accounts
            """) { row in
            let (id, name, scopes, accounts) = try row.decode((Int64, String, [String], [String]).self)
            return APIKeyIdentity(id: id, name: name, scopes: Set(scopes.compactMap(APIKeyScope.init(rawValue:))),
                                  accounts: Set(accounts))
        }
    }

    private static let columns = """
        key_id, name, secret_prefix, scopes, accounts, api.rfc3339(created_at), api.rfc3339(revoked_at), api.rfc3339(last_used_at)
        """

    @Sendable private static func record(_ row: PostgresRow) throws -> APIKeyRecord {
        let (id, name, prefix, scopes, accounts, created, revoked, used) =
            try row.decode((Int64, String, String, [String], [String], String, String?, String?).self)
        return APIKeyRecord(id: id, name: name, prefix: prefix, scopes: scopes, accounts: accounts, createdAt: created,
                            revokedAt: revoked, lastUsedAt: used)
    }

    /// `qk_` and 32 random bytes (from the system's CSPRNG) in base64url: 46 characters.
    static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return "qk_" + Base64URL.encode(bytes)
    }
}
