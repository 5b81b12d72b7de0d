import Consortium

/// A bar chart drawn on the server as SVG (no script), with its text alternative: a title and
/// a description of what it shows; the data table follows it on the page.
struct StatisticsChart: Sendable {
    let title: String
    /// (label, published cell) per bar, in order.
    let bars: [(label: String, cell: StatisticsTable.Cell)]

    private static let width = 720.0
    private static let height = 240.0
    private static let top = 16.0
    private static let bottom = 40.0
    private static let left = 56.0

    /// The text alternative: the span, the highest and lowest visible values, the last one.
    var description: String {
        let visible = bars.compactMap { bar -> (String, Int)? in
            if case .count(let value) = bar.cell { return (bar.label, value) }
            return nil
        }
        guard let first = bars.first, let last = bars.last, let highest = visible.max(by: { $0.1 < $1.1 }),
              let lowest = visible.min(by: { $0.1 < $1.1 })
        else { return "\(title) : aucune valeur publiable." }
        let hidden = bars.count - visible.count
        return "\(title), de \(first.label) à \(last.label). Maximum : \(StatisticsFormat.integer(highest.1)) en \(highest.0) ; "
            + "minimum : \(StatisticsFormat.integer(lowest.1)) en \(lowest.0) ; \(last.label) : \(StatisticsFormat.text(last.cell))."
            + (hidden > 0 ? " \(hidden) mois sous le secret statistique ne sont pas dessinés." : "")
    }

    /// The SVG element, with `id` prefixing its title and description ids.
    func svg(id: String) -> String {
        let values = bars.map { bar -> Int? in
            if case .count(let value) = bar.cell { return value }
            return nil
        }
        let maximum = max(1, values.compactMap { $0 }.max() ?? 1)
        let plotHeight = Self.height - Self.top - Self.bottom
        let step = (Self.width - Self.left) / Double(max(bars.count, 1))
        var shapes: [String] = []
        shapes.append(line(x1: Self.left, y1: Self.top + plotHeight, x2: Self.width, y2: Self.top + plotHeight))
        shapes.append(text(x: Self.left - 6, y: Self.top + 4, anchor: "end", StatisticsFormat.integer(maximum)))
        shapes.append(text(x: Self.left - 6, y: Self.top + plotHeight, anchor: "end", "0"))
        for (index, bar) in bars.enumerated() {
            let x = Self.left + Double(index) * step
            if let value = values[index] {
                let barHeight = plotHeight * Double(value) / Double(maximum)
                shapes.append(
                    "<rect x=\"\(format(x + step * 0.15))\" y=\"\(format(Self.top + plotHeight - barHeight))\" width=\"\(format(step * 0.7))\" "
                        + "height=\"\(format(barHeight))\" fill=\"#000091\"></rect>"
                )
            }
            if index % 3 == 0 || index == bars.count - 1 {
                shapes.append(text(x: x + step / 2, y: Self.height - Self.bottom + 16, anchor: "middle", Self.shortLabel(bar.label)))
            }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(format(Self.width)) \(format(Self.height))" role="img" \
            aria-labelledby="\(id)-titre \(id)-desc" class="chart"><title id="\(id)-titre">\(escape(title))</title>\
            <desc id="\(id)-desc">\(escape(description))</desc>\(shapes.joined())</svg>
            """
    }

    private static let abbreviations = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]

    /// « janv. 26 » labels keep the axis readable.
    private static func shortLabel(_ label: String) -> String {
        let parts = label.split(separator: " ")
        guard parts.count == 2, let month = StatisticsFormat.months.firstIndex(of: String(parts[0])) else { return label }
        return "\(abbreviations[month]) \(parts[1].suffix(2))"
    }

    private func line(x1: Double, y1: Double, x2: Double, y2: Double) -> String {
        "<line x1=\"\(format(x1))\" y1=\"\(format(y1))\" x2=\"\(format(x2))\" y2=\"\(format(y2))\" stroke=\"#3a3a3a\"></line>"
    }

    private func text(x: Double, y: Double, anchor: String, _ content: String) -> String {
        "<text x=\"\(format(x))\" y=\"\(format(y))\" text-anchor=\"\(anchor)\" font-size=\"11\" fill=\"#3a3a3a\">\(escape(content))</text>"
    }

    private func format(_ value: Double) -> String { String(Int(value.rounded())) }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}
