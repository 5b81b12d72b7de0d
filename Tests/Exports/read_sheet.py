"""Reads an exported spreadsheet the way an independent tool does and writes what it saw as JSON.

usage: read_sheet.py FILE.csv|FILE.xlsx OUTPUT.json

CSV goes through Python's csv module (semicolons, UTF-8 with its byte order mark); XLSX through
openpyxl, after zipfile has checked every entry's CRC. Dates and times come out in ISO 8601.
"""
import csv
import datetime
import json
import sys
import zipfile


def plain(value):
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    return value


def read_csv(path):
    with open(path, "rb") as raw:
        bom = raw.read(3) == b"\xef\xbb\xbf"
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    return {"format": "csv", "bom": bom, "rows": rows}


def read_xlsx(path):
    import openpyxl

    with zipfile.ZipFile(path) as archive:
        broken = archive.testzip()
        if broken is not None:
            raise SystemExit(f"bad CRC in {broken}")
        names = archive.namelist()
    workbook = openpyxl.load_workbook(path, read_only=True)
    sheet = workbook.worksheets[0]
    rows = [[plain(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    # read_only mode pads nothing: a row that ends in empty cells is shorter.
    return {"format": "xlsx", "sheet": sheet.title, "entries": names, "rows": rows}


def main():
    path, output = sys.argv[1], sys.argv[2]
    result = read_xlsx(path) if path.endswith(".xlsx") else read_csv(path)
    with open(output, "w", encoding="utf-8") as handle:
        json.dump(result, handle, ensure_ascii=False)


if __name__ == "__main__":
    main()
