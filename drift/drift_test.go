package drift

import (
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
	DropOwn(s, own)
	var left []string
	for _, tb := range d.Tables {
		left = append(left, tb.Name)
	}
	if diff := cmp.Diff([]string{"events"}, left); diff != "" {
		t.Errorf("tables left (-want +got):\n%s", diff)
	}
	DropOwn(s, nil) // no-op
}
