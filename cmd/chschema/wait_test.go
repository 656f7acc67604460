package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestMigrateWaitsForServer starts migrate before the server, as a Tutor job
// that starts together with ClickHouse does: with --wait it keeps trying
// until the server answers, then applies.
func TestMigrateWaitsForServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts its own server")
	}
	script, err := filepath.Abs("../../scripts/clickhouse")
	if err != nil {
		t.Fatal(err)
	}
	bin := buildBinary(t)
	work := t.TempDir()
	os.MkdirAll(filepath.Join(work, "svc"), 0o755)
	writeFile(t, filepath.Join(work, "svc", "0001_a.sql"), "-- +up\nCREATE TABLE a (x UInt8) ENGINE = Log;\n-- +down\nDROP TABLE a;\n")
	tcp, httpPort := freePort(t), freePort(t)
	dsn := fmt.Sprintf("clickhouse://default@127.0.0.1:%d/default", tcp)

	if r := runBinary(t, bin, work, nil, "migrate", "--dir", work, "--dsn", dsn); r.code != exitError || !strings.Contains(r.stderr, "connection refused") {
		t.Fatalf("without --wait and without a server: exit %d, %q", r.code, r.stderr)
	}

	migrate := exec.Command(bin, "migrate", "--dir", work, "--dsn", dsn, "--wait", "60s")
	var out strings.Builder
	migrate.Stdout, migrate.Stderr = &out, &out
	if err := migrate.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	args := []string{"--path", t.TempDir(), "--tcp-port", fmt.Sprint(tcp), "--http-port", fmt.Sprint(httpPort)}
	if b, err := exec.Command(script, append([]string{"start"}, args...)...).CombinedOutput(); err != nil {
		migrate.Process.Kill()
		t.Fatalf("start server: %v\n%s", err, b)
	}
	defer exec.Command(script, append([]string{"stop"}, args...)...).Run()
	if err := migrate.Wait(); err != nil {
		t.Fatalf("migrate --wait: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "applied 1 migration (") {
		t.Errorf("migrate --wait output: %q", out.String())
	}
}

// TestWaitEndsOnAFailedLogin: --wait retries only what can come up. A
// failed login is the server's answer, not a server starting: migrate
// --wait 60s ends at once, exit 2, with the server's message. The local
// server aborts after a failed login, so the test has its own.
func TestWaitEndsOnAFailedLogin(t *testing.T) {
	if testing.Short() {
		t.Skip("starts its own server")
	}
	script, err := filepath.Abs("../../scripts/clickhouse")
	if err != nil {
		t.Fatal(err)
	}
	bin := buildBinary(t)
	work := t.TempDir()
	os.MkdirAll(filepath.Join(work, "svc"), 0o755)
	writeFile(t, filepath.Join(work, "svc", "0001_a.sql"), "-- +up\nCREATE TABLE a (x UInt8) ENGINE = Log;\n-- +down\nDROP TABLE a;\n")
	tcp, httpPort := freePort(t), freePort(t)
	args := []string{"--path", t.TempDir(), "--tcp-port", fmt.Sprint(tcp), "--http-port", fmt.Sprint(httpPort)}
	if b, err := exec.Command(script, append([]string{"start"}, args...)...).CombinedOutput(); err != nil {
		t.Fatalf("start server: %v\n%s", err, b)
	}
	defer exec.Command(script, append([]string{"stop"}, args...)...).Run()

	start := time.Now()
	r := runBinary(t, bin, work, nil, "migrate", "--dir", work, "--dsn", fmt.Sprintf("clickhouse://nosuch:wrong@127.0.0.1:%d/default", tcp), "--wait", "60s")
	took := time.Since(start)
	if r.code != exitError || !strings.Contains(r.stderr, "code 516") || strings.Contains(r.stderr, "did not answer within") {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}
	if took > 20*time.Second {
		t.Errorf("a failed login took %s: it was waited for", took)
	}
	if strings.Contains(r.stderr, "wrong") {
		t.Errorf("the password is in the message: %s", r.stderr)
	}
}
