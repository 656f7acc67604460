package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chschema/chschema/internal/chtest"
	"github.com/google/go-cmp/cmp"
)

// queryFinishedCounts counts, per statement text, the chschema statements the
// server finished that touched db.
func queryFinishedCounts(t *testing.T, db *chtest.DB) map[string]int {
	t.Helper()
	ctx := context.Background()
	if err := db.Conn.Exec(ctx, "SYSTEM FLUSH LOGS"); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Conn.Query(ctx, `SELECT query, count() FROM system.query_log
		WHERE type = 'QueryFinish' AND startsWith(query_id, 'chschema:') AND position(query_id, ':init:') = 0 AND NOT endsWith(query_id, ':history')
		AND has(databases, ?) GROUP BY query`, db.Name)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var q string
		var n uint64
		if err := rows.Scan(&q, &n); err != nil {
			t.Fatal(err)
		}
		out[q] = int(n)
	}
	return out
}

func selectStrings(t *testing.T, db *chtest.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.Conn.Query(context.Background(), q, args...)
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

// TestMigrateSurvivesKillNine kills `chschema migrate` with SIGKILL while each
// statement of a 10-statement migration runs, in a loop, rerunning after every
// kill; in the end the schema and data are complete and the server finished
// every statement exactly once.
//
// It runs on a server of its own: chDB's server sometimes aborts when a
// killed client's connection is reset (chtest.ChDBAbort, a chDB bug). Then
// the whole loop starts again on a fresh server, at most three times; any
// other death of the server fails the test.
func TestMigrateSurvivesKillNine(t *testing.T) {
	bin := buildBinary(t)
	retryOnChDBAbort(t, func(in *chtest.Instance) bool { return killNineLoop(t, bin, in.NewDB(t), in) })
}

// retryOnChDBAbort runs attempt, a test that kills a client with SIGKILL,
// on a throwaway server of its own, and again on a fresh one (at most
// three times in all) when it returns false: the server died of chDB's
// abort on a reset client connection (chtest.ChDBAbort, a chDB bug), which
// voids the attempt. Any other failure is the attempt's to report.
func retryOnChDBAbort(t *testing.T, attempt func(in *chtest.Instance) bool) {
	t.Helper()
	for n := 1; ; n++ {
		if attempt(chtest.Launch(t)) {
			return
		}
		if n == 3 {
			t.Fatalf("chDB aborted on a reset client connection in %d attempts out of %d", n, n)
		}
		t.Logf("attempt %d: chDB aborted on a reset client connection (a chDB bug); trying again on a fresh server", n)
	}
}

// killNineLoop is TestMigrateSurvivesKillNine on db, a database of in. It
// returns false when the server died of chDB's abort on a reset
// connection, which voids the attempt.
func killNineLoop(t *testing.T, bin string, db *chtest.DB, in *chtest.Instance) bool {
	aborted := func(err error) bool {
		if in.AbortedOnReset() {
			return true
		}
		t.Fatal(err)
		return false
	}
	work := t.TempDir()
	if err := os.MkdirAll(filepath.Join(work, "svc"), 0o755); err != nil {
		t.Fatal(err)
	}
	// Every statement is slow (so the kill lands inside it) and none is
	// idempotent: a second run of a CREATE fails, of an INSERT duplicates a
	// row. A CREATE … AS SELECT that is cancelled leaves no table behind.
	var up []string
	up = append(up, "CREATE TABLE seen (k UInt8) ENGINE = MergeTree ORDER BY k AS SELECT 0 FROM numbers(1) WHERE sleepEachRow(0.4) = 0")
	for k := 1; k < 10; k++ {
		if k%2 == 1 {
			up = append(up, fmt.Sprintf("INSERT INTO seen SELECT %d FROM numbers(1) WHERE sleepEachRow(0.4) = 0", k))
		} else {
			up = append(up, fmt.Sprintf("CREATE TABLE t%d ENGINE = Log AS SELECT %d AS x FROM numbers(1) WHERE sleepEachRow(0.4) = 0", k, k))
		}
	}
	writeFile(t, filepath.Join(work, "svc", "0001_ten.sql"), "-- +up\n"+strings.Join(up, ";\n")+";\n-- +down\n-- no-op\n")
	args := []string{"migrate", "--dir", work, "--dsn", db.DSN, "--lock-lease", "3s", "--lock-timeout", "60s"}

	ctx := context.Background()
	kills := 0
	for k := 0; k < 10; k++ {
		cmd := exec.Command(bin, args...)
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		// Kill while statement k is running on the server.
		deadline := time.Now().Add(30 * time.Second)
		killed := false
		for !killed && time.Now().Before(deadline) {
			var n uint64
			err := db.Conn.QueryRow(ctx, "SELECT count() FROM system.processes WHERE startsWith(query_id, 'chschema:') AND query_id LIKE ?", fmt.Sprintf("%%:svc:1:%d:%%", k)).Scan(&n)
			if err != nil {
				if aborted(err) {
					return false
				}
			}
			select {
			case err := <-exited:
				if in.AbortedOnReset() {
					return false
				}
				t.Fatalf("migrate exited before statement %d ran (%v):\n%s", k, err, out.String())
			default:
			}
			if n > 0 {
				if err := cmd.Process.Kill(); err != nil {
					t.Fatal(err)
				}
				<-exited
				killed = true
				kills++
			} else {
				time.Sleep(20 * time.Millisecond)
			}
		}
		if !killed {
			if in.AbortedOnReset() {
				return false
			}
			t.Fatalf("statement %d never ran:\n%s", k, out.String())
		}
	}
	if kills != 10 {
		t.Fatalf("%d kills, want 10", kills)
	}

	r := runBinary(t, bin, work, nil, args...)
	if r.code != 0 {
		if in.AbortedOnReset() {
			return false
		}
		t.Fatalf("final migrate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "resumed svc/0001 after") {
		t.Errorf("final migrate did not resume:\n%s", r.stdout)
	}
	seen := selectStrings(t, db, "SELECT toString(k) FROM seen ORDER BY k")
	if diff := cmp.Diff([]string{"0", "1", "3", "5", "7", "9"}, seen); diff != "" {
		t.Errorf("rows inserted (-want +got): each insert must run exactly once\n%s", diff)
	}
	tables := selectStrings(t, db, "SELECT name FROM system.tables WHERE database = ? AND name NOT LIKE 'chschema%' ORDER BY name", db.Name)
	if diff := cmp.Diff([]string{"seen", "t2", "t4", "t6", "t8"}, tables); diff != "" {
		t.Errorf("tables (-want +got):\n%s", diff)
	}
	counts := queryFinishedCounts(t, db)
	for _, s := range up {
		if counts[s] != 1 {
			t.Errorf("the server finished %q %d times, want once", s, counts[s])
		}
	}
	st := runBinary(t, bin, work, nil, "status", "--dir", work, "--dsn", db.DSN)
	if !strings.Contains(st.stdout, "svc      0001     ten   applied") {
		t.Errorf("status after the loop:\n%s", st.stdout)
	}
	return true
}

func TestMigrateCLIRefusesEditedAppliedFile(t *testing.T) {
	db := chtest.New(t)
	bin := buildBinary(t)
	work := t.TempDir()
	os.MkdirAll(filepath.Join(work, "xapi"), 0o755)
	file := filepath.Join(work, "xapi", "0001_events.sql")
	writeFile(t, file, "-- +up\nCREATE TABLE events (id UInt64) ENGINE = MergeTree ORDER BY id;\n-- +down\nDROP TABLE events;\n")
	args := []string{"migrate", "--dir", work, "--dsn", db.DSN}
	if r := runBinary(t, bin, work, nil, args...); r.code != 0 || !strings.Contains(r.stdout, "applied 1 migration (1 statement)") {
		t.Fatalf("first migrate: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := runBinary(t, bin, work, nil, args...); r.code != 0 || !strings.Contains(r.stdout, "applied 0 migrations") {
		t.Fatalf("second migrate is not a no-op: %d %q %q", r.code, r.stdout, r.stderr)
	}
	writeFile(t, file, "-- +up\nCREATE TABLE events (id UInt64, x String) ENGINE = MergeTree ORDER BY id;\n-- +down\nDROP TABLE events;\n")
	r := runBinary(t, bin, work, nil, args...)
	if r.code == 0 || !strings.Contains(r.stderr, "xapi/0001_events.sql changed after it was applied") {
		t.Errorf("edited file: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestConcurrentMigrateProcesses starts two migrate processes at once: one
// applies; the other waits for the lock and then finds nothing to do, or,
// with a short --lock-timeout, fails naming the holder.
func TestConcurrentMigrateProcesses(t *testing.T) {
	db := chtest.New(t)
	bin := buildBinary(t)
	work := t.TempDir()
	os.MkdirAll(filepath.Join(work, "svc"), 0o755)
	writeFile(t, filepath.Join(work, "svc", "0001_slow.sql"), "-- +up\nCREATE TABLE a (x UInt8) ENGINE = Log;\nINSERT INTO a SELECT 1 FROM numbers(3) WHERE sleepEachRow(0.5) = 0;\n-- +down\nDROP TABLE a;\n")
	args := []string{"migrate", "--dir", work, "--dsn", db.DSN, "--lock-timeout", "60s"}
	var wg sync.WaitGroup
	results := make([]result, 2)
	for i := range results {
		wg.Add(1)
		go func() { defer wg.Done(); results[i] = runBinary(t, bin, work, nil, args...) }()
	}
	wg.Wait()
	var outs []string
	for _, r := range results {
		if r.code != 0 {
			t.Fatalf("exit %d: %s%s", r.code, r.stdout, r.stderr)
		}
		outs = append(outs, strings.TrimSpace(r.stdout))
	}
	sort.Strings(outs)
	if diff := cmp.Diff([]string{"applied 0 migrations (0 statements)", "applied 1 migration (2 statements)"}, outs); diff != "" {
		t.Errorf("one applies, one waits (-want +got):\n%s", diff)
	}
	if n := selectStrings(t, db, "SELECT toString(count()) FROM a"); n[0] != "3" {
		t.Errorf("rows = %s, want 3 (the insert ran once)", n[0])
	}

	// A holder that keeps the lock longer than --lock-timeout is named.
	writeFile(t, filepath.Join(work, "svc", "0002_slower.sql"), "-- +up\nINSERT INTO a SELECT 2 FROM numbers(4) WHERE sleepEachRow(0.5) = 0;\n-- +down\n-- no-op\n")
	first := exec.Command(bin, args...)
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer first.Wait()
	time.Sleep(700 * time.Millisecond)
	r := runBinary(t, bin, work, nil, "migrate", "--dir", work, "--dsn", db.DSN, "--lock-timeout", "200ms")
	if r.code == 0 || !strings.Contains(r.stderr, "is held by chschema") || !strings.Contains(r.stderr, fmt.Sprintf("pid %d", first.Process.Pid)) {
		t.Errorf("impatient migrate: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestMigrateRefusesDriftUnlessAllowed(t *testing.T) {
	db := chtest.New(t)
	bin := buildBinary(t)
	work := t.TempDir()
	os.MkdirAll(filepath.Join(work, "xapi"), 0o755)
	writeFile(t, filepath.Join(work, "xapi", "0001_events.sql"), "-- +up\nCREATE TABLE events (id UInt64, ts DateTime) ENGINE = MergeTree ORDER BY id;\n-- +down\nDROP TABLE events;\n")
	args := []string{"migrate", "--dir", work, "--dsn", db.DSN}
	if r := runBinary(t, bin, work, nil, args...); r.code != 0 {
		t.Fatalf("first migrate: %d %s", r.code, r.stderr)
	}
	if err := db.Conn.Exec(context.Background(), "ALTER TABLE events ADD COLUMN hand_made String"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(work, "xapi", "0002_more.sql"), "-- +up\nCREATE TABLE more (id UInt64) ENGINE = Log;\n-- +down\nDROP TABLE more;\n")
	r := runBinary(t, bin, work, nil, args...)
	if r.code != exitFindings || !strings.Contains(r.stderr, "hand_made") || !strings.Contains(r.stderr, "migrate refused") {
		t.Fatalf("migrate over drift: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if got := selectStrings(t, db, "SELECT name FROM system.tables WHERE database = ? AND name = 'more'", db.Name); len(got) != 0 {
		t.Fatal("migrate applied over drift")
	}
	r = runBinary(t, bin, work, nil, append(args, "--allow-drift")...)
	if r.code != 0 || !strings.Contains(r.stdout, "applied 1 migration (") {
		t.Fatalf("--allow-drift: exit %d, %s%s", r.code, r.stdout, r.stderr)
	}
	// An ignore rule for the drifted table lets a later migrate through.
	writeFile(t, filepath.Join(work, "xapi", "0003_last.sql"), "-- +up\nCREATE TABLE last (id UInt64) ENGINE = Log;\n-- +down\nDROP TABLE last;\n")
	r = runBinary(t, bin, work, nil, append(args, "--ignore", db.Name+".events")...)
	if r.code != 0 || !strings.Contains(r.stdout, "applied 1 migration (") {
		t.Fatalf("--ignore: exit %d, %s%s", r.code, r.stdout, r.stderr)
	}
}

func TestBaselineCLI(t *testing.T) {
	db := chtest.New(t)
	bin := buildBinary(t)
	work := t.TempDir()
	os.MkdirAll(filepath.Join(work, "xapi"), 0o755)
	writeFile(t, filepath.Join(work, "xapi", "0001_events.sql"), "-- +up\nCREATE TABLE events (id UInt64, ts DateTime DEFAULT now()) ENGINE = MergeTree ORDER BY id;\n-- +down\nDROP TABLE events;\n")
	writeFile(t, filepath.Join(work, "xapi", "0002_users.sql"), "-- +up\nCREATE TABLE users (id UInt64) ENGINE = Log;\n-- +down\nDROP TABLE users;\n")
	ctx := context.Background()
	// A legacy database, built by hand, with a difference.
	if err := db.Conn.Exec(ctx, "CREATE TABLE events (id UInt64, ts DateTime) ENGINE = MergeTree ORDER BY id"); err != nil {
		t.Fatal(err)
	}
	base := []string{"baseline", "1", "--dir", work, "--dsn", db.DSN}
	r := runBinary(t, bin, work, nil, base...)
	if r.code != exitFindings || !strings.Contains(r.stderr, "baseline refused") || !strings.Contains(r.stderr, "ts") {
		t.Fatalf("baseline over drift: exit %d\n%s", r.code, r.stderr)
	}
	if err := db.Conn.Exec(ctx, "ALTER TABLE events MODIFY COLUMN ts DateTime DEFAULT now()"); err != nil {
		t.Fatal(err)
	}
	r = runBinary(t, bin, work, nil, base...)
	if r.code != 0 || !strings.Contains(r.stdout, "baselined 1 migration") {
		t.Fatalf("baseline: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runBinary(t, bin, work, nil, "migrate", "--dir", work, "--dsn", db.DSN)
	if r.code != 0 || !strings.Contains(r.stdout, "applied 1 migration (1 statement)") {
		t.Fatalf("migrate after baseline: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	st := runBinary(t, bin, work, nil, "status", "--dir", work, "--dsn", db.DSN, "--format", "json")
	if !strings.Contains(st.stdout, `"state":"baselined"`) || !strings.Contains(st.stdout, `"state":"applied"`) {
		t.Errorf("status: %s", st.stdout)
	}
}

func TestVerifyCLI(t *testing.T) {
	db := chtest.New(t)
	bin := buildBinary(t)
	work := t.TempDir()
	os.MkdirAll(filepath.Join(work, "xapi"), 0o755)
	writeFile(t, filepath.Join(work, "xapi", "0001_events.sql"), "-- +up\nCREATE TABLE events (id UInt64) ENGINE = MergeTree ORDER BY id;\n-- +down\nDROP TABLE events;\n")
	writeFile(t, filepath.Join(work, "xapi", "0002_col.sql"), "-- +up\nALTER TABLE events ADD COLUMN x String;\n-- +down\nALTER TABLE events DROP COLUMN x;\n")
	r := runBinary(t, bin, work, nil, "verify", "--dir", work, "--dev-dsn", db.DSN)
	if r.code != 0 || !strings.Contains(r.stdout, "ok  down xapi/0002 (1 applied)") || !strings.Contains(r.stdout, "verified 2 migrations") {
		t.Fatalf("verify: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// A down section that does not undo its up fails the round trip.
	db2 := chtest.New(t)
	writeFile(t, filepath.Join(work, "xapi", "0002_col.sql"), "-- +up\nALTER TABLE events ADD COLUMN x String;\n-- +down\n-- no-op\n")
	r = runBinary(t, bin, work, nil, "verify", "--dir", work, "--dev-dsn", db2.DSN)
	if r.code != exitFindings || !strings.Contains(r.stderr, "after down xapi/0002") || !strings.Contains(r.stderr, "column `x`") {
		t.Fatalf("verify with a lossy down: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestMigrateExampleThenNoOp applies the example project to fresh databases,
// with its history in the xapi database as the Aspects deployment keeps it,
// then runs migrate again: nothing to do, everything applied, no drift.
func TestMigrateExampleThenNoOp(t *testing.T) {
	db, prefix := exampleDB(t)
	bin := buildBinary(t)
	abs, err := filepath.Abs(exampleDir)
	if err != nil {
		t.Fatal(err)
	}
	env := append(exampleEnv(prefix, ""), "CHSCHEMA_HISTORY_TABLE="+prefix+"xapi.chschema_migrations", "CHSCHEMA_DIR="+abs, "CHSCHEMA_DSN="+db.DSN)
	r := runBinary(t, bin, t.TempDir(), env, "migrate")
	if r.code != 0 || !strings.Contains(r.stdout, "applied 9 migrations") {
		t.Fatalf("first migrate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runBinary(t, bin, t.TempDir(), env, "migrate")
	if r.code != 0 || strings.TrimSpace(r.stdout) != "applied 0 migrations (0 statements)" {
		t.Fatalf("second migrate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	st := runBinary(t, bin, t.TempDir(), env, "status")
	if n := strings.Count(st.stdout, " applied "); n != 9 {
		t.Errorf("status shows %d applied, want 9:\n%s", n, st.stdout)
	}
	if d := runBinary(t, bin, t.TempDir(), env, "diff"); d.code != 0 || !strings.HasPrefix(d.stdout, "no drift") {
		t.Errorf("diff after migrate: exit %d\n%s%s", d.code, d.stdout, d.stderr)
	}
	history := selectStrings(t, db, "SELECT toString(count()) FROM `"+prefix+"xapi`.chschema_migrations WHERE status = 'applied'")
	if history[0] != "9" {
		t.Errorf("history has %s applied events, want 9", history[0])
	}
}

// TestDiffCountsHalfAppliedStatements: after a migration fails part way, the
// statements that completed are expected, so diff reports no drift; it says
// so in a note.
func TestDiffCountsHalfAppliedStatements(t *testing.T) {
	db := chtest.New(t)
	bin := buildBinary(t)
	work := t.TempDir()
	os.MkdirAll(filepath.Join(work, "svc"), 0o755)
	writeFile(t, filepath.Join(work, "svc", "0001_half.sql"), "-- +up\nCREATE TABLE a (x UInt8) ENGINE = MergeTree ORDER BY x;\nCREATE TABLE b (x UInt8) ENGINE = NoSuchEngine;\n-- +down\nDROP TABLE IF EXISTS b;\nDROP TABLE a;\n")
	base := []string{"--dir", work, "--dsn", db.DSN}
	if r := runBinary(t, bin, work, nil, append([]string{"migrate"}, base...)...); r.code != exitError || !strings.Contains(r.stderr, "NoSuchEngine") {
		t.Fatalf("migrate: exit %d\n%s", r.code, r.stderr)
	}
	r := runBinary(t, bin, work, nil, append([]string{"diff"}, base...)...)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "no drift") || !strings.Contains(r.stderr, "svc/0001 is half-applied: its 1 completed statement counts as expected") {
		t.Fatalf("diff after a half-applied migration: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// The half-applied table changed by hand is drift all the same.
	if err := db.Conn.Exec(context.Background(), "ALTER TABLE a ADD COLUMN y UInt8"); err != nil {
		t.Fatal(err)
	}
	r = runBinary(t, bin, work, nil, append([]string{"diff"}, base...)...)
	if r.code != exitFindings || !strings.Contains(r.stdout, "`y`") {
		t.Fatalf("diff after a hand change: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestVerifyExampleTwice: the example project passes verify (every down
// section undoes its up), and verify cleans up after itself: a second run
// on the same server passes too, and nothing of it is left afterwards.
func TestVerifyExampleTwice(t *testing.T) {
	db, prefix := exampleDB(t)
	bin := buildBinary(t)
	abs, err := filepath.Abs(exampleDir)
	if err != nil {
		t.Fatal(err)
	}
	env := append(exampleEnv(prefix, ""), "CHSCHEMA_DIR="+abs)
	for run := 1; run <= 2; run++ {
		r := runBinary(t, bin, t.TempDir(), env, "verify", "--dev-dsn", db.DSN)
		if r.code != 0 || !strings.Contains(r.stdout, "verified 9 migrations") || !strings.Contains(r.stderr, "cleaned up") {
			t.Fatalf("verify run %d: exit %d\n%s%s", run, r.code, r.stdout, r.stderr)
		}
		if left := serverSnapshot(t, db, prefix); len(left) != 0 {
			t.Errorf("after verify run %d: %v", run, left)
		}
		if tables := serverSnapshot(t, db, db.Name); len(tables) != 1 {
			t.Errorf("after verify run %d, the session database holds %v", run, tables)
		}
	}
}

// TestVerifyCleansUpAfterAFailure: a round trip that fails still drops what
// it created, so the fixed migration verifies on the same server.
func TestVerifyCleansUpAfterAFailure(t *testing.T) {
	db := chtest.New(t)
	work := t.TempDir()
	os.MkdirAll(filepath.Join(work, "xapi"), 0o755)
	writeFile(t, filepath.Join(work, "xapi", "0001_events.sql"), "-- +up\nCREATE TABLE events (id UInt64) ENGINE = MergeTree ORDER BY id;\n-- +down\nDROP TABLE events;\n")
	writeFile(t, filepath.Join(work, "xapi", "0002_col.sql"), "-- +up\nALTER TABLE events ADD COLUMN x String;\n-- +down\n-- no-op\n")
	code, out, errOut := runCLI(t, "verify", "--dir", work, "--dev-dsn", db.DSN)
	if code != exitFindings || !strings.Contains(errOut, "after down xapi/0002") {
		t.Fatalf("lossy down: exit %d\n%s%s", code, out, errOut)
	}
	if left := serverSnapshot(t, db, db.Name); len(left) != 1 {
		t.Errorf("after a failed verify: %v", left)
	}
	writeFile(t, filepath.Join(work, "xapi", "0002_col.sql"), "-- +up\nALTER TABLE events ADD COLUMN x String;\n-- +down\nALTER TABLE events DROP COLUMN x;\n")
	if code, out, errOut := runCLI(t, "verify", "--dir", work, "--dev-dsn", db.DSN); code != exitOK {
		t.Errorf("fixed, on the same server: exit %d\n%s%s", code, out, errOut)
	}
}

// TestBaselineOneServiceAtATime: a legacy database holds every service's
// objects, applied without chschema. Each service is stamped on its own:
// the other services' objects are not drift for it. A change by hand to one
// service's table refuses that service's baseline only.
func TestBaselineOneServiceAtATime(t *testing.T) {
	db, prefix := exampleDB(t)
	env := exampleEnv(prefix, "")
	runExampleUp(t, db, env)
	execAll(t, db, "ALTER TABLE `"+prefix+"event_sink`.course_overviews ADD COLUMN by_hand UInt8")
	baseline := func(version, service string) (int, string) {
		envr, out, errOut := testEnv()
		envr.Environ = env
		code := run([]string{"baseline", version, "--service", service, "--dir", exampleDir, "--dsn", db.DSN}, envr)
		return code, out.String() + errOut.String()
	}
	if code, out := baseline("3", "event_sink"); code != exitFindings || !strings.Contains(out, "by_hand") {
		t.Errorf("event_sink with a change by hand: exit %d\n%s", code, out)
	}
	for _, s := range []struct{ version, service string }{{"2", "vector"}, {"4", "xapi"}} {
		if code, out := baseline(s.version, s.service); code != exitOK || !strings.Contains(out, "baselined "+map[string]string{"vector": "2", "xapi": "4"}[s.service]+" migrations") {
			t.Errorf("baseline %s --service %s: exit %d\n%s", s.version, s.service, code, out)
		}
	}
	execAll(t, db, "ALTER TABLE `"+prefix+"event_sink`.course_overviews DROP COLUMN by_hand")
	if code, out := baseline("3", "event_sink"); code != exitOK {
		t.Errorf("event_sink after the fix: exit %d\n%s", code, out)
	}
	envr, out, _ := testEnv()
	envr.Environ = env
	if code := run([]string{"status", "--exit-code", "--dir", exampleDir, "--dsn", db.DSN}, envr); code != exitOK {
		t.Errorf("status after baselining every service: exit %d\n%s", code, out)
	}
}
