package chschema

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/chschema/chschema/apply"
	"github.com/chschema/chschema/diff"
	"github.com/chschema/chschema/lint"
	"github.com/chschema/chschema/migrations"
)

// IgnoreFile is the ignore file's name in the migrations root: one pattern
// per line, as WithIgnore takes them; # starts a comment.
const IgnoreFile = "chschema.ignore"

// Project is a migrations directory, loaded, rendered with its template
// variables and verified: the migrations root with one subdirectory per
// service, its init.sql, its sum file and its ignore file. Its methods are
// the operations of the chschema command. A Project is not changed by its
// methods (New and Hash write files, which a new Open reads) and may be
// used from several goroutines.
type Project struct {
	// path is the directory Open was given; "" for OpenFS.
	path string
	fsys fs.FS
	cfg  projectConfig

	dir *migrations.Dir
	// structural are the directory's problems (names, sections, unreadable
	// files), without the sum file's when the sum check is off.
	structural migrations.ErrorList
	// sumFile are chschema.sum's own problems (malformed, bad header).
	sumFile migrations.ErrorList
	// render are the problems of rendering the migrations (undefined
	// variables, unterminated strings), found only without structural ones.
	render error
	seal   *SealError
	ignore *diff.Ignore
	// ignoreErr is an invalid ignore pattern.
	ignoreErr error
	// err is what Open returned: every problem above.
	err error

	units []*apply.Unit
	init  []apply.Statement
}

// Open loads the migrations root dir. It reads every file, renders the
// migrations with the template variables (WithVars), verifies chschema.sum
// (unless WithoutSumCheck) and reads chschema.ignore, and reports every
// problem it finds, not only the first:
//
//   - a migrations.ErrorList, sorted, each entry at its file:line:col, for
//     the directory's structure (file names, IDs, sections, unreadable
//     files) and for rendering (undefined template variables);
//   - a *SealError when sealed migrations were edited, removed, renamed or
//     reordered, or chschema.sum is malformed;
//   - a diff.PatternErrors for invalid ignore patterns.
//
// Several kinds are joined (errors.Join); errors.As finds each.
//
// When the root can be read but has such problems, Open returns them
// together with a Project on which Lint, New and Hash still work (they are
// how the problems get fixed); its other methods return the same error.
// Open returns a nil Project when the root cannot be read or an option is
// invalid.
func Open(dir string, opts ...Option) (*Project, error) {
	if dir == "" {
		return nil, errors.New("chschema: Open: empty directory name")
	}
	return open(migrations.DirFS(dir), dir, opts)
}

// OpenFS is Open on a file system, for example an embed.FS or a
// fstest.MapFS. Positions in errors and results are relative to its root.
// New and Hash need a directory on disk, and fail on such a Project.
func OpenFS(fsys fs.FS, opts ...Option) (*Project, error) {
	if fsys == nil {
		return nil, errors.New("chschema: OpenFS: nil fs.FS")
	}
	return open(fsys, "", opts)
}

func open(fsys fs.FS, path string, opts []Option) (*Project, error) {
	cfg, err := newProjectConfig(opts)
	if err != nil {
		return nil, err
	}
	p := &Project{path: path, fsys: fsys, cfg: cfg}
	d, err := migrations.Open(fsys)
	if d == nil {
		var pe *fs.PathError
		if path != "" && errors.As(err, &pe) && pe.Path == "." {
			// os.DirFS names its root ".": name the directory instead.
			return nil, fmt.Errorf("%w: the migrations root %s: %w", migrations.ErrRead, path, pe.Err)
		}
		if path != "" {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return nil, err
	}
	p.dir = d
	var list migrations.ErrorList
	if err != nil && !errors.As(err, &list) {
		return nil, err
	}
	for _, e := range list {
		// The sum file's own syntax and header are the seal's business
		// (WithoutSumCheck rewrites them); a sum file that cannot be read
		// at all is a problem of the directory, like any unreadable file.
		if e.File == migrations.SumFileName && (errors.Is(e, migrations.ErrSumSyntax) || errors.Is(e, migrations.ErrSumHeader)) {
			p.sumFile = append(p.sumFile, e)
		} else {
			p.structural = append(p.structural, e)
		}
	}
	if !cfg.noSumCheck {
		var sealErrs migrations.ErrorList
		sealErrs = append(sealErrs, p.sumFile...)
		var verify migrations.ErrorList
		if errors.As(d.Verify(), &verify) {
			sealErrs = append(sealErrs, verify...)
		}
		if len(sealErrs) > 0 {
			sealErrs.Sort()
			p.seal = newSealError(sealErrs)
		}
	}
	if len(p.structural) == 0 {
		p.units, p.init, p.render = apply.Units(d, cfg.vars)
	}
	p.ignore, p.ignoreErr = p.readIgnore()

	var errs []error
	switch {
	case len(p.structural) > 0:
		errs = append(errs, p.structural)
	case p.render != nil:
		errs = append(errs, p.render)
	}
	if p.seal != nil {
		errs = append(errs, p.seal)
	}
	if p.ignoreErr != nil {
		errs = append(errs, p.ignoreErr)
	}
	switch len(errs) {
	case 0:
	case 1:
		p.err = errs[0]
	default:
		p.err = errors.Join(errs...)
	}
	return p, p.err
}

// readIgnore combines WithIgnore's patterns and the ignore file's.
func (p *Project) readIgnore() (*diff.Ignore, error) {
	patterns := append([]diff.Pattern(nil), p.cfg.ignore...)
	fromFile, err := diff.ReadIgnoreFile(p.fsys, IgnoreFile)
	if err != nil {
		return nil, err
	}
	for i := range fromFile {
		fromFile[i].Pos.File = p.display(IgnoreFile)
	}
	return diff.NewIgnore(append(patterns, fromFile...)...)
}

// display is a root-relative path as the user knows it: under the
// directory Open was given.
func (p *Project) display(rel string) string {
	if p.path == "" {
		return rel
	}
	return filepath.Join(p.path, filepath.FromSlash(rel))
}

// ready returns Open's error: the operations that need the migrations
// refuse a Project that has problems.
func (p *Project) ready() error { return p.err }

// Dir is the loaded migrations directory (services, migrations, sections,
// sum file), for programs that need more than the Project's operations.
func (p *Project) Dir() *migrations.Dir { return p.dir }

// Units are the migrations rendered and split into statements, in service
// then version order; nil when Open reported a problem.
func (p *Project) Units() []*apply.Unit { return p.units }

// Init is init.sql's statements, rendered; nil when there is no init.sql.
func (p *Project) Init() []apply.Statement { return p.init }

// Ignore is the set of ignore patterns: WithIgnore's and chschema.ignore's.
func (p *Project) Ignore() *diff.Ignore { return p.ignore }

// SealError is chschema.sum's verdict on the migrations: sealed (released)
// migrations that were edited, removed, renamed or reordered, new ones
// inserted before the last sealed one, or a malformed sum file. Findings
// are the lint findings, sorted, at their file:line:col (relative to the
// migrations root); Unwrap gives the migrations.Error of each, so that
// errors.Is(err, migrations.ErrSealedEdited) works.
type SealError struct {
	Findings []lint.Finding
	errs     migrations.ErrorList
}

func newSealError(errs migrations.ErrorList) *SealError {
	e := &SealError{errs: errs}
	for _, m := range errs {
		e.Findings = append(e.Findings, lint.Finding{File: m.File, Line: m.Pos.Line, Col: m.Pos.Col,
			Rule: sealRule(m), Severity: lint.Error, Message: m.Msg})
	}
	return e
}

func (e *SealError) Error() string {
	return "chschema: the seal (chschema.sum) is broken:\n" + findingLines(e.Findings)
}

// findingLines prints findings one a line, as file:line:col: rule: message.
func findingLines(findings []lint.Finding) string {
	lines := make([]string, len(findings))
	for i, f := range findings {
		at := f.File
		if f.Line > 0 {
			at = fmt.Sprintf("%s:%d:%d", f.File, f.Line, f.Col)
		}
		lines[i] = fmt.Sprintf("%s: %s: %s", at, f.Rule, f.Message)
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the migrations.Error of each finding.
func (e *SealError) Unwrap() []error { return e.errs.Unwrap() }

// sealRule is the lint rule of a sum-file problem.
func sealRule(e *migrations.Error) lint.Rule {
	for _, r := range []struct {
		sentinel error
		rule     lint.Rule
	}{
		{migrations.ErrSealedEdited, lint.RuleSealedEdited},
		{migrations.ErrSealedRemoved, lint.RuleSealedRemoved},
		{migrations.ErrSealedRenamed, lint.RuleSealedRenamed},
		{migrations.ErrSealedMoved, lint.RuleSealedReordered},
		{migrations.ErrInsertedBefore, lint.RuleInsertedBefore},
	} {
		if errors.Is(e, r.sentinel) {
			return r.rule
		}
	}
	return lint.RuleSumFile
}

// LintOptions configure Lint.
type LintOptions struct {
	// Server, when set, also checks with the server's parser every
	// statement that AfterShip's parser does not accept as written; the
	// server's verdict wins.
	Server *DB
	// Base is the released state (migrations.GitBase, migrations.SumBase):
	// a migration sealed there that was edited, removed, renamed or
	// reordered is an error whatever the working tree's chschema.sum says.
	Base *migrations.Base
	// Database is the session database unqualified names resolve to, for
	// the replay check; empty: the Server's, else unknown (an error must
	// happen in every database the migrations name).
	Database string
}

// Lint checks the migrations offline and returns every finding, sorted,
// each at its file:line:col relative to the migrations root: file names,
// sections, sealed migrations, template variables, SQL syntax, init.sql's
// idempotency. It works on a Project that Open reported problems for: it
// is how they are listed. It fails only when it cannot run (the server
// check fails to run).
func (p *Project) Lint(ctx context.Context, opts LintOptions) (*lint.Report, error) {
	lo, err := p.lintOptions(opts)
	if err != nil {
		return nil, err
	}
	return lint.Lint(ctx, p.fsys, lo)
}

func (p *Project) lintOptions(opts LintOptions) (lint.Options, error) {
	lo := lint.Options{Vars: p.cfg.vars, Base: opts.Base, Database: opts.Database}
	if opts.Server != nil {
		sp, err := newServerParser(opts.Server)
		if err != nil {
			return lo, err
		}
		lo.Server = sp
		if lo.Database == "" {
			lo.Database = opts.Server.Database()
		}
	}
	return lo, nil
}

// UnsealableError is Hash's refusal to seal migrations that lint rejects:
// Report holds the error findings, each at its file:line:col.
type UnsealableError struct {
	Report *lint.Report
}

func (e *UnsealableError) Error() string {
	return "chschema: not sealed: lint rejects these migrations; fix them, then hash again:\n" + findingLines(e.Report.Findings)
}

// New writes the next migration of service (its last ID plus one, with the
// same width; 0001 for a new service, whose directory it creates): content,
// or when content is nil the template with empty -- +up and -- +down
// sections. It never replaces a file, and returns the new file's path
// relative to the migrations root. It works on a Project that Open
// reported problems for.
func (p *Project) New(service, name string, content []byte) (string, error) {
	if p.path == "" {
		return "", errors.New("chschema: New needs a Project opened from a directory on disk")
	}
	nf, err := p.dir.NewMigration(service, name)
	if err != nil {
		return "", err
	}
	if content == nil {
		content = nf.Content
	}
	if err := createFile(filepath.Join(p.path, filepath.FromSlash(nf.Path)), content); err != nil {
		return "", err
	}
	return nf.Path, nil
}

// createFile writes a new file, never replacing one.
func createFile(p string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s already exists", p)
	}
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// HashResult says what Hash did.
type HashResult struct {
	// Path is the sum file's path relative to the migrations root.
	Path string `json:"path"`
	// Sealed counts the migrations the sum file seals.
	Sealed int `json:"sealed"`
	// Changed is false when the file already said the same.
	Changed bool `json:"changed"`
}

// Hash seals the current migrations into chschema.sum: the release step.
// It rewrites the file only when it changes. It refuses, with the
// directory's migrations.ErrorList, when the directory has structural
// problems, and with a *SealError when sealed migrations were edited,
// removed, renamed or reordered, so that it never launders an edit; on a
// Project opened WithoutSumCheck it reseals anyway (and ignores a malformed
// sum file, which it rewrites). Template variables play no part: the sum
// covers the files as written, but an undefined variable still blocks (the
// statements after it cannot be checked). It also refuses, with an
// *UnsealableError holding lint's findings, when lint reports an error in a
// migration it would seal anew (an empty section, the template as New
// wrote it, a syntax error...), even WithoutSumCheck: a released migration
// never changes, so it is sealed only once it is right. opts.Server lets
// the server's parser judge what AfterShip's rejects, as in Lint. It works
// on a Project that Open reported problems for.
func (p *Project) Hash(ctx context.Context, opts LintOptions) (*HashResult, error) {
	if p.path == "" {
		return nil, errors.New("chschema: Hash needs a Project opened from a directory on disk")
	}
	if !p.cfg.noSumCheck && len(p.sumFile) > 0 {
		return nil, append(append(migrations.ErrorList(nil), p.structural...), p.sumFile...).Err()
	}
	if len(p.structural) > 0 {
		return nil, p.structural
	}
	if p.seal != nil {
		return nil, p.seal
	}
	lo, err := p.lintOptions(opts)
	if err != nil {
		return nil, err
	}
	blockers, err := lint.SealBlockers(ctx, p.fsys, lo)
	if err != nil {
		return nil, err
	}
	if len(blockers.Findings) > 0 {
		return nil, &UnsealableError{Report: blockers}
	}
	data, err := p.dir.SumFile().MarshalText()
	if err != nil {
		return nil, err
	}
	res := &HashResult{Path: migrations.SumFileName, Sealed: len(p.dir.Migrations())}
	file := filepath.Join(p.path, migrations.SumFileName)
	if old, err := migrations.ReadFile(p.fsys, migrations.SumFileName, migrations.MaxFileSize); err == nil && string(old) == string(data) {
		return res, nil
	}
	if err := os.WriteFile(file, data, 0o644); err != nil {
		return nil, err
	}
	res.Changed = true
	return res, nil
}
