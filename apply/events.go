package apply

import (
	"errors"
	"fmt"
	"time"

	"github.com/chschema/chschema/drift"

	"github.com/chschema/chschema/internal/english"
)

// RunEvent is something a run reports as it happens: a wait, a migration or
// a statement starting or ending, a decision. Each event is its own struct
// type (LockWaiting, StatementDone, ...); a consumer switches on the type,
// or on Kind for logs, and String gives a plain one-line text.
//
// Events are delivered synchronously, on the goroutine that runs the
// operation, in the order things happen; a callback that blocks holds the
// run up.
type RunEvent interface {
	// Kind is a stable snake_case name for the event's type, for logs.
	Kind() string
	// String is a plain one-line description, without a trailing newline.
	String() string
}

// LockWaiting is sent each time Acquire finds the lock held by another
// holder and waits before trying again.
type LockWaiting struct {
	// Table is the lock table, db.table.
	Table string `json:"table"`
	// Holder is the current holder, as its lock says.
	Holder LockHolder `json:"holder"`
	// Attempt counts the attempts so far, from 1.
	Attempt int `json:"attempt"`
	// Waited is how long Acquire has waited so far.
	Waited time.Duration `json:"waited"`
	// Timeout is how long Acquire waits in all.
	Timeout time.Duration `json:"timeout"`
	// Expires is when the holder's lease runs out unless it renews it
	// (Holder.Expires()); after that the lock is broken.
	Expires time.Time `json:"expires"`
}

// LockBroken is sent when Acquire breaks a lock whose lease ran out.
type LockBroken struct {
	Table  string     `json:"table"`
	Holder LockHolder `json:"holder"`
}

// LockAcquired is sent when Acquire holds the lock.
type LockAcquired struct {
	Table string `json:"table"`
	// Waited is how long it took, waits for other holders included.
	Waited time.Duration `json:"waited"`
}

// InitStarted is sent before the statements of init.sql run.
type InitStarted struct {
	Statements int `json:"statements"`
}

// InitDone is sent when every statement of init.sql has run.
type InitDone struct {
	Statements int           `json:"statements"`
	Duration   time.Duration `json:"duration"`
}

// InterruptedWaiting is sent while statements of an interrupted run still
// execute on the server: the run waits for them before it decides where to
// resume.
type InterruptedWaiting struct {
	// Running is how many such statements the server reports.
	Running int `json:"running"`
}

// DriftChecked is sent after the drift check of migrate, baseline or a
// round-trip step: Err is nil when the live schema matched.
type DriftChecked struct {
	// Changes counts the differences found (0 when Err is not a drift).
	Changes int `json:"changes"`
	// Err is the check's failure: a *drift.Error for drift, or the error
	// that kept the check from running.
	Err error `json:"-"`
}

// Resuming is sent for each migration that an earlier run left half-done
// and that this run takes up after its completed statements.
type Resuming struct {
	Key
	File string `json:"file"`
	// Down is true for a down section.
	Down bool `json:"down,omitempty"`
	// Done is how many statements completed before; the run starts at the
	// next one.
	Done  int `json:"done"`
	Total int `json:"total"`
}

// MigrationStarted is sent before the first statement of a migration's
// section runs.
type MigrationStarted struct {
	Key
	Name string `json:"name"`
	File string `json:"file"`
	Down bool   `json:"down,omitempty"`
	// Index is the migration's place in this run, from 1, of Count.
	Index int `json:"index"`
	Count int `json:"count"`
	// Statements is the section's number of statements; Start of them are
	// already done (a resume) and are not run again.
	Statements int `json:"statements"`
	Start      int `json:"start,omitempty"`
}

// StatementStarted is sent before a statement runs.
type StatementStarted struct {
	Key
	Down bool `json:"down,omitempty"`
	// Index is the statement's place in its section, from 1, of Count.
	Index     int       `json:"index"`
	Count     int       `json:"count"`
	Statement Statement `json:"statement"`
	// QueryID is the statement's deterministic query_id on the server.
	QueryID string `json:"query_id"`
}

// StatementDone is sent when a statement, and the mutations it started,
// completed.
type StatementDone struct {
	Key
	Down      bool      `json:"down,omitempty"`
	Index     int       `json:"index"`
	Count     int       `json:"count"`
	Statement Statement `json:"statement"`
	// Duration includes the wait for the statement's mutations.
	Duration time.Duration `json:"duration"`
}

// MutationWaiting is sent each time the runner polls system.mutations and
// finds a mutation of the statement it ran still at work.
type MutationWaiting struct {
	Key
	// Database and Table name the mutated table (Database empty: the
	// session's).
	Database   string `json:"database,omitempty"`
	Table      string `json:"table"`
	MutationID string `json:"mutation_id"`
	Command    string `json:"command"`
	// PartsToDo is the server's count of parts the mutation has left.
	PartsToDo int64 `json:"parts_to_do"`
	// PartsTotal is the largest PartsToDo seen for this mutation since the
	// runner started waiting for it: system.mutations keeps no total, and
	// the first poll, right after the statement returned, sees every part
	// the mutation will rewrite (fewer when an interrupted run's mutation is
	// taken up half-way). Parts done are PartsTotal - PartsToDo.
	PartsTotal int64 `json:"parts_total"`
	// Created is the mutation's create_time on the server.
	Created time.Time `json:"created"`
	// Waited is how long the runner has waited for the statement's
	// mutations so far.
	Waited time.Duration `json:"waited"`
}

// MigrationDone is sent when a migration's section has run to the end and
// is recorded (applied, or reverted for a down).
type MigrationDone struct {
	Key
	Name       string        `json:"name"`
	Down       bool          `json:"down,omitempty"`
	Statements int           `json:"statements"`
	Duration   time.Duration `json:"duration"`
}

// MigrationFailed is sent when a statement of a migration failed; the
// migration is recorded as failed with Done statements completed.
type MigrationFailed struct {
	Key
	Name     string        `json:"name"`
	Down     bool          `json:"down,omitempty"`
	Done     int           `json:"done"`
	Total    int           `json:"total"`
	Err      error         `json:"-"`
	Duration time.Duration `json:"duration"`
}

// LeaseLost is sent when the run finds, before a statement or a history
// write, that it no longer holds the lock's lease: the process was stopped
// or the server did not confirm a renewal for half a lease, or the lock
// table is gone (chschema unlock) or another run's. The run stops there
// and records nothing more.
type LeaseLost struct {
	Err error `json:"-"`
}

// StatementCancelled is sent when the run cancelled a running statement on
// the server (a stop request for a data statement, or a cancelled context)
// and the statement did not finish.
type StatementCancelled struct {
	Key
	Down      bool      `json:"down,omitempty"`
	Index     int       `json:"index"`
	Count     int       `json:"count"`
	Statement Statement `json:"statement"`
	// WrittenRows are the rows it wrote before it stopped: when not 0, it
	// is partly done.
	WrittenRows uint64 `json:"written_rows"`
	// Unknown is true when the server kept no record of the statement's
	// end (no query log): the next run decides from the live schema.
	Unknown bool `json:"unknown,omitempty"`
}

// Stopped is sent when a run stops early on request (WithStop) or because
// its context was cancelled, after recording where it stopped.
type Stopped struct {
	// Key is the migration the run was at.
	Key
	Down bool `json:"down,omitempty"`
	// Done statements of Total completed.
	Done  int `json:"done"`
	Total int `json:"total"`
	// Where says at which point it stopped.
	Where string `json:"where"`
}

// Kind implements RunEvent.
func (LockWaiting) Kind() string        { return "lock_waiting" }
func (LeaseLost) Kind() string          { return "lease_lost" }
func (StatementCancelled) Kind() string { return "statement_cancelled" }
func (Stopped) Kind() string            { return "stopped" }
func (LockBroken) Kind() string         { return "lock_broken" }
func (LockAcquired) Kind() string       { return "lock_acquired" }
func (InitStarted) Kind() string        { return "init_started" }
func (InitDone) Kind() string           { return "init_done" }
func (InterruptedWaiting) Kind() string { return "interrupted_waiting" }
func (DriftChecked) Kind() string       { return "drift_checked" }
func (Resuming) Kind() string           { return "resuming" }
func (MigrationStarted) Kind() string   { return "migration_started" }
func (StatementStarted) Kind() string   { return "statement_started" }
func (StatementDone) Kind() string      { return "statement_done" }
func (MutationWaiting) Kind() string    { return "mutation_waiting" }
func (MigrationDone) Kind() string      { return "migration_done" }
func (MigrationFailed) Kind() string    { return "migration_failed" }
func (RoundTripStep) Kind() string      { return "round_trip_step" }

func (e LockWaiting) String() string {
	return fmt.Sprintf("waiting for the lock held by %s (lock %s; lease expires %s); waited %s of %s",
		e.Holder, e.Table, e.Holder.Expires().UTC().Format(time.RFC3339), e.Waited.Round(time.Millisecond), e.Timeout)
}

func (e LockBroken) String() string {
	return fmt.Sprintf("broke lock %s: the lease of %s expired %s", e.Table, e.Holder, e.Holder.Expires().UTC().Format(time.RFC3339))
}

func (e LockAcquired) String() string {
	return fmt.Sprintf("took lock %s after %s", e.Table, e.Waited.Round(time.Millisecond))
}

func (e LeaseLost) String() string { return "lost the migration lock: " + e.Err.Error() }

func (e StatementCancelled) String() string {
	s := fmt.Sprintf("cancelled %s %s statement %d/%d at %s", sectionName(e.Down), e.Key, e.Index, e.Count, e.Statement.Pos())
	switch {
	case e.Unknown:
		s += " (the server did not log its end)"
	case e.WrittenRows > 0:
		s += " after it wrote " + english.Plural(int(e.WrittenRows), "row") + ": it is partly done"
	default:
		s += ": it wrote nothing"
	}
	return s
}

func (e Stopped) String() string {
	return fmt.Sprintf("stopped %s: %s %s has %d of %s done", e.Where, sectionName(e.Down), e.Key, e.Done, english.Plural(e.Total, "statement"))
}

func (e InitStarted) String() string { return "init.sql: " + english.Plural(e.Statements, "statement") }

func (e InitDone) String() string {
	return fmt.Sprintf("init.sql: %s done in %s", english.Plural(e.Statements, "statement"), e.Duration.Round(time.Millisecond))
}

func (e InterruptedWaiting) String() string {
	return fmt.Sprintf("waiting for %s of an interrupted run to finish on the server", english.Plural(e.Running, "statement"))
}

func (e DriftChecked) String() string {
	var de *drift.Error
	switch {
	case e.Err == nil:
		return "drift check: the live schema matches the expected one"
	case errors.As(e.Err, &de):
		return "drift check: " + english.Plural(e.Changes, "difference")
	default:
		return "drift check failed: " + e.Err.Error()
	}
}

func (e Resuming) String() string {
	return fmt.Sprintf("resuming %s %s after %d of %d completed %s", sectionName(e.Down), e.Key, e.Done, e.Total, english.Noun(e.Total, "statement"))
}

// String is the progress line migrate prints on a terminal.
func (e MigrationStarted) String() string {
	s := fmt.Sprintf("%s %s %04d_%s: %s", sectionName(e.Down), e.Service, e.Version, e.Name, english.Plural(e.Statements-e.Start, "statement"))
	if e.Start > 0 {
		s += fmt.Sprintf(" (resuming after %d done)", e.Start)
	}
	return s
}

func (e StatementStarted) String() string {
	return fmt.Sprintf("%s %s statement %d/%d at %s", sectionName(e.Down), e.Key, e.Index, e.Count, e.Statement.Pos())
}

func (e StatementDone) String() string {
	return fmt.Sprintf("%s %s statement %d/%d done in %s", sectionName(e.Down), e.Key, e.Index, e.Count, e.Duration.Round(time.Millisecond))
}

func (e MutationWaiting) String() string {
	return fmt.Sprintf("waiting for mutation %s (%s): %d of %d %s done, %d to do", e.MutationID, e.Command, e.PartsTotal-e.PartsToDo, e.PartsTotal, english.Noun(int(e.PartsTotal), "part"), e.PartsToDo)
}

func (e MigrationDone) String() string {
	verb := "applied"
	if e.Down {
		verb = "reverted"
	}
	return fmt.Sprintf("%s %s %04d_%s (%s) in %s", verb, e.Service, e.Version, e.Name, english.Plural(e.Statements, "statement"), e.Duration.Round(time.Millisecond))
}

func (e MigrationFailed) String() string {
	return fmt.Sprintf("%s %s %04d_%s failed after %d of %d %s: %v", sectionName(e.Down), e.Service, e.Version, e.Name, e.Done, e.Total, english.Noun(e.Total, "statement"), e.Err)
}

// String is the line `chschema verify` prints for the step.
func (e RoundTripStep) String() string {
	if e.Phase == "up again" {
		return "ok  up again: all " + english.Plural(e.Applied, "migration")
	}
	return fmt.Sprintf("ok  %-4s %s (%d applied)", e.Phase, e.Key, e.Applied)
}

func sectionName(down bool) string {
	if down {
		return "down"
	}
	return "up"
}

var (
	_ RunEvent = LockWaiting{}
	_ RunEvent = LeaseLost{}
	_ RunEvent = StatementCancelled{}
	_ RunEvent = Stopped{}
	_ RunEvent = LockBroken{}
	_ RunEvent = LockAcquired{}
	_ RunEvent = InitStarted{}
	_ RunEvent = InitDone{}
	_ RunEvent = InterruptedWaiting{}
	_ RunEvent = DriftChecked{}
	_ RunEvent = Resuming{}
	_ RunEvent = MigrationStarted{}
	_ RunEvent = StatementStarted{}
	_ RunEvent = StatementDone{}
	_ RunEvent = MutationWaiting{}
	_ RunEvent = MigrationDone{}
	_ RunEvent = MigrationFailed{}
	_ RunEvent = RoundTripStep{}
)
