// Package plan generates migrations: from the typed changes between two
// schema models to ClickHouse SQL for an up section, and a down section that
// reverses it. It is the declarative half of chschema: `chschema plan`
// turns the difference between the expected schema (what the migrations
// build) and the desired one (a directory of CREATE statements) into the
// next migration.
//
// All SQL the planner writes is written in sql.go, and the ON CLUSTER
// clause of Options.Cluster in cluster.go. Changes ClickHouse
// cannot make in place are never faked: they are a *RecreateError, or, with
// Options.AllowRecreate, an explicit new-table, copy, exchange and drop
// sequence.
package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/chschema/chschema/diff"
	"github.com/chschema/chschema/schema"
)

// ErrRecreate is wrapped by every RecreateError.
var ErrRecreate = errors.New("plan: change needs the table recreated")

// ErrRenameHint is wrapped by errors about --rename hints.
var ErrRenameHint = errors.New("plan: rename hint")

// RecreateError says an object cannot be changed in place, and why. Pass
// Options.AllowRecreate to rebuild it instead.
type RecreateError struct {
	Name    schema.QualifiedName
	Reasons []string
}

// Error explains what cannot be done in place.
func (e *RecreateError) Error() string {
	return fmt.Sprintf("%s cannot be changed in place: %s (ClickHouse has no ALTER for this; rebuild it with --allow-recreate, which copies the rows into a new table and exchanges the two)",
		e.Name, strings.Join(e.Reasons, "; "))
}

// Unwrap returns ErrRecreate.
func (e *RecreateError) Unwrap() error { return ErrRecreate }

// Errors is every error of one planning run, sorted by object name.
type Errors []error

// Error lists the errors, one per line.
func (l Errors) Error() string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// Unwrap returns the errors, for errors.Is and errors.As.
func (l Errors) Unwrap() []error { return l }

// Rename is a --rename hint: the column (or object) From is the one called
// To in the desired schema, not a drop and an add.
type Rename struct {
	// Table restricts a column hint to one table; zero matches any table.
	// For an object hint, Table is the old object and To its new name.
	Table schema.QualifiedName
	From  string
	To    string
}

// ParseRename reads a hint written old=new, table.old=new, db.table.old=new
// (a column), or db.old=db.new (an object, when both sides name a database).
func ParseRename(s string) (Rename, error) {
	l, r, ok := strings.Cut(s, "=")
	if !ok || l == "" || r == "" {
		return Rename{}, fmt.Errorf("%w %q: write old=new, table.old=new, db.table.old=new or db.old=db.new", ErrRenameHint, s)
	}
	lp, rp := strings.Split(l, "."), strings.Split(r, ".")
	for _, p := range append(lp, rp...) {
		if p == "" {
			return Rename{}, fmt.Errorf("%w %q: empty name part", ErrRenameHint, s)
		}
	}
	switch {
	case len(lp) == 2 && len(rp) == 2:
		if lp[0] != rp[0] {
			return Rename{}, fmt.Errorf("%w %q: an object keeps its database", ErrRenameHint, s)
		}
		return Rename{Table: schema.QualifiedName{Database: lp[0], Name: lp[1]}, To: rp[1]}, nil
	case len(rp) != 1 || len(lp) > 3:
		return Rename{}, fmt.Errorf("%w %q: the new name of a column is a bare name", ErrRenameHint, s)
	case len(lp) == 1:
		return Rename{From: lp[0], To: r}, nil
	case len(lp) == 2:
		return Rename{Table: schema.QualifiedName{Name: lp[0]}, From: lp[1], To: r}, nil
	}
	return Rename{Table: schema.QualifiedName{Database: lp[0], Name: lp[1]}, From: lp[2], To: r}, nil
}

// String writes the hint as ParseRename reads it.
func (r Rename) String() string {
	if r.From == "" {
		return r.Table.Database + "." + r.Table.Name + "=" + r.Table.Database + "." + r.To
	}
	var b strings.Builder
	if r.Table.Database != "" {
		b.WriteString(r.Table.Database + ".")
	}
	if r.Table.Name != "" {
		b.WriteString(r.Table.Name + ".")
	}
	return b.String() + r.From + "=" + r.To
}

func (r Rename) isObject() bool { return r.From == "" }

// RenameCandidate is a dropped column and an added one of the same type at
// the same position: likely a rename.
type RenameCandidate struct {
	Table    schema.QualifiedName
	From, To string
	Type     schema.Type
}

// RenameConfirmer decides whether a likely rename is one. The CLI asks on
// a terminal; without a confirmer the planner drops and adds with a
// warning.
type RenameConfirmer interface {
	ConfirmRename(c RenameCandidate) (bool, error)
}

// Options change how Plan plans.
type Options struct {
	// AllowRecreate rebuilds tables that cannot be changed in place: a new
	// table, INSERT SELECT of the rows, EXCHANGE TABLES, DROP of the old.
	AllowRecreate bool
	// Renames are --rename hints.
	Renames []Rename
	// Confirm decides likely renames that no hint covers; nil drops and adds
	// them with a warning.
	Confirm RenameConfirmer
	// Diff are options for the comparison (ignore rules).
	Diff []diff.Option
	// DatabaseVars maps database names to the template variables the
	// migrations name them with (parser.DatabaseVariables): those names
	// are written ${VAR} in the generated SQL, so that the migration
	// follows the variable in every deployment.
	DatabaseVars map[string]string
	// Cluster, when set, writes every statement ON CLUSTER Cluster, for
	// migrations a cluster runs through its distributed DDL queue. A table
	// rebuild (INSERT … SELECT) is then an error wrapping ErrCluster.
	Cluster string
}

// Statement is one statement of a generated section.
type Statement struct {
	// SQL is the statement without its terminating ';'.
	SQL string
	// Comment is printed on the line before the statement, when set.
	Comment string
	// Destructive says the statement loses data or an object.
	Destructive bool
}

// Migration is a generated migration.
type Migration struct {
	Up, Down []Statement
	// Destructive describes every destructive step of the up section.
	Destructive []string
	// Warnings are what the planner decided that a person should review:
	// likely renames planned as drop plus add, unverified objects.
	Warnings []string
	// Renames are the renames the up section makes (hinted or confirmed).
	Renames []Rename
}

// Empty reports whether the two schemas were the same.
func (m *Migration) Empty() bool { return len(m.Up) == 0 }

// Render writes the migration file: "-- +up", the up statements, "-- +down",
// the down statements, each ending with ';'. Destructive statements are
// preceded by a "-- DESTRUCTIVE:" comment.
func (m *Migration) Render() string {
	var b strings.Builder
	b.WriteString("-- +up\n")
	b.WriteString("-- Generated by chschema plan.\n")
	for _, w := range m.Warnings {
		b.WriteString("-- WARNING: " + oneLine(w) + "\n")
	}
	writeStatements(&b, m.Up)
	b.WriteString("\n-- +down\n")
	if len(m.Down) == 0 {
		b.WriteString("-- no-op\n")
	}
	writeStatements(&b, m.Down)
	return b.String()
}

func writeStatements(b *strings.Builder, ss []Statement) {
	for _, s := range ss {
		if s.Comment != "" {
			for _, l := range strings.Split(s.Comment, "\n") {
				b.WriteString("-- " + l + "\n")
			}
		}
		b.WriteString(s.SQL + ";\n")
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }

// Plan returns the migration that turns from into to: an up section with
// the changes, and a down section, planned from to back to from with the
// same renames reversed, that undoes them. It does not modify its
// arguments. Every change that cannot be made in place, and every hint
// that matches nothing, is reported in one Errors value.
func Plan(from, to *schema.Schema, opts Options) (*Migration, error) {
	if from == nil || to == nil {
		return nil, errors.New("plan: Plan: nil schema")
	}
	up, err := planOneWay(from, to, opts, opts.Renames, opts.Confirm)
	if err != nil {
		return nil, err
	}
	rev := make([]Rename, len(up.renames))
	for i, r := range up.renames {
		rev[len(rev)-1-i] = r.reverse()
	}
	// The down section may rebuild a table even without AllowRecreate: an
	// in-place up (appending a sorting key column) can have a reverse that
	// ClickHouse only does by a rebuild. It is said in a warning.
	downOpts := opts
	downOpts.AllowRecreate = true
	down, err := planOneWay(to, from, downOpts, rev, nil)
	if err != nil {
		return nil, fmt.Errorf("plan: the down section: %w", err)
	}
	m := &Migration{Up: up.stmts, Down: down.stmts, Warnings: up.warnings}
	if opts.Cluster != "" {
		if m.Up, err = onCluster(m.Up, opts.Cluster); err != nil {
			return nil, err
		}
		if m.Down, err = onCluster(m.Down, opts.Cluster); err != nil {
			return nil, fmt.Errorf("plan: the down section: %w", err)
		}
	}
	// Variables last: the statements above are read as SQL, and ${VAR} is
	// not SQL.
	for _, ss := range [][]Statement{m.Up, m.Down} {
		for i := range ss {
			ss[i].SQL = templateDatabases(ss[i].SQL, opts.DatabaseVars)
		}
	}
	if !opts.AllowRecreate {
		for _, s := range m.Down {
			if strings.HasPrefix(s.Comment, "RECREATE ") {
				m.Warnings = append(m.Warnings, "the down section rebuilds a table, which ClickHouse cannot revert in place: "+firstLine(s.Comment))
			}
		}
	}
	for _, r := range up.renames {
		m.Renames = append(m.Renames, r.hint())
	}
	for _, s := range m.Up {
		if s.Destructive {
			m.Destructive = append(m.Destructive, destructiveLine(s))
		}
	}
	return m, nil
}

func destructiveLine(s Statement) string {
	line := s.SQL
	if i := strings.IndexByte(line, '\n'); i >= 0 {
		line = line[:i] + " ..."
	}
	if c := firstDestructiveReason(s.Comment); c != "" {
		return line + " (" + c + ")"
	}
	return line
}

func firstDestructiveReason(comment string) string {
	for _, l := range strings.Split(comment, "\n") {
		if r, ok := strings.CutPrefix(l, "DESTRUCTIVE: "); ok {
			return r
		}
	}
	return ""
}

// appliedRename is a rename the up section makes, fully resolved.
type appliedRename struct {
	object   bool
	table    schema.QualifiedName // the table (its new name for a column)
	from, to string
}

func (r appliedRename) reverse() Rename {
	if r.object {
		return Rename{Table: schema.QualifiedName{Database: r.table.Database, Name: r.to}, To: r.from}
	}
	return Rename{Table: r.table, From: r.to, To: r.from}
}

func (r appliedRename) hint() Rename {
	if r.object {
		return Rename{Table: schema.QualifiedName{Database: r.table.Database, Name: r.from}, To: r.to}
	}
	return Rename{Table: r.table, From: r.from, To: r.to}
}

type oneWay struct {
	stmts    []Statement
	warnings []string
	renames  []appliedRename
}

// planOneWay plans from -> to.
func planOneWay(from, to *schema.Schema, opts Options, hints []Rename, confirm RenameConfirmer) (*oneWay, error) {
	cur, err := clone(from)
	if err != nil {
		return nil, err
	}
	out := &oneWay{}
	res := diff.Schemas(cur, to, opts.Diff...)
	var errs Errors
	used := make([]bool, len(hints))

	// Object renames from hints, then column renames, each followed by a
	// new comparison so that the rest of the plan sees the renamed model.
	var renameStmts []Statement
	objRenamed := false
	for i, h := range hints {
		if !h.isObject() {
			continue
		}
		if !droppedObject(res, h.Table) || !addedObject(res, schema.QualifiedName{Database: h.Table.Database, Name: h.To}) {
			continue
		}
		newName := schema.QualifiedName{Database: h.Table.Database, Name: h.To}
		o, _ := cur.Object(h.Table)
		if err := cur.Apply(&schema.RenameObject{From: h.Table, To: newName}); err != nil {
			errs = append(errs, fmt.Errorf("%w %s: %w", ErrRenameHint, h, err))
			continue
		}
		used[i] = true
		objRenamed = true
		renameStmts = append(renameStmts, renameObjectSQL(o.Kind(), h.Table, newName))
		out.renames = append(out.renames, appliedRename{object: true, table: h.Table, from: h.Table.Name, to: h.To})
	}
	if objRenamed {
		res = diff.Schemas(cur, to, opts.Diff...)
	}

	colRenamed := false
	for _, c := range res.Changes {
		mt, ok := c.(*schema.ModifyTable)
		if !ok {
			continue
		}
		ft, okF := objectTable(cur, mt.Name)
		tt, okT := objectTable(to, mt.Name)
		if !okF || !okT {
			continue
		}
		var renames []schema.Change
		for _, p := range columnPairs(mt, ft, tt) {
			cand := RenameCandidate{Table: mt.Name, From: p.from, To: p.to, Type: p.typ}
			accepted := false
			for i, h := range hints {
				if !h.isObject() && h.matches(cand) {
					used[i], accepted = true, true
				}
			}
			if !accepted && p.likely {
				if confirm != nil {
					ok, err := confirm.ConfirmRename(cand)
					if err != nil {
						return nil, err
					}
					accepted = ok
				}
				if !accepted {
					out.warnings = append(out.warnings, fmt.Sprintf("%s: column %s dropped and %s added (same type %s, same position): planned as DROP + ADD, which loses the column's data; if it is a rename, pass --rename %s.%s.%s=%s",
						mt.Name, schema.BackQuote(p.from), schema.BackQuote(p.to), p.typ, mt.Name.Database, mt.Name.Name, p.from, p.to))
				}
			}
			if accepted {
				renames = append(renames, &schema.RenameColumn{From: p.from, To: p.to})
				out.renames = append(out.renames, appliedRename{table: mt.Name, from: p.from, to: p.to})
			}
		}
		if len(renames) == 0 {
			continue
		}
		if err := cur.Apply(&schema.ModifyTable{Name: mt.Name, Changes: renames}); err != nil {
			errs = append(errs, fmt.Errorf("%w: %s: %w", ErrRenameHint, mt.Name, err))
			continue
		}
		colRenamed = true
		renameStmts = append(renameStmts, alterSQL(mt.Name, renameColumnActions(renames)))
	}
	if colRenamed {
		res = diff.Schemas(cur, to, opts.Diff...)
	}
	for i, h := range hints {
		if !used[i] {
			errs = append(errs, fmt.Errorf("%w %s: matches no dropped and added pair", ErrRenameHint, h))
		}
	}
	for _, u := range res.Unverified {
		out.warnings = append(out.warnings, fmt.Sprintf("%s %s not planned: its model is uncertain (%s)", u.Kind, u.Name, u.Reasons[0].Reason))
	}

	g := &generator{from: cur, to: to, opts: opts}
	g.changes(res.Changes)
	errs = append(errs, g.errs...)
	if len(errs) > 0 {
		sort.SliceStable(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
		return nil, errs
	}
	out.stmts = g.ordered(renameStmts)
	return out, nil
}

func (h Rename) matches(c RenameCandidate) bool {
	if h.From != c.From || h.To != c.To {
		return false
	}
	if h.Table.Name != "" && h.Table.Name != c.Table.Name {
		return false
	}
	return h.Table.Database == "" || h.Table.Database == c.Table.Database
}

type columnPair struct {
	from, to string
	typ      schema.Type
	likely   bool
}

// columnPairs returns every dropped/added column pair of a table change
// that a hint may name, with likely set for those of the same type at the
// same position.
func columnPairs(mt *schema.ModifyTable, ft, tt *schema.Table) []columnPair {
	var dropped, added []string
	for _, c := range mt.Changes {
		switch c := c.(type) {
		case *schema.DropColumn:
			dropped = append(dropped, c.Name)
		case *schema.AddColumn:
			added = append(added, c.C.Name)
		}
	}
	var out []columnPair
	taken := map[string]bool{}
	for _, d := range dropped {
		fc, _ := ft.Column(d)
		fi := columnIndex(ft.Columns, d)
		for _, a := range added {
			tc, _ := tt.Column(a)
			same := fc != nil && tc != nil && fc.Type == tc.Type
			likely := same && fi == columnIndex(tt.Columns, a) && !taken[a]
			if likely {
				taken[a] = true
			}
			out = append(out, columnPair{from: d, to: a, typ: fc.Type, likely: likely})
		}
	}
	return out
}

func columnIndex(cs []*schema.Column, name string) int {
	for i, c := range cs {
		if c.Name == name {
			return i
		}
	}
	return -1
}

func objectTable(s *schema.Schema, n schema.QualifiedName) (*schema.Table, bool) {
	d, ok := s.Database(n.Database)
	if !ok {
		return nil, false
	}
	return d.Table(n.Name)
}

func droppedObject(res *diff.Result, n schema.QualifiedName) bool {
	for _, c := range res.Changes {
		if d, ok := c.(*schema.DropObject); ok && d.Name == n {
			return true
		}
	}
	return false
}

func addedObject(res *diff.Result, n schema.QualifiedName) bool {
	for _, c := range res.Changes {
		switch c := c.(type) {
		case *schema.AddTable:
			if c.Name == n {
				return true
			}
		case *schema.AddView:
			if c.Name == n {
				return true
			}
		case *schema.AddDictionary:
			if c.Name == n {
				return true
			}
		}
	}
	return false
}

// clone deep-copies a schema through its JSON encoding, which DecodeJSON
// links back into a pointer graph.
func clone(s *schema.Schema) (*schema.Schema, error) {
	data, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("plan: copy the schema: %w", err)
	}
	c, err := schema.DecodeJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("plan: copy the schema: %w", err)
	}
	return c, nil
}
