import Foundation
import Testing
import Tenancy

/// The configuration fails closed: development is asked for by name, production refuses to
/// start without what it needs.
@Suite struct PlatformConfigurationTests {
    static let key = Data(repeating: 7, count: 32).base64EncodedString()
    static let production = [
        "RDV_ENV": "production", "DATABASE_URL": "postgres://rdv_app:secret@db.interne:5432/rdv?sslmode=require",
        "RDV_SECRET_KEY": key,
    ]

    func refusal(_ variables: [String: String]) -> String? {
        do {
            _ = try PlatformConfiguration.load(from: variables)
            return nil
        } catch {
            return error.description
        }
    }

    @Test(arguments: ["prod", "Production", "PRODUCTION", "Development", "dev", "staging", " production"])
    func anUnknownEnvironmentIsRefusedNamingTheAcceptedValues(_ value: String) {
        let message = refusal(["RDV_ENV": value])
        #expect(message?.contains("RDV_ENV") == true)
        #expect(message?.contains("development ou production") == true)
        #expect(message?.contains(value) == true)
    }

    @Test func anEmptyOrMissingEnvironmentIsRefused() {
        for variables in [[:], ["RDV_ENV": ""]] as [[String: String]] {
            let message = refusal(variables)
            #expect(message?.contains("RDV_ENV n’est pas défini") == true)
            #expect(message?.contains("development ou production") == true)
        }
    }

    @Test func developmentIsWhatOneAsksFor() throws {
        let configuration = try PlatformConfiguration.load(from: ["RDV_ENV": "development"])
        #expect(configuration.isDevelopment)
        #expect(configuration.databaseURL == nil)
        #expect(configuration.secretKey == nil)
        #expect(configuration.keepsSlotMaterial)
        #expect(configuration.embeddedDatabaseName == "rdv")
    }

    @Test func productionNeedsItsDatabaseAndItsKey() throws {
        var missingDatabase = Self.production
        missingDatabase["DATABASE_URL"] = nil
        #expect(refusal(missingDatabase)?.contains("DATABASE_URL est obligatoire") == true)
        var missingKey = Self.production
        missingKey["RDV_SECRET_KEY"] = nil
        #expect(refusal(missingKey)?.contains("RDV_SECRET_KEY est obligatoire") == true)
        var plainHTTP = Self.production
        plainHTTP["RDV_PUBLIC_SCHEME"] = "http"
        #expect(refusal(plainHTTP)?.contains("https") == true)
        let configuration = try PlatformConfiguration.load(from: Self.production)
        #expect(configuration.environment == .production)
        #expect(configuration.secretKey?.count == 32)
    }

    @Test func productionNeverFallsBackToTheApplicationRoleAsOwner() throws {
        let production = try PlatformConfiguration.load(from: Self.production)
        #expect(throws: ConfigurationError.self) { try production.requireOwnerURL() }
        var withOwner = Self.production
        withOwner["DATABASE_OWNER_URL"] = "postgres://rdv_owner:secret@db.interne:5432/rdv"
        #expect(try PlatformConfiguration.load(from: withOwner).requireOwnerURL() == withOwner["DATABASE_OWNER_URL"])
        var development = Self.production
        development["RDV_ENV"] = "development"
        #expect(try PlatformConfiguration.load(from: development).requireOwnerURL() == Self.production["DATABASE_URL"])
    }

    @Test func badValuesAreRefusedRatherThanIgnored() {
        let cases: [(String, String, String)] = [
            ("RDV_SECRET_KEY", "trop-court", "32 octets"),
            ("LOG_LEVEL", "verbose", "LOG_LEVEL"),
            ("RDV_SLOT_CACHE", "non", "on, off"),
            ("RDV_PUBLIC_SCHEME", "ftp", "http, https"),
            ("RDV_PUBLIC_PORT", "quatre-vingts", "numéro de port"),
            ("DATABASE_URL", "mysql://x@y/z", "DATABASE_URL"),
            ("DATABASE_OWNER_URL", "postgres://owner@host", "DATABASE_OWNER_URL"),
            ("RDV_SMTP_URL", "smtp://mail.interne:587", "RDV_MAIL_FROM"),
        ]
        for (name, value, expected) in cases {
            let message = refusal(["RDV_ENV": "development", name: value])
            #expect(message?.contains(expected) == true, "\(name)=\(value): \(message ?? "accepted")")
        }
    }
}
