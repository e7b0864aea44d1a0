import MIME

extension ReceivedMessage {
    /// The header `name`, unfolded and with encoded-words decoded: what a mail client shows.
    public func decodedHeader(_ name: String) -> String? {
        header(name).map(EncodedWordDecoder.decode)
    }
}
