//go:build !unix

package migrations

import (
	"io/fs"
	"os"
)

// DirFS returns the directory dir as an fs.FS: os.DirFS on systems without
// named pipes in the file system.
func DirFS(dir string) fs.FS { return os.DirFS(dir) }
