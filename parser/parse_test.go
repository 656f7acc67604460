package parser

import (
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"

	clickhouse "github.com/AfterShip/clickhouse-sql-parser/parser"

	"github.com/chschema/chschema/schema"
)

func parseText(t *testing.T, src string) (*Result, error) {
	t.Helper()
	stmts, err := Split(src, FileStart)
	if err != nil || len(stmts) != 1 {
		t.Fatalf("Split(%q) = %d statements, %v", src, len(stmts), err)
	}
	return Parse(stmts[0])
}

func TestParseNative(t *testing.T) {
	for _, src := range []string{
		"CREATE TABLE t (x Int32) ENGINE = MergeTree ORDER BY x",
		"CREATE TABLE t (x Int32) ENGINE = MergeTree ORDER BY x # hash comment",
		"CREATE TABLE t (x Int32 /* nested /* comment */ */) ENGINE = MergeTree ORDER BY x",
		"ALTER TABLE t ADD COLUMN y Int32 SETTINGS mutations_sync = 2",
		"CREATE USER IF NOT EXISTS u IDENTIFIED WITH sha256_password BY 'x'",
	} {
		r, err := parseText(t, src)
		if err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		if !r.Native() || r.AST == nil {
			t.Errorf("%s: want a native AfterShip parse, got gap %v workarounds %v", src, r.Gap, r.Workarounds)
		}
	}
}

// TestParseGaps has one case per construct that ClickHouse 26.7 accepts
// (TestGapsAreValidClickHouse checks that on the server) and AfterShip
// v0.5.6 rejects (checked here too).
func TestParseGaps(t *testing.T) {
	for _, tt := range gapCases {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := parseOne(blankComments(tt.sql)); err == nil {
				t.Fatalf("AfterShip now accepts %q: the workaround may go", tt.sql)
			}
			r, err := parseText(t, tt.sql)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var cs []Construct
			for _, w := range r.Workarounds {
				cs = append(cs, w.Construct)
			}
			if !containsConstruct(cs, tt.construct) {
				t.Errorf("workarounds %v, want %q", cs, tt.construct)
			}
			if r.AST == nil && r.Gap == nil {
				t.Error("neither AST nor Gap")
			}
			if tt.check != nil {
				tt.check(t, r)
			}
			// The conversion reads every part the gap layer took out.
			conv, err := Convert(tt.sql, "db")
			if err != nil {
				t.Fatalf("Convert: %v", err)
			}
			for _, u := range conv.Unsupported {
				if u.Unreadable {
					t.Errorf("Convert cannot read it: %+v", u)
				}
			}
		})
	}
}

// TestEveryConstructHasACase reads the Construct constants of gaps.go and
// checks that gapCases has a case for each.
func TestEveryConstructHasACase(t *testing.T) {
	src, err := os.ReadFile("gaps.go")
	if err != nil {
		t.Fatal(err)
	}
	covered := map[Construct]bool{}
	for _, c := range gapCases {
		covered[c.construct] = true
	}
	consts := regexp.MustCompile(`(?m)^\s+Construct\w+\s+Construct = "([^"]+)"`).FindAllStringSubmatch(string(src), -1)
	if len(consts) < 20 {
		t.Fatalf("found %d constructs in gaps.go", len(consts))
	}
	for _, m := range consts {
		if !covered[Construct(m[1])] {
			t.Errorf("no case in gapCases for %q", m[1])
		}
	}
}

func containsConstruct(cs []Construct, c Construct) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}

type gapCase struct {
	name      string
	sql       string
	construct Construct
	check     func(*testing.T, *Result)
}

var gapCases = []gapCase{
	{"SETTINGS after MATERIALIZE INDEX", "ALTER TABLE t MATERIALIZE INDEX i SETTINGS mutations_sync = 2", ConstructAlterSettings,
		func(t *testing.T, r *Result) {
			if len(r.Settings) != 1 || r.Settings[0].Name != "mutations_sync" || r.Settings[0].Value != "2" || r.Settings[0].Pos.Col != 44 {
				t.Errorf("Settings = %+v", r.Settings)
			}
			if _, ok := r.AST.(*clickhouse.AlterTable); !ok {
				t.Errorf("AST = %T, want *AlterTable", r.AST)
			}
		}},
	{"SETTINGS after DROP COLUMN", "ALTER TABLE t DROP COLUMN x SETTINGS mutations_sync = 2, alter_sync = 1", ConstructAlterSettings,
		func(t *testing.T, r *Result) {
			if len(r.Settings) != 2 || r.Settings[1].Name != "alter_sync" {
				t.Errorf("Settings = %+v", r.Settings)
			}
		}},
	{"LIMIT WITH TIES", "CREATE VIEW v AS SELECT a FROM t ORDER BY a LIMIT 2 WITH TIES", ConstructDropped, nil},
	{"ANTI before LEFT", "CREATE VIEW v AS SELECT a FROM t ANTI LEFT JOIN u USING (a)", ConstructAntiFirst, nil},
	{"NATURAL JOIN after an alias", "CREATE VIEW v AS SELECT o.a FROM t AS o NATURAL JOIN u AS p", ConstructJoinKind, nil},
	{"keyword column name in CREATE TABLE", "CREATE TABLE t (id UInt64, order Int32) ENGINE = MergeTree ORDER BY id", ConstructKeywordColumn,
		func(t *testing.T, r *Result) {
			ct := r.AST.(*clickhouse.CreateTable)
			if got := r.Ident(ct.TableSchema.Columns[1].(*clickhouse.ColumnDef).Name.Ident.Name); got != "order" {
				t.Errorf("column name %q", got)
			}
			if r.Workarounds[0].Pos.Col != 28 {
				t.Errorf("workaround at %v, want col 28", r.Workarounds[0].Pos)
			}
			// AST offsets map back to the file through FilePos.
			col := ct.TableSchema.Columns[1].(*clickhouse.ColumnDef)
			if p := r.FilePos(int(col.Type.Pos())); p.Col != 34 {
				t.Errorf("FilePos(type of order) = %v, want col 34", p)
			}
		}},
	{"keyword column name in ALTER", "ALTER TABLE t ADD COLUMN order Int32 AFTER from", ConstructKeywordColumn, nil},
	{"MOD operator", "SELECT 5 MOD 2", ConstructMod, nil},
	{"CASE with a negative operand", "SELECT CASE -x WHEN 1 THEN 2 END", ConstructCaseNegative, nil},
	{"hexadecimal float", "SELECT 0x1.8p-1 + 1", ConstructHexFloat, nil},
	{"query settings after a table comment", "CREATE TABLE t (a UInt8) ENGINE = Memory COMMENT 'c' SETTINGS allow_suspicious_codecs = 1", ConstructQueryClause, nil},
	{"DROP FUNCTION", "DROP FUNCTION IF EXISTS my_func ON CLUSTER c", ConstructDropFunction,
		func(t *testing.T, r *Result) {
			g := r.Gap.(*DropFunction)
			if g.Name != "my_func" || !g.IfExists || g.Cluster != "c" {
				t.Errorf("gap = %+v", g)
			}
		}},
	{"RENAME TABLE IF EXISTS", "RENAME TABLE IF EXISTS db.a TO db.b, c TO d", ConstructRenameIfExists,
		func(t *testing.T, r *Result) {
			g := r.Gap.(*RenameTables)
			if len(g.Pairs) != 2 || g.Pairs[0].From.String() != "db.a" || g.Pairs[1].To.Name != "d" || g.Pairs[0].To.Pos.Col != 32 {
				t.Errorf("gap = %+v", g)
			}
		}},
	{"negative dictionary DEFAULT", "CREATE DICTIONARY d (k UInt64, v Int64 DEFAULT -1, f Float64 DEFAULT -2.5) PRIMARY KEY k SOURCE(NULL()) LAYOUT(FLAT()) LIFETIME(0)",
		ConstructDictDefault, nil},
	{"CREATE TABLE AS WITH", "CREATE TABLE t ENGINE = MergeTree ORDER BY tuple() AS WITH 1 AS y SELECT y + 1 AS z", ConstructTableQuery, nil},
	{"CREATE TABLE AS (SELECT)", "CREATE TABLE t ENGINE = MergeTree ORDER BY tuple() AS (SELECT 1 AS z)", ConstructTableQuery, nil},
	{"EXISTS", "EXISTS TABLE db.t", ConstructKeywordStatement, nil},
	{"EXPLAIN SELECT", "EXPLAIN SELECT 1", ConstructExplain, nil},
	{"EXPLAIN QUERY TREE with a setting", "EXPLAIN QUERY TREE dump_ast = 1 SELECT 1", ConstructExplain, nil},
	{"CREATE TABLE AS t ORDER BY", "CREATE TABLE t2 AS db.t ORDER BY s SETTINGS index_granularity = 512", ConstructAsClauses, nil},
	{"KILL QUERY", "KILL QUERY WHERE query_id = 'x' ASYNC", ConstructOpaque,
		func(t *testing.T, r *Result) {
			if g, ok := r.Gap.(*Opaque); !ok || g.Kind != "KILL QUERY" {
				t.Errorf("gap = %+v", r.Gap)
			}
		}},
	{"BACKUP", "BACKUP TABLE t TO Disk('backups', '1.zip')", ConstructOpaque, nil},
	{"INTERSECT and EXCEPT between queries", "SELECT 1 UNION DISTINCT SELECT 2 INTERSECT SELECT 2 EXCEPT SELECT 3", ConstructOpaque, nil},
	{"MOVE USER", "MOVE USER u TO local_directory", ConstructOpaque, nil},
	{"PARALLEL WITH", "DROP TABLE a PARALLEL WITH DROP TABLE b", ConstructParallelWith,
		func(t *testing.T, r *Result) {
			if g, ok := r.Gap.(*ParallelWith); !ok || len(g.Parts) != 2 {
				t.Errorf("gap = %+v", r.Gap)
			}
		}},
	{"INTO OUTFILE", "SELECT 1 INTO OUTFILE 'x.csv' TRUNCATE AND STDOUT FORMAT CSV SETTINGS max_threads = 1", ConstructOutput, nil},
	{"CREATE WINDOW VIEW", "CREATE WINDOW VIEW IF NOT EXISTS db.wv TO db.dst WATERMARK=ASCENDING ALLOWED_LATENESS=INTERVAL '2' SECOND AS SELECT count(a) AS c FROM t GROUP BY tumble(ts, INTERVAL '1' SECOND) AS w_id",
		ConstructWindowView, nil},
	{"UNDROP TABLE", "UNDROP TABLE db.t", ConstructKeywordStatement, nil},
	{"MODIFY TTL RECOMPRESS CODEC list", "ALTER TABLE t MODIFY TTL d + toIntervalDay(1) RECOMPRESS CODEC(ZSTD(3), LZ4HC(2)), d + toIntervalDay(9) DELETE", ConstructOwnReader, nil},
	{"RENAME without TABLE", "RENAME a TO db.b, `c d` TO e", ConstructRenameNoKind,
		func(t *testing.T, r *Result) {
			g := r.Gap.(*RenameTables)
			if len(g.Pairs) != 2 || g.Kind != "TABLE" || g.IfExists || g.Pairs[0].To.String() != "db.b" || g.Pairs[1].From.Name != "c d" {
				t.Errorf("gap = %+v", g)
			}
		}},
	{"named args in index type", "CREATE TABLE t (s String, INDEX i s TYPE text(tokenizer = splitByNonAlpha) GRANULARITY 1) ENGINE = MergeTree ORDER BY tuple()", ConstructIndexArgs, nil},
	{"index without GRANULARITY", "ALTER TABLE t ADD INDEX i s TYPE minmax", ConstructGranularity, nil},
	{"ALTER DATABASE MODIFY COMMENT", "ALTER DATABASE `d b` ON CLUSTER '{cluster}' MODIFY COMMENT 'it''s'", ConstructAlterDatabase,
		func(t *testing.T, r *Result) {
			g := r.Gap.(*AlterDatabase)
			if g.Name.Name != "d b" || g.Name.Pos.Col != 16 || g.Cluster != "{cluster}" || g.Comment != "it's" {
				t.Errorf("gap = %+v", g)
			}
		}},
	{"EXCHANGE TABLES", "EXCHANGE TABLES db.a AND `b`", ConstructExchange,
		func(t *testing.T, r *Result) {
			g := r.Gap.(*ExchangeTables)
			if g.A.Database != "db" || g.A.Name != "a" || g.B.Name != "b" || g.B.Pos.Col != 26 {
				t.Errorf("gap = %+v", g)
			}
		}},
	{"COMMENT COLUMN", "ALTER TABLE t COMMENT COLUMN x 'the x', DROP COLUMN y", ConstructCommentColumn,
		func(t *testing.T, r *Result) {
			g := r.Gap.(*AlterTable)
			if len(g.Commands) != 2 || g.Commands[0].Gap.(*CommentColumn).Comment != "the x" || g.Commands[1].AST == nil || g.Commands[1].Pos.Col != 41 {
				t.Errorf("gap = %+v", g)
			}
		}},
	{"MODIFY COMMENT", "ALTER TABLE db.t MODIFY COMMENT 'it''s a table' SETTINGS alter_sync = 2", ConstructModifyComment,
		func(t *testing.T, r *Result) {
			g := r.Gap.(*AlterTable)
			if g.Table.String() != "db.t" || g.Commands[0].Gap.(*ModifyComment).Comment != "it's a table" || len(g.Settings) != 1 {
				t.Errorf("gap = %+v", g)
			}
		}},
	{"EPHEMERAL column", "CREATE TABLE t (x Int32, y Int32 EPHEMERAL, z String EPHEMERAL 'a') ENGINE = MergeTree ORDER BY x", ConstructEphemeral, nil},
	{"CREATE SETTINGS PROFILE", "CREATE SETTINGS PROFILE IF NOT EXISTS p SETTINGS max_memory_usage = 1", ConstructAccessControl,
		func(t *testing.T, r *Result) {
			if g := r.Gap.(*AccessControl); g.Kind != "CREATE SETTINGS PROFILE" || !g.IfNotExists {
				t.Errorf("gap = %+v", g)
			}
		}},
	{"CREATE QUOTA", "CREATE QUOTA IF NOT EXISTS q FOR INTERVAL 1 hour MAX queries = 10 TO r", ConstructAccessControl, nil},
	{"CREATE ROW POLICY", "CREATE ROW POLICY IF NOT EXISTS p ON db.t USING x = 1 TO r", ConstructAccessControl, nil},
	{"CREATE USER short form", "CREATE USER IF NOT EXISTS u IDENTIFIED BY 'x' DEFAULT ROLE r", ConstructAccessControl, nil},
	{"ALTER USER", "ALTER USER u SETTINGS max_memory_usage = 1", ConstructAccessControl, nil},
	{"GRANT role", "GRANT r TO u", ConstructAccessControl, nil},
	{"REVOKE", "REVOKE SELECT ON db.* FROM r", ConstructAccessControl, nil},
	{"SET DEFAULT ROLE", "SET DEFAULT ROLE r TO u", ConstructAccessControl, nil},
	{"EXCEPT without parentheses", "CREATE VIEW v AS SELECT * EXCEPT kv FROM t", ConstructTransformer, nil},
	{"APPLY without parentheses", "SELECT COLUMNS('^i') APPLY toString FROM t", ConstructTransformer, nil},
	{"DETACH PERMANENTLY", "DETACH TABLE t PERMANENTLY", ConstructPermanently, nil},
	{"ATTACH DICTIONARY", "ATTACH DICTIONARY IF NOT EXISTS db.d", ConstructAttach,
		func(t *testing.T, r *Result) {
			if g := r.Gap.(*Attach); g.Kind != "DICTIONARY" || g.Name.String() != "db.d" || !g.IfNotExists {
				t.Errorf("gap = %+v", g)
			}
		}},
	{"number with _ separators", "CREATE TABLE t (a UInt8) ENGINE = MergeTree ORDER BY a SETTINGS index_granularity = 8_192", ConstructNumberSeparators,
		func(t *testing.T, r *Result) {
			if !strings.Contains(r.Text, "index_granularity = 8192 ") {
				t.Errorf("Text = %q", r.Text)
			}
		}},
	{"ALTER TABLE t (command), (command)", "ALTER TABLE t (ADD COLUMN b UInt8 ALIAS a), (DROP COLUMN c)", ConstructAlterParens, nil},
	{"keyword as a table name", "CREATE TABLE IF NOT EXISTS settings (a UInt8) ENGINE = Memory", ConstructKeywordTable,
		func(t *testing.T, r *Result) {
			conv, err := Convert(r.Stmt.Text, "db")
			if err != nil || len(conv.Changes) != 1 || conv.Changes[0].(*schema.AddTable).Name.Name != "settings" {
				t.Errorf("Convert = %+v, %v", conv, err)
			}
		}},
	{"DIV operator", "CREATE TABLE t (a Int32, b Int32 DEFAULT a DIV 2) ENGINE = MergeTree ORDER BY a", ConstructMod, nil},
	{"keyword column in DROP COLUMN", "ALTER TABLE t DROP COLUMN IF EXISTS order", ConstructKeywordColumn,
		func(t *testing.T, r *Result) {
			if r.Text != "ALTER TABLE t DROP COLUMN IF EXISTS Z0___" {
				t.Errorf("Text = %q", r.Text)
			}
		}},
	{"FIRST on ADD COLUMN", "ALTER TABLE t ADD COLUMN f UInt64 FIRST, DROP COLUMN g", ConstructPlacement,
		func(t *testing.T, r *Result) {
			g := r.Gap.(*AlterTable)
			if len(g.Commands) != 2 || g.Commands[0].AST == nil || g.Commands[1].Pos.Col != 42 {
				t.Errorf("gap = %+v", g)
			}
		}},
	{"CONSTRAINT ASSUME", "CREATE TABLE t (k UInt64, CONSTRAINT c ASSUME k < 100) ENGINE = MergeTree ORDER BY k", ConstructConstraint, nil},
	{"ADD CONSTRAINT", "ALTER TABLE t ADD CONSTRAINT c CHECK k >= 0", ConstructConstraint,
		func(t *testing.T, r *Result) {
			if g := r.Gap.(*AlterTable).Commands[0].Gap.(*KeywordCommand); g.Head != "ADD CONSTRAINT" {
				t.Errorf("gap = %+v", g)
			}
		}},
	{"MODIFY SAMPLE BY", "ALTER TABLE t MODIFY SAMPLE BY k", ConstructAlterCommand, nil},
	{"APPLY DELETED MASK", "ALTER TABLE t APPLY DELETED MASK", ConstructAlterCommand, nil},
	{"MODIFY COLUMN without a type", "ALTER TABLE t MODIFY COLUMN v COMMENT 'c'", ConstructAlterCommand, nil},
	{"RENAME COLUMN with keyword names", "ALTER TABLE t RENAME COLUMN IF EXISTS order TO from", ConstructKeywordColumn, nil},
	{"INT UNSIGNED", "CREATE TABLE t (a INT UNSIGNED) ENGINE = MergeTree ORDER BY a", ConstructTypeWords, nil},
	{"NULLS LAST", "SELECT a FROM t ORDER BY a DESC NULLS LAST", ConstructNulls, nil},
	{"lambda without parentheses", "CREATE FUNCTION f AS x -> x + 1", ConstructLambda, nil},
	{"COMMENT after a view's query", "CREATE VIEW v AS SELECT 1 AS a COMMENT 'the view'", ConstructViewComment, nil},
	{"TTL GROUP BY SET", "CREATE TABLE t (k UInt64, d DateTime, v UInt64) ENGINE = MergeTree ORDER BY k TTL d + INTERVAL 1 DAY GROUP BY k SET v = max(v)", ConstructOwnReader, nil},
	// AfterShip panics on PARTITION ALL (issue 11); it rejects PARTITION ID
	// and PART.
	{"ATTACH PARTITION ALL", "ALTER TABLE t ATTACH PARTITION ALL", ConstructPartition, nil},
	{"DROP PARTITION ID", "ALTER TABLE t DROP PARTITION ID '2024', DETACH PARTITION ID '2023'", ConstructPartition, nil},
	{"DROP PART", "ALTER TABLE t DROP PART 'all_1_1_0'", ConstructPartition, nil},
	{"DELETE IN PARTITION", "ALTER TABLE t DELETE IN PARTITION 1 WHERE x = 1", ConstructPartition, nil},
	{"FORGET PARTITION", "ALTER TABLE t FORGET PARTITION '2024'", ConstructPartition, nil},
	// Issue 11: TTL d + INTERVAL '7 days' passed lint and was dropped.
	{"INTERVAL string", "CREATE TABLE t (d DateTime, e DateTime DEFAULT d + INTERVAL '7 days') ENGINE = MergeTree ORDER BY d", ConstructInterval, nil},
	{"INTERVAL string in a SELECT", "INSERT INTO t SELECT now() - INTERVAL '1 day 2 hours'", ConstructInterval, nil},
	// Issue 11: valid SQL that offline lint rejected.
	{"INSERT ... WITH", "INSERT INTO t (x) WITH 1 AS y SELECT y", ConstructInsertQuery, nil},
	{"INSERT ... SETTINGS", "INSERT INTO t (x) SETTINGS max_threads = 1 SELECT 1", ConstructInsertQuery, nil},
	{"keyword column in INSERT", "INSERT INTO t (Window, order) SELECT 'x', 1", ConstructKeywordColumn, nil},
	{"float in SETTINGS", "CREATE TABLE t (a UInt8) ENGINE = MergeTree ORDER BY a SETTINGS min_compress_block_size = 1e6, ratio_of_defaults_for_sparse_serialization = 0.9", ConstructSettingFloat, nil},
	{"float in MODIFY SETTING", "ALTER TABLE t MODIFY SETTING ratio_of_defaults_for_sparse_serialization = .5", ConstructSettingFloat, nil},
	{"ALIAS without a type", "CREATE TABLE t (a UInt8, b ALIAS a + 1 COMMENT 'b', c MATERIALIZED a * 2) ENGINE = Memory", ConstructTypeless, nil},
	{"ADD COLUMN ALIAS without a type", "ALTER TABLE t ADD COLUMN b ALIAS a + 1", ConstructTypeless, nil},
	{"CREATE TABLE without ENGINE", "CREATE TABLE t (a UInt8) ORDER BY a SETTINGS index_granularity = 64", ConstructNoEngine, nil},
	{"name that starts with a digit", "CREATE TABLE 01681_db.02725_cnf (a UInt8, 1c String, INDEX 2i a TYPE minmax) ENGINE = MergeTree ORDER BY (a, 1c)", ConstructDigitName, nil},
	{"DROP several tables", "DROP TABLE IF EXISTS IF EMPTY a, db.b SYNC SETTINGS max_table_size_to_drop = 0", ConstructDrop, nil},
	{"TRUNCATE DATABASE", "TRUNCATE DATABASE IF EXISTS db ON CLUSTER c", ConstructTruncate, nil},
	{"TRUNCATE ALL TABLES", "TRUNCATE ALL TABLES FROM db NOT LIKE 'keep%'", ConstructTruncate, nil},
	{"SYSTEM STOP TTL MERGES", "SYSTEM STOP TTL MERGES db.t", ConstructSystem,
		func(t *testing.T, r *Result) {
			if g, ok := r.Gap.(*System); !ok || g.Command != "STOP TTL MERGES" {
				t.Errorf("Gap = %#v", r.Gap)
			}
		}},
	{"INSERT VALUES rows without commas", "INSERT INTO t VALUES (1, 'a') (2, {'k': 'v'})", ConstructInsertData, nil},
	{"INSERT FORMAT data", "INSERT INTO t FORMAT JSONEachRow {\"a\": 1}", ConstructInsertData, nil},
	{"INSERT (*)", "INSERT INTO t (* EXCEPT b) SELECT 1", ConstructInsertColumns, nil},
	{"REPLACE TABLE", "REPLACE TABLE t (a UInt8) ENGINE = Memory", ConstructReplace,
		func(t *testing.T, r *Result) {
			if st, ok := r.AST.(*clickhouse.CreateTable); !ok || !st.OrReplace {
				t.Errorf("AST = %#v", r.AST)
			}
		}},
	{"UUID clauses", "ATTACH MATERIALIZED VIEW mv UUID 'e15f3ab5-6cae-4df3-b879-f40deafd82c2' TO INNER UUID '3bd68e3c-2693-4352-ad66-a66eba9e345e' (n Int32) ENGINE = MergeTree ORDER BY n AS SELECT n FROM src", ConstructUUID, nil},
	{"ALTER COLUMN TYPE", "ALTER TABLE t ALTER COLUMN x TYPE Float32", ConstructAlterType, nil},
	{"ENGINE before AS table", "CREATE TABLE t2 ENGINE = Memory AS t1", ConstructEngineBefore, nil},
	{"EMPTY AS SELECT", "CREATE TABLE t ENGINE = Memory EMPTY AS SELECT 1 AS x", ConstructEmpty, nil},
	{"COLLATE", "CREATE TABLE c (x varchar(255) COLLATE utf8_unicode_ci NOT NULL) ENGINE = Memory", ConstructCollate, nil},
	{"LAYOUT without parentheses", "CREATE DICTIONARY d (k UInt64, v String) PRIMARY KEY k SOURCE(NULL()) LAYOUT(HASHED) LIFETIME(0)", ConstructBareLayout, nil},
	{"dictionary DEFAULT literals", "CREATE DICTIONARY d (k UInt64, v Int64 DEFAULT -1, a Array(Int64) DEFAULT [1, 2], f Float64 DEFAULT 1.5) PRIMARY KEY k SOURCE(NULL()) LAYOUT(FLAT()) LIFETIME(0)", ConstructDictDefault, nil},
	{"SQL SECURITY", "CREATE VIEW v DEFINER = default SQL SECURITY DEFINER AS SELECT 1 AS a", ConstructSQLSecurity, nil},
	{"MODIFY SQL SECURITY", "ALTER TABLE v MODIFY SQL SECURITY INVOKER", ConstructSQLSecurity, nil},
	{"REFRESH with RANDOMIZE FOR, DEPENDS ON, SETTINGS and APPEND", "CREATE MATERIALIZED VIEW v REFRESH EVERY 1 HOUR 30 MINUTE OFFSET 5 MINUTE RANDOMIZE FOR 1 MINUTE DEPENDS ON a, db.b SETTINGS refresh_retries = 2 APPEND TO t AS SELECT 1 AS x", ConstructRefresh, nil},
	{"MODIFY REFRESH", "ALTER TABLE v MODIFY REFRESH AFTER 90 SECOND SETTINGS refresh_retries = 1", ConstructRefresh, nil},
	{"INTERVAL unit abbreviation", "CREATE TABLE t (d DateTime, e DateTime DEFAULT d + INTERVAL 1 + 1 SQL_TSI_DAY) ENGINE = Memory", ConstructInterval, nil},
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		line, col int
		msg       string
	}{
		{"misspelled keyword", "\n\n  CREAT TABLE t (x Int32)", 3, 3, `unexpected token: "CREAT"`},
		{"missing paren", "CREATE TABLE t (x Int32\nENGINE = MergeTree ORDER BY x", 2, 1, "expected ')'"},
		{"error after a comment", "SELECT /* ( */ 1 +", 1, 19, ""},
		{"error in an ALTER command next to a gap", "ALTER TABLE t COMMENT COLUMN x 'a', DORP COLUMN y", 1, 37, ""},
		{"MOD inside an unclosed paren", "SELECT (5 MOD 2", 1, 16, "expected ')'"},
		{"DROP FUNCTION without a name", "DROP FUNCTION", 1, 6, ""},
		{"EXCHANGE without AND", "EXCHANGE TABLES a b", 1, 1, ""},
		{"broken INSERT query", "INSERT INTO t (x) WITH 1 AS SELECT y", 1, 36, ""},
		{"broken INSERT head", "INSERT INTO t (x,) WITH 1 AS y SELECT y", 1, 20, ""},
		{"bare BACKUP", "BACKUP", 1, 1, ""},
		{"broken statement after EXECUTE AS", "EXECUTE AS u CREAT TABLE t", 1, 14, ""},
		{"KILL QUERY without WHERE", "KILL QUERY", 1, 1, ""},
		{"KILL of no kind", "KILL x WHERE 1", 1, 1, ""},
		{"broken part of PARALLEL WITH", "DROP TABLE a PARALLEL WITH DORP TABLE b", 1, 28, ""},
		{"broken query after EXPLAIN PLAN", "EXPLAIN PLAN indexes = 1 SELEC 1", 1, 26, ""},
		{"INTO OUTFILE before a broken FORMAT", "SELECT 1 +, 2 INTO OUTFILE 'x'", 1, 11, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseText(t, tt.src)
			var pe *ParseError
			if !errors.As(err, &pe) || !errors.Is(err, ErrSyntax) {
				t.Fatalf("err = %v, want a *ParseError", err)
			}
			if pe.Pos.Line != tt.line || pe.Pos.Col != tt.col || !strings.Contains(pe.Msg, tt.msg) || strings.Contains(pe.Msg, "\n") {
				t.Errorf("err = %q, want %d:%d: …%s…", err, tt.line, tt.col, tt.msg)
			}
		})
	}
}

func TestParseAllCollectsErrors(t *testing.T) {
	src := "SELEC 1;\nSELECT 2;\nCREAT TABLE x;\nSELECT 'x"
	results, err := ParseAll(src, FileStart)
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 3 {
		t.Fatalf("err = %v, want 3 errors", err)
	}
	if len(results) != 1 {
		t.Errorf("got %d results, want 1", len(results))
	}
	if !strings.HasPrefix(list[0].Error(), "1:1:") || !strings.HasPrefix(list[1].Error(), "3:1:") || !strings.HasPrefix(list[2].Error(), "4:8:") {
		t.Errorf("errors = %v", list)
	}
}

// FuzzParse checks that Parse (AfterShip plus the gap recognisers) never
// panics and reports errors inside the statement.
func FuzzParse(f *testing.F) {
	for _, c := range gapCases {
		f.Add(c.sql)
	}
	f.Add("ALTER TABLE t COMMENT COLUMN")
	f.Fuzz(func(t *testing.T, src string) {
		stmts, _ := Split(src, FileStart)
		for _, s := range stmts {
			r, err := Parse(s)
			var pe *ParseError
			if errors.As(err, &pe) && (pe.Pos.Offset < s.Pos.Offset || pe.Pos.Offset > s.Pos.Offset+len(s.Text)) {
				t.Fatalf("error %v outside the statement %q", err, s.Text)
			}
			if err == nil && (len(r.Text) != len(s.Text) || !r.Native() && len(r.Workarounds) == 0) {
				t.Fatalf("%q: text %q, workarounds %v", s.Text, r.Text, r.Workarounds)
			}
			if err == nil && !r.Native() {
				// Reading the parts taken out must not panic either.
				_, _ = Convert(s.Text, "db")
			}
		}
	})
}

// TestAfterShipFormatterGaps pins three facts about AfterShip v0.5.6's
// formatter (ch.Format), which chschema therefore never uses to print a
// statement: it writes ADD INDEX IF NOT EXISTS as invalid SQL, DETACH as
// DROP and ATTACH as CREATE. The conversion reads these statements into
// the right changes, and chschema's own renderers print the SQL.
func TestAfterShipFormatterGaps(t *testing.T) {
	tests := []struct {
		sql, afterShipPrints string
		check                func(*testing.T, schema.Change)
	}{
		{"ALTER TABLE t ADD INDEX IF NOT EXISTS i x TYPE minmax GRANULARITY 1", "ALTER TABLE t ADD IF NOT EXISTS INDEX i x TYPE minmax GRANULARITY 1",
			func(t *testing.T, c schema.Change) {
				m := c.(*schema.ModifyTable).Changes[0].(*schema.AddIndex)
				if !m.IfNotExists || m.I.Name != "i" || m.I.Type != "minmax" {
					t.Errorf("change = %+v", m)
				}
			}},
		{"DETACH DICTIONARY d", "DROP DICTIONARY d",
			func(t *testing.T, c schema.Change) {
				if d, ok := c.(*schema.DetachObject); !ok || d.Kind != schema.KindDictionary {
					t.Errorf("change = %#v", c)
				}
			}},
		{"ATTACH TABLE t", "CREATE TABLE t",
			func(t *testing.T, c schema.Change) {
				if _, ok := c.(*schema.AttachObject); !ok {
					t.Errorf("change = %#v", c)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			ast, err := parseOne(tt.sql)
			if err != nil {
				t.Fatal(err)
			}
			if got := clickhouse.Format(ast); got != tt.afterShipPrints {
				t.Errorf("AfterShip now prints %q, not %q: recheck the gap", got, tt.afterShipPrints)
			}
			conv, err := Convert(tt.sql, "db")
			if err != nil || len(conv.Changes) != 1 || len(conv.Unsupported) != 0 {
				t.Fatalf("Convert = %+v, %v", conv, err)
			}
			tt.check(t, conv.Changes[0])
		})
	}
	// The broken ADD INDEX form does not even parse again.
	if _, err := parseOne("ALTER TABLE t ADD IF NOT EXISTS INDEX i x TYPE minmax GRANULARITY 1"); err == nil {
		t.Error("AfterShip accepts its own ADD IF NOT EXISTS INDEX")
	}
}
