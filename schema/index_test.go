package schema

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestIndexedLookup replays random creates, drops, renames, exchanges,
// detaches, attaches and truncations on databases large enough to be
// searched through the index, and after each change checks every lookup
// against a plain scan of the slices: the index must never find an object
// a scan would not, or miss one it would.
func TestIndexedLookup(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	s := New()
	for _, db := range []string{"a", "b"} {
		if err := s.Apply(&AddDatabase{D: &Database{Name: db}}); err != nil {
			t.Fatal(err)
		}
	}
	names := func() []string { // a pool of names, so that they get reused
		var out []string
		for i := range 3 * indexMin {
			out = append(out, fmt.Sprintf("t%03d", i))
		}
		return out
	}()
	qn := func() QualifiedName {
		return QualifiedName{Database: []string{"a", "b"}[rnd.IntN(2)], Name: names[rnd.IntN(len(names))]}
	}
	applied := map[string]int{}
	largeSteps := 0 // steps that looked up a database through its index
	for step := range 6000 {
		var c Change
		switch n := rnd.IntN(100); {
		case n < 45:
			name := qn()
			if rnd.IntN(4) == 0 {
				c = &AddView{Name: name, V: &View{Name: name.Name, Query: "SELECT 1"}}
			} else {
				c = &AddTable{Name: name, T: &Table{Name: name.Name, Columns: []*Column{{Name: "x", Type: "UInt8"}}}}
			}
		case n < 60:
			c = &DropObject{Name: qn()}
		case n < 75:
			c = &RenameObject{From: qn(), To: qn()}
		case n < 82:
			c = &ExchangeObjects{A: qn(), B: qn()}
		case n < 90:
			c = &DetachObject{Name: qn()}
		case n < 98:
			c = &AttachObject{Name: qn()}
		default:
			if rnd.IntN(50) == 0 {
				c = &TruncateDatabase{Name: qn().Database}
			} else {
				c = &ModifyTable{Name: qn(), Changes: []Change{&ModifyComment{Comment: Comment("c")}}}
			}
		}
		if err := s.Apply(c); err == nil {
			applied[fmt.Sprintf("%T", c)]++
		}
		for _, d := range s.Databases {
			if len(d.Tables) >= indexMin {
				largeSteps++
			}
			for _, name := range names {
				checkLookup(t, step, d, name)
			}
		}
		if t.Failed() {
			t.Fatalf("after step %d (%T %+v)", step, c, c)
		}
	}
	if largeSteps < 3000 || len(applied) < 9 {
		t.Fatalf("the test did not exercise the index: %d steps on a large database, changes applied %v", largeSteps, applied)
	}
}

func checkLookup(t *testing.T, step int, d *Database, name string) {
	t.Helper()
	scan := func() (Object, bool) {
		for _, o := range d.Tables {
			if o.Name == name {
				return o, true
			}
		}
		for _, o := range d.Views {
			if o.Name == name {
				return o, true
			}
		}
		return nil, false
	}
	want, wantOK := scan()
	got, gotOK := d.Object(name)
	if gotOK != wantOK || (wantOK && got != want) {
		t.Errorf("step %d: %s.Object(%q) = %v, %v; a scan finds %v, %v", step, d.Name, name, got, gotOK, want, wantOK)
	}
}

// TestIndexedLookupOutsideApply: slices changed directly, not through Apply
// (a reader building a live schema, drift's footprint), are seen too.
func TestIndexedLookupOutsideApply(t *testing.T) {
	d := &Database{Name: "d"}
	for i := range 2 * indexMin {
		d.Tables = append(d.Tables, &Table{Name: fmt.Sprint("t", i)})
	}
	if _, ok := d.Table("t5"); !ok {
		t.Fatal("t5 not found")
	}
	d.Tables = d.Tables[10:]
	if _, ok := d.Table("t5"); ok {
		t.Error("t5 found after it was cut from the slice")
	}
	d.Tables = append(d.Tables, &Table{Name: "new"})
	if _, ok := d.Table("new"); !ok {
		t.Error("a table appended directly is not found")
	}
	d.Tables[20].Name = "renamed"
	if _, ok := d.Table("t30"); ok {
		t.Error("t30 found after it was renamed in place")
	}
}

func BenchmarkLookup(b *testing.B) {
	d := &Database{Name: "d"}
	for i := range 10000 {
		d.Tables = append(d.Tables, &Table{Name: fmt.Sprintf("events_%05d", i)})
	}
	b.ResetTimer()
	for i := range b.N {
		d.Object(fmt.Sprintf("events_%05d", i%10000))
	}
}
