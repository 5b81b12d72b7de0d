import Consortium
import Foundation
import Hummingbird
import Tenancy

/// The consortium's landing page on the bare base domain: every open département, with its link.
struct LandingRoutes: Sendable {
    let directory: TenantDirectory
    let pages: Pages
    let publicScheme: String

    func register(on router: Router<LandingRequestContext>) {
        router.get("/") { request, _ in
            let port = portSuffix(of: request)
            let departements: [[String: Any]] = directory.publicTenants.map { tenant in
                [
                    "name": tenant.name,
                    "code": tenant.code.value,
                    "url": "\(publicScheme)://\(tenant.slug).\(directory.baseDomain)\(port)/",
                ]
            }
            return pages.render("landing", [
                "pageTitle": "RDV Solidarités – prise de rendez-vous des services sociaux des départements",
                "departements": departements,
                "hasDepartements": !departements.isEmpty,
            ])
        }
        router.get("/statistiques") { _, context in
            let trend = try await publicTrend(context)
            let chart = StatisticsChart(title: "Rendez-vous pris par mois – consortium", bars: zip(trend.rowLabels, trend.cells).map { (label: $0, cell: $1[0]) })
            let page = PublicStatisticsPage(
                pageTitle: "Statistiques publiques – RDV Solidarités", chart: chart.svg(id: "graphique-public"),
                trend: StatisticsTableView(trend, id: "tendance", csvLink: "/statistiques/tendance.csv")
            )
            return pages.render("public_stats", page.templateValues)
        }
        router.get("/statistiques/tendance.csv") { _, context in
            let trend = try await publicTrend(context)
            return Response(
                status: .ok,
                headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"statistiques-consortium.csv\""],
                body: .init(byteBuffer: ByteBuffer(string: StatisticsCSV.text(trend)))
            )
        }
    }

    /// The consortium's row of the last 24 months, with the same secrecy as on `stats.`: no
    /// figure of a département or an organisation is published here.
    private func publicTrend(_ context: LandingRequestContext) async throws -> StatisticsTable {
        guard let database = context.database else { throw PublicError.pageNotFound }
        let window = StatisticsMonth(containing: Date()).window(StatisticsRoutes.trendMonths)
        let tenants = try await database.registeredTenants()
        let figures = try await database.transaction { connection in
            try await StatisticsRepository(connection).monthly(from: window[0].key, through: window[window.count - 1].key)
        }
        let members = tenants.map { StatisticsReport.Member(id: $0.id, code: $0.code.value, name: $0.name) }
        return StatisticsReport(members: members, figures: figures).trend(months: window.map { ($0.key, $0.label) })
    }
}

/// `public_stats.mustache`: the consortium's figures for anyone, on the bare domain.
struct PublicStatisticsPage: PageModel {
    let pageTitle: String
    let chart: String
    let trend: StatisticsTableView
}

/// `:8080` when the request's host named a port, so that links stay on the same server.
func portSuffix(of request: Request) -> String {
    let host = request.head.authority ?? ""
    guard !host.hasSuffix("]"), let colon = host.lastIndex(of: ":") else { return "" }
    return String(host[colon...])
}
