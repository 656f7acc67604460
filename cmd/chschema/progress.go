package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chschema/chschema"
	"github.com/chschema/chschema/internal/english"
	"github.com/vbauerster/cupwriter"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// display is the live progress of a command on a terminal, drawn by mpb
// under the lines it keeps (migrations applied, lock taken, ...):
//
//	✓ applied xapi 0001_init (3 statements) in 120ms
//	⠹ statement 2/4 at xapi/0002_more.sql:7:1 · 3s
//	  migrations 2/3     [==========>---------] 12s
//	  up xapi 0002_more  [=====>--------------] 1/4
//	  mutation 0000000005 on db.t [==>-----] 1/8 parts
//
// The rows are redrawn in place; each frame is written whole, and ends
// with the cursor at the start of the line below it, so that a process
// killed between two frames leaves only whole lines. pause and finish take
// the rows off the screen; finish then writes the summary.
type display struct {
	out   io.Writer
	color bool
	start time.Time

	// now is the state the rows show. The rows' decorators run on mpb's
	// goroutines and only load it; event stores a new copy.
	now atomic.Pointer[displayState]
	st  displayState

	// mu guards the mpb container and bars.
	mu       sync.Mutex
	p        *mpb.Progress
	activity *mpb.Bar
	overall  *mpb.Bar
	section  *mpb.Bar
	mutation *mpb.Bar
	// sectionOf and mutationOf say what the section and mutation bars show.
	sectionOf, mutationOf string
	mutationTotal         int64
	shown, done           bool
}

// displayState is what the rows show.
type displayState struct {
	activity      string
	activitySince time.Time

	migIndex, migCount, migDone int
	migLabel                    string
	migStart                    time.Time

	stmtCount, stmtDone int

	mutation *chschema.MutationWaiting
	// mutationFinished is set when the statement whose mutation was shown
	// completed, and with it the mutation.
	mutationFinished bool
}

func newDisplay(out io.Writer, start time.Time, color bool) *display {
	d := &display{out: out, color: color, start: start}
	d.now.Store(&displayState{})
	return d
}

// Colours and marks of the kept lines.
const (
	green  = "\x1b[32m"
	red    = "\x1b[31m"
	yellow = "\x1b[33m"
	reset  = "\x1b[0m"
)

func (d *display) mark(color, mark, text string) string {
	if !d.color {
		return mark + " " + text
	}
	return color + mark + reset + " " + text
}

func (d *display) event(e chschema.Event, _ *tally) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.done {
		return
	}
	now := time.Now()
	st := &d.st
	// A node's event of a cluster run: the same, its lines under the node's
	// name.
	prefix := ""
	if ne, ok := e.(chschema.NodeEvent); ok {
		e, prefix = ne.Event, ne.Node.String()+": "
	}
	mark := func(color, sym, s string) string { return d.mark(color, sym, prefix+s) }
	setActivity := func(s string) {
		if s != "" {
			s = prefix + s
		}
		if s != st.activity {
			st.activitySince = now
		}
		st.activity = s
	}
	var lines []string
	switch e := e.(type) {
	case chschema.ServerWaiting:
		setActivity(fmt.Sprintf("waiting for the server at %s (attempt %d): %v", e.Server, e.Attempt, oneLine(errText(e.Err), 200)))
	case chschema.ServerReady:
		setActivity("")
		if e.Attempts > 1 {
			lines = append(lines, mark(green, "✓", fmt.Sprintf("server at %s answered after %s (%s)", e.Server, english.Plural(e.Attempts, "attempt"), e.Waited.Round(time.Millisecond))))
		}
	case chschema.LockWaiting:
		setActivity(lockWaitText(e, now))
	case chschema.LockBroken:
		lines = append(lines, mark(yellow, "!", e.String()))
		setActivity("taking the lock")
	case chschema.LockAcquired:
		if e.Waited >= time.Second {
			lines = append(lines, mark(green, "✓", fmt.Sprintf("took the lock %s after waiting %s", e.Table, e.Waited.Round(time.Second))))
		}
		setActivity("reading the history")
	case chschema.InitStarted:
		setActivity(fmt.Sprintf("running init.sql (%s)", english.Plural(e.Statements, "statement")))
	case chschema.InitDone:
		lines = append(lines, mark(green, "✓", e.String()))
		setActivity("checking the live schema")
	case chschema.InterruptedWaiting:
		setActivity(e.String())
	case chschema.DriftChecked:
		if e.Err != nil {
			lines = append(lines, mark(red, "✗", e.String()))
		} else {
			lines = append(lines, mark(green, "✓", e.String()))
		}
		setActivity("")
	case chschema.Resuming:
		lines = append(lines, mark(yellow, "!", e.String()))
	case chschema.MigrationStarted:
		st.migIndex, st.migCount, st.migDone = e.Index, e.Count, e.Index-1
		st.migLabel = fmt.Sprintf("%s %s %04d_%s", section(e.Down), e.Service, e.Version, e.Name)
		st.migStart = now
		st.stmtCount, st.stmtDone = e.Statements, e.Start
		st.mutation = nil
		setActivity(st.migLabel)
	case chschema.StatementStarted:
		st.mutation = nil
		setActivity(fmt.Sprintf("statement %d/%d at %s", e.Index, e.Count, e.Statement.Pos()))
	case chschema.MutationWaiting:
		m := e
		st.mutation, st.mutationFinished = &m, false
		setActivity(fmt.Sprintf("waiting for mutation %s: %s", e.MutationID, mutationCommand(e.Command, 200)))
	case chschema.StatementDone:
		st.stmtDone = e.Index
		st.mutationFinished = st.mutation != nil
		st.mutation = nil
		if e.Duration >= slowStatement {
			lines = append(lines, "  "+prefix+fmt.Sprintf("statement %d/%d of %s %s took %s (%s)", e.Index, e.Count, section(e.Down), e.Key, e.Duration.Round(time.Millisecond), e.Statement.Pos()))
		}
	case chschema.MigrationDone:
		st.migDone = st.migIndex
		st.mutation = nil
		lines = append(lines, mark(green, "✓", migrationDoneText(e)))
		setActivity("")
	case chschema.MigrationFailed:
		st.mutation = nil
		lines = append(lines, mark(red, "✗", fmt.Sprintf("%s %s %04d_%s failed at statement %d/%d after %s",
			section(e.Down), e.Service, e.Version, e.Name, e.Done+1, e.Total, e.Duration.Round(time.Millisecond))))
		setActivity("")
	case chschema.RoundTripStep:
		// verify prints the steps on stdout.
	default:
		lines = append(lines, mark(yellow, "!", e.String()))
	}
	snapshot := *st
	d.now.Store(&snapshot)
	d.draw(lines)
}

// running reports whether the rows have something to show.
func (s *displayState) running() bool { return s.activity != "" || s.migCount > 0 }

// draw brings the bars in line with the state and writes lines above them.
// Call with d.mu held.
func (d *display) draw(lines []string) {
	st := d.now.Load()
	if d.p == nil && !st.running() {
		for _, l := range lines {
			d.shown = true
			fmt.Fprintln(d.out, l)
		}
		return
	}
	if d.p == nil {
		d.p = mpb.New(mpb.WithConsoleWriter(newConsole(d.out)), mpb.WithWidth(30), mpb.WithRefreshRate(120*time.Millisecond))
		d.shown = true
	}
	for _, l := range lines {
		d.p.Write([]byte(l + "\n"))
	}
	if d.activity == nil {
		d.activity = d.p.New(0, mpb.NopStyle(), mpb.BarPriority(0), mpb.BarRemoveOnComplete(),
			mpb.PrependDecorators(decor.Any(d.activityText)))
	}
	if st.migCount > 0 && d.overall == nil {
		d.overall = d.p.AddBar(int64(st.migCount), mpb.BarPriority(1), mpb.BarRemoveOnComplete(),
			mpb.PrependDecorators(decor.Any(func(decor.Statistics) string {
				s := d.now.Load()
				return fmt.Sprintf("  migrations %d/%d", s.migDone, s.migCount)
			}, decor.WCSyncSpaceR)),
			mpb.AppendDecorators(decor.Any(func(decor.Statistics) string { return since(d.start) })))
	}
	if d.overall != nil {
		d.overall.SetCurrent(int64(st.migDone))
	}
	if d.sectionOf != st.migLabel {
		if d.section != nil {
			d.section.Abort(true)
			d.section = nil
		}
		d.sectionOf = st.migLabel
	}
	if d.section == nil && st.migLabel != "" && st.stmtCount > 0 && st.migDone < st.migIndex {
		label, began := st.migLabel, st.migStart
		d.section = d.p.AddBar(int64(st.stmtCount), mpb.BarPriority(2), mpb.BarRemoveOnComplete(),
			mpb.PrependDecorators(decor.Name("  "+label, decor.WCSyncSpaceR)),
			mpb.AppendDecorators(decor.Any(func(s decor.Statistics) string {
				return fmt.Sprintf("%d/%d %s · %s", s.Current, s.Total, english.Noun(int(s.Total), "statement"), since(began))
			})))
	}
	if d.section != nil {
		d.section.SetCurrent(int64(st.stmtDone))
	}
	mut := ""
	if st.mutation != nil {
		mut = st.mutation.MutationID
	}
	if d.mutationOf != mut && d.mutation != nil {
		if st.mutationFinished {
			d.mutation.SetCurrent(d.mutationTotal) // complete: drawn full once, then removed
		} else {
			d.mutation.Abort(true)
		}
		d.mutation = nil
	}
	d.mutationOf = mut
	if st.mutation != nil {
		if d.mutation == nil {
			m := st.mutation
			began := time.Now().Add(-m.Waited)
			d.mutation = d.p.AddBar(m.PartsTotal, mpb.BarPriority(3), mpb.BarRemoveOnComplete(),
				mpb.PrependDecorators(decor.Name(fmt.Sprintf("  mutation %s on %s", m.MutationID, m.Table), decor.WCSyncSpaceR)),
				mpb.AppendDecorators(decor.Any(func(s decor.Statistics) string {
					return fmt.Sprintf("%d/%d %s · %s", s.Current, s.Total, english.Noun(int(s.Total), "part"), since(began))
				})))
		}
		d.mutationTotal = st.mutation.PartsTotal
		d.mutation.SetTotal(st.mutation.PartsTotal, false)
		d.mutation.SetCurrent(st.mutation.PartsTotal - st.mutation.PartsToDo)
	}
}

// activityText is the spinner row's text: what the command does now, and
// for how long.
func (d *display) activityText(decor.Statistics) string {
	s := d.now.Load()
	frame := spinner[int(time.Since(d.start)/(120*time.Millisecond))%len(spinner)]
	if s.activity == "" {
		return frame + " working · " + since(d.start)
	}
	return frame + " " + s.activity + " · " + since(s.activitySince)
}

var spinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// since is the time since t, to the second.
func since(t time.Time) string { return time.Since(t).Round(time.Second).String() }

// pause takes the rows off the screen (the kept lines stay); the next
// event draws them again.
func (d *display) pause() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.clear()
}

// clear removes the bars and waits until mpb has drawn its last frame, an
// empty one. Call with d.mu held.
func (d *display) clear() {
	if d.p == nil {
		return
	}
	for _, b := range []*mpb.Bar{d.activity, d.overall, d.section, d.mutation} {
		if b != nil {
			b.Abort(true)
		}
	}
	d.p.Wait()
	d.p, d.activity, d.overall, d.section, d.mutation = nil, nil, nil, nil, nil
	d.sectionOf, d.mutationOf = "", ""
}

// finish takes the rows off the screen for good and, if the display ever
// showed something, writes the summary.
func (d *display) finish(o outcome) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.clear()
	d.done = true
	if !d.shown {
		return
	}
	text := o.String()
	switch o.result() {
	case "ok":
		text = d.mark(green, "✓", text)
	case "findings":
		text = d.mark(yellow, "!", text)
	default:
		text = d.mark(red, "✗", text)
	}
	fmt.Fprintln(d.out, strings.TrimSpace(text))
}

// console is mpb's writer to the terminal, with a size of 80x24 when the
// terminal reports none (a pseudo-terminal nobody sized, as `script` and
// some container runtimes make): mpb would draw nothing in a 0x0 terminal.
type console struct{ *cupwriter.Writer }

func newConsole(out io.Writer) console { return console{cupwriter.New(out, false)} }

// GetTermSize implements mpb.ConsoleWriter.
func (c console) GetTermSize() (width, height int, err error) {
	width, height, err = c.Writer.GetTermSize()
	if err == nil && (width == 0 || height == 0) {
		return 80, 24, nil
	}
	return width, height, err
}

var _ mpb.ConsoleWriter = console{}
