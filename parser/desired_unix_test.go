//go:build unix

package parser

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chschema/chschema/migrations"
)

// TestDesiredSchemaHostileFiles: a FIFO or a link to /dev/zero named *.sql
// in the schema directory is an error naming it, at once, never read.
func TestDesiredSchemaHostileFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.sql"), []byte("CREATE DATABASE shop;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "b.sql"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "c.sql")); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, _, err := DesiredSchema(migrations.DirFS(dir), DesiredOptions{})
		done <- err
	}()
	select {
	case err := <-done:
		for _, want := range []string{"b.sql: cannot read: a named pipe (FIFO), not a regular file", "c.sql: cannot read: a symlink to /dev/zero, a character device"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("err lacks %q: %v", want, err)
			}
		}
	case <-time.After(10 * time.Second):
		t.Fatal("DesiredSchema blocked on a FIFO")
	}
}
