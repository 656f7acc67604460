//go:build unix

package migrations

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// DirFS returns the directory dir as an fs.FS, like os.DirFS, except that
// Open never blocks: it opens with O_NONBLOCK, so a named pipe (FIFO) put
// where a migration, init.sql or chschema.sum is expected does not wait for
// a writer, and ReadFile then refuses it. Commands read migration
// directories through it.
func DirFS(dir string) fs.FS { return dirFS{dir: dir, fsys: os.DirFS(dir)} }

type dirFS struct {
	dir  string
	fsys fs.FS
}

var (
	_ fs.StatFS     = dirFS{}
	_ fs.ReadDirFS  = dirFS{}
	_ fs.ReadLinkFS = dirFS{}
)

// Open opens name without blocking on a FIFO. Reads of a regular file or a
// directory behave as with os.DirFS (O_NONBLOCK has no effect on them).
func (d dirFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	f, err := os.OpenFile(filepath.Join(d.dir, filepath.FromSlash(name)), os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		if pe, ok := err.(*fs.PathError); ok {
			pe.Path = name
		}
		return nil, err
	}
	return f, nil
}

// Stat stats name, following symlinks, as os.DirFS does.
func (d dirFS) Stat(name string) (fs.FileInfo, error) { return fs.Stat(d.fsys, name) }

// ReadDir lists name, as os.DirFS does.
func (d dirFS) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(d.fsys, name) }

// ReadLink returns a symlink's target, as os.DirFS does.
func (d dirFS) ReadLink(name string) (string, error) { return fs.ReadLink(d.fsys, name) }

// Lstat stats name without following a final symlink, as os.DirFS does.
func (d dirFS) Lstat(name string) (fs.FileInfo, error) { return fs.Lstat(d.fsys, name) }
