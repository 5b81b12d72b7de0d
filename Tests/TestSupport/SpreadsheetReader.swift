import Foundation

/// A spreadsheet as independent readers see it: Python's `csv` module for CSV, `zipfile` and
/// `openpyxl` for XLSX (Tests/Exports/read_sheet.py).
public struct ParsedSheet: Decodable, Sendable {
    public enum Value: Decodable, Sendable, Equatable, CustomStringConvertible {
        case text(String)
        case number(Double)
        case empty

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() { self = .empty }
            else if let number = try? container.decode(Double.self) { self = .number(number) }
            else { self = .text(try container.decode(String.self)) }
        }

        public var description: String {
            switch self {
            case .text(let text): text
            case .number(let number): number == number.rounded() ? String(Int(number)) : String(number)
            case .empty: ""
            }
        }
    }

    public let format: String
    public let bom: Bool?
    public let sheet: String?
    public let entries: [String]?
    public let rows: [[Value]]

    /// Rows after the header, each as column name → text ("" for an empty cell).
    public var records: [[String: String]] {
        guard let header = rows.first?.map(\.description) else { return [] }
        return rows.dropFirst().map { row in
            Dictionary(uniqueKeysWithValues: header.enumerated().map { index, name in
                (name, index < row.count ? row[index].description : "")
            })
        }
    }

    public static func read(_ bytes: [UInt8], format: String) throws -> ParsedSheet {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rdv-sheet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("export.\(format)")
        let output = directory.appendingPathComponent("read.json")
        try Data(bytes).write(to: file)
        let script = TestWorld.repositoryRoot.appendingPathComponent("Tests/Exports/read_sheet.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, file.path, output.path]
        let errors = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ReadFailure(message: (try? String(contentsOf: errors, encoding: .utf8)) ?? "read_sheet.py failed")
        }
        return try JSONDecoder().decode(ParsedSheet.self, from: Data(contentsOf: output))
    }

    public struct ReadFailure: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }
}
