package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/chschema/chschema/apply"
	"github.com/chschema/chschema/diff"
	"github.com/chschema/chschema/drift"
	"github.com/chschema/chschema/migrations"
)

// IgnoreFile is the ignore file's name in the migrations root.
const IgnoreFile = "chschema.ignore"

// ignoreFlags select objects that drift checks leave out.
type ignoreFlags struct {
	Ignore []string `help:"Leave out objects matching db.table or db.* (globs allowed; a name without a dot is a SQL function). Repeatable; also env CHSCHEMA_IGNORE and <dir>/chschema.ignore." placeholder:"PATTERN"`
}

// patterns gathers the ignore patterns from the flag, CHSCHEMA_IGNORE and
// the ignore file in dir.
func (f *ignoreFlags) patterns(dir string, environ []string) ([]diff.Pattern, error) {
	var patterns []diff.Pattern
	for _, p := range f.Ignore {
		patterns = append(patterns, diff.SplitPatterns(p)...)
	}
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, "CHSCHEMA_IGNORE="); ok {
			patterns = append(patterns, diff.SplitPatterns(v)...)
		}
	}
	fromFile, err := diff.ReadIgnoreFile(migrations.DirFS(dir), IgnoreFile)
	if err != nil {
		return nil, err
	}
	for i := range fromFile {
		fromFile[i].Pos.File = filepath.Join(dir, IgnoreFile)
	}
	return append(patterns, fromFile...), nil
}

// ignore is the set of the user's patterns (offline commands: no history
// table to add).
func (f *ignoreFlags) ignore(dir string, environ []string) (*diff.Ignore, error) {
	patterns, err := f.patterns(dir, environ)
	if err != nil {
		return nil, err
	}
	return diff.NewIgnore(patterns...)
}

// driftVerifier builds migrate's and baseline's drift check: the user's
// ignore rules plus chschema's own tables.
func driftVerifier(ctx context.Context, g *Globals, env *Env, conn driver.Conn, h *historyFlags, ig *ignoreFlags, dsnDB string, init []apply.Statement) (*apply.DriftVerifier, error) {
	ignore, err := ig.ignore(g.Dir, env.Environ)
	if err != nil {
		return nil, err
	}
	hdb, htable, err := h.historyTable(dsnDB)
	if err != nil {
		return nil, err
	}
	check, err := drift.New(conn, drift.Options{Ignore: ignore, Session: dsnDB, Own: apply.OwnTable(hdb, htable)})
	if err != nil {
		return nil, err
	}
	return apply.NewDriftVerifier(check, dsnDB, init)
}

// refusal turns apply's refusals into findings (exit 1) after printing them:
// drift the way `chschema diff` prints it, and edited, missing or
// out-of-order migrations as messages. Other errors stay errors (exit 2).
func refusal(env *Env, g *Globals, err error, what string) error {
	var de *drift.Error
	if !errors.As(err, &de) {
		if errors.Is(err, apply.ErrEdited) || errors.Is(err, apply.ErrMissing) || errors.Is(err, apply.ErrOutOfOrder) {
			fmt.Fprintf(env.Stderr, "chschema: %s refused: %v\n", what, err)
			return errFindings
		}
		return err
	}
	_ = writeDiff(env, g, env.Stderr, de.Report.Result, "expected (applied migrations in "+g.Dir+")", "live (server)")
	hint := ""
	if what == "migrate" {
		hint = "; fix the drift, or run with --allow-drift"
	}
	fmt.Fprintf(env.Stderr, "chschema: %s refused: %v (see above)%s\n", what, err, hint)
	return errFindings
}

// writeDiff prints a diff in --format: JSON and GitHub annotations on
// stdout, text on text (stdout for a command whose output is the diff,
// stderr for a refusal), coloured on a terminal unless NO_COLOR is set.
func writeDiff(env *Env, g *Globals, text io.Writer, res *diff.Result, fromLabel, toLabel string) error {
	switch g.Format {
	case "json":
		return diff.WriteJSON(env.Stdout, res)
	case "github":
		return diff.WriteGitHub(env.Stdout, res)
	}
	return diff.WriteText(text, res, diff.TextOptions{
		Color:     env.IsTTY && !hasEnv(env.Environ, "NO_COLOR"),
		FromLabel: fromLabel,
		ToLabel:   toLabel,
	})
}
