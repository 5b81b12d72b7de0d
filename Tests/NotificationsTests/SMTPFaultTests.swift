import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix
import Testing
import Transports

/// How sends fail: refusals keep their code and say whether a retry may help; network
/// trouble is always worth a retry.
@Suite struct SMTPFaultTests {
    @Test func aRecipientRefusedWith550IsPermanent() async throws {
        try await SMTPSink.run(SMTPSink.Options(recipientReply: "550 5.1.1 <zoe.lefevre@example.org>: no such user")) { sink in
            let error = try await sendFailure(sink.configuration())
            #expect(error == SMTPError(.rejected(code: 550, enhancedCode: "5.1.1"), at: .recipient))
            #expect(!error.isTemporary && !error.mayHaveBeenDelivered)
            #expect(!error.description.contains("zoe"), "the server's text, which names the recipient, stays out")
            #expect(try sink.received().isEmpty)
        }
    }

    @Test func aRecipientDeferredWith451IsTemporary() async throws {
        try await SMTPSink.run(SMTPSink.Options(recipientReply: "451 4.3.0 Try again later")) { sink in
            let error = try await sendFailure(sink.configuration())
            #expect(error == SMTPError(.rejected(code: 451, enhancedCode: "4.3.0"), at: .recipient))
            #expect(error.isTemporary)
        }
    }

    @Test func aWrongPasswordIsPermanent() async throws {
        let directory = try ChildProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = try await TestCertificate.make(in: directory)
        try await SMTPSink.run(SMTPSink.Options(tls: certificate, login: ("rdv-relay", "s3cret pass"))) { sink in
            let wrong = SMTPConfiguration.Credentials(username: "rdv-relay", password: "guess")
            let error = try await sendFailure(sink.configuration(security: .startTLS, credentials: wrong, trust: certificate))
            #expect(error == SMTPError(.rejected(code: 535, enhancedCode: "5.7.8"), at: .authentication))
            #expect(!error.isTemporary)
            #expect(!error.description.contains("guess"))
        }
    }

    @Test func aServerWithoutSTARTTLSIsRefusedWhenTLSIsRequired() async throws {
        try await SMTPSink.run { sink in
            let error = try await sendFailure(sink.configuration(security: .startTLS))
            #expect(error == SMTPError(.startTLSUnavailable, at: .startTLS))
            #expect(error.isTemporary)
            #expect(try sink.received().isEmpty)
        }
    }

    @Test func anUntrustedCertificateIsATemporaryTLSFailure() async throws {
        let directory = try ChildProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = try await TestCertificate.make(in: directory)
        try await SMTPSink.run(SMTPSink.Options(tls: certificate)) { sink in
            let error = try await sendFailure(sink.configuration(security: .startTLS, trust: nil))
            #expect(error == SMTPError(.tlsFailed, at: .startTLS))
            #expect(error.isTemporary)
        }
    }

    @Test func nothingListeningIsTemporary() async throws {
        // A port bound but never listened on refuses connections, and no other test can take it meanwhile.
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socketDescriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketDescriptor, $0, length) == 0 && getsockname(socketDescriptor, $0, &length) == 0 }
        }
        try #require(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let configuration = SMTPConfiguration(host: "127.0.0.1", port: port, security: .plain, heloName: "rdv.test")

        let error = try await sendFailure(configuration)

        #expect(error == SMTPError(.connectionFailed, at: .connect))
        #expect(error.isTemporary)
    }

    @Test func aServerThatNeverAnswersTimesOut() async throws {
        // Accepts connections and says nothing, ever.
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        defer { silent.close(promise: nil) }
        let configuration = SMTPConfiguration(
            host: "127.0.0.1", port: silent.localAddress!.port!, security: .plain, heloName: "rdv.test", replyTimeout: .milliseconds(300)
        )
        let start = ContinuousClock.now

        let error = try await sendFailure(configuration)

        #expect(error == SMTPError(.timedOut, at: .greeting))
        #expect(error.isTemporary)
        // Far below any default timeout, far above a loaded machine's scheduling delays.
        #expect(ContinuousClock.now - start < .seconds(60))
    }

    @Test func anAddressThatCouldInjectACommandIsRefusedBeforeConnecting() async throws {
        let configuration = SMTPConfiguration(host: "127.0.0.1", port: 9, security: .plain, heloName: "rdv.test")
        let error = try await sendFailure(configuration, MailFixtures.confirmation(to: "zoe@example.org>\r\nRCPT TO:<other@example.org"))
        #expect(error == SMTPError(.invalidAddress, at: .recipient))
        #expect(!error.isTemporary)
    }

    func sendFailure(_ configuration: SMTPConfiguration, _ email: OutgoingEmail = MailFixtures.confirmation()) async throws -> SMTPError {
        let client = try SMTPClient(configuration: configuration)
        do {
            try await client.send(email)
        } catch {
            return error
        }
        Issue.record("the send succeeded")
        throw CancellationError()
    }
}
