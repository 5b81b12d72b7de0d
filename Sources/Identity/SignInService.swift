import Foundation
import Tenancy

/// Checks credentials with throttling, rehashing and audit, and opens sessions.
public struct SignInService: Sendable {
    public enum Outcome: Sendable {
        case signedIn(Agent, SecretToken)
        case refused
        case throttled(retryAfter: Int)
    }

    let hasher: PasswordHasher
    let lifetime: SessionLifetime
    /// Verified when the email has no account, so that answers take the same time either way.
    let decoyHash: String

    public init(hasher: PasswordHasher, lifetime: SessionLifetime = .agents) throws {
        self.hasher = hasher
        self.lifetime = lifetime
        self.decoyHash = try PasswordHasher.hashNow(UUID().uuidString, parameters: hasher.parameters)
    }

    public func signIn(email rawEmail: String, password: String, ip: String?, userAgent: String?, in database: TenantDatabase) async throws -> Outcome {
        let email = rawEmail.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let keys = ["sign_in:account:\(email)", "sign_in:ip:\(ip ?? "-")"]
        let lookup: (agent: Agent?, retryAfter: Int?) = try await database.transaction { connection in
            let retryAfter = try await Throttle(connection).retryAfter(keys)
            return (retryAfter == nil ? try await AgentRepository(connection).find(email: email) : nil, retryAfter)
        }
        if let retryAfter = lookup.retryAfter {
            try await database.transaction { connection in
                try await AuditLog(connection).record(.signInThrottled, subject: nil, ip: ip)
            }
            return .throttled(retryAfter: retryAfter)
        }
        let agent = lookup.agent.flatMap { $0.disabled ? nil : $0 }
        let verified = await hasher.verify(password, against: agent?.passwordHash ?? decoyHash) && agent?.passwordHash != nil
        guard let agent, verified else {
            try await database.transaction { connection in
                try await Throttle(connection).recordFailure(keys)
                try await AuditLog(connection).record(.signInFailed, subject: lookup.agent?.id, ip: ip)
            }
            return .refused
        }
        let newHash = hasher.needsRehash(agent.passwordHash ?? "") ? try await hasher.hash(password) : nil
        let token = try await database.transaction { connection in
            if let newHash { try await AgentRepository(connection).setPassword(hash: newHash, for: agent.id) }
            try await Throttle(connection).reset(keys[0])
            try await AuditLog(connection).record(.signInSucceeded, actor: agent.id, subject: agent.id, ip: ip)
            return try await SessionStore(connection, lifetime: lifetime).create(agentID: agent.id, userAgent: userAgent)
        }
        return .signedIn(agent, token)
    }
}
