package migrations

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// SumFile is chschema.sum: the list of released (sealed) migrations.
//
// The format is text, one line per migration, in order (services by name,
// each by ID), after a header line:
//
//	chschema.sum v1 h1:<total>
//	<service> <file> [<file>] h1:<hash>
//	…
//
// <file> is a path relative to the migrations root, the up file before the
// down file for a pair. <hash> chains, as atlas.sum does: it is the base64
// SHA-256 of the previous line's hash (32 zero bytes for the first line), the
// service name, and each file's path, length and raw bytes (before template
// substitution, so deployments with different variables share one sum file).
// <total> is the base64 SHA-256 of every line after the header, each with its
// newline. A line therefore changes when its migration's name or bytes
// change, and the header changes with any line.
type SumFile struct {
	// Entries are the sealed migrations, in order.
	Entries []SumEntry
	// Total is the header's h1: value as written; Checksum recomputes it.
	Total string
}

// SumEntry is one sealed migration.
type SumEntry struct {
	Service string
	// Files are the paths relative to the root: one, or up then down.
	Files []string
	// Hash is the chained h1: hash.
	Hash string
	// Line is the entry's line in the sum file (0 when computed).
	Line int
}

const sumHeader = "chschema.sum v1"

// hashPrefix marks the hash scheme.
const hashPrefix = "h1:"

// SumFile computes the sum file that seals every migration of d.
func (d *Dir) SumFile() *SumFile {
	sf := &SumFile{}
	var prev []byte
	for _, m := range d.Migrations() {
		h := chainHash(prev, m.Service.Name, m.Files, m.contents)
		sf.Entries = append(sf.Entries, SumEntry{Service: m.Service.Name, Files: m.Files, Hash: encodeHash(h)})
		prev = h
	}
	sf.Total = sf.Checksum()
	return sf
}

// chainHash is an entry's hash: see SumFile.
func chainHash(prev []byte, service string, files []string, contents [][]byte) []byte {
	h := sha256.New()
	if prev == nil {
		prev = make([]byte, sha256.Size)
	}
	h.Write(prev)
	h.Write([]byte(service))
	h.Write([]byte{'\n'})
	for i, f := range files {
		var data []byte
		if i < len(contents) {
			data = contents[i]
		}
		fmt.Fprintf(h, "%s\n%d\n", f, len(data))
		h.Write(data)
	}
	return h.Sum(nil)
}

// Checksum is the h1: hash of the migration's own raw bytes: its service,
// file paths and contents, chained to nothing. apply can record it to tell
// later whether an applied migration changed.
func (m *Migration) Checksum() string {
	return encodeHash(chainHash(nil, m.Service.Name, m.Files, m.contents))
}

func encodeHash(h []byte) string { return hashPrefix + base64.StdEncoding.EncodeToString(h) }

func decodeHash(s string) ([]byte, bool) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, hashPrefix))
	return b, err == nil && strings.HasPrefix(s, hashPrefix) && len(b) == sha256.Size
}

// line renders an entry without its newline.
func (e SumEntry) line() string {
	return e.Service + " " + strings.Join(e.Files, " ") + " " + e.Hash
}

// Checksum computes the header's h1: value from the entries.
func (s *SumFile) Checksum() string {
	h := sha256.New()
	for _, e := range s.Entries {
		h.Write([]byte(e.line()))
		h.Write([]byte{'\n'})
	}
	return encodeHash(h.Sum(nil))
}

// MarshalText renders the file, with a freshly computed header.
func (s *SumFile) MarshalText() ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s\n", sumHeader, s.Checksum())
	for _, e := range s.Entries {
		b.WriteString(e.line())
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

// ParseSumFile parses chschema.sum. Syntax problems come back as an
// ErrorList at their lines; a header that does not match the lines is
// ErrSumHeader. The parsed entries are returned even with an error.
func ParseSumFile(data []byte) (*SumFile, error) {
	sf := &SumFile{}
	var errs ErrorList
	text := strings.TrimPrefix(string(data), bom)
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if text == "" {
		errs.add(SumFileName, FileStart, ErrSumSyntax, "empty sum file: expected a header line %q; run chschema hash", sumHeader+" h1:…")
		return sf, errs.Err()
	}
	header := strings.TrimSuffix(lines[0], "\r")
	total, ok := strings.CutPrefix(header, sumHeader+" ")
	if _, valid := decodeHash(total); !isConflictMarker(header) && (!ok || !valid) {
		errs.add(SumFileName, FileStart, ErrSumSyntax, "malformed header: expected %q", sumHeader+" h1:<base64 sha256>")
	}
	sf.Total = total
	for i, l := range lines {
		ln := i + 1
		l = strings.TrimSuffix(l, "\r")
		if isConflictMarker(l) {
			errs.add(SumFileName, Pos{Line: ln, Col: 1}, ErrSumSyntax, "merge conflict marker: merge the migrations themselves, then run chschema hash to rewrite this file")
			continue
		}
		if i == 0 {
			continue
		}
		if strings.HasPrefix(l, sumHeader) {
			errs.add(SumFileName, Pos{Line: ln, Col: 1}, ErrSumSyntax, "a second header line; the header is the first line only")
			continue
		}
		f := strings.Fields(l)
		if len(f) < 3 || len(f) > 4 || strings.Join(f, " ") != l {
			errs.add(SumFileName, Pos{Line: ln, Col: 1}, ErrSumSyntax, "malformed line: expected \"<service> <file> [<file>] h1:<hash>\" separated by single spaces")
			continue
		}
		e := SumEntry{Service: f[0], Files: f[1 : len(f)-1], Hash: f[len(f)-1], Line: ln}
		if _, valid := decodeHash(e.Hash); !valid {
			errs.add(SumFileName, Pos{Line: ln, Col: len(l) - len(e.Hash) + 1}, ErrSumSyntax, "malformed hash %q: expected h1:<base64 sha256>", e.Hash)
			continue
		}
		for _, file := range e.Files {
			if _, ok := fileVersion(file); !ok {
				errs.add(SumFileName, Pos{Line: ln, Col: strings.Index(l, file) + 1}, ErrSumSyntax, "malformed migration path %q", file)
			}
		}
		sf.Entries = append(sf.Entries, e)
	}
	if len(errs) == 0 && sf.Checksum() != sf.Total {
		errs.add(SumFileName, FileStart, ErrSumHeader, "the header checksum does not match the lines: the file was edited by hand or merged; fix the migrations, then run chschema hash")
	}
	return sf, errs.Err()
}

// isConflictMarker reports whether line is a git merge conflict marker.
func isConflictMarker(line string) bool {
	for _, m := range []string{"<<<<<<<", "=======", ">>>>>>>", "|||||||"} {
		if strings.HasPrefix(line, m) {
			return true
		}
	}
	return false
}

// fileVersion returns the integer ID of a migration path.
func fileVersion(p string) (int, bool) {
	base := p[strings.LastIndexByte(p, '/')+1:]
	m := fileNameRE.FindStringSubmatch(base)
	if m == nil {
		return 0, false
	}
	v, err := strconv.Atoi(m[1])
	return v, err == nil
}

// Verify checks the current migrations against the sealed ones of the
// directory's own chschema.sum: a sealed migration edited (ErrSealedEdited),
// removed (ErrSealedRemoved), renamed (ErrSealedRenamed) or moved to another
// ID (ErrSealedMoved), and a new migration whose ID is not after the last
// sealed one of its service (ErrInsertedBefore). It returns nil when there is
// no sum file. VerifyBase checks against a released state instead.
//
// Verify checks nothing when the sum file itself is malformed (Open
// reported ErrSumSyntax): its lines cannot be trusted until it is fixed.
func (d *Dir) Verify() error {
	if d.Sealed == nil || d.sealedMalformed {
		return nil
	}
	return d.verifySealed(&Base{Sum: d.Sealed})
}

// Unsealed returns the migrations a sum file written now would seal anew:
// every migration except those d.Sealed lists with the same service, files
// and bytes (each entry checked against the stored hash of the line before
// it, as Verify does). Without a sum file, or with a malformed one, that is
// every migration.
func (d *Dir) Unsealed() []*Migration {
	all := d.Migrations()
	if d.Sealed == nil || d.sealedMalformed {
		return all
	}
	byFiles := map[string]*Migration{}
	for _, m := range all {
		byFiles[m.Service.Name+" "+strings.Join(m.Files, " ")] = m
	}
	sealed := map[*Migration]bool{}
	var prev []byte
	for _, e := range d.Sealed.Entries {
		want, _ := decodeHash(e.Hash)
		if m := byFiles[e.Service+" "+strings.Join(e.Files, " ")]; m != nil && bytes.Equal(chainHash(prev, e.Service, e.Files, m.contents), want) {
			sealed[m] = true
		}
		prev = want
	}
	var out []*Migration
	for _, m := range all {
		if !sealed[m] {
			out = append(out, m)
		}
	}
	return out
}
