extension ConfigValue {
    /// A deep merge where `overlay` wins: objects merge key by key, anything else (arrays
    /// included) is replaced whole. A `null` in `overlay` counts as "not set" and keeps the base.
    public func merged(with overlay: ConfigValue) -> ConfigValue {
        guard case .object(var base) = self, case .object(let top) = overlay else {
            return overlay == .null ? self : overlay
        }
        for (key, value) in top {
            base[key] = base[key].map { $0.merged(with: value) } ?? value
        }
        return .object(base)
    }

    /// A copy with `value` at the dot path, creating objects along the way.
    public func setting(_ value: ConfigValue, atPath path: String) -> ConfigValue {
        let keys = path.split(separator: ".").map(String.init)
        return setting(value, keys: keys[...])
    }

    private func setting(_ value: ConfigValue, keys: ArraySlice<String>) -> ConfigValue {
        guard let key = keys.first else { return value }
        var members = objectValue ?? [:]
        members[key] = (members[key] ?? [:]).setting(value, keys: keys.dropFirst())
        return .object(members)
    }

    /// A copy without the member at the dot path.
    public func removing(path: String) -> ConfigValue {
        let keys = path.split(separator: ".").map(String.init)
        guard var members = objectValue, let first = keys.first else { return self }
        if keys.count == 1 {
            members[first] = nil
        } else if let child = members[first] {
            members[first] = child.removing(path: keys.dropFirst().joined(separator: "."))
        }
        return .object(members)
    }

    /// Every leaf (not an object) with its dot path, sorted by path. Arrays are leaves.
    public var leaves: [(path: String, value: ConfigValue)] {
        guard case .object(let members) = self else { return [("", self)] }
        return members.keys.sorted().flatMap { key -> [(path: String, value: ConfigValue)] in
            let child = members[key]!
            if case .object = child, !(child.objectValue?.isEmpty ?? true) {
                return child.leaves.map { ("\(key).\($0.path)", $0.value) }
            }
            return [(key, child)]
        }
    }
}
