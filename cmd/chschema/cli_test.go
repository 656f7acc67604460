package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// buildBinary builds chschema into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "chschema")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

type result struct {
	code           int
	stdout, stderr string
}

// runBinary runs the built binary in dir, the way a CI job would.
func runBinary(t *testing.T, bin, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, stdout.String(), stderr.String()}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCIFlow is the release workflow: seal, add, tamper, revert, insert.
func TestCIFlow(t *testing.T) {
	bin := buildBinary(t)
	work := t.TempDir()
	run := func(args ...string) result { return runBinary(t, bin, work, nil, args...) }
	expect := func(r result, code int, fragments ...string) {
		t.Helper()
		if r.code != code {
			t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
		}
		for _, f := range fragments {
			if !strings.Contains(r.stdout+r.stderr, f) {
				t.Errorf("output lacks %q\nstdout:\n%s\nstderr:\n%s", f, r.stdout, r.stderr)
			}
		}
	}
	xapi := filepath.Join(work, "migrations", "xapi")

	// Two migrations, written from the template, then sealed.
	expect(run("new", "xapi", "create_events"), 0, filepath.Join("migrations", "xapi", "0001_create_events.sql"))
	expect(run("new", "xapi", "add_order"), 0, "0002_add_order.sql")
	expect(run("lint"), 1, "empty-up", "missing-down") // the template alone does not pass
	first := "-- +up\nCREATE TABLE events (id UInt64) ENGINE = MergeTree ORDER BY id;\n-- +down\nDROP TABLE events;\n"
	writeFile(t, filepath.Join(xapi, "0001_create_events.sql"), first)
	writeFile(t, filepath.Join(xapi, "0002_add_order.sql"), "-- +up\nALTER TABLE events ADD COLUMN order Int32 SETTINGS mutations_sync = 2;\n-- +down\nALTER TABLE events DROP COLUMN order SETTINGS mutations_sync = 2;\n")

	// 1. hash, idempotently.
	expect(run("hash"), 0, "2 migrations sealed")
	sum1, err := os.ReadFile(filepath.Join(work, "migrations", "chschema.sum"))
	if err != nil {
		t.Fatal(err)
	}
	expect(run("hash"), 0, "up to date")
	sum2, _ := os.ReadFile(filepath.Join(work, "migrations", "chschema.sum"))
	if !bytes.Equal(sum1, sum2) {
		t.Error("second hash changed chschema.sum")
	}

	// 2. add a new migration: lint passes.
	expect(run("new", "xapi", "more"), 0, "0003_more.sql")
	writeFile(t, filepath.Join(xapi, "0003_more.sql"), "-- +up\nALTER TABLE events ADD COLUMN n Int8;\n-- +down\nALTER TABLE events DROP COLUMN n;\n")
	expect(run("lint"), 0)

	// 3. edit a sealed one: lint exits 1 naming the file and line.
	writeFile(t, filepath.Join(xapi, "0001_create_events.sql"), strings.Replace(first, "UInt64", "UInt32", 1))
	expect(run("lint"), 1, "migrations/xapi/0001_create_events.sql:1:1: error sealed-edited:")
	expect(run("hash"), 2, "sealed migrations changed") // and hash refuses to launder the edit

	// 4. revert: lint passes again.
	writeFile(t, filepath.Join(xapi, "0001_create_events.sql"), first)
	expect(run("lint"), 0)

	// 5. insert one before the last sealed: lint exits 1.
	writeFile(t, filepath.Join(xapi, "0002_backfill.sql"), "-- +up\nSELECT 1;\n-- +down\n-- no-op\n")
	expect(run("lint"), 1, "migrations/xapi/0002_backfill.sql:1:1: error inserted-before-sealed:")
	expect(run("lint", "--format", "github"), 1, "::error file=migrations/xapi/0002_backfill.sql,line=1,col=1,title=inserted-before-sealed::")
}

func TestCLITemplateVariables(t *testing.T) {
	bin := buildBinary(t)
	work := t.TempDir()
	dir := filepath.Join(work, "m")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "0001_db.sql"), "-- +up\nCREATE DATABASE ${DB};\n-- +down\nDROP DATABASE ${DB};\n")
	if r := runBinary(t, bin, work, nil, "lint", "--dir", "m"); r.code != 1 || !strings.Contains(r.stdout, "m/0001_db.sql:2:17: error undefined-variable:") {
		t.Errorf("without DB: exit %d\n%s", r.code, r.stdout)
	}
	if r := runBinary(t, bin, work, []string{"CHSCHEMA_VAR_DB=analytics"}, "lint", "--dir", "m"); r.code != 0 {
		t.Errorf("with CHSCHEMA_VAR_DB: exit %d\n%s", r.code, r.stdout)
	}
	if r := runBinary(t, bin, work, nil, "lint", "--dir", "m", "--var", "DB=analytics"); r.code != 0 {
		t.Errorf("with --var: exit %d\n%s", r.code, r.stdout)
	}
}

// The in-process tests call run directly.
func testEnv() (*Env, *bytes.Buffer, *bytes.Buffer) {
	var stdout, stderr bytes.Buffer
	return &Env{Ctx: context.Background(), Stdout: &stdout, Stderr: &stderr}, &stdout, &stderr
}

func TestLintJSON(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "0001_a.sql"), "-- +up\nCREAT TABLE t;\n-- +down\n-- no-op\n")
	env, stdout, _ := testEnv()
	if code := run([]string{"lint", "--dir", dir, "--format", "json"}, env); code != exitFindings {
		t.Fatalf("exit %d", code)
	}
	var out struct {
		Findings []struct {
			File string `json:"file"`
			Line int    `json:"line"`
			Col  int    `json:"col"`
			Rule string `json:"rule"`
		} `json:"findings"`
		Errors int `json:"errors"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if out.Errors != 1 || len(out.Findings) != 1 || out.Findings[0].Rule != "syntax" || out.Findings[0].Line != 2 || !strings.HasSuffix(out.Findings[0].File, "0001_a.sql") {
		t.Errorf("json = %s", stdout)
	}
}

func TestHashRefusesBrokenDirectory(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "0001_a.sql"), "-- +up\nSELECT 1;\n")
	env, _, stderr := testEnv()
	if code := run([]string{"hash", "--dir", dir}, env); code != exitError || !strings.Contains(stderr.String(), "missing down section") {
		t.Errorf("exit %d, stderr %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "chschema.sum")); err == nil {
		t.Error("chschema.sum written for a broken directory")
	}
}

func TestHashForce(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "0001_a.sql"), "-- +up\nSELECT 1;\n-- +down\n-- no-op\n")
	env, _, stderr := testEnv()
	if code := run([]string{"hash", "--dir", dir}, env); code != exitOK {
		t.Fatalf("hash: %s", stderr)
	}
	writeFile(t, filepath.Join(dir, "0001_a.sql"), "-- +up\nSELECT 2;\n-- +down\n-- no-op\n")
	if code := run([]string{"hash", "--dir", dir}, env); code != exitError {
		t.Errorf("hash of an edited sealed migration: exit %d", code)
	}
	if code := run([]string{"hash", "--dir", dir, "--force"}, env); code != exitOK {
		t.Errorf("hash --force: exit %d: %s", code, stderr)
	}
	if code := run([]string{"lint", "--dir", dir}, env); code != exitOK {
		t.Errorf("lint after --force: exit %d", code)
	}
}

func TestNewRefusesBadName(t *testing.T) {
	env, _, stderr := testEnv()
	if code := run([]string{"new", "--dir", t.TempDir(), "s", "bad name"}, env); code != exitError || !strings.Contains(stderr.String(), "migration name") {
		t.Errorf("exit %d, stderr %s", code, stderr)
	}
}
