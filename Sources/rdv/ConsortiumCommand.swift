import ArgumentParser
import Foundation
import Identity
import Logging
import Tenancy

struct Consortium: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consortium",
        abstract: "Gère les comptes du consortium (opérateurs, comité de pilotage).",
        subcommands: [Create.self, List.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Crée un compte d’opérateur ou de membre du comité de pilotage (ou lui donne un nouveau mot de passe).",
            discussion: "Sans --password-stdin, un mot de passe aléatoire est affiché une seule fois."
        )
        @OptionGroup var options: PlatformOptions
        @Option(help: "Adresse électronique.") var email: String
        @Option(help: "Prénom.") var firstName: String
        @Option(help: "Nom.") var lastName: String
        @Option(help: "operator (console.) ou steering (stats.).") var role: String
        @Flag(help: "Lit le mot de passe sur l’entrée standard.") var passwordStdin = false

        func run() async throws {
            guard let role = ConsortiumRole(rawValue: role) else {
                throw ValidationError("Rôle inconnu « \(role) » : operator ou steering.")
            }
            guard TenantFile.isPlausibleEmail(email) else { throw ValidationError("Adresse électronique invalide.") }
            let generated = !passwordStdin
            let password = passwordStdin
                ? (readLine(strippingNewline: true) ?? "")
                : SecretToken.generate().value.prefix(20).map(String.init).joined()
            let problems = PasswordPolicy.standard.problems(with: password, email: email, names: [firstName, lastName])
            guard problems.isEmpty else { throw ValidationError(problems.joined(separator: " ")) }
            let hash = try await PasswordHasher().hash(password)
            let platform = try await Platform.open(options, label: "rdv.consortium", needsOwner: true)
            defer { platform.close() }
            let (email, firstName, lastName) = (self.email, self.firstName, self.lastName)
            try await platform.administer { administration in
                _ = try await administration.runner.withLock { try await administration.runner.migrateShared() }
                try await administration.owner.administration.transaction { connection in
                    try await ConsortiumAccountRepository(connection).upsert(
                        email: email, firstName: firstName, lastName: lastName, role: role, passwordHash: hash
                    )
                }
            }
            print("Compte \(role.frenchName) prêt pour \(email).")
            if generated { print("Mot de passe (affiché une seule fois) : \(password)") }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Liste les comptes du consortium.")
        @OptionGroup var options: PlatformOptions

        func run() async throws {
            let platform = try await Platform.open(options, label: "rdv.consortium", needsOwner: true)
            defer { platform.close() }
            let accounts = try await platform.administer { administration in
                _ = try await administration.runner.withLock { try await administration.runner.migrateShared() }
                return try await administration.database.shared.transaction { connection in
                    try await ConsortiumAccountRepository(connection).all()
                }
            }
            for account in accounts {
                print("\(account.role.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(account.email)  \(account.fullName)\(account.secondFactorEnabled ? "  (2FA)" : "")")
            }
        }
    }
}
