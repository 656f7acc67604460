// Package chtest gives tests a real ClickHouse: one server per test process,
// and a fresh database per test, dropped afterwards.
//
// The server comes from, in order:
//  1. CHSCHEMA_TEST_DSN, if set;
//  2. testcontainers-go's ClickHouse module, when a Docker engine answers
//     (image CHSCHEMA_TEST_IMAGE, default clickhouse/clickhouse-server:25.8);
//  3. the local launcher, scripts/clickhouse, started once per test process
//     on free loopback ports and a temporary path, and stopped by Main.
//
// When none is available the test is skipped with one line; under CI=true it
// fails instead, so that CI never passes by skipping.
//
// Cluster and ClusterWith give a test a fresh database on every node of a
// loopback cluster (scripts/clickhouse cluster), shared by the tests of a
// process in the same way; see cluster.go.
//
// A package whose tests use New or Cluster must have
//
//	func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }
package chtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/testcontainers/testcontainers-go"
	chcontainer "github.com/testcontainers/testcontainers-go/modules/clickhouse"
)

// DefaultImage is the container image used when CHSCHEMA_TEST_IMAGE is unset.
const DefaultImage = "clickhouse/clickhouse-server:25.8"

// Server is a running ClickHouse that tests share.
type Server struct {
	// DSN reaches the server's default database.
	DSN string
	// Source says where the server came from: "env", "testcontainers" or "launcher".
	Source string
	stop   func() error
	// restart starts a launcher's server again on its path and ports; log
	// is its clickhouse.log. Both are unset for the other sources.
	restart func() error
	log     string
}

// ChDBAbort is how chDB's server (libchdb 26.7, the local launcher's) ends
// when a client connection is reset while it answers: a known chDB bug, not
// chschema's, that tests which kill a client with SIGKILL can trigger. The
// server's clickhouse.log then holds this line and "Connection reset by
// peer".
const ChDBAbort = "Terminate called for uncaught exception"

// AbortedOnReset reports whether the log at path records chDB's abort on a
// reset client connection (ChDBAbort).
func AbortedOnReset(path string) bool {
	b, err := os.ReadFile(path)
	return err == nil && strings.Contains(string(b), ChDBAbort) && strings.Contains(string(b), "Connection reset by peer")
}

// revive starts the process's launcher server again when chDB's abort on a
// reset connection ended it, so that one test's killed client does not fail
// every test after it. A server that died any other way stays dead: the
// test that needs it fails, as it should. Call with mu held.
func (s *Server) revive(t testing.TB) {
	if s.restart == nil || ping(s.DSN) == nil {
		return
	}
	if !AbortedOnReset(s.log) {
		return
	}
	t.Logf("chtest: the shared server died of chDB's abort on a reset client connection (a chDB bug); starting it again")
	if err := os.Rename(s.log, s.log+fmt.Sprintf(".aborted-%d", time.Now().UnixNano())); err != nil {
		t.Logf("chtest: keep the aborted server's log: %v", err)
	}
	if err := s.restart(); err != nil {
		t.Logf("chtest: restart the shared server: %v", err)
	}
}

// DB is a fresh database on the shared server, owned by one test.
type DB struct {
	// Name is the database's name.
	Name string
	// DSN reaches the server with Name as the default database.
	DSN string
	// Conn is connected with Name as the default database.
	Conn   driver.Conn
	Server *Server
}

var (
	mu          sync.Mutex
	server      *Server
	serverErr   error
	mainRunning bool
	cleanups    []func() error
)

// Cleanup registers f to run when Main's tests are done, before Main stops
// the server: what a TestMain made on the server (the examples' databases)
// is removed while the server still answers. Cleanups run in reverse order
// of registration; an error fails the run.
func Cleanup(f func() error) {
	mu.Lock()
	defer mu.Unlock()
	cleanups = append(cleanups, f)
}

// Main runs the tests, then the functions given to Cleanup, and then stops
// the server and the clusters this process started.
func Main(m *testing.M) int {
	mu.Lock()
	mainRunning = true
	mu.Unlock()
	code := m.Run()
	mu.Lock()
	defer mu.Unlock()
	for i := len(cleanups) - 1; i >= 0; i-- {
		if err := cleanups[i](); err != nil {
			fmt.Fprintf(os.Stderr, "chtest: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}
	cleanups = nil
	if server != nil && server.stop != nil {
		if err := server.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "chtest: stopping the %s server: %v\n", server.Source, err)
			if code == 0 {
				code = 1
			}
		}
	}
	if err := stopClusters(); err != nil {
		fmt.Fprintf(os.Stderr, "chtest: stopping a cluster: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// Shared returns the process's server, starting it on first use. It skips t,
// or fails it under CI=true, when no server can be had.
func Shared(t testing.TB) *Server {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if server == nil && serverErr == nil {
		if !mainRunning {
			t.Fatal("chtest: the package needs func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }")
		}
		server, serverErr = startServer()
	}
	if serverErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chtest: no ClickHouse (CI=true forbids skipping): %v", serverErr)
		}
		t.Skipf("chtest: no ClickHouse, skipping: %v", serverErr)
	}
	server.revive(t)
	return server
}

// Start returns the process's server, starting it on first use, for code
// that has no testing.TB: a TestMain that runs examples. The error says why
// there is none; Main stops a server Start started.
func Start() (*Server, error) {
	mu.Lock()
	defer mu.Unlock()
	if server == nil && serverErr == nil {
		server, serverErr = startServer()
	}
	return server, serverErr
}

// New returns a fresh database on the shared server, dropped when t ends.
func New(t testing.TB) *DB {
	t.Helper()
	srv := Shared(t)
	ctx := context.Background()
	name := dbName(t.Name())

	admin := srv.connect(t, "")
	if err := admin.Exec(ctx, "CREATE DATABASE "+quote(name)); err != nil {
		t.Fatalf("chtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+quote(name)+" SYNC"); err != nil {
			t.Errorf("chtest: drop database %s: %v", name, err)
		}
		admin.Close()
	})
	dsn, err := withDatabase(srv.DSN, name)
	if err != nil {
		t.Fatal(err)
	}
	conn := srv.connect(t, name)
	t.Cleanup(func() { conn.Close() })
	return &DB{Name: name, DSN: dsn, Conn: conn, Server: srv}
}

// Private is a server of the test's own (a Launch instance), for tests
// that change what every test shares (the default database, say), or that
// make the local server abort (a failed login). It skips t, or fails it
// under CI=true, when the launcher cannot run, and under -short.
func Private(t testing.TB) *Server {
	t.Helper()
	if testing.Short() {
		t.Skip("chtest: starts its own server")
	}
	return &Server{DSN: Launch(t).DSN, Source: "instance"}
}

// Connect opens a new connection to the server with database as the default
// (the server's default when empty), closed when t ends.
func (s *Server) Connect(t testing.TB, database string) driver.Conn {
	t.Helper()
	c := s.connect(t, database)
	t.Cleanup(func() { c.Close() })
	return c
}

func (s *Server) connect(t testing.TB, database string) driver.Conn {
	t.Helper()
	opts, err := clickhouse.ParseDSN(s.DSN)
	if err != nil {
		t.Fatalf("chtest: DSN %q: %v", s.DSN, err)
	}
	if database != "" {
		opts.Auth.Database = database
	}
	conn, err := clickhouse.Open(opts)
	if err != nil {
		t.Fatalf("chtest: open: %v", err)
	}
	return conn
}

func startServer() (*Server, error) {
	if dsn := os.Getenv("CHSCHEMA_TEST_DSN"); dsn != "" {
		return &Server{DSN: dsn, Source: "env"}, ping(dsn)
	}
	if dockerAnswers() {
		return startContainer()
	}
	return startLauncher()
}

// dockerAnswers reports whether a Docker engine is reachable. testcontainers
// panics in some setups without one, so a panic counts as "no".
func dockerAnswers() (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	provider, err := testcontainers.ProviderDocker.GetProvider()
	if err != nil {
		return false
	}
	defer provider.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return provider.Health(ctx) == nil
}

func startContainer() (*Server, error) {
	image := os.Getenv("CHSCHEMA_TEST_IMAGE")
	if image == "" {
		image = DefaultImage
	}
	ctx := context.Background()
	ctr, err := chcontainer.Run(ctx, image)
	if err != nil {
		if ctr != nil {
			_ = testcontainers.TerminateContainer(ctr)
		}
		return nil, fmt.Errorf("testcontainers %s: %w", image, err)
	}
	dsn, err := ctr.ConnectionString(ctx)
	if err != nil {
		_ = testcontainers.TerminateContainer(ctr)
		return nil, err
	}
	return &Server{DSN: dsn, Source: "testcontainers", stop: func() error { return testcontainers.TerminateContainer(ctr) }}, ping(dsn)
}

// startLauncher starts scripts/clickhouse on free ports and a temporary path.
func startLauncher() (*Server, error) {
	script, err := launcherScript()
	if err != nil {
		return nil, err
	}
	tcp, err := freePort()
	if err != nil {
		return nil, err
	}
	httpPort, err := freePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "chschema-test-server-")
	if err != nil {
		return nil, err
	}
	args := []string{"--path", dir, "--tcp-port", fmt.Sprint(tcp), "--http-port", fmt.Sprint(httpPort)}
	out, err := exec.Command(script, append([]string{"start"}, args...)...).CombinedOutput()
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("%s start: %v\n%s", script, err, out)
	}
	stop := func() error {
		out, err := exec.Command(script, append([]string{"stop"}, args...)...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s stop: %v\n%s", script, err, out)
		}
		return os.RemoveAll(dir)
	}
	restart := func() error {
		_ = exec.Command(script, append([]string{"stop"}, args...)...).Run()
		out, err := exec.Command(script, append([]string{"start"}, args...)...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s start: %v\n%s", script, err, out)
		}
		return nil
	}
	dsn := fmt.Sprintf("clickhouse://default@127.0.0.1:%d/default", tcp)
	if err := ping(dsn); err != nil {
		_ = stop()
		return nil, err
	}
	return &Server{DSN: dsn, Source: "launcher", stop: stop, restart: restart, log: filepath.Join(dir, "clickhouse.log")}, nil
}

// launcherScript finds scripts/clickhouse above the working directory.
func launcherScript() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, "scripts", "clickhouse")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no CHSCHEMA_TEST_DSN, no Docker engine, and no scripts/clickhouse above the working directory")
		}
		dir = parent
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func ping(dsn string) error {
	opts, err := clickhouse.ParseDSN(dsn)
	if err != nil {
		return fmt.Errorf("DSN %q: %w", dsn, err)
	}
	conn, err := clickhouse.Open(opts)
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return conn.Ping(ctx)
}

// withDatabase returns dsn with its database replaced by name.
func withDatabase(dsn, name string) (string, error) {
	i := strings.Index(dsn, "://")
	if i < 0 {
		return "", fmt.Errorf("chtest: DSN %q has no scheme", dsn)
	}
	rest := dsn[i+3:]
	end := strings.IndexAny(rest, "?")
	query := ""
	if end >= 0 {
		rest, query = rest[:end], rest[end:]
	}
	host, _, _ := strings.Cut(rest, "/")
	return dsn[:i+3] + host + "/" + name + query, nil
}

var unsafeChars = regexp.MustCompile(`[^a-zA-Z0-9_]+`)

// dbName makes a unique, readable database name from a test name.
func dbName(test string) string {
	s := strings.ToLower(unsafeChars.ReplaceAllString(test, "_"))
	if len(s) > 40 {
		s = s[:40]
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "t_" + strings.Trim(s, "_") + "_" + hex.EncodeToString(b)
}

// quote quotes a ClickHouse identifier with backticks.
func quote(name string) string {
	return "`" + strings.ReplaceAll(strings.ReplaceAll(name, `\`, `\\`), "`", "\\`") + "`"
}

// Exclusive serialises, across test processes that share the server, the
// tests that use fixed object names (for example the example project's
// databases): it holds a server-side lock named name until t ends. The lock
// is a table created without IF NOT EXISTS, which exactly one process can do
// at a time; one left by a crashed process expires after ten minutes.
func Exclusive(t testing.TB, name string) {
	t.Helper()
	srv := Shared(t)
	conn := srv.Connect(t, "")
	ctx := context.Background()
	const db = "chschema_test_locks"
	if err := conn.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+db); err != nil {
		t.Fatal(err)
	}
	table := db + "." + quote(name)
	deadline := time.Now().Add(10 * time.Minute)
	for {
		err := conn.Exec(ctx, "CREATE TABLE "+table+" (x UInt8) ENGINE = Memory")
		if err == nil {
			break
		}
		var stale uint8
		_ = conn.QueryRow(ctx, "SELECT metadata_modification_time < now() - INTERVAL 10 MINUTE FROM system.tables WHERE database = ? AND name = ?", db, name).Scan(&stale)
		if stale == 1 {
			_ = conn.Exec(ctx, "DROP TABLE IF EXISTS "+table+" SYNC")
			continue
		}
		if time.Now().After(deadline) {
			t.Fatalf("chtest: lock %s held for 10 minutes: %v", table, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Cleanup(func() { _ = conn.Exec(ctx, "DROP TABLE IF EXISTS "+table+" SYNC") })
}
