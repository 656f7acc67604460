package drift

import (
	"slices"
	"strings"
	"testing"

	"github.com/chschema/chschema/schema"
	"github.com/google/go-cmp/cmp"
)

func TestManagedDatabases(t *testing.T) {
	s := schema.New()
	for _, name := range []string{"default", "session", "xapi", "empty_created"} {
		s.AddDatabase(&schema.Database{Name: name, Engine: schema.Engine{Name: "Atomic"}})
	}
	xapi, _ := s.Database("xapi")
	xapi.Tables = append(xapi.Tables, &schema.Table{Name: "events"})
	tests := []struct {
		name    string
		session string
		extra   []string
		want    []string
	}{
		{"starting databases left out when empty", "session", nil, []string{"xapi", "empty_created"}},
		{"another session database is managed", "other", nil, []string{"session", "xapi", "empty_created"}},
		{"extra databases added once", "session", []string{"audit", "xapi"}, []string{"xapi", "empty_created", "audit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ManagedDatabases(s, tt.session, tt.extra)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ManagedDatabases (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDropOwn(t *testing.T) {
	s := schema.New()
	d := s.AddDatabase(&schema.Database{Name: "xapi", Engine: schema.Engine{Name: "Atomic"}})
	for _, n := range []string{"events", "chschema_migrations", "chschema_migrations_lock", "chschema_migrations_lock_expired_ab12"} {
		d.Tables = append(d.Tables, &schema.Table{Name: n, Database: d})
	}
	own := func(q schema.QualifiedName) bool {
		return q.Database == "xapi" && strings.HasPrefix(q.Name, "chschema_")
	}
	DropOwn(s, own, s)
	var left []string
	for _, tb := range d.Tables {
		left = append(left, tb.Name)
	}
	if diff := cmp.Diff([]string{"events"}, left); diff != "" {
		t.Errorf("tables left (-want +got):\n%s", diff)
	}
	DropOwn(s, nil, s) // no-op
}

// TestFootprintNarrow: in a database the expected schema does not manage,
// only what a migration creates is compared; in a database a migration
// creates, everything; a database left empty goes.
func TestFootprintNarrow(t *testing.T) {
	mk := func(db string, tables ...string) *schema.Database {
		d := &schema.Database{Name: db}
		for _, n := range tables {
			d.Tables = append(d.Tables, &schema.Table{Database: d, Name: n})
		}
		return d
	}
	live := schema.New()
	live.AddDatabase(mk("default", "left_by_down", "nobodys"))
	live.AddDatabase(mk("created", "anything"))
	live.AddDatabase(mk("other", "nobodys"))
	live.AddDatabase(mk("managed", "nobodys"))
	expected := schema.New()
	expected.AddDatabase(mk("default"))
	fp := &Footprint{Databases: []string{"default", "created", "other"}, CreatedDatabases: map[string]bool{"created": true},
		Created: map[schema.QualifiedName]bool{{Database: "default", Name: "left_by_down"}: true}}
	if got := fp.Read([]string{"managed"}); !slices.Equal(got, []string{"managed", "default", "created", "other"}) {
		t.Errorf("Read = %v", got)
	}
	fp.Narrow(expected, live, []string{"managed"})
	var got []string
	for _, d := range live.Databases {
		for _, t := range d.Tables {
			got = append(got, d.Name+"."+t.Name)
		}
	}
	if want := []string{"default.left_by_down", "created.anything", "managed.nobodys"}; !slices.Equal(got, want) {
		t.Errorf("after Narrow %v, want %v", got, want)
	}
	if _, ok := live.Database("other"); ok {
		t.Error("the emptied database other is still there")
	}
	var nilFP *Footprint
	nilFP.Narrow(expected, live, nil) // no-op
}
