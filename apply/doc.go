// Package apply runs migration plans against a server: history, lock,
// resume, down and baseline.
//
// A Runner (New) takes a connection, a HistoryStore and a Locker. It waits
// for the mutations its statements start unless told not to
// (WithoutMutationWait), reports what it does as typed events (WithEvents,
// RunEvent), and offers two hooks: one before every statement
// (WithStatementHook) and one once the history is read, before init.sql
// (WithPreflight). Most programs use the root package chschema, which
// builds the Runner from a migrations directory and a DSN.
//
// A section (init.sql, a migration's up or down section) runs in one
// ClickHouse session from a SessionOpener (WithSessions, NewSessionOpener):
// its USE, SET and temporary tables reach the statements after them in
// the section and no other section, as with clickhouse-client. A resumed
// section runs its USE and SET statements again first. The runner's own
// queries (history, lock, KILL QUERY, system tables) use the connection
// given to New. Without an opener, SET is sent with every later statement
// of its section and a section that needs more is refused
// (ErrNeedsSession).
//
// No statement runs twice, whatever fails. Before every statement and
// history write a run checks, without a round trip, that its Locker still
// holds the lease (Locker.Held; TableLock's lease is local and ends half a
// lease after the last confirmed renewal), and stops with ErrLockLost when
// it does not. A half-applied migration is resumed from the best evidence:
// the history, the query log while it holds the whole attempt, the live
// schema (WithStateMatcher), or the user's word (WithResumeAt); when they
// leave it open, or a data statement is partly done, the run refuses with
// a *ResumeError. WithStop asks a run to stop at the next statement
// boundary; a cancelled context cancels the running statement on the
// server; both record progress and release the lock (ErrInterrupted). Down
// refuses to destroy data (*DataLossError) unless WithDataLossAllowed.
package apply
