package schema

import (
	"errors"
	"strings"
	"testing"
)

func testSchema() *Schema {
	s := New()
	s.AddDatabase(&Database{Name: "db", Engine: Engine{Name: "Atomic"}})
	s.AddDatabase(&Database{Name: "other", Engine: Engine{Name: "Atomic"}})
	return s
}

func qn(name string) QualifiedName { return QualifiedName{Database: "db", Name: name} }

func mustApply(t *testing.T, s *Schema, cs ...Change) {
	t.Helper()
	for _, c := range cs {
		if err := s.Apply(c); err != nil {
			t.Fatalf("%T: %v", c, err)
		}
	}
}

func baseTable(name string) *AddTable {
	st := Storage{Engine: Engine{Name: "MergeTree"}, OrderBy: "k", PartitionBy: "toYYYYMM(ts)", SampleBy: "k", TTL: "ts + toIntervalDay(1)"}
	st.Normalize()
	return &AddTable{Name: qn(name), T: &Table{Name: name,
		Columns:     []*Column{{Name: "k", Type: "UInt64"}, {Name: "ts", Type: "DateTime"}, {Name: "v", Type: "String", Default: &ColumnDefault{Kind: Default, Expr: "'x'"}, Comment: "c"}},
		Storage:     st,
		Indexes:     []*Index{{Name: "i", Expr: "v", Type: "bloom_filter", Granularity: 1}},
		Constraints: []*Constraint{{Name: "c", Kind: Check, Expr: "k > 0"}},
	}}
}

func cols(t *Table) string {
	var ns []string
	for _, c := range t.Columns {
		ns = append(ns, c.Name)
	}
	return strings.Join(ns, ",")
}

func TestApply(t *testing.T) {
	tests := []struct {
		name    string
		changes []Change
		wantErr error
		check   func(t *testing.T, s *Schema)
	}{
		{"back-pointers", []Change{baseTable("t")}, nil, func(t *testing.T, s *Schema) {
			d, _ := s.Database("db")
			tb, _ := d.Table("t")
			if tb.Database != d || d.Schema != s || tb.ObjectName() != qn("t") {
				t.Error("back-pointers not set")
			}
		}},
		{"create twice", []Change{baseTable("t"), baseTable("t")}, ErrExists, nil},
		{"create if not exists keeps", []Change{baseTable("t"), &AddTable{Name: qn("t"), T: &Table{Name: "t"}, IfNotExists: true}}, nil, func(t *testing.T, s *Schema) {
			o, _ := s.Object(qn("t"))
			if cols(o.(*Table)) != "k,ts,v" {
				t.Error("replaced")
			}
		}},
		{"create in a missing database", []Change{&AddTable{Name: QualifiedName{"nope", "t"}, T: &Table{Name: "t"}}}, ErrNotExist, nil},
		{"as copies, MergeTree keeps partition and sample", []Change{baseTable("t"),
			&AddTable{Name: qn("c"), T: &Table{Name: "c", Storage: Storage{Engine: Engine{Name: "ReplacingMergeTree"}, OrderBy: "k, ts", PrimaryKey: "k, ts"}}, AsTable: ptr(qn("t"))}}, nil,
			func(t *testing.T, s *Schema) {
				o, _ := s.Object(qn("c"))
				c := o.(*Table)
				if cols(c) != "k,ts,v" || c.PartitionBy != "toYYYYMM(ts)" || c.SampleBy != "k" || c.TTL != "" || len(c.Indexes) != 1 || c.PrimaryKey != "k, ts" {
					t.Errorf("c = %+v", c)
				}
			}},
		{"as with a non-MergeTree engine drops indexes", []Change{baseTable("t"),
			&AddTable{Name: qn("m"), T: &Table{Name: "m", Storage: Storage{Engine: Engine{Name: "Memory"}}}, AsTable: ptr(qn("t"))}}, nil,
			func(t *testing.T, s *Schema) {
				o, _ := s.Object(qn("m"))
				if m := o.(*Table); len(m.Indexes) != 0 || len(m.Constraints) != 1 {
					t.Errorf("m = %+v", m)
				}
			}},
		{"as a view copies its columns", []Change{
			&AddView{Name: qn("v"), V: &View{Name: "v", Query: "SELECT 1", Columns: []*Column{{Name: "x", Type: "UInt8"}}}},
			&AddTable{Name: qn("c"), T: &Table{Name: "c", Storage: Storage{Engine: Engine{Name: "Memory"}}}, AsTable: ptr(qn("v"))}}, nil,
			func(t *testing.T, s *Schema) {
				o, _ := s.Object(qn("c"))
				if c := o.(*Table); cols(c) != "x" || len(c.Uncertain) != 0 {
					t.Errorf("c = %+v", c)
				}
			}},
		{"rename across databases", []Change{baseTable("t"), &RenameObject{From: qn("t"), To: QualifiedName{"other", "t2"}}}, nil, func(t *testing.T, s *Schema) {
			o, ok := s.Object(QualifiedName{"other", "t2"})
			if !ok || o.(*Table).Database.Name != "other" {
				t.Error("not moved")
			}
		}},
		{"rename onto an existing name", []Change{baseTable("t"), baseTable("u"), &RenameObject{From: qn("t"), To: qn("u")}}, ErrExists, nil},
		{"exchange", []Change{baseTable("t"), &AddTable{Name: qn("u"), T: &Table{Name: "u", Columns: []*Column{{Name: "z", Type: "UInt8"}}}}, &ExchangeObjects{A: qn("t"), B: qn("u")}}, nil, func(t *testing.T, s *Schema) {
			o, _ := s.Object(qn("t"))
			if cols(o.(*Table)) != "z" {
				t.Error("not exchanged")
			}
		}},
		{"detach then attach", []Change{baseTable("t"), &DetachObject{Name: qn("t")}, &AttachObject{Name: qn("t")}}, nil, func(t *testing.T, s *Schema) {
			if _, ok := s.Object(qn("t")); !ok {
				t.Error("not attached")
			}
		}},
		{"attach what was never detached", []Change{&AttachObject{Name: qn("t")}}, ErrNotExist, nil},
		{"alter is all or nothing", []Change{baseTable("t"), &ModifyTable{Name: qn("t"), Changes: []Change{&AddColumn{C: &Column{Name: "x", Type: "UInt8"}}, &DropColumn{Name: "nope"}}}}, ErrNotExist, nil},
		{"alter a missing table", []Change{&ModifyTable{Name: qn("t"), Changes: []Change{&DropColumn{Name: "k"}}}}, ErrNotExist, nil},
		{"alter if exists on a missing table", []Change{&ModifyTable{Name: qn("t"), IfExists: true, Changes: []Change{&DropColumn{Name: "k"}}}}, nil, nil},
		{"modify column changes only its kinds", []Change{baseTable("t"), &ModifyTable{Name: qn("t"), Changes: []Change{
			&ModifyColumn{To: &Column{Name: "v", Type: "LowCardinality(String)"}, Kind: ChangeType, First: true}}}}, nil,
			func(t *testing.T, s *Schema) {
				o, _ := s.Object(qn("t"))
				tb := o.(*Table)
				v := tb.Columns[0]
				if cols(tb) != "v,k,ts" || v.Type != "LowCardinality(String)" || v.Default == nil || v.Comment != "c" {
					t.Errorf("v = %+v, columns %s", v, cols(tb))
				}
			}},
		{"modify order by freezes the primary key", []Change{baseTable("t"), &ModifyTable{Name: qn("t"), Changes: []Change{&ModifyOrderBy{OrderBy: "k, ts"}}}}, nil, func(t *testing.T, s *Schema) {
			o, _ := s.Object(qn("t"))
			if tb := o.(*Table); tb.PrimaryKey != "k" || tb.OrderBy != "k, ts" {
				t.Errorf("keys %q %q", tb.PrimaryKey, tb.OrderBy)
			}
		}},
		{"drop view with DROP TABLE", []Change{&AddView{Name: qn("v"), V: &View{Name: "v", Query: "SELECT 1"}}, &DropObject{Name: qn("v"), Kind: KindTable}}, nil, nil},
		{"DROP TABLE refuses a dictionary", []Change{&AddDictionary{Name: qn("d"), D: &Dictionary{Name: "d"}}, &DropObject{Name: qn("d"), Kind: KindTable}}, ErrInvalid, nil},
		{"DETACH TABLE refuses a dictionary", []Change{&AddDictionary{Name: qn("d"), D: &Dictionary{Name: "d"}}, &DetachObject{Name: qn("d"), Kind: KindTable}}, ErrInvalid, nil},
		{"drop table with DROP DICTIONARY", []Change{baseTable("t"), &DropObject{Name: qn("t"), Kind: KindDictionary}}, ErrInvalid, nil},
		{"modify query on a table", []Change{baseTable("t"), &ModifyTable{Name: qn("t"), Changes: []Change{&ModifyQuery{Query: "SELECT 1"}}}}, ErrInvalid, nil},
		{"functions", []Change{&AddFunction{F: &Function{Name: "f", Body: "x -> x"}}, &AddFunction{F: &Function{Name: "f", Body: "x -> (x + 1)"}, OrReplace: true}}, nil, func(t *testing.T, s *Schema) {
			if f, ok := s.Function("f"); !ok || f.Body != "x -> (x + 1)" {
				t.Errorf("f = %+v", f)
			}
		}},
		{"uncertain marks", []Change{baseTable("t"), &MarkUncertain{Objects: []QualifiedName{qn("t")}, Databases: []string{"other"}, Reason: Uncertainty{Reason: "r", Pos: Position{File: "f", Line: 1, Col: 2}}}}, nil, func(t *testing.T, s *Schema) {
			o, _ := s.Object(qn("t"))
			d, _ := s.Database("other")
			if len(o.Uncertainties()) != 1 || len(d.Uncertain) != 1 || o.Uncertainties()[0].Pos.String() != "f:1:2" {
				t.Error("not marked")
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := testSchema()
			var err error
			for _, c := range tc.changes {
				if err = s.Apply(c); err != nil {
					break
				}
			}
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if tc.check != nil {
				tc.check(t, s)
			}
		})
	}
}

// TestAlterAllOrNothingLeavesModel checks that a failed ALTER leaves the
// table as it was.
func TestAlterAllOrNothingLeavesModel(t *testing.T) {
	s := testSchema()
	mustApply(t, s, baseTable("t"))
	err := s.Apply(&ModifyTable{Name: qn("t"), Changes: []Change{&AddColumn{C: &Column{Name: "x", Type: "UInt8"}}, &AddColumn{C: &Column{Name: "k", Type: "UInt8"}}}})
	if !errors.Is(err, ErrExists) {
		t.Fatalf("err = %v", err)
	}
	o, _ := s.Object(qn("t"))
	if got := cols(o.(*Table)); got != "k,ts,v" {
		t.Errorf("columns after a failed ALTER: %s", got)
	}
}

func TestSplitKeyAndQuoting(t *testing.T) {
	tests := []struct {
		key  string
		want []string
	}{
		{"", nil},
		{"a", []string{"a"}},
		{"a, f(b, c), 'x, y'", []string{"a", "f(b, c)", "'x, y'"}},
		{"(a, b)", []string{"(a, b)"}},
	}
	for _, tc := range tests {
		got := SplitKey(tc.key)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("SplitKey(%q) = %q", tc.key, got)
		}
	}
	for in, want := range map[string]string{"plain_1": "plain_1", "a b": "`a b`", "1a": "`1a`", "x`y": "`x\\`y`", "": "``"} {
		if got := QuoteIdent(in); got != want {
			t.Errorf("QuoteIdent(%q) = %s, want %s", in, got, want)
		}
	}
}

func ptr[T any](v T) *T { return &v }
