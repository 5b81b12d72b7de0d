import Testing
import TestSupport
@testable import Tenancy

/// Two départements served at once never show each other's rows.
@Suite struct IsolationThroughHTTPTests {
    @Test func concurrentRequestsToTwoDepartementsStayApart() async throws {
        try await TestWorld.run { world in
            let a = try await world.makeTenant()
            let b = try await world.makeTenant()
            let namesA = (1...3).map { "Lieu A\($0) \(a.slug)" }
            let namesB = (1...3).map { "Lieu B\($0) \(b.slug)" }
            try await world.database.tenant(a).transaction { connection in
                for name in namesA { try await connection.query("INSERT INTO organisations (name) VALUES (\(name))") }
            }
            try await world.database.tenant(b).transaction { connection in
                for name in namesB { try await connection.query("INSERT INTO organisations (name) VALUES (\(name))") }
            }
            try await world.withLiveApp { app in
                let hostA = "\(a.slug).rdv.test", hostB = "\(b.slug).rdv.test"
                let checked = try await withThrowingTaskGroup(of: Int.self) { group in
                    for worker in 0..<8 {
                        group.addTask {
                            // Each connection alternates between the two départements.
                            let requests = (0..<30).map { ("/", ($0 + worker) % 2 == 0 ? hostA : hostB) }
                            let responses = try await app.getAll(requests)
                            for (request, response) in zip(requests, responses) {
                                let (own, other) = request.1 == hostA ? (namesA, namesB) : (namesB, namesA)
                                #expect(response.status == .ok)
                                #expect(own.allSatisfy { response.text.contains($0) })
                                #expect(!other.contains { response.text.contains($0) })
                            }
                            return responses.count
                        }
                    }
                    return try await group.reduce(0, +)
                }
                #expect(checked == 240)
            }
        }
    }
}
