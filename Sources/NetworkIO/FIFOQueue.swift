/// A first-in, first-out queue with O(1) removal at the front: elements are read from a moving
/// head index, and the storage is compacted once the consumed part outweighs the rest.
///
/// Used by ``BlockingExecutor`` for its jobs and by the SMTP pool for its waiting sends (hence
/// `package`: it is no part of NetworkIO's public API).
package struct FIFOQueue<Element> {
    private var storage: [Element] = []
    private var head = 0

    /// An empty queue.
    package init() {}

    /// Elements waiting.
    package var count: Int { storage.count - head }

    /// Adds `element` at the back.
    package mutating func append(_ element: Element) {
        storage.append(element)
    }

    /// Adds `element` at the front, to be taken next.
    package mutating func prepend(_ element: Element) {
        storage.insert(element, at: head)
    }

    /// Takes the oldest element.
    package mutating func popFirst() -> Element? {
        guard head < storage.count else { return nil }
        let element = storage[head]
        head += 1
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 64, head * 2 > storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return element
    }

    /// Removes and returns the first element that matches.
    package mutating func remove(firstWhere matches: (Element) -> Bool) -> Element? {
        guard let index = storage[head...].firstIndex(where: matches) else { return nil }
        return storage.remove(at: index)
    }

    /// Removes and returns every element, oldest first.
    package mutating func removeAll() -> [Element] {
        defer { storage = []; head = 0 }
        return Array(storage[head...])
    }
}

extension FIFOQueue: Sendable where Element: Sendable {}
