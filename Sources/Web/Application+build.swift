import Agenda
import Hummingbird
import Logging
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
    let pages = try await Pages.load()
    SlotMaterialCache.shared.setEnabled(configuration.keepsSlotMaterial)
    let renderer = ErrorRenderer(pages: pages)
    let health = HealthCheck(database: database)

    let landingRouter = Router(context: LandingRequestContext.self)
    landingRouter.add(middleware: ErrorMiddleware(renderer: renderer))
    addCommonRoutes(to: landingRouter, pages: pages, health: health)
    LandingRoutes(directory: directory, pages: pages, publicScheme: configuration.publicScheme).register(on: landingRouter)

    let identity = try IdentityServices(configuration: configuration)
    let forms = Forms(services: identity)
    let tenantPages = TenantPages(pages: pages, forms: forms)
    let tenantRouter = Router(context: TenantRequestContext.self)
    tenantRouter.add(middleware: ErrorMiddleware(renderer: renderer))
    addCommonRoutes(to: tenantRouter, pages: pages, health: health)
    tenantRouter.add(middleware: SessionMiddleware(database: database, services: identity))
    TenantHomeRoutes(database: database, pages: pages).register(on: tenantRouter)
    let agentRoutes = tenantRouter.group(context: AgentRequestContext.self)
    SignInRoutes(database: database, services: identity, pages: tenantPages, forms: forms)
        .register(tenant: tenantRouter, agent: agentRoutes)
    PasswordRoutes(database: database, services: identity, pages: tenantPages, forms: forms).register(on: tenantRouter)
    AgentSpaceRoutes(database: database, services: identity, pages: tenantPages, forms: forms).register(on: agentRoutes)
    AccountRoutes(database: database, services: identity, pages: tenantPages, forms: forms).register(on: agentRoutes)
    SecondFactorRoutes(database: database, services: identity, pages: tenantPages, forms: forms)
        .register(on: tenantRouter.group(context: SecondFactorContext.self))
    AgendaRoutes(database: database, pages: tenantPages, forms: forms).register(on: agentRoutes)
    PlageRoutes(database: database, pages: tenantPages, forms: forms).register(on: agentRoutes)
    AbsenceRoutes(database: database, pages: tenantPages, forms: forms).register(on: agentRoutes)
    RdvRoutes(database: database, pages: tenantPages, forms: forms).register(on: agentRoutes)
    SetupRoutes(database: database, pages: tenantPages, forms: forms).register(on: agentRoutes)
    CatalogRoutes(database: database, pages: tenantPages, forms: forms).register(on: agentRoutes)
    UsagerRecordRoutes(database: database, pages: tenantPages, forms: forms).register(on: agentRoutes)
    NotificationRoutes(database: database, pages: tenantPages, forms: forms).register(agent: agentRoutes, tenant: tenantRouter)
    BookingRoutes(database: database, services: identity, pages: tenantPages, forms: forms).register(on: tenantRouter)
    UsagerRoutes(database: database, services: identity, pages: tenantPages, forms: forms)
        .register(tenant: tenantRouter, usager: tenantRouter.group(context: UsagerRequestContext.self))
    SectorRoutes(database: database, pages: tenantPages, forms: forms).register(on: agentRoutes)
    AddressSuggestionRoutes(database: database).register(on: tenantRouter)
    if configuration.isDevelopment {
        DevMailboxRoutes(database: database, pages: tenantPages).register(on: tenantRouter)
    }

    let consortiumRouter = Router(context: ConsortiumRequestContext.self)
    consortiumRouter.add(middleware: ErrorMiddleware(renderer: renderer))
    addCommonRoutes(to: consortiumRouter, pages: pages, health: health)
    consortiumRouter.add(middleware: ConsortiumSessionMiddleware(database: database, services: identity))
    ConsortiumRoutes(database: database, services: identity, pages: tenantPages, forms: forms)
        .register(site: consortiumRouter, members: consortiumRouter.group(context: ConsortiumMemberContext.self))
    SecondFactorRoutes(database: database, services: identity, pages: tenantPages, forms: forms)
        .register(on: consortiumRouter.group(context: ConsortiumSecondFactorContext.self))

    let gateway = Gateway(
        directory: directory,
        landing: landingRouter.buildResponder(),
        tenant: tenantRouter.buildResponder(),
        consortium: consortiumRouter.buildResponder(),
        health: health,
        renderer: renderer,
        securityHeaders: SecurityHeaders(secure: configuration.isSecure),
        publicScheme: configuration.publicScheme
    )
    var services: [any Service] = runDatabase ? [database] : []
    services.append(TenantDirectoryRefresher(directory: directory, database: database))
    services += extraServices
    var app = Application(
        responder: gateway,
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
