import ArgumentParser
import Foundation
import Agenda
import Booking
import Identity
import Logging
import Scheduling
import Tenancy

/// Demo content of the demo départements; seeding it twice changes nothing.
enum DemoData {
    static let organisations: [String: [String]] = [
        "62": ["Maison du Département Solidarité de l’Arrageois", "PMI de Lens", "Maison du Département Solidarité du Boulonnais"],
        "26": ["Centre médico-social de Valence", "Centre médico-social de Montélimar", "PMI de Romans-sur-Isère"],
        "77": ["Maison départementale des solidarités de Melun", "MDS de Meaux", "PMI de Chelles"],
        "974": ["Territoire d’action sociale Nord – Saint-Denis", "PMI de Saint-Pierre", "Territoire d’action sociale Ouest – Le Port"],
    ]

    /// Password of every demo account; printed by `serve --demo`, never used outside the demo.
    static let password = "Demonstration-RDV-2026"

    /// One demo agent per role, `<email>@<slug>.demo`, in the first organisation.
    static let agents: [(email: String, firstName: String, lastName: String, role: AgentRole)] = [
        ("departement", "Dominique", "Départ", .deptAdmin),
        ("admin", "Alix", "Admin", .admin),
        ("secretariat", "Sacha", "Secrétaire", .secretariat),
        ("agent", "Camille", "Agent", .agent),
    ]

    /// The consortium's demo accounts: an operator (console.) and a steering member (stats.).
    static let consortium: [(email: String, firstName: String, lastName: String, role: ConsortiumRole)] = [
        ("operateur@consortium.demo", "Oriane", "Opératrice", .operator_),
        ("pilotage@consortium.demo", "Paul", "Pilote", .steering),
    ]

    /// A service, a lieu, two motifs and weekday mornings for the demo agent, once.
    static func seedAgenda(organisation: Organisation, tenant: Tenant, on connection: TenantConnection) async throws {
        let catalog = AgendaCatalog(connection)
        let pmi = try await catalog.ensureService(named: "PMI")
        let social = try await catalog.ensureService(named: "Service social")
        let lieu = try await catalog.ensureLieu(organisationID: organisation.id, name: organisation.name, address: "Adresse de démonstration")
        let consultation = try await catalog.ensureMotif(
            organisationID: organisation.id, serviceID: pmi, name: "Consultation de PMI", durationMinutes: 30, onlineBooking: true
        )
        let firstMeeting = try await catalog.ensureMotif(
            organisationID: organisation.id, serviceID: social, name: "Premier rendez-vous avec une assistante sociale",
            durationMinutes: 45, onlineBooking: true
        )
        // What the booking pages show: instructions, and a motif for the organisation's own sectors only.
        let motifs = MotifRepository(connection)
        if var rules = try await motifs.find(consultation)?.rules, rules.instructionsAfter.isEmpty {
            rules.instructionsAfter = "Apportez le carnet de santé de l’enfant."
            rules.minimumDelayMinutes = 60
            try await motifs.update(consultation, rules)
            _ = try await MotifSectorisation(connection).setLevel(.organisation, ofMotif: firstMeeting)
        }
        guard let agent = try await AgentRepository(connection).find(email: "agent@\(tenant.slug).demo") else { return }
        for service in [pmi, social] { try await catalog.addAgent(agent.id, toService: service) }
        if let secretariat = try await AgentRepository(connection).find(email: "secretariat@\(tenant.slug).demo") {
            try await catalog.addAgent(secretariat.id, toService: pmi)
        }
        let plages = PlageRepository(connection)
        guard try await plages.of(agentID: agent.id).isEmpty, let clock = WallClock(timeZone: tenant.timeZone) else { return }
        let today = clock.localDate(of: Date())
        let monday = today.adding(days: 1 - today.weekday.rawValue)
        for (start, end) in [("09:00", "12:00"), ("14:00", "17:00")] {
            try await plages.create(
                agentID: agent.id, lieuID: lieu,
                span: RecurringSpan(
                    firstDay: monday, start: LocalTime(start)!, end: LocalTime(end)!,
                    recurrence: .weekly(interval: 1, on: [.monday, .tuesday, .wednesday, .thursday, .friday], until: nil)
                ),
                motifIDs: [consultation, firstMeeting]
            )
        }
    }

    /// Seeds every registered département that has demo content.
    static func seed(_ administration: Administration, logger: Logger) async throws -> [Tenant] {
        let database = administration.database
        let tenants = try await database.registeredTenants()
        let hash = try await PasswordHasher().hash(password)
        var seeded: [Tenant] = []
        for tenant in tenants {
            guard let names = organisations[tenant.code.value] else { continue }
            try await database.tenant(tenant).transaction { connection in
                let repository = OrganisationRepository(connection)
                var seededOrganisations: [Organisation] = []
                for name in names { seededOrganisations.append(try await repository.ensure(named: name)) }
                let first = seededOrganisations.first
                let accounts = AgentRepository(connection)
                for agent in agents {
                    _ = try await accounts.create(
                        email: "\(agent.email)@\(tenant.slug).demo", firstName: agent.firstName, lastName: agent.lastName,
                        role: agent.role, organisationID: agent.role == .deptAdmin ? nil : first?.id, passwordHash: hash
                    )
                }
                if let first { try await seedAgenda(organisation: first, tenant: tenant, on: connection) }
                try await DemoSectors.seed(tenant: tenant, organisations: seededOrganisations, on: connection)
            }
            seeded.append(tenant)
        }
        try await administration.owner.administration.transaction { connection in
            let accounts = ConsortiumAccountRepository(connection)
            for member in consortium {
                try await accounts.upsert(email: member.email, firstName: member.firstName, lastName: member.lastName, role: member.role, passwordHash: hash)
            }
        }
        logger.info("demo data seeded", metadata: ["departements": .stringConvertible(seeded.count)])
        return seeded
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Applique Tenants/ et remplit les départements de démonstration (idempotent)."
    )
    @OptionGroup var options: PlatformOptions
    @Option(help: "Dossier des fichiers de départements.") var tenants = "Tenants"

    func run() async throws {
        let platform = try await Platform.open(options, label: "rdv.demo", needsOwner: true)
        defer { platform.close() }
        guard platform.configuration.isDevelopment else {
            throw ValidationError("La démonstration (comptes au mot de passe connu) n’existe qu’en développement : RDV_ENV=development.")
        }
        let tenants = self.tenants
        let seeded = try await platform.administer { administration in
            try await prepareDemo(administration, tenantsDirectory: tenants, logger: platform.logger)
        }
        print("Démonstration prête : \(seeded.map(\.name).joined(separator: ", ")).")
    }
}

/// Migrations, `Tenants/`, demo content: what `serve --demo` and `demo` do before anything else.
func prepareDemo(_ administration: Administration, tenantsDirectory: String, logger: Logger) async throws -> [Tenant] {
    let definitions: [TenantDefinition]
    do {
        definitions = try TenantFile.loadDirectory(URL(fileURLWithPath: tenantsDirectory)).map(\.definition)
    } catch let error as TenantFileError {
        throw ValidationError("Fichier de département invalide : \(error.description)")
    }
    let runner = administration.runner
    let outcomes = try await runner.withLock {
        var outcomes = try await runner.migrateEverythingHoldingLock()
        outcomes += try await administration.provisioner.applyHoldingLock(definitions).outcomes
        return outcomes
    }
    try report(outcomes)
    return try await DemoData.seed(administration, logger: logger)
}
