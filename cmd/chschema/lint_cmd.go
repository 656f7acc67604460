package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/chschema/chschema"
	"github.com/chschema/chschema/internal/english"
	"github.com/chschema/chschema/lint"
)

// LintCmd checks the migrations directory and reports every finding.
type LintCmd struct {
	projectFlags
	optionalDSNFlag
	waitFlag
	annotatedFormatFlag
}

// Run lints --dir; with --dsn, statements AfterShip's parser rejects are
// checked by the server's parser. It returns errFindings after printing
// when there are error findings.
func (c *LintCmd) Run(ctx context.Context, g *Globals, env *Env) error {
	var opts chschema.LintOptions
	if g.DSN != "" {
		db, err := connect(ctx, g.DSN, c.Wait)
		if err != nil {
			return err
		}
		defer db.Close()
		opts.Server = db
	}
	// Open reports the problems lint lists as findings; only a nil
	// project (an unreadable root) stops lint.
	p, err := openProject(g, env)
	if p == nil {
		return err
	}
	report, err := p.Lint(ctx, opts)
	if err != nil {
		return err
	}
	if err := report.Write(env.Stdout, lint.Format(g.Format), displayDir(g.Dir)); err != nil {
		return err
	}
	if g.Format == "text" && len(report.Findings) > 0 {
		fmt.Fprintf(env.Stderr, "chschema lint: %s, %s\n", english.Plural(report.Errors(), "error"), english.Plural(len(report.Findings)-report.Errors(), "note"))
	}
	if report.Errors() > 0 {
		return errFindings
	}
	return nil
}

// displayDir is dir relative to the working directory when it is inside
// it, so that annotations name repository paths.
func displayDir(dir string) string {
	wd, err := os.Getwd()
	if err != nil {
		return dir
	}
	rel, err := filepath.Rel(wd, dir)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(dir)
	}
	return filepath.ToSlash(rel)
}
