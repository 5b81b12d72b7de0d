import Logging
import PostgresNIO
import Synchronization

/// Which host of a multi-host URL takes the work: the one `target_session_attrs` asks for, found
/// by probing every host at once (`pg_is_in_recovery()`, `transaction_read_only`) on a small
/// pool of its own, so that probes never wait behind the work. The choice stands until the work
/// meets an error that says the host went away or may not write; then the next caller probes
/// again. One probe runs at a time, the callers meanwhile wait for its answer; when no host
/// qualifies, callers are refused at once for a short while before the next probe.
final class PrimarySelector: Sendable {
    private let target: TargetSessionAttributes
    private let probes: [PostgresClient]
    private let leased: LeasedConnections
    private let logger: Logger
    private let state = Mutex(State())

    /// How long one host may take to answer a probe.
    private let probeTimeout: Duration
    /// How long after a probe found no host callers are refused without probing again.
    static let refusalInterval: Duration = .milliseconds(500)

    private struct State {
        var current: Int?
        var probing: Task<Int?, Never>?
        var refusedUntil: ContinuousClock.Instant?
    }

    init(hosts: DatabaseHosts, leased: LeasedConnections, logger: Logger) {
        self.leased = leased
        self.target = hosts.target
        self.probeTimeout = hosts.probeTimeout
        self.probes = hosts.configurations.map { configuration in
            var configuration = configuration
            configuration.options.maximumConnections = 1
            configuration.options.connectTimeout = hosts.probeTimeout
            return PostgresClient(configuration: configuration, backgroundLogger: logger)
        }
        self.logger = logger
    }

    func run() async {
        await withDiscardingTaskGroup { group in
            for probe in probes {
                group.addTask { await probe.run() }
            }
        }
    }

    /// The host chosen now, if any.
    var current: Int? { state.withLock { $0.current } }

    /// The host to send work to, probing when none is chosen; `DatabaseUnavailable` when none qualifies.
    func primary() async throws -> Int {
        enum Next { case chosen(Int), wait(Task<Int?, Never>), refused }
        let next: Next = state.withLock { state in
            if let current = state.current { return .chosen(current) }
            if let until = state.refusedUntil, ContinuousClock.now < until { return .refused }
            if let probing = state.probing { return .wait(probing) }
            let probing = Task { await self.probeAll() }
            state.probing = probing
            return .wait(probing)
        }
        switch next {
        case .chosen(let index): return index
        case .refused: throw DatabaseUnavailable(noHostMessage)
        case .wait(let probing):
            guard let index = await probing.value else { throw DatabaseUnavailable(noHostMessage) }
            return index
        }
    }

    /// The work on `index` failed: when the error says the host is gone or may not write, forget it
    /// and fence it (the other work still lent a connection there fails now rather than hang).
    func workFailed(on index: Int, _ error: any Error) {
        let lost = (error as? PSQLError)?.meansHostUnavailable == true || error is DatabaseUnavailable
        guard lost else { return }
        leased.close(on: index)
        let forgot = state.withLock { state in
            guard state.current == index else { return false }
            state.current = nil
            return true
        }
        if forgot {
            logger.warning("database host lost; looking for the primary again", metadata: ["host": .stringConvertible(index + 1)])
        }
    }

    private var noHostMessage: String {
        target == .any ? "aucun serveur PostgreSQL ne répond" : "aucun serveur PostgreSQL n’accepte les écritures (bascule en cours ?)"
    }

    /// Probes every host at once; records and returns the chosen one.
    private func probeAll() async -> Int? {
        let answers = await withTaskGroup(of: (Int, Bool).self) { group in
            for (index, probe) in probes.enumerated() {
                group.addTask { (index, await self.qualifies(probe)) }
            }
            // Any host will do for read-write and primary (there is one); `any` keeps the URL's order.
            var answered = [Bool?](repeating: nil, count: probes.count)
            for await (index, fits) in group {
                answered[index] = fits
                if target != .any, fits {
                    group.cancelAll()
                    return index as Int?
                }
                if target == .any, let first = answered.firstIndex(where: { $0 != false }), answered[first] == true {
                    group.cancelAll()
                    return first
                }
            }
            return nil
        }
        // Whatever still holds a connection elsewhere is on a lost host or a standby: fence it.
        let fenced = leased.close(allBut: answers)
        if fenced > 0 {
            logger.warning("connections to hosts that are not the primary closed", metadata: ["count": .stringConvertible(fenced)])
        }
        state.withLock { state in
            state.probing = nil
            state.current = answers
            state.refusedUntil = answers == nil ? ContinuousClock.now + Self.refusalInterval : nil
        }
        if let answers {
            logger.notice("database host chosen", metadata: ["host": .stringConvertible(answers + 1), "target": .string(target.rawValue)])
        } else {
            logger.warning("no database host qualifies", metadata: ["target": .string(target.rawValue)])
        }
        return answers
    }

    /// Whether one host answers in time and is what `target` asks for.
    private func qualifies(_ probe: PostgresClient) async -> Bool {
        let target = self.target
        let logger = self.logger
        do {
            return try await withDeadline(probeTimeout) {
                let rows = try await probe.withConnection { connection in
                    try connection.ensureOpen()
                    return try await connection.query(
                        "SELECT pg_is_in_recovery(), current_setting('transaction_read_only') = 'on'", logger: logger
                    ).collect()
                }
                guard let (inRecovery, readOnly) = try rows.first?.decode((Bool, Bool).self) else { return false }
                switch target {
                case .any: return true
                case .readWrite: return !readOnly
                case .primary: return !inRecovery
                }
            }
        } catch {
            return false
        }
    }
}
