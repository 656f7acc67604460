package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gitRun runs git in dir, failing the test on error.
func gitRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// baseRepo is a git repository whose branch main released two migrations of
// service xapi in db/migrations (a subdirectory), with a branch feature
// checked out; lint runs from another subdirectory, tools/.
type baseRepo struct {
	t         *testing.T
	bin, repo string
	migs      string // db/migrations in the work tree
	tools     string // where lint runs from
}

const (
	baseFirst  = "-- +up\nCREATE TABLE events (id UInt64) ENGINE = MergeTree ORDER BY id;\n-- +down\nDROP TABLE events;\n"
	baseSecond = "-- +up\nALTER TABLE events ADD COLUMN n Int8;\n-- +down\nALTER TABLE events DROP COLUMN n;\n"
	baseThird  = "-- +up\nALTER TABLE events ADD COLUMN m Int8;\n-- +down\nALTER TABLE events DROP COLUMN m;\n"
)

func newBaseRepo(t *testing.T, bin string) *baseRepo {
	t.Helper()
	r := &baseRepo{t: t, bin: bin, repo: t.TempDir()}
	r.migs = filepath.Join(r.repo, "db", "migrations")
	r.tools = filepath.Join(r.repo, "tools")
	for _, d := range []string{filepath.Join(r.migs, "xapi"), r.tools} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	gitRun(t, r.repo, "init", "-q", "-b", "main")
	writeFile(t, filepath.Join(r.tools, "README"), "tools\n")
	r.write("xapi/0001_create_events.sql", baseFirst)
	r.write("xapi/0002_add_n.sql", baseSecond)
	if res := r.lint("hash"); res.code != 0 {
		t.Fatalf("hash: %d %s%s", res.code, res.stdout, res.stderr)
	}
	gitRun(t, r.repo, "add", "-A")
	gitRun(t, r.repo, "commit", "-q", "-m", "release 1")
	gitRun(t, r.repo, "checkout", "-q", "-b", "feature")
	return r
}

func (r *baseRepo) write(name, content string) {
	r.t.Helper()
	writeFile(r.t, filepath.Join(r.migs, name), content)
}

func (r *baseRepo) rename(from, to string) {
	r.t.Helper()
	if err := os.Rename(filepath.Join(r.migs, from), filepath.Join(r.migs, to)); err != nil {
		r.t.Fatal(err)
	}
}

// lint runs chschema in tools/ with --dir ../db/migrations.
func (r *baseRepo) lint(args ...string) result {
	r.t.Helper()
	return runBinary(r.t, r.bin, r.tools, nil, append(args, "--dir", "../db/migrations")...)
}

// reset brings the work tree back to main's state.
func (r *baseRepo) reset() {
	r.t.Helper()
	gitRun(r.t, r.repo, "checkout", "-q", "-f", "main", "--", ".")
	gitRun(r.t, r.repo, "clean", "-q", "-fd")
}

func expectResult(t *testing.T, res result, code int, fragments ...string) {
	t.Helper()
	if res.code != code {
		t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", res.code, code, res.stdout, res.stderr)
	}
	for _, f := range fragments {
		if !strings.Contains(res.stdout+res.stderr, f) {
			t.Errorf("output lacks %q\nstdout:\n%s\nstderr:\n%s", f, res.stdout, res.stderr)
		}
	}
}

// TestLintBase: lint --base REF fails on every change to a migration
// released at REF, whatever the working tree's chschema.sum says (hash
// --force no longer launders an edit), on real git repositories, through
// the built binary.
func TestLintBase(t *testing.T) {
	bin := buildBinary(t)
	r := newBaseRepo(t, bin)
	migsRel := r.migs + "/" // paths outside the working directory are shown absolute

	t.Run("a new migration after the released ones", func(t *testing.T) {
		defer r.reset()
		r.write("xapi/0003_add_m.sql", baseThird)
		expectResult(t, r.lint("lint", "--base", "main"), 0)
		// The environment variable, from a deeper directory.
		deep := filepath.Join(r.repo, "db", "migrations", "xapi")
		res := runBinary(t, bin, deep, []string{"CHSCHEMA_LINT_BASE=main"}, "lint", "--dir", "..")
		expectResult(t, res, 0)
	})

	t.Run("an edit resealed with hash --force", func(t *testing.T) {
		defer r.reset()
		r.write("xapi/0001_create_events.sql", strings.Replace(baseFirst, "UInt64", "UInt32", 1))
		expectResult(t, r.lint("hash", "--force"), 0, "sealed")
		expectResult(t, r.lint("lint"), 0) // the working tree's own sum file was laundered
		expectResult(t, r.lint("lint", "--base", "main"), 1,
			migsRel+"xapi/0001_create_events.sql:2:29: error sealed-edited: sealed migration xapi/0001_create_events.sql was edited after it was released (chschema.sum line 2 at main)")
		// GitHub annotations name paths from the repository root.
		res := runBinary(t, bin, r.tools, []string{"GITHUB_WORKSPACE=" + r.repo}, "lint", "--dir", "../db/migrations", "--base", "main", "--format", "github")
		expectResult(t, res, 1, "::error file=db/migrations/xapi/0001_create_events.sql,line=2,col=29,title=sealed-edited::")
	})

	t.Run("an edit, reported once", func(t *testing.T) {
		defer r.reset()
		r.write("xapi/0002_add_n.sql", baseSecond+"-- more\n")
		res := r.lint("lint", "--base", "main")
		expectResult(t, res, 1, migsRel+"xapi/0002_add_n.sql:5:1: error sealed-edited:", "(chschema.sum line 3 at main)")
		if n := strings.Count(res.stdout, "sealed-edited"); n != 1 {
			t.Errorf("%d sealed-edited findings, want 1:\n%s", n, res.stdout)
		}
	})

	t.Run("removed", func(t *testing.T) {
		defer r.reset()
		if err := os.Remove(filepath.Join(r.migs, "xapi", "0002_add_n.sql")); err != nil {
			t.Fatal(err)
		}
		expectResult(t, r.lint("hash", "--force"), 0)
		expectResult(t, r.lint("lint", "--base", "main"), 1,
			migsRel+"chschema.sum:3:1: error sealed-removed: sealed migration xapi/0002_add_n.sql was removed or its content changed with its name (chschema.sum line 3 at main)")
	})

	t.Run("renamed", func(t *testing.T) {
		defer r.reset()
		r.rename("xapi/0002_add_n.sql", "xapi/0002_add_column_n.sql")
		expectResult(t, r.lint("hash", "--force"), 0)
		expectResult(t, r.lint("lint", "--base", "main"), 1,
			migsRel+"xapi/0002_add_column_n.sql:1:1: error sealed-renamed: sealed migration xapi/0002_add_n.sql was renamed to xapi/0002_add_column_n.sql (chschema.sum line 3 at main)")
	})

	t.Run("renamed and edited", func(t *testing.T) {
		defer r.reset()
		r.rename("xapi/0002_add_n.sql", "xapi/0002_add_column_n.sql")
		r.write("xapi/0002_add_column_n.sql", strings.Replace(baseSecond, "Int8", "Int16", 1))
		expectResult(t, r.lint("hash", "--force"), 0)
		expectResult(t, r.lint("lint", "--base", "main"), 1,
			migsRel+"xapi/0002_add_column_n.sql:2:36: error sealed-edited: sealed migration xapi/0002_add_n.sql was renamed to xapi/0002_add_column_n.sql and edited after it was released (chschema.sum line 3 at main)")
	})

	t.Run("reordered, and a new migration before the last released one", func(t *testing.T) {
		defer r.reset()
		r.rename("xapi/0002_add_n.sql", "xapi/0003_add_n.sql")
		r.write("xapi/0002_add_m.sql", baseThird)
		expectResult(t, r.lint("hash", "--force"), 0)
		expectResult(t, r.lint("lint"), 0) // laundered
		expectResult(t, r.lint("lint", "--base", "main"), 1,
			migsRel+"xapi/0003_add_n.sql:1:1: error sealed-reordered: sealed migration xapi/0002_add_n.sql was reordered: it is now ID 0003 (chschema.sum line 3 at main)",
			migsRel+"xapi/0002_add_m.sql:1:1: error inserted-before-sealed: new migration with ID 0002 is not after xapi/0002_add_n.sql, the last released migration at main of service xapi")
	})

	t.Run("the sum file alone", func(t *testing.T) {
		defer r.reset()
		released := filepath.Join(t.TempDir(), "released.sum")
		writeFile(t, released, gitRun(t, r.repo, "show", "main:db/migrations/chschema.sum"))
		r.write("xapi/0001_create_events.sql", strings.Replace(baseFirst, "UInt64", "UInt32", 1))
		r.rename("xapi/0002_add_n.sql", "xapi/0002_add_column_n.sql")
		expectResult(t, r.lint("hash", "--force"), 0)
		expectResult(t, r.lint("lint", "--base-sum", released), 1,
			migsRel+"xapi/0001_create_events.sql:1:1: error sealed-edited: sealed migration xapi/0001_create_events.sql was edited after it was released (chschema.sum line 2 at "+released+")",
			migsRel+"xapi/0002_add_column_n.sql:1:1: error sealed-renamed:")
		res := runBinary(t, bin, r.tools, []string{"CHSCHEMA_LINT_BASE_SUM=" + released}, "lint", "--dir", "../db/migrations")
		expectResult(t, res, 1, "sealed-edited")
	})

	t.Run("nothing released at the base", func(t *testing.T) {
		defer r.reset()
		gitRun(t, r.repo, "checkout", "-q", "-b", "empty-base", "main")
		gitRun(t, r.repo, "rm", "-q", "-r", "db")
		gitRun(t, r.repo, "commit", "-q", "-m", "no migrations")
		gitRun(t, r.repo, "checkout", "-q", "feature")
		expectResult(t, r.lint("lint", "--base", "empty-base"), 0, "info base: nothing was released at empty-base")
	})

	t.Run("errors", func(t *testing.T) {
		expectResult(t, r.lint("lint", "--base", "nosuch"), 2, `--base: migrations: git: revision "nosuch" does not exist in the repository at `, "fetch-depth: 0")
		expectResult(t, r.lint("lint", "--base", "main", "--base-sum", "x.sum"), 2, "--base and --base-sum can't be used together")
		expectResult(t, r.lint("lint", "--base-sum", "missing.sum"), 2, "--base-sum: ", "missing.sum: cannot read")
		outside := t.TempDir()
		if err := os.CopyFS(filepath.Join(outside, "m"), os.DirFS(r.migs)); err != nil {
			t.Fatal(err)
		}
		expectResult(t, runBinary(t, bin, outside, nil, "lint", "--dir", "m", "--base", "main"), 2, "is not in a git work tree")
	})
}
