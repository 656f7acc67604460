package main

import (
	"encoding/json"
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
