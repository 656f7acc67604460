package parser

import (
	"errors"

	"github.com/chschema/chschema/schema"
)

// UseDatabase starts a new session, as a new file (section) does: db is
// the current database for the unqualified names of the statements
// replayed next, and the previous session's temporary tables and settings
// (SET) are gone.
func (r *Replayer) UseDatabase(db string) { r.database, r.temporary, r.settings = db, nil, nil }

// StartingSchema is the schema a server holds before any migration runs: its
// default database and the session's database (the DSN's, which the
// deployment created). No migration declared them, so their engine (Atomic
// on most servers, Ordinary on old ones, Overlay on chDB's) and comment are
// unknown and never compared.
func StartingSchema(database string) *schema.Schema {
	s := schema.New()
	s.AddDatabase(ImplicitDatabase("default"))
	if database != "" && database != "default" {
		s.AddDatabase(ImplicitDatabase(database))
	}
	return s
}

// ImplicitDatabase is a database that exists without a statement declaring
// it: its engine and comment are unknown.
func ImplicitDatabase(name string) *schema.Database {
	return &schema.Database{Name: name, CommentUnknown: true}
}

// result sorts the replayed schema and returns it with the findings and
// every error, errs (the caller's, such as unreadable files) and the
// replay's own, sorted by position.
func (r *Replayer) result(errs ReplayErrors) (*schema.Schema, []Finding, error) {
	r.schema.Sort()
	if err := r.Err(); err != nil {
		var list ReplayErrors
		errors.As(err, &list)
		errs = append(errs, list...)
	}
	if len(errs) > 0 {
		sortErrors(errs)
		return r.schema, r.Findings(), errs
	}
	return r.schema, r.Findings(), nil
}
