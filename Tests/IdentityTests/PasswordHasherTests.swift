import CArgon2
import Foundation
import Testing
@testable import Identity
@testable import Tenancy

@Suite struct PasswordHasherTests {
    /// RFC 9106, section 5.3: Argon2id with secret and associated data.
    @Test func rfc9106TestVector() {
        var out = [UInt8](repeating: 0, count: 32)
        var password = [UInt8](repeating: 0x01, count: 32)
        var salt = [UInt8](repeating: 0x02, count: 16)
        var secret = [UInt8](repeating: 0x03, count: 8)
        var associated = [UInt8](repeating: 0x04, count: 12)
        let status = out.withUnsafeMutableBufferPointer { out in
            password.withUnsafeMutableBufferPointer { password in
                salt.withUnsafeMutableBufferPointer { salt in
                    secret.withUnsafeMutableBufferPointer { secret in
                        associated.withUnsafeMutableBufferPointer { associated in
                            var context = argon2_context(
                                out: out.baseAddress, outlen: 32, pwd: password.baseAddress, pwdlen: 32,
                                salt: salt.baseAddress, saltlen: 16, secret: secret.baseAddress, secretlen: 8,
                                ad: associated.baseAddress, adlen: 12, t_cost: 3, m_cost: 32, lanes: 4, threads: 4,
                                version: UInt32(ARGON2_VERSION_13.rawValue), allocate_cbk: nil, free_cbk: nil, flags: 0
                            )
                            return argon2_ctx(&context, Argon2_id)
                        }
                    }
                }
            }
        }
        #expect(status == ARGON2_OK.rawValue)
        #expect(out.map { String(format: "%02x", $0) }.joined() == "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659")
    }

    @Test func hashesArePHCStringsWithTheConfiguredCost() async throws {
        let hasher = PasswordHasher()
        let encoded = try await hasher.hash("correct horse battery staple")
        #expect(encoded.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"))
        #expect(await hasher.verify("correct horse battery staple", against: encoded))
        #expect(await !hasher.verify("correct horse battery stapler", against: encoded))
        #expect(try await hasher.hash("correct horse battery staple") != encoded, "each hash has its own salt")
        #expect(await !hasher.verify("x", against: "not a hash"))
        #expect(await !hasher.verify("x", against: "$2b$12$bcryptisnotaccepted"))
    }

    @Test func weakerStoredParametersAskForARehash() async throws {
        let weak = PasswordHasher(parameters: Argon2Parameters(memoryKiB: 8_192, iterations: 1, parallelism: 1))
        let strong = PasswordHasher()
        let old = try await weak.hash("un mot de passe assez long")
        #expect(strong.needsRehash(old))
        #expect(!weak.needsRehash(old))
        #expect(!strong.needsRehash(try await strong.hash("un mot de passe assez long")))
        #expect(strong.needsRehash("garbage"))
        #expect(await strong.verify("un mot de passe assez long", against: old), "old hashes still verify")
    }

    /// argon2-cffi, an independent binding, reads our hashes and we read its hashes.
    @Test func interoperatesWithArgon2Cffi() async throws {
        let hasher = PasswordHasher()
        let password = "Été à Saint-Denis, 974 !"
        let ours = try await hasher.hash(password)
        let script = """
            import sys
            from argon2 import PasswordHasher
            ph = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
            ph.verify(sys.argv[1], sys.argv[2])
            print(ph.hash(sys.argv[2]))
            """
        let (status, output) = try Subprocess.run(["/usr/bin/env", "python3", "-c", script, ours, password])
        #expect(status == 0, "\(output)")
        let theirs = output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").last.map(String.init) ?? ""
        #expect(theirs.hasPrefix("$argon2id$"))
        #expect(await hasher.verify(password, against: theirs))
        #expect(await !hasher.verify(password + ".", against: theirs))
    }
}

@Suite struct PasswordPolicyTests {
    let policy = PasswordPolicy.standard

    @Test func acceptsALongUncommonPassword() {
        #expect(policy.problems(with: "ours-brun-sur-la-banquise-7", email: "camille.martin@pasdecalais.fr", names: ["Camille", "Martin"]).isEmpty)
    }

    @Test(arguments: ["court", "motdepasse2024!", "MotDePasse123", "Azertyuiop!!", "aaaaaaaaaaaaaa", "123412341234", "Solidarités2026", "bienvenue123456"])
    func refusesShortOrCommonPasswords(_ password: String) {
        #expect(!policy.problems(with: password, email: nil, names: []).isEmpty)
    }

    @Test func refusesTheAccountsOwnEmailOrName() {
        let email = "camille.martin@pasdecalais.fr"
        #expect(!policy.problems(with: "camille.martin@pasdecalais.fr", email: email, names: []).isEmpty)
        #expect(!policy.problems(with: "xx-MARTIN-des-bois-42", email: email, names: []).isEmpty)
        #expect(!policy.problems(with: "Hélène-aime-les-pommes", email: "x@y.fr", names: ["Helene", "Dupont"]).isEmpty)
    }
}
