package apply

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"github.com/chschema/chschema/internal/english"
)

// Statement is one rendered SQL statement of a migration section, with the
// position of its first byte in the migration file.
type Statement struct {
	SQL  string `json:"sql"`
	File string `json:"file"`
	Line int    `json:"line"`
	Col  int    `json:"col"`
}

// Pos renders the statement's position as file:line:col.
func (s Statement) Pos() string { return fmt.Sprintf("%s:%d:%d", s.File, s.Line, s.Col) }

// Hash is a short checksum of the statement's rendered text. It goes into the
// statement's query_id, so a resume can tell whether a completed statement was
// edited since it ran.
func (s Statement) Hash() string {
	h := sha256.Sum256([]byte(s.SQL))
	return hex.EncodeToString(h[:6])
}

// Unit is one migration as the runner sees it: rendered statements, ready to
// execute, and the checksums the history records.
type Unit struct {
	Service string
	Version uint64
	Name    string
	// File names the migration for messages (the up file for pairs).
	File string
	// RawChecksum is the checksum of the raw file bytes, as in the sum file.
	RawChecksum string
	Up          []Statement
	Down        []Statement
	// DownNoOp marks a down section declared empty on purpose (-- no-op).
	DownNoOp bool
}

// Key returns the unit's history key.
func (u *Unit) Key() Key { return Key{u.Service, u.Version} }

// RenderedChecksum is the checksum of the rendered up statements: it changes
// when a template variable's value does.
func (u *Unit) RenderedChecksum() string { return sectionChecksum(u.Up) }

func sectionChecksum(stmts []Statement) string {
	h := sha256.New()
	for _, s := range stmts {
		fmt.Fprintf(h, "%d:%s\n", len(s.SQL), s.SQL)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// StmtError is the failure of one statement of a migration.
type StmtError struct {
	Service string
	Version uint64
	// Index is the statement's 0-based index in its section.
	Index int
	Stmt  Statement
	// Down is true for a statement of a down section.
	Down bool
	// WrittenRows, for a data statement, is how many rows it wrote before
	// it failed: when not 0, the statement is partly done.
	WrittenRows uint64
	Err         error
}

func (e *StmtError) Error() string {
	section := "up"
	if e.Down {
		section = "down"
	}
	msg := fmt.Sprintf("%s: %s/%04d %s statement %d: %v", e.Stmt.Pos(), e.Service, e.Version, section, e.Index+1, e.Err)
	if e.WrittenRows > 0 {
		msg += " (it wrote " + english.Plural(int(e.WrittenRows), "row") + " before it failed: it is partly done)"
	}
	return msg
}

func (e *StmtError) Unwrap() error { return e.Err }
