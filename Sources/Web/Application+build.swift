import Agenda
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle
import Tenancy

/// Builds the web application: the tenant gateway in front of one router per kind of site.
/// `rdv serve` and the tests build it the same way.
/// - Parameter runDatabase: whether the application runs the database pools as one of its
///   services (tests that already run them pass false).
/// - Parameter extraServices: services that live with the server (the notification worker).
/// - Parameter beforeServing: work to do once the pools run but before the first request.
public func buildApplication(
    configuration: AppConfiguration,
    database: Database,
    directory: TenantDirectory,
    runDatabase: Bool = true,
    extraServices: [any Service] = [],
    beforeServing: (@Sendable () async throws -> Void)? = nil,
    logger: Logger
) async throws -> some ApplicationProtocol {
    Observability.bootstrap()
    let pages = try await Pages.load()
    SlotMaterialCache.shared.setEnabled(configuration.keepsSlotMaterial)
    let renderer = ErrorRenderer(pages: pages)
    let health = HealthCheck(database: database)

    let landingRouter = Router(context: LandingRequestContext.self)
    landingRouter.add(middleware: RoutePatternMiddleware())
    landingRouter.add(middleware: ErrorMiddleware(renderer: renderer))
    addCommonRoutes(to: landingRouter, pages: pages, health: health)
    LandingRoutes(directory: directory, pages: pages, publicScheme: configuration.publicScheme).register(on: landingRouter)

    let identity = try IdentityServices(configuration: configuration)
    let forms = Forms(services: identity)
    let tenantPages = TenantPages(pages: pages, forms: forms)
    let tenantRouter = try makeTenantRouter(
        configuration: configuration, pages: pages, tenantPages: tenantPages, identity: identity, forms: forms, renderer: renderer, health: health
    )

    let consortiumRouter = Router(context: ConsortiumRequestContext.self)
    consortiumRouter.add(middleware: RoutePatternMiddleware())
    consortiumRouter.add(middleware: ErrorMiddleware(renderer: renderer))
    addCommonRoutes(to: consortiumRouter, pages: pages, health: health)
    consortiumRouter.add(middleware: ConsortiumSessionMiddleware(services: identity))
    let consortiumMembers = consortiumRouter.group(context: ConsortiumMemberContext.self)
    let statistics = StatisticsRoutes(pages: tenantPages)
    ConsortiumRoutes(services: identity, pages: tenantPages, forms: forms, statistics: statistics)
        .register(site: consortiumRouter, members: consortiumMembers)
    statistics.register(on: consortiumMembers)
    DepartementsRoutes(configuration: configuration, pages: tenantPages, forms: forms).register(members: consortiumMembers)
    PartnershipRoutes(pages: tenantPages, forms: forms).register(site: consortiumRouter)
    SecondFactorRoutes(services: identity, pages: tenantPages, forms: forms)
        .register(on: consortiumRouter.group(context: ConsortiumSecondFactorContext.self))

    let gateway = Gateway(
        database: database,
        directory: directory,
        landing: landingRouter.buildResponder(),
        tenant: tenantRouter.buildResponder(),
        consortium: consortiumRouter.buildResponder(),
        health: health,
        renderer: renderer,
        securityHeaders: SecurityHeaders(secure: configuration.isSecure),
        publicScheme: configuration.publicScheme,
        publicPort: configuration.publicPort,
        trustedProxies: configuration.trustedProxies
    )
    var services: [any Service] = runDatabase ? [database] : []
    services.append(TenantDirectoryRefresher(directory: directory, database: database))
    services += extraServices
    if let metrics = configuration.metricsAddress {
        services.append(buildMetricsApplication(database: database, host: metrics.host, port: metrics.port, logger: logger))
    }
    var app = Application(
        responder: ObservedResponder(inner: gateway, directory: directory),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        services: services,
        logger: logger
    )
    if let beforeServing {
        app.beforeServerStarts(perform: beforeServing)
    }
    app.beforeServerStarts {
        try await directory.reload()
    }
    return app
}

private func addCommonRoutes<Context: RequestContext>(to router: Router<Context>, pages: Pages, health: HealthCheck) {
    router.get("/healthz") { _, _ in await health.response() }
    router.get("/static/app.css") { _, _ in pages.stylesheetResponse() }
    router.get("/static/address.js") { _, _ in pages.addressScriptResponse() }
}

/// The router of a département's host: every page of agents, usagers and the public.
func makeTenantRouter(
    configuration: AppConfiguration, pages: Pages, tenantPages: TenantPages, identity: IdentityServices, forms: Forms,
    renderer: ErrorRenderer, health: HealthCheck
) throws -> Router<TenantRequestContext> {
    let tenantRouter = Router(context: TenantRequestContext.self)
    tenantRouter.add(middleware: RoutePatternMiddleware())
    tenantRouter.add(middleware: ErrorMiddleware(renderer: renderer))
    addCommonRoutes(to: tenantRouter, pages: pages, health: health)
    tenantRouter.add(middleware: SessionMiddleware(services: identity))
    TenantHomeRoutes(pages: pages).register(on: tenantRouter)
    let agentRoutes = tenantRouter.group(context: AgentRequestContext.self)
    SignInRoutes(services: identity, pages: tenantPages, forms: forms)
        .register(tenant: tenantRouter, agent: agentRoutes)
    PasswordRoutes(services: identity, pages: tenantPages, forms: forms).register(on: tenantRouter)
    AgentSpaceRoutes(services: identity, pages: tenantPages, forms: forms).register(on: agentRoutes)
    AccountRoutes(services: identity, pages: tenantPages, forms: forms).register(on: agentRoutes)
    SecondFactorRoutes(services: identity, pages: tenantPages, forms: forms)
        .register(on: tenantRouter.group(context: SecondFactorContext.self))
    AgendaRoutes(pages: tenantPages, forms: forms).register(on: agentRoutes)
    PlageRoutes(pages: tenantPages, forms: forms).register(on: agentRoutes)
    AbsenceRoutes(pages: tenantPages, forms: forms).register(on: agentRoutes)
    RdvRoutes(pages: tenantPages, forms: forms).register(on: agentRoutes)
    LieuDayRoutes(rdvs: RdvRoutes(pages: tenantPages, forms: forms)).register(on: agentRoutes)
    RdvListRoutes(rdvs: RdvRoutes(pages: tenantPages, forms: forms)).register(on: agentRoutes)
    SetupRoutes(pages: tenantPages, forms: forms).register(on: agentRoutes)
    CatalogRoutes(pages: tenantPages, forms: forms).register(on: agentRoutes)
    UsagerImportRoutes(pages: tenantPages, forms: forms).register(on: agentRoutes)
    UsagerRecordRoutes(pages: tenantPages, forms: forms).register(on: agentRoutes)
    NotificationRoutes(pages: tenantPages, forms: forms).register(agent: agentRoutes, tenant: tenantRouter)
    WebhookRoutes(pages: tenantPages, forms: forms).register(on: agentRoutes)
    BookingRoutes(services: identity, pages: tenantPages, forms: forms).register(on: tenantRouter)
    UsagerRoutes(services: identity, pages: tenantPages, forms: forms)
        .register(tenant: tenantRouter, usager: tenantRouter.group(context: UsagerRequestContext.self))
    SectorRoutes(pages: tenantPages, forms: forms).register(on: agentRoutes)
    AddressSuggestionRoutes().register(on: tenantRouter)
    CalendarFeedRoutes(services: identity).register(on: tenantRouter)
    if configuration.isDevelopment {
        DevMailboxRoutes(pages: tenantPages).register(on: tenantRouter)
    }
    APITokenRoutes(services: identity, pages: tenantPages, forms: forms).register(on: agentRoutes)
    ExportRoutes(pages: tenantPages, forms: forms).register(on: agentRoutes)
    PrivacyRoutes(pages: tenantPages, forms: forms).register(agent: agentRoutes, tenant: tenantRouter)
    // The API: its contract is public; every other call needs a Bearer token of this département.
    let api = tenantRouter.group("/api/v1")
    APIDocumentRoutes(document: try OpenAPIDocument.load(), pages: tenantPages).register(on: api)
    APIRoutes(services: identity).register(
        on: api.group().add(middleware: APIMiddleware(rateLimit: configuration.apiRateLimit)).group(context: APIRequestContext.self)
    )
    return tenantRouter
}

/// `METHOD /path` of every route a département's host answers, for the test that requires a
/// cross-département case for each of them.
public func tenantRouteList(configuration: AppConfiguration, database: Database) async throws -> [String] {
    let pages = try await Pages.load()
    let identity = try IdentityServices(configuration: configuration)
    let forms = Forms(services: identity)
    let router = try makeTenantRouter(
        configuration: configuration, pages: pages, tenantPages: TenantPages(pages: pages, forms: forms), identity: identity, forms: forms,
        renderer: ErrorRenderer(pages: pages), health: HealthCheck(database: database)
    )
    return router.routes.map { "\($0.method.rawValue) \($0.path)" }
}

/// The admin listener of `/metrics` on `host:port`; each scrape first reads the outbox of every
/// département (the one place besides the gateway that holds the whole pool: it serves no site).
public func buildMetricsApplication(database: Database, host: String, port: Int, logger: Logger) -> some ApplicationProtocol {
    let outbox = OutboxGauges(database: database, registry: Observability.registry)
    return makeMetricsApplication(host: host, port: port, logger: logger) { await outbox.refresh(logger: logger) }
}

/// The outbox as a scrape sees it, read when Prometheus asks (one small query per département,
/// on the partial index of queued messages): messages waiting per channel, those due, and the
/// age of the oldest due one, summed (and the oldest taken) over the served départements.
struct OutboxGauges: Sendable {
    let database: Database
    let registry: PrometheusCollectorRegistry
    static let channels = ["email", "sms", "webhook"]

    func refresh(logger: Logger) async {
        var queued: [String: Int] = [:]
        var due: [String: Int] = [:]
        var oldest: [String: Double] = [:]
        var failed = 0
        do {
            for tenant in try await database.registeredTenants() {
                do {
                    let rows = try await database.tenant(tenant).transaction { connection in
                        try await connection.query("""
                            SELECT channel, count(*)::int8,
                                   count(*) FILTER (WHERE next_attempt_at <= now() AND not_before <= now())::int8,
                                   coalesce(extract(epoch FROM now() - min(greatest(next_attempt_at, not_before))
                                       FILTER (WHERE next_attempt_at <= now() AND not_before <= now())), 0)::float8
                            FROM messages WHERE state = 'queued' GROUP BY channel
                            """).collect()
                    }
                    for row in rows {
                        let (channel, waiting, ready, age) = try row.decode((String, Int, Int, Double).self)
                        queued[channel, default: 0] += waiting
                        due[channel, default: 0] += ready
                        oldest[channel] = max(oldest[channel] ?? 0, age)
                    }
                } catch {
                    failed += 1
                }
            }
        } catch {
            failed += 1
            logger.warning("outbox gauges: could not list départements", metadata: ["error": .string(describe(error))])
        }
        for channel in Self.channels {
            registry.makeGauge(name: "rdv_outbox_messages", labels: [("channel", channel)]).set(Double(queued[channel] ?? 0))
            registry.makeGauge(name: "rdv_outbox_due_messages", labels: [("channel", channel)]).set(Double(due[channel] ?? 0))
            registry.makeGauge(name: "rdv_outbox_oldest_due_age_seconds", labels: [("channel", channel)]).set(oldest[channel] ?? 0)
        }
        registry.makeGauge(name: "rdv_outbox_scrape_failures").set(Double(failed))
    }
}
