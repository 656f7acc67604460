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
	"github.com/chschema/chschema/migrations"
)

// LintCmd checks the migrations directory and reports every finding.
type LintCmd struct {
	projectFlags
	optionalDSNFlag
	waitFlag
	annotatedFormatFlag
	Base            string `help:"Also check against the release at this git revision (for a pull request: origin/main): a migration sealed there that was edited, removed, renamed or reordered fails, whatever the working tree's chschema.sum says." env:"CHSCHEMA_LINT_BASE" placeholder:"REF" xor:"base"`
	BaseSum         string `name:"base-sum" help:"Like --base, with the released chschema.sum fetched another way (hashes only: edits are reported at line 1)." env:"CHSCHEMA_LINT_BASE_SUM" type:"path" placeholder:"FILE" xor:"base"`
	SessionDatabase string `name:"session-database" help:"The database unqualified names are in (the DSN's), for the replay check (default: the --dsn's, else unknown: an error must happen in every database the migrations name)." env:"CHSCHEMA_LINT_SESSION_DATABASE" placeholder:"DB"`
}

// Run lints --dir; with --dsn, statements AfterShip's parser rejects are
// checked by the server's parser. It returns errFindings after printing
// when there are error findings.
func (c *LintCmd) Run(ctx context.Context, g *Globals, env *Env) error {
	opts := chschema.LintOptions{Database: c.SessionDatabase}
	if g.DSN != "" {
		db, err := connect(ctx, g.DSN, c.Wait, g.eventOptions()...)
		if err != nil {
			return err
		}
		defer db.Close()
		opts.Server = db
	}
	var err error
	switch {
	case c.Base != "":
		if opts.Base, err = migrations.GitBase(ctx, g.Dir, c.Base); err != nil {
			return fmt.Errorf("--base: %w", err)
		}
	case c.BaseSum != "":
		if opts.Base, err = migrations.SumBase(c.BaseSum); err != nil {
			return fmt.Errorf("--base-sum: %w", err)
		}
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
	return writeReport(g, env, "chschema lint", report)
}

// writeReport prints a lint report in --format and returns errFindings when
// it has error findings.
func writeReport(g *Globals, env *Env, what string, report *lint.Report) error {
	base := displayDir(g.Dir)
	if g.Format == "github" {
		base = workspaceDir(g.Dir, env.Environ)
	}
	if err := report.Write(env.Stdout, lint.Format(g.Format), base); err != nil {
		return err
	}
	if g.Format == "text" && len(report.Findings) > 0 {
		warnings := ""
		if n := report.Warnings(); n > 0 {
			warnings = english.Plural(n, "warning") + ", "
		}
		fmt.Fprintf(env.Stderr, "%s: %s, %s%s\n", what, english.Plural(report.Errors(), "error"), warnings, english.Plural(report.Infos(), "note"))
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

// workspaceDir is dir relative to the GitHub Actions workspace (the
// repository root, GITHUB_WORKSPACE), which annotations need, when dir is
// inside it; else displayDir.
func workspaceDir(dir string, environ []string) string {
	for _, kv := range environ {
		ws, ok := strings.CutPrefix(kv, "GITHUB_WORKSPACE=")
		if !ok || ws == "" {
			continue
		}
		rel, err := filepath.Rel(ws, dir)
		if err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return filepath.ToSlash(rel)
		}
	}
	return displayDir(dir)
}
