package migrations

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Well-known names in the migrations root.
const (
	// DefaultService is the name of the sequence formed by migration files
	// placed directly in the root.
	DefaultService = "default"
	// InitFile is the optional initial SQL, run before any migration on
	// every apply.
	InitFile = "init.sql"
	// SumFileName is the sum file that seals released migrations.
	SumFileName = "chschema.sum"
	// MaxFileSize is the largest file Open reads.
	MaxFileSize = 4 << 20
	// MinIDWidth is the fewest digits a migration ID has.
	MinIDWidth = 4
)

// Section markers in a single-file migration, each alone on its line.
const (
	UpMarker   = "-- +up"
	DownMarker = "-- +down"
	// NoOpMarker, alone on a line of a down section, says on purpose that
	// the down does nothing.
	NoOpMarker = "-- no-op"
)

var (
	fileNameRE    = regexp.MustCompile(`^([0-9]+)_([A-Za-z0-9_-]+?)(\.up|\.down)?\.sql$`)
	serviceNameRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)
	nameRE        = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
)

// Dir is a loaded migrations root.
type Dir struct {
	// FS is the root the directory was loaded from.
	FS fs.FS
	// Services are the sequences, in name order.
	Services []*Service
	// Init is the root's init.sql, or nil when there is none.
	Init *Section
	// Sealed is the parsed chschema.sum, or nil when there is none.
	Sealed *SumFile

	sealedMalformed bool // chschema.sum has syntax errors
}

// Service is one independent sequence of migrations.
type Service struct {
	Dir *Dir
	// Name is the subdirectory's name, or DefaultService for the root.
	Name string
	// Path is the service's directory in the FS: "." for the root sequence.
	Path string
	// Migrations are in ID order (then name order, when IDs repeat).
	Migrations []*Migration

	pending map[string]*pendingPair // .up/.down halves while loading
}

// Migration is one migration: a single file with -- +up and -- +down
// sections, or a NNNN_name.up.sql / NNNN_name.down.sql pair.
type Migration struct {
	Service *Service
	// Version is the integer ID.
	Version int
	// ID is the ID as written in the file name, for example "0007".
	ID string
	// Name is the part of the file name after the ID.
	Name string
	// Files are the migration's paths in the FS: one, or the up file then
	// the down file.
	Files []string
	// Up and Down are the sections; nil when missing.
	Up, Down *Section
	// contents are the raw bytes of Files, in order.
	contents [][]byte
}

// Contents returns the raw bytes of each of m.Files, in order. The caller
// must not modify them.
func (m *Migration) Contents() [][]byte { return m.contents }

// Section is the SQL of an up or down section, or of init.sql, as written:
// before template substitution.
type Section struct {
	// File is the path in the FS.
	File string
	// Text is the raw text of the section.
	Text string
	// Start is the file position of Text's first byte.
	Start Pos
	// Marker is the position of the section's marker line, or Start when
	// the section is a whole file.
	Marker Pos
	// NoOp is true when a line of the section is exactly "-- no-op".
	NoOp bool
}

// Service returns the service with the given name.
func (d *Dir) Service(name string) (*Service, bool) {
	i, ok := slices.BinarySearchFunc(d.Services, name, func(s *Service, n string) int { return cmp.Compare(s.Name, n) })
	if !ok {
		return nil, false
	}
	return d.Services[i], true
}

// Migrations returns every migration, services in name order, each in ID
// order.
func (d *Dir) Migrations() []*Migration {
	var all []*Migration
	for _, s := range d.Services {
		all = append(all, s.Migrations...)
	}
	return all
}

// Migration returns the migration with the given version.
func (s *Service) Migration(version int) (*Migration, bool) {
	for _, m := range s.Migrations {
		if m.Version == version {
			return m, true
		}
	}
	return nil, false
}

// Open loads the migrations root fsys. It reads every file and collects all
// problems, so the returned *Dir is usable (for reporting) even when the
// error, an ErrorList sorted by file and position, is not nil. Open returns a
// nil *Dir only when the root itself cannot be read.
func Open(fsys fs.FS) (*Dir, error) {
	if fsys == nil {
		return nil, errors.New("migrations: Open: nil fs.FS")
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("%w: the migrations root: %w", ErrRead, err)
	}
	d := &Dir{FS: fsys}
	var errs ErrorList
	root := &Service{Dir: d, Name: DefaultService, Path: "."}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		isDir, ok := entryIsDir(fsys, name, e, &errs)
		if !ok {
			continue
		}
		switch {
		case isDir && (name == InitFile || name == SumFileName):
			errs.add(name, Pos{}, ErrNotRegular, "cannot read: a directory, not a regular file")
		case isDir && fileNameRE.MatchString(name):
			errs.add(name, Pos{}, ErrUnexpectedDir, "%s is a directory named like a migration file; a service directory needs a name that is not NNNN_name.sql", name)
		case isDir:
			if !serviceNameRE.MatchString(name) {
				errs.add(name, Pos{}, ErrServiceName, "service directory %q: a name is letters, digits, '_', '-' and '.'", name)
				continue
			}
			svc := &Service{Dir: d, Name: name, Path: name}
			d.loadService(svc, &errs)
			d.Services = append(d.Services, svc)
		case name == InitFile:
			data, ok := readFile(fsys, name, &errs)
			if ok {
				text, start := stripBOM(data)
				d.Init = &Section{File: name, Text: text, Start: start, Marker: start}
			}
		case name == SumFileName:
			data, ok := readFile(fsys, name, &errs)
			if ok {
				sf, err := ParseSumFile(data)
				d.sealedMalformed = errors.Is(err, ErrSumSyntax)
				if err != nil {
					var l ErrorList
					if errors.As(err, &l) {
						errs = append(errs, l...)
					} else {
						errs.add(name, Pos{}, ErrSumSyntax, "%v", err)
					}
				}
				d.Sealed = sf
			}
		case strings.HasSuffix(name, ".sql"):
			root.addFile(name, name, &errs)
		}
	}
	if len(root.Migrations) > 0 || len(root.pending) > 0 {
		if slices.ContainsFunc(d.Services, func(s *Service) bool { return s.Name == DefaultService }) {
			errs.add(DefaultService, Pos{}, ErrServiceName, "a directory named %q clashes with the migrations placed directly in the root, which form the sequence %q", DefaultService, DefaultService)
		} else {
			root.finish(&errs)
			d.Services = append(d.Services, root)
		}
	}
	slices.SortFunc(d.Services, func(a, b *Service) int { return cmp.Compare(a.Name, b.Name) })
	return d, errs.Err()
}

// entryIsDir resolves e (following a symlink) and reports whether it is a
// directory; ok is false, with an error added, when it cannot be resolved.
func entryIsDir(fsys fs.FS, name string, e fs.DirEntry, errs *ErrorList) (isDir, ok bool) {
	if e.Type()&fs.ModeSymlink == 0 {
		return e.IsDir(), true
	}
	fi, err := fs.Stat(fsys, name)
	if err != nil {
		errs.add(name, Pos{}, ErrRead, "cannot resolve symlink: %v", unwrapPathError(err))
		return false, false
	}
	return fi.IsDir(), true
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// loadService reads a service directory.
func (d *Dir) loadService(svc *Service, errs *ErrorList) {
	entries, err := fs.ReadDir(d.FS, svc.Path)
	if err != nil {
		errs.add(svc.Path, Pos{}, ErrRead, "cannot read the service directory: %v", unwrapPathError(err))
		return
	}
	for _, e := range entries {
		name := e.Name()
		p := path.Join(svc.Path, name)
		if strings.HasPrefix(name, ".") {
			continue
		}
		isDir, ok := entryIsDir(d.FS, p, e, errs)
		if !ok {
			continue
		}
		if isDir {
			if fileNameRE.MatchString(name) {
				errs.add(p, Pos{}, ErrUnexpectedDir, "%s is a directory named like a migration file; a migration is a file", p)
			} else {
				errs.add(p, Pos{}, ErrUnexpectedDir, "unexpected directory %s: services do not nest", p)
			}
			continue
		}
		if strings.HasSuffix(name, ".sql") {
			svc.addFile(name, p, errs)
		}
	}
	svc.finish(errs)
}

// pendingPairs holds half-read .up.sql / .down.sql pairs while a service
// is being loaded, keyed by "ID_name".
type pendingPair struct {
	up, down         string
	upData, downData []byte
	id, name         string
	version          int
}

func (s *Service) pendingMap() map[string]*pendingPair {
	if s.pending == nil {
		s.pending = map[string]*pendingPair{}
	}
	return s.pending
}

// addFile reads one .sql file of a service.
func (s *Service) addFile(name, p string, errs *ErrorList) {
	m := fileNameRE.FindStringSubmatch(name)
	if m == nil {
		errs.add(p, Pos{}, ErrFileName, "malformed migration file name %q: expected NNNN_name.sql or NNNN_name.up.sql / NNNN_name.down.sql, NNNN being %d digits or more", name, MinIDWidth) // plural-ok: never 1
		return
	}
	id, mname, kind := m[1], m[2], m[3]
	version, err := strconv.Atoi(id)
	if len(id) < MinIDWidth || err != nil {
		errs.add(p, Pos{}, ErrFileName, "malformed migration ID %q in %q: expected a zero-padded integer of %d digits or more", id, name, MinIDWidth) // plural-ok: never 1
		return
	}
	data, ok := readFile(s.Dir.FS, p, errs)
	if !ok {
		return
	}
	if kind == "" {
		mig := &Migration{Service: s, Version: version, ID: id, Name: mname, Files: []string{p}, contents: [][]byte{data}}
		mig.Up, mig.Down = readSections(p, data, errs)
		s.Migrations = append(s.Migrations, mig)
		return
	}
	pp := s.pendingMap()[id+"_"+mname]
	if pp == nil {
		pp = &pendingPair{id: id, name: mname, version: version}
		s.pending[id+"_"+mname] = pp
	}
	if kind == ".up" {
		pp.up, pp.upData = p, data
	} else {
		pp.down, pp.downData = p, data
	}
}

// finish pairs .up/.down files, sorts the service and checks its IDs.
func (s *Service) finish(errs *ErrorList) {
	for _, pp := range s.pending {
		mig := &Migration{Service: s, Version: pp.version, ID: pp.id, Name: pp.name}
		if pp.up != "" {
			mig.Files = append(mig.Files, pp.up)
			mig.contents = append(mig.contents, pp.upData)
			mig.Up = wholeFileSection(pp.up, pp.upData, errs)
		}
		if pp.down != "" {
			mig.Files = append(mig.Files, pp.down)
			mig.contents = append(mig.contents, pp.downData)
			mig.Down = wholeFileSection(pp.down, pp.downData, errs)
		}
		if pp.up == "" {
			errs.add(pp.down, Pos{}, ErrMissingUp, "%s has no matching %s_%s.up.sql", pp.down, pp.id, pp.name)
		}
		if pp.down == "" {
			errs.add(pp.up, Pos{}, ErrMissingDown, "%s has no matching %s_%s.down.sql; a down that does nothing says so with a line %q", pp.up, pp.id, pp.name, NoOpMarker)
		}
		s.Migrations = append(s.Migrations, mig)
	}
	s.pending = nil
	slices.SortFunc(s.Migrations, func(a, b *Migration) int {
		return cmp.Or(cmp.Compare(a.Version, b.Version), cmp.Compare(a.Name, b.Name))
	})
	for i := 1; i < len(s.Migrations); i++ {
		prev, m := s.Migrations[i-1], s.Migrations[i]
		switch {
		case m.Version == prev.Version:
			errs.add(m.Files[0], Pos{}, ErrDuplicateID, "ID %s of service %s is also used by %s", m.ID, s.Name, prev.Files[0])
		case m.Version != prev.Version+1:
			errs.add(m.Files[0], Pos{}, ErrGap, "ID %s of service %s follows %s: IDs are contiguous, so %s is missing", m.ID, s.Name, prev.ID, pad(prev.Version+1, len(prev.ID)))
		}
	}
}

func pad(v, width int) string { return fmt.Sprintf("%0*d", width, v) }

// readFile reads a file of the migrations root (a migration, init.sql or
// chschema.sum) with ReadFile, rejecting anything that is not a regular
// file, files larger than MaxFileSize and files that are not UTF-8 text.
func readFile(fsys fs.FS, p string, errs *ErrorList) ([]byte, bool) {
	data, err := ReadFile(fsys, p, MaxFileSize)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			if errors.Is(e.Err, ErrTooLarge) {
				e.Msg += " for a migration file"
			}
			*errs = append(*errs, e)
		} else {
			errs.add(p, Pos{}, ErrRead, "cannot read: %v", unwrapPathError(err))
		}
		return nil, false
	}
	if bad := firstNonText(data); bad >= 0 {
		errs.add(p, FileStart.Advance(string(data[:bad])), ErrNotText, "not a text file: byte 0x%02x at offset %d is not UTF-8 text", data[bad], bad)
		return nil, false
	}
	return data, true
}

// firstNonText returns the offset of the first NUL byte or invalid UTF-8
// sequence, or -1.
func firstNonText(data []byte) int {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		if j := invalidUTF8(data[:i]); j >= 0 {
			return j
		}
		return i
	}
	return invalidUTF8(data)
}

func invalidUTF8(data []byte) int {
	if utf8.Valid(data) {
		return -1
	}
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return -1
}

var bom = "\xef\xbb\xbf"

// stripBOM returns the text after a UTF-8 byte-order mark, and the file
// position of its first byte (column 1: editors do not count the mark).
func stripBOM(data []byte) (string, Pos) {
	text := string(data)
	if strings.HasPrefix(text, bom) {
		return text[len(bom):], Pos{Offset: len(bom), Line: 1, Col: 1}
	}
	return text, FileStart
}

func wholeFileSection(p string, data []byte, errs *ErrorList) *Section {
	text, start := stripBOM(data)
	sec := &Section{File: p, Text: text, Start: start, Marker: start}
	forEachLine(text, start, func(line string, pos Pos) {
		switch markerOf(line) {
		case UpMarker, DownMarker:
			errs.add(p, pos, ErrMarker, "section marker %q in a .up.sql/.down.sql file, which is one section as a whole", strings.TrimSpace(line))
		}
		if isNoOp(line) {
			sec.NoOp = true
		}
	})
	return sec
}

// forEachLine calls fn with each line of text (without its \n) and the
// line's file position.
func forEachLine(text string, start Pos, fn func(line string, pos Pos)) {
	pos := start
	for len(text) > 0 {
		line, rest, found := strings.Cut(text, "\n")
		fn(line, pos)
		pos.Offset += len(line) + 1
		pos.Line++
		pos.Col = 1
		if !found {
			break
		}
		text = rest
	}
}

// markerOf returns UpMarker or DownMarker when line is one (surrounding
// space and a CR ignored), else "".
func markerOf(line string) string {
	t := strings.TrimSpace(line)
	if t == UpMarker || t == DownMarker {
		return t
	}
	return ""
}

func isNoOp(line string) bool { return strings.EqualFold(strings.TrimSpace(line), NoOpMarker) }

// readSections cuts a single-file migration into its sections.
func readSections(p string, data []byte, errs *ErrorList) (up, down *Section) {
	text, start := stripBOM(data)
	var cur *Section
	outside := false
	closeCur := func(end int) {
		if cur != nil {
			cur.Text = text[cur.Start.Offset-start.Offset : end]
		}
	}
	forEachLine(text, start, func(line string, pos Pos) {
		rel := pos.Offset - start.Offset
		switch markerOf(line) {
		case UpMarker, DownMarker:
			closeCur(rel)
			marker := markerOf(line)
			next := Pos{Offset: pos.Offset + len(line) + 1, Line: pos.Line + 1, Col: 1}
			if next.Offset-start.Offset > len(text) {
				next = pos.Advance(line)
			}
			sec := &Section{File: p, Start: next, Marker: pos}
			target := &up
			if marker == DownMarker {
				target = &down
			}
			if *target != nil {
				errs.add(p, pos, ErrMarker, "second %q marker; the first is on line %d", marker, (*target).Marker.Line)
			} else {
				*target = sec
			}
			cur = sec
		default:
			if cur == nil {
				if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "--") && !outside {
					errs.add(p, pos, ErrOutsideSection, "text before the first section marker; expected a line %q, then the up SQL", UpMarker)
					outside = true // report once
				}
				return
			}
			if cur == down && isNoOp(line) {
				down.NoOp = true
			}
		}
	})
	closeCur(len(text))
	if up == nil {
		errs.add(p, FileStart, ErrMissingUp, "missing up section: expected a line %q followed by the migration's SQL", UpMarker)
	}
	if down == nil {
		errs.add(p, FileStart, ErrMissingDown, "missing down section: expected a line %q followed by SQL that undoes the up section, or by %q if there is nothing to undo", DownMarker, NoOpMarker)
	}
	return up, down
}
