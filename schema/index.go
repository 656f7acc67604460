package schema

import (
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"
	"weak"
)

// A database's objects are slices, searched by name. A replay looks names up
// for nearly every statement, so in a database of thousands of tables a
// linear search makes a long history quadratic (a lint of 10,000 migrations
// spent most of its time there). A large slice is therefore searched through
// an index of positions by name.
//
// The index lives outside Database, in a table keyed by a weak pointer, so
// that Database keeps only exported fields (go-cmp compares them without
// options, and JSON stays as it is) and the index goes with the database.
// It is rebuilt whenever the slice it describes may have changed: another
// backing array or length (an object added, dropped or replaced by a new
// slice) or a rename anywhere (renames go through setName). A hit is checked
// against the object's name, so a position gone stale cannot return a wrong
// object.

// indexMin is the length from which a slice is searched through an index:
// below it, a scan is cheaper than the bookkeeping.
const indexMin = 64

// renames counts the renames of objects, in every schema: an index built
// before the last rename is stale.
var renames atomic.Uint64

// renamed records that an object called from is now called to.
func renamed(from, to string) {
	if from != to {
		renames.Add(1)
	}
}

type named interface {
	*Table | *View | *Dictionary
	objectName() string
}

func (t *Table) objectName() string      { return t.Name }
func (v *View) objectName() string       { return v.Name }
func (x *Dictionary) objectName() string { return x.Name }

// positions indexes one slice of a database.
type positions struct {
	data    unsafe.Pointer
	n       int
	renames uint64
	pos     map[string]int
}

// dbIndex indexes a database's three slices of objects.
type dbIndex struct {
	mu                   sync.Mutex
	tables, views, dicts positions
}

var (
	indexesMu sync.Mutex
	indexes   = map[weak.Pointer[Database]]*dbIndex{}
)

// indexed returns d's index, or nil when it has none.
func indexed(d *Database) *dbIndex {
	indexesMu.Lock()
	defer indexesMu.Unlock()
	return indexes[weak.Make(d)]
}

// objectsChanged keeps d's index up to date after insertObject appended o
// to one of its slices (added) or removeObject took it away: an append to
// an index that was current is indexed in place, anything else makes the
// next lookup rebuild it.
func objectsChanged(d *Database, o Object, added bool) {
	x := indexed(d)
	if x == nil {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	switch o.(type) {
	case *Table:
		changed(&x.tables, d.Tables, added)
	case *View:
		changed(&x.views, d.Views, added)
	case *Dictionary:
		changed(&x.dicts, d.Dictionaries, added)
	}
}

// changed updates p after an object was appended to s (added) or removed
// from it.
func changed[T named](p *positions, s []T, added bool) {
	if !added || p.pos == nil || p.n != len(s)-1 || p.renames != renames.Load() {
		p.pos = nil
		return
	}
	last := s[len(s)-1].objectName()
	if _, dup := p.pos[last]; !dup {
		p.pos[last] = len(s) - 1
	}
	p.data, p.n = unsafe.Pointer(unsafe.SliceData(s)), len(s)
}

// indexOf returns d's index, made on first use and dropped when d is
// collected.
func indexOf(d *Database) *dbIndex {
	w := weak.Make(d)
	indexesMu.Lock()
	defer indexesMu.Unlock()
	if x, ok := indexes[w]; ok {
		return x
	}
	x := &dbIndex{}
	indexes[w] = x
	runtime.AddCleanup(d, func(w weak.Pointer[Database]) {
		indexesMu.Lock()
		delete(indexes, w)
		indexesMu.Unlock()
	}, w)
	return x
}

// lookup returns the object of s called name, the first one as a scan would
// find it.
func lookup[T named](d *Database, s []T, name string, which func(*dbIndex) *positions) (T, bool) {
	if len(s) < indexMin {
		for _, o := range s {
			if o.objectName() == name {
				return o, true
			}
		}
		var zero T
		return zero, false
	}
	x := indexOf(d)
	x.mu.Lock()
	p := which(x)
	data, r := unsafe.Pointer(unsafe.SliceData(s)), renames.Load()
	if p.pos == nil || p.data != data || p.n != len(s) || p.renames != r {
		p.data, p.n, p.renames = data, len(s), r
		p.pos = make(map[string]int, len(s))
		for i, o := range s {
			if _, dup := p.pos[o.objectName()]; !dup {
				p.pos[o.objectName()] = i
			}
		}
	}
	i, ok := p.pos[name]
	x.mu.Unlock()
	if ok && s[i].objectName() == name {
		return s[i], true
	}
	if ok { // renamed behind the model's back: scan
		for _, o := range s {
			if o.objectName() == name {
				return o, true
			}
		}
	}
	var zero T
	return zero, false
}
