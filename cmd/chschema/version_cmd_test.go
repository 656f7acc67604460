package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chschema/chschema/internal/chtest"
)

func TestVersionOffline(t *testing.T) {
	code, out, errOut := runCLI(t, "version")
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if !strings.HasPrefix(out, "chschema "+Version()+"\n") {
		t.Errorf("stdout = %q", out)
	}
}

func TestVersionWithServer(t *testing.T) {
	db := chtest.New(t)
	code, out, errOut := runCLI(t, "version", "--dsn", db.DSN)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if !regexp.MustCompile(`(?m)^clickhouse \d+\.\d+\.\d+`).MatchString(out) {
		t.Errorf("stdout lacks the server version: %q", out)
	}

	code, out, _ = runCLI(t, "version", "--dsn", db.DSN, "--format", "json")
	if code != exitOK {
		t.Fatalf("json: exit %d", code)
	}
	var v struct{ Chschema, Server string }
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("json output %q: %v", out, err)
	}
	if v.Chschema != Version() || v.Server == "" {
		t.Errorf("json = %+v", v)
	}
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		want     int
		inStderr string
	}{
		{"help", []string{"--help"}, exitOK, ""},
		{"unknown command", []string{"bogus"}, exitError, "unexpected argument bogus"},
		{"bad format", []string{"version", "--format", "xml"}, exitError, "--format"},
		{"unreachable server", []string{"version", "--dsn", "clickhouse://127.0.0.1:1/default"}, exitError, "127.0.0.1:1"},
		{"malformed dsn", []string{"version", "--dsn", "::nope"}, exitError, "--dsn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, tt.args...)
			if code != tt.want {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.want, errOut)
			}
			if !strings.Contains(errOut, tt.inStderr) {
				t.Errorf("stderr %q lacks %q", errOut, tt.inStderr)
			}
		})
	}
}

func TestVars(t *testing.T) {
	g := &Globals{Var: map[string]string{"CLUSTER": "flag"}}
	got := g.Vars([]string{"CHSCHEMA_VAR_CLUSTER=env", "CHSCHEMA_VAR_DB=xapi", "CHSCHEMA_VAR_=x", "OTHER=1"})
	want := map[string]string{"CLUSTER": "flag", "DB": "xapi"}
	if len(got) != len(want) || got["CLUSTER"] != "flag" || got["DB"] != "xapi" {
		t.Errorf("Vars = %v, want %v", got, want)
	}
}

// TestVersionBuildInfo builds the binary in a git checkout of this tree,
// as go build and go install do (-buildvcs; Go stamps nothing in a git
// worktree, whose .git is a file, so the test makes a plain repository):
// version prints the VCS revision, its time and whether the tree was
// modified, and a module version rather than "devel"; a release build's -X
// flag wins.
func TestVersionBuildInfo(t *testing.T) {
	if testing.Short() {
		t.Skip("copies the module and builds it three times")
	}
	repo := t.TempDir()
	if err := os.CopyFS(repo, os.DirFS("../..")); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(repo, ".git"))
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		cmd.Dir = repo
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q")
	git("add", "-A")
	git("commit", "-q", "-m", "build info test")
	rev := git("rev-parse", "HEAD")
	bin := filepath.Join(t.TempDir(), "chschema")
	build := func(args ...string) BuildInfo {
		t.Helper()
		cmd := exec.Command("go", append(append([]string{"build", "-buildvcs=true"}, args...), "-o", bin, "./cmd/chschema")...)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
		r := runBinary(t, bin, t.TempDir(), nil, "version", "--format", "json")
		var info BuildInfo
		if err := json.Unmarshal([]byte(r.stdout), &info); err != nil || r.code != 0 {
			t.Fatalf("version --format json: exit %d, %v\n%s", r.code, err, r.stdout)
		}
		return info
	}
	info := build()
	if info.Revision != rev || info.Time == "" || info.Modified {
		t.Errorf("build info %+v, want revision %s, a time, not modified", info, rev)
	}
	if info.Version == "devel" || !strings.Contains(info.Version, rev[:12]) || info.Module != "github.com/chschema/chschema" {
		t.Errorf("version %q of module %q, want the VCS pseudo-version", info.Version, info.Module)
	}
	text := runBinary(t, bin, t.TempDir(), nil, "version")
	if !strings.Contains(text.stdout, "revision "+rev+" (") {
		t.Errorf("version: %q lacks the revision", text.stdout)
	}

	writeFile(t, filepath.Join(repo, "README.md"), "edited\n")
	if info := build(); !info.Modified || info.Revision != rev {
		t.Errorf("after an edit: %+v, want modified", info)
	}
	if r := runBinary(t, bin, t.TempDir(), nil, "version"); !strings.Contains(r.stdout, ", modified") {
		t.Errorf("version of a modified tree: %q", r.stdout)
	}

	if info := build("-ldflags", "-X main.version=v9.8.7"); info.Version != "v9.8.7" {
		t.Errorf("release build: %+v", info)
	}
}
