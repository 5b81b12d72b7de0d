import Foundation
import Tenancy

extension SecondFactor {
    /// How a département's archive opens the TOTP secrets this platform sealed, and seals
    /// those of an imported archive again with this platform's key.
    public var archiveSeals: [String: PlatformSeal] {
        let seal = PlatformSeal(open: { try open($0) }, seal: { try self.seal($0) })
        return ["agents.totp_secret": seal, "usager_accounts.totp_secret": seal]
    }
}
