package main

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/chschema/chschema/internal/chtest"
	"github.com/chschema/chschema/schema"
	"github.com/google/go-cmp/cmp"
)

// The tests of "a section is a session": each runs the built binary and
// asserts on what the server holds and logged (system.tables,
// system.query_log: the database and the settings each statement ran
// with), never on chschema's own output alone.

// loggedStatement is what the query log says of one migration statement.
type loggedStatement struct {
	Database string
	// Deprecated is the statement's allow_deprecated_syntax_for_merge_tree
	// ("" when not changed).
	Deprecated string
}

// loggedStatements reads, for the statements of svc/version that finished
// in the runs against database db, where each ran and with which setting,
// by 0-based index (the last run's entry for each).
func loggedStatements(t *testing.T, c driver.Conn, svc string, version int) map[int]loggedStatement {
	t.Helper()
	ctx := context.Background()
	if err := c.Exec(ctx, "SYSTEM FLUSH LOGS"); err != nil {
		t.Fatal(err)
	}
	rows, err := c.Query(ctx, `SELECT query_id, current_database, Settings['allow_deprecated_syntax_for_merge_tree']
		FROM system.query_log WHERE type = 'QueryFinish' AND startsWith(query_id, 'chschema:') AND query_id LIKE ?
		ORDER BY event_time_microseconds`, fmt.Sprintf("%%:%s:%d:%%", svc, version))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int]loggedStatement{}
	for rows.Next() {
		var id string
		var l loggedStatement
		if err := rows.Scan(&id, &l.Database, &l.Deprecated); err != nil {
			t.Fatal(err)
		}
		parts := strings.Split(id, ":")
		var idx int
		fmt.Sscan(parts[len(parts)-2], &idx)
		out[idx] = l
	}
	return out
}

// tableList lists the tables of the databases, as "db.name", sorted.
func tableList(t *testing.T, c driver.Conn, databases ...string) []string {
	t.Helper()
	rows, err := c.Query(context.Background(), "SELECT database || '.' || name FROM system.tables WHERE has(?, database) AND NOT startsWith(name, 'chschema') ORDER BY 1", databases)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// sessionMigrations writes the migrations of the session tests into dir:
// 0001 makes tables t and kept in the DSN's database; 0002 switches to
// another database with USE, SETs a setting an old-style MergeTree needs,
// and fills a table from a temporary table, all unqualified; 0003 creates
// an unqualified table, which must land in the DSN's database without the
// SET. The down sections undo them the same way.
func sessionMigrations(t *testing.T, dir, other string) {
	t.Helper()
	writeMigration(t, dir, "svc", "0001_base.sql", []string{
		"CREATE TABLE t (x UInt8) ENGINE = Memory",
		"CREATE TABLE kept (x UInt8) ENGINE = Memory",
	}, "DROP TABLE kept;\nDROP TABLE t;")
	writeMigration(t, dir, "svc", "0002_other.sql", []string{
		"CREATE DATABASE " + other,
		"USE " + other,
		"CREATE TABLE t (x UInt8) ENGINE = Memory",
		"SET allow_deprecated_syntax_for_merge_tree = 1",
		"CREATE TABLE old (d Date, k UInt64) ENGINE = MergeTree(d, k, 8192)",
		"CREATE TEMPORARY TABLE tmp (x UInt8)",
		"INSERT INTO tmp VALUES (1), (2), (3)",
		"INSERT INTO t SELECT x FROM tmp",
		"DROP TEMPORARY TABLE tmp",
	}, "USE "+other+";\nDROP TABLE old;\nDROP TABLE t;\nUSE default;\nDROP DATABASE "+other+";")
	writeMigration(t, dir, "svc", "0003_c.sql", []string{
		"CREATE TABLE c (x UInt8) ENGINE = Memory",
	}, "DROP TABLE c;")
}

// TestSectionIsASession applies a migration that relies on its session
// (USE, SET before an old-style MergeTree, a temporary table filled and
// read by later statements) on a fresh database in one run, and after a
// previous migrate (whose drift check and history reads leave several
// connections in the pool): every statement after the USE runs in the
// other database with the SET, per the query log; the next section starts
// clean, in the DSN's database without the setting; the model agrees (diff
// is clean). Then down runs the down sections, also one session each: the
// DROP TABLE t after USE drops the other database's t, not the DSN's.
func TestSectionIsASession(t *testing.T) {
	bin := sharedBinary(t)
	for _, tc := range []struct {
		name string
		// first, when set, is a migrate --to 1 before the migrate of all.
		first bool
	}{{"fresh", false}, {"after_a_previous_migrate", true}} {
		t.Run(tc.name, func(t *testing.T) {
			db := chtest.New(t)
			other := db.Name + "_other"
			t.Cleanup(func() {
				_ = db.Conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+schema.QuoteIdent(other)+" SYNC")
			})
			work := t.TempDir()
			sessionMigrations(t, work, other)
			args := []string{"--dir", work, "--dsn", db.DSN}
			if tc.first {
				if r := runBinary(t, bin, work, nil, append([]string{"migrate", "--to", "1"}, args...)...); r.code != 0 {
					t.Fatalf("migrate --to 1: exit %d\n%s%s", r.code, r.stdout, r.stderr)
				}
			}
			if r := runBinary(t, bin, work, nil, append([]string{"migrate"}, args...)...); r.code != 0 {
				t.Fatalf("migrate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			want := []string{db.Name + ".c", db.Name + ".kept", db.Name + ".t", other + ".old", other + ".t"}
			if d := cmp.Diff(want, tableList(t, db.Conn, db.Name, other)); d != "" {
				t.Errorf("tables (-want +got):\n%s", d)
			}
			if n := count(t, db.Conn, "SELECT count() FROM "+schema.QuoteIdent(other)+".t"); n != 3 {
				t.Errorf("%s.t holds %d rows, want the temporary table's 3", other, n)
			}
			two := loggedStatements(t, db.Conn, "svc", 2)
			for i := 0; i < 9; i++ {
				wantDB, wantSet := db.Name, ""
				if i >= 2 {
					wantDB = other
				}
				if i >= 4 {
					wantSet = "1"
				}
				if got := two[i]; got.Database != wantDB || got.Deprecated != wantSet {
					t.Errorf("svc/0002 statement %d ran in %q with allow_deprecated_syntax_for_merge_tree %q, want %q and %q", i+1, got.Database, got.Deprecated, wantDB, wantSet)
				}
			}
			if got := loggedStatements(t, db.Conn, "svc", 3)[0]; got.Database != db.Name || got.Deprecated != "" {
				t.Errorf("svc/0003 ran in %q with allow_deprecated_syntax_for_merge_tree %q: it inherited the previous section's session", got.Database, got.Deprecated)
			}
			if r := runBinary(t, bin, work, nil, append([]string{"diff"}, args...)...); r.code != 0 {
				t.Errorf("diff after migrate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}

			if r := runBinary(t, bin, work, nil, append([]string{"down", "--to", "1", "--allow-data-loss"}, args...)...); r.code != 0 {
				t.Fatalf("down --to 1: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			if d := cmp.Diff([]string{db.Name + ".kept", db.Name + ".t"}, tableList(t, db.Conn, db.Name, other)); d != "" {
				t.Errorf("tables after down --to 1 (-want +got):\n%s", d)
			}
			if n := count(t, db.Conn, "SELECT count() FROM system.databases WHERE name = ?", other); n != 0 {
				t.Errorf("the down section did not drop %s", other)
			}
			if r := runBinary(t, bin, work, nil, append([]string{"diff"}, args...)...); r.code != 0 {
				t.Errorf("diff after down: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
		})
	}
}

// TestInitSQLIsASession: init.sql is a section too: its USE reaches its
// own statements, and the migrations after it start in the DSN's database.
// On a first deploy (the DSN's database created by init.sql), the
// statements after the CREATE DATABASE land in it, and a SET in init.sql
// does not reach the migrations.
func TestInitSQLIsASession(t *testing.T) {
	bin := sharedBinary(t)
	db := chtest.New(t)
	app, aux := db.Name+"_app", db.Name+"_aux"
	t.Cleanup(func() {
		for _, d := range []string{app, aux} {
			_ = db.Conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+schema.QuoteIdent(d)+" SYNC")
		}
	})
	work := t.TempDir()
	writeFile(t, filepath.Join(work, "init.sql"), strings.Join([]string{
		"CREATE DATABASE IF NOT EXISTS " + app + ";",
		"CREATE TABLE IF NOT EXISTS settings_seen (x UInt8) ENGINE = Memory;", // in app, created just now
		"SET allow_deprecated_syntax_for_merge_tree = 1;",
		"CREATE DATABASE IF NOT EXISTS " + aux + ";",
		"USE " + aux + ";",
		"CREATE TABLE IF NOT EXISTS legacy (d Date, k UInt64) ENGINE = MergeTree(d, k, 8192);",
	}, "\n")+"\n")
	writeMigration(t, work, "svc", "0001_events.sql", []string{
		"CREATE TABLE events (x UInt8) ENGINE = Memory",
	}, "DROP TABLE events;")
	dsn := strings.TrimSuffix(db.DSN, "/"+db.Name) + "/" + app
	args := []string{"--dir", work, "--dsn", dsn}
	for run := 1; run <= 2; run++ { // init.sql runs on every migrate
		if r := runBinary(t, bin, work, nil, append([]string{"migrate"}, args...)...); r.code != 0 {
			t.Fatalf("migrate %d: exit %d\n%s%s", run, r.code, r.stdout, r.stderr)
		}
	}
	want := []string{app + ".events", app + ".settings_seen", aux + ".legacy"}
	if d := cmp.Diff(want, tableList(t, db.Conn, app, aux)); d != "" {
		t.Errorf("tables (-want +got):\n%s", d)
	}
	if n := count(t, db.Conn, "SELECT count() FROM system.tables WHERE database IN ('default', ?) AND name IN ('events', 'settings_seen', 'legacy')", db.Name); n != 0 {
		t.Errorf("%d of the tables landed in default or %s", n, db.Name)
	}
	if got := loggedStatements(t, db.Conn, "svc", 1)[0]; got.Database != app || got.Deprecated != "" {
		t.Errorf("svc/0001 ran in %q with allow_deprecated_syntax_for_merge_tree %q, want %q without it", got.Database, got.Deprecated, app)
	}
	if r := runBinary(t, bin, work, nil, append([]string{"diff"}, args...)...); r.code != 0 {
		t.Errorf("diff: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestResumeReplaysTheSessionAfterKill9 kills migrate (kill -9) in the
// middle of a section, after its USE and SET: the rerun resumes after the
// completed statements, runs the USE and SET again first (not the
// statements that changed the schema), and the statements after the kill
// point land in the USE'd database with the setting. A section whose
// temporary table was alive at the kill point is refused instead, naming
// the temporary table and where it was created, since its rows are gone
// with the session; --resume-at, after a look at the server, goes on. Each
// case runs on a server of its own (see retryOnChDBAbort).
func TestResumeReplaysTheSessionAfterKill9(t *testing.T) {
	bin := sharedBinary(t)
	for _, tc := range []killCase{
		{name: "use_and_set", killAt: 4, up: []string{
			"CREATE DATABASE ${OTHER}",
			"USE ${OTHER}",
			"SET allow_deprecated_syntax_for_merge_tree = 1",
			"CREATE TABLE before_kill (x UInt8) ENGINE = Memory",
			"SELECT sleep(3)", // killed here
			"CREATE TABLE after_kill (d Date, k UInt64) ENGINE = MergeTree(d, k, 8192)",
			"INSERT INTO after_kill VALUES ('2026-01-01', 1)",
		}, wantRows: 1},
		{name: "temporary_table", killAt: 4, up: []string{
			"CREATE DATABASE ${OTHER}",
			"USE ${OTHER}",
			"CREATE TEMPORARY TABLE tmp (d Date, k UInt64)",
			"INSERT INTO tmp VALUES ('2026-01-01', 1), ('2026-01-02', 2)",
			"SELECT sleep(3)", // killed here
			"CREATE TABLE after_kill (d Date, k UInt64) ENGINE = MergeTree ORDER BY k",
			"INSERT INTO after_kill SELECT * FROM tmp",
		}, refused: []string{
			"up svc/0001 stopped before statement", "the temporary table `tmp` that svc/0001_steps.sql:4:1 created",
			"--resume-at svc/0001:N",
		}, resumeAt: "svc/0001:8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			retryOnChDBAbort(t, func(in *chtest.Instance) bool { return resumeAfterKill(t, bin, in.NewDB(t), in, tc) })
		})
	}
}

// killCase is one case of TestResumeReplaysTheSessionAfterKill9.
type killCase struct {
	name string
	up   []string
	// killAt is the 0-based statement running at the kill.
	killAt int
	// refused: the rerun is refused, saying this; resumeAt goes on.
	refused  []string
	resumeAt string
	wantRows uint64
}

// resumeAfterKill is one case on db, a database of in; false when the kill
// made chDB abort (see retryOnChDBAbort).
func resumeAfterKill(t *testing.T, bin string, db *chtest.DB, in *chtest.Instance, tc killCase) bool {
	t.Helper()
	other := db.Name + "_o"
	t.Cleanup(func() {
		_ = db.Conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+schema.QuoteIdent(other)+" SYNC")
	})
	work := t.TempDir()
	up := make([]string, len(tc.up))
	for i, s := range tc.up {
		up[i] = strings.ReplaceAll(s, "${OTHER}", other)
	}
	writeMigration(t, work, "svc", "0001_steps.sql", up, "-- no-op")
	args := []string{"migrate", "--dir", work, "--dsn", db.DSN, "--lock-lease", "5s", "--lock-timeout", "1m"}
	a := startBinary(t, bin, nil, args...)
	waitUntil(t, time.Minute, fmt.Sprintf("statement %d to run", tc.killAt+1), func() bool {
		if !a.running() {
			t.Fatalf("migrate exited early:\n%s", a.output())
		}
		return runningStatement(t, db.Conn, "svc", 1, tc.killAt)
	})
	if err := a.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	a.wait(t, time.Minute)
	if in.AbortedOnReset() {
		return false
	}

	r := runBinary(t, bin, work, nil, args...)
	if tc.refused != nil {
		if r.code != 1 {
			t.Fatalf("rerun: exit %d, want 1 (refused)\n%s%s", r.code, r.stdout, r.stderr)
		}
		for _, f := range tc.refused {
			if !strings.Contains(r.stderr, f) {
				t.Errorf("the refusal lacks %q:\n%s", f, r.stderr)
			}
		}
		if n := count(t, db.Conn, "SELECT count() FROM system.tables WHERE database = ? AND name = 'after_kill'", other); n != 0 {
			t.Fatalf("the refused rerun ran a statement")
		}
		// What the user does: the rest of the section by hand, then
		// go on after it.
		for _, q := range []string{
			"CREATE TABLE " + schema.QuoteIdent(other) + ".after_kill (d Date, k UInt64) ENGINE = MergeTree ORDER BY k",
			"INSERT INTO " + schema.QuoteIdent(other) + ".after_kill VALUES ('2026-01-01', 1), ('2026-01-02', 2)",
		} {
			if err := db.Conn.Exec(context.Background(), q); err != nil {
				t.Fatal(err)
			}
		}
		r = runBinary(t, bin, work, nil, append(args, "--resume-at", tc.resumeAt)...)
	}
	if r.code != 0 {
		t.Fatalf("rerun: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "resumed svc/0001 after") {
		t.Errorf("the rerun did not resume:\n%s", r.stdout)
	}
	if tc.refused == nil {
		// Where the statements after the kill point ran: the USE'd
		// database, with the SET.
		logged := loggedStatements(t, db.Conn, "svc", 1)
		for i := tc.killAt + 1; i < len(up); i++ {
			if logged[i].Database != other {
				t.Errorf("statement %d (%s) ran in %q, want %q", i+1, up[i], logged[i].Database, other)
			}
		}
		if logged[5].Deprecated != "1" {
			t.Errorf("statement 6 ran without the SET of statement 3")
		}
		if n := count(t, db.Conn, "SELECT count() FROM "+schema.QuoteIdent(other)+".after_kill"); n != tc.wantRows {
			t.Errorf("after_kill holds %d rows, want %d", n, tc.wantRows)
		}
		// The schema statements before the kill ran once: a second
		// CREATE DATABASE or CREATE TABLE would have failed the rerun;
		// the USE and SET ran again under their own query_ids.
		if n := count(t, db.Conn, "SELECT count() FROM system.query_log WHERE type = 'QueryFinish' AND startsWith(query_id, 'chschema-session:') AND current_database = ? AND (query LIKE 'USE %' OR query LIKE 'SET %')", db.Name); n != 1 {
			t.Errorf("the USE was run again %d times, want once", n)
		}
	}
	if r := runBinary(t, bin, work, nil, "diff", "--dir", work, "--dsn", db.DSN); r.code != 0 {
		t.Errorf("diff: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	return true
}

// TestHTTPSectionIsASession: over HTTP (an http:// DSN) a section is a
// ClickHouse HTTP session; the same migrations land where they do over
// the native protocol.
func TestHTTPSectionIsASession(t *testing.T) {
	bin := sharedBinary(t)
	db := chtest.New(t)
	var port uint16
	if err := db.Conn.QueryRow(context.Background(), "SELECT getServerPort('http_port')").Scan(&port); err != nil {
		t.Skipf("the server has no HTTP port: %v", err)
	}
	u, err := url.Parse(db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	host, _, _ := net.SplitHostPort(u.Host)
	u.Scheme, u.Host = "http", net.JoinHostPort(host, fmt.Sprint(port))
	other := db.Name + "_other"
	t.Cleanup(func() {
		_ = db.Conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+schema.QuoteIdent(other)+" SYNC")
	})
	work := t.TempDir()
	sessionMigrations(t, work, other)
	args := []string{"--dir", work, "--dsn", u.String()}
	if r := runBinary(t, bin, work, nil, append([]string{"migrate", "--to", "1"}, args...)...); r.code != 0 {
		t.Fatalf("migrate --to 1: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runBinary(t, bin, work, nil, append([]string{"migrate"}, args...)...); r.code != 0 {
		t.Fatalf("migrate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	want := []string{db.Name + ".c", db.Name + ".kept", db.Name + ".t", other + ".old", other + ".t"}
	if d := cmp.Diff(want, tableList(t, db.Conn, db.Name, other)); d != "" {
		t.Errorf("tables (-want +got):\n%s", d)
	}
	// Each statement is logged once under its query_id: resume counts on it.
	if err := db.Conn.Exec(context.Background(), "SYSTEM FLUSH LOGS"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db.Conn, "SELECT max(c) FROM (SELECT count() AS c FROM system.query_log WHERE type = 'QueryFinish' AND startsWith(query_id, 'chschema:') AND query_id LIKE '%:svc:%' AND current_database IN (?, ?) GROUP BY query_id)", db.Name, other); n != 1 {
		t.Errorf("a statement's query_id is logged %d times", n)
	}
}
