import Foundation
import Synchronization

/// Built statistics pages, kept until the next refresh: the figures change only when the
/// refresh writes, so a page is rebuilt only when the latest refresh time (part of the key) or
/// the registry's names move. Bounded: the oldest pages go first.
final class StatisticsPageCache: Sendable {
    struct Key: Hashable, Sendable {
        /// The page: its path, the département's code or none, the month, the heading.
        let page: String
        let refreshed: Date?
        /// Every département's id, code and name, as the registry has them now.
        let registry: [String]
        /// The month of today, which decides the « next month » link.
        let today: String
    }

    private let pages = Mutex<[Key: (StatisticsPage, Int)]>([:])
    private let counter = Atomic<Int>(0)
    private let capacity: Int

    init(capacity: Int = 64) {
        self.capacity = capacity
    }

    func page(for key: Key, build: () async throws -> StatisticsPage) async rethrows -> StatisticsPage {
        if let page = pages.withLock({ $0[key]?.0 }) { return page }
        let page = try await build()
        let stamp = counter.add(1, ordering: .relaxed).newValue
        pages.withLock { pages in
            if pages.count >= capacity, let oldest = pages.min(by: { $0.value.1 < $1.value.1 })?.key { pages[oldest] = nil }
            pages[key] = (page, stamp)
        }
        return page
    }
}
