package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chschema/chschema/internal/chtest"
)

// hostileValues pairs a migration line with a --var value that, spliced in
// before the split as it was, turned the line into more statements, one of
// them DROP TABLE victim.
var hostileValues = []struct {
	name, line, value string
	col               int // the column of ${V} in line
}{
	{"semicolon", "SELECT ${V};", "1; DROP TABLE victim", 8},
	{"quote", "INSERT INTO t VALUES ('${V}');", "x'); DROP TABLE victim; SELECT ('", 24},
	{"backslash", "INSERT INTO t VALUES ('${V}'), ('); DROP TABLE victim; --');", `\`, 24},
	{"line comment", "ALTER TABLE victim DELETE WHERE ${V} k = 0;", "1 --", 33},
	{"block comment", "SELECT 1 ${V}, 2; SELECT '*/; DROP TABLE victim; SELECT 1 /*';", "/*", 10},
	{"backquote", "SELECT * FROM `${V}`;", "t`; DROP TABLE victim; SELECT * FROM `t", 16},
	{"heredoc", "SELECT $$ ${V} $$;", "$$; DROP TABLE victim; SELECT $$", 11},
	{"dollar-dollar in code", "SELECT ${V} 1; SELECT '$$; DROP TABLE victim; SELECT $$';", "$$", 8},
	{"newline", "-- note: ${V}\nSELECT 1;", "x\nDROP TABLE victim;\n--", 10},
}

// writeHostile writes a migrations root whose one migration holds line.
func writeHostile(t *testing.T, root, line string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(root, "s"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(root, "s", "0001_a.sql"), "-- +up\nCREATE TABLE t (s String) ENGINE = MergeTree ORDER BY s;\n"+line+"\n-- +down\nDROP TABLE t;\n")
}

// TestVarInjectionLint: lint and schema refuse each hostile value with the
// variable's name at its file:line:col, on the built binary.
func TestVarInjectionLint(t *testing.T) {
	bin := buildBinary(t)
	for _, hv := range hostileValues {
		t.Run(hv.name, func(t *testing.T) {
			work := t.TempDir()
			writeHostile(t, filepath.Join(work, "m"), hv.line)
			at := "m/s/0001_a.sql:3:" + strconv.Itoa(hv.col) + ": error unsafe-variable: the value of ${V} cannot be spliced in here"
			res := runBinary(t, bin, work, nil, "lint", "--dir", "m", "--var", "V="+hv.value)
			if res.code != exitFindings || !strings.Contains(res.stdout, at) {
				t.Errorf("lint: exit %d, want 1 and %q\n%s%s", res.code, at, res.stdout, res.stderr)
			}
			// The same through the environment, and for schema.
			res = runBinary(t, bin, work, []string{"CHSCHEMA_VAR_V=" + hv.value}, "schema", "--dir", "m")
			if res.code != exitError || !strings.Contains(res.stderr, "s/0001_a.sql:3:"+strconv.Itoa(hv.col)+": the value of ${V} cannot be spliced in here") {
				t.Errorf("schema: exit %d\n%s%s", res.code, res.stdout, res.stderr)
			}
		})
	}
}

// TestVarInjectionMigrate: on the real server, migrate refuses every hostile
// value before it runs anything; the victim table and its row survive and
// the migration's own table is not created.
func TestVarInjectionMigrate(t *testing.T) {
	bin := buildBinary(t)
	ctx := context.Background()
	for _, hv := range hostileValues {
		t.Run(hv.name, func(t *testing.T) {
			db := chtest.New(t)
			if err := db.Conn.Exec(ctx, "CREATE TABLE victim (k UInt8) ENGINE = MergeTree ORDER BY k"); err != nil {
				t.Fatal(err)
			}
			if err := db.Conn.Exec(ctx, "INSERT INTO victim VALUES (7)"); err != nil {
				t.Fatal(err)
			}
			work := t.TempDir()
			writeHostile(t, filepath.Join(work, "m"), hv.line)
			res := runBinary(t, bin, work, nil, "migrate", "--dir", "m", "--dsn", db.DSN, "--var", "V="+hv.value, "--allow-drift")
			if res.code != exitError || !strings.Contains(res.stderr, "s/0001_a.sql:3:"+strconv.Itoa(hv.col)+": the value of ${V} cannot be spliced in here") {
				t.Errorf("migrate: exit %d\n%s%s", res.code, res.stdout, res.stderr)
			}
			tables := selectStrings(t, db, "SELECT name FROM system.tables WHERE database = ? ORDER BY name", db.Name)
			if strings.Join(tables, ",") != "victim" {
				t.Errorf("tables after the refused migrate: %v, want only victim", tables)
			}
			var rows uint64
			if err := db.Conn.QueryRow(ctx, "SELECT count() FROM victim").Scan(&rows); err != nil || rows != 1 {
				t.Errorf("victim rows = %d, %v", rows, err)
			}
		})
	}
	// A value with ';' and a doubled quote inside a string still migrates.
	db := chtest.New(t)
	work := t.TempDir()
	writeHostile(t, filepath.Join(work, "m"), "INSERT INTO t VALUES ('${V}');")
	if res := runBinary(t, bin, work, nil, "migrate", "--dir", "m", "--dsn", db.DSN, "--var", "V=it''s; fine"); res.code != exitOK {
		t.Fatalf("migrate: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if got := selectStrings(t, db, "SELECT s FROM t"); strings.Join(got, ",") != "it's; fine" {
		t.Errorf("t = %q", got)
	}
}
