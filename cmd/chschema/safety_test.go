package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/chschema/chschema/internal/chtest"
	"github.com/google/go-cmp/cmp"
)

// The tests of issue 12: no statement runs twice, whatever fails. Each runs
// the built binary the way a user or a deploy job does, and stops, kills or
// signals it (or the server) at a point it finds on the server.

// proc is a chschema process started in the background.
type proc struct {
	cmd    *exec.Cmd
	stdout bytes.Buffer
	stderr bytes.Buffer
	exited chan struct{}
	code   int
}

func startBinary(t *testing.T, bin string, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(bin, args...), exited: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		err := p.cmd.Wait()
		p.code = 0
		if ee, ok := err.(*exec.ExitError); ok {
			p.code = ee.ExitCode()
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				p.code = 128 + int(ws.Signal())
			}
		}
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	})
	return p
}

func (p *proc) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

// wait waits for the exit, at most limit (a bound on failure, never a
// timing assumption), and returns the exit code.
func (p *proc) wait(t *testing.T, limit time.Duration) int {
	t.Helper()
	select {
	case <-p.exited:
		return p.code
	case <-time.After(limit):
		t.Fatalf("chschema did not exit within %s\nstdout:\n%s\nstderr:\n%s", limit, p.stdout.String(), p.stderr.String())
		return 0
	}
}

func (p *proc) running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

func (p *proc) output() string {
	return "stdout:\n" + p.stdout.String() + "\nstderr:\n" + p.stderr.String()
}

// waitUntil polls cond until it holds, failing t after limit. The limit
// only bounds a failure: the condition is a state on the server.
func waitUntil(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", limit, what)
		}
		time.Sleep(30 * time.Millisecond)
	}
}

func count(t *testing.T, conn driver.Conn, q string, args ...any) uint64 {
	t.Helper()
	var n uint64
	if err := conn.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// runningStatement reports whether statement idx (0-based) of svc/version
// runs on the server under a chschema query_id.
func runningStatement(t *testing.T, conn driver.Conn, svc string, version, idx int) bool {
	return count(t, conn, "SELECT count() FROM system.processes WHERE startsWith(query_id, 'chschema:') AND query_id LIKE ?",
		fmt.Sprintf("%%:%s:%d:%d:%%", svc, version, idx)) > 0
}

func lockExists(t *testing.T, conn driver.Conn, db string) bool {
	return count(t, conn, "SELECT count() FROM system.tables WHERE database = ? AND name = 'chschema_migrations_lock'", db) > 0
}

// historyEvents lists the history of a database as "status attempt" lines,
// in order.
func historyEvents(t *testing.T, conn driver.Conn, db string) []historyEvent {
	t.Helper()
	rows, err := conn.Query(context.Background(), "SELECT service, version, status, attempt, statements, written_rows, error FROM `"+db+"`.chschema_migrations ORDER BY event_time")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []historyEvent
	for rows.Next() {
		var e historyEvent
		if err := rows.Scan(&e.service, &e.version, &e.status, &e.attempt, &e.statements, &e.writtenRows, &e.err); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

type historyEvent struct {
	service     string
	version     uint64
	status      string
	attempt     string
	statements  uint32
	writtenRows uint64
	err         string
}

func writeMigration(t *testing.T, dir, svc, file string, up []string, down string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, svc), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, svc, file), "-- +up\n"+strings.Join(up, ";\n")+";\n-- +down\n"+down+"\n")
}

// TestStaleHolderStopsAfterItsLease stops a migrate with SIGSTOP in the
// middle of a slow INSERT, past its lease; a second migrate breaks the
// lock, resumes and finishes; then the first is continued. It must not run
// another statement nor write to the history: every row is inserted once,
// it exits 2 saying it lost the lock, and the history's last word is the
// second run's.
func TestStaleHolderStopsAfterItsLease(t *testing.T) {
	db := chtest.New(t)
	bin := sharedBinary(t)
	work := t.TempDir()
	up := []string{"CREATE TABLE seen (k UInt8) ENGINE = MergeTree ORDER BY k"}
	for k := 1; k <= 4; k++ {
		up = append(up, fmt.Sprintf("INSERT INTO seen SELECT %d FROM numbers(1) WHERE sleepEachRow(1) = 0", k))
	}
	writeMigration(t, work, "svc", "0001_slow.sql", up, "-- no-op")
	args := []string{"migrate", "--dir", work, "--dsn", db.DSN, "--lock-lease", "6s", "--lock-timeout", "2m"}

	a := startBinary(t, bin, nil, args...)
	waitUntil(t, time.Minute, "the first INSERT to run", func() bool {
		if !a.running() {
			t.Fatalf("the first migrate exited early:\n%s", a.output())
		}
		return runningStatement(t, db.Conn, "svc", 1, 1)
	})
	a.signal(t, syscall.SIGSTOP)
	stopped := true
	defer func() {
		if stopped {
			a.signal(t, syscall.SIGCONT)
		}
	}()

	b := runBinary(t, bin, work, nil, args...)
	if b.code != 0 {
		t.Fatalf("second migrate: exit %d\n%s%s", b.code, b.stdout, b.stderr)
	}
	if !strings.Contains(b.stdout, "resumed svc/0001 after 2 completed statements (from the query log)") {
		t.Errorf("second migrate did not resume after the INSERT the first one left running:\n%s", b.stdout)
	}
	before := historyEvents(t, db.Conn, db.Name)

	a.signal(t, syscall.SIGCONT)
	stopped = false
	if code := a.wait(t, time.Minute); code != 2 {
		t.Errorf("the stale migrate exited %d, want 2\n%s", code, a.output())
	}
	if !strings.Contains(a.stderr.String(), "migration lock was lost") {
		t.Errorf("the stale migrate does not say it lost the lock:\n%s", a.output())
	}
	rows := selectStrings(t, db, "SELECT toString(k) FROM seen ORDER BY k")
	if diff := cmp.Diff([]string{"1", "2", "3", "4"}, rows); diff != "" {
		t.Errorf("rows (-want +got): every INSERT must run once\n%s", diff)
	}
	after := historyEvents(t, db.Conn, db.Name)
	if diff := cmp.Diff(before, after, cmp.AllowUnexported(historyEvent{})); diff != "" {
		t.Errorf("the stale migrate wrote to the history after it lost the lock (-before +after):\n%s", diff)
	}
	if last := after[len(after)-1]; last.status != "applied" {
		t.Errorf("last history event = %+v, want the second run's applied", last)
	}
	for q, n := range queryFinishedCounts(t, db) {
		if n != 1 {
			t.Errorf("the server finished %q %d times", q, n)
		}
	}
}

// TestUnlockStopsTheHolder drops the lock with chschema unlock while a
// migrate runs: the migrate notices within a second (each INSERT takes 2.5
// s: at most one more starts), stops with exit 2, and the next migrate
// resumes where it stopped, running every statement once.
func TestUnlockStopsTheHolder(t *testing.T) {
	db := chtest.New(t)
	bin := sharedBinary(t)
	work := t.TempDir()
	up := []string{"CREATE TABLE seen (k UInt8) ENGINE = MergeTree ORDER BY k"}
	for k := 1; k <= 6; k++ {
		up = append(up, fmt.Sprintf("INSERT INTO seen SELECT %d FROM numbers(1) WHERE sleepEachRow(2.5) = 0", k))
	}
	writeMigration(t, work, "svc", "0001_slow.sql", up, "-- no-op")
	args := []string{"migrate", "--dir", work, "--dsn", db.DSN}

	a := startBinary(t, bin, nil, args...)
	waitUntil(t, time.Minute, "the second INSERT to run", func() bool {
		if !a.running() {
			t.Fatalf("migrate exited early:\n%s", a.output())
		}
		return runningStatement(t, db.Conn, "svc", 1, 2)
	})
	u := runBinary(t, bin, work, nil, "unlock", "--dsn", db.DSN)
	if u.code != 0 || !strings.Contains(u.stdout, "released the lock held by") {
		t.Fatalf("unlock: exit %d\n%s%s", u.code, u.stdout, u.stderr)
	}
	if code := a.wait(t, time.Minute); code != 2 {
		t.Fatalf("migrate after unlock exited %d, want 2\n%s", code, a.output())
	}
	if !strings.Contains(a.stderr.String(), "migration lock was lost") || !strings.Contains(a.stderr.String(), "chschema unlock") {
		t.Errorf("migrate does not say it lost the lock to unlock:\n%s", a.output())
	}
	// Statement 3 (index 2) ran when the lock was dropped; at most the next
	// one may start before the check a second later.
	if n := count(t, db.Conn, "SELECT count() FROM seen"); n > 3 {
		t.Errorf("migrate went on for %d INSERTs after the unlock, want at most one more", n-2)
	}
	r := runBinary(t, bin, work, nil, args...)
	if r.code != 0 {
		t.Fatalf("migrate after the stop: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	rows := selectStrings(t, db, "SELECT toString(k) FROM seen ORDER BY k")
	if diff := cmp.Diff([]string{"1", "2", "3", "4", "5", "6"}, rows); diff != "" {
		t.Errorf("rows (-want +got): every INSERT must run once\n%s", diff)
	}
}

// conn opens a connection to dsn, closed when t ends.
func conn(t *testing.T, dsn string) driver.Conn {
	t.Helper()
	opts, err := clickhouse.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	c, err := clickhouse.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestServerCrashResumesFromTheLiveSchema kills the server (kill -9)
// while a migrate runs, at several points, restarts it on the same path
// (its query log is then gone, as the unflushed tail of a real server's
// would be) and reruns: the rerun decides from the live schema where the
// migration stopped, resumes there when only one state fits (or the
// statements in question are idempotent), and otherwise refuses, naming
// the statements and the --resume-at points; no statement runs twice.
func TestServerCrashResumesFromTheLiveSchema(t *testing.T) {
	srv := chtest.Launch(t)
	bin := sharedBinary(t)
	up := []string{
		"CREATE TABLE t1 (k UInt8) ENGINE = MergeTree ORDER BY k", // 1
		"SELECT sleep(2)", // 2: kill point A
		"CREATE TABLE t2 (k UInt8) ENGINE = MergeTree ORDER BY k", // 3
		"INSERT INTO t1 VALUES (1)",                               // 4
		"SELECT sleep(2)",                                         // 5: kill point B
		"CREATE TABLE t3 (k UInt8) ENGINE = Log",                  // 6
	}
	for _, tc := range []struct {
		name    string
		journal string
		killAt  int // 0-based statement running when the server dies
		// refused: the rerun refuses and this --resume-at goes on.
		refused  []string
		resumeAt string
		// resumed is the rerun's "resumed" line.
		resumed string
	}{
		{name: "querylog_at_idempotent", journal: "querylog", killAt: 1,
			resumed: "resumed svc/0001 after 1 completed statement (from the live schema)"},
		{name: "querylog_after_insert", journal: "querylog", killAt: 4,
			refused: []string{"cannot tell how far up svc/0001", "fits 3, 4 or 5 completed statements", "4. ", "INSERT INTO t1 VALUES (1)", "(changes data, not the schema)",
				"--resume-at svc/0001:4   (3 completed)", "--resume-at svc/0001:6   (5 completed)"},
			resumeAt: "svc/0001:5",
			resumed:  "resumed svc/0001 after 4 completed statements (as --resume-at says)"},
		{name: "table_after_insert", journal: "table", killAt: 4,
			resumed: "resumed svc/0001 after 4 completed statements (from the live schema)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			admin := conn(t, srv.DSN)
			ctx := context.Background()
			name := "crash_" + tc.name
			if err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
				t.Fatal(err)
			}
			dsn := strings.TrimSuffix(srv.DSN, "default") + name
			work := t.TempDir()
			writeMigration(t, work, "svc", "0001_steps.sql", up, "-- no-op")
			args := []string{"migrate", "--dir", work, "--dsn", dsn, "--journal", tc.journal, "--lock-lease", "5s", "--lock-timeout", "1m"}

			a := startBinary(t, bin, nil, args...)
			waitUntil(t, time.Minute, fmt.Sprintf("statement %d to run", tc.killAt+1), func() bool {
				if !a.running() {
					t.Fatalf("migrate exited early:\n%s", a.output())
				}
				return runningStatement(t, admin, "svc", 1, tc.killAt)
			})
			srv.Kill(t)
			a.wait(t, time.Minute)
			srv.Restart(t)
			c := conn(t, dsn)

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
				r = runBinary(t, bin, work, nil, append(args, "--resume-at", tc.resumeAt)...)
			}
			if r.code != 0 {
				t.Fatalf("rerun: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout, tc.resumed) {
				t.Errorf("rerun output lacks %q:\n%s", tc.resumed, r.stdout)
			}
			var tables []string
			rows, err := c.Query(ctx, "SELECT name FROM system.tables WHERE database = ? AND name NOT LIKE 'chschema%' ORDER BY name", name)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					t.Fatal(err)
				}
				tables = append(tables, s)
			}
			rows.Close()
			if diff := cmp.Diff([]string{"t1", "t2", "t3"}, tables); diff != "" {
				t.Errorf("tables (-want +got):\n%s", diff)
			}
			if n := count(t, c, "SELECT count() FROM t1"); n != 1 {
				t.Errorf("t1 holds %d rows, want 1: the INSERT ran %d times", n, n)
			}
			st := runBinary(t, bin, work, nil, "status", "--dir", work, "--dsn", dsn)
			if !strings.Contains(st.stdout, "applied") || strings.Contains(st.stdout, "incomplete") {
				t.Errorf("status after the rerun:\n%s", st.stdout)
			}
		})
	}
}

// partialInsert is an INSERT … SELECT that writes one row per block, one
// block every 0.2 s: a kill or a stop lands while it has written some.
const partialInsert = "INSERT INTO dst SELECT number FROM numbers(20) WHERE sleepEachRow(0.2) = 0 SETTINGS max_block_size = 1, min_insert_block_size_rows = 1, max_insert_block_size = 1"

// TestKilledInsertSelectIsPartlyDone kills migrate (kill -9) while a
// multi-block INSERT … SELECT runs: the server cancels it with some rows
// written. The rerun must not run it again whole: it refuses with the
// facts (rows written, statement, position) and the two ways on; after the
// rows are removed, --resume-at runs it again, once.
func TestKilledInsertSelectIsPartlyDone(t *testing.T) {
	bin := sharedBinary(t)
	retryOnChDBAbort(t, func(in *chtest.Instance) bool { return killedInsertSelect(t, bin, in.NewDB(t), in) })
}

// killedInsertSelect is TestKilledInsertSelectIsPartlyDone on db, a
// database of in; false when the kill made chDB abort (see retryOnChDBAbort).
func killedInsertSelect(t *testing.T, bin string, db *chtest.DB, in *chtest.Instance) bool {
	work := t.TempDir()
	up := []string{"CREATE TABLE dst (n UInt64) ENGINE = MergeTree ORDER BY n", partialInsert, "CREATE TABLE after (k UInt8) ENGINE = Log"}
	writeMigration(t, work, "svc", "0001_copy.sql", up, "-- no-op")
	args := []string{"migrate", "--dir", work, "--dsn", db.DSN, "--lock-lease", "5s", "--lock-timeout", "1m"}

	a := startBinary(t, bin, nil, args...)
	waitUntil(t, time.Minute, "the INSERT to write 3 rows", func() bool {
		if !a.running() {
			t.Fatalf("migrate exited early:\n%s", a.output())
		}
		return count(t, db.Conn, "SELECT toUInt64(sum(rows)) FROM system.parts WHERE active AND database = ? AND table = 'dst'", db.Name) >= 3
	})
	if err := a.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	a.wait(t, time.Minute)
	if in.AbortedOnReset() {
		return false
	}

	r := runBinary(t, bin, work, nil, args...)
	written := count(t, db.Conn, "SELECT count() FROM dst")
	if r.code != 1 {
		t.Fatalf("rerun: exit %d, want 1 (refused)\n%s%s", r.code, r.stdout, r.stderr)
	}
	// The query log counts the rows the INSERT wrote; the table may hold
	// fewer when the last block was cut off.
	m := regexp.MustCompile(`up svc/0001 statement 2 of 3 \(svc/0001_copy.sql:3:1\) wrote (\d+) rows and did not finish`).FindStringSubmatch(r.stderr)
	if m == nil {
		t.Fatalf("the refusal does not name the statement and its rows:\n%s", r.stderr)
	}
	if n, _ := strconv.Atoi(m[1]); n < int(written) || n == 0 {
		t.Errorf("the refusal says %s rows were written; the table holds %d", m[1], written)
	}
	for _, f := range []string{
		"statement: INSERT INTO dst SELECT number",
		"chschema migrate --resume-at svc/0001:2", "chschema migrate --resume-at svc/0001:3",
	} {
		if !strings.Contains(r.stderr, f) {
			t.Errorf("the refusal lacks %q:\n%s", f, r.stderr)
		}
	}
	if written == 0 || written >= 20 {
		t.Fatalf("dst holds %d rows after the refusal: the kill was meant to leave it partly written", written)
	}

	if err := db.Conn.Exec(context.Background(), "TRUNCATE TABLE dst"); err != nil {
		t.Fatal(err)
	}
	r = runBinary(t, bin, work, nil, append(args, "--resume-at", "svc/0001:2")...)
	if r.code != 0 || !strings.Contains(r.stdout, "resumed svc/0001 after 1 completed statement (as --resume-at says)") {
		t.Fatalf("rerun with --resume-at: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if n := count(t, db.Conn, "SELECT count() FROM dst"); n != 20 {
		t.Errorf("dst holds %d rows, want 20", n)
	}
	if n := count(t, db.Conn, "SELECT count() FROM system.tables WHERE database = ? AND name = 'after'", db.Name); n != 1 {
		t.Errorf("the statement after the INSERT did not run")
	}
	return true
}

// statusLines runs chschema status and returns its lines.
func statusLines(t *testing.T, bin, work, dsn string) string {
	t.Helper()
	r := runBinary(t, bin, work, nil, "status", "--dir", work, "--dsn", dsn)
	if r.code != 0 {
		t.Fatalf("status: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// TestSignalsStopCleanly sends SIGINT and SIGTERM to migrate and down at
// known points: the first signal says so, lets a schema statement finish
// (or cancels a running INSERT … SELECT on the server), records the
// progress, releases the lock and exits 128 + the signal; a second signal
// cancels the running statement at once. Migrations never started stay
// pending, the lock is gone at exit, and the next run resumes without
// running anything twice.
func TestSignalsStopCleanly(t *testing.T) {
	bin := sharedBinary(t)

	t.Run("sigterm_lets_the_statement_finish", func(t *testing.T) {
		db := chtest.New(t)
		work := t.TempDir()
		writeMigration(t, work, "svc", "0001_first.sql", []string{"CREATE TABLE a (k UInt8) ENGINE = Log", "SELECT sleep(2)", "CREATE TABLE b (k UInt8) ENGINE = Log"},
			"SELECT sleep(2);\nDROP TABLE b;\nDROP TABLE a;")
		writeMigration(t, work, "svc", "0002_second.sql", []string{"CREATE TABLE c (k UInt8) ENGINE = Log"}, "DROP TABLE c;")
		args := []string{"migrate", "--dir", work, "--dsn", db.DSN}
		a := startBinary(t, bin, nil, args...)
		waitUntil(t, time.Minute, "the sleep to run", func() bool { return runningStatement(t, db.Conn, "svc", 1, 1) })
		a.signal(t, syscall.SIGTERM)
		if code := a.wait(t, time.Minute); code != 143 {
			t.Fatalf("exit %d, want 143\n%s", code, a.output())
		}
		if lockExists(t, db.Conn, db.Name) {
			t.Error("the lock is still there after the stop")
		}
		for _, f := range []string{"SIGTERM received: stopping after the running statement", "interrupted: stopped on request before svc/0001 statement 3 of 3"} {
			if !strings.Contains(a.stderr.String(), f) {
				t.Errorf("stderr lacks %q:\n%s", f, a.output())
			}
		}
		st := statusLines(t, bin, work, db.DSN)
		if !regexp.MustCompile(`svc\s+0002\s.*pending`).MatchString(st) || !regexp.MustCompile(`svc\s+0001\s.*incomplete`).MatchString(st) {
			t.Errorf("status after the stop: want 0001 incomplete and 0002 pending\n%s", st)
		}
		r := runBinary(t, bin, work, nil, args...)
		if r.code != 0 || !strings.Contains(r.stdout, "resumed svc/0001 after 2 completed statements (from the history)") {
			t.Fatalf("next migrate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		for q, n := range queryFinishedCounts(t, db) {
			if n != 1 {
				t.Errorf("the server finished %q %d times", q, n)
			}
		}

		// The same for down: 0002 is reverted, then the sleep of 0001's
		// down finishes and its DROPs do not run.
		d := startBinary(t, bin, nil, "down", "--dir", work, "--dsn", db.DSN, "--to", "0")
		waitUntil(t, time.Minute, "the down's sleep to run", func() bool { return runningStatement(t, db.Conn, "svc", 1, 0) })
		d.signal(t, syscall.SIGTERM)
		if code := d.wait(t, time.Minute); code != 143 {
			t.Fatalf("down: exit %d, want 143\n%s", code, d.output())
		}
		if lockExists(t, db.Conn, db.Name) {
			t.Error("the lock is still there after the down stopped")
		}
		st = statusLines(t, bin, work, db.DSN)
		if !regexp.MustCompile(`svc\s+0001\s.*incomplete\s+1/3 statements done; revert_stopped`).MatchString(st) || !regexp.MustCompile(`svc\s+0002\s.*pending`).MatchString(st) {
			t.Errorf("status after the down stopped: want 0001 half reverted, 0002 reverted\n%s", st)
		}
		if n := count(t, db.Conn, "SELECT count() FROM system.tables WHERE database = ? AND name IN ('a', 'b')", db.Name); n != 2 {
			t.Errorf("the down ran a DROP after the stop: %d of tables a and b left", n)
		}
		r = runBinary(t, bin, work, nil, "down", "--dir", work, "--dsn", db.DSN, "--to", "0")
		if r.code != 0 || !strings.Contains(r.stdout, "resumed svc/0001 after 1 completed statement") {
			t.Fatalf("next down: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
	})

	t.Run("sigint_cancels_an_insert_select", func(t *testing.T) {
		db := chtest.New(t)
		work := t.TempDir()
		writeMigration(t, work, "svc", "0001_copy.sql", []string{"CREATE TABLE dst (n UInt64) ENGINE = MergeTree ORDER BY n", partialInsert}, "DROP TABLE dst;")
		writeMigration(t, work, "svc", "0002_next.sql", []string{"CREATE TABLE c (k UInt8) ENGINE = Log"}, "DROP TABLE c;")
		args := []string{"migrate", "--dir", work, "--dsn", db.DSN}
		a := startBinary(t, bin, nil, args...)
		waitUntil(t, time.Minute, "the INSERT to write 2 rows", func() bool {
			return count(t, db.Conn, "SELECT toUInt64(sum(rows)) FROM system.parts WHERE active AND database = ? AND table = 'dst'", db.Name) >= 2
		})
		a.signal(t, syscall.SIGINT)
		if code := a.wait(t, time.Minute); code != 130 {
			t.Fatalf("exit %d, want 130\n%s", code, a.output())
		}
		if lockExists(t, db.Conn, db.Name) {
			t.Error("the lock is still there after the stop")
		}
		if n := count(t, db.Conn, "SELECT count() FROM dst"); n >= 20 {
			t.Errorf("the INSERT ran to the end (%d rows): it should have been cancelled", n)
		}
		if !strings.Contains(a.stderr.String(), "by cancelling svc/0001 statement 2 of 2") || !strings.Contains(a.stderr.String(), "it is partly done") {
			t.Errorf("stderr does not say the INSERT was cancelled partly done:\n%s", a.output())
		}
		st := statusLines(t, bin, work, db.DSN)
		if !regexp.MustCompile(`svc\s+0002\s.*pending`).MatchString(st) || !regexp.MustCompile(`svc\s+0001\s.*incomplete`).MatchString(st) {
			t.Errorf("status after the stop: want 0001 incomplete and 0002 pending\n%s", st)
		}
		before := count(t, db.Conn, "SELECT count() FROM dst")
		r := runBinary(t, bin, work, nil, args...)
		if r.code != 1 || !strings.Contains(r.stderr, "running it again would write those rows twice") {
			t.Fatalf("next migrate: exit %d, want the refusal of a partly done INSERT\n%s%s", r.code, r.stdout, r.stderr)
		}
		if n := count(t, db.Conn, "SELECT count() FROM dst"); n != before {
			t.Errorf("dst went from %d to %d rows on a refused run", before, n)
		}
	})

	t.Run("second_sigint_cancels_at_once", func(t *testing.T) {
		db := chtest.New(t)
		work := t.TempDir()
		writeMigration(t, work, "svc", "0001_wait.sql", []string{"CREATE TABLE a (k UInt8) ENGINE = Log", "SELECT sleep(3)", "CREATE TABLE b (k UInt8) ENGINE = Log"}, "-- no-op")
		args := []string{"migrate", "--dir", work, "--dsn", db.DSN}
		a := startBinary(t, bin, nil, args...)
		waitUntil(t, time.Minute, "the sleep to run", func() bool { return runningStatement(t, db.Conn, "svc", 1, 1) })
		a.signal(t, syscall.SIGINT)
		waitUntil(t, time.Minute, "the first signal to be acknowledged", func() bool {
			return strings.Contains(a.stderr.String(), "SIGINT received: stopping after the running statement")
		})
		a.signal(t, syscall.SIGINT)
		if code := a.wait(t, time.Minute); code != 130 {
			t.Fatalf("exit %d, want 130\n%s", code, a.output())
		}
		if !strings.Contains(a.stderr.String(), "SIGINT received again: cancelling the running statement") {
			t.Errorf("stderr lacks the second signal's line:\n%s", a.output())
		}
		if lockExists(t, db.Conn, db.Name) {
			t.Error("the lock is still there after the stop")
		}
		r := runBinary(t, bin, work, nil, args...)
		if r.code != 0 || !strings.Contains(r.stdout, "resumed svc/0001 after 1 completed statement (from the history)") {
			t.Fatalf("next migrate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		// The cancelled sleep did not finish: the server finished each
		// statement once, the sleep in the second run.
		for q, n := range queryFinishedCounts(t, db) {
			if n != 1 {
				t.Errorf("the server finished %q %d times", q, n)
			}
		}
	})
}

// TestDownRefusesDataLoss reverts migrations whose down sections drop
// tables, a column, a partition, a database, a materialized view, and
// truncate and delete rows. While the tables are empty the down runs;
// once they hold rows, down --to 0 lists what would be lost (rows and
// bytes per statement, from system.tables, system.parts and
// system.columns) and refuses, reverting nothing; --dry-run shows the same
// list; CHSCHEMA_ALLOW_DATA_LOSS=1 (or --allow-data-loss) goes on.
func TestDownRefusesDataLoss(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	other := db.Name + "_other"
	t.Cleanup(func() { _ = db.Conn.Exec(ctx, "DROP DATABASE IF EXISTS `"+other+"`") })
	work := t.TempDir()
	writeMigration(t, work, "svc", "0001_events.sql",
		[]string{"CREATE TABLE events (id UInt64, day Date, note String) ENGINE = MergeTree PARTITION BY toYYYYMM(day) ORDER BY id"}, "DROP TABLE events;")
	writeMigration(t, work, "svc", "0002_extra.sql", []string{"ALTER TABLE events ADD COLUMN extra String"}, "ALTER TABLE events DROP COLUMN extra;")
	writeMigration(t, work, "svc", "0003_empty.sql", []string{"CREATE TABLE empty (k UInt8) ENGINE = MergeTree ORDER BY k"}, "DROP TABLE empty;")
	writeMigration(t, work, "svc", "0004_views.sql", []string{"CREATE TABLE logt (k UInt8) ENGINE = Log",
		"CREATE MATERIALIZED VIEW mv ENGINE = MergeTree ORDER BY id AS SELECT id FROM events"}, "DROP TABLE mv;\nTRUNCATE TABLE logt;\nDROP TABLE logt;")
	writeMigration(t, work, "svc", "0005_cleanup.sql", []string{"SELECT 1"}, "ALTER TABLE events DELETE WHERE id > 150;\nALTER TABLE events DROP PARTITION 202401;")
	writeMigration(t, work, "other", "0001_db.sql", []string{"CREATE DATABASE ${OTHER}", "CREATE TABLE ${OTHER}.t (k UInt8) ENGINE = MergeTree ORDER BY k"}, "DROP DATABASE ${OTHER};")
	t.Setenv("CHSCHEMA_VAR_OTHER", other)
	run := func(env []string, args ...string) result {
		return runBinary(t, sharedBinary(t), work, env, append(args, "--dir", work, "--dsn", db.DSN)...)
	}
	migrate := func() {
		t.Helper()
		if r := run(nil, "migrate"); r.code != 0 {
			t.Fatalf("migrate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
	}

	migrate()
	if r := run(nil, "down", "--to", "0"); r.code != 0 {
		t.Fatalf("down over empty tables: exit %d, want 0\n%s%s", r.code, r.stdout, r.stderr)
	}
	migrate()
	for _, q := range []string{
		"INSERT INTO events (id, day, note) SELECT number + 1, if(number < 100, toDate('2024-01-15'), toDate('2024-02-15')), 'x' FROM numbers(190)",
		"INSERT INTO logt SELECT number FROM numbers(5)",
		"INSERT INTO `" + other + "`.t SELECT number FROM numbers(7)",
	} {
		if err := db.Conn.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	q := func(name string) string { return "`" + db.Name + "`.`" + name + "`" }
	want := []string{
		"svc/0005 down statement 1: delete " + q("events") + ": up to 190 rows",
		"svc/0005 down statement 2: drop partition 202401 of " + q("events") + ": 100 rows",
		"svc/0004 down statement 1: drop table " + q("mv") + ": 190 rows",
		"svc/0004 down statement 2: truncate " + q("logt") + ": 5 rows",
		"svc/0004 down statement 3: drop table " + q("logt") + ": 5 rows",
		"svc/0002 down statement 1: drop column `extra` of " + q("events") + ": 190 rows",
		"svc/0001 down statement 1: drop table " + q("events") + ": 190 rows",
		"other/0001 down statement 1: drop database `" + other + "`: 7 rows",
	}
	r := run(nil, "down", "--to", "0")
	if r.code != 1 {
		t.Fatalf("down over data: exit %d, want 1 (refused)\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, w := range append(want, "--allow-data-loss", "it ran nothing") {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("the refusal lacks %q:\n%s", w, r.stderr)
		}
	}
	if strings.Contains(r.stderr, q("empty")) {
		t.Errorf("the refusal lists the empty table:\n%s", r.stderr)
	}
	if n := count(t, db.Conn, "SELECT count() FROM events"); n != 190 {
		t.Fatalf("a refused down changed events: %d rows", n)
	}
	if st := statusLines(t, sharedBinary(t), work, db.DSN); strings.Contains(st, "pending") || strings.Contains(st, "incomplete") {
		t.Errorf("a refused down reverted something:\n%s", st)
	}

	r = run(nil, "down", "--to", "0", "--dry-run")
	if r.code != 0 {
		t.Fatalf("down --dry-run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, w := range want {
		if !strings.Contains(r.stdout, "-- destroys data: ") || !strings.Contains(r.stdout, w) {
			t.Errorf("the dry run lacks %q:\n%s", w, r.stdout)
		}
	}

	r = run([]string{"CHSCHEMA_ALLOW_DATA_LOSS=1"}, "down", "--to", "0")
	if r.code != 0 {
		t.Fatalf("down with CHSCHEMA_ALLOW_DATA_LOSS=1: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "reverted 6 migrations") || !strings.Contains(r.stdout, "destroyed data (allowed): ") {
		t.Errorf("down with the data loss allowed:\n%s", r.stdout)
	}
	if n := count(t, db.Conn, "SELECT count() FROM system.tables WHERE database = ? AND name NOT LIKE 'chschema%'", db.Name); n != 0 {
		t.Errorf("%d tables left after down --to 0", n)
	}
}

var builtBinary struct {
	sync.Once
	path string
	err  error
}

// removeBuiltBinary removes what sharedBinary built, after the tests.
func removeBuiltBinary() {
	if builtBinary.path != "" {
		_ = os.RemoveAll(filepath.Dir(builtBinary.path))
	}
}

// sharedBinary builds the binary once for the tests that share it.
func sharedBinary(t *testing.T) string {
	t.Helper()
	builtBinary.Do(func() {
		dir, err := os.MkdirTemp("", "chschema-bin-")
		if err != nil {
			builtBinary.err = err
			return
		}
		builtBinary.path = filepath.Join(dir, "chschema")
		if out, err := exec.Command("go", "build", "-o", builtBinary.path, ".").CombinedOutput(); err != nil {
			builtBinary.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if builtBinary.err != nil {
		t.Fatal(builtBinary.err)
	}
	return builtBinary.path
}
