//go:build unix

package migrations

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"
)

// hostileRoot is a migrations root holding, beside one good migration, every
// kind of path that is not a regular file, each named like a file chschema
// reads.
func hostileRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Mkdir(filepath.Join(root, "s"), 0o755))
	must(os.WriteFile(filepath.Join(root, "s", "0001_a.sql"), []byte(okMigration), 0o644))
	must(os.Symlink("/dev/zero", filepath.Join(root, "s", "0002_b.sql")))
	must(os.Symlink("/dev/urandom", filepath.Join(root, "0001_root.sql")))
	must(syscall.Mkfifo(filepath.Join(root, "init.sql"), 0o644))
	must(syscall.Mkfifo(filepath.Join(root, "chschema.sum"), 0o644))
	must(syscall.Mkfifo(filepath.Join(root, "s", "0003_c.sql"), 0o644))
	l, err := net.Listen("unix", filepath.Join(root, "s", "0004_d.sql"))
	must(err)
	t.Cleanup(func() { l.Close() })
	must(os.Mkdir(filepath.Join(root, "elsewhere"), 0o755))
	must(os.Symlink(filepath.Join(root, "elsewhere"), filepath.Join(root, "s", "0005_e.sql")))
	return root
}

// TestOpenHostileFiles: no path that is not a regular file is read. Open
// returns at once (a FIFO would hang it, /dev/zero would exhaust memory) with
// one error per path, and the good migration is loaded.
func TestOpenHostileFiles(t *testing.T) {
	root := hostileRoot(t)
	done := make(chan struct{})
	var d *Dir
	var err error
	go func() {
		defer close(done)
		d, err = Open(DirFS(root))
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Open blocked on a hostile path")
	}
	for _, want := range []string{
		"0001_root.sql: cannot read: a symlink to /dev/urandom, a character device, not a regular file",
		"chschema.sum: cannot read: a named pipe (FIFO), not a regular file",
		"init.sql: cannot read: a named pipe (FIFO), not a regular file",
		"s/0002_b.sql: cannot read: a symlink to /dev/zero, a character device, not a regular file",
		"s/0003_c.sql: cannot read: a named pipe (FIFO), not a regular file",
		"s/0004_d.sql: cannot read: a socket, not a regular file",
		"s/0005_e.sql: s/0005_e.sql is a directory named like a migration file",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err lacks %q:\n%v", want, err)
		}
	}
	if !errors.Is(err, ErrNotRegular) {
		t.Errorf("err does not wrap ErrNotRegular: %v", err)
	}
	if s, ok := d.Service("s"); !ok || len(s.Migrations) != 1 || s.Migrations[0].Name != "a" {
		t.Errorf("the regular migration was not loaded: %+v", s)
	}
}

// TestOpenDirectoriesNamedLikeRootFiles: a directory named init.sql or
// chschema.sum is not a service.
func TestOpenDirectoriesNamedLikeRootFiles(t *testing.T) {
	d, err := Open(fstest.MapFS{
		"init.sql/x":     &fstest.MapFile{Data: []byte("x")},
		"chschema.sum/y": &fstest.MapFile{Data: []byte("y")},
		"0001_a.sql":     &fstest.MapFile{Data: []byte(okMigration)},
	})
	if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "init.sql: cannot read: a directory") || !strings.Contains(err.Error(), "chschema.sum: cannot read: a directory") {
		t.Fatalf("err = %v", err)
	}
	if len(d.Services) != 1 || d.Services[0].Name != DefaultService {
		t.Errorf("services = %v, want only the root sequence", d.Services)
	}
}

// lyingFS reports every path as a small regular file, whatever it is, the way
// a path replaced between the stat and the open would look.
type lyingFS struct{ fs.FS }

func (l lyingFS) Stat(name string) (fs.FileInfo, error) {
	return fstest.MapFS{name: &fstest.MapFile{Data: []byte("x")}}.Stat(name)
}

// TestReadFileRace: when the path's stat says "regular file" but the opened
// file is a FIFO (it was swapped in between), DirFS's open does not block
// and ReadFile refuses the FIFO by the opened file's own stat.
func TestReadFileRace(t *testing.T) {
	root := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(root, "init.sql"), 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := ReadFile(lyingFS{DirFS(root)}, "init.sql", MaxFileSize)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "init.sql: cannot read: a named pipe (FIFO)") {
			t.Errorf("err = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ReadFile blocked on a FIFO")
	}
}

// endlessFS serves one file whose stat says it is small but whose reads
// never end, as a file that grows while it is read would.
type endlessFS struct{}

type endlessFile struct{}

func (endlessFS) Open(string) (fs.File, error)     { return endlessFile{}, nil }
func (endlessFile) Stat() (fs.FileInfo, error)     { return lyingFS{}.Stat("f.sql") }
func (endlessFile) Close() error                   { return nil }
func (endlessFile) Read(p []byte) (int, error)     { clear(p); return len(p), nil }
func (endlessFS) Stat(string) (fs.FileInfo, error) { return lyingFS{}.Stat("f.sql") }

// TestReadFileStopsAtTheLimit: ReadFile reads at most limit+1 bytes, whatever
// the stat said.
func TestReadFileStopsAtTheLimit(t *testing.T) {
	_, err := ReadFile(endlessFS{}, "f.sql", 1<<20)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "f.sql: file is more than the 1 MiB limit") {
		t.Errorf("err = %v", err)
	}
	data, err := ReadFile(fstest.MapFS{"f.sql": &fstest.MapFile{Data: []byte("SELECT 1;")}}, "f.sql", 9)
	if err != nil || string(data) != "SELECT 1;" {
		t.Errorf("a file of exactly the limit: %q, %v", data, err)
	}
}
