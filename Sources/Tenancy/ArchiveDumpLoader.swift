import Foundation
import PostgresNIO

/// Runs an archive's `dump.sql` on the import's connection, inside its transaction: the
/// statements one at a time, each checked against what pg_dump writes for one schema (the
/// owner role runs them, so an archive may not grant, create roles or switch roles), and the
/// COPY blocks through COPY FROM STDIN, with sealed secrets put back into their rows.
struct ArchiveDumpLoader {
    let manifest: ArchiveManifest
    let secrets: SealedSecrets?
    let connection: PostgresConnection
    let logger: Logger

    /// Loads the file; returns the number of rows copied.
    func load(_ url: URL) async throws -> Int {
        let reader = try LineReader(url)
        let copies = Dictionary(uniqueKeysWithValues: manifest.tables.map {
            (TenantArchive.copyStatement(schema: manifest.schema, table: $0.name, columns: $0.columns), $0)
        })
        var pending = ""
        var total = 0
        while let line = try reader.next() {
            if line.starts(with: Array("COPY ".utf8)), let table = copies[String(decoding: line, as: UTF8.self)] {
                try await execute(pending)
                pending = ""
                total += try await copy(table, from: reader)
                continue
            }
            // psql's meta-commands (`\restrict` of recent pg_dump) are for psql alone.
            if line.first == UInt8(ascii: "\\") { continue }
            pending += String(decoding: line, as: UTF8.self) + "\n"
        }
        try await execute(pending)
        return total
    }

    private func execute(_ text: String) async throws {
        for statement in SQLScript.statements(in: text) {
            switch Self.verdict(on: statement, schema: manifest.schema) {
            case .run: try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            case .skip: continue
            case .refuse(let start): throw ArchiveError.unexpectedStatement(start)
            }
        }
    }

    enum Verdict: Equatable {
        case run
        /// The schema's own CREATE SCHEMA: the import made it already, with its privileges.
        case skip
        case refuse(String)
    }

    /// What pg_dump writes for one schema's pre- and post-data, and the archive's prelude.
    static func verdict(on statement: String, schema: String) -> Verdict {
        let code = statement.split(separator: "\n").drop { $0.hasPrefix("--") || $0.allSatisfy(\.isWhitespace) }.joined(separator: "\n")
        let head = code.prefix(80).replacingOccurrences(of: "\n", with: " ")
        if code == "CREATE SCHEMA \(schema)" || code == "CREATE SCHEMA \(quoted(schema))" { return .skip }
        let settings = [
            "statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout", "client_encoding",
            "standard_conforming_strings", "check_function_bodies", "xmloption", "client_min_messages",
            "row_security", "default_tablespace", "default_table_access_method",
        ]
        let allowed = [
            "SELECT pg_catalog.set_config('search_path', '', false)", "SELECT pg_catalog.setval(",
            "CREATE SCHEMA IF NOT EXISTS extensions", "CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA extensions",
            "CREATE TABLE \(schema).", "CREATE FUNCTION \(schema).", "CREATE SEQUENCE \(schema).", "CREATE INDEX ",
            "CREATE UNIQUE INDEX ", "CREATE TRIGGER ", "CREATE TYPE \(schema).", "CREATE VIEW \(schema).", "CREATE COLLATION \(schema).",
            "ALTER TABLE \(schema).", "ALTER TABLE ONLY \(schema).", "ALTER SEQUENCE \(schema).", "COMMENT ON ",
        ]
        let isSetting = settings.contains { code.hasPrefix("SET \($0) =") }
        guard isSetting || allowed.contains(where: code.hasPrefix), !code.uppercased().contains("SECURITY DEFINER") else {
            return .refuse(head)
        }
        return .run
    }

    /// One COPY block, up to its `\.` line; returns the rows sent.
    private func copy(_ table: ArchiveManifest.Table, from reader: LineReader) async throws -> Int {
        // COPY FROM STDIN names the table alone: the search path finds it.
        try await connection.query("SELECT set_config('search_path', \(manifest.schema), true)", logger: logger)
        let patches = secrets?.tables[table.name]
        let positions = patches?.columns.map { table.columns.firstIndex(of: $0) } ?? []
        var count = 0
        var ended = false
        try await connection.copyFrom(table: table.name, columns: table.columns, logger: logger) { writer in
            var buffer = ByteBuffer()
            while let line = try reader.next() {
                if line == [UInt8(ascii: "\\"), UInt8(ascii: ".")] {
                    ended = true
                    break
                }
                if let values = patches?.rows[String(count)] {
                    var fields = line.split(separator: 0x09, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
                    for (position, value) in zip(positions, values) {
                        guard let position, position < fields.count else { throw ArchiveError.corruptFile(TenantArchive.Entry.secrets) }
                        fields[position] = ArchiveText.copyField(value)
                    }
                    buffer.writeString(fields.joined(separator: "\t"))
                } else {
                    buffer.writeBytes(line)
                }
                buffer.writeInteger(UInt8(0x0A))
                count += 1
                if buffer.readableBytes >= 1 << 18 {
                    try await writer.write(buffer)
                    buffer.clear()
                }
            }
            if buffer.readableBytes > 0 { try await writer.write(buffer) }
        }
        guard ended, count == table.rows else { throw ArchiveError.corruptFile(TenantArchive.Entry.dump) }
        return count
    }
}

/// Lines of a large file, read a megabyte at a time.
final class LineReader {
    private let handle: FileHandle
    private var chunk: [UInt8] = []
    private var start = 0
    private var atEnd = false

    init(_ url: URL) throws {
        handle = try FileHandle(forReadingFrom: url)
    }

    deinit { try? handle.close() }

    /// The next line without its newline, or nil at the end of the file.
    func next() throws -> [UInt8]? {
        while true {
            if let newline = chunk[start...].firstIndex(of: 0x0A) {
                let line = Array(chunk[start..<newline])
                start = newline + 1
                return line
            }
            if atEnd {
                guard start < chunk.count else { return nil }
                let line = Array(chunk[start...])
                start = chunk.count
                return line
            }
            chunk.removeFirst(start)
            start = 0
            if let more = try handle.read(upToCount: 1 << 20), !more.isEmpty {
                chunk.append(contentsOf: more)
            } else {
                atEnd = true
            }
        }
    }
}
