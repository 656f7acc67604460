package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alecthomas/kong"
	"github.com/chschema/chschema"
	"github.com/chschema/chschema/internal/english"
)

// How the event log paces itself. A wait that goes on (for the server, the
// lock, a mutation) is reported when it starts, again when what it waits for
// changes (at most every changeGap), and at least every repeatEvery; a
// statement is reported done when it took slowStatement or more, and while
// it runs longer than repeatEvery, every repeatEvery.
const (
	repeatEvery   = 10 * time.Second
	changeGap     = 2 * time.Second
	slowStatement = time.Second
)

// logFlag is part of the flags of every command that talks to a server.
type logFlag struct {
	LogFormat string `name:"log-format" help:"How progress goes to stderr: text (a live display on a terminal, timestamped lines otherwise) or json (one JSON object per line, for job logs)." env:"CHSCHEMA_LOG_FORMAT" enum:"text,json" default:"text"`
}

// logFormatOf is the --log-format of the command kctx selected, or "" if
// it has none.
func logFormatOf(kctx *kong.Context) string {
	if kctx.Selected() == nil {
		return ""
	}
	for _, f := range kctx.Selected().Flags {
		if f.Name == "log-format" {
			if s, ok := kctx.FlagValue(f).(string); ok {
				return s
			}
		}
	}
	return ""
}

// eventSink is where a command's events go: the live display on a
// terminal, or lines (text or JSON) elsewhere.
type eventSink interface {
	// event reports one event; t already counts it.
	event(e chschema.Event, t *tally)
	// pause takes a live display off the screen before the command writes
	// its own output; the next event brings it back.
	pause()
	// finish ends the log with the command's outcome.
	finish(o outcome)
}

// tally counts what a run did, for the closing summary.
type tally struct {
	applied, reverted int
	statements        int
}

func (t *tally) count(e chschema.Event) {
	if ne, ok := e.(chschema.NodeEvent); ok {
		e = ne.Event
	}
	switch e := e.(type) {
	case chschema.MigrationDone:
		if e.Down {
			t.reverted++
		} else {
			t.applied++
		}
	case chschema.StatementDone:
		t.statements++
	}
}

// outcome is how a command ended.
type outcome struct {
	command  string
	err      error
	code     int
	duration time.Duration
	tally    tally
}

// result is one word for the outcome: ok, findings, interrupted or failed.
func (o outcome) result() string {
	switch {
	case o.err == nil:
		return "ok"
	case o.code == exitFindings:
		return "findings"
	case errors.Is(o.err, context.Canceled):
		return "interrupted"
	default:
		return "failed"
	}
}

// String is the closing summary, without a timestamp.
func (o outcome) String() string {
	d := o.duration.Round(time.Millisecond)
	var did []string
	if o.tally.applied > 0 {
		did = append(did, english.Plural(o.tally.applied, "migration")+" applied")
	}
	if o.tally.reverted > 0 {
		did = append(did, english.Plural(o.tally.reverted, "migration")+" reverted")
	}
	if o.tally.statements > 0 {
		did = append(did, english.Plural(o.tally.statements, "statement")+" run")
	}
	what := ""
	if len(did) > 0 {
		what = ": " + strings.Join(did, ", ")
	}
	switch o.result() {
	case "ok":
		return fmt.Sprintf("%s done in %s%s", o.command, d, what)
	case "findings":
		return fmt.Sprintf("%s finished in %s with findings (exit %d)%s", o.command, d, o.code, what)
	case "interrupted":
		return fmt.Sprintf("%s interrupted after %s (exit %d)%s", o.command, d, o.code, what)
	}
	return fmt.Sprintf("%s failed after %s (exit %d)%s", o.command, d, o.code, what)
}

// runLog turns a command's events into its log: it picks the sink on the
// first event (from --log-format, whether stderr is a terminal, TERM and
// NO_COLOR) and counts what the run did.
type runLog struct {
	mu    sync.Mutex
	sink  eventSink
	tally tally
	start time.Time
}

// logState is Env's part for the event log.
type logState struct {
	// LogFormat is --log-format, for the commands that have it ("" for
	// the others).
	LogFormat string
	rawStderr io.Writer
	logBegan  time.Time
	logOnce   sync.Once
	log       atomic.Pointer[runLog]
}

// logMode says how events are shown: "display" (live, on a terminal),
// "text" or "json" lines.
func logMode(format string, stderrTTY bool, environ []string) string {
	if format == "json" {
		return "json"
	}
	if stderrTTY && lookupEnv(environ, "TERM") != "dumb" {
		return "display"
	}
	return "text"
}

// lookupEnv returns name's value in environ.
func lookupEnv(environ []string, name string) string {
	v := ""
	for _, kv := range environ {
		if k, val, ok := strings.Cut(kv, "="); ok && k == name {
			v = val
		}
	}
	return v
}

// logStart prepares env for a command: its events go to env.event, and the
// command's own writes to stdout and stderr first take a live display off
// the screen. The log itself is made on the first event.
func (env *Env) logStart() {
	env.rawStderr = env.Stderr
	env.logBegan = time.Now()
	env.Stdout = pausingWriter{env.Stdout, env}
	env.Stderr = pausingWriter{env.Stderr, env}
}

// event is the callback of the commands' operations.
func (env *Env) event(e chschema.Event) {
	l := env.runLog()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.tally.count(e)
	l.sink.event(e, &l.tally)
}

func (env *Env) runLog() *runLog {
	env.logOnce.Do(func() {
		w := env.rawStderr
		if w == nil {
			w = env.Stderr
		}
		start := env.logBegan
		if start.IsZero() {
			start = time.Now()
		}
		l := &runLog{start: start}
		switch logMode(env.LogFormat, env.StderrTTY, env.Environ) {
		case "display":
			l.sink = newDisplay(w, start, !hasEnv(env.Environ, "NO_COLOR"))
		case "json":
			l.sink = newLineLog(w, true)
		default:
			l.sink = newLineLog(w, false)
		}
		env.log.Store(l)
	})
	return env.log.Load()
}

// logEnd ends the log of a command that has --log-format with its outcome.
// It reports whether the log carried the error (JSON lines do), so that
// the caller does not print it again.
func (env *Env) logEnd(command string, err error, code int) bool {
	if env.LogFormat == "" {
		return false
	}
	if f := strings.Fields(command); len(f) > 0 {
		command = f[0]
	}
	l := env.runLog()
	l.mu.Lock()
	defer l.mu.Unlock()
	o := outcome{command: command, err: err, code: code, duration: time.Since(l.start), tally: l.tally}
	l.sink.finish(o)
	return err != nil && logMode(env.LogFormat, env.StderrTTY, env.Environ) == "json"
}

// pauseLog takes a live display off the screen, if there is one.
func (env *Env) pauseLog() {
	l := env.log.Load()
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sink.pause()
}

// pausingWriter is a command's stdout or stderr: a write first takes the
// live display off the screen, so that the two never interleave.
type pausingWriter struct {
	w   io.Writer
	env *Env
}

func (p pausingWriter) Write(b []byte) (int, error) {
	p.env.pauseLog()
	return p.w.Write(b)
}
