import Foundation

/// What Python's `email` package and `icalendar` read in a saved message
/// (`Tests/Mail/check_eml.py`): the independent decoder the delivery tests trust.
struct ReceivedMessage: Decodable {
    struct Invitation: Decodable, Equatable {
        let method: String
        let uid: String
        let sequence: Int
        let summary: String
    }

    let subject: String
    let fromName: String
    let fromAddress: String
    let toAddress: String
    let replyTo: String?
    let messageId: String
    let idempotencyKey: String
    let mimeVersion: String
    let dateHasZone: Bool
    let structure: [String]
    let defects: Int
    let asciiOnly: Bool
    let crlfOnly: Bool
    let longestLine: Int
    let text: String?
    let html: String?
    let calendarMethodParameter: String?
    let calendarCharset: String?
    let calendar: Invitation?
    let attachmentType: String?
    let attachmentName: String?
    let attachment: Invitation?

    static func read(_ eml: URL) async throws -> ReceivedMessage {
        let json = try await ChildProcess.run(["python3", ChildProcess.mailScripts.appendingPathComponent("check_eml.py").path, eml.path])
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(ReceivedMessage.self, from: Data(json.utf8))
    }
}
