package migrations

import (
	"fmt"
	"path"
)

// Template is the content of a migration created by NewMigration. Its up
// section is empty and its down has no "-- no-op", so lint fails until both
// are written.
const Template = `-- +up
-- Write the migration's SQL here. Statements end with ';'.

-- +down
-- Write SQL that undoes the up section. If there is nothing to undo,
-- replace these comments with a line "-- no-op".
`

// NewFile is a migration file to create.
type NewFile struct {
	// Path is relative to the migrations root; the service directory may
	// not exist yet.
	Path    string
	Content []byte
}

// NewMigration plans the next migration of service: the ID after the
// service's last one (or 1, as 0001, for a new service), with the last ID's
// width. The service DefaultService is the root sequence. name is letters,
// digits, '_' and '-'.
func (d *Dir) NewMigration(service, name string) (NewFile, error) {
	if !nameRE.MatchString(name) {
		return NewFile{}, fmt.Errorf("%w: migration name %q: use letters, digits, '_' and '-'", ErrFileName, name)
	}
	if !serviceNameRE.MatchString(service) {
		return NewFile{}, fmt.Errorf("%w: %q: use letters, digits, '_', '-' and '.'", ErrServiceName, service)
	}
	dir := service
	if service == DefaultService {
		dir = "."
		if s, ok := d.Service(service); ok {
			dir = s.Path
		}
	}
	version, width := 1, MinIDWidth
	if s, ok := d.Service(service); ok && len(s.Migrations) > 0 {
		last := s.Migrations[len(s.Migrations)-1]
		version, width = last.Version+1, len(last.ID)
	}
	return NewFile{Path: path.Join(dir, fmt.Sprintf("%s_%s.sql", pad(version, width), name)), Content: []byte(Template)}, nil
}
