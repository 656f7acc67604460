// Package parser turns SQL text into statements, and statements into schema
// changes, on top of AfterShip's clickhouse-sql-parser. It owns statement
// splitting and positions.
//
// Statements: Split cuts a file into statements with file positions; Parse
// wraps AfterShip. Everything AfterShip v0.5.6 rejects or cannot read is
// handled in one place, gaps.go, which both Parse and Convert use: a
// length-preserving rewrite, and typed values for the forms AfterShip has no
// node for.
//
// Schema changes: Convert turns one statement into []schema.Change in the
// server's canonical form (convert*.go, normalize*.go); what it cannot
// model comes back as Unsupported entries, never silently dropped. A
// Replayer applies statements to a schema.Schema, collecting errors (what
// the server would refuse) and findings (what the model cannot follow) with
// file:line:col. ExpectedSchema replays a migrations directory: init.sql,
// then each service's up sections. CreateReader reads the server's own
// CREATE statements for schema.Inspect.
package parser
