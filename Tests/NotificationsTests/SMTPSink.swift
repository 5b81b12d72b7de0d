import Foundation
import Transports

/// A real SMTP server (aiosmtpd, `Tests/Mail/smtp_sink.py`) for the length of one test,
/// saving what it accepts in a temporary directory.
struct SMTPSink {
    struct Options {
        var tls: TestCertificate?
        var implicitTLS = false
        var login: (username: String, password: String)?
        var excludedMechanisms: [String] = []
        /// e.g. "550 5.1.1 No such user", answered to every RCPT.
        var recipientReply: String?
    }

    /// The envelope and session of one accepted message, as the server saw them.
    struct Envelope: Decodable {
        let mailFrom: String
        let rcptTos: [String]
        let helo: String
        let tls: Bool
        let login: String?
    }

    let port: Int
    let directory: URL

    static func run<T>(_ options: Options = Options(), _ body: (SMTPSink) async throws -> T) async throws -> T {
        let directory = try ChildProcess.temporaryDirectory()
        // RDV_KEEP_SENT_MAIL=1 keeps the received messages and the server log for a look after the test.
        defer { if ProcessInfo.processInfo.environment["RDV_KEEP_SENT_MAIL"] == nil { try? FileManager.default.removeItem(at: directory) } else { print("Kept \(directory.path)") } }
        var arguments = [ChildProcess.mailScripts.appendingPathComponent("smtp_sink.py").path, directory.path]
        if let tls = options.tls { arguments += ["--tls", tls.certificate.path, tls.key.path] }
        if options.implicitTLS { arguments.append("--implicit-tls") }
        if let login = options.login { arguments += ["--auth", "\(login.username):\(login.password)"] }
        for mechanism in options.excludedMechanisms { arguments += ["--auth-exclude", mechanism] }
        if let reply = options.recipientReply { arguments += ["--rcpt-reply", reply] }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let output = Pipe()
        // The server leaves when this pipe closes, even if the test process dies first.
        let input = Pipe()
        process.standardOutput = output
        process.standardInput = input
        process.standardError = try FileHandle(forWritingTo: {
            let log = directory.appendingPathComponent("server.log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            return log
        }())
        try process.run()
        defer {
            process.terminate()
            try? input.fileHandleForWriting.close()
        }
        let line = await firstLine(of: output.fileHandleForReading)
        guard line.hasPrefix("PORT "), let port = Int(line.dropFirst(5)) else {
            let log = (try? String(contentsOf: directory.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
            throw ChildProcess.Failed(description: "smtp_sink.py did not start:\n\(line)\n\(log)")
        }
        return try await body(SMTPSink(port: port, directory: directory))
    }

    static func firstLine(of handle: FileHandle) async -> String {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var bytes: [UInt8] = []
                while let byte = try? handle.read(upToCount: 1)?.first, byte != UInt8(ascii: "\n") { bytes.append(byte) }
                continuation.resume(returning: String(decoding: bytes, as: UTF8.self))
            }
        }
    }

    /// The messages accepted so far, in order: the path of each `.eml` and its envelope.
    func received() throws -> [(eml: URL, envelope: Envelope)] {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try (1...).lazy.map { directory.appendingPathComponent("\($0)") }
            .prefix { FileManager.default.fileExists(atPath: $0.appendingPathExtension("json").path) }
            .map { base in
                (base.appendingPathExtension("eml"), try decoder.decode(Envelope.self, from: Data(contentsOf: base.appendingPathExtension("json"))))
            }
    }

    func configuration(
        security: SMTPConfiguration.Security = .plain, credentials: SMTPConfiguration.Credentials? = nil,
        trust: TestCertificate? = nil
    ) -> SMTPConfiguration {
        SMTPConfiguration(
            host: "127.0.0.1", port: port, security: security, credentials: credentials, heloName: "rdv.test",
            connectTimeout: .seconds(5), replyTimeout: .seconds(10), trustRoots: trust.map { .certificateFile($0.certificate.path) } ?? .system
        )
    }
}

/// A self-signed certificate for 127.0.0.1 and localhost, made with the openssl CLI.
struct TestCertificate {
    let certificate: URL
    let key: URL

    static func make(in directory: URL) async throws -> TestCertificate {
        let certificate = TestCertificate(certificate: directory.appendingPathComponent("cert.pem"), key: directory.appendingPathComponent("key.pem"))
        try await ChildProcess.run([
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", certificate.key.path, "-out", certificate.certificate.path, "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ])
        return certificate
    }
}
