import Foundation

/// A place of a département where usagers are received: a PMI centre, a Maison des solidarités…
public struct Organisation: Sendable, Hashable, Identifiable {
    public let id: UUID
    public let name: String

    public init(id: UUID, name: String) {
        self.id = id
        self.name = name
    }
}
