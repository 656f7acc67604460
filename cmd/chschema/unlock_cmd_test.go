package main

import (
	"context"
	"strings"
	"testing"

	"github.com/chschema/chschema/apply"
	"github.com/chschema/chschema/internal/chtest"
)

func TestUnlockReleasesAStuckLock(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	lock, err := apply.NewTableLock(db.Conn, db.Name, "chschema_migrations_lock", apply.LockOptions{ID: "crashed-job"})
	if err != nil {
		t.Fatal(err)
	}
	if err := lock.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "unlock", "--dsn", db.DSN)
	if code != exitOK || !strings.Contains(out, "released the lock held by crashed-job") {
		t.Fatalf("unlock: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	var n uint64
	if err := db.Conn.QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = ? AND name = 'chschema_migrations_lock'", db.Name).Scan(&n); err != nil || n != 0 {
		t.Fatalf("lock table still there (%d, %v)", n, err)
	}
	code, out, _ = runCLI(t, "unlock", "--dsn", db.DSN)
	if code != exitOK || out != "no lock was held\n" {
		t.Errorf("second unlock: exit %d, %q", code, out)
	}
	if code, _, errOut := runCLI(t, "unlock"); code != exitError || !strings.Contains(errOut, "--dsn") {
		t.Errorf("unlock without --dsn: exit %d, %q", code, errOut)
	}
}
