import Testing
@testable import MIME

/// The decoding half of RFC 2047 (beside the encoder it reads back).
@Suite struct EncodedWordDecoderTests {
    @Test func decodesBAndQWordsAndDropsSpaceBetweenThem() {
        #expect(EncodedWordDecoder.decode("=?UTF-8?B?R3LDvMOfZQ==?= =?UTF-8?Q?_aus_K=C3=B6ln?=") == "Grüße aus Köln")
        #expect(EncodedWordDecoder.decode("plain =?utf-8?q?caf=C3=A9?= text") == "plain café text")
        #expect(EncodedWordDecoder.decode("=?UTF-8?B?!!!?=") == "=?UTF-8?B?!!!?=")
    }

    /// What the encoder writes (folded over several words), the decoder reads back as it was.
    @Test(arguments: ["Grüße aus Köln", "验证码 123456 — " + String(repeating: "ünïcödé ", count: 12), "a =?x?= b"])
    func readsBackWhatTheEncoderWrites(text: String) {
        #expect(EncodedWordDecoder.decode(EncodedWord.encode(text).joined(separator: "\r\n ")) == text)
    }
}
