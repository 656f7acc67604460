package chschema

import (
	"fmt"
	"time"

	"github.com/chschema/chschema/apply"
	"github.com/chschema/chschema/internal/english"
)

// Event is something an operation reports as it happens; WithEvents sets
// the callback that receives them. Each event is its own struct type, so a
// consumer switches on the type:
//
//	chschema.WithEvents(func(e chschema.Event) {
//		switch e := e.(type) {
//		case chschema.StatementDone:
//			log.Printf("%s statement %d/%d took %s", e.Key, e.Index, e.Count, e.Duration)
//		case chschema.MutationWaiting:
//			log.Printf("mutation %s: %d parts to do", e.MutationID, e.PartsToDo)
//		}
//	})
//
// Kind names the type for logs ("statement_done"), the struct's fields
// encode as JSON, and String is a plain one-line text.
type Event = apply.RunEvent

// The events of a run, from package apply.
type (
	// LockWaiting: the lock is held by another run; the run waits.
	LockWaiting = apply.LockWaiting
	// LockBroken: the run broke a lock whose lease had expired.
	LockBroken = apply.LockBroken
	// LockAcquired: the run holds the lock.
	LockAcquired = apply.LockAcquired
	// InitStarted: init.sql starts.
	InitStarted = apply.InitStarted
	// InitDone: init.sql ran.
	InitDone = apply.InitDone
	// InterruptedWaiting: statements of an interrupted run still execute.
	InterruptedWaiting = apply.InterruptedWaiting
	// DriftChecked: the drift check's result.
	DriftChecked = apply.DriftChecked
	// Resuming: a half-applied migration is taken up after its completed
	// statements.
	Resuming = apply.Resuming
	// MigrationStarted: a migration's section starts (i of n).
	MigrationStarted = apply.MigrationStarted
	// StatementStarted: a statement starts (j of m).
	StatementStarted = apply.StatementStarted
	// StatementDone: a statement and its mutations completed.
	StatementDone = apply.StatementDone
	// MutationWaiting: a mutation the statement started is still at work.
	MutationWaiting = apply.MutationWaiting
	// MigrationDone: a migration was applied (or reverted).
	MigrationDone = apply.MigrationDone
	// MigrationFailed: a statement of a migration failed.
	MigrationFailed = apply.MigrationFailed
	// RoundTripStep: a step of Verify passed.
	RoundTripStep = apply.RoundTripStep
	// LeaseLost: the run no longer holds the lock's lease (it was stopped
	// past it, or the lock was taken or dropped); it stops there and
	// records nothing more.
	LeaseLost = apply.LeaseLost
	// ResumeDecided: how many statements of a half-applied migration count
	// as completed, and from what (history, query log, live schema,
	// resume-at).
	ResumeDecided = apply.ResumeDecided
	// StatementCancelled: the run cancelled a running statement (StopOn,
	// or a cancelled context), with the rows it had written.
	StatementCancelled = apply.StatementCancelled
	// Stopped: the run stopped early on request and recorded where.
	Stopped = apply.Stopped
	// DataLossChecked: what a down's statements destroy, and whether that
	// is allowed.
	DataLossChecked = apply.DataLossChecked
)

// ServerWaiting is sent by Connect (and NewDB) with WithWait each time the
// server does not answer yet and Connect waits before trying again.
type ServerWaiting struct {
	// Server names the server (user@host:port/database, no password).
	Server string `json:"server"`
	// Attempt counts the attempts so far, from 1.
	Attempt int `json:"attempt"`
	// Err is why the last attempt failed.
	Err error `json:"-"`
	// Waited is how long Connect has waited so far, of Wait.
	Waited time.Duration `json:"waited"`
	Wait   time.Duration `json:"wait"`
}

// ServerReady is sent by Connect when the server answered.
type ServerReady struct {
	Server   string        `json:"server"`
	Attempts int           `json:"attempts"`
	Waited   time.Duration `json:"waited"`
}

// Kind implements Event.
func (ServerWaiting) Kind() string { return "server_waiting" }

// Kind implements Event.
func (ServerReady) Kind() string { return "server_ready" }

func (e ServerWaiting) String() string {
	return fmt.Sprintf("waiting for the server at %s (attempt %d, %s of %s): %v",
		e.Server, e.Attempt, e.Waited.Round(time.Millisecond), e.Wait, e.Err)
}

func (e ServerReady) String() string {
	return fmt.Sprintf("server at %s answered after %s", e.Server, english.Plural(e.Attempts, "attempt"))
}

var (
	_ Event = ServerWaiting{}
	_ Event = ServerReady{}
)
