package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chschema/chschema"
	"github.com/chschema/chschema/apply"
	"github.com/creack/pty"
	"github.com/google/go-cmp/cmp"
)

// TestIsTerminal: a pseudo-terminal is a terminal; a pipe and /dev/null
// (a character device, but no terminal) are not.
func TestIsTerminal(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	defer tty.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	for _, c := range []struct {
		name string
		f    *os.File
		want bool
	}{{"pty", tty, true}, {"pipe", w, false}, {"/dev/null", null, false}} {
		if got := isTerminal(c.f); got != c.want {
			t.Errorf("isTerminal(%s) = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestLogMode: the live display only on a terminal that can move the
// cursor, and never when JSON is asked for.
func TestLogMode(t *testing.T) {
	for _, c := range []struct {
		format  string
		tty     bool
		environ []string
		want    string
	}{
		{"text", true, []string{"TERM=xterm-256color"}, "display"},
		{"text", true, nil, "display"},
		{"text", true, []string{"TERM=dumb"}, "text"},
		{"text", true, []string{"TERM=xterm", "TERM=dumb"}, "text"},
		{"text", false, []string{"TERM=xterm"}, "text"},
		{"json", true, []string{"TERM=xterm"}, "json"},
		{"json", false, nil, "json"},
	} {
		if got := logMode(c.format, c.tty, c.environ); got != c.want {
			t.Errorf("logMode(%q, tty=%v, %v) = %q, want %q", c.format, c.tty, c.environ, got, c.want)
		}
	}
}

// fakeClock is a lineLog's clock, moved by the test.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) set(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).Add(d)
}

func testLineLog(asJSON bool) (*lineLog, *fakeClock, *syncBuffer) {
	var buf syncBuffer
	l := newLineLog(&buf, asJSON)
	clock := &fakeClock{}
	clock.set(0)
	l.now = clock.now
	return l, clock, &buf
}

// syncBuffer is a bytes.Buffer safe for the heartbeat goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func lines(s string) []string { return strings.Split(strings.TrimSuffix(s, "\n"), "\n") }

// TestLinePacing: a wait polled every 500 ms is written when it starts, when
// what it waits for changes (at most every changeGap) and every
// repeatEvery; fast statements and a first-try connection are not written
// in text.
func TestLinePacing(t *testing.T) {
	holder := func(id string) apply.LockHolder {
		return apply.LockHolder{ID: id, Host: "h", PID: 7, Since: time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC),
			Renewed: time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC), Lease: apply.Duration(time.Minute)}
	}
	l, clock, buf := testLineLog(false)
	// 25 s of lock polls every 500 ms; the holder changes at 3 s.
	for ms := 0; ms <= 25000; ms += 500 {
		clock.set(time.Duration(ms) * time.Millisecond)
		id := "old"
		if ms >= 3000 {
			id = "new"
		}
		l.event(chschema.LockWaiting{Table: "db.lock", Holder: holder(id), Attempt: ms/500 + 1, Waited: time.Duration(ms) * time.Millisecond, Timeout: time.Hour}, nil)
	}
	got := lines(buf.String())
	var at []string
	for _, line := range got {
		at = append(at, line[17:23]+" "+regexp.MustCompile(`held by (\w+)`).FindStringSubmatch(line)[1])
	}
	// 0 s: first; 3 s: new holder; 13 s and 23 s: every 10 s.
	if diff := cmp.Diff([]string{"05.000 old", "08.000 new", "18.000 new", "28.000 new"}, at); diff != "" {
		t.Errorf("lock lines (-want +got):\n%s\n%s", diff, buf.String())
	}
	if !strings.Contains(got[0], " WARN  waiting for the lock held by old (host h, pid 7) since 2026-01-02T03:00:00Z; its lease expires at 2026-01-02T03:05:00Z (in 55s) unless renewed; waited 0s of 1h0m0s (lock db.lock)") {
		t.Errorf("first lock line: %q", got[0])
	}

	l, clock, buf = testLineLog(false)
	// A mutation whose parts_to_do drops every 500 ms: a line at most every 2 s.
	for i := 0; i <= 10; i++ {
		clock.set(time.Duration(i) * 500 * time.Millisecond)
		l.event(chschema.MutationWaiting{Key: apply.Key{Service: "s", Version: 1}, Table: "t", MutationID: "m1", Command: "(UPDATE x = 1 WHERE 1)",
			PartsToDo: int64(20 - i), PartsTotal: 20, Waited: time.Duration(i) * 500 * time.Millisecond}, nil)
	}
	want := []string{
		"2026-01-02T03:04:05.000Z INFO  s/0001: mutation m1 on t: 0 of 20 parts done, 20 to do; waited 0s (UPDATE x = 1 WHERE 1)",
		"2026-01-02T03:04:07.000Z INFO  s/0001: mutation m1 on t: 4 of 20 parts done, 16 to do; waited 2s (UPDATE x = 1 WHERE 1)",
		"2026-01-02T03:04:09.000Z INFO  s/0001: mutation m1 on t: 8 of 20 parts done, 12 to do; waited 4s (UPDATE x = 1 WHERE 1)",
	}
	if diff := cmp.Diff(want, lines(buf.String())); diff != "" {
		t.Errorf("mutation lines (-want +got):\n%s", diff)
	}

	l, clock, buf = testLineLog(false)
	st := apply.Statement{SQL: "CREATE TABLE secret_password_here", File: "s/0001_a.sql", Line: 3, Col: 1}
	l.event(chschema.ServerReady{Server: "u@h:9000/db", Attempts: 1}, nil)
	l.event(chschema.StatementStarted{Key: apply.Key{Service: "s", Version: 1}, Index: 1, Count: 2, Statement: st}, nil)
	l.event(chschema.StatementDone{Key: apply.Key{Service: "s", Version: 1}, Index: 1, Count: 2, Statement: st, Duration: 999 * time.Millisecond}, nil)
	l.event(chschema.StatementDone{Key: apply.Key{Service: "s", Version: 1}, Index: 2, Count: 2, Statement: st, Duration: 1500 * time.Millisecond}, nil)
	want = []string{"2026-01-02T03:04:05.000Z INFO  up s/0001 statement 2/2 done in 1.5s (s/0001_a.sql:3:1)"}
	if diff := cmp.Diff(want, lines(buf.String())); diff != "" {
		t.Errorf("statement lines (-want +got):\n%s", diff)
	}
	l.finish(outcome{command: "migrate", duration: 2 * time.Second, tally: tally{applied: 1, statements: 2}})
	if got := lines(buf.String()); got[len(got)-1] != "2026-01-02T03:04:05.000Z INFO  migrate done in 2s: 1 migration applied, 2 statements run" {
		t.Errorf("summary: %q", got[len(got)-1])
	}
}

// TestStatementStillRunning: a statement that runs longer than repeatEvery
// without other news gets a line of its own.
func TestStatementStillRunning(t *testing.T) {
	l, clock, buf := testLineLog(false)
	st := apply.Statement{File: "s/0001_a.sql", Line: 3, Col: 1}
	l.event(chschema.StatementStarted{Key: apply.Key{Service: "s", Version: 1}, Index: 1, Count: 2, Statement: st}, nil)
	defer l.finish(outcome{command: "migrate"})
	clock.set(repeatEvery + time.Second)
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(buf.String(), "still running") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if want := "2026-01-02T03:04:16.000Z INFO  up s/0001 statement 1/2 still running after 11s (s/0001_a.sql:3:1)\n"; buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}
}

// TestJSONLines: every line is one JSON object with time, level, kind and
// msg, then the event's fields by their JSON names: durations in seconds,
// times in UTC, the error's message, a statement's position and not its
// SQL (template variables may hold secrets).
func TestJSONLines(t *testing.T) {
	l, _, buf := testLineLog(true)
	st := apply.Statement{SQL: "CREATE DICTIONARY d SOURCE(CLICKHOUSE(PASSWORD 'hunter2'))", File: "s/0001_a.sql", Line: 3, Col: 5}
	l.event(chschema.ServerWaiting{Server: "u@h:9000/db", Attempt: 2, Err: errors.New("connection refused"), Waited: 1500 * time.Millisecond, Wait: time.Minute}, nil)
	l.event(chschema.ServerReady{Server: "u@h:9000/db", Attempts: 1, Waited: 3 * time.Millisecond}, nil)
	l.event(chschema.StatementDone{Key: apply.Key{Service: "s", Version: 1}, Down: true, Index: 1, Count: 2, Statement: st, Duration: 20 * time.Millisecond}, nil)
	l.event(chschema.MutationWaiting{Key: apply.Key{Service: "s", Version: 1}, Table: "t", MutationID: "m1", PartsToDo: 3, PartsTotal: 8,
		Created: time.Date(2026, 1, 2, 4, 5, 6, 0, time.FixedZone("x", 3600)), Waited: 2 * time.Second}, nil)
	l.event(chschema.MigrationFailed{Key: apply.Key{Service: "s", Version: 1}, Name: "a", Done: 1, Total: 2, Err: errors.New("code 60: boom")}, nil)
	l.finish(outcome{command: "down", err: errors.New("boom"), code: exitError, duration: 1234 * time.Millisecond})
	if strings.Contains(buf.String(), "hunter2") {
		t.Fatalf("a statement's SQL is in the log:\n%s", buf.String())
	}
	var got []map[string]any
	for _, line := range lines(buf.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not a JSON object: %q: %v", line, err)
		}
		if _, err := time.Parse(time.RFC3339Nano, m["time"].(string)); err != nil || m["level"] == "" || m["kind"] == "" || m["msg"] == "" {
			t.Errorf("line lacks time, level, kind or msg: %q", line)
		}
		delete(m, "time")
		delete(m, "msg")
		got = append(got, m)
	}
	want := []map[string]any{
		{"level": "info", "kind": "server_waiting", "server": "u@h:9000/db", "attempt": 2.0, "error": "connection refused", "waited": 1.5, "wait": 60.0},
		{"level": "info", "kind": "server_ready", "server": "u@h:9000/db", "attempts": 1.0, "waited": 0.003},
		{"level": "info", "kind": "statement_done", "service": "s", "version": 1.0, "down": true, "index": 1.0, "count": 2.0,
			"statement": map[string]any{"file": "s/0001_a.sql", "line": 3.0, "col": 5.0}, "duration": 0.02},
		{"level": "info", "kind": "mutation_waiting", "service": "s", "version": 1.0, "table": "t", "mutation_id": "m1", "command": "",
			"parts_to_do": 3.0, "parts_total": 8.0, "created": "2026-01-02T03:05:06Z", "waited": 2.0},
		{"level": "error", "kind": "migration_failed", "service": "s", "version": 1.0, "name": "a", "done": 1.0, "total": 2.0, "error": "code 60: boom", "duration": 0.0},
		{"level": "error", "kind": "finished", "command": "down", "result": "failed", "exit_code": 2.0, "duration": 1.234,
			"applied": 0.0, "reverted": 0.0, "statements": 0.0, "error": "boom"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("JSON lines (-want +got):\n%s", diff)
	}
}
