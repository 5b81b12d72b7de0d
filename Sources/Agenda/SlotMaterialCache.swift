import Foundation
import Scheduling
import Synchronization

/// What recent slot searches read besides appointments, kept in memory per département, motif,
/// agents and day, and reused while the département's agenda version has not changed. A change
/// of plage, absence, lieu or motif draws a new version (a trigger), so a search never works
/// from stale openings; appointments are always read afresh.
public final class SlotMaterialCache: Sendable {
    public static let shared = SlotMaterialCache(capacity: 512)

    struct Key: Hashable {
        let schema: String
        let motifID: UUID
        let agents: Set<UUID>?
        let day: LocalDate
    }

    private struct Entry {
        let version: UUID
        let material: SlotSearch.Material?
        var lastUse: UInt64
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var clock: UInt64 = 0
        var capacity: Int
    }

    private let state: Mutex<State>

    init(capacity: Int) {
        state = Mutex(State(capacity: capacity))
    }

    /// Turns keeping on or off (off: every search reads everything, as the benchmark's baseline).
    public func setEnabled(_ enabled: Bool) {
        state.withLock { state in
            state.capacity = enabled ? 512 : 0
            if !enabled { state.entries = [:] }
        }
    }

    /// The material kept for `key` at `version`; `.some(nil)` when it was "nothing to search".
    func material(for key: Key, version: UUID) -> SlotSearch.Material?? {
        state.withLock { state in
            guard var entry = state.entries[key], entry.version == version else { return nil }
            state.clock += 1
            entry.lastUse = state.clock
            state.entries[key] = entry
            return .some(entry.material)
        }
    }

    func keep(_ material: SlotSearch.Material?, for key: Key, version: UUID) {
        state.withLock { state in
            guard state.capacity > 0 else { return }
            state.clock += 1
            state.entries[key] = Entry(version: version, material: material, lastUse: state.clock)
            if state.entries.count > state.capacity {
                // Drop the least recently used quarter at once, rather than one entry per search.
                let old = state.entries.sorted { $0.value.lastUse < $1.value.lastUse }.prefix(max(1, state.capacity / 4)).map(\.key)
                for key in old { state.entries[key] = nil }
            }
        }
    }
}
