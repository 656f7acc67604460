package lint

import (
	"context"
	"slices"
	"testing"
	"testing/fstest"
)

// TestSealBlockers: the findings that forbid sealing are the errors in the
// migrations hash would seal anew; a migration sealed before with what lint
// now rejects is not judged again, and neither is init.sql.
func TestSealBlockers(t *testing.T) {
	fsys := mapFS(map[string]string{
		"s/0001_a.sql": mig("CREAT TABLE t (x Int8) ENGINE = Log;", "-- no-op"), // sealed as it is
	})
	seal(t, fsys) // by hand: hash would refuse it
	fsys["init.sql"] = &fstest.MapFile{Data: []byte("CREATE ROLE r;\n")}
	fsys["s/0002_b.sql"] = &fstest.MapFile{Data: []byte(mig("SELECT 1;", "-- no-op"))}
	r, err := SealBlockers(context.Background(), fsys, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) != 0 {
		t.Errorf("blockers = %+v, want none", r.Findings)
	}
	full, _ := Lint(context.Background(), fsys, Options{})
	if full.Errors() != 2 {
		t.Errorf("lint errors = %v, want the sealed syntax error and init.sql's", errorsOf(full))
	}

	fsys["s/0003_c.sql"] = &fstest.MapFile{Data: []byte("-- +up\n-- Write the migration's SQL here.\n-- +down\n-- Write SQL that undoes the up section.\n")}
	r, err = SealBlockers(context.Background(), fsys, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := errorsOf(r); !slices.Equal(got, []string{"empty-up s/0003_c.sql:1:1", "missing-down s/0003_c.sql:3:1"}) {
		t.Errorf("blockers = %q", got)
	}
}
