/// The home page of `console.` and `stats.` (`consortium_home.mustache`).
struct ConsortiumHomePage: PageModel {
    struct JournalEntry: PageModel {
        let at: String
        let event: String
        let who: String
        let departement: String
    }

    struct Departement: PageModel {
        let code: String
        let name: String
        let status: String
        let conventionStart: String
        let conventionEnd: String
    }

    let pageTitle: String
    let heading: String
    let role: String
    let isOperator: Bool
    let journal: [JournalEntry]
    let departements: [Departement]
    var hasJournal: Bool { !journal.isEmpty }

    var templateValues: [String: Any] {
        var values = reflectedValues
        values["hasJournal"] = hasJournal
        return values
    }
}
