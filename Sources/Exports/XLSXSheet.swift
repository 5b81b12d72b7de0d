import Scheduling

/// An Office Open XML workbook of one worksheet, written as it goes: text cells are inline
/// strings (a shared-string table would hold every distinct text in memory until the end),
/// dates are real dates in the French short format, the header row is bold and frozen.
struct XLSXSheet: SheetWriter {
    private var zip = ZipStream()
    private var sheet: [UInt8] = []
    private var rowNumber = 0
    private let sheetName: String
    private var started = false

    init(sheetName: String) {
        self.sheetName = sheetName
    }

    var pendingBytes: Int { zip.output.count }

    private static let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    private static let relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    private static let packageRelationships = "http://schemas.openxmlformats.org/package/2006/relationships"
    private static let prolog = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#

    // Style indexes in styles.xml's cellXfs.
    private static let boldStyle = 1, dateStyle = 2, dateTimeStyle = 3

    mutating func header(_ columns: [String]) throws {
        try startIfNeeded()
        appendRow(columns.map(SheetCell.text), style: Self.boldStyle)
    }

    mutating func row(_ cells: [SheetCell]) throws {
        try startIfNeeded()
        appendRow(cells, style: nil)
        if sheet.count >= 32 * 1024 { flushSheet() }
    }

    mutating func finish() throws {
        try startIfNeeded()
        sheet.append(contentsOf: "</sheetData></worksheet>".utf8)
        flushSheet()
        try zip.finish()
    }

    mutating func drain() -> [UInt8] { zip.drain() }

    private mutating func startIfNeeded() throws {
        guard !started else { return }
        started = true
        try zip.begin("[Content_Types].xml")
        zip.write(
            Self.prolog + #"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#
                + #"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#
                + #"<Default Extension="xml" ContentType="application/xml"/>"#
                + #"<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#
                + #"<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
                + #"<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>"#
                + "</Types>"
        )
        try zip.begin("_rels/.rels")
        zip.write(
            Self.prolog + #"<Relationships xmlns="\#(Self.packageRelationships)">"#
                + #"<Relationship Id="rId1" Type="\#(Self.relationships)/officeDocument" Target="xl/workbook.xml"/>"#
                + "</Relationships>"
        )
        try zip.begin("xl/workbook.xml")
        zip.write(
            Self.prolog + #"<workbook xmlns="\#(Self.main)" xmlns:r="\#(Self.relationships)">"#
                + #"<sheets><sheet name="\#(Self.escaped(String(sheetName.prefix(31))))" sheetId="1" r:id="rId1"/></sheets></workbook>"#
        )
        try zip.begin("xl/_rels/workbook.xml.rels")
        zip.write(
            Self.prolog + #"<Relationships xmlns="\#(Self.packageRelationships)">"#
                + #"<Relationship Id="rId1" Type="\#(Self.relationships)/worksheet" Target="worksheets/sheet1.xml"/>"#
                + #"<Relationship Id="rId2" Type="\#(Self.relationships)/styles" Target="styles.xml"/>"#
                + "</Relationships>"
        )
        try zip.begin("xl/styles.xml")
        zip.write(
            Self.prolog + #"<styleSheet xmlns="\#(Self.main)">"#
                + #"<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy hh:mm"/></numFmts>"#
                + #"<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>"#
                + #"<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>"#
                + #"<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"#
                + #"<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>"#
                + #"<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>"#
                + #"<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>"#
                + #"<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>"#
                + #"<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>"#
                + #"<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"#
        )
        try zip.begin("xl/worksheets/sheet1.xml")
        sheet.append(
            contentsOf: (Self.prolog + #"<worksheet xmlns="\#(Self.main)"><sheetViews><sheetView workbookViewId="0">"#
                + #"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>"#).utf8
        )
    }

    private mutating func appendRow(_ cells: [SheetCell], style: Int?) {
        rowNumber += 1
        let row = String(rowNumber)
        sheet.append(contentsOf: #"<row r="\#(row)">"#.utf8)
        for (index, cell) in cells.enumerated() {
            let reference = Self.column(index) + row
            let styled = style.map { #" s="\#($0)""# } ?? ""
            switch cell {
            case .text(let text):
                sheet.append(contentsOf: #"<c r="\#(reference)" t="inlineStr"\#(styled)><is><t xml:space="preserve">"#.utf8)
                sheet.append(contentsOf: Self.escaped(text).utf8)
                sheet.append(contentsOf: "</t></is></c>".utf8)
            case .number(let value):
                sheet.append(contentsOf: #"<c r="\#(reference)"\#(styled)><v>\#(value)</v></c>"#.utf8)
            case .date(let date):
                sheet.append(contentsOf: #"<c r="\#(reference)" s="\#(Self.dateStyle)"><v>\#(Self.serial(date))</v></c>"#.utf8)
            case .dateTime(let date, let minutes):
                // Minutes as a fraction of a day, written exactly enough to land on the minute.
                let value = Double(Self.serial(date)) + Double(minutes) / 1440
                sheet.append(contentsOf: #"<c r="\#(reference)" s="\#(Self.dateTimeStyle)"><v>\#(value)</v></c>"#.utf8)
            case .empty:
                break
            }
        }
        sheet.append(contentsOf: "</row>".utf8)
    }

    private mutating func flushSheet() {
        zip.write(sheet)
        sheet.removeAll(keepingCapacity: true)
    }

    /// Excel's day number: 1970-01-01 is day 25 569 (counted from 1899-12-30).
    static func serial(_ date: LocalDate) -> Int { date.dayNumber + 25_569 }

    /// A, B, …, Z, AA, AB, …
    static func column(_ index: Int) -> String {
        var index = index + 1
        var letters: [Character] = []
        while index > 0 {
            let remainder = (index - 1) % 26
            letters.append(Character(UnicodeScalar(UInt8(65 + remainder))))
            index = (index - 1) / 26
        }
        return String(letters.reversed())
    }

    /// XML text: markup characters escaped, and the control characters XML 1.0 cannot carry
    /// dropped (a pasted note may hold a vertical tab; Excel would refuse the whole file).
    static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: break
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
