package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/chschema/chschema"
	"github.com/chschema/chschema/apply"
	"github.com/chschema/chschema/internal/english"
)

// lineLog writes events as lines for a job log: text ("<time> <LEVEL>
// <message>") or JSON (one object per line). Waits are paced (see
// repeatEvery); in text, statements are shown only when slow.
type lineLog struct {
	mu    sync.Mutex
	w     io.Writer
	json  bool
	now   func() time.Time
	polls map[string]pollMark
	// stmt is the statement running, for the "still running" lines.
	stmt  *runningStmt
	stop  chan struct{}
	wrote bool
}

// pollMark is when a wait was last written, and what it looked like then.
type pollMark struct {
	at  time.Time
	sig string
}

type runningStmt struct {
	// prefix names the node, in a cluster run.
	prefix   string
	ev       chschema.StatementStarted
	began    time.Time
	lastLine time.Time
}

func newLineLog(w io.Writer, asJSON bool) *lineLog {
	return &lineLog{w: w, json: asJSON, now: time.Now, polls: map[string]pollMark{}}
}

// due reports whether a wait on subject, now looking like sig, is to be
// written, and notes it if so.
func (l *lineLog) due(subject, sig string, now time.Time) bool {
	last, seen := l.polls[subject]
	switch {
	case !seen,
		last.sig != sig && now.Sub(last.at) >= changeGap,
		now.Sub(last.at) >= repeatEvery:
		l.polls[subject] = pollMark{at: now, sig: sig}
		return true
	}
	return false
}

func (l *lineLog) event(e chschema.Event, _ *tally) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	// A node's event of a cluster run is written as the node's, with its
	// name in front and its number and address as fields.
	prefix := ""
	var nodeFields []field
	if ne, ok := e.(chschema.NodeEvent); ok {
		e, prefix = ne.Event, ne.Node.String()+": "
		nodeFields = []field{{"node", ne.Node.Index}, {"node_address", ne.Node.Address()}}
	}
	due := func(subject, sig string, now time.Time) bool { return l.due(prefix+subject, sig, now) }
	switch e := e.(type) {
	case chschema.ServerWaiting:
		if !due("server", errText(e.Err), now) {
			return
		}
	case chschema.ServerReady:
		delete(l.polls, prefix+"server")
		if !l.json && e.Attempts == 1 {
			return
		}
	case chschema.LockWaiting:
		if !due("lock", e.Holder.ID+e.Holder.Host+fmt.Sprint(e.Holder.PID, e.Holder.Since), now) {
			return
		}
	case chschema.LockAcquired, chschema.LockBroken:
		delete(l.polls, prefix+"lock")
	case chschema.InterruptedWaiting:
		if !due("interrupted", fmt.Sprint(e.Running), now) {
			return
		}
	case chschema.StatementStarted:
		l.stmt = &runningStmt{prefix: prefix, ev: e, began: now, lastLine: now}
		l.heartbeat()
		if !l.json {
			return
		}
	case chschema.MutationWaiting:
		if l.stmt != nil {
			l.stmt.lastLine = now
		}
		if !due("mutation "+e.MutationID, fmt.Sprint(e.PartsToDo), now) {
			return
		}
	case chschema.StatementDone:
		l.stmt = nil
		if !l.json && e.Duration < slowStatement {
			return
		}
	case chschema.MigrationFailed:
		l.stmt = nil
	case chschema.RoundTripStep:
		if !l.json {
			return // verify prints the steps on stdout
		}
	}
	level, msg := describe(e, now)
	l.write(now, level, e.Kind(), prefix+msg, append(nodeFields, eventFields(e)...))
}

// heartbeat starts, once, the goroutine that writes a line while a
// statement runs long without other news.
func (l *lineLog) heartbeat() {
	if l.stop != nil {
		return
	}
	l.stop = make(chan struct{})
	go func(stop chan struct{}) {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			l.mu.Lock()
			if s := l.stmt; s != nil {
				if now := l.now(); now.Sub(s.lastLine) >= repeatEvery {
					s.lastLine = now
					running := now.Sub(s.began)
					msg := s.prefix + fmt.Sprintf("%s %s statement %d/%d still running after %s (%s)",
						section(s.ev.Down), s.ev.Key, s.ev.Index, s.ev.Count, running.Round(time.Second), s.ev.Statement.Pos())
					fields := eventFields(s.ev)
					fields = append(fields, field{"running", seconds(running)})
					l.write(now, "info", "statement_running", msg, fields)
				}
			}
			l.mu.Unlock()
		}
	}(l.stop)
}

func (l *lineLog) pause() {}

func (l *lineLog) finish(o outcome) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stop != nil {
		close(l.stop)
		l.stop = nil
	}
	l.stmt = nil
	if !l.json && !l.wrote {
		return
	}
	level := "info"
	switch o.result() {
	case "findings":
		level = "warn"
	case "failed", "interrupted":
		level = "error"
	}
	fields := []field{{"command", o.command}, {"result", o.result()}, {"exit_code", o.code},
		{"duration", seconds(o.duration)}, {"applied", o.tally.applied}, {"reverted", o.tally.reverted}, {"statements", o.tally.statements}}
	if o.err != nil && o.code != exitFindings {
		fields = append(fields, field{"error", o.err.Error()})
	}
	l.write(l.now(), level, "finished", o.String(), fields)
}

// write writes one line. Call with l.mu held.
func (l *lineLog) write(now time.Time, level, kind, msg string, fields []field) {
	l.wrote = true
	ts := now.UTC().Format("2006-01-02T15:04:05.000Z07:00")
	if !l.json {
		fmt.Fprintf(l.w, "%s %-5s %s\n", ts, strings.ToUpper(level), msg)
		return
	}
	var b bytes.Buffer
	b.WriteByte('{')
	head := []field{{"time", ts}, {"level", level}, {"kind", kind}, {"msg", msg}}
	taken := map[string]bool{}
	for i, f := range append(head, fields...) {
		if taken[f.key] {
			f.key = "event_" + f.key
		}
		taken[f.key] = true
		v, err := json.Marshal(f.value)
		if err != nil {
			v, _ = json.Marshal(fmt.Sprint(f.value))
		}
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(f.key)
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteString("}\n")
	l.w.Write(b.Bytes())
}

// describe gives an event's level and its line of text.
func describe(e chschema.Event, now time.Time) (level, msg string) {
	switch e := e.(type) {
	case chschema.ServerWaiting:
		return "info", fmt.Sprintf("waiting for the server at %s: attempt %d failed: %v (waited %s of %s)",
			e.Server, e.Attempt, e.Err, e.Waited.Round(time.Second), e.Wait)
	case chschema.ServerReady:
		return "info", fmt.Sprintf("server at %s answered after %s (%s)", e.Server, english.Plural(e.Attempts, "attempt"), e.Waited.Round(time.Millisecond))
	case chschema.LockWaiting:
		return "warn", lockWaitText(e, now)
	case chschema.LockBroken:
		return "warn", e.String()
	case chschema.LockAcquired:
		return "info", fmt.Sprintf("took the lock %s after %s", e.Table, e.Waited.Round(time.Millisecond))
	case chschema.InitStarted:
		return "info", fmt.Sprintf("running init.sql: %s", english.Plural(e.Statements, "statement"))
	case chschema.InterruptedWaiting, chschema.Resuming:
		return "warn", e.String()
	case chschema.DriftChecked:
		if e.Err != nil {
			return "error", e.String()
		}
		return "info", e.String()
	case chschema.MigrationStarted:
		s := fmt.Sprintf("migration %d/%d: %s %s %04d_%s (%s, %s)", e.Index, e.Count, section(e.Down), e.Service, e.Version, e.Name, e.File, english.Plural(e.Statements, "statement"))
		if e.Start > 0 {
			s += fmt.Sprintf(", resuming after %d done", e.Start)
		}
		return "info", s
	case chschema.StatementStarted:
		return "info", fmt.Sprintf("%s %s statement %d/%d started (%s)", section(e.Down), e.Key, e.Index, e.Count, e.Statement.Pos())
	case chschema.StatementDone:
		return "info", fmt.Sprintf("%s %s statement %d/%d done in %s (%s)", section(e.Down), e.Key, e.Index, e.Count, e.Duration.Round(time.Millisecond), e.Statement.Pos())
	case chschema.MutationWaiting:
		return "info", mutationText(e)
	case chschema.MigrationDone:
		return "info", migrationDoneText(e)
	case chschema.MigrationFailed, chschema.LeaseLost:
		return "error", e.String()
	case chschema.StatementCancelled, chschema.Stopped, signalReceived:
		return "warn", e.String()
	case chschema.DataLossChecked:
		if len(e.Losses) > 0 {
			return "warn", e.String()
		}
	}
	return "info", e.String()
}

// migrationDoneText says which migration was applied or reverted, and how
// long it took.
func migrationDoneText(e chschema.MigrationDone) string {
	verb := "applied"
	if e.Down {
		verb = "reverted"
	}
	return fmt.Sprintf("%s %s %04d_%s (%s) in %s", verb, e.Service, e.Version, e.Name, english.Plural(e.Statements, "statement"), e.Duration.Round(time.Millisecond))
}

// lockWaitText says who holds the lock, since when, and when it expires.
func lockWaitText(e chschema.LockWaiting, now time.Time) string {
	h := e.Holder
	exp := e.Expires
	if exp.IsZero() {
		exp = h.Expires()
	}
	expires := fmt.Sprintf("its lease expires at %s (in %s) unless renewed", exp.UTC().Format(time.RFC3339), exp.Sub(now).Round(time.Second))
	if !exp.After(now) {
		expires = fmt.Sprintf("its lease expired at %s and the lock is about to be broken", exp.UTC().Format(time.RFC3339))
	}
	return fmt.Sprintf("waiting for the lock held by %s (host %s, pid %d) since %s; %s; waited %s of %s (lock %s)",
		h.ID, h.Host, h.PID, h.Since.UTC().Format(time.RFC3339), expires, e.Waited.Round(time.Second), e.Timeout, e.Table)
}

// mutationText says how far a mutation is.
func mutationText(e chschema.MutationWaiting) string {
	table := e.Table
	if e.Database != "" {
		table = e.Database + "." + e.Table
	}
	return fmt.Sprintf("%s: mutation %s on %s: %d of %d %s done, %d to do; waited %s (%s)",
		e.Key, e.MutationID, table, e.PartsTotal-e.PartsToDo, e.PartsTotal, english.Noun(int(e.PartsTotal), "part"), e.PartsToDo, e.Waited.Round(time.Second), mutationCommand(e.Command, 120))
}

// mutationCommand is system.mutations' command on one line of at most n
// runes, without the parentheses the server puts around it.
func mutationCommand(cmd string, n int) string {
	cmd = strings.TrimSpace(cmd)
	if strings.HasPrefix(cmd, "(") && strings.HasSuffix(cmd, ")") {
		cmd = cmd[1 : len(cmd)-1]
	}
	return oneLine(cmd, n)
}

// oneLine squeezes s onto one line of at most n runes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func section(down bool) string {
	if down {
		return "down"
	}
	return "up"
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// field is one key of a JSON line.
type field struct {
	key   string
	value any
}

// seconds is a duration for JSON: seconds, to the millisecond.
func seconds(d time.Duration) float64 { return math.Round(d.Seconds()*1000) / 1000 }

// stmtPos is a statement in a JSON line: its position, not its SQL, which
// may hold the values of template variables (passwords).
type stmtPos struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Col  int    `json:"col"`
}

var (
	durationType  = reflect.TypeFor[time.Duration]()
	timeType      = reflect.TypeFor[time.Time]()
	statementType = reflect.TypeFor[apply.Statement]()
	errorType     = reflect.TypeFor[error]()
)

// eventFields are an event's fields for a JSON line, in the struct's
// order, by their json names: embedded structs are flattened, durations
// are seconds, times RFC 3339 in UTC, an error its message (key "error"),
// a statement its position.
func eventFields(e any) []field {
	v := reflect.ValueOf(e)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	var out []field
	t := v.Type()
	for i := range t.NumField() {
		sf, fv := t.Field(i), v.Field(i)
		if !sf.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if sf.Type == errorType || (sf.Type.Kind() == reflect.Interface && sf.Type.Implements(errorType)) {
			if !fv.IsNil() {
				out = append(out, field{"error", fv.Interface().(error).Error()})
			}
			continue
		}
		if name == "-" {
			continue
		}
		if sf.Anonymous && name == "" && sf.Type.Kind() == reflect.Struct {
			out = append(out, eventFields(fv.Interface())...)
			continue
		}
		if name == "" {
			name = sf.Name
		}
		if strings.Contains(opts, "omitempty") && fv.IsZero() {
			continue
		}
		var val any
		switch sf.Type {
		case durationType:
			val = seconds(time.Duration(fv.Int()))
		case timeType:
			tm := fv.Interface().(time.Time)
			if tm.IsZero() {
				continue
			}
			val = tm.UTC().Format(time.RFC3339Nano)
		case statementType:
			s := fv.Interface().(apply.Statement)
			val = stmtPos{s.File, s.Line, s.Col}
		default:
			val = fv.Interface()
		}
		out = append(out, field{name, val})
	}
	return out
}
