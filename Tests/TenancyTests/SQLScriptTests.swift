import Testing
@testable import Tenancy

@Suite struct SQLScriptTests {
    @Test func splitsAtTopLevelSemicolons() {
        let statements = SQLScript.statements(in: "CREATE TABLE a (x int);\nINSERT INTO a VALUES (1);  \n")
        #expect(statements == ["CREATE TABLE a (x int)", "INSERT INTO a VALUES (1)"])
    }

    @Test func keepsSemicolonsInsideQuotesCommentsAndDollarBodies() {
        let sql = """
            -- a comment; with a semicolon
            INSERT INTO t VALUES ('a;b', 'it''s; fine', E'esc\\';aped');
            /* block; /* nested; */ still; */ SELECT "odd;name" FROM t;
            CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$ BEGIN RETURN 1; END $body$;
            DO $$ BEGIN PERFORM 1; END $$;
            SELECT $1::int
            """
        let statements = SQLScript.statements(in: sql)
        #expect(statements.count == 5)
        #expect(statements[0].hasSuffix("E'esc\\';aped')"))
        #expect(statements[1].contains("SELECT \"odd;name\" FROM t"))
        #expect(statements[2].hasSuffix("END $body$"))
        #expect(statements[3] == "DO $$ BEGIN PERFORM 1; END $$")
        #expect(statements[4] == "SELECT $1::int")
    }

    @Test func dropsEmptyAndCommentOnlyStatements() {
        #expect(SQLScript.statements(in: ";;\n-- nothing\n;  ").isEmpty)
    }

    @Test func migrationFileNames() {
        #expect(Migration.version(ofFileName: "0001_tenant_registry.sql") == 1)
        #expect(Migration.version(ofFileName: "0042_add_x2.sql") == 42)
        #expect(Migration.version(ofFileName: "1_short.sql") == nil)
        #expect(Migration.version(ofFileName: "0001-dash.sql") == nil)
        #expect(Migration.version(ofFileName: "0001_Upper.sql") == nil)
        #expect(Migration.version(ofFileName: "0000_zero.sql") == nil)
        #expect(Migration.version(ofFileName: "0003_.sql") == nil)
    }

    @Test func checksumFollowsText() {
        let a = Migration(version: 1, fileName: "0001_a.sql", sql: "SELECT 1;")
        let b = Migration(version: 1, fileName: "0001_a.sql", sql: "SELECT 2;")
        #expect(a.checksum.count == 64)
        #expect(a.checksum != b.checksum)
        #expect(a.checksum == Migration(version: 1, fileName: "0001_a.sql", sql: "SELECT 1;").checksum)
    }
}
