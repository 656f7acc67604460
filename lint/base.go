package lint

import (
	"errors"

	"github.com/chschema/chschema/migrations"
)

// RuleBase is a note about the released state lint --base compares with.
const RuleBase Rule = "base"

// verify checks d against its own chschema.sum and, with Options.Base,
// against the released state, whatever the directory's sum file says. A
// finding both report is reported once, against the base.
func (l *linter) verify(d *migrations.Dir) {
	own := d.Verify()
	if l.opts.Base == nil {
		l.addMigrationErrors(own)
		return
	}
	if l.opts.Base.Sum == nil {
		l.add(migrations.SumFileName, migrations.Pos{}, RuleBase, Info, "nothing was released at %s (it has no chschema.sum): there is nothing to check against it", l.opts.Base.Name)
		l.addMigrationErrors(own)
		return
	}
	base := d.VerifyBase(l.opts.Base)
	l.addMigrationErrors(base)
	var baseList, ownList migrations.ErrorList
	errors.As(base, &baseList)
	if !errors.As(own, &ownList) {
		return
	}
	var rest migrations.ErrorList
	for _, e := range ownList {
		dup := false
		for _, b := range baseList {
			dup = dup || b.File == e.File && errors.Is(b, e.Err) && e.File != migrations.SumFileName
		}
		if !dup {
			rest = append(rest, e)
		}
	}
	l.addMigrationErrors(rest.Err())
}
