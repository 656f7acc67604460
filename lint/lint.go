// Package lint checks a migrations directory offline: the layout and file
// names, sealed migrations against chschema.sum, sections, template
// variables, SQL syntax and the idempotency of init.sql. It collects every
// finding, each with a file position and a rule name, instead of stopping at
// the first.
package lint

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/chschema/chschema/migrations"
	"github.com/chschema/chschema/parser"
)

// Rule names a check. Rule names are stable: CI configurations and
// suppressions may refer to them.
type Rule string

// The rules.
const (
	RuleUnreadable      Rule = "unreadable-file"
	RuleFileName        Rule = "file-name"
	RuleDuplicateID     Rule = "duplicate-id"
	RuleIDGap           Rule = "id-gap"
	RuleMissingUp       Rule = "missing-up"
	RuleMissingDown     Rule = "missing-down"
	RuleEmptyUp         Rule = "empty-up"
	RuleSectionMarker   Rule = "section-marker"
	RuleSealedEdited    Rule = "sealed-edited"
	RuleSealedRemoved   Rule = "sealed-removed"
	RuleSealedRenamed   Rule = "sealed-renamed"
	RuleSealedReordered Rule = "sealed-reordered"
	RuleInsertedBefore  Rule = "inserted-before-sealed"
	RuleSumFile         Rule = "sum-file"
	RuleUndefinedVar    Rule = "undefined-variable"
	RuleUnsafeVariable  Rule = "unsafe-variable"
	RuleSyntax          Rule = "syntax"
	RuleOfflineGap      Rule = "offline-parser-gap"
	RuleInitIdempotent  Rule = "init-idempotent"
)

// sectionKind says which section is linted.
type sectionKind int

const (
	initSQL sectionKind = iota
	upSection
	downSection
)

// ruleOf maps the migrations package's sentinels to rules.
var ruleOf = []struct {
	sentinel error
	rule     Rule
}{
	{migrations.ErrRead, RuleUnreadable},
	{migrations.ErrNotText, RuleUnreadable},
	{migrations.ErrTooLarge, RuleUnreadable},
	{migrations.ErrNotRegular, RuleUnreadable},
	{migrations.ErrFileName, RuleFileName},
	{migrations.ErrServiceName, RuleFileName},
	{migrations.ErrUnexpectedDir, RuleFileName},
	{migrations.ErrDuplicateID, RuleDuplicateID},
	{migrations.ErrGap, RuleIDGap},
	{migrations.ErrMissingUp, RuleMissingUp},
	{migrations.ErrMissingDown, RuleMissingDown},
	{migrations.ErrMarker, RuleSectionMarker},
	{migrations.ErrOutsideSection, RuleSectionMarker},
	{migrations.ErrUndefinedVar, RuleUndefinedVar},
	{migrations.ErrBadTemplate, RuleUndefinedVar},
	{migrations.ErrUnsafeValue, RuleUnsafeVariable},
	{migrations.ErrSumSyntax, RuleSumFile},
	{migrations.ErrSumHeader, RuleSumFile},
	{migrations.ErrSealedEdited, RuleSealedEdited},
	{migrations.ErrSealedRemoved, RuleSealedRemoved},
	{migrations.ErrSealedRenamed, RuleSealedRenamed},
	{migrations.ErrSealedMoved, RuleSealedReordered},
	{migrations.ErrInsertedBefore, RuleInsertedBefore},
}

// Severity says whether a finding fails lint.
type Severity string

// The severities.
const (
	// Error findings fail lint.
	Error Severity = "error"
	// Warning findings do not fail lint: something that works here but
	// may not in another deployment (a literal database name where a
	// variable names it elsewhere, the cluster rules).
	Warning Severity = "warning"
	// Info findings are notes: what the offline parser could not check.
	Info Severity = "info"
)

// Finding is one problem, at a position in a file of the migrations root.
type Finding struct {
	// File is the path relative to the migrations root.
	File string `json:"file"`
	// Line and Col are 1-based; 0 when the finding is about a whole file.
	Line     int      `json:"line"`
	Col      int      `json:"col"`
	Rule     Rule     `json:"rule"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
}

// Report is the result of a lint run.
type Report struct {
	// Findings are sorted by file, line, column and rule.
	Findings []Finding
}

// Errors counts the findings of severity Error.
func (r *Report) Errors() int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == Error {
			n++
		}
	}
	return n
}

// Warnings counts the findings of severity Warning.
func (r *Report) Warnings() int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == Warning {
			n++
		}
	}
	return n
}

// ServerChecker checks a statement with a server's parser; see
// parser.ServerParser. It returns a *parser.ParseError when the server
// rejects the statement's syntax.
type ServerChecker interface {
	Check(ctx context.Context, stmt parser.Statement) error
}

var _ ServerChecker = (*parser.ServerParser)(nil)

// Options configure a lint run.
type Options struct {
	// Vars are the template variables.
	Vars map[string]string
	// Server, when set, checks every statement that AfterShip's parser
	// does not accept as written: recognised gap forms and statements it
	// rejects. The server's verdict wins.
	Server ServerChecker
	// Base, when set, is the released state (lint --base, --base-sum): a
	// migration sealed there that was edited, removed, renamed or
	// reordered is an error whatever the directory's own chschema.sum
	// says, and so is a new migration at or before its last sealed ID.
	Base *migrations.Base
	// Database is the session database of unqualified names (the DSN's),
	// for the replay rule. When empty, a replay error is reported only if
	// it happens with default and with each database the migrations name.
	Database string
}

// Lint checks the migrations root fsys. It returns an error only when the
// root cannot be read or the server check fails to run; every problem in
// the directory is a Finding.
func Lint(ctx context.Context, fsys fs.FS, opts Options) (*Report, error) {
	d, err := migrations.Open(fsys)
	if d == nil {
		return nil, err
	}
	return lintDir(ctx, d, err, opts)
}

// lintDir lints a loaded directory; openErr is what migrations.Open
// returned with it.
func lintDir(ctx context.Context, d *migrations.Dir, openErr error, opts Options) (*Report, error) {
	l := &linter{ctx: ctx, opts: opts, report: &Report{}}
	l.addMigrationErrors(openErr)
	l.verify(d)
	if d.Init != nil {
		if err := l.section(d.Init, initSQL); err != nil {
			return nil, err
		}
	}
	for _, m := range d.Migrations() {
		if m.Up != nil {
			if err := l.section(m.Up, upSection); err != nil {
				return nil, err
			}
		}
		if m.Down != nil {
			if err := l.section(m.Down, downSection); err != nil {
				return nil, err
			}
		}
	}
	l.replayFindings()
	l.literalDatabaseFindings()
	l.clusterRules(d)
	slices.SortStableFunc(l.report.Findings, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col),
			cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Message, b.Message))
	})
	return l.report, nil
}

type linter struct {
	ctx    context.Context
	opts   Options
	report *Report
	// replaySections are init.sql and the up sections, in replay order.
	replaySections []*replaySection
	// dbNames are the database names, literal and templated, for the
	// literal-database rule.
	dbNames databaseNames
	parsed  map[*migrations.Section][]*clusterStmt // for the cluster rules
}

func (l *linter) add(file string, p migrations.Pos, rule Rule, sev Severity, format string, args ...any) {
	l.report.Findings = append(l.report.Findings, Finding{File: file, Line: p.Line, Col: p.Col, Rule: rule, Severity: sev, Message: fmt.Sprintf(format, args...)})
}

func (l *linter) addMigrationErrors(err error) {
	var list migrations.ErrorList
	if !errors.As(err, &list) {
		if err != nil {
			l.add(".", migrations.Pos{}, RuleUnreadable, Error, "%v", err)
		}
		return
	}
	for _, e := range list {
		rule := RuleUnreadable
		for _, r := range ruleOf {
			if errors.Is(e, r.sentinel) {
				rule = r.rule
				break
			}
		}
		l.add(e.File, e.Pos, rule, Error, "%s", e.Msg)
	}
}

// section renders, splits and parses one section.
func (l *linter) section(sec *migrations.Section, kind sectionKind) error {
	var replayed *replaySection
	if kind != downSection {
		replayed = &replaySection{file: sec.File}
		l.replaySections = append(l.replaySections, replayed)
	}
	rendered, stmts, err := parser.SplitSection(sec, l.opts.Vars)
	var list migrations.ErrorList
	if errors.As(err, &list) {
		l.addMigrationErrors(err)
		if replayed != nil {
			replayed.lost = true
		}
		return nil // the SQL still holds ${…}, or a value would change it: parsing it would only add noise
	}
	pos := func(off int) migrations.Pos { return rendered.FilePos(off) }
	var se *parser.SyntaxError
	if errors.As(err, &se) {
		l.add(sec.File, pos(se.Pos.Offset), RuleSyntax, Error, "%s", se.Msg)
		if replayed != nil {
			replayed.lost = true
		}
	}
	if len(stmts) == 0 && err == nil {
		switch {
		case kind == initSQL:
		case kind == upSection:
			l.add(sec.File, sec.Marker, RuleEmptyUp, Error, "the up section has no SQL statement")
		case !sec.NoOp:
			l.add(sec.File, sec.Marker, RuleMissingDown, Error, "the down section has no SQL statement: write SQL that undoes the up section, or a line %q if there is nothing to undo", migrations.NoOpMarker)
		}
	}
	for _, st := range stmts {
		parsed, err := l.statement(sec, st, pos, kind == initSQL)
		if err != nil {
			return err
		}
		if replayed != nil {
			replayed.stmts = append(replayed.stmts, replayStmt{pos: pos(st.Pos.Offset), text: st.Text, broken: !parsed})
		}
	}
	l.literalDatabases(sec, rendered, stmts)
	return nil
}

// statement checks one statement's syntax (and, in init.sql, its
// idempotency). parsed is false when it reported a syntax error.
func (l *linter) statement(sec *migrations.Section, st parser.Statement, pos func(int) migrations.Pos, isInit bool) (parsed bool, err error) {
	res, parseErr := parser.Parse(st)
	l.remember(sec, st, res, pos)
	if parseErr == nil && !res.Native() && l.opts.Server == nil {
		// The gap layer took out what AfterShip cannot read; the
		// conversion reads those parts, and what it cannot read is an
		// error.
		parseErr = unreadable(st)
	}
	switch {
	case parseErr == nil && res.Native():
	case l.opts.Server != nil:
		err := l.opts.Server.Check(l.ctx, st)
		var pe *parser.ParseError
		switch {
		case errors.As(err, &pe):
			l.add(sec.File, pos(pe.Pos.Offset), RuleSyntax, Error, "%s", pe.Msg)
			return false, nil
		case err != nil:
			return false, fmt.Errorf("%s:%d:%d: %w", sec.File, pos(st.Pos.Offset).Line, pos(st.Pos.Offset).Col, err)
		case parseErr != nil:
			msg := parseErr.Error()
			if errors.As(parseErr, &pe) {
				msg = pe.Msg
			}
			l.add(sec.File, pos(st.Pos.Offset), RuleOfflineGap, Info, "AfterShip's parser rejects this statement (%s) but the server's parser accepts it", msg)
		default:
			l.add(sec.File, pos(res.Workarounds[0].Pos.Offset), RuleOfflineGap, Info, "%s: not supported by AfterShip's parser; the server's parser accepts the statement", constructs(res))
		}
	case parseErr != nil:
		var pe *parser.ParseError
		if errors.As(parseErr, &pe) {
			l.add(sec.File, pos(pe.Pos.Offset), RuleSyntax, Error, "%s", pe.Msg)
		} else {
			l.add(sec.File, pos(st.Pos.Offset), RuleSyntax, Error, "%v", parseErr)
		}
		return false, nil
	default:
		l.add(sec.File, pos(res.Workarounds[0].Pos.Offset), RuleOfflineGap, Info, "%s: valid ClickHouse that AfterShip's parser rejects; read by chschema's gap layer, not fully checked offline (lint --dsn checks it on the server)", constructs(res))
	}
	if isInit {
		if ok, why := parser.Idempotent(st); !ok {
			l.add(sec.File, pos(st.Pos.Offset), RuleInitIdempotent, Error, "%s", why)
		}
	}
	return true, nil
}

// constructs lists the constructs of a parse result's workarounds, once
// each.
func constructs(res *parser.Result) string {
	var names []string
	for _, w := range res.Workarounds {
		if n := string(w.Construct); !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return strings.Join(names, ", ")
}

// unreadable returns, as a *parser.ParseError, the first part of a
// statement that the conversion layer cannot read, or nil.
func unreadable(st parser.Statement) error {
	conv, err := parser.Convert(st.Text, "default")
	if err != nil {
		return err
	}
	for _, u := range conv.Unsupported {
		if u.Unreadable {
			return &parser.ParseError{Pos: st.PosAt(u.Offset), Msg: u.Reason, Stmt: st, Err: parser.ErrSyntax}
		}
	}
	return nil
}
