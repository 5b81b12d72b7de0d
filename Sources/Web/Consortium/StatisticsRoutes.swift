import Agenda
import Consortium
import Foundation
import Hummingbird
import Tenancy

/// The consortium's statistics, read-only, for the steering committee on `stats.` (its home
/// page) and for operators under `console.…/statistiques`: a month's figures, consortium totals,
/// 24 months of trend, départements side by side, and a CSV download of every table. All of it
/// comes from the anonymous aggregates in `shared`, with statistical secrecy applied.
struct StatisticsRoutes: Sendable {
    let pages: TenantPages
    let cache = StatisticsPageCache()
    /// Months of the trend chart and table.
    static let trendMonths = 24

    func register(on group: RouterGroup<ConsortiumMemberContext>) {
        group.get("/statistiques") { request, context in try await home(request, context) }
        group.get("/statistiques/departements/:code") { request, context in
            let code = context.parameters.get("code") ?? ""
            let built = try await cachedPage(request, context, path: "/statistiques", code: code) { data in
                guard let member = data.report.members.first(where: { $0.code == code }) else { throw PublicError.pageNotFound }
                return page(data, member: member, heading: "\(member.name) (\(member.code))", base: "/statistiques", context: context)
            }
            return render("stats_departement", built, request, context)
        }
        group.get("/statistiques/csv/:table") { request, context in
            let tenants = try await context.database.registeredTenants()
            let data = try await load(try Self.month(request), tenants: tenants, refreshed: nil, context)
            let member = try request.uri.queryParameters["departement"].map { code in
                guard let member = data.report.members.first(where: { $0.code == String(code) }) else { throw PublicError.pageNotFound }
                return member
            }
            let name = context.parameters.get("table") ?? ""
            let table: StatisticsTable
            if name == "tendance" {
                table = data.report.trend(months: data.months, of: member)
            } else if let section = StatisticsReport.Section(rawValue: name) {
                table = member.map { data.report.departement($0, section, month: data.month.key) }
                    ?? data.report.sideBySide(section, month: data.month.key)
            } else {
                throw PublicError.pageNotFound
            }
            let file = "statistiques-\(name)-\(member?.code ?? "consortium")-\(data.month.key).csv"
            return Response(
                status: .ok,
                headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(file)\""],
                body: .init(byteBuffer: ByteBuffer(string: StatisticsCSV.text(table)))
            )
        }
    }

    /// The statistics home: on `stats.` it is the space's home page.
    func home(_ request: Request, _ context: ConsortiumMemberContext) async throws -> Response {
        let heading = context.account.role == .steering ? context.spaceName : "Statistiques du consortium"
        let base = request.uri.path
        let built = try await cachedPage(request, context, path: base + heading, code: nil) { data in
            page(data, member: nil, heading: heading, base: base, context: context)
        }
        return render("stats_home", built, request, context)
    }

    /// The page built by `build`, or the same one built since the last refresh.
    private func cachedPage(
        _ request: Request, _ context: ConsortiumMemberContext, path: String, code: String?, build: (Loaded) throws -> StatisticsPage
    ) async throws -> StatisticsPage {
        let month = try Self.month(request)
        let tenants = try await context.database.registeredTenants()
        let refreshed = try await context.database.transaction { try await StatisticsRepository($0).lastRefresh() }
        let key = StatisticsPageCache.Key(
            page: "\(path)|\(code ?? "")|\(month.key)", refreshed: refreshed,
            registry: tenants.map { "\($0.id)|\($0.code.value)|\($0.name)" }, today: StatisticsMonth(containing: Date()).key
        )
        return try await cache.page(for: key) { try build(try await load(month, tenants: tenants, refreshed: refreshed, context)) }
    }

    private struct Loaded {
        let month: StatisticsMonth
        let months: [(key: String, label: String)]
        let report: StatisticsReport
        let refreshed: Date?
    }

    /// The month asked for (`?mois=2026-01`), this month by default.
    private static func month(_ request: Request) throws -> StatisticsMonth {
        guard let asked = request.uri.queryParameters["mois"], !asked.isEmpty else { return StatisticsMonth(containing: Date()) }
        guard let parsed = StatisticsMonth(key: String(asked)) else {
            throw PublicError(.badRequest, title: "Mois invalide", detail: "Le mois s’écrit sous la forme AAAA-MM, par exemple 2026-01.")
        }
        return parsed
    }

    /// The figures of the 24 months ending with `month`.
    private func load(_ month: StatisticsMonth, tenants: [Tenant], refreshed: Date?, _ context: ConsortiumMemberContext) async throws -> Loaded {
        let window = month.window(Self.trendMonths)
        let figures = try await context.database.transaction { connection in
            try await StatisticsRepository(connection).monthly(from: window[0].key, through: month.key)
        }
        let members = tenants.map { StatisticsReport.Member(id: $0.id, code: $0.code.value, name: $0.name) }
        return Loaded(
            month: month, months: window.map { ($0.key, $0.label) }, report: StatisticsReport(members: members, figures: figures),
            refreshed: refreshed
        )
    }

    private func page(_ data: Loaded, member: StatisticsReport.Member?, heading: String, base: String, context: ConsortiumMemberContext) -> StatisticsPage {
        let key = data.month.key
        let path = member.map { "/statistiques/departements/\($0.code)" } ?? base
        let csv = { (table: String) in
            "/statistiques/csv/\(table)?mois=\(key)" + (member.map { "&departement=\($0.code)" } ?? "")
        }
        let tables = StatisticsReport.Section.allCases.map { section in
            StatisticsTableView(
                member.map { data.report.departement($0, section, month: key) } ?? data.report.sideBySide(section, month: key),
                id: section.rawValue, csvLink: csv(section.rawValue)
            )
        }
        let trend = data.report.trend(months: data.months, of: member)
        let chartTitle = "Rendez-vous pris par mois" + (member.map { " – \($0.name)" } ?? " – consortium")
        let chart = StatisticsChart(title: chartTitle, bars: zip(trend.rowLabels, trend.cells).map { (label: $0, cell: $1[0]) })
        let current = StatisticsMonth(containing: Date())
        return StatisticsPage(
            pageTitle: "\(heading) – \(data.month.label)", heading: heading,
            lead: member == nil ? "Chiffres anonymes de tous les départements du consortium." : "Chiffres anonymes du département.",
            monthLabel: data.month.label, monthKey: key,
            previous: .init(label: data.month.adding(-1).label, href: "\(path)?mois=\(data.month.adding(-1).key)"),
            next: data.month.key < current.key ? .init(label: data.month.adding(1).label, href: "\(path)?mois=\(data.month.adding(1).key)") : nil,
            refreshed: data.refreshed.map { "Mis à jour le \(FrenchDates.timestamp($0, timeZone: "Europe/Paris"))." }
                ?? "Les statistiques n’ont pas encore été calculées.",
            figures: figures(member.map { data.report.departement($0, .bookings, month: key) } ?? data.report.sideBySide(.bookings, month: key),
                             member.map { data.report.departement($0, .outcomes, month: key) } ?? data.report.sideBySide(.outcomes, month: key)),
            chartTitle: chartTitle, chart: chart.svg(id: "graphique-rdv"),
            trend: StatisticsTableView(trend, id: "tendance", csvLink: csv("tendance")),
            tables: tables,
            departements: member == nil
                ? data.report.members.map { .init(label: "\($0.name) (\($0.code))", href: "/statistiques/departements/\($0.code)?mois=\(key)") }
                : [],
            hasDepartements: member == nil && !data.report.members.isEmpty
        )
    }

    /// Headline figures: the last row of the bookings and outcomes tables (the consortium's, or
    /// the département's only row), as published there; the no-show rate only when both of its
    /// counts are visible.
    private func figures(_ bookings: StatisticsTable, _ outcomes: StatisticsTable) -> [StatisticsFigure] {
        guard let booked = bookings.cells.last, let outcome = outcomes.cells.last else { return [] }
        var figures = [
            StatisticsFigure(label: "Rendez-vous pris", value: StatisticsFormat.text(booked[4])),
            StatisticsFigure(label: "Rendez-vous pris en ligne par l’usager", value: StatisticsFormat.text(booked[1])),
            StatisticsFigure(label: "Rendez-vous vus", value: StatisticsFormat.text(outcome[0])),
            StatisticsFigure(label: "Rendez-vous non honorés", value: StatisticsFormat.text(outcome[1])),
        ]
        if case .count(let seen) = outcome[0], case .count(let noshow) = outcome[1], seen + noshow > 0 {
            figures.append(StatisticsFigure(label: "Taux de rendez-vous non honorés", value: StatisticsFormat.percent(noshow, of: seen + noshow)))
        }
        return figures
    }

    private func render(_ template: String, _ page: StatisticsPage, _ request: Request, _ context: ConsortiumMemberContext) -> Response {
        pages.render(
            template, page.templateValues, request: request, siteName: context.spaceName,
            navigation: .init(home: "/", homeLabel: "Accueil", accountName: context.account.fullName, accountLink: nil),
            sessionToken: context.sessionToken
        )
    }
}

/// A published table as CSV: UTF-8, a header line, `;` between fields (as French spreadsheets
/// expect with a decimal comma), fields quoted when they need it.
enum StatisticsCSV {
    static func text(_ table: StatisticsTable) -> String {
        var lines = [([table.rowHeading] + table.columns).map(field).joined(separator: ";")]
        for (label, cells) in zip(table.rowLabels, table.cells) {
            lines.append(([label] + cells.map(StatisticsFormat.csv)).map(field).joined(separator: ";"))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    private static func field(_ value: String) -> String {
        guard value.contains(where: { $0 == ";" || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
