/// French public holidays, computed for any year: the national ones, Alsace-Moselle's two extra
/// days (Moselle, Bas-Rhin, Haut-Rhin) and the commemoration of the abolition of slavery in
/// each overseas département.
public enum Holidays {
    public static func days(year: Int, departement code: String) -> [LocalDate: String] {
        var days: [LocalDate: String] = [:]
        func add(_ month: Int, _ day: Int, _ name: String) {
            if let date = LocalDate(year: year, month: month, day: day) { days[date] = name }
        }
        add(1, 1, "Jour de l’an")
        add(5, 1, "Fête du Travail")
        add(5, 8, "Victoire 1945")
        add(7, 14, "Fête nationale")
        add(8, 15, "Assomption")
        add(11, 1, "Toussaint")
        add(11, 11, "Armistice 1918")
        add(12, 25, "Noël")
        if let easter = easterSunday(year: year) {
            days[easter.adding(days: 1)] = "Lundi de Pâques"
            days[easter.adding(days: 39)] = "Ascension"
            days[easter.adding(days: 50)] = "Lundi de Pentecôte"
            if ["57", "67", "68"].contains(code) { days[easter.adding(days: -2)] = "Vendredi saint" }
        }
        if ["57", "67", "68"].contains(code) { add(12, 26, "Saint-Étienne") }
        switch code.uppercased() {
        case "971": add(5, 27, "Abolition de l’esclavage")
        case "972": add(5, 22, "Abolition de l’esclavage")
        case "973": add(6, 10, "Abolition de l’esclavage")
        case "974": add(12, 20, "Abolition de l’esclavage")
        case "976": add(4, 27, "Abolition de l’esclavage")
        default: break
        }
        return days
    }

    /// Easter Sunday in the Gregorian calendar (the anonymous "computus" of 1876).
    public static func easterSunday(year: Int) -> LocalDate? {
        let a = year % 19, b = year / 100, c = year % 100
        let d = b / 4, e = b % 4
        let f = (b + 8) / 25
        let g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4, k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return LocalDate(year: year, month: month, day: day)
    }
}
