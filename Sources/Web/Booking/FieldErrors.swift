/// Form errors tied to the field they are about, for an error summary whose links move the
/// focus to that field, and for `aria-invalid` on the field itself.
struct FieldErrors {
    private(set) var all: [(field: String, message: String)] = []

    var isEmpty: Bool { all.isEmpty }

    mutating func add(_ field: String, _ message: String) {
        all.append((field, message))
    }

    /// Template values: `problems` for the summary (see `error_summary.mustache`) and an
    /// `invalid_<field id>` flag per field, hyphens turned to underscores.
    var values: [String: Any] {
        guard !all.isEmpty else { return [:] }
        var values: [String: Any] = [
            "hasProblems": true,
            "problemCount": all.count == 1 ? "Une erreur empêche" : "\(all.count) erreurs empêchent",
            "problems": all.map { ["field": $0.field, "message": $0.message] },
        ]
        for error in all { values["invalid_" + error.field.replacingOccurrences(of: "-", with: "_")] = true }
        return values
    }
}
