package apply

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/chschema/chschema/migrations"
)

func TestUnitsRenderAndReportAllErrors(t *testing.T) {
	fsys := fstest.MapFS{
		"init.sql":               {Data: []byte("CREATE DATABASE IF NOT EXISTS ${DB};\n")},
		"xapi/0001_a.sql":        {Data: []byte("-- +up\nCREATE TABLE ${DB}.a (x UInt8) ENGINE = Log;\nSELECT ';' ;\n-- +down\n-- no-op\n")},
		"xapi/0002_b.sql":        {Data: []byte("-- +up\nCREATE TABLE ${MISSING}.b (x UInt8) ENGINE = Log;\n-- +down\nDROP TABLE ${OTHER}.b;\n")},
		"vector/0001_c.up.sql":   {Data: []byte("SELECT 'unterminated;\n")},
		"vector/0001_c.down.sql": {Data: []byte("SELECT 1;\n")},
	}
	d, err := migrations.Open(fsys)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = Units(d, map[string]string{"DB": "xapi"})
	if err == nil {
		t.Fatal("no error for undefined variables and an unterminated string")
	}
	got := err.Error()
	want := []string{"vector/0001_c.up.sql:1:8", "xapi/0002_b.sql:2:14", "xapi/0002_b.sql:4:12"}
	last := -1
	for _, w := range want {
		i := strings.Index(got, w)
		if i < 0 || i < last {
			t.Fatalf("errors %q: want %v in that order", got, want)
		}
		last = i
	}

	delete(fsys, "xapi/0002_b.sql")
	delete(fsys, "vector/0001_c.up.sql")
	delete(fsys, "vector/0001_c.down.sql")
	d, _ = migrations.Open(fsys)
	units, init, err := Units(d, map[string]string{"DB": "xapi"})
	if err != nil {
		t.Fatal(err)
	}
	if len(init) != 1 || init[0].SQL != "CREATE DATABASE IF NOT EXISTS xapi" {
		t.Errorf("init = %+v", init)
	}
	u := units[0]
	if len(u.Up) != 2 || u.Up[0].SQL != "CREATE TABLE xapi.a (x UInt8) ENGINE = Log" || u.Up[1].Line != 3 || u.Up[1].SQL != "SELECT ';'" || !u.DownNoOp {
		t.Errorf("unit = %+v", u)
	}
}
