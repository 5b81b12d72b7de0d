import Foundation
import Identity
import PostgresNIO
import Tenancy

/// A request to open a département, as the console records it and the owner side carries it out.
public struct ProvisioningRequest: Sendable, Identifiable {
    public enum State: String, Sendable {
        case pending, running, failed, done
    }

    /// The steps of an opening, in order; a request remembers the last one it completed.
    public enum Step: String, Sendable, CaseIterable, Comparable {
        case registered, migrated, organisation, invited

        public var frenchName: String {
            switch self {
            case .registered: "inscription au registre"
            case .migrated: "création et migration du schéma"
            case .organisation: "création de la première organisation"
            case .invited: "invitation du premier administrateur"
            }
        }

        public static func < (a: Step, b: Step) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    public struct Administrator: Sendable {
        public let email: String
        public let firstName: String
        public let lastName: String
    }

    public let id: UUID
    public let definition: TenantDefinition
    public let organisationName: String
    /// Erased once the invitation is queued: from then on it lives in the département's schema.
    public let administrator: Administrator?
    public let requestedBy: UUID?
    public let requestedAt: Date
    public let state: State
    public let step: Step?
    /// Why the last attempt stopped, in French, for the operator.
    public let error: String?
    public let attempts: Int
    public let tenantID: Int?
    public let completedAt: Date?

    /// The step an attempt would carry out next.
    public var nextStep: Step? {
        guard let step else { return .registered }
        return Step.allCases.first { $0 > step }
    }
}

/// What an operator types in the onboarding form.
public struct OnboardingForm: Sendable {
    public var name: String
    public var code: String
    public var slug: String
    public var customDomains: String
    public var timeZone: String
    public var contactEmail: String
    public var organisationName: String
    public var adminEmail: String
    public var adminFirstName: String
    public var adminLastName: String

    public init(fields: [String: String]) {
        func field(_ key: String) -> String { (fields[key] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        name = field("name")
        code = field("code").uppercased()
        slug = field("slug").lowercased()
        customDomains = field("custom_domains").lowercased()
        timeZone = field("time_zone")
        contactEmail = field("contact_email").lowercased()
        organisationName = field("organisation_name")
        adminEmail = field("admin_email").lowercased()
        adminFirstName = field("admin_first_name")
        adminLastName = field("admin_last_name")
    }
}

/// A field of the onboarding form and what is wrong with it, in French.
public struct FieldProblem: Sendable, Equatable {
    public let field: String
    public let message: String
}

public enum OnboardingError: DomainError, Equatable {
    case invalid([FieldProblem])
    case requestNotFound
    case notRetryable

    public var refusal: Refusal {
        switch self {
        case .invalid: .invalid
        case .requestNotFound: .notFound
        case .notRetryable: .conflict
        }
    }

    public var title: String {
        switch self {
        case .invalid: "Formulaire incomplet"
        case .requestNotFound: "Demande introuvable"
        case .notRetryable: "Rien à terminer"
        }
    }

    public var french: String {
        switch self {
        case .invalid(let problems): problems.map(\.message).joined(separator: " ")
        case .requestNotFound: "Cette demande d’ouverture n’existe pas."
        case .notRetryable: "Cette demande n’est pas en échec : elle est en cours, ou déjà terminée."
        }
    }
}

/// The console's side of opening a département: it checks the form, records the request and
/// lets an operator finish one that stopped. It runs as the application role, which may only
/// add requests and put a failed one back in the queue (Migrations/shared/0004_console.sql).
public struct Onboarding: Sendable {
    let connection: SharedConnection

    public init(_ connection: SharedConnection) {
        self.connection = connection
    }

    /// Records the request; throws `OnboardingError.invalid` with every problem of the form.
    public func request(_ form: OnboardingForm, by actor: UUID, ip: String?) async throws -> UUID {
        let (definition, problems) = try await check(form)
        guard let definition, problems.isEmpty else { throw OnboardingError.invalid(problems) }
        let rows: [PostgresRow]
        do {
            rows = try await connection.query(
                """
                INSERT INTO shared.provisioning_requests (slug, name, insee_code, time_zone, contact_email, custom_domains,
                    organisation_name, admin_email, admin_first_name, admin_last_name, requested_by)
                VALUES (\(definition.slug), \(definition.name), \(definition.code.value), \(definition.timeZone), \(definition.contactEmail),
                    \(definition.customDomains), \(form.organisationName), \(form.adminEmail), \(form.adminFirstName), \(form.adminLastName), \(actor))
                RETURNING id
                """
            ).collect()
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            // Another operator asked for the same département a moment ago.
            throw OnboardingError.invalid([FieldProblem(field: "code", message: "Une demande d’ouverture de ce département (ou de ce sous-domaine) est déjà en cours.")])
        }
        let id = try rows[0].decode(UUID.self)
        try await connection.query(
            """
            INSERT INTO shared.consortium_audit_events (action, actor_account_id, ip, details)
            VALUES (\(AuditLog.Event.provisioningRequested.rawValue), \(actor), \(ip)::inet,
                    jsonb_build_object('request', \(id)::text, 'code', \(definition.code.value)::text))
            """
        )
        return id
    }

    /// Puts a failed request back in the queue.
    public func retry(_ id: UUID, by actor: UUID, ip: String?) async throws {
        guard try await find(id) != nil else { throw OnboardingError.requestNotFound }
        let rows = try await connection.query("SELECT shared.retry_provisioning(\(id), \(actor), \(ip)::inet)").collect()
        guard try rows.first?.decode(Bool.self) == true else { throw OnboardingError.notRetryable }
    }

    public func find(_ id: UUID) async throws -> ProvisioningRequest? {
        try await ProvisioningRequests.load(connection, id: id).first
    }

    /// Requests not done yet, and the latest done ones, newest first.
    public func recent(limit: Int = 50) async throws -> [ProvisioningRequest] {
        try await ProvisioningRequests.load(connection, limit: limit)
    }

    /// The form as a definition, and every problem with it (the registry and the live requests
    /// are read to refuse a code, slug or domain already taken).
    func check(_ form: OnboardingForm) async throws -> (TenantDefinition?, [FieldProblem]) {
        var problems: [FieldProblem] = []
        func problem(_ field: String, _ message: String) { problems.append(FieldProblem(field: field, message: message)) }
        let code = DepartementCode(form.code)
        if code == nil { problem("code", "Le code INSEE du département est 01 à 95, 2A, 2B ou 971 à 976.") }
        let domains = form.customDomains.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" }).map(String.init)
        let timeZone = form.timeZone.isEmpty ? (code?.defaultTimeZone ?? "Europe/Paris") : form.timeZone
        let definition = code.map {
            TenantDefinition(
                slug: form.slug, name: form.name, code: $0, timeZone: timeZone,
                contactEmail: form.contactEmail.isEmpty ? nil : form.contactEmail, customDomains: domains
            )
        }
        if let definition, let (field, message) = TenantFile.validate(definition) {
            let label = ["slug": "Le sous-domaine", "name": "Le nom", "time_zone": "Le fuseau horaire",
                         "contact_email": "L’adresse de contact", "custom_domains": "Un domaine personnalisé"][field] ?? field
            problem(field, "\(label) : \(message).")
        }
        if !(1...200).contains(form.organisationName.storedLength) {
            problem("organisation_name", "Le nom de la première organisation est obligatoire (200 caractères au plus).")
        }
        if !TenantFile.isPlausibleEmail(form.adminEmail) {
            problem("admin_email", "L’adresse électronique du premier administrateur n’est pas valide.")
        }
        if !(1...100).contains(form.adminFirstName.storedLength) { problem("admin_first_name", "Le prénom du premier administrateur est obligatoire (100 caractères au plus).") }
        if !(1...100).contains(form.adminLastName.storedLength) { problem("admin_last_name", "Le nom du premier administrateur est obligatoire (100 caractères au plus).") }

        let registered = try await TenantRegistry.load(from: connection)
        if let code, let taken = registered.first(where: { $0.code == code }) {
            problem("code", "Le département \(code.value) est déjà inscrit (« \(taken.name) »).")
        }
        if let taken = registered.first(where: { $0.slug == form.slug }) {
            problem("slug", "Le sous-domaine « \(form.slug) » est déjà celui de « \(taken.name) ».")
        }
        for domain in domains {
            if let taken = registered.first(where: { $0.customDomains.contains(domain) }) {
                problem("custom_domains", "Le domaine « \(domain) » est déjà celui de « \(taken.name) ».")
            }
        }
        let live = try await connection.query(
            "SELECT count(*) FROM shared.provisioning_requests WHERE state <> 'done' AND (insee_code = \(form.code) OR slug = \(form.slug))"
        ).collect()
        if try live[0].decode(Int.self) > 0 {
            problem("code", "Une demande d’ouverture de ce département (ou de ce sous-domaine) est déjà en cours.")
        }
        return (definition, problems)
    }
}

/// Reading requests, for the console and for the owner side.
enum ProvisioningRequests {
    static let columns = """
        id, slug, name, insee_code, time_zone, contact_email, custom_domains, organisation_name,
        admin_email, admin_first_name, admin_last_name, requested_by, requested_at, state, step, error,
        attempts, tenant_id, completed_at
        """

    /// One request, or the latest ones (newest first).
    static func load(_ session: any SQLSession, id: UUID? = nil, state: ProvisioningRequest.State? = nil, limit: Int = 50) async throws -> [ProvisioningRequest] {
        let rows = try await session.query(
            """
            SELECT \(unescaped: columns) FROM shared.provisioning_requests
            WHERE (\(id)::uuid IS NULL OR id = \(id)) AND (\(state?.rawValue)::text IS NULL OR state = \(state?.rawValue))
            ORDER BY requested_at DESC LIMIT \(limit)
            """
        )
        var requests: [ProvisioningRequest] = []
        for try await row in rows {
            requests.append(try decode(row))
        }
        return requests
    }

    static func decode(_ row: PostgresRow) throws -> ProvisioningRequest {
        let c = row.makeRandomAccess()
        guard let code = DepartementCode(try c[3].decode(String.self)),
              let state = ProvisioningRequest.State(rawValue: try c[13].decode(String.self))
        else { throw MissingReturnedRow("provisioning_requests") }
        let email = try c[8].decode(String?.self)
        return ProvisioningRequest(
            id: try c[0].decode(UUID.self),
            definition: TenantDefinition(
                slug: try c[1].decode(String.self), name: try c[2].decode(String.self), code: code,
                timeZone: try c[4].decode(String.self), contactEmail: try c[5].decode(String?.self),
                customDomains: try c[6].decode([String].self)
            ),
            organisationName: try c[7].decode(String.self),
            administrator: try email.map {
                ProvisioningRequest.Administrator(email: $0, firstName: try c[9].decode(String.self), lastName: try c[10].decode(String.self))
            },
            requestedBy: try c[11].decode(UUID?.self), requestedAt: try c[12].decode(Date.self), state: state,
            step: try c[14].decode(String?.self).flatMap(ProvisioningRequest.Step.init), error: try c[15].decode(String?.self),
            attempts: try c[16].decode(Int.self), tenantID: try c[17].decode(Int?.self), completedAt: try c[18].decode(Date?.self)
        )
    }
}
