import Testing
@testable import Transports

@Suite struct SMTPDotStuffingTests {
    @Test func aLineStartingWithADotGetsAnother() {
        let data = SMTPDotStuffing.data(".début\r\nmilieu.\r\n.\r\n..deux\r\nfin")
        #expect(String(decoding: data, as: UTF8.self) == "..début\r\nmilieu.\r\n..\r\n...deux\r\nfin\r\n.\r\n")
    }

    @Test func theMessageEndsWithOneCRLFThenTheFinalDot() {
        #expect(String(decoding: SMTPDotStuffing.data("texte\r\n"), as: UTF8.self) == "texte\r\n.\r\n")
        #expect(String(decoding: SMTPDotStuffing.data("texte"), as: UTF8.self) == "texte\r\n.\r\n")
    }

    @Test func aRenderedMessageNeverHoldsTheEndMarkerBeforeItsEnd() {
        let message = MIMEWriter.message(for: MailFixtures.confirmation())
        let data = String(decoding: SMTPDotStuffing.data(message), as: UTF8.self)
        #expect(data.components(separatedBy: "\r\n.\r\n").count == 2)
        #expect(data.hasSuffix("\r\n.\r\n"))
    }
}

@Suite struct SMTPReplyParserTests {
    @Test func multiLineRepliesEndAtTheLineWithASpace() throws {
        var parser = SMTPReplyParser()
        let first = try parser.replies(from: Array("250-sink.test\r\n250-AUTH PLAIN LOGIN\r\n250-STARTTLS\r\n".utf8))
        #expect(first.isEmpty && parser.hasPartialInput)
        let replies = try parser.replies(from: Array("250 8BITMIME\r\n354 End data with <CR><LF>.<CR><LF>\r\n".utf8))
        #expect(replies.map(\.code) == [250, 354])
        #expect(replies[0].extensions == ["AUTH": ["PLAIN", "LOGIN"], "STARTTLS": [], "8BITMIME": []])
        #expect(!parser.hasPartialInput)
    }

    @Test func repliesMaySplitAnywhereBetweenReads() throws {
        var parser = SMTPReplyParser()
        var replies: [SMTPReply] = []
        for byte in "220 sink.test ESMTP\r\n550 5.1.1 No such user\r\n".utf8 {
            replies += try parser.replies(from: [byte])
        }
        #expect(replies.map(\.code) == [220, 550])
        #expect(replies[1].enhancedCode == "5.1.1")
        #expect(replies[0].enhancedCode == nil)
    }

    @Test func garbageAndMixedCodesAreMalformed() {
        var parser = SMTPReplyParser()
        #expect(throws: SMTPReplyParser.Malformed.self) { try parser.replies(from: Array("HTTP/1.1 400 Bad Request\r\n".utf8)) }
        var mixed = SMTPReplyParser()
        #expect(throws: SMTPReplyParser.Malformed.self) { try mixed.replies(from: Array("250-a\r\n251 b\r\n".utf8)) }
        var endless = SMTPReplyParser()
        #expect(throws: SMTPReplyParser.Malformed.self) { try endless.replies(from: Array(repeating: UInt8(ascii: "2"), count: 5000)) }
    }
}
