package migrations

import (
	"errors"
	"maps"
	"strings"
	"testing"
	"testing/fstest"
)

// TestVerifyBase: against a released state, whatever the directory's own
// sum file says; with the released bytes, an edit is placed at its first
// changed byte, and without them (or when they do not match their seal) at
// line 1.
func TestVerifyBase(t *testing.T) {
	released := sealed(t, baseFiles)
	sum, err := ParseSumFile(released[SumFileName].Data)
	if err != nil {
		t.Fatal(err)
	}
	// The working tree: 0002 edited on its second line, the down file of a
	// pair edited, and its own sum file rewritten to match (hash --force).
	work := mapFS(baseFiles)
	work["s/0002_y.sql"].Data = []byte(strings.Replace(okMigration+"-- y\n", "\n", "\n  ", 1))
	work["s/0001_x.down.sql"].Data = []byte("DROP TABLE IF EXISTS x;\n")
	work = sealed(t, mapOf(work))
	d, err := Open(work)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Verify(); err != nil {
		t.Fatalf("the laundered sum file should pass Verify: %v", err)
	}
	withBytes := d.VerifyBase(&Base{Sum: sum, Files: released, Name: "origin/main"})
	for _, want := range []string{
		"s/0001_x.down.sql:1:12: sealed migration s/0001_x.up.sql + s/0001_x.down.sql was edited after it was released (chschema.sum line 4 at origin/main)",
		"s/0002_y.sql:2:1: sealed migration s/0002_y.sql was edited after it was released (chschema.sum line 5 at origin/main)",
	} {
		if withBytes == nil || !strings.Contains(withBytes.Error(), want) {
			t.Errorf("with the released bytes: %v\nwant %q", withBytes, want)
		}
	}
	hashesOnly := d.VerifyBase(&Base{Sum: sum, Name: "released.sum"})
	if !errors.Is(hashesOnly, ErrSealedEdited) || !strings.Contains(hashesOnly.Error(), "s/0002_y.sql:1:1: sealed migration s/0002_y.sql was edited after it was released (chschema.sum line 5 at released.sum)") {
		t.Errorf("hashes only: %v", hashesOnly)
	}
	// Released bytes that do not match their own seal are not trusted.
	tampered := maps.Clone(released)
	tampered["s/0002_y.sql"] = &fstest.MapFile{Data: []byte("something else\n")}
	if err := d.VerifyBase(&Base{Sum: sum, Files: tampered, Name: "x"}); err == nil || !strings.Contains(err.Error(), "s/0002_y.sql:1:1: ") {
		t.Errorf("with mismatched released bytes: %v", err)
	}
	if err := d.VerifyBase(&Base{Name: "empty"}); err != nil {
		t.Errorf("a base with no sum file: %v", err)
	}
}

func mapOf(f fstest.MapFS) map[string]string {
	out := map[string]string{}
	for k, v := range f {
		out[k] = string(v.Data)
	}
	return out
}
