package lint

import (
	"context"
	"io/fs"
	"slices"

	"github.com/chschema/chschema/migrations"
)

// sumRules are the findings about chschema.sum itself, which hash checks
// with migrations.Dir.Verify (and --force overrides) rather than here.
var sumRules = []Rule{RuleSealedEdited, RuleSealedRemoved, RuleSealedRenamed, RuleSealedReordered, RuleInsertedBefore, RuleSumFile}

// SealBlockers lints fsys and returns the error findings that forbid sealing
// it: every error in the files of the migrations a new chschema.sum would
// seal (migrations.Dir.Unsealed), so that hash never seals an empty section,
// an unwritten template, a syntax error or anything else lint rejects.
// Migrations already sealed unchanged are not judged again (they cannot
// change any more), nor is init.sql (it is not sealed), nor are the sum file
// findings, which hash reports through Verify; but an undefined variable
// anywhere is a blocker, since the sections after it are not replayed
// without its value. Like Lint, it returns an
// error only when the root cannot be read or the server check fails.
func SealBlockers(ctx context.Context, fsys fs.FS, opts Options) (*Report, error) {
	d, err := migrations.Open(fsys)
	if d == nil {
		return nil, err
	}
	full, err := lintDir(ctx, d, err, opts)
	if err != nil {
		return nil, err
	}
	files := map[string]bool{}
	for _, m := range d.Unsealed() {
		for _, f := range m.Files {
			files[f] = true
		}
	}
	out := &Report{}
	for _, f := range full.Findings {
		blocks := files[f.File] && !slices.Contains(sumRules, f.Rule) ||
			f.Rule == RuleUndefinedVar // anywhere: without the value, the replay of what follows is not checked
		if f.Severity == Error && blocks {
			out.Findings = append(out.Findings, f)
		}
	}
	return out, nil
}
