import PostgresNIO

/// PostgreSQL cannot take work right now: no host answers, or none is the primary the URL asks
/// for (during a failover). Nothing was written; the same request may succeed in a moment.
public struct DatabaseUnavailable: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) { self.description = description }
}

extension PSQLError {
    /// True when the error says the server or the connection went away, or that this host may
    /// not write (a standby, or a primary being demoted), rather than anything about the SQL.
    var meansHostUnavailable: Bool {
        switch code {
        case .connectionError, .serverClosedConnection, .uncleanShutdown, .poolClosed, .clientClosedConnection:
            return true
        case .server:
            guard let state = serverInfo?[.sqlState] else { return false }
            // 08: connection exception; 57P01-57P03: admin or crash shutdown, cannot connect now;
            // 25006: read-only transaction (a standby); 53300: too many connections.
            return state.hasPrefix("08") || ["57P01", "57P02", "57P03", "25006", "53300"].contains(state)
        default:
            return false
        }
    }
}

extension PSQLError {
    /// True when the server is up but out of a resource for this work: its disk is full (53100),
    /// it is out of memory (53200) or of another resource (53000). The transaction was rolled
    /// back; the same request succeeds once an operator frees the resource. Unlike a lost host,
    /// this does not send work to another host.
    var meansResourcesExhausted: Bool {
        guard case .server = code, let state = serverInfo?[.sqlState] else { return false }
        return ["53000", "53100", "53200"].contains(state)
    }
}

extension Error {
    /// True when the error is the database's absence rather than a fault of the request or of
    /// the code: the web layer answers 503, in French, instead of 500.
    public var isDatabaseUnavailable: Bool {
        if self is DatabaseUnavailable { return true }
        if let error = self as? PSQLError { return error.meansHostUnavailable || error.meansResourcesExhausted }
        return false
    }

    /// True when the database is up but cannot take this work for want of disk or memory: an
    /// operator must act, so it is logged as an error rather than a warning.
    public var isDatabaseOutOfResources: Bool {
        (self as? PSQLError)?.meansResourcesExhausted == true
    }
}
