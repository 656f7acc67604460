package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/chschema/chschema"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/plan"
	"github.com/chschema/chschema/schema"
)

// schemaDirFlag is the desired schema's directory, shared by dump, plan and
// check.
type schemaDirFlag struct {
	SchemaDir string `name:"schema-dir" help:"Desired schema: a directory of .sql files with CREATE statements, any layout (default: <dir>/../schema)." env:"CHSCHEMA_SCHEMA_DIR" type:"path" placeholder:"DIR"`
}

// schemaDir returns --schema-dir, or the schema directory beside the
// migrations root.
func (f schemaDirFlag) schemaDir(g *Globals) string {
	if f.SchemaDir != "" {
		return f.SchemaDir
	}
	return filepath.Join(filepath.Dir(filepath.Clean(g.Dir)), "schema")
}

// printFindings prints the statements the model of the migrations cannot
// follow, as notes naming their files under --dir.
func printFindings(env *Env, dir string, findings []parser.Finding) {
	for _, f := range findings {
		fmt.Fprintf(env.Stderr, "chschema: note: %s\n", filepath.Join(dir, f.String()))
	}
}

// printDeclarativeFindings prints the notes of the expected schema and of
// the desired one (in the schema directory dir).
func printDeclarativeFindings(env *Env, g *Globals, dir string, expected *chschema.ExpectedResult, desired *chschema.DesiredResult) {
	if expected != nil {
		printFindings(env, g.Dir, expected.Findings)
	}
	if desired != nil {
		printFindings(env, dir, desired.Findings)
	}
}

// Prompter holds the rename confirmer of plan: a question on the terminal
// when stdin and stdout are terminals, nil otherwise. Tests bind their own.
type Prompter struct {
	Confirm plan.RenameConfirmer
}

// newPrompter asks on the terminal when there is one.
func newPrompter(env *Env) *Prompter {
	fi, err := os.Stdin.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 || !env.IsTTY {
		return &Prompter{}
	}
	return &Prompter{Confirm: &terminalConfirmer{in: bufio.NewReader(os.Stdin), out: env.Stdout}}
}

// terminalConfirmer asks a person whether a likely rename is one.
type terminalConfirmer struct {
	in  *bufio.Reader
	out io.Writer
}

var _ plan.RenameConfirmer = (*terminalConfirmer)(nil)

// ConfirmRename implements plan.RenameConfirmer: y or yes confirms,
// anything else (and end of input) declines.
func (c *terminalConfirmer) ConfirmRename(r plan.RenameCandidate) (bool, error) {
	fmt.Fprintf(c.out, "%s: was column %s renamed to %s (both %s, same position)? Otherwise it is dropped, with its data, and %s added. [y/N] ",
		r.Table, schema.BackQuote(r.From), schema.BackQuote(r.To), r.Type, schema.BackQuote(r.To))
	line, err := c.in.ReadString('\n')
	if err != nil && err != io.EOF {
		return false, err
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}
