package apply

import (
	"github.com/chschema/chschema/migrations"
)

// AppliedMigrations returns d restricted to the migrations that state
// records as applied or baselined, in their order: the migrations whose
// effect the server should hold now. It also returns the keys of the
// migrations left out (pending, incomplete or reverted), in service and
// version order. d is not modified.
func AppliedMigrations(d *migrations.Dir, state map[Key]Record) (*migrations.Dir, []Key) {
	out := &migrations.Dir{FS: d.FS, Init: d.Init, Sealed: d.Sealed}
	var left []Key
	for _, svc := range d.Services {
		s := *svc
		s.Dir = out
		s.Migrations = nil
		for _, m := range svc.Migrations {
			k := Key{Service: svc.Name, Version: uint64(m.Version)}
			if r, ok := state[k]; ok && r.Applied() {
				s.Migrations = append(s.Migrations, m)
				continue
			}
			left = append(left, k)
		}
		out.Services = append(out.Services, &s)
	}
	return out, left
}
