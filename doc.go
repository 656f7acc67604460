// Package chschema manages ClickHouse schemas with sequential raw-SQL
// migrations, checksums and drift detection. It is the front door of the
// module, and the chschema command is a thin client of it.
//
// A program opens a migrations directory, connects, and calls the
// operations on the Project:
//
//	p, err := chschema.Open("migrations", chschema.WithVars(chschema.VarsFromEnviron(os.Environ())))
//	if err != nil {
//		return err // structure, template variables, the seal: every problem, with file:line:col
//	}
//	db, err := chschema.Connect(ctx, dsn, chschema.WithWait(time.Minute))
//	if err != nil {
//		return err
//	}
//	defer db.Close()
//	report, err := p.Migrate(ctx, db) // lock, init.sql, drift check, apply, record
//
// # Safe defaults
//
// Open verifies the sum file (chschema.sum): a released migration that was
// edited, removed, renamed or reordered fails Open with a *SealError, before
// anything connects. Migrate takes the lock, refuses to apply over drift (a
// *drift.Error), and waits for the mutations its statements start. Each of
// these is turned off only by an option that names it: WithoutSumCheck,
// WithoutDriftCheck, WithoutMutationWait.
//
// # No statement runs twice
//
// A run checks before every statement that it still holds the lock's lease
// and stops (apply.ErrLockLost) as soon as it does not. A half-applied
// migration resumes only where the history, the query log or the live
// schema says it stopped; otherwise Migrate refuses with an
// *apply.ResumeError and ResumeAt says where to go on. StopOn asks a run
// to stop cleanly (the chschema command does it on SIGINT and SIGTERM),
// and cancelling the context cancels the running statement on the server;
// either way progress is recorded and the lock released. Down refuses to
// destroy data (*apply.DataLossError) unless AllowDataLoss.
//
// # Offline and online
//
// Offline questions need only the directory: Lint, Expected, Plan, Check,
// Dump (of the expected schema), New and Hash. Operations on a server take a
// *DB, from Connect (a DSN, with an optional wait for the server) or NewDB
// (a clickhouse-go connection the program already has): Migrate, Down,
// Status, Diff, Baseline, Verify, and, on the DB itself, Unlock. The DB
// carries the session database (unqualified names in migrations resolve to
// it) and where chschema keeps its history and lock tables.
//
// Each section of a migration (init.sql, an up or down section) runs in one
// ClickHouse session, as clickhouse-client --multiquery would run the file:
// a USE, SET or temporary table reaches the statements after it in the
// section, and no other section. A DB from Connect opens the sessions from
// its DSN; one from NewDB needs WithSessionOpener for that, and otherwise
// refuses a section that needs a session (apply.ErrNeedsSession).
//
// # Clusters
//
// ConnectCluster connects to every node that system.clusters lists for a
// cluster, each on a connection of its own. DiffCluster reports the drift of
// every node against its own history, grouped, and where the nodes disagree
// with each other. MigrateCluster and DownCluster either run ON CLUSTER on
// the DSN's server after checking every node's drift, or, with PerNode,
// send every statement to every node themselves, in lockstep (statement k
// on every node before statement k+1 on any), under the lock of every node,
// with a history per node; Cluster.Unlock releases every node's lock after a
// crashed run. A node that cannot be reached is reported
// (ErrNodeUnreachable), never left out.
//
// # Events and results
//
// WithEvents sets one callback that receives typed events as things
// happen: waits for the server and the lock, init.sql, each migration and
// statement, mutations being waited for, the drift check, resume
// decisions. Each event has a Kind for logs and a String for a plain line.
// Results are typed values (Report, StatusResult, DiffResult, ...), and
// errors are typed and wrapped: apply's sentinels (apply.ErrEdited, ...),
// *drift.Error, *apply.StmtError, *SealError, migrations.ErrorList.
//
// The library never prints and never exits; the chschema command decides
// how things look.
package chschema
