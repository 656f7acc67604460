package migrations

import (
	"bytes"
	"fmt"
	"io/fs"
	"strings"
)

// Base is a released state to check the current migrations against: the
// sum file of a release (the base branch of a pull request) and, when they
// are at hand, the sealed files as they were released.
type Base struct {
	// Sum is the released chschema.sum.
	Sum *SumFile
	// Files, when not nil, is the released migrations root (from git, see
	// GitFS). With the sealed bytes, an edit is reported at its first
	// changed line; with the sum file alone, at the file's first line.
	Files fs.FS
	// Name says where the base comes from, for messages: a git revision
	// such as origin/main, or the path of a sum file. Empty for the
	// directory's own chschema.sum.
	Name string
}

// VerifyBase checks the current migrations against a released state,
// whatever the directory's own chschema.sum says: a migration sealed in
// base.Sum that was edited, removed, renamed or reordered since, and a new
// migration whose ID is at or before base's last sealed ID of its service.
// The errors are those of Verify (the same sentinels), their messages
// naming base.Name; a removed migration is reported at its line of the
// base's sum file, as chschema.sum:LINE.
//
// With the sum file alone (no Files), the chained hashes tell apart: an
// edit (same paths, other bytes); a rename (same ID and bytes, other name);
// a reorder (same bytes under another ID); and a removal (the bytes are
// nowhere). A migration renamed and edited at once is told from a removal by
// its ID: a new name under a sealed ID is reported as an edit. A migration
// both moved and edited looks like a removal plus a new migration.
func (d *Dir) VerifyBase(base *Base) error {
	if base == nil || base.Sum == nil {
		return nil
	}
	return d.verifySealed(base)
}

// verifySealed is Verify and VerifyBase.
func (d *Dir) verifySealed(base *Base) error {
	var errs ErrorList
	where := func(e SumEntry) string {
		if base.Name == "" {
			return fmt.Sprintf("chschema.sum line %d", e.Line)
		}
		return fmt.Sprintf("chschema.sum line %d at %s", e.Line, base.Name)
	}
	byFiles := map[string]*Migration{}
	for _, m := range d.Migrations() {
		byFiles[m.Service.Name+" "+strings.Join(m.Files, " ")] = m
	}
	matched := map[*Migration]bool{}
	type last struct {
		version int
		file    string
	}
	lastSealed := map[string]last{}
	// First the entries whose files are still there, then the others,
	// which may have moved to a migration that no entry claims.
	var missing []int
	var prev []byte
	for i, e := range base.Sum.Entries {
		want, _ := decodeHash(e.Hash)
		if v, ok := fileVersion(e.Files[0]); ok {
			if l, seen := lastSealed[e.Service]; !seen || v > l.version {
				lastSealed[e.Service] = last{v, e.Files[0]}
			}
		}
		if m := byFiles[e.Service+" "+strings.Join(e.Files, " ")]; m != nil {
			matched[m] = true
			if !bytes.Equal(chainHash(prev, e.Service, e.Files, m.contents), want) {
				file, pos := base.firstChange(prev, e, m)
				errs.add(file, pos, ErrSealedEdited, "sealed migration %s was edited after it was released (%s); add a new migration instead", strings.Join(e.Files, " + "), where(e))
			}
		} else {
			missing = append(missing, i)
		}
		prev = want
	}
	for _, i := range missing {
		e := base.Sum.Entries[i]
		want, _ := decodeHash(e.Hash)
		prev = nil
		if i > 0 {
			prev, _ = decodeHash(base.Sum.Entries[i-1].Hash)
		}
		v, _ := fileVersion(e.Files[0])
		// The same bytes under another name or ID? Else a new name under
		// the same ID, the bytes changed too?
		var moved, renamedEdited *Migration
		if svc, ok := d.Service(e.Service); ok {
			for _, c := range svc.Migrations {
				if matched[c] {
					continue
				}
				if len(c.contents) == len(e.Files) && bytes.Equal(chainHash(prev, e.Service, e.Files, c.contents), want) {
					moved = c
					break
				}
				if c.Version == v && renamedEdited == nil {
					renamedEdited = c
				}
			}
		}
		switch {
		case moved != nil && moved.Version == v:
			matched[moved] = true
			errs.add(moved.Files[0], FileStart, ErrSealedRenamed, "sealed migration %s was renamed to %s (%s)", strings.Join(e.Files, " + "), strings.Join(moved.Files, " + "), where(e))
		case moved != nil:
			matched[moved] = true
			errs.add(moved.Files[0], FileStart, ErrSealedMoved, "sealed migration %s was reordered: it is now ID %s (%s)", strings.Join(e.Files, " + "), moved.ID, where(e))
		case renamedEdited != nil:
			matched[renamedEdited] = true
			file, pos := base.firstChange(prev, e, renamedEdited)
			errs.add(file, pos, ErrSealedEdited, "sealed migration %s was renamed to %s and edited after it was released (%s); restore it and add a new migration instead", strings.Join(e.Files, " + "), strings.Join(renamedEdited.Files, " + "), where(e))
		default:
			errs.add(SumFileName, Pos{Line: e.Line, Col: 1}, ErrSealedRemoved, "sealed migration %s was removed or its content changed with its name (%s); released migrations stay", strings.Join(e.Files, " + "), where(e))
		}
	}
	for _, m := range d.Migrations() {
		l, ok := lastSealed[m.Service.Name]
		if matched[m] || !ok {
			continue
		}
		if m.Version <= l.version {
			released := "the last released migration"
			if base.Name != "" {
				released += " at " + base.Name
			}
			errs.add(m.Files[0], FileStart, ErrInsertedBefore, "new migration with ID %s is not after %s, %s of service %s; new migrations take the IDs after it", m.ID, l.file, released, m.Service.Name)
		}
	}
	return errs.Err()
}

// firstChange returns where migration m first differs from the sealed entry
// e: with the released bytes at hand (and matching e's hash), the file and
// position of the first changed byte; else m's first file, line 1, col 1.
func (b *Base) firstChange(prev []byte, e SumEntry, m *Migration) (string, Pos) {
	if b.Files == nil {
		return m.Files[0], FileStart
	}
	old := make([][]byte, len(e.Files))
	for i, f := range e.Files {
		data, err := ReadFile(b.Files, f, MaxFileSize)
		if err != nil {
			return m.Files[0], FileStart
		}
		old[i] = data
	}
	if want, _ := decodeHash(e.Hash); !bytes.Equal(chainHash(prev, e.Service, e.Files, old), want) {
		return m.Files[0], FileStart // the released files do not match their own seal
	}
	for i, cur := range m.contents {
		if i >= len(old) {
			return m.Files[i], FileStart
		}
		n := 0
		for n < len(cur) && n < len(old[i]) && cur[n] == old[i][n] {
			n++
		}
		if n < len(cur) || n < len(old[i]) {
			return m.Files[i], FileStart.Advance(string(cur[:n]))
		}
	}
	return m.Files[0], FileStart
}
