package parser

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/chschema/chschema/migrations"
	"github.com/chschema/chschema/schema"
)

// MaxDesiredFileSize is the largest file of a desired schema directory that
// DesiredSchema reads; only regular files are read (see migrations.ReadFile).
const MaxDesiredFileSize = 64 << 20

// DesiredOptions select how DesiredSchema reads a schema directory.
type DesiredOptions struct {
	// Database is the session's database for unqualified names, reset at
	// the start of every file; "default" when empty.
	Database string
}

// DesiredSchema reads the desired schema of the declarative workflow: every
// .sql file under fsys (any layout, files in path order), holding plain
// ClickHouse CREATE statements, replayed on an empty server (which holds
// the database default) exactly as ExpectedSchema replays migrations, so
// that both sides are normalised alike. It returns the schema, the
// findings (statements the model cannot follow), and an error listing,
// sorted by file:line:col, every statement the server would refuse. A
// directory without .sql files is an error: it is most likely the wrong
// directory.
func DesiredSchema(fsys fs.FS, opts DesiredOptions) (*schema.Schema, []Finding, error) {
	if fsys == nil {
		return nil, nil, errors.New("parser: DesiredSchema: nil directory")
	}
	if opts.Database == "" {
		opts.Database = "default"
	}
	var files []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != "." && strings.HasPrefix(d.Name(), ".") {
			return fs.SkipDir
		}
		if !d.IsDir() && path.Ext(p) == ".sql" {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("parser: desired schema: %w", err)
	}
	if len(files) == 0 {
		return nil, nil, fmt.Errorf("parser: desired schema: no .sql files: %w", fs.ErrNotExist)
	}
	sort.Strings(files)
	s := schema.New()
	s.AddDatabase(ImplicitDatabase("default"))
	r, err := NewReplayer(s, opts.Database)
	if err != nil {
		return nil, nil, err
	}
	var errs ReplayErrors
	for _, f := range files {
		data, err := migrations.ReadFile(fsys, f, MaxDesiredFileSize)
		if err != nil {
			var e *migrations.Error
			if errors.As(err, &e) {
				err = errors.New(e.Msg)
			}
			errs = append(errs, &ReplayError{Pos: schema.Position{File: f}, Err: err})
			continue
		}
		r.UseDatabase(opts.Database)
		r.ReplayScript(f, string(data))
	}
	return r.result(errs)
}
