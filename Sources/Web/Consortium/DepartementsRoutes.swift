import Agenda
import Consortium
import Foundation
import Hummingbird
import Identity
import Tenancy

/// The operator console's départements: the list, one département's page and its actions, and
/// the onboarding form with the progress of its request. Operators only: on `stats.` these
/// paths do not exist.
struct DepartementsRoutes: Sendable {
    let configuration: AppConfiguration
    let pages: TenantPages
    let forms: Forms

    func register(members group: RouterGroup<ConsortiumMemberContext>) {
        group.get("/departements") { request, context in
            try requireOperator(context)
            return try await list(request, context)
        }
        group.get("/departements/nouveau") { request, context in
            try requireOperator(context)
            return onboardingForm(request, context, form: [:], problems: FieldErrors())
        }
        group.post("/departements/nouveau") { request, context in
            try requireOperator(context)
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            let account = context.account.id
            let ip = context.remoteAddress
            do {
                let id = try await context.database.transaction { connection in
                    try await Onboarding(connection).request(OnboardingForm(fields: fields), by: account, ip: ip)
                }
                return redirect(to: "/departements/demandes/\(id.uuidString.lowercased())")
            } catch OnboardingError.invalid(let found) {
                var problems = FieldErrors()
                for problem in found { problems.add(problem.field, problem.message) }
                return onboardingForm(request, context, form: fields, problems: problems, status: .unprocessableContent)
            }
        }
        group.get("/departements/demandes/:id") { request, context in
            try requireOperator(context)
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)),
                  let found = try await context.database.transaction({ try await Onboarding($0).find(id) })
            else { throw PublicError.pageNotFound }
            return render("consortium_request", RequestPage(found, configuration: configuration).templateValues, request, context)
        }
        group.post("/departements/demandes/:id/terminer") { request, context in
            try requireOperator(context)
            _ = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw PublicError.pageNotFound }
            let account = context.account.id
            let ip = context.remoteAddress
            try await context.database.transaction { try await Onboarding($0).retry(id, by: account, ip: ip) }
            return redirect(to: "/departements/demandes/\(id.uuidString.lowercased())")
        }
        group.get("/departements/:code") { request, context in
            try requireOperator(context)
            return try await departement(request, context)
        }
        group.post("/departements/:code/statut") { request, context in
            try requireOperator(context)
            let fields = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            guard let code = context.parameters.get("code").flatMap(DepartementCode.init) else { throw PublicError.pageNotFound }
            guard let wanted = Tenant.Status(rawValue: fields["status"] ?? ""), wanted != .provisioning else {
                throw PublicError(.unprocessableContent, title: "Changement impossible", detail: "Choisissez : ouvert, suspendu ou sur le départ.")
            }
            let account = context.account.id
            let ip = context.remoteAddress
            try await context.database.transaction { connection in
                try await Departements(connection).setStatus(wanted, of: code, by: account, ip: ip)
            }
            return redirect(to: "/departements/\(code.value)")
        }
        group.post("/departements/:code/archives") { request, context in
            try requireOperator(context)
            _ = try await forms.verifiedFields(of: request, sessionToken: context.sessionToken)
            guard configuration.exportDirectory != nil else {
                throw PublicError(.conflict, title: "Archives non configurées", detail: "Cette plateforme n’a pas de dossier d’archives (RDV_EXPORT_DIR) : utilisez « rdv tenants export ».")
            }
            let tenant = try await departement(of: context)
            let account = context.account.id
            let ip = context.remoteAddress
            try await context.database.transaction { connection in
                _ = try await DepartementExports(connection).request(tenantID: tenant.id, by: account, ip: ip)
            }
            return redirect(to: "/departements/\(tenant.code.value)#archives")
        }
        group.get("/departements/:code/archives/:id") { request, context in
            try requireOperator(context)
            guard let directory = configuration.exportDirectory,
                  let id = context.parameters.get("id").flatMap(UUID.init(uuidString:))
            else { throw PublicError.pageNotFound }
            let tenant = try await departement(of: context)
            let account = context.account.id
            let ip = context.remoteAddress
            let archive = try await context.database.transaction { connection in
                try await DepartementExports(connection).download(id, tenantID: tenant.id, by: account, ip: ip)
            }
            guard let name = archive.fileName else { throw PublicError.pageNotFound }
            let body = try await FileIO().loadFile(path: directory + "/" + name, context: context)
            return Response(
                status: .ok,
                headers: [
                    .contentType: "application/x-tar",
                    .contentDisposition: "attachment; filename=\"\(name)\"",
                    .cacheControl: "no-store",
                ],
                body: body
            )
        }
    }

    private func departement(of context: ConsortiumMemberContext) async throws -> Tenant {
        guard let code = context.parameters.get("code").flatMap(DepartementCode.init),
              let tenant = try await context.database.transaction({ try await Departements($0).registered(code: code) })
        else { throw PublicError.pageNotFound }
        return tenant
    }

    private func requireOperator(_ context: ConsortiumMemberContext) throws {
        // The steering committee reads statistics; these pages are not part of its site.
        guard context.account.role == .operator_ else { throw PublicError.pageNotFound }
    }

    private func list(_ request: Request, _ context: ConsortiumMemberContext) async throws -> Response {
        let (departements, requests, activity) = try await context.database.transaction { connection in
            (
                try await Departements(connection).overview(), try await Onboarding(connection).recent(limit: 20),
                try await StatisticsRepository(connection).departementActivity()
            )
        }
        let page = DepartementsPage(departements: departements, requests: requests, activity: activity, configuration: configuration)
        return render("consortium_departements", page.templateValues, request, context)
    }

    private func departement(_ request: Request, _ context: ConsortiumMemberContext) async throws -> Response {
        guard let code = context.parameters.get("code").flatMap(DepartementCode.init) else { throw PublicError.pageNotFound }
        let realm = context.realm
        let found = try await context.database.transaction { connection -> (DepartementOverview, [AuditLog.Entry], [ProvisioningRequest], [ExportRequest], DepartementActivity?)? in
            guard let overview = try await Departements(connection).find(code: code) else { return nil }
            let activity = try await StatisticsRepository(connection).departementActivity()[overview.tenant.id]
            let history = try await AuditLog(connection, realm: realm).recent(limit: 100, tenantID: overview.tenant.id)
            let requests = try await Onboarding(connection).recent(limit: 100).filter { $0.definition.code == code }
            let exports = try await DepartementExports(connection).all(tenantID: overview.tenant.id)
            return (overview, history, requests, exports, activity)
        }
        guard let (overview, history, requests, exports, activity) = found else { throw PublicError.pageNotFound }
        let page = DepartementPage(overview, history: history, requests: requests, exports: exports, activity: activity, configuration: configuration)
        return render("consortium_departement", page.templateValues, request, context)
    }

    private func onboardingForm(
        _ request: Request, _ context: ConsortiumMemberContext, form: [String: String], problems: FieldErrors,
        status: HTTPResponse.Status = .ok
    ) -> Response {
        var values = problems.values
        values["pageTitle"] = "Ouvrir un département – \(context.spaceName)"
        values["form"] = form
        values["baseDomain"] = configuration.baseDomain
        return render("consortium_onboarding", values, request, context, status: status)
    }

    private func render(
        _ template: String, _ values: [String: Any], _ request: Request, _ context: ConsortiumMemberContext,
        status: HTTPResponse.Status = .ok
    ) -> Response {
        pages.render(
            template, values, request: request, siteName: context.spaceName,
            navigation: .init(home: "/", homeLabel: "Accueil", accountName: context.account.fullName, accountLink: nil),
            sessionToken: context.sessionToken, status: status
        )
    }
}

/// `consortium_departements.mustache`: every département, and the openings in progress.
struct DepartementsPage: PageModel {
    struct Row: PageModel {
        let code: String
        let name: String
        let status: String
        let hosts: [String]
        let schema: String
        let lagging: Bool
        let managedInConsole: Bool
        let activity: ActivityLine
    }

    struct Opening: PageModel {
        let id: String
        let code: String
        let name: String
        let state: String
        let toFinish: Bool

        init(_ request: ProvisioningRequest) {
            id = request.id.uuidString.lowercased()
            code = request.definition.code.value
            name = request.definition.name
            state = RequestState(request).label
            toFinish = request.state == .failed
        }
    }

    let pageTitle = "Départements – Console du consortium"
    let departements: [Row]
    let openings: [Opening]

    init(
        departements overviews: [DepartementOverview], requests: [ProvisioningRequest], activity: [Int: DepartementActivity],
        configuration: AppConfiguration
    ) {
        departements = overviews.sorted { $0.tenant.code < $1.tenant.code }.map { overview in
            let pending = SchemaState(overview, known: configuration.tenantMigrationVersions)
            return Row(
                code: overview.tenant.code.value, name: overview.tenant.name, status: overview.tenant.status.frenchName,
                hosts: Hosts(overview.tenant, configuration: configuration).all, schema: pending.text, lagging: pending.lagging,
                managedInConsole: overview.managedInConsoleSince != nil, activity: ActivityLine(activity[overview.tenant.id])
            )
        }
        openings = requests.filter { $0.state != .done }.map(Opening.init)
    }

    var templateValues: [String: Any] {
        var values = reflectedValues
        values["hasOpenings"] = !openings.isEmpty
        return values
    }
}

/// `consortium_departement.mustache`: one département, its history in the consortium journal
/// and what an operator can do with it.
struct DepartementPage: PageModel {
    struct Event: PageModel {
        let at: String
        let event: String
        let who: String
    }

    struct Action: PageModel {
        let status: String
        let label: String
        let explanation: String
    }

    let pageTitle: String
    let code: String
    let name: String
    let status: String
    let hosts: [String]
    let timeZone: String
    let contact: String
    let schema: String
    let migratedAt: String
    let createdAt: String
    let managedInConsole: String
    let actions: [Action]
    let history: [Event]
    let openings: [DepartementsPage.Opening]
    let archives: [Archive]
    let archivesConfigured: Bool
    let activity: ActivityLine

    struct Archive: PageModel {
        let id: String
        let requestedAt: String
        let state: String
        let ready: Bool
        let details: String
        let error: String
    }

    init(
        _ overview: DepartementOverview, history: [AuditLog.Entry], requests: [ProvisioningRequest], exports: [ExportRequest],
        activity: DepartementActivity?, configuration: AppConfiguration
    ) {
        self.activity = ActivityLine(activity)
        let tenant = overview.tenant
        let dates = FrenchDates.Timestamps(timeZone: "Europe/Paris")
        pageTitle = "\(tenant.name) – Console du consortium"
        code = tenant.code.value
        name = tenant.name
        status = tenant.status.frenchName
        hosts = Hosts(tenant, configuration: configuration).all
        timeZone = tenant.timeZone
        contact = overview.contactEmail ?? "—"
        schema = SchemaState(overview, known: configuration.tenantMigrationVersions).text
        migratedAt = overview.migratedAt.map(dates.string(from:)) ?? "—"
        createdAt = dates.string(from: overview.createdAt)
        managedInConsole = overview.managedInConsoleSince.map {
            "Géré dans la console depuis le \(dates.string(from: $0)) : les fichiers Tenants/*.toml ne le modifient plus sans --fichier-prioritaire."
        } ?? "Déclaré par les fichiers Tenants/*.toml."
        actions = Self.actions(from: tenant.status)
        self.history = history.map { entry in
            Event(at: dates.string(from: entry.occurredAt), event: entry.event.frenchLabel, who: entry.actorName ?? "ligne de commande")
        }
        openings = requests.map(DepartementsPage.Opening.init)
        archivesConfigured = configuration.exportDirectory != nil
        archives = exports.map { export in
            let state = switch export.state {
            case .pending: "en attente d’écriture"
            case .running: "en cours d’écriture"
            case .failed: "en échec"
            case .done: "prête"
            case .expired: "effacée (au bout de sept jours)"
            }
            let details = export.state == .done
                ? "\(Euros.grouped(export.totalRows ?? 0)) lignes, \(FileSize.megabytes(export.bytes ?? 0)), disponible jusqu’au \(export.expiresAt.map(dates.string(from:)) ?? "—"). SHA-256 : \(export.sha256 ?? "—")"
                : ""
            return Archive(
                id: export.id.uuidString.lowercased(), requestedAt: dates.string(from: export.requestedAt), state: state,
                ready: export.state == .done, details: details, error: export.error ?? ""
            )
        }
    }

    static func actions(from status: Tenant.Status) -> [Action] {
        let suspend = Action(
            status: "suspended", label: "Suspendre",
            explanation: "Ses adresses répondent « service momentanément indisponible », ses sessions prennent fin, ses courriels et SMS attendent (un rappel dont le rendez-vous est passé ne partira pas)."
        )
        let resume = Action(status: "active", label: "Rouvrir", explanation: "Tout reprend : pages, connexions, envois en attente.")
        let leaving = Action(status: "leaving", label: "Annoncer son départ", explanation: "Le département reste servi ; il apparaît comme sur le départ.")
        return switch status {
        case .provisioning: []
        case .active: [suspend, leaving]
        case .suspended: [resume]
        case .leaving: [resume, suspend]
        }
    }

    var templateValues: [String: Any] {
        var values = reflectedValues
        values["hasArchives"] = !archives.isEmpty
        values["hasActions"] = !actions.isEmpty
        values["hasOpenings"] = !openings.isEmpty
        return values
    }
}

/// `consortium_request.mustache`: where an opening stands.
struct RequestPage: PageModel {
    struct StepLine: PageModel {
        let name: String
        let state: String
    }

    let pageTitle: String
    let id: String
    let code: String
    let name: String
    let state: String
    let error: String
    let steps: [StepLine]
    let attempts: Int
    let toFinish: Bool
    let inProgress: Bool
    let done: Bool
    let host: String

    init(_ request: ProvisioningRequest, configuration: AppConfiguration) {
        pageTitle = "Ouverture de \(request.definition.name) – Console du consortium"
        id = request.id.uuidString.lowercased()
        code = request.definition.code.value
        name = request.definition.name
        state = RequestState(request).label
        error = request.error ?? ""
        attempts = request.attempts
        toFinish = request.state == .failed
        inProgress = request.state == .pending || request.state == .running
        done = request.state == .done
        host = configuration.publicURL(slug: request.definition.slug)
        steps = ProvisioningRequest.Step.allCases.map { step in
            let completed = request.step.map { step <= $0 } ?? false
            let stopped = request.state == .failed && request.nextStep == step
            return StepLine(name: step.frenchName, state: completed ? "fait" : stopped ? "en échec" : "à faire")
        }
    }

    var templateValues: [String: Any] {
        var values = reflectedValues
        values["hasError"] = !error.isEmpty
        return values
    }
}

/// How the console names a request's state.
struct RequestState {
    let label: String

    init(_ request: ProvisioningRequest) {
        label = switch request.state {
        case .pending: "en attente d’exécution"
        case .running: "en cours"
        case .failed: "à terminer"
        case .done: "terminée"
        }
    }
}

/// A département's addresses: its subdomain, then its own domains.
struct Hosts {
    let all: [String]

    init(_ tenant: Tenant, configuration: AppConfiguration) {
        all = ["\(tenant.slug).\(configuration.baseDomain)"] + tenant.customDomains
    }
}

/// Which migration a schema is at, and how many this build would still apply.
struct SchemaState {
    let text: String
    let lagging: Bool

    init(_ overview: DepartementOverview, known: [Int]) {
        let pending = known.filter { $0 > overview.schemaVersion }.count
        lagging = pending > 0
        let version = String(format: "%04d", overview.schemaVersion)
        text = switch pending {
        case 0: "\(version), à jour"
        case 1: "\(version), 1 migration en attente"
        default: "\(version), \(pending) migrations en attente"
        }
    }
}

/// A département's size and activity this month, as of the last statistics refresh.
struct ActivityLine: PageModel {
    let agents: String
    let usagers: String
    let rdvsThisMonth: String
    let smsSegmentsThisMonth: String
    let lastActivity: String
    let refreshedAt: String

    init(_ activity: DepartementActivity?) {
        let dates = FrenchDates.Timestamps(timeZone: "Europe/Paris")
        agents = activity.map { Euros.grouped($0.agents) } ?? "—"
        usagers = activity.map { Euros.grouped($0.usagers) } ?? "—"
        rdvsThisMonth = activity.map { Euros.grouped($0.rdvsThisMonth) } ?? "—"
        smsSegmentsThisMonth = activity.map { Euros.grouped($0.smsSegmentsThisMonth) } ?? "—"
        lastActivity = activity?.lastActivityAt.map(dates.string(from:)) ?? "—"
        refreshedAt = activity.map { dates.string(from: $0.refreshedAt) } ?? "pas encore calculé"
    }
}

/// Sizes as the console prints them: « 12,4 Mo ».
enum FileSize {
    static func megabytes(_ bytes: Int) -> String {
        let tenths = (bytes * 10 + 524_288) / 1_048_576
        return "\(tenths / 10),\(tenths % 10)\u{00A0}Mo"
    }
}
