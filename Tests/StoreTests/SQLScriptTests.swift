import Store
import TestSupport
import Testing

@Suite struct SQLScriptTests {
    @Test func splitsOnSemicolonsOutsideQuotesAndComments() {
        let sql = """
            -- a comment; with a semicolon
            CREATE TABLE a (x text DEFAULT 'it''s; fine');
            /* block; /* nested; */ still comment; */
            SELECT "weird;name" FROM a;
            SELECT E'back\\'slash;';
            CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;
            DO $body$ BEGIN PERFORM 1; END $body$;
            SELECT $1::int;
            """
        let statements = SQLScript.statements(sql)
        #expect(statements.count == 6)
        #expect(statements[0].hasSuffix("CREATE TABLE a (x text DEFAULT 'it''s; fine')"))
        #expect(statements[1].hasSuffix("SELECT \"weird;name\" FROM a"))
        #expect(statements[2] == "SELECT E'back\\'slash;'")
        #expect(statements[3] == "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$")
        #expect(statements[4] == "DO $body$ BEGIN PERFORM 1; END $body$")
        #expect(statements[5] == "SELECT $1::int")
    }

    @Test func dropsEmptyAndCommentOnlyStatements() {
        #expect(SQLScript.statements(";;  -- nothing\n ; /* x */").isEmpty)
        #expect(SQLScript.statements("SELECT 1") == ["SELECT 1"])
    }

    @Test func plainQuotesKeepBackslashesLiteral() {
        // standard_conforming_strings: in '…' a backslash is an ordinary character.
        #expect(SQLScript.statements("SELECT 'a\\'; SELECT 2") == ["SELECT 'a\\'", "SELECT 2"])
    }
}
