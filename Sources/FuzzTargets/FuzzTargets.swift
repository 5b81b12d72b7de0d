import Agenda
import Booking
import Foundation
import Scheduling
import Tenancy
import Transports

/// The parsers that read what people and other systems send us, each with the properties any
/// input must keep: no crash, no hang, and what is read back the same way. Run by libFuzzer
/// (`scripts/fuzz`, executable RDVFuzz) and, over the saved corpus, by `FuzzCorpusTests`.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case recurrence, phone, zones, tenantFile = "tenant-file", smtpReplies = "smtp-replies"

    /// A broken property, with what broke it.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public func run(_ data: [UInt8]) throws(Failure) {
        let text = String(decoding: data, as: UTF8.self)
        switch self {
        case .recurrence:
            // Whatever JSON a row holds: read, written back, read again to the same recurrence.
            guard let recurrence = Recurrence(json: text) else { return }
            guard Recurrence(json: recurrence.json) == recurrence else { throw Failure(description: "recurrence changed by a round trip: \(recurrence)") }
        case .phone:
            // A number read is written in a form that reads back to itself.
            guard let phone = PhoneNumber(text) else { return }
            guard PhoneNumber(phone.e164) == phone, PhoneNumber(phone.description) == phone else {
                throw Failure(description: "phone number not stable: \(phone.e164)")
            }
        case .zones:
            // Zones read are written as a file that reads back to the same zones.
            guard let zones = try? ZoneCSV.parse(text) else { return }
            let written = ZoneCSV.write(zones)
            guard let again = try? ZoneCSV.parse(written), again == zones else { throw Failure(description: "zones changed by a round trip") }
        case .tenantFile:
            // A département file is refused with a reason, or read and then judged.
            guard let definition = try? TenantFile.parse(text, file: "fuzz.toml") else { return }
            _ = TenantFile.validate(definition)
        case .smtpReplies:
            // A server's bytes mean the same replies however TCP cut them.
            let whole = SMTPReplyReading.replies(data)
            let cuts = data.prefix(8).map { Int($0) % max(data.count, 1) }
            guard SMTPReplyReading.replies(data, cuts: cuts) == whole else { throw Failure(description: "replies depend on where the bytes were cut") }
        }
    }
}
