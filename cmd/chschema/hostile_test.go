//go:build unix

package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chschema/chschema/internal/chtest"
)

// runBounded runs the built binary with a deadline and returns its result
// and the peak resident memory of the process, in bytes.
func runBounded(t *testing.T, bin, dir string, timeout time.Duration, args ...string) (result, int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = os.Environ()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("chschema %s did not finish within %s (killed)\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), timeout, stdout.String(), stderr.String())
	}
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss * 1024 // Linux reports kilobytes
	}
	return result{code, stdout.String(), stderr.String()}, rss
}

// TestHostileFiles runs lint, hash, schema and migrate --dry-run on a
// migrations root whose *.sql, init.sql and chschema.sum are symlinks to
// /dev/zero and /dev/urandom, FIFOs, a socket and a directory. Each command
// exits at once, naming every such path, in bounded memory: before, the
// devices ran them out of memory and the FIFOs hung them.
func TestHostileFiles(t *testing.T) {
	db := chtest.New(t)
	bin := buildBinary(t)
	work := t.TempDir()
	root := filepath.Join(work, "m")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(root, "s"), 0o755))
	writeFile(t, filepath.Join(root, "s", "0001_a.sql"), "-- +up\nCREATE TABLE t (x UInt8) ENGINE = Memory;\n-- +down\nDROP TABLE t;\n")
	must(os.Symlink("/dev/zero", filepath.Join(root, "s", "0002_b.sql")))
	must(os.Symlink("/dev/urandom", filepath.Join(root, "s", "0003_c.up.sql")))
	writeFile(t, filepath.Join(root, "s", "0003_c.down.sql"), "SELECT 1;\n")
	must(syscall.Mkfifo(filepath.Join(root, "s", "0004_d.sql"), 0o644))
	must(syscall.Mkfifo(filepath.Join(root, "init.sql"), 0o644))
	must(syscall.Mkfifo(filepath.Join(root, "chschema.sum"), 0o644))
	l, err := net.Listen("unix", filepath.Join(root, "s", "0005_e.sql"))
	must(err)
	defer l.Close()
	must(os.Mkdir(filepath.Join(work, "target"), 0o755))
	must(os.Symlink(filepath.Join(work, "target"), filepath.Join(root, "s", "0006_f.sql")))
	must(syscall.Mkfifo(filepath.Join(root, "chschema.ignore"), 0o644))

	findings := []struct{ path, msg string }{
		{"s/0002_b.sql", "cannot read: a symlink to /dev/zero, a character device, not a regular file"},
		{"s/0003_c.up.sql", "cannot read: a symlink to /dev/urandom, a character device, not a regular file"},
		{"s/0004_d.sql", "cannot read: a named pipe (FIFO), not a regular file"},
		{"init.sql", "cannot read: a named pipe (FIFO), not a regular file"},
		{"chschema.sum", "cannot read: a named pipe (FIFO), not a regular file"},
		{"s/0005_e.sql", "cannot read: a socket, not a regular file"},
		{"s/0006_f.sql", "s/0006_f.sql is a directory named like a migration file"},
	}
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"lint", "--dir", "m"}, exitFindings},
		{[]string{"lint", "--dir", "m", "--format", "json"}, exitFindings},
		{[]string{"hash", "--dir", "m"}, exitError},
		{[]string{"hash", "--dir", "m", "--force"}, exitError},
		{[]string{"schema", "--dir", "m"}, exitError},
		{[]string{"migrate", "--dir", "m", "--dry-run", "--dsn", db.DSN}, exitError},
	} {
		t.Run(strings.Join(tc.args[:3], " "), func(t *testing.T) {
			res, rss := runBounded(t, bin, work, 30*time.Second, tc.args...)
			if res.code != tc.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", res.code, tc.code, res.stdout, res.stderr)
			}
			lines := strings.Split(res.stdout+res.stderr, "\n")
			if tc.args[len(tc.args)-1] == "json" {
				lines = strings.Split(res.stdout, "},")
			}
			for _, f := range findings {
				found := false
				for _, l := range lines {
					found = found || strings.Contains(l, f.path) && strings.Contains(l, f.msg)
				}
				if !found {
					t.Errorf("no line names %s with %q\n%s%s", f.path, f.msg, res.stdout, res.stderr)
				}
			}
			if rss > 200<<20 {
				t.Errorf("peak memory %d MiB: a device was read", rss>>20)
			}
		})
	}
	// Nothing hostile left but the ignore FIFO: diff names it instead of
	// hanging on it.
	for _, p := range []string{"s/0002_b.sql", "s/0003_c.up.sql", "s/0003_c.down.sql", "s/0004_d.sql", "init.sql", "chschema.sum", "s/0005_e.sql", "s/0006_f.sql"} {
		must(os.Remove(filepath.Join(root, p)))
	}
	res, _ := runBounded(t, bin, work, 30*time.Second, "diff", "--dir", "m", "--dsn", db.DSN)
	if res.code != exitError || !strings.Contains(res.stderr, "chschema.ignore: cannot read: a named pipe (FIFO), not a regular file") {
		t.Errorf("diff with a FIFO chschema.ignore: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	must(os.Remove(filepath.Join(root, "chschema.ignore")))
	must(syscall.Mkfifo(filepath.Join(work, "schema.json"), 0o644))
	res, _ = runBounded(t, bin, work, 30*time.Second, "diff", "--dir", "m", "--offline-from", "schema.json")
	if res.code != exitError || !strings.Contains(res.stderr, "schema.json: cannot read: a named pipe (FIFO), not a regular file") {
		t.Errorf("diff --offline-from a FIFO: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	// The schema directory of dump, check and plan.
	must(os.MkdirAll(filepath.Join(work, "schema"), 0o755))
	must(os.Symlink("/dev/zero", filepath.Join(work, "schema", "a.sql")))
	res, rss := runBounded(t, bin, work, 30*time.Second, "check", "--dir", "m")
	if res.code != exitError || !strings.Contains(res.stderr, "a.sql: cannot read: a symlink to /dev/zero") || rss > 200<<20 {
		t.Errorf("check with /dev/zero in the schema directory: exit %d, %d MiB\n%s%s", res.code, rss>>20, res.stdout, res.stderr)
	}
	res, _ = runBounded(t, bin, work, 30*time.Second, "dump", "--dir", "m", "--force")
	if res.code != exitError || !strings.Contains(res.stderr, "a.sql is not a regular file") {
		t.Errorf("dump over a symlink: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
}
