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
package apply
