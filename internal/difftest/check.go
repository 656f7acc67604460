package difftest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/chschema/chschema/apply"
	"github.com/chschema/chschema/diff"
	"github.com/chschema/chschema/drift"
	"github.com/chschema/chschema/internal/english"
	"github.com/chschema/chschema/lint"
	"github.com/chschema/chschema/migrations"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// ModelOpts compares models field by field, skipping back-pointers and
// bookkeeping the server does not report (the oracle test's options).
var ModelOpts = cmp.Options{
	cmpopts.IgnoreFields(schema.Database{}, "Schema", "Detached", "Uncertain"),
	cmpopts.IgnoreFields(schema.Table{}, "Database", "Uncertain"),
	cmpopts.IgnoreFields(schema.View{}, "Database", "Uncertain"),
	cmpopts.IgnoreFields(schema.Dictionary{}, "Database", "Uncertain"),
	cmpopts.IgnoreFields(schema.Function{}, "Schema"),
	cmpopts.EquateEmpty(),
}

// check writes c as migration files and compares, the way `chschema diff`
// does, the expected schema built from them with the live one in sb.
func (r *Runner) check(ctx context.Context, sb *sandbox, c *Case) *Result {
	res := &Result{Case: c, Files: map[string]string{}}
	fsys, placed := Layout(c.Seed, c.SQL())
	res.Placed = placed
	for name, f := range fsys {
		res.Files[name] = string(f.Data)
	}
	vars := map[string]string{"db": sb.db, "fn": sb.fn}

	// Lint, offline: SQL the server ran is never a syntax error.
	guard(res, "lint", func() {
		rep, err := lint.Lint(ctx, fsys, lint.Options{Vars: vars})
		if err != nil {
			res.Failures = append(res.Failures, Failure{Kind: KindModelError, Detail: "lint: " + err.Error()})
			return
		}
		for _, f := range rep.Findings {
			if f.Severity == lint.Error {
				res.Failures = append(res.Failures, Failure{Kind: KindLintRejects,
					Detail: fmt.Sprintf("%s:%d:%d: %s: %s", f.File, f.Line, f.Col, f.Rule, f.Message),
					Stmt:   stmtAt(c, placed, f.File, f.Line, f.Col)})
			}
		}
	})

	// The expected schema, as `chschema diff` builds it with no history:
	// the server ran every statement, so what the model cannot replay is
	// its own failure (a finding with Refused), not the user's.
	var expected *schema.Schema
	var findings []parser.Finding
	var units []*apply.Unit
	var init []apply.Statement
	guard(res, "expected schema", func() {
		dir, err := migrations.Open(fsys)
		if err != nil {
			res.Failures = append(res.Failures, Failure{Kind: KindModelError, Detail: "migrations: " + err.Error()})
			return
		}
		units, init, err = apply.Units(dir, vars)
		if err != nil {
			res.Failures = append(res.Failures, Failure{Kind: KindModelError, Detail: "units: " + err.Error()})
			return
		}
		expected, findings, err = apply.ReplayApplied(apply.AppliedState{Init: init, Applied: units}, sb.db)
		if err != nil {
			var list parser.ReplayErrors
			if errors.As(err, &list) {
				for _, e := range list {
					res.Failures = append(res.Failures, Failure{Kind: KindModelError, Detail: e.Error(),
						Stmt: stmtAt(c, placed, e.Pos.File, e.Pos.Line, e.Pos.Col)})
				}
			} else {
				res.Failures = append(res.Failures, Failure{Kind: KindModelError, Detail: err.Error()})
			}
			expected = nil
			return
		}
		expected.Sort()
	})
	res.findings = findings
	for _, f := range findings {
		res.Findings = append(res.Findings, f.String())
		if f.Refused != nil {
			// Reported uncertain, so no false drift; but the model refused
			// what the server ran: a defect all the same.
			res.Failures = append(res.Failures, Failure{Kind: KindModelError, Detail: f.Pos.String() + ": " + f.Refused.Error(),
				Stmt: stmtAt(c, placed, f.Pos.File, f.Pos.Line, f.Pos.Col)})
		}
	}
	if expected == nil {
		return res
	}
	// The databases diff reads: those the expected schema manages, and
	// every one a migration touches at any version.
	footprint := apply.MigrationsFootprint(init, units, sb.db)
	managed := drift.ManagedDatabases(expected, sb.db, nil)
	dbs := footprint.Read(managed)
	expected.KeepDatabases(dbs)

	live, notes, err := r.readLive(ctx, sb, dbs, expected)
	if err != nil {
		if ctx.Err() != nil {
			res.err = ctx.Err()
			return res
		}
		res.Failures = append(res.Failures, Failure{Kind: KindLiveError, Detail: err.Error()})
		return res
	}
	footprint.Narrow(expected, live, managed)
	res.footprint, res.managed, res.notes = footprint, managed, notes

	// The offline comparison (lint, schema, check and plan have no server
	// to canonicalise with): the model must equal the server on its own.
	// Only the values the server evaluates (a dictionary source's
	// tcpPort()) are left out, as diff --offline-from leaves them.
	offline, err := cloneSchema(expected)
	if err != nil {
		res.Failures = append(res.Failures, Failure{Kind: KindModelError, Detail: err.Error()})
		return res
	}
	drift.MarkServerEvaluated(offline)
	res.expected, res.live, res.dbs = expected, live, dbs
	expected = offline
	var rep *drift.Report
	guard(res, "diff", func() { rep = drift.Diff(expected, live, notes, nil, dbs) })
	if rep == nil {
		return res
	}
	reported := map[string]bool{} // db.object with a change
	for _, e := range pairEntries(diff.Entries(rep.Result)) {
		if e.Action == "unverified" {
			continue
		}
		reported[e.Database+"."+e.Object] = true
		kind := KindFalseDrift
		if e.Action == "added" || (e.Action == "modified" && e.From == "" && e.To != "") {
			kind = KindSilentDrop
		}
		detail := e.Kind + " " + e.Action
		if e.Subject != "" {
			detail += ", " + e.Subject
		}
		if e.Detail != "" {
			detail += " (" + e.Detail + ")"
		}
		if e.From != "" {
			detail += "\n    - " + e.From
		}
		if e.To != "" {
			detail += "\n    + " + e.To
		}
		res.Failures = append(res.Failures, Failure{Kind: kind, Object: e.Name(), Detail: detail})
	}
	res.Unverified = len(rep.Unverified)
	for _, u := range rep.Unverified {
		if len(u.Reasons) > 0 {
			res.Why = append(res.Why, reasonKind(u.Reasons[0].Reason))
		}
	}

	r.serverTruth(ctx, sb, res, expected, dbs)
	positions(res, expected, fsys)
	compareFields(res, expected, live, reported)
	return res
}

// readLive reads the live schema of dbs the way diff does; only the case's
// SQL functions are kept (other tests' share the server).
func (r *Runner) readLive(ctx context.Context, sb *sandbox, dbs []string, expected *schema.Schema) (*schema.Schema, []schema.Note, error) {
	live, notes, err := schema.ReadLive(ctx, sb.conn, schema.LiveOptions{Databases: dbs, Parser: parser.CreateReader{},
		NoFunctions: len(expected.Functions) == 0})
	if err != nil {
		return nil, nil, err
	}
	live.Functions = slices.DeleteFunc(live.Functions, func(f *schema.Function) bool { return !strings.HasPrefix(f.Name, sb.fn) })
	return live, notes, nil
}

// cloneSchema is a deep copy of s.
func cloneSchema(s *schema.Schema) (*schema.Schema, error) {
	data, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("difftest: copy the schema: %w", err)
	}
	return schema.DecodeJSON(bytes.NewReader(data))
}

// pairEntries joins an entry with only a From side and one with only a To
// side about the same part of the same object (a constraint or index the
// diff sees as dropped and added) into one entry with both sides.
func pairEntries(es []diff.Entry) []diff.Entry {
	var out []diff.Entry
	used := make([]bool, len(es))
	for i, a := range es {
		if used[i] {
			continue
		}
		if a.From != "" && a.To == "" && a.Subject != "" {
			for j := i + 1; j < len(es); j++ {
				b := es[j]
				if !used[j] && b.From == "" && b.To != "" && b.Database == a.Database && b.Object == a.Object && b.Subject == a.Subject {
					a.To, a.Action, used[j] = b.To, "modified", true
					break
				}
			}
		}
		out = append(out, a)
	}
	return out
}

// stmtAt is the statement of c at or before file:line:col.
func stmtAt(c *Case, placed []Placed, file string, line, col int) string {
	best := -1
	for i, p := range placed {
		if p.File == file && (p.Line < line || p.Line == line && p.Col <= col) {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	return c.Stmts[best].SQL
}

// serverTruth checks, from the server's own tables rather than the live
// reader, that no database or function the case made is missing from the
// comparison: a database the model never learned of is never read.
func (r *Runner) serverTruth(ctx context.Context, sb *sandbox, res *Result, expected *schema.Schema, dbs []string) {
	rows, err := sb.conn.Query(ctx, "SELECT name FROM system.databases WHERE startsWith(name, ?) ORDER BY name", sb.db)
	if err == nil {
		for rows.Next() {
			var n string
			if rows.Scan(&n) != nil {
				continue
			}
			var objects uint64
			_ = sb.conn.QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = ?", n).Scan(&objects)
			if !slices.Contains(dbs, n) && (n != sb.db || objects > 0) {
				res.Failures = append(res.Failures, Failure{Kind: KindSilentDrop, Object: schema.QuoteIdent(n),
					Detail: "database with " + english.Plural(int(objects), "object") + " on the server, never compared (not in the expected schema)"})
			}
		}
		rows.Close()
	}
	rows, err = sb.conn.Query(ctx, "SELECT name FROM system.functions WHERE origin = 'SQLUserDefined' AND startsWith(name, ?)", sb.fn)
	if err == nil {
		for rows.Next() {
			var n string
			if rows.Scan(&n) != nil {
				continue
			}
			if _, ok := expected.Function(n); !ok && !findingAbout(res, n, sb) {
				res.Failures = append(res.Failures, Failure{Kind: KindSilentDrop, Object: n,
					Detail: "SQL function on the server, not in the expected schema (diff never reports a function only the server has)"})
			}
		}
		rows.Close()
	}
}

// findingAbout reports whether the model said, with a finding at its
// position, that it could not follow a statement naming the function fn
// (functions have no uncertainty of their own: the finding is the report).
func findingAbout(res *Result, fn string, sb *sandbox) bool {
	for _, f := range res.findings {
		sql := stmtAt(res.Case, res.Placed, f.Pos.File, f.Pos.Line, f.Pos.Col)
		if sql != "" && strings.Contains(Substitute(sql, sb.db, sb.fn), fn) {
			return true
		}
	}
	return false
}

// positions checks that every uncertainty the model reports points into the
// migration files: a file of the case, a line and column inside it.
func positions(res *Result, s *schema.Schema, fsys fstest.MapFS) {
	check := func(what string, us []schema.Uncertainty) {
		for _, u := range us {
			f, ok := fsys[u.Pos.File]
			lines := 0
			if ok {
				lines = strings.Count(string(f.Data), "\n") + 1
			}
			if !ok || u.Pos.Line < 1 || u.Pos.Line > lines || u.Pos.Col < 1 {
				res.Failures = append(res.Failures, Failure{Kind: KindBadPosition, Object: what,
					Detail: fmt.Sprintf("uncertain at %q, which is no place in the migration files: %s", u.Pos.String(), u.Reason)})
			}
		}
	}
	for _, d := range s.Databases {
		check(schema.QuoteIdent(d.Name), d.Uncertain)
		for _, o := range objectsOf(d) {
			check(o.ObjectName().String(), o.Uncertainties())
		}
	}
}

// compareFields compares the objects both sides know, field by field, and
// reports the differences the diff did not: a normalisation can make two
// different values compare equal.
func compareFields(res *Result, want, got *schema.Schema, reported map[string]bool) {
	for _, wd := range want.Databases {
		gd, ok := got.Database(wd.Name)
		if !ok {
			continue
		}
		if len(wd.Uncertain) > 0 || len(gd.Uncertain) > 0 {
			continue
		}
		// An engine nobody declared is unknown to the model (the server's
		// default_database_engine decides), and not compared.
		if d := cmp.Diff(wd.Engine, gd.Engine, ModelOpts); d != "" && wd.Engine.Name != "" && !reported[wd.Name+"."] {
			res.Failures = append(res.Failures, Failure{Kind: KindFieldMismatch, Object: schema.QuoteIdent(wd.Name), Detail: "database engine (-offline +server):\n" + d})
		}
		for _, wo := range objectsOf(wd) {
			key := wd.Name + "." + wo.ObjectName().Name
			go_, ok := gd.Object(wo.ObjectName().Name)
			if !ok {
				continue
			}
			if len(wo.Uncertainties()) > 0 {
				continue
			}
			if us := go_.Uncertainties(); len(us) > 0 && us[0].Reason == schema.NoDefinition {
				// The server cannot print what it stored (a server defect):
				// nothing to compare, on either side.
				continue
			}
			if len(go_.Uncertainties()) > 0 {
				res.Failures = append(res.Failures, Failure{Kind: KindLiveUnreadable, Object: wo.ObjectName().String(),
					Detail: "the live reader marks it uncertain: " + go_.Uncertainties()[0].Reason})
				continue
			}
			res.Verified++
			res.checked = append(res.checked, checkedObject{db: wd.Name, name: wo.ObjectName().Name, kind: wo.Kind().String()})
			if reported[key] {
				continue
			}
			var d string
			switch w := wo.(type) {
			case *schema.View:
				g, _ := go_.(*schema.View)
				if g == nil {
					continue
				}
				gc := *g
				if w.Columns == nil {
					gc.Columns = nil
				}
				d = cmp.Diff(w, &gc, ModelOpts)
			default:
				d = cmp.Diff(wo, go_, ModelOpts)
			}
			if d != "" {
				res.Failures = append(res.Failures, Failure{Kind: KindFieldMismatch, Object: wo.ObjectName().String(),
					Detail: "equal for diff, different field by field (-offline +server):\n" + d})
			}
		}
	}
}

func objectsOf(d *schema.Database) []schema.Object {
	var out []schema.Object
	for _, t := range d.Tables {
		out = append(out, t)
	}
	for _, v := range d.Views {
		out = append(out, v)
	}
	for _, x := range d.Dictionaries {
		out = append(out, x)
	}
	return out
}
