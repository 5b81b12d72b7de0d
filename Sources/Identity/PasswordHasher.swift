import CArgon2
import Foundation
import NIOPosix

/// Argon2id cost parameters. The defaults follow the OWASP minimum (19 MiB, 2 passes, 1 lane).
public struct Argon2Parameters: Sendable, Equatable {
    public var memoryKiB: UInt32
    public var iterations: UInt32
    public var parallelism: UInt32

    public init(memoryKiB: UInt32 = 19_456, iterations: UInt32 = 2, parallelism: UInt32 = 1) {
        self.memoryKiB = memoryKiB
        self.iterations = iterations
        self.parallelism = parallelism
    }

    /// True when these parameters cost less than `other` on any axis.
    public func isWeaker(than other: Argon2Parameters) -> Bool {
        memoryKiB < other.memoryKiB || iterations < other.iterations || parallelism < other.parallelism
    }
}

/// Hashes and verifies passwords with argon2id (libargon2), as PHC strings:
/// `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`. Work runs on NIO's thread pool, off the
/// event loops, so a burst of sign-ins does not stall other requests.
public struct PasswordHasher: Sendable {
    public let parameters: Argon2Parameters
    let threadPool: NIOThreadPool

    public init(parameters: Argon2Parameters = Argon2Parameters(), threadPool: NIOThreadPool = .singleton) {
        self.parameters = parameters
        self.threadPool = threadPool
    }

    public func hash(_ password: String) async throws -> String {
        let parameters = self.parameters
        return try await threadPool.runIfActive { try Self.hashNow(password, parameters: parameters) }
    }

    /// Constant-time verification (libargon2 compares in constant time). A malformed hash verifies nothing.
    public func verify(_ password: String, against encoded: String) async -> Bool {
        (try? await threadPool.runIfActive { Self.verifyNow(password, against: encoded) }) ?? false
    }

    /// True when `encoded` was made with weaker parameters than the configured ones (or is unreadable).
    public func needsRehash(_ encoded: String) -> Bool {
        guard let stored = Self.parameters(of: encoded) else { return true }
        return stored.isWeaker(than: parameters)
    }

    static func hashNow(_ password: String, parameters: Argon2Parameters) throws -> String {
        var salt = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for index in salt.indices { salt[index] = generator.next() }
        let hashLength = 32
        let length = argon2_encodedlen(
            parameters.iterations, parameters.memoryKiB, parameters.parallelism,
            UInt32(salt.count), UInt32(hashLength), Argon2_id
        )
        var encoded = [CChar](repeating: 0, count: length)
        let password = Array(password.utf8)
        let status = argon2id_hash_encoded(
            parameters.iterations, parameters.memoryKiB, parameters.parallelism,
            password, password.count, salt, salt.count, hashLength, &encoded, length
        )
        guard status == ARGON2_OK.rawValue else { throw PasswordHashError(code: status) }
        return String(cString: encoded)
    }

    static func verifyNow(_ password: String, against encoded: String) -> Bool {
        guard encoded.hasPrefix("$argon2id$") else { return false }
        let password = Array(password.utf8)
        return argon2id_verify(encoded, password, password.count) == ARGON2_OK.rawValue
    }

    /// Reads `m`, `t` and `p` from a PHC string.
    static func parameters(of encoded: String) -> Argon2Parameters? {
        let fields = encoded.split(separator: "$")
        guard fields.count == 5, fields[0] == "argon2id", fields[1] == "v=19" else { return nil }
        var values: [Substring: UInt32] = [:]
        for pair in fields[2].split(separator: ",") {
            let parts = pair.split(separator: "=")
            guard parts.count == 2, let value = UInt32(parts[1]) else { return nil }
            values[parts[0]] = value
        }
        guard let m = values["m"], let t = values["t"], let p = values["p"] else { return nil }
        return Argon2Parameters(memoryKiB: m, iterations: t, parallelism: p)
    }
}

public struct PasswordHashError: Error, CustomStringConvertible {
    public let code: Int32
    public var description: String { String(cString: argon2_error_message(code)) }
}
