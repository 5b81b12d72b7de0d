/// The INSEE code of a French département: "01"…"95" (without "20"), "2A", "2B", "971"…"976".
public struct DepartementCode: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Upper-case canonical form, e.g. "62", "2A", "974".
    public let value: String

    public init?(_ raw: String) {
        let code = raw.uppercased()
        guard Self.isValid(code) else { return nil }
        self.value = code
    }

    public var description: String { value }

    /// Schema of the département, e.g. `dept_62`, `dept_2a`.
    public var schemaName: String { "dept_" + value.lowercased() }

    /// Overseas départements keep their own clocks; every other département is on Paris time.
    public var defaultTimeZone: String {
        switch value {
        case "971": "America/Guadeloupe"
        case "972": "America/Martinique"
        case "973": "America/Cayenne"
        case "974": "Indian/Reunion"
        case "976": "Indian/Mayotte"
        default: "Europe/Paris"
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }

    /// Every département code, metropolitan then overseas (101 in all).
    public static let all: [DepartementCode] = {
        var codes = (1...95).filter { $0 != 20 }.map { $0 < 10 ? "0\($0)" : "\($0)" }
        codes.insert(contentsOf: ["2A", "2B"], at: 19)
        codes += ["971", "972", "973", "974", "976"]
        return codes.compactMap(DepartementCode.init)
    }()

    private static func isValid(_ code: String) -> Bool {
        if code == "2A" || code == "2B" { return true }
        guard code.allSatisfy(\.isASCII), let number = Int(code) else { return false }
        switch code.count {
        case 2: return (1...95).contains(number) && number != 20
        case 3: return (971...976).contains(number) && number != 975
        default: return false
        }
    }
}
