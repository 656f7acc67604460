package migrations

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

func sealed(t *testing.T, files map[string]string) fstest.MapFS {
	t.Helper()
	fsys := mapFS(files)
	d, err := Open(fsys)
	if err != nil {
		t.Fatal(err)
	}
	data, err := d.SumFile().MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	fsys[SumFileName] = &fstest.MapFile{Data: data}
	return fsys
}

var baseFiles = map[string]string{
	"0001_a.sql":           okMigration,
	"s/0001_x.up.sql":      "CREATE TABLE x (a Int8) ENGINE = Log;\n",
	"s/0001_x.down.sql":    "DROP TABLE x;\n",
	"s/0002_y.sql":         okMigration + "-- y\n",
	"s/0003_z.sql":         okMigration + "-- z\n",
	"other/0001_start.sql": okMigration + "-- other\n",
}

func TestSumFileFormat(t *testing.T) {
	fsys := sealed(t, baseFiles)
	text := string(fsys[SumFileName].Data)
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) != 6 || !strings.HasPrefix(lines[0], "chschema.sum v1 h1:") {
		t.Fatalf("sum file:\n%s", text)
	}
	wantPrefixes := []string{"default 0001_a.sql h1:", "other other/0001_start.sql h1:", "s s/0001_x.up.sql s/0001_x.down.sql h1:", "s s/0002_y.sql h1:", "s s/0003_z.sql h1:"}
	for i, p := range wantPrefixes {
		if !strings.HasPrefix(lines[i+1], p) {
			t.Errorf("line %d = %q, want prefix %q", i+2, lines[i+1], p)
		}
	}
	// Rewriting is idempotent.
	d, err := Open(fsys)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := d.SumFile().MarshalText()
	if string(again) != text {
		t.Errorf("second hash differs:\n%s\nvs\n%s", again, text)
	}
	if err := d.Verify(); err != nil {
		t.Errorf("Verify of a freshly sealed directory: %v", err)
	}
}

// The hash covers raw bytes, before template substitution.
func TestSumFileRawBytes(t *testing.T) {
	a := sealed(t, map[string]string{"0001_a.sql": "-- +up\nCREATE DATABASE ${DB};\n-- +down\n-- no-op\n"})
	b := sealed(t, map[string]string{"0001_a.sql": "-- +up\nCREATE DATABASE ${DB};\n-- +down\n-- no-op\n"})
	if string(a[SumFileName].Data) != string(b[SumFileName].Data) {
		t.Error("same bytes, different sums")
	}
	c := sealed(t, map[string]string{"0001_a.sql": "-- +up\nCREATE DATABASE x;\n-- +down\n-- no-op\n"})
	if string(a[SumFileName].Data) == string(c[SumFileName].Data) {
		t.Error("different bytes, same sum")
	}
}

func TestVerify(t *testing.T) {
	tests := []struct {
		name     string
		change   func(fstest.MapFS)
		sentinel error
		want     string
	}{
		{"edited", func(f fstest.MapFS) { f["s/0002_y.sql"].Data = append(f["s/0002_y.sql"].Data, ' ') }, ErrSealedEdited,
			"s/0002_y.sql:1:1: sealed migration s/0002_y.sql was edited after it was released (chschema.sum line 5)"},
		{"edited down of a pair", func(f fstest.MapFS) { f["s/0001_x.down.sql"].Data = []byte("DROP TABLE IF EXISTS x;\n") }, ErrSealedEdited,
			"s/0001_x.up.sql:1:1: sealed migration s/0001_x.up.sql + s/0001_x.down.sql was edited"},
		{"removed", func(f fstest.MapFS) { delete(f, "s/0003_z.sql") }, ErrSealedRemoved,
			"chschema.sum:6:1: sealed migration s/0003_z.sql was removed"},
		{"renamed", func(f fstest.MapFS) { f["s/0003_zz.sql"] = f["s/0003_z.sql"]; delete(f, "s/0003_z.sql") }, ErrSealedRenamed,
			"s/0003_zz.sql:1:1: sealed migration s/0003_z.sql was renamed to s/0003_zz.sql"},
		{"renamed and edited", func(f fstest.MapFS) {
			f["s/0003_zz.sql"] = &fstest.MapFile{Data: append(f["s/0003_z.sql"].Data, ' ')}
			delete(f, "s/0003_z.sql")
		}, ErrSealedEdited, "s/0003_zz.sql:1:1: sealed migration s/0003_z.sql was renamed to s/0003_zz.sql and edited after it was released (chschema.sum line 6)"},
		{"reordered", func(f fstest.MapFS) {
			f["s/0002_z.sql"], f["s/0003_y.sql"] = f["s/0003_z.sql"], f["s/0002_y.sql"]
			delete(f, "s/0002_y.sql")
			delete(f, "s/0003_z.sql")
		}, ErrSealedMoved, "s/0003_y.sql:1:1: sealed migration s/0002_y.sql was reordered: it is now ID 0003"},
		{"inserted before the last sealed", func(f fstest.MapFS) { f["s/0002_a.sql"] = &fstest.MapFile{Data: []byte(okMigration)} }, ErrInsertedBefore,
			"s/0002_a.sql:1:1: new migration with ID 0002 is not after s/0003_z.sql, the last released migration of service s"},
		{"header edited", func(f fstest.MapFS) {
			f[SumFileName].Data = []byte(strings.Replace(string(f[SumFileName].Data), "s/0002_y.sql", "s/0002_q.sql", 1))
		}, ErrSumHeader, "chschema.sum:1:1: the header checksum does not match"},
		{"merge conflict", func(f fstest.MapFS) {
			f[SumFileName].Data = append(f[SumFileName].Data, []byte("<<<<<<< HEAD\n")...)
		}, ErrSumSyntax, "chschema.sum:7:1: merge conflict marker"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := sealed(t, baseFiles)
			tt.change(fsys)
			d, err := Open(fsys)
			err = errors.Join(err, d.Verify())
			if !errors.Is(err, tt.sentinel) {
				t.Fatalf("err = %v, want %v", err, tt.sentinel)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

func TestVerifyNewMigrationsAfterSealedPass(t *testing.T) {
	fsys := sealed(t, baseFiles)
	fsys["s/0004_new.sql"] = &fstest.MapFile{Data: []byte(okMigration)}
	fsys["brand_new/0001_a.sql"] = &fstest.MapFile{Data: []byte(okMigration)}
	fsys["0002_b.sql"] = &fstest.MapFile{Data: []byte(okMigration)}
	d, err := Open(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Verify(); err != nil {
		t.Errorf("Verify: %v", err)
	}
}

func TestMigrationChecksum(t *testing.T) {
	a, _ := Open(mapFS(map[string]string{"0001_a.sql": okMigration, "0002_b.sql": okMigration}))
	b, _ := Open(mapFS(map[string]string{"0001_a.sql": okMigration + " "}))
	ma, mb := a.Migrations()[0], a.Migrations()[1]
	if !strings.HasPrefix(ma.Checksum(), "h1:") || ma.Checksum() == mb.Checksum() || ma.Checksum() == b.Migrations()[0].Checksum() {
		t.Errorf("checksums %s %s %s: want distinct for different names or bytes", ma.Checksum(), mb.Checksum(), b.Migrations()[0].Checksum())
	}
	again, _ := Open(mapFS(map[string]string{"0001_a.sql": okMigration}))
	if again.Migrations()[0].Checksum() != ma.Checksum() {
		t.Error("checksum not stable")
	}
}
