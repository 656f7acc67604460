package chtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Instance is a throwaway server of one test's own, on its own path and
// ports, started with scripts/clickhouse: a test may kill it (kill -9)
// and start it again on the same path, as a crash and a restart would.
// Its query log does not survive a restart.
type Instance struct {
	// DSN reaches the instance's default database.
	DSN string
	// Path is the instance's data directory.
	Path   string
	script string
	args   []string
}

// Launch starts a throwaway instance for t, stopped and removed when t
// ends. It skips t (fails it under CI=true) when scripts/clickhouse is not
// found or cannot start a server.
func Launch(t testing.TB) *Instance {
	t.Helper()
	script, err := launcherScript()
	if err != nil {
		unavailable(t, err)
	}
	tcp, err1 := freePort()
	httpPort, err2 := freePort()
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "chschema-instance-")
	if err != nil {
		t.Fatal(err)
	}
	in := &Instance{DSN: fmt.Sprintf("clickhouse://default@127.0.0.1:%d/default", tcp), Path: dir, script: script,
		args: []string{"--path", dir, "--tcp-port", strconv.Itoa(tcp), "--http-port", strconv.Itoa(httpPort)}}
	t.Cleanup(func() {
		_ = exec.Command(script, append([]string{"stop"}, in.args...)...).Run()
		_ = os.RemoveAll(dir)
	})
	if err := in.start(); err != nil {
		unavailable(t, err)
	}
	return in
}

func unavailable(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("chtest: no throwaway server (CI=true forbids skipping): %v", err)
	}
	t.Skipf("chtest: no throwaway server, skipping: %v", err)
}

func (in *Instance) start() error {
	out, err := exec.Command(in.script, append([]string{"start"}, in.args...)...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s start: %v\n%s", in.script, err, out)
	}
	return ping(in.DSN)
}

// Kill kills the server with SIGKILL, as a crash would, and waits until
// it is gone.
func (in *Instance) Kill(t testing.TB) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(in.Path, "server.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("chtest: server pid %d still alive a minute after SIGKILL", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Restart starts the server again on the same path and ports.
func (in *Instance) Restart(t testing.TB) {
	t.Helper()
	if err := in.start(); err != nil {
		t.Fatal(err)
	}
}

// Alive reports whether the instance's server answers.
func (in *Instance) Alive() bool { return ping(in.DSN) == nil }

// AbortedOnReset reports whether the instance's server died of chDB's abort
// on a reset client connection (see ChDBAbort).
func (in *Instance) AbortedOnReset() bool {
	return !in.Alive() && AbortedOnReset(filepath.Join(in.Path, "clickhouse.log"))
}

// NewDB creates a fresh database on the instance for t, as New does on the
// shared server (its Server field is nil).
func (in *Instance) NewDB(t testing.TB) *DB {
	t.Helper()
	srv := &Server{DSN: in.DSN, Source: "instance"}
	name := dbName(t.Name())
	admin := srv.Connect(t, "")
	if err := admin.Exec(context.Background(), "CREATE DATABASE "+quote(name)); err != nil {
		t.Fatalf("chtest: create database %s: %v", name, err)
	}
	dsn, err := withDatabase(in.DSN, name)
	if err != nil {
		t.Fatal(err)
	}
	return &DB{Name: name, DSN: dsn, Conn: srv.Connect(t, name)}
}
