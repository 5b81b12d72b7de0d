import Foundation

/// What the operator console shows beside a département: its size and how busy it is this month,
/// as of the last statistics refresh.
public struct DepartementActivity: Sendable, Hashable {
    /// Counts read in the département's schema.
    public struct Counts: Sendable, Hashable {
        public let agents: Int
        public let usagers: Int
        public let rdvsThisMonth: Int
        public let lastActivityAt: Date?
        public let smsSegmentsThisMonth: Int
    }

    public let counts: Counts
    public let refreshedAt: Date

    public var agents: Int { counts.agents }
    public var usagers: Int { counts.usagers }
    /// Appointments created this month (the département's local month).
    public var rdvsThisMonth: Int { counts.rdvsThisMonth }
    /// The latest event on any appointment.
    public var lastActivityAt: Date? { counts.lastActivityAt }
    public var smsSegmentsThisMonth: Int { counts.smsSegmentsThisMonth }
}
