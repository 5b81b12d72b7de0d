import Foundation
import TOMLKit

/// A problem in a `Tenants/*.toml` file, named by file, line and field.
public struct TenantFileError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let line: Int?
    public let field: String?
    public let message: String

    public var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let field { return "\(location): champ « \(field) » : \(message)" }
        return "\(location): \(message)"
    }
}

/// Reads and validates the declarative files of `Tenants/`.
public enum TenantFile {
    static let topKeys: Set<String> = ["slug", "name", "insee_code", "time_zone", "contact_email", "custom_domains", "membership"]

    /// Every `*.toml` of `directory`, validated together (no two files may claim one slug,
    /// code or domain). Throws the first problem found; nothing is returned half-valid.
    public static func loadDirectory(_ directory: URL) throws -> [(file: String, definition: TenantDefinition)] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".toml") }.sorted()
        } catch {
            throw TenantFileError(file: directory.path, line: nil, field: nil, message: "dossier illisible")
        }
        var loaded: [(file: String, definition: TenantDefinition)] = []
        var slugs: [String: String] = [:], codes: [String: String] = [:], domains: [String: String] = [:]
        for name in names {
            let path = directory.appendingPathComponent(name).path
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw TenantFileError(file: path, line: nil, field: nil, message: "fichier illisible ou pas en UTF-8")
            }
            let definition = try parse(text, file: path)
            func clash(_ field: String, _ value: String, _ seen: inout [String: String]) throws {
                if let other = seen[value] {
                    throw TenantFileError(
                        file: path, line: line(of: field, in: text), field: field,
                        message: "« \(value) » est déjà déclaré par \(other)"
                    )
                }
                seen[value] = name
            }
            try clash("slug", definition.slug, &slugs)
            try clash("insee_code", definition.code.value, &codes)
            for domain in definition.customDomains { try clash("custom_domains", domain, &domains) }
            loaded.append((path, definition))
        }
        return loaded
    }

    /// Parses one file's text; `file` only names it in errors.
    public static func parse(_ text: String, file: String) throws -> TenantDefinition {
        if let line = malformedTableHeader(in: text) {
            throw TenantFileError(file: file, line: line, field: nil, message: "TOML invalide : un en-tête de section s’écrit [nom] ou [nom.sous_nom] sur une seule ligne, avec des noms en lettres, chiffres, _ et -, ou entre guillemets.")
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw TenantFileError(file: file, line: error.source.begin.line, field: nil, message: "TOML invalide : \(error.description)")
        }
        func fail(_ field: String, _ message: String, section: String? = nil, occurrence: Int = 0) -> TenantFileError {
            let key = field.split(separator: ".").last.map(String.init) ?? field
            let line = line(of: key, in: text, section: section, occurrence: occurrence) ?? section.flatMap {
                Self.line(ofSection: $0, in: text, occurrence: occurrence)
            }
            return TenantFileError(file: file, line: line, field: field, message: message)
        }
        for key in table.keys where !topKeys.contains(key) {
            throw fail(key, "champ inconnu (attendus : \(topKeys.sorted().joined(separator: ", ")))")
        }
        func string(_ key: String, required: Bool) throws -> String? {
            guard let value = table[key] else {
                if required { throw fail(key, "obligatoire") }
                return nil
            }
            guard let string = value.string else { throw fail(key, "doit être une chaîne entre guillemets") }
            return string
        }

        let slug = try string("slug", required: true)!
        let name = try string("name", required: true)!.trimmingWhitespace()
        let rawCode = try string("insee_code", required: true)!
        guard let code = DepartementCode(rawCode) else {
            throw fail("insee_code", "« \(rawCode) » n’est pas un code de département (01 à 95, 2A, 2B, 971 à 976)")
        }
        var domains: [String] = []
        if let value = table["custom_domains"] {
            guard let array = value.array else { throw fail("custom_domains", "doit être une liste de noms de domaine") }
            for item in array {
                guard let domain = item.string else { throw fail("custom_domains", "doit être une liste de chaînes") }
                domains.append(domain)
            }
        }
        let definition = TenantDefinition(
            slug: slug, name: name, code: code, timeZone: try string("time_zone", required: false),
            contactEmail: try string("contact_email", required: false), customDomains: domains,
            membership: try parseMembership(table["membership"]) { fail($0, $1, section: $2, occurrence: $3) }
        )
        if let problem = validate(definition) { throw fail(problem.field, problem.message) }
        return definition
    }

    /// The first field of `definition` that breaks a rule, with why; nil when it is valid.
    /// The first line (from 1) with a malformed table header, outside multi-line strings: a
    /// header must close on its line, and each of its keys be bare (`A-Za-z0-9_-`) or quoted.
    /// TOML forbids the rest; the parser underneath asserts on it instead of refusing it (found
    /// by the fuzzer, `Tests/FuzzTests/corpus/tenant-file`), so it is refused here first.
    static func malformedTableHeader(in text: String) -> Int? {
        var inMultiline: String?
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var rest = String(line)
            if let delimiter = inMultiline {
                guard let end = rest.range(of: delimiter) else { continue }
                rest = String(rest[end.upperBound...])
                inMultiline = nil
            }
            let trimmed = rest.drop { $0 == " " || $0 == "\t" }
            if trimmed.hasPrefix("["), !isWellFormedHeader(Array(trimmed.unicodeScalars)) { return index + 1 }
            inMultiline = multilineOpened(by: Array(rest.unicodeScalars))
        }
        return nil
    }

    /// The delimiter of a multi-line string the line leaves open, if any. Strings are skipped
    /// and a comment ends the line: quotes in a comment open nothing (the fuzzer found a comment
    /// of thirteen `'''` hiding the malformed header after it).
    private static func multilineOpened(by scalars: [Unicode.Scalar]) -> String? {
        var i = 0
        func starts(_ delimiter: String, at index: Int) -> Bool {
            let pattern = Array(delimiter.unicodeScalars)
            return index + pattern.count <= scalars.count && Array(scalars[index..<index + pattern.count]) == pattern
        }
        while i < scalars.count {
            let c = scalars[i]
            if c == "#" { return nil }
            if c == "\"" || c == "'" {
                let triple = String(repeating: String(c), count: 3)
                if starts(triple, at: i) {
                    // A multi-line string: closed on this line, or left open.
                    i += 3
                    while i < scalars.count, !starts(triple, at: i) {
                        if c == "\"", scalars[i] == "\\" { i += 1 }
                        i += 1
                    }
                    guard i < scalars.count else { return triple }
                    i += 3
                    continue
                }
                i += 1
                while i < scalars.count, scalars[i] != c {
                    if c == "\"", scalars[i] == "\\" { i += 1 }
                    i += 1
                }
            }
            i += 1
        }
        return nil
    }

    /// `[a.b]`, `[[a."b c"]]`, with blanks around keys and dots; what follows is left to the parser.
    private static func isWellFormedHeader(_ scalars: [Unicode.Scalar]) -> Bool {
        var i = scalars.count > 1 && scalars[1] == "[" ? 2 : 1
        func skipBlanks() { while i < scalars.count, scalars[i] == " " || scalars[i] == "\t" { i += 1 } }
        func isBare(_ c: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_" || c == "-"
        }
        while true {
            skipBlanks()
            guard i < scalars.count else { return false }
            let first = scalars[i]
            if first == "\"" || first == "'" {
                i += 1
                while i < scalars.count, scalars[i] != first {
                    if first == "\"", scalars[i] == "\\" { i += 1 }
                    i += 1
                }
                guard i < scalars.count else { return false }
                i += 1
            } else {
                let start = i
                while i < scalars.count, isBare(scalars[i]) { i += 1 }
                guard i > start else { return false }
            }
            skipBlanks()
            guard i < scalars.count else { return false }
            if scalars[i] == "." { i += 1; continue }
            return scalars[i] == "]"
        }
    }

    public static func validate(_ definition: TenantDefinition) -> (field: String, message: String)? {
        if let problem = TenantSlug.problem(with: definition.slug) { return ("slug", problem) }
        guard (1...200).contains(definition.name.storedLength) else { return ("name", "doit compter entre 1 et 200 caractères") }
        guard TimeZone(identifier: definition.timeZone) != nil, definition.timeZone.contains("/") else {
            return ("time_zone", "fuseau horaire inconnu « \(definition.timeZone) » (exemple : Europe/Paris)")
        }
        if let email = definition.contactEmail, !isPlausibleEmail(email) {
            return ("contact_email", "adresse électronique invalide")
        }
        for domain in definition.customDomains where !isPlausibleDomain(domain) {
            return ("custom_domains", "« \(domain) » n’est pas un nom de domaine en minuscules")
        }
        return nil
    }

    /// Line where `key = …` stands, inside `[section]` when given (the `occurrence`-th, from 0,
    /// of an array of tables `[[section]]`).
    static func line(of key: String, in text: String, section: String? = nil, occurrence: Int = 0) -> Int? {
        var current: String?
        var seen: [String: Int] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") {
                let name = line.trimmingCharacters(in: CharacterSet(charactersIn: "[] "))
                seen[name, default: -1] += 1
                current = seen[name] == occurrence ? name : "\(name)#\(seen[name]!)"
                continue
            }
            guard current == section, line.hasPrefix(key) else { continue }
            let rest = line.dropFirst(key.count).trimmingCharacters(in: .whitespaces)
            if rest.hasPrefix("=") { return index + 1 }
        }
        return nil
    }

    /// Line of the `occurrence`-th header `[section]` or `[[section]]`.
    public static func line(ofSection section: String, in text: String, occurrence: Int = 0) -> Int? {
        var seen = -1
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            guard line.hasPrefix("["), line.trimmingCharacters(in: CharacterSet(charactersIn: "[] ")) == section else { continue }
            seen += 1
            if seen == occurrence { return index + 1 }
        }
        return nil
    }

    public static func isPlausibleEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !email.contains(" ") && email.count <= 254
    }

    static func isPlausibleDomain(_ domain: String) -> Bool {
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && domain.count <= 253 && labels.allSatisfy { label in
            (1...63).contains(label.count) && label.first != "-" && label.last != "-"
                && label.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
        }
    }
}
