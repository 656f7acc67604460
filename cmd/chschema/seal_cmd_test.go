package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chschema/chschema/internal/chtest"
)

// TestApplyRefusesABrokenSeal is issue 13's first rule at apply time:
// migrate, down and baseline check chschema.sum before they connect to
// anything, and refuse an edited, renamed or removed released migration
// with the lint finding at its file:line, exit 1. Against a port nobody
// listens on, the refusal (exit 1) comes instead of the connection error
// (exit 2); against a real server, nothing is created there.
func TestApplyRefusesABrokenSeal(t *testing.T) {
	db := chtest.New(t)
	bin := buildBinary(t)
	const (
		a = "-- +up\nCREATE TABLE a (x UInt8) ENGINE = Log;\n-- +down\nDROP TABLE a;\n"
		b = "-- +up\nCREATE TABLE b (x UInt8) ENGINE = Log;\n-- +down\nDROP TABLE b;\n"
	)
	tests := []struct {
		name    string
		breakIt func(svc string)
		finding string
	}{
		{"edited", func(svc string) {
			writeFile(t, filepath.Join(svc, "0001_a.sql"), strings.Replace(a, "x UInt8", "x UInt16", 1))
		}, "svc/0001_a.sql:1:1: error sealed-edited: sealed migration svc/0001_a.sql was edited"},
		{"renamed", func(svc string) {
			if err := os.Rename(filepath.Join(svc, "0002_b.sql"), filepath.Join(svc, "0002_bee.sql")); err != nil {
				t.Fatal(err)
			}
		}, "svc/0002_bee.sql:1:1: error sealed-renamed:"},
		{"removed", func(svc string) {
			if err := os.Remove(filepath.Join(svc, "0002_b.sql")); err != nil {
				t.Fatal(err)
			}
		}, "chschema.sum:3:1: error sealed-removed:"},
	}
	commands := [][]string{{"migrate"}, {"down", "--steps", "1"}, {"baseline", "1"}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			work := t.TempDir()
			svc := filepath.Join(work, "migrations", "svc")
			if err := os.MkdirAll(svc, 0o755); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(svc, "0001_a.sql"), a)
			writeFile(t, filepath.Join(svc, "0002_b.sql"), b)
			if r := runBinary(t, bin, work, nil, "hash"); r.code != 0 {
				t.Fatalf("hash: %d %s", r.code, r.stderr)
			}
			tt.breakIt(svc)
			for _, cmd := range commands {
				for _, dsn := range []string{"clickhouse://default@127.0.0.1:1/default", db.DSN} {
					r := runBinary(t, bin, work, nil, append(cmd, "--dsn", dsn)...)
					if r.code != exitFindings || !strings.Contains(r.stderr, "migrations/"+tt.finding) || !strings.Contains(r.stderr, cmd[0]+" refused") {
						t.Errorf("%s --dsn %s: exit %d, want 1 with the finding %q\n%s", cmd[0], dsn, r.code, tt.finding, r.stderr)
					}
				}
			}
			var n uint64
			if err := db.Conn.QueryRow(context.Background(), "SELECT count() FROM system.tables WHERE database = ?", db.Name).Scan(&n); err != nil || n != 0 {
				t.Errorf("the refused commands left %d tables on the server (%v)", n, err)
			}
			// status shows the migrations as they are, and lint agrees with
			// the refusal.
			if r := runBinary(t, bin, work, nil, "status", "--dsn", db.DSN); r.code != 0 {
				t.Errorf("status over a broken seal: exit %d\n%s", r.code, r.stderr)
			}
			if r := runBinary(t, bin, work, nil, "lint"); r.code != exitFindings || !strings.Contains(r.stdout, "migrations/"+tt.finding) {
				t.Errorf("lint: exit %d\n%s", r.code, r.stdout)
			}
		})
	}

	// With --format json the findings are lint's JSON document, on stdout.
	work := t.TempDir()
	svc := filepath.Join(work, "migrations", "svc")
	if err := os.MkdirAll(svc, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(svc, "0001_a.sql"), a)
	if r := runBinary(t, bin, work, nil, "hash"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	writeFile(t, filepath.Join(svc, "0001_a.sql"), a+"-- edited\n")
	r := runBinary(t, bin, work, nil, "migrate", "--dsn", db.DSN, "--format", "json")
	var doc struct {
		Error struct {
			Findings []struct{ File, Rule string } `json:"findings"`
			Refused  string                        `json:"refused"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != exitFindings || doc.Error.Refused != "migrate" || len(doc.Error.Findings) != 1 || doc.Error.Findings[0].Rule != "sealed-edited" || doc.Error.Findings[0].File != "migrations/svc/0001_a.sql" {
		t.Errorf("migrate --format json: exit %d, %v\n%s", r.code, err, r.stdout)
	}
	// A reseal (hash --force) is the deliberate way through.
	if r := runBinary(t, bin, work, nil, "hash", "--force"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := runBinary(t, bin, work, nil, "migrate", "--dsn", db.DSN); r.code != 0 || !strings.Contains(r.stdout, "applied 1 migration (") {
		t.Errorf("migrate after a reseal: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
