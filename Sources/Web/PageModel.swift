/// What one page shows, as a typed value instead of a dictionary: the compiler checks every
/// field a route fills. Templates read the stored properties by name; a nil optional is left
/// out, so that `{{#field}}` stays closed, and nested models and arrays of them become
/// sections.
protocol PageModel: Sendable {
    /// The model as the template engine reads it (by default, its stored properties).
    var templateValues: [String: Any] { get }
}

extension PageModel {
    var templateValues: [String: Any] { reflectedValues }

    /// The stored properties by name.
    var reflectedValues: [String: Any] {
        var values: [String: Any] = [:]
        for child in Mirror(reflecting: self).children {
            guard let label = child.label, let value = Self.templateValue(child.value) else { continue }
            values[label] = value
        }
        return values
    }

    private static func templateValue(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            guard let wrapped = mirror.children.first?.value else { return nil }
            return templateValue(wrapped)
        }
        if let model = value as? any PageModel { return model.templateValues }
        if let models = value as? [any PageModel] { return models.map(\.templateValues) }
        return value
    }
}
