import Foundation
import Testing
@testable import Identity
@testable import Tenancy

@Suite struct TOTPTests {
    /// RFC 6238, appendix B, SHA-1 rows (8 digits, secret "12345678901234567890").
    @Test(arguments: [
        (59.0, "94287082"), (1_111_111_109.0, "07081804"), (1_111_111_111.0, "14050471"),
        (1_234_567_890.0, "89005924"), (2_000_000_000.0, "69279037"), (20_000_000_000.0, "65353130"),
    ])
    func rfc6238Vectors(time: Double, expected: String) {
        let totp = TOTP(secret: Data("12345678901234567890".utf8), digits: 8)
        #expect(totp.code(at: Date(timeIntervalSince1970: time)) == expected)
    }

    @Test func acceptsOneStepOfDriftAndEachCodeOnce() {
        let totp = TOTP(secret: TOTP.generateSecret())
        let now = Date(timeIntervalSince1970: 1_800_000_015)
        let step = totp.step(at: now)
        #expect(totp.matchingStep(for: totp.code(atStep: step), at: now, after: nil) == step)
        #expect(totp.matchingStep(for: totp.code(atStep: step - 1), at: now, after: nil) == step - 1)
        #expect(totp.matchingStep(for: totp.code(atStep: step + 1), at: now, after: nil) == step + 1)
        #expect(totp.matchingStep(for: totp.code(atStep: step - 2), at: now, after: nil) == nil)
        #expect(totp.matchingStep(for: totp.code(atStep: step), at: now, after: step) == nil, "replayed")
        #expect(totp.matchingStep(for: "12345", at: now, after: nil) == nil)
        #expect(totp.matchingStep(for: "abcdef", at: now, after: nil) == nil)
    }

    @Test func base32RoundTrips() {
        #expect(Base32.encode(Data("foobar".utf8)) == "MZXW6YTBOI")
        #expect(Base32.decode("MZXW6YTBOI") == Data("foobar".utf8))
        for length in 0..<40 {
            let data = Data((0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })
            #expect(Base32.decode(Base32.encode(data)) == data)
        }
        #expect(Base32.decode("not base32!") == nil)
    }

    /// pyotp, an independent implementation, agrees on codes and reads our provisioning link.
    @Test func agreesWithPyotp() throws {
        let totp = TOTP(secret: TOTP.generateSecret())
        let uri = totp.provisioningURI(account: "camille@pasdecalais.fr", issuer: "RDV Solidarités Pas-de-Calais")
        let time = 1_900_000_000
        let script = """
            import sys, pyotp
            totp = pyotp.parse_uri(sys.argv[1])
            print(totp.at(int(sys.argv[2])), totp.name, totp.issuer, sep="|")
            """
        let (status, output) = try Subprocess.run(["/usr/bin/env", "python3", "-c", script, uri, String(time)])
        #expect(status == 0, "\(output)")
        let words = output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|").map(String.init)
        #expect(words.first == totp.code(at: Date(timeIntervalSince1970: Double(time))))
        #expect(words.dropFirst().first == "camille@pasdecalais.fr")
        #expect(words.last == "RDV Solidarités Pas-de-Calais")
    }
}
