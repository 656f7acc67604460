package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chschema/chschema/internal/chtest"
	"github.com/creack/pty"
)

// slowProject writes a project whose first migration has a slow statement
// (a CREATE … AS SELECT that sleeps 1.2 s) and ends with a mutation that
// rewrites 4 parts for about 2 s; its second migration is quick.
func slowProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "svc"), 0o755); err != nil {
		t.Fatal(err)
	}
	up := []string{"CREATE TABLE slow (k UInt64, v UInt64) ENGINE = MergeTree ORDER BY k " +
		"SETTINGS max_bytes_to_merge_at_max_space_in_pool = 1, max_bytes_to_merge_at_min_space_in_pool = 1"}
	for i := range 4 {
		up = append(up, fmt.Sprintf("INSERT INTO slow SELECT number, 0 FROM numbers(%d, 20)", i*1000))
	}
	up = append(up, "CREATE TABLE t1 ENGINE = Log AS SELECT number AS x FROM numbers(3) WHERE sleepEachRow(0.4) = 0",
		"ALTER TABLE slow UPDATE v = v + sleepEachRow(0.05) WHERE 1")
	writeFile(t, filepath.Join(dir, "svc", "0001_slow.sql"), "-- +up\n"+strings.Join(up, ";\n")+";\n-- +down\nDROP TABLE t1;\nDROP TABLE slow;\n")
	writeFile(t, filepath.Join(dir, "svc", "0002_fast.sql"), "-- +up\nCREATE TABLE f (x UInt8) ENGINE = Log;\n-- +down\nDROP TABLE f;\n")
	return dir
}

var textLine = regexp.MustCompile(`^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (INFO |WARN |ERROR) (.+)$`)

// textLines checks that every line of stderr is a timestamped log line,
// but for a last line with the error, and returns the messages.
func textLines(t *testing.T, stderr string) []string {
	t.Helper()
	var msgs []string
	all := lines(stderr)
	for i, line := range all {
		if i == len(all)-1 && strings.HasPrefix(line, "chschema: ") {
			continue
		}
		m := textLine.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("not a log line: %q", line)
			continue
		}
		msgs = append(msgs, m[3])
	}
	return msgs
}

// jsonLines checks that every line of stderr is a JSON object with time,
// level, kind and msg, and returns them.
func jsonLines(t *testing.T, stderr string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range lines(stderr) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Errorf("not a JSON line: %q: %v", line, err)
			continue
		}
		ts, _ := m["time"].(string)
		if _, err := time.Parse(time.RFC3339Nano, ts); err != nil {
			t.Errorf("bad time in %q", line)
		}
		for _, k := range []string{"level", "kind", "msg"} {
			if s, _ := m[k].(string); s == "" {
				t.Errorf("no %s in %q", k, line)
			}
		}
		out = append(out, m)
	}
	return out
}

func matching(msgs []string, pattern string) []string {
	re := regexp.MustCompile(pattern)
	var out []string
	for _, m := range msgs {
		if re.MatchString(m) {
			out = append(out, m)
		}
	}
	return out
}

func ofKind(objs []map[string]any, kind string) []map[string]any {
	var out []map[string]any
	for _, o := range objs {
		if o["kind"] == kind {
			out = append(out, o)
		}
	}
	return out
}

// TestProgressLinesInAPipe: in a pipe, migrate and down write one
// timestamped line per event worth a line (slow statements, mutation
// progress, migrations with durations, a summary), and --log-format json
// (or CHSCHEMA_LOG_FORMAT) one JSON object per event.
func TestProgressLinesInAPipe(t *testing.T) {
	db := chtest.New(t)
	t.Cleanup(func() { _ = db.Conn.Exec(context.Background(), "KILL MUTATION WHERE database = '"+db.Name+"'") })
	bin := buildBinary(t)
	dir := slowProject(t)

	r := runBinary(t, bin, dir, nil, "migrate", "--dir", dir, "--dsn", db.DSN)
	if r.code != 0 || r.stdout != "applied 2 migrations (8 statements)\n" {
		t.Fatalf("migrate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	msgs := textLines(t, r.stderr)
	for _, want := range []string{
		`^took the lock \S+ after \d`,
		`^drift check: the live schema matches`,
		`^migration 1/2: up svc 0001_slow \(svc/0001_slow.sql, 7 statements\)$`,
		`^up svc/0001 statement 6/7 done in [1-9][\d.]*s \(svc/0001_slow.sql:7:1\)$`,
		`^svc/0001: mutation \S+ on slow: 0 of 4 parts done, 4 to do; waited \ds \(UPDATE v = v \+ sleepEachRow\(0\.05\) WHERE 1\)$`,
		`^up svc/0001 statement 7/7 done in [1-9][\d.]*s \(svc/0001_slow.sql:8:1\)$`,
		`^applied svc 0001_slow \(7 statements\) in [\d.]+m?s$`,
		`^migration 2/2: up svc 0002_fast`,
		`^applied svc 0002_fast \(1 statement\) in `,
		`^migrate done in [\d.]+m?s: 2 migrations applied, 8 statements run$`,
	} {
		if len(matching(msgs, want)) != 1 {
			t.Errorf("want one line matching %s in:\n%s", want, r.stderr)
		}
	}
	// Only slow statements have a line: statements 1 to 5 take milliseconds.
	for _, m := range matching(msgs, `statement \d/\d done in `) {
		d, err := time.ParseDuration(regexp.MustCompile(`done in (\S+)`).FindStringSubmatch(m)[1])
		if err != nil || d < slowStatement {
			t.Errorf("a statement faster than %s is logged: %q", slowStatement, m)
		}
	}
	if msgs[len(msgs)-1] != matching(msgs, "^migrate done")[0] {
		t.Errorf("the summary is not the last line:\n%s", r.stderr)
	}

	r = runBinary(t, bin, dir, []string{"CHSCHEMA_LOG_FORMAT=json"}, "down", "--to", "0", "--allow-data-loss", "--dir", dir, "--dsn", db.DSN)
	if r.code != 0 {
		t.Fatalf("down: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	objs := jsonLines(t, r.stderr)
	if n := len(ofKind(objs, "migration_done")); n != 2 {
		t.Errorf("%d migration_done objects, want 2:\n%s", n, r.stderr)
	}
	if n := len(ofKind(objs, "statement_done")); n != 3 {
		t.Errorf("%d statement_done objects, want one per statement (3):\n%s", n, r.stderr)
	}
	last := objs[len(objs)-1]
	if last["kind"] != "finished" || last["result"] != "ok" || last["reverted"] != 2.0 || last["exit_code"] != 0.0 {
		t.Errorf("last object: %v", last)
	}

	r = runBinary(t, bin, dir, nil, "migrate", "--log-format", "json", "--dir", dir, "--dsn", db.DSN)
	if r.code != 0 {
		t.Fatalf("migrate --log-format json: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	objs = jsonLines(t, r.stderr)
	muts := ofKind(objs, "mutation_waiting")
	if len(muts) == 0 {
		t.Fatalf("no mutation_waiting object:\n%s", r.stderr)
	}
	first := muts[0]
	if first["parts_total"] != 4.0 || first["parts_to_do"] != 4.0 || first["table"] != "slow" || first["service"] != "svc" {
		t.Errorf("first mutation_waiting: %v", first)
	}
	// Polled every 200 ms for about 2 s, written at most every 2 s.
	if waited := muts[len(muts)-1]["waited"].(float64); float64(len(muts)) > waited/changeGap.Seconds()+1 {
		t.Errorf("%d mutation lines in %.1fs: not paced", len(muts), waited)
	}
	for _, o := range ofKind(objs, "statement_done") {
		st, _ := o["statement"].(map[string]any)
		if st == nil || st["file"] != "svc/0001_slow.sql" && st["file"] != "svc/0002_fast.sql" || st["sql"] != nil {
			t.Errorf("statement_done's statement: %v", o["statement"])
		}
		if _, ok := o["duration"].(float64); !ok {
			t.Errorf("statement_done without a duration in seconds: %v", o)
		}
	}
}

// TestLockWaitLines: a migrate that finds the lock of a run killed with
// SIGKILL says at once, and then only every repeatEvery, who holds it,
// since when and when its lease expires, instead of a minute of silence.
func TestLockWaitLines(t *testing.T) {
	db := chtest.New(t)
	bin := buildBinary(t)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "svc"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "svc", "0001_a.sql"), "-- +up\nCREATE TABLE a ENGINE = Log AS SELECT number AS x FROM numbers(20) WHERE sleepEachRow(0.5) = 0 SETTINGS max_block_size = 1;\n-- +down\nDROP TABLE a;\n")

	holder := exec.Command(bin, "migrate", "--dir", dir, "--dsn", db.DSN, "--lock-lease", "1m")
	var holderOut bytes.Buffer
	holder.Stdout, holder.Stderr = &holderOut, &holderOut
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		var n uint64
		if err := db.Conn.QueryRow(context.Background(), "SELECT count() FROM system.processes WHERE startsWith(query_id, 'chschema:') AND query LIKE '%sleepEachRow%'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			holder.Process.Kill()
			holder.Wait()
			t.Fatalf("the first migrate never ran its statement:\n%s", holderOut.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	holder.Process.Kill()
	holder.Wait()
	killedPID := holder.Process.Pid
	t.Cleanup(func() { runBinary(t, bin, dir, nil, "unlock", "--dir", dir, "--dsn", db.DSN) })

	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			cmd := exec.Command(bin, "migrate", "--dir", dir, "--dsn", db.DSN, "--lock-timeout", "5s", "--log-format", format)
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			var got []string
			var firstAt time.Duration
			sc := bufio.NewScanner(stderr)
			for sc.Scan() {
				if strings.Contains(sc.Text(), "waiting for the lock held by") && firstAt == 0 {
					firstAt = time.Since(start)
				}
				got = append(got, sc.Text())
			}
			err = cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != exitError {
				t.Fatalf("migrate: %v, want exit 2 for a held lock\n%s", err, strings.Join(got, "\n"))
			}
			all := strings.Join(got, "\n") + "\n"
			if firstAt == 0 || firstAt > 3*time.Second {
				t.Fatalf("the first lock line came after %s, want at once:\n%s", firstAt, all)
			}
			if format == "text" {
				waits := matching(textLines(t, all), "waiting for the lock")
				want := fmt.Sprintf(`^waiting for the lock held by chschema \S+ \(host \S+, pid %d\) since \S+Z; its lease expires at \S+Z \(in (1m0s|[1-5]\ds)\) unless renewed; waited 0s of 5s \(lock \S+_lock\)$`, killedPID)
				if len(waits) != 1 || !regexp.MustCompile(want).MatchString(waits[0]) {
					t.Errorf("lock lines in 5 s of waiting (polled every 500 ms): %q\nwant one matching %s", waits, want)
				}
				return
			}
			waits := ofKind(jsonLines(t, all), "lock_waiting")
			if len(waits) != 1 {
				t.Fatalf("%d lock_waiting objects, want 1:\n%s", len(waits), all)
			}
			h, _ := waits[0]["holder"].(map[string]any)
			expires, _ := time.Parse(time.RFC3339Nano, fmt.Sprint(waits[0]["expires"]))
			if h == nil || h["pid"] != float64(killedPID) || !strings.HasPrefix(fmt.Sprint(h["id"]), "chschema") || time.Until(expires) < 10*time.Second {
				t.Errorf("lock_waiting: %v", waits[0])
			}
			last := jsonLines(t, all)
			if fin := last[len(last)-1]; fin["kind"] != "finished" || fin["result"] != "failed" || !strings.Contains(fmt.Sprint(fin["error"]), "is held by chschema") {
				t.Errorf("last object: %v", fin)
			}
		})
	}
}

// TestServerWaitLines: every command that talks to a server says, with
// --wait, that it waits for it and why, once at the start and then only
// every repeatEvery, not at each 500 ms attempt.
func TestServerWaitLines(t *testing.T) {
	bin := buildBinary(t)
	dir := slowProject(t)
	port := freePort(t)
	dsn := fmt.Sprintf("clickhouse://default@127.0.0.1:%d/default", port)
	commands := map[string][]string{
		"migrate":  {"migrate", "--dsn", dsn},
		"down":     {"down", "--to", "0", "--dsn", dsn},
		"baseline": {"baseline", "1", "--dsn", dsn},
		"verify":   {"verify", "--dev-dsn", dsn},
		"diff":     {"diff", "--dsn", dsn},
		"status":   {"status", "--dsn", dsn},
	}
	var wg sync.WaitGroup
	for name, args := range commands {
		wg.Go(func() {
			r := runBinary(t, bin, dir, nil, append(args, "--dir", dir, "--wait", "2s")...)
			if r.code != exitError {
				t.Errorf("%s: exit %d, want 2\n%s", name, r.code, r.stderr)
				return
			}
			var msgs []string
			for _, line := range lines(r.stderr) {
				if m := textLine.FindStringSubmatch(line); m != nil {
					msgs = append(msgs, m[3])
				}
			}
			waits := matching(msgs, "^waiting for the server")
			want := fmt.Sprintf("waiting for the server at default@127.0.0.1:%d/default: attempt 1 failed: dial tcp 127.0.0.1:%d: connect: connection refused (waited 0s of 2s)", port, port)
			if len(waits) != 1 || waits[0] != want {
				t.Errorf("%s: server lines %q, want once %q", name, waits, want)
			}
			if !strings.Contains(lines(r.stderr)[len(lines(r.stderr))-1], "did not answer within 2s: dial tcp 127.0.0.1:"+fmt.Sprint(port)+": connect: connection refused") {
				t.Errorf("%s: stderr does not end with the error:\n%s", name, r.stderr)
			}
		})
	}
	wg.Wait()

	r := runBinary(t, bin, dir, []string{"CHSCHEMA_LOG_FORMAT=json"}, "diff", "--dir", dir, "--dsn", dsn, "--wait", "1s")
	objs := jsonLines(t, r.stderr)
	if len(objs) != 2 || objs[0]["kind"] != "server_waiting" || objs[0]["attempt"] != 1.0 || objs[0]["wait"] != 1.0 ||
		!strings.Contains(fmt.Sprint(objs[0]["error"]), "connection refused") || objs[1]["kind"] != "finished" || objs[1]["exit_code"] != 2.0 {
		t.Errorf("diff --log-format json, exit %d:\n%s", r.code, r.stderr)
	}
}

// ptyRun runs bin on a 120x40 pseudo-terminal (stdin, stdout and stderr),
// calls during (if not nil) with the process and the output so far until it
// returns true, and returns all the output and the exit error.
func ptyRun(t *testing.T, bin, dir string, env []string, during func(*os.Process, string) bool, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var mu sync.Mutex
	var out bytes.Buffer
	read := make(chan struct{})
	go func() {
		defer close(read)
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			mu.Lock()
			out.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				return // EIO once the process is gone
			}
		}
	}()
	if during != nil {
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			mu.Lock()
			s := out.String()
			mu.Unlock()
			if during(cmd.Process, s) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	err = cmd.Wait()
	select {
	case <-read:
	case <-time.After(5 * time.Second):
		t.Error("the terminal's output did not end")
	}
	mu.Lock()
	defer mu.Unlock()
	return out.String(), err
}

var csi = regexp.MustCompile(`^\x1b\[([0-9;?]*)([A-Za-z])`)

// replay is what a terminal shows after raw: its lines, and where the
// cursor ends. It knows what the display uses: text, CR, LF, cursor up
// (CSI n A), erase below (CSI J), erase line (CSI K) and colours (CSI m).
func replay(t *testing.T, raw string) (screen []string, row, col int) {
	t.Helper()
	var rows [][]rune
	put := func(r rune) {
		for len(rows) <= row {
			rows = append(rows, nil)
		}
		for len(rows[row]) < col {
			rows[row] = append(rows[row], ' ')
		}
		if col < len(rows[row]) {
			rows[row][col] = r
		} else {
			rows[row] = append(rows[row], r)
		}
		col++
	}
	for i := 0; i < len(raw); {
		if raw[i] == '\x1b' {
			m := csi.FindStringSubmatch(raw[i:])
			if m == nil {
				t.Fatalf("unknown escape at %d: %q", i, raw[i:min(len(raw), i+10)])
			}
			n := 1
			fmt.Sscan(m[1], &n)
			switch m[2] {
			case "A":
				row = max(0, row-n)
			case "J":
				if row < len(rows) {
					rows = rows[:row+1]
					rows[row] = rows[row][:min(col, len(rows[row]))]
				}
			case "K":
				if row < len(rows) {
					rows[row] = rows[row][:min(col, len(rows[row]))]
				}
			case "m":
			default:
				t.Fatalf("escape %q not expected from the display", m[0])
			}
			i += len(m[0])
			continue
		}
		r, size := []rune(raw[i:])[0], len(string([]rune(raw[i:])[0]))
		switch r {
		case '\r':
			col = 0
		case '\n':
			row++
		default:
			put(r)
		}
		i += size
	}
	for _, r := range rows {
		screen = append(screen, string(r))
	}
	for len(screen) > 0 && screen[len(screen)-1] == "" {
		screen = screen[:len(screen)-1]
	}
	return screen, row, col
}

// noDisplayLeft fails if the screen still shows a row of the live display.
func noDisplayLeft(t *testing.T, screen []string) {
	t.Helper()
	bar := regexp.MustCompile(`\[[=>-]*\]|[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]`)
	for _, l := range screen {
		if bar.MatchString(l) {
			t.Errorf("a row of the display is left on the screen: %q\nscreen:\n%s", l, strings.Join(screen, "\n"))
		}
	}
}

// TestProgressOnATerminal: on a terminal, migrate draws a live display
// (migration i of n, statement j of m, the mutation's parts) in place, and
// takes it off the screen at the end, leaving the lines it keeps and a
// summary; NO_COLOR drops the colours and TERM=dumb the display.
func TestProgressOnATerminal(t *testing.T) {
	bin := buildBinary(t)

	t.Run("display", func(t *testing.T) {
		db := chtest.New(t)
		t.Cleanup(func() { _ = db.Conn.Exec(context.Background(), "KILL MUTATION WHERE database = '"+db.Name+"'") })
		dir := slowProject(t)
		raw, err := ptyRun(t, bin, dir, []string{"TERM=xterm"}, nil, "migrate", "--dir", dir, "--dsn", db.DSN)
		if err != nil {
			t.Fatalf("migrate: %v\n%q", err, raw)
		}
		for _, want := range []string{"\x1b[3A\x1b[J", "migrations 0/2", "up svc 0001_slow", "statements", "statement 6/7 at svc/0001_slow.sql:7:1",
			"/4 parts", "waiting for mutation", "\x1b[32m✓\x1b[0m"} {
			if !strings.Contains(raw, want) {
				t.Errorf("the terminal never showed %q:\n%q", want, raw)
			}
		}
		screen, row, col := replay(t, raw)
		noDisplayLeft(t, screen)
		// A statement of 1 to 5 has a line only if a loaded machine made it
		// slow; it says so, and is not what this test is about.
		var kept []string
		for _, l := range screen {
			if !regexp.MustCompile(`^  statement [1-5]/7 of up svc/0001 took [1-9][\d.]*s `).MatchString(l) {
				kept = append(kept, l)
			}
		}
		row -= len(screen) - len(kept)
		screen = kept
		want := []string{
			"✓ drift check: the live schema matches the expected one",
			`  statement 6/7 of up svc/0001 took [1-9][\d.]*s \(svc/0001_slow.sql:7:1\)`,
			`  statement 7/7 of up svc/0001 took [\d.]+s \(svc/0001_slow.sql:8:1\)`,
			`✓ applied svc 0001_slow \(7 statements\) in [\d.]+s`,
			`✓ applied svc 0002_fast \(1 statement\) in [\d.]+m?s`,
			`applied 2 migrations \(8 statements\)`,
			`✓ migrate done in [\d.]+s: 2 migrations applied, 8 statements run`,
		}
		if len(screen) != len(want) {
			t.Fatalf("screen:\n%s\nwant %d lines like:\n%s", strings.Join(screen, "\n"), len(want), strings.Join(want, "\n"))
		}
		for i, w := range want {
			if !regexp.MustCompile("^" + w + "$").MatchString(screen[i]) {
				t.Errorf("line %d: %q, want %s", i+1, screen[i], w)
			}
		}
		if row != len(screen) || col != 0 {
			t.Errorf("the cursor ends at row %d col %d, want the start of the line after the summary (%d)", row, col, len(screen))
		}
	})

	t.Run("NO_COLOR", func(t *testing.T) {
		db := chtest.New(t)
		dir := slowProject(t)
		os.Remove(filepath.Join(dir, "svc", "0001_slow.sql"))
		raw, err := ptyRun(t, bin, dir, []string{"TERM=xterm", "NO_COLOR=1"}, nil, "migrate", "--dir", dir, "--dsn", db.DSN)
		if err != nil {
			t.Fatalf("migrate: %v\n%q", err, raw)
		}
		if regexp.MustCompile(`\x1b\[[0-9;]*m`).MatchString(raw) {
			t.Errorf("colours with NO_COLOR set:\n%q", raw)
		}
		screen, _, _ := replay(t, raw)
		if last := screen[len(screen)-1]; !strings.HasPrefix(last, "✓ migrate done in ") {
			t.Errorf("last line %q, want the summary", last)
		}
	})

	t.Run("TERM=dumb", func(t *testing.T) {
		db := chtest.New(t)
		dir := slowProject(t)
		os.Remove(filepath.Join(dir, "svc", "0001_slow.sql"))
		raw, err := ptyRun(t, bin, dir, []string{"TERM=dumb"}, nil, "migrate", "--dir", dir, "--dsn", db.DSN)
		if err != nil {
			t.Fatalf("migrate: %v\n%q", err, raw)
		}
		if strings.Contains(raw, "\x1b") {
			t.Errorf("escape sequences with TERM=dumb:\n%q", raw)
		}
		text := strings.ReplaceAll(raw, "\r\n", "\n")
		if !strings.Contains(text, "\napplied 1 migration") && !strings.Contains(text, "\napplied 1 migrations") {
			t.Errorf("no report on stdout:\n%s", text)
		}
		textLines(t, strings.Join(matching(lines(text), `^\d{4}-`), "\n")+"\n")
		if len(matching(lines(text), `^\d{4}-\S+ INFO  migrate done in `)) != 1 {
			t.Errorf("no timestamped summary:\n%s", text)
		}
	})

	t.Run("failure", func(t *testing.T) {
		db := chtest.New(t)
		dir := slowProject(t)
		os.Remove(filepath.Join(dir, "svc", "0001_slow.sql"))
		writeFile(t, filepath.Join(dir, "svc", "0003_bad.sql"), "-- +up\nCREATE TABLE g (x UInt8) ENGINE = Log;\nINSERT INTO no_such_table VALUES (1);\n-- +down\nDROP TABLE g;\n")
		raw, err := ptyRun(t, bin, dir, []string{"TERM=xterm"}, nil, "migrate", "--dir", dir, "--dsn", db.DSN)
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitError {
			t.Fatalf("migrate: %v, want exit 2\n%q", err, raw)
		}
		screen, row, col := replay(t, raw)
		noDisplayLeft(t, screen)
		n := len(screen)
		if n < 3 || !strings.HasPrefix(screen[n-3], "✗ up svc 0003_bad failed at statement 2/2 after ") ||
			!strings.HasPrefix(screen[n-2], "✗ migrate failed after ") || !strings.HasSuffix(screen[n-2], "(exit 2): 1 migration applied, 2 statements run") ||
			!strings.HasPrefix(screen[n-1], "chschema: ") || !strings.Contains(screen[n-1], "no_such_table") {
			t.Errorf("screen:\n%s", strings.Join(screen, "\n"))
		}
		if row != n || col != 0 {
			t.Errorf("cursor at row %d col %d, want %d 0", row, col, n)
		}
	})

	t.Run("killed", func(t *testing.T) {
		// Killed while the display is drawn, the terminal is left with
		// whole lines, the cursor at the start of a line of its own.
		db := chtest.New(t)
		t.Cleanup(func() { _ = db.Conn.Exec(context.Background(), "KILL MUTATION WHERE database = '"+db.Name+"'") })
		dir := slowProject(t)
		signalled := false
		raw, _ := ptyRun(t, bin, dir, []string{"TERM=xterm"}, func(p *os.Process, out string) bool {
			if strings.Contains(out, "statement 6/7 at") {
				signalled = p.Signal(syscall.SIGTERM) == nil
				return true
			}
			return false
		}, "migrate", "--dir", dir, "--dsn", db.DSN)
		if !signalled {
			t.Fatalf("the display never showed statement 6:\n%q", raw)
		}
		screen, row, col := replay(t, raw)
		if row < len(screen) || col != 0 {
			t.Errorf("cursor at row %d col %d on a screen of %d lines: a line was left half-written:\n%s", row, col, len(screen), strings.Join(screen, "\n"))
		}
	})
}
