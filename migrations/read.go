package migrations

import (
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/chschema/chschema/internal/english"
)

// ErrNotRegular is the sentinel for a path that is not a regular file (after
// following symlinks): a directory, a named pipe, a socket or a device. Such
// a path is never opened for reading, so a FIFO cannot hang a command and a
// link to /dev/zero cannot exhaust its memory.
var ErrNotRegular = errors.New("migrations: not a regular file")

// ReadFile reads the regular file name of fsys, at most limit bytes. It
//
//   - stats name first (fs.Stat follows symlinks) and refuses, with
//     ErrNotRegular, anything that is not a regular file, without opening it;
//   - refuses, with ErrTooLarge, a file whose size is more than limit;
//   - checks the opened file again (its Stat), in case the path was
//     replaced between the two steps;
//   - reads through a reader that stops after limit+1 bytes, so a file that
//     grows, or lies about its size, costs at most that much memory.
//
// With os.DirFS, a path replaced by a FIFO between the stat and the open
// would still block in the open itself; DirFS opens without blocking and
// closes that race. Every error is an *Error naming name, wrapping
// ErrRead, ErrNotRegular or ErrTooLarge.
func ReadFile(fsys fs.FS, name string, limit int64) ([]byte, error) {
	fail := func(sentinel error, format string, args ...any) error {
		return &Error{File: name, Err: sentinel, Msg: fmt.Sprintf(format, args...)}
	}
	fi, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, fail(ErrRead, "cannot read: %v", unwrapPathError(err))
	}
	if !fi.Mode().IsRegular() {
		what := describeMode(fi.Mode())
		if target, err := fs.ReadLink(fsys, name); err == nil {
			what = fmt.Sprintf("a symlink to %s, %s", target, what)
		}
		return nil, fail(ErrNotRegular, "cannot read: %s, not a regular file", what)
	}
	if fi.Size() > limit {
		return nil, fail(ErrTooLarge, "file is %d bytes, more than the %s limit", fi.Size(), sizeText(limit)) // plural-ok: more than the limit
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fail(ErrRead, "cannot read: %v", unwrapPathError(err))
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil {
		return nil, fail(ErrRead, "cannot read: %v", unwrapPathError(err))
	} else if !fi.Mode().IsRegular() {
		return nil, fail(ErrNotRegular, "cannot read: %s, not a regular file", describeMode(fi.Mode()))
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fail(ErrRead, "cannot read: %v", unwrapPathError(err))
	}
	if int64(len(data)) > limit {
		return nil, fail(ErrTooLarge, "file is more than the %s limit", sizeText(limit))
	}
	return data, nil
}

// describeMode names the kind of a file that is not a regular one.
func describeMode(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSymlink != 0:
		return "a symlink"
	case m&fs.ModeIrregular != 0:
		return "an irregular file"
	}
	return "a " + m.Type().String() + " file"
}

func sizeText(limit int64) string {
	if limit%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", limit>>20)
	}
	return english.Plural(int(limit), "byte")
}
