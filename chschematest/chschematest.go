// Package chschematest gives a program's own tests a real ClickHouse, the
// way chschema's tests get one: one server per test process, and a fresh
// database per test, dropped when the test ends.
//
// The server comes from, in order:
//  1. CHSCHEMA_TEST_DSN, if set (for example a server started by the CI job);
//  2. testcontainers-go's ClickHouse module, when a Docker engine answers
//     (image CHSCHEMA_TEST_IMAGE, default clickhouse/clickhouse-server:25.8);
//  3. chschema's local launcher, scripts/clickhouse, when the working
//     directory is inside a checkout of chschema.
//
// When none is available a test that asks for one is skipped with one line;
// under CI=true it fails instead, so that CI never passes by skipping.
//
// A package whose tests use New must have
//
//	func TestMain(m *testing.M) { os.Exit(chschematest.Main(m)) }
//
// and a test then applies its migrations to a database of its own:
//
//	func TestMigrations(t *testing.T) {
//		db := chschematest.New(t)
//		p, err := chschema.Open("migrations", chschema.WithVars(vars))
//		...
//		conn, err := chschema.Connect(ctx, db.DSN)
//		...
//		if _, err := p.Migrate(ctx, conn); err != nil {
//			t.Fatal(err)
//		}
//	}
package chschematest

import (
	"testing"

	"github.com/chschema/chschema/internal/chtest"
)

// Server is the ClickHouse a test process shares.
type Server = chtest.Server

// DB is a fresh database on the shared server, owned by one test: Name,
// a DSN whose session database it is, and a connection to it.
type DB = chtest.DB

// Main runs the tests and then stops the server if this process started
// one. Call it from TestMain.
func Main(m *testing.M) int { return chtest.Main(m) }

// New returns a fresh database on the shared server, dropped when t ends.
// It skips t (or fails it under CI=true) when there is no server.
func New(t testing.TB) *DB { return chtest.New(t) }

// Shared returns the process's server, starting it on first use. It skips
// t (or fails it under CI=true) when there is no server.
func Shared(t testing.TB) *Server { return chtest.Shared(t) }
