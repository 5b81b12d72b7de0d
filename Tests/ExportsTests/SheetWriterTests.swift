@testable import Exports
import Foundation
import Scheduling
import Testing
import TestSupport

/// The writers on their own, read back by Python's csv module and by openpyxl.
@Suite struct SheetWriterTests {
    static let day = LocalDate(year: 2026, month: 12, day: 3)!

    static func write(_ format: SheetFormat, header: [String], rows: [[SheetCell]], drainEvery: Int = 1) throws -> [UInt8] {
        var writer = format.writer(sheetName: "Essai")
        var bytes: [UInt8] = []
        try writer.header(header)
        for (index, row) in rows.enumerated() {
            try writer.row(row)
            if index % drainEvery == 0 { bytes += writer.drain() }
        }
        try writer.finish()
        return bytes + writer.drain()
    }

    @Test func csvIsWhatFrenchSpreadsheetsOpen() throws {
        let bytes = try Self.write(
            .csv, header: ["Nom", "Note", "Nombre", "Date", "Pris le"],
            rows: [
                [.text("Dupont; Marie"), .text("dit \"bonjour\"\nà la ligne"), .number(-3), .date(Self.day), .dateTime(Self.day, minutes: 14 * 60 + 5)],
                [.text(" espace "), .empty, .number(0), .empty, .empty],
            ]
        )
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        #expect(text.hasPrefix("Nom;Note;Nombre;Date;Pris le\r\n"))
        let sheet = try ParsedSheet.read(bytes, format: "csv")
        #expect(sheet.bom == true)
        #expect(sheet.rows.count == 3)
        let first = sheet.records[0]
        #expect(first["Nom"] == "Dupont; Marie")
        #expect(first["Note"] == "dit \"bonjour\"\nà la ligne")
        #expect(first["Nombre"] == "-3")
        #expect(first["Date"] == "03/12/2026")
        #expect(first["Pris le"] == "03/12/2026 14:05")
        #expect(sheet.records[1]["Nom"] == " espace ")
    }

    /// What someone typed must never run as a formula when the file is opened.
    @Test(arguments: ["=HYPERLINK(\"http://x\")", "+33612345678", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"])
    func csvNeutralisesFormulas(_ typed: String) throws {
        let bytes = try Self.write(.csv, header: ["Champ"], rows: [[.text(typed)]])
        let sheet = try ParsedSheet.read(bytes, format: "csv")
        #expect(sheet.records.first?["Champ"] == "'" + typed)
    }

    @Test func xlsxOpensInOpenpyxlWithRealDates() throws {
        let bytes = try Self.write(
            .xlsx, header: ["Nom", "Nombre", "Date", "Pris le", "Vide", "Fin"],
            rows: [
                [.text("Élise <b>&</b> \"Ô\""), .number(42), .date(Self.day), .dateTime(Self.day, minutes: 14 * 60 + 30), .empty, .text("x")],
                [.text("contrôle\u{0B}\u{01}supprimé"), .number(-7), .date(LocalDate(year: 1970, month: 1, day: 1)!), .dateTime(Self.day, minutes: 23 * 60 + 59), .empty, .text("y")],
            ]
        )
        #expect(Array(bytes.prefix(4)) == [0x50, 0x4B, 0x03, 0x04])
        let sheet = try ParsedSheet.read(bytes, format: "xlsx")
        #expect(sheet.sheet == "Essai")
        #expect(Set(sheet.entries ?? []).isSuperset(of: ["[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/styles.xml"]))
        #expect(sheet.rows.count == 3)
        let first = sheet.records[0], second = sheet.records[1]
        #expect(first["Nom"] == "Élise <b>&</b> \"Ô\"")
        #expect(first["Nombre"] == "42")
        #expect(first["Date"] == "2026-12-03T00:00:00")
        #expect(first["Pris le"] == "2026-12-03T14:30:00")
        #expect(first["Vide"] == "")
        #expect(first["Fin"] == "x")
        #expect(second["Nom"] == "contrôlesupprimé")
        #expect(second["Nombre"] == "-7")
        #expect(second["Date"] == "1970-01-01T00:00:00")
        #expect(second["Pris le"] == "2026-12-03T23:59:00")
    }

    /// Thousands of rows drained in small pieces make one valid archive (every CRC checked by
    /// zipfile), with each row where it was written.
    @Test func xlsxStreamedInPiecesIsOneValidArchive() throws {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcdéfghïj kl<&>")
        let words = (0..<5000).map { index in
            String((0..<Int.random(in: 1...40, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }) + "\(index)"
        }
        let rows = words.enumerated().map { index, word in [SheetCell.number(index), .text(word)] }
        let bytes = try Self.write(.xlsx, header: ["N", "Mot"], rows: rows, drainEvery: 7)
        let sheet = try ParsedSheet.read(bytes, format: "xlsx")
        #expect(sheet.rows.count == 5001)
        for (index, record) in sheet.records.enumerated() where index % 499 == 0 {
            #expect(record["N"] == String(index))
            #expect(record["Mot"] == words[index])
        }
    }

    @Test func columnsAreLetteredLikeSpreadsheets() {
        #expect(XLSXSheet.column(0) == "A")
        #expect(XLSXSheet.column(25) == "Z")
        #expect(XLSXSheet.column(26) == "AA")
        #expect(XLSXSheet.column(51) == "AZ")
        #expect(XLSXSheet.column(52) == "BA")
        #expect(XLSXSheet.column(701) == "ZZ")
        #expect(XLSXSheet.column(702) == "AAA")
        // Bijective base 26: reading the letters back gives the index, for every column a sheet has.
        for index in 0..<16_384 {
            let number = XLSXSheet.column(index).unicodeScalars.reduce(0) { $0 * 26 + Int($1.value) - 64 }
            #expect(number - 1 == index)
            if number - 1 != index { break }
        }
    }

    @Test func excelSerialsCountFrom1899() {
        #expect(XLSXSheet.serial(LocalDate(year: 1970, month: 1, day: 1)!) == 25_569)
        #expect(XLSXSheet.serial(LocalDate(year: 1900, month: 3, day: 1)!) == 61)
        #expect(XLSXSheet.serial(Self.day) == 46_359)
    }

    @Test func localTimesSplitIntoDayAndMinutes() {
        #expect(ExportValues.dateTime(localSeconds: 0) == .dateTime(LocalDate(year: 1970, month: 1, day: 1)!, minutes: 0))
        #expect(ExportValues.dateTime(localSeconds: -60) == .dateTime(LocalDate(year: 1969, month: 12, day: 31)!, minutes: 23 * 60 + 59))
        let seconds = Int64(Self.day.dayNumber) * 86_400 + 9 * 3600 + 45 * 60 + 59
        #expect(ExportValues.dateTime(localSeconds: seconds) == .dateTime(Self.day, minutes: 9 * 60 + 45))
        #expect(ExportValues.time(localSeconds: seconds) == .text("09:45"))
        #expect(ExportValues.dateTime(localSeconds: nil) == .empty)
    }

    @Test func phonesInTheirNationalForm() {
        #expect(ExportValues.phone("+33612345678") == .text("06 12 34 56 78"))
        #expect(ExportValues.phone("+262692123456") == .text("06 92 12 34 56"))
        #expect(ExportValues.phone(nil) == .empty)
        #expect(ExportValues.phone("") == .empty)
    }

    @Test func filtersAreReadFromFormsOrRefused() throws {
        let filter = try ExportFilter.parse(["du": "2026-01-01", "au": "31/12/2026", "statut": "noshow", "organisation": ""])
        #expect(filter.from == LocalDate(year: 2026, month: 1, day: 1))
        #expect(filter.to == LocalDate(year: 2026, month: 12, day: 31))
        #expect(filter.status == .noshow)
        #expect(filter.organisationID == nil)
        #expect(throws: ExportError.reversedDates) { try ExportFilter.parse(["du": "2026-02-01", "au": "2026-01-31"]) }
        #expect(throws: ExportError.invalidDate(field: "du")) { try ExportFilter.parse(["du": "31/02/2026"]) }
        #expect(throws: ExportError.invalidDate(field: "au")) { try ExportFilter.parse(["au": "0001-01-01"]) }
        #expect(throws: ExportError.invalidStatus) { try ExportFilter.parse(["statut": "perdu"]) }
        #expect(throws: ExportError.unknownMotif) { try ExportFilter.parse(["motif": "pas-un-uuid"]) }
    }
}
