package lint

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/chschema/chschema/migrations"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func mapFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, content := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(content)}
	}
	return fsys
}

func seal(t *testing.T, fsys fstest.MapFS) {
	t.Helper()
	d, err := migrations.Open(fsys)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := d.SumFile().MarshalText()
	fsys[migrations.SumFileName] = &fstest.MapFile{Data: data}
}

// good is a migration that lints clean, and replays anywhere in a sequence.
const good = "-- +up\nCREATE TABLE IF NOT EXISTS t (x Int8) ENGINE = Log;\n-- +down\nDROP TABLE IF EXISTS t;\n"

// errorsOf renders the error findings as "rule file:line:col".
func errorsOf(r *Report) []string {
	var out []string
	for _, f := range r.Findings {
		if f.Severity == Error {
			out = append(out, fmt.Sprintf("%s %s:%d:%d", f.Rule, f.File, f.Line, f.Col))
		}
	}
	return out
}

func TestRules(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		vars  map[string]string
		edit  func(fstest.MapFS) // applied after sealing, when set
		want  []string
	}{
		{name: "clean", files: map[string]string{"0001_a.sql": good, "init.sql": "CREATE DATABASE IF NOT EXISTS db;"}},
		{name: "sealed migration edited", files: map[string]string{"s/0001_a.sql": good, "s/0002_b.sql": good},
			edit: func(f fstest.MapFS) { f["s/0001_a.sql"].Data = []byte(strings.Replace(good, "Int8", "Int16", 1)) },
			want: []string{"sealed-edited s/0001_a.sql:1:1"}},
		{name: "sealed migration removed", files: map[string]string{"s/0001_a.sql": good, "s/0002_b.sql": good},
			edit: func(f fstest.MapFS) { delete(f, "s/0002_b.sql") },
			want: []string{"sealed-removed chschema.sum:3:1"}},
		{name: "sealed migration renamed", files: map[string]string{"s/0001_a.sql": good},
			edit: func(f fstest.MapFS) { f["s/0001_renamed.sql"] = f["s/0001_a.sql"]; delete(f, "s/0001_a.sql") },
			want: []string{"sealed-renamed s/0001_renamed.sql:1:1"}},
		{name: "sealed migrations reordered", files: map[string]string{"s/0001_a.sql": good, "s/0002_b.sql": good + "-- b\n"},
			edit: func(f fstest.MapFS) {
				f["s/0001_a.sql"], f["s/0002_b.sql"] = f["s/0002_b.sql"], f["s/0001_a.sql"]
			},
			want: []string{"sealed-edited s/0001_a.sql:1:1", "sealed-edited s/0002_b.sql:1:1"}},
		{name: "new migration before the last sealed", files: map[string]string{"s/0001_a.sql": good, "s/0002_b.sql": good},
			edit: func(f fstest.MapFS) { f["s/0002_a.sql"] = &fstest.MapFile{Data: []byte(good)} },
			want: []string{"inserted-before-sealed s/0002_a.sql:1:1", "duplicate-id s/0002_b.sql:0:0"}},
		{name: "gap", files: map[string]string{"0001_a.sql": good, "0003_c.sql": good}, want: []string{"id-gap 0003_c.sql:0:0"}},
		{name: "duplicate", files: map[string]string{"0001_a.sql": good, "0001_b.sql": good}, want: []string{"duplicate-id 0001_b.sql:0:0"}},
		{name: "malformed name", files: map[string]string{"1_a.sql": good}, want: []string{"file-name 1_a.sql:0:0"}},
		{name: "missing up", files: map[string]string{"0001_a.sql": "-- +down\nSELECT 1;"}, want: []string{"missing-up 0001_a.sql:1:1"}},
		{name: "missing down", files: map[string]string{"0001_a.sql": "-- +up\nSELECT 1;"}, want: []string{"missing-down 0001_a.sql:1:1"}},
		{name: "empty down without no-op", files: map[string]string{"0001_a.sql": "-- +up\nSELECT 1;\n-- +down\n-- nothing\n"}, want: []string{"missing-down 0001_a.sql:3:1"}},
		{name: "empty down with no-op", files: map[string]string{"0001_a.sql": "-- +up\nSELECT 1;\n-- +down\n-- no-op\n"}},
		{name: "empty up", files: map[string]string{"0001_a.sql": "-- +up\n  -- nothing; here\n-- +down\n-- no-op\n"}, want: []string{"empty-up 0001_a.sql:1:1"}},
		{name: "empty up file of a pair", files: map[string]string{"0001_a.up.sql": "", "0001_a.down.sql": "-- no-op"}, want: []string{"empty-up 0001_a.up.sql:1:1"}},
		{name: "syntax error at its file position", files: map[string]string{"0001_a.sql": "-- +up\nSELECT 1;\n\n  CREAT TABLE t (x Int8);\n-- +down\n-- no-op\n"},
			want: []string{"syntax 0001_a.sql:4:3"}},
		{name: "syntax error after a substituted variable", files: map[string]string{"0001_a.sql": "-- +up\nCREATE TABLE ${DB}.t (x Int8 ENGINE = Log;\n-- +down\n-- no-op\n"},
			vars: map[string]string{"DB": "a_much_longer_database_name"}, want: []string{"syntax 0001_a.sql:2:30"}},
		{name: "unterminated string", files: map[string]string{"0001_a.sql": "-- +up\nSELECT 'abc;\n-- +down\n-- no-op\n"}, want: []string{"syntax 0001_a.sql:2:8"}},
		{name: "valid ClickHouse that AfterShip rejects is not an error", files: map[string]string{"0001_a.sql": "-- +up\nALTER TABLE t MATERIALIZE INDEX i SETTINGS mutations_sync = 2;\nCREATE TABLE o (order Int32) ENGINE = MergeTree ORDER BY order;\n-- +down\nDROP FUNCTION IF EXISTS f;\n"}},
		{name: "non-idempotent init", files: map[string]string{"init.sql": "CREATE DATABASE IF NOT EXISTS a;\nCREATE USER u IDENTIFIED BY 'x';\nGRANT SELECT ON a.* TO u;\nDROP ROLE r;\nINSERT INTO a.t VALUES (1);\n"},
			want: []string{"init-idempotent init.sql:2:1", "init-idempotent init.sql:4:1", "init-idempotent init.sql:5:1"}},
		{name: "undefined variable", files: map[string]string{"0001_a.sql": "-- +up\nCREATE DATABASE ${DB};\n-- +down\nDROP DATABASE ${DB};\n", "init.sql": "CREATE DATABASE IF NOT EXISTS ${OTHER};"},
			vars: map[string]string{}, want: []string{"undefined-variable 0001_a.sql:2:17", "undefined-variable 0001_a.sql:4:15", "undefined-variable init.sql:1:31"}},
		{name: "defined variable", files: map[string]string{"0001_a.sql": "-- +up\nCREATE DATABASE ${DB};\n-- +down\nDROP DATABASE ${DB};\n"}, vars: map[string]string{"DB": "x"}},
		{name: "binary garbage", files: map[string]string{"0001_a.sql": "\x00\x01\x02"}, want: []string{"unreadable-file 0001_a.sql:1:1"}},
		{name: "sum file merge conflict", files: map[string]string{"0001_a.sql": good},
			edit: func(f fstest.MapFS) {
				f["chschema.sum"].Data = append([]byte("<<<<<<< ours\n"), f["chschema.sum"].Data...)
			},
			want: []string{"sum-file chschema.sum:1:1", "sum-file chschema.sum:2:1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := mapFS(tt.files)
			if tt.edit != nil {
				seal(t, fsys)
				tt.edit(fsys)
			}
			r, err := Lint(context.Background(), fsys, Options{Vars: tt.vars})
			if err != nil {
				t.Fatal(err)
			}
			got := errorsOf(r)
			slices.Sort(got)
			slices.Sort(tt.want)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				var b bytes.Buffer
				r.Write(&b, Text, "")
				t.Errorf("errors:\n%s\nwant:\n%s\nreport:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"), b.String())
			}
			if r.Errors() != len(tt.want) {
				t.Errorf("Errors() = %d, want %d", r.Errors(), len(tt.want))
			}
		})
	}
}

func TestOfflineGapsAreInfo(t *testing.T) {
	r, err := Lint(context.Background(), mapFS(map[string]string{
		"0001_a.sql": "-- +up\nEXCHANGE TABLES a AND b;\n-- +down\nEXCHANGE TABLES a AND b;\n",
		"init.sql":   "CREATE TABLE IF NOT EXISTS a (x Int8) ENGINE = Log;\nCREATE TABLE IF NOT EXISTS b (x Int8) ENGINE = Log;\n",
	}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Errors() != 0 || len(r.Findings) != 2 || r.Findings[0].Rule != RuleOfflineGap || r.Findings[0].Severity != Info || r.Findings[0].Line != 2 || r.Findings[0].File != "0001_a.sql" {
		t.Errorf("findings = %+v", r.Findings)
	}
}

// goldenFS has one problem per rule, to show the output formats.
func goldenFS(t *testing.T) fstest.MapFS {
	fsys := mapFS(map[string]string{
		"xapi/0001_create.up.sql":   "CREATE TABLE events (id UInt64) ENGINE = MergeTree ORDER BY id;\n",
		"xapi/0001_create.down.sql": "DROP TABLE events;\n",
		"xapi/0002_add.sql":         "-- +up\nALTER TABLE events ADD COLUMN order Int32;\n-- +down\nALTER TABLE events DROP COLUMN order;\n",
	})
	seal(t, fsys)
	for name, content := range map[string]string{
		"init.sql":                  "CREATE DATABASE IF NOT EXISTS ${DB};\nCREATE ROLE reader;\n",
		"xapi/0001_create.down.sql": "DROP TABLE IF EXISTS events;\n",
		"xapi/0003_bad.sql":         "-- +up\nSELECT 1;\nCREATE TABLE x (a Int8\n  ENGINE = Log;\n-- +down\n",
		"xapi/0005_gap.sql":         "-- +up\nSELECT 'a,b:c', ${MISSING};\n-- +down\n-- no-op\n",
		"event_sink/1_bad.sql":      good,
		"vector/0001_copy.sql":      "-- +up\nCREATE TABLE copy ENGINE = MergeTree ORDER BY n AS SELECT 1 AS n;\n-- +down\nDROP TABLE copy;\n",
	} {
		fsys[name] = &fstest.MapFile{Data: []byte(content)}
	}
	return fsys
}

func TestGolden(t *testing.T) {
	r, err := Lint(context.Background(), goldenFS(t), Options{Vars: map[string]string{"DB": "analytics"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []Format{Text, JSON, GitHub} {
		t.Run(string(format), func(t *testing.T) {
			var b bytes.Buffer
			if err := r.Write(&b, format, "migrations"); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden."+string(format))
			if *update {
				if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if b.String() != string(want) {
				t.Errorf("%s output differs from %s (go test -update rewrites it):\n%s", format, golden, b.String())
			}
		})
	}
	if err := r.Write(&bytes.Buffer{}, "xml", ""); err == nil {
		t.Error("unknown format accepted")
	}
}

// TestConversionLayerForms: valid ClickHouse that AfterShip and the gap
// recognisers reject, but that the conversion layer reads in full (the forms
// chschema schema models), passes lint with an info finding; a real syntax
// error next to them still fails. Each of these statements is in the oracle
// corpus, which the server accepts.
func TestConversionLayerForms(t *testing.T) {
	up := []string{
		"CREATE TABLE t (k UInt64, v Int64, CONSTRAINT c_assume ASSUME k < 100) ENGINE = MergeTree ORDER BY k",
		"ALTER TABLE t ADD COLUMN f UInt64 FIRST",
		"ALTER TABLE t MODIFY COLUMN v COMMENT 'via modify'",
		"ALTER TABLE t ADD CONSTRAINT ck CHECK k >= 0",
		"CREATE TABLE g (k UInt64, d DateTime, v UInt64) ENGINE = MergeTree ORDER BY k TTL d + INTERVAL 1 DAY GROUP BY k SET v = max(v)",
	}
	r, err := Lint(context.Background(), mapFS(map[string]string{
		"0001_a.sql": "-- +up\n" + strings.Join(up, ";\n") + ";\n-- +down\nDROP TABLE g;\nDROP TABLE t;\n",
		"0002_b.sql": "-- +up\nCREAT TABLE x (a Int8) ENGINE = Log;\n-- +down\n-- no-op\n",
	}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := errorsOf(r); !slices.Equal(got, []string{"syntax 0002_b.sql:2:1"}) {
		t.Errorf("errors = %v, want only the CREAT typo", got)
	}
	infos := 0
	for _, f := range r.Findings {
		if f.Rule == RuleOfflineGap && f.File == "0001_a.sql" {
			infos++
		}
	}
	if infos != len(up) {
		t.Errorf("%d offline-gap notes on 0001_a.sql, want %d: %+v", infos, len(up), r.Findings)
	}
}
