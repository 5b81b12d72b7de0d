import Foundation
import Testing
@testable import Identity
@testable import Tenancy

@Suite struct QRCodeTests {
    /// Reads `code` with zxing-cpp, an independent decoder, from a bitmap of its modules.
    func decode(_ code: QRCode) throws -> String {
        let rows = code.modules.map { row in String(row.map { $0 ? "1" : "0" }) }.joined(separator: "\n")
        let script = """
            import sys, numpy, zxingcpp
            rows = sys.stdin.read().split()
            scale, border = 4, 4
            size = len(rows)
            image = numpy.full(((size + 2 * border) * scale,) * 2, 255, dtype=numpy.uint8)
            for y, row in enumerate(rows):
                for x, cell in enumerate(row):
                    if cell == "1":
                        image[(y + border) * scale:(y + border + 1) * scale, (x + border) * scale:(x + border + 1) * scale] = 0
            results = zxingcpp.read_barcodes(image)
            print(results[0].text if results else "<nothing>", end="")
            """
        let input = NSTemporaryDirectory() + "qr-\(UUID().uuidString).txt"
        try rows.write(toFile: input, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: input) }
        let (status, output) = try Subprocess.run(["/bin/sh", "-c", "python3 -c '\(script)' < \(input)"])
        #expect(status == 0, "\(output)")
        return output
    }

    @Test(arguments: [
        "A",
        "Bonjour, Pas-de-Calais !",
        String(repeating: "0123456789", count: 12),
        "otpauth://totp/RDV%20Solidarit%C3%A9s%20Pas-de-Calais:camille.martin%40pasdecalais.fr?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=RDV%20Solidarit%C3%A9s%20Pas-de-Calais&algorithm=SHA1&digits=6&period=30",
        String(repeating: "é", count: 150),
    ])
    func anIndependentDecoderReadsWhatWeDraw(_ text: String) throws {
        let code = try #require(QRCode(text: text))
        #expect(try decode(code) == text)
    }

    @Test func versionsGrowWithTheText() throws {
        #expect(try #require(QRCode(text: "A")).size == 21)
        #expect(try #require(QRCode(text: String(repeating: "x", count: 100))).size > 21)
        #expect(QRCode(text: String(repeating: "x", count: 2_000)) == nil)
    }

    @Test func svgHasAQuietZoneAndALabel() throws {
        let svg = try #require(QRCode(text: "A")).svg(label: "Code QR")
        #expect(svg.hasPrefix("<svg"))
        #expect(svg.contains("viewBox=\"0 0 29 29\""))
        #expect(svg.contains("aria-label=\"Code QR\""))
    }

    @Test func reedSolomonMatchesAKnownBlock() {
        // Version 1-M of "01234567" in numeric mode, from the QR specification's worked example.
        let data: [UInt8] = [0x10, 0x20, 0x0C, 0x56, 0x61, 0x80, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11]
        let ecc = ReedSolomon.remainder(data, generator: ReedSolomon.generator(degree: 10))
        #expect(ecc == [0xA5, 0x24, 0xD4, 0xC1, 0xED, 0x36, 0xC7, 0x87, 0x2C, 0x55])
    }
}
