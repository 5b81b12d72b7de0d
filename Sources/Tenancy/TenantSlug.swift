/// The sub-domain label of a département, e.g. `pas-de-calais`.
public enum TenantSlug {
    /// Host labels kept for the platform itself; no département may take them.
    public static let reserved: Set<String> = [
        "admin", "api", "app", "assets", "auth", "cdn", "console", "demo", "dev", "docs",
        "help", "mail", "metrics", "smtp", "static", "stats", "status", "support", "test", "www",
    ]

    /// Why `slug` cannot name a département, or nil when it can.
    public static func problem(with slug: String) -> String? {
        guard (2...63).contains(slug.count) else {
            return "doit compter entre 2 et 63 caractères"
        }
        let allowed = slug.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
        }
        guard allowed else {
            return "ne peut contenir que des lettres minuscules sans accent, des chiffres et des tirets"
        }
        guard slug.first != "-", slug.last != "-", !slug.contains("--") else {
            return "ne peut ni commencer ni finir par un tiret, ni en contenir deux à la suite"
        }
        guard !reserved.contains(slug) else {
            return "« \(slug) » est un nom réservé par la plateforme"
        }
        return nil
    }
}
