import Foundation
import Identity
import Testing

@Suite struct SignedLinkTests {
    let secret = Data((0..<32).map { UInt8($0) })

    @Test func aLinkOpensItsAppointmentUntilItExpires() {
        let links = SignedLink(secret: secret, scope: "dept_62")
        let claims = SignedLink.Claims(rdvID: UUID(), expiresAt: Date(timeIntervalSince1970: 2_000_000_000))
        let token = links.token(for: claims)
        #expect(links.claims(of: token, now: Date(timeIntervalSince1970: 1_900_000_000)) == claims)
        #expect(links.claims(of: token, now: Date(timeIntervalSince1970: 2_000_000_040)) == nil, "expired (to the minute, never earlier)")
        #expect(links.claims(of: token, now: Date(timeIntervalSince1970: 2_000_000_001)) != nil)
        #expect(token.count == 42, "short enough for an SMS")
        #expect(!token.contains("+") && !token.contains("/") && !token.contains("="), "safe in a URL")
    }

    @Test func forgedTamperedOrForeignLinksOpenNothing() {
        let links = SignedLink(secret: secret, scope: "dept_62")
        let claims = SignedLink.Claims(rdvID: UUID(), expiresAt: Date().addingTimeInterval(3600))
        let token = links.token(for: claims)
        #expect(SignedLink(secret: secret, scope: "dept_26").claims(of: token) == nil, "another département's key")
        #expect(SignedLink(secret: Data(repeating: 7, count: 32), scope: "dept_62").claims(of: token) == nil, "another platform's key")
        // Every single-character change is refused.
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        for index in token.indices {
            var changed = token
            let replacement = alphabet.first { $0 != token[index] }!
            changed.replaceSubrange(index...index, with: String(replacement))
            #expect(links.claims(of: changed) == nil || links.claims(of: changed) == claims, "only the last padding bits may be free")
        }
        #expect(links.claims(of: "") == nil && links.claims(of: "abc") == nil && links.claims(of: String(repeating: "A", count: 500)) == nil)
    }
}
