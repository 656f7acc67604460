package apply

import (
	"testing"
	"testing/fstest"

	"github.com/chschema/chschema/migrations"
	"github.com/google/go-cmp/cmp"
)

func TestAppliedMigrations(t *testing.T) {
	mig := func(sql string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte("-- +up\n" + sql + "\n-- +down\n-- no-op\n")}
	}
	d, err := migrations.Open(fstest.MapFS{
		"a/0001_one.sql":   mig("CREATE TABLE t1 (x UInt8) ENGINE = Memory;"),
		"a/0002_two.sql":   mig("CREATE TABLE t2 (x UInt8) ENGINE = Memory;"),
		"a/0003_three.sql": mig("CREATE TABLE t3 (x UInt8) ENGINE = Memory;"),
		"b/0001_one.sql":   mig("CREATE TABLE u1 (x UInt8) ENGINE = Memory;"),
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		state   map[Key]Record
		applied []string
		left    []Key
	}{
		{"nothing applied", nil, nil, []Key{{"a", 1}, {"a", 2}, {"a", 3}, {"b", 1}}},
		{
			name: "applied, baselined, incomplete and reverted",
			state: map[Key]Record{
				{"a", 1}: {Event: Event{Status: StatusBaselined}},
				{"a", 2}: {Event: Event{Status: StatusApplied}},
				{"a", 3}: {Event: Event{Status: StatusStarted}},
				{"b", 1}: {Event: Event{Status: StatusReverted}},
			},
			applied: []string{"a/0001", "a/0002"},
			left:    []Key{{"a", 3}, {"b", 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, left := AppliedMigrations(d, tt.state)
			var applied []string
			for _, s := range got.Services {
				if s.Dir != got {
					t.Errorf("service %s points to another Dir", s.Name)
				}
				for _, m := range s.Migrations {
					applied = append(applied, s.Name+"/"+m.ID)
				}
			}
			if diff := cmp.Diff(tt.applied, applied); diff != "" {
				t.Errorf("applied (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.left, left); diff != "" {
				t.Errorf("left out (-want +got):\n%s", diff)
			}
			if len(d.Services[0].Migrations) != 3 {
				t.Error("the original Dir was modified")
			}
		})
	}
}
