package drift

import (
	"slices"

	"github.com/chschema/chschema/schema"
)

// Footprint is what the migrations of a directory touch at any version: the
// databases they name, and the databases and objects they create. A drift
// check reads every database of the footprint, so that what a reverted
// migration left behind is seen (issue 11: after down --to 0, tables left
// in a database the expected schema no longer has were never read). In a
// database the expected schema does not manage (default, the session's,
// or one no applied migration uses), it compares only what some migration
// creates: objects nobody's migrations made are not drift.
type Footprint struct {
	Databases        []string
	CreatedDatabases map[string]bool
	Created          map[schema.QualifiedName]bool
}

// Narrow leaves out of live, in each of its databases that managed does not
// list, the objects no migration creates, unless a migration creates the
// database itself; a database left empty that expected does not have goes
// too. f may be nil.
func (f *Footprint) Narrow(expected, live *schema.Schema, managed []string) {
	if f == nil {
		return
	}
	var drop []string
	for _, d := range live.Databases {
		if slices.Contains(managed, d.Name) || f.CreatedDatabases[d.Name] {
			continue
		}
		keep := func(name string) bool { return f.Created[schema.QualifiedName{Database: d.Name, Name: name}] }
		d.Tables = slices.DeleteFunc(d.Tables, func(t *schema.Table) bool { return !keep(t.Name) })
		d.Views = slices.DeleteFunc(d.Views, func(v *schema.View) bool { return !keep(v.Name) })
		d.Dictionaries = slices.DeleteFunc(d.Dictionaries, func(x *schema.Dictionary) bool { return !keep(x.Name) })
		if _, ok := expected.Database(d.Name); !ok && len(d.Tables)+len(d.Views)+len(d.Dictionaries) == 0 {
			drop = append(drop, d.Name)
		}
	}
	live.Databases = slices.DeleteFunc(live.Databases, func(d *schema.Database) bool { return slices.Contains(drop, d.Name) })
}

// Read returns the databases a check reads: managed, and the footprint's.
// f may be nil.
func (f *Footprint) Read(managed []string) []string {
	out := slices.Clone(managed)
	if f != nil {
		for _, d := range f.Databases {
			if !slices.Contains(out, d) {
				out = append(out, d)
			}
		}
	}
	return out
}
