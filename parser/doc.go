// Package parser turns SQL text into statements, and statements into schema
// changes, on top of AfterShip's clickhouse-sql-parser. It owns statement
// splitting and positions.
//
// Statements: Split cuts a file into statements with file positions; Parse
// wraps AfterShip and returns typed values for the whole-statement forms it
// rejects (gaps.go).
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
