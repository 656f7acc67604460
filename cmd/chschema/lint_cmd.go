package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/chschema/chschema/lint"
	"github.com/chschema/chschema/parser"
)

// LintCmd checks the migrations directory and reports every finding.
type LintCmd struct {
	Wait waitFlag `embed:""`
}

// Run lints --dir; with --dsn, statements AfterShip's parser rejects are
// checked by the server's parser. It returns errFindings after printing
// when there are error findings.
func (c *LintCmd) Run(ctx context.Context, g *Globals, env *Env) error {
	opts := lint.Options{Vars: g.Vars(env.Environ)}
	if g.DSN != "" {
		conn, err := openConn(ctx, g.DSN, c.Wait.Wait)
		if err != nil {
			return err
		}
		defer conn.Close()
		if opts.Server, err = parser.NewServerParser(conn); err != nil {
			return err
		}
	}
	report, err := lint.Lint(ctx, os.DirFS(g.Dir), opts)
	if err != nil {
		return err
	}
	if err := report.Write(env.Stdout, lint.Format(g.Format), displayDir(g.Dir)); err != nil {
		return err
	}
	if g.Format == "text" && len(report.Findings) > 0 {
		fmt.Fprintf(env.Stderr, "chschema lint: %d errors, %d warnings, %d notes\n", report.Errors(), report.Warnings(), report.Infos())
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
