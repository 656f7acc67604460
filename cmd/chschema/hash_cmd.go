package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"

	"github.com/chschema/chschema/lint"
	"github.com/chschema/chschema/migrations"
)

// HashCmd seals the current migrations into chschema.sum: the release step.
type HashCmd struct {
	Force bool     `help:"Reseal even when sealed migrations were edited, removed or reordered (never what lint rejects)."`
	Wait  waitFlag `embed:""`
}

// Run writes chschema.sum when it changes. It refuses (exit 1, with lint's
// findings) when lint reports an error in a migration it would seal anew;
// with --dsn the server's parser checks what AfterShip's rejects, as lint's.
func (c *HashCmd) Run(ctx context.Context, g *Globals, env *Env) error {
	d, err := migrations.Open(migrations.DirFS(g.Dir))
	if err != nil && !(c.Force && d != nil && onlySumErrors(err)) {
		return fmt.Errorf("cannot seal %s; fix these first:\n%w", g.Dir, err)
	}
	if !c.Force {
		if err := d.Verify(); err != nil {
			return fmt.Errorf("sealed migrations changed; released migrations must stay as they are (reseal anyway with --force):\n%w", err)
		}
	}
	opts, closeConn, err := lintOptions(ctx, g, env, c.Wait.Wait)
	if err != nil {
		return err
	}
	defer closeConn()
	blockers, err := lint.SealBlockers(ctx, migrations.DirFS(g.Dir), opts)
	if err != nil {
		return err
	}
	if len(blockers.Findings) > 0 {
		fmt.Fprintf(env.Stderr, "chschema hash: not sealed: lint rejects these migrations; fix them, then hash again\n")
		return writeReport(g, env, "chschema hash", blockers)
	}
	data, err := d.SumFile().MarshalText()
	if err != nil {
		return err
	}
	p := filepath.Join(g.Dir, migrations.SumFileName)
	if old, err := migrations.ReadFile(migrations.DirFS(g.Dir), migrations.SumFileName, migrations.MaxFileSize); err == nil && bytes.Equal(old, data) {
		fmt.Fprintf(env.Stdout, "%s is up to date: %d migrations sealed\n", path.Join(displayDir(g.Dir), migrations.SumFileName), len(d.Migrations()))
		return nil
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s: %d migrations sealed\n", path.Join(displayDir(g.Dir), migrations.SumFileName), len(d.Migrations()))
	return nil
}

// onlySumErrors reports whether every problem is the sum file's syntax or
// header, which --force rewrites (a sum file that is not a regular file is
// not rewritten).
func onlySumErrors(err error) bool {
	var list migrations.ErrorList
	if !errors.As(err, &list) {
		return false
	}
	for _, e := range list {
		if e.File != migrations.SumFileName || !errors.Is(e, migrations.ErrSumSyntax) && !errors.Is(e, migrations.ErrSumHeader) {
			return false
		}
	}
	return true
}
