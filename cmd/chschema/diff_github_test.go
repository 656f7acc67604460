package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chschema/chschema/internal/chtest"
)

// TestDiffGitHubPlacesDrift checks that each drift annotation of `diff
// --format github` names the migration statement that last touched the
// object: the ALTER that last changed a table, the DROP of a table found on
// the server again, the CREATE DATABASE of a database that is gone; and
// that drift on an object no migration names has no file. The JSON entries
// carry the same positions.
func TestDiffGitHubPlacesDrift(t *testing.T) {
	db := chtest.New(t)
	bin := sharedBinary(t)
	other := db.Name + "_gone"
	root := t.TempDir()
	dir := filepath.Join(root, "migrations")
	files := map[string]string{
		"init.sql": "CREATE DATABASE IF NOT EXISTS " + other + ";\n",
		"svc/0001_create.sql": `-- +up
CREATE TABLE t (x UInt64) ENGINE = MergeTree ORDER BY x;
CREATE TABLE u (x UInt64) ENGINE = Memory;
-- +down
DROP TABLE u;
DROP TABLE t;
`,
		"svc/0002_alter.sql": `-- +up
SELECT 1;
  ALTER TABLE t ADD COLUMN y String;
-- +down
ALTER TABLE t DROP COLUMN y;
`,
		"svc/0003_drop.sql": `-- +up
DROP TABLE u;
-- +down
CREATE TABLE u (x UInt64) ENGINE = Memory;
`,
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { _ = db.Conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+other) })
	if r := runBinary(t, bin, root, nil, "migrate", "--dir", "migrations", "--dsn", db.DSN); r.code != 0 {
		t.Fatalf("migrate: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	ctx := context.Background()
	for _, q := range []string{
		"ALTER TABLE t DROP COLUMN y",
		"CREATE TABLE u (x UInt64) ENGINE = Memory",
		"CREATE TABLE adhoc (x UInt8) ENGINE = Memory",
		"DROP DATABASE " + other,
	} {
		if err := db.Conn.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	r := runBinary(t, bin, root, nil, "diff", "--dir", "migrations", "--dsn", db.DSN, "--no-cache", "--format", "github")
	if r.code != 1 {
		t.Fatalf("diff: exit %d, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"::error file=migrations/init.sql,line=1,col=1,title=drift::database " + other + " dropped",
		fmt.Sprintf("::error title=drift::table %s.adhoc added", db.Name),
		fmt.Sprintf("::error file=migrations/svc/0002_alter.sql,line=3,col=3,title=drift::table %s.t modified: column `y`", db.Name),
		fmt.Sprintf("::error file=migrations/svc/0003_drop.sql,line=2,col=1,title=drift::table %s.u added", db.Name),
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("diff --format github lacks %q:\n%s", want, r.stdout)
		}
	}
	r = runBinary(t, bin, root, nil, "diff", "--dir", "migrations", "--dsn", db.DSN, "--no-cache", "--format", "json")
	var doc struct {
		Changes []struct {
			Object string
			Pos    *struct {
				File      string
				Line, Col int
			}
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("diff --format json: %v\n%s", err, r.stdout)
	}
	found := false
	for _, c := range doc.Changes {
		if c.Object == "t" {
			found = true
			if c.Pos == nil || c.Pos.File != filepath.Join(dir, "svc", "0002_alter.sql") || c.Pos.Line != 3 || c.Pos.Col != 3 {
				t.Errorf("diff --format json: the change of t has pos %+v, want %s:3:3", c.Pos, filepath.Join(dir, "svc", "0002_alter.sql"))
			}
		}
	}
	if !found {
		t.Errorf("diff --format json has no change of t:\n%s", r.stdout)
	}
}
