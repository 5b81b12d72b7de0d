import Crypto
import Foundation
import Identity
import PostgresNIO
import Tenancy

/// An online booking waiting for its confirmation code.
public struct BookingRequest: Sendable, Hashable, Identifiable {
    public let id: UUID
    public let motifID: UUID
    public let lieuID: UUID
    public let start: Date
    public let details: BookingDetails
    public let address: BookingAddress?
    public let accountID: UUID?
    public let failedAttempts: Int
    public let expiresAt: Date
    /// The right code was given.
    public let codeConfirmed: Bool
    /// The appointment it became, once confirmed.
    public let rdvID: UUID?
}

/// Booking requests: created with a code sent to the person, confirmed with it once.
public struct BookingRequestRepository: Sendable {
    /// Wrong codes before a request is dead.
    public static let maximumAttempts = 5
    /// How long a code stays valid.
    public static let lifetime: TimeInterval = 30 * 60

    let connection: TenantConnection

    public init(_ connection: TenantConnection) {
        self.connection = connection
    }

    /// Stores a request; returns the link token and the six-digit code to send (never stored in clear).
    public func create(
        motifID: UUID, lieuID: UUID, start: Date, details: BookingDetails, address: BookingAddress?, accountID: UUID?, channel: String
    ) async throws -> (token: String, code: String) {
        let token = SecretToken.generate().value
        var generator = SystemRandomNumberGenerator()
        let code = String(format: "%06d", Int.random(in: 0..<1_000_000, using: &generator))
        let stored = Stored(details: details, address: address)
        try await connection.query(
            """
            INSERT INTO booking_requests (token_hash, code_hash, motif_id, lieu_id, starts_at, details, usager_account_id, channel, expires_at)
            VALUES (\(SecretToken.hash(token)), \(Self.codeHash(token: token, code: code)), \(motifID), \(lieuID), \(start),
                    \(stored.json)::jsonb, \(accountID), \(channel), now() + make_interval(secs => \(Self.lifetime)))
            """
        )
        return (token, code)
    }

    /// The request a link names, whatever its state; nil for an unknown token.
    public func find(token: String) async throws -> BookingRequest? {
        for try await (id, motif, lieu, start, details, account, attempts, expires, confirmed, rdv) in try await connection.query(
            """
            SELECT id, motif_id, lieu_id, starts_at, details::text, usager_account_id, failed_attempts, expires_at,
                   code_confirmed_at IS NOT NULL, rdv_id
            FROM booking_requests WHERE token_hash = \(SecretToken.hash(token))
            """
        ).decode((UUID, UUID, UUID, Date, String, UUID?, Int, Date, Bool, UUID?).self) {
            guard let stored = Stored.from(json: details) else { return nil }
            return BookingRequest(
                id: id, motifID: motif, lieuID: lieu, start: start, details: stored.details, address: stored.address,
                accountID: account, failedAttempts: attempts, expiresAt: expires, codeConfirmed: confirmed, rdvID: rdv
            )
        }
        return nil
    }

    /// Whether `code` is the request's; a wrong one counts against it.
    public func check(token: String, code: String, request: BookingRequest) async throws -> Bool {
        let expected = Self.codeHash(token: token, code: code.filter(\.isNumber))
        var stored: Data?
        for try await hash in try await connection.query("SELECT code_hash FROM booking_requests WHERE id = \(request.id)").decode(Data.self) {
            stored = hash
        }
        if let stored, stored == expected {
            try await connection.query("UPDATE booking_requests SET code_confirmed_at = coalesce(code_confirmed_at, now()) WHERE id = \(request.id)")
            return true
        }
        try await connection.query("UPDATE booking_requests SET failed_attempts = failed_attempts + 1 WHERE id = \(request.id)")
        return false
    }

    public func attach(_ requestID: UUID, rdvID: UUID, start: Date) async throws {
        try await connection.query("UPDATE booking_requests SET rdv_id = \(rdvID), starts_at = \(start) WHERE id = \(requestID)")
    }

    /// Drops requests that expired more than a day ago, with the personal data they hold.
    public func sweep() async throws {
        try await connection.query("DELETE FROM booking_requests WHERE expires_at < now() - interval '1 day'")
    }

    static func codeHash(token: String, code: String) -> Data {
        Data(SHA256.hash(data: Data("\(token)|\(code)".utf8)))
    }

    /// The JSON kept in `details`: the person and the address.
    public struct Stored: Codable, Sendable {
        public var details: BookingDetails
        public var address: BookingAddress?

        public init(details: BookingDetails, address: BookingAddress?) {
            self.details = details
            self.address = address
        }

        var json: String { String(decoding: (try? JSONEncoder().encode(self)) ?? Data("{}".utf8), as: UTF8.self) }

        static func from(json: String) -> Stored? { try? JSONDecoder().decode(Stored.self, from: Data(json.utf8)) }
    }
}
