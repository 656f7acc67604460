package schema

import (
	"errors"
	"testing"
)

type nopParser struct{}

func (nopParser) ParseCreate(string) (Change, error) { return nil, errors.New("unused") }

// TestNewSystemTablesValidates checks the constructor's refusals; reading a
// real server is tested in the parser package's oracle tests.
func TestNewSystemTablesValidates(t *testing.T) {
	tests := []struct {
		name string
		q    Querier
		p    CreateParser
		opts InspectOptions
	}{
		{"nil connection", nil, nopParser{}, InspectOptions{Databases: []string{"db"}}},
		{"nil parser", nil, nil, InspectOptions{Databases: []string{"db"}}},
		{"no databases", nil, nopParser{}, InspectOptions{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewSystemTables(tc.q, tc.p, tc.opts); !errors.Is(err, ErrInspect) {
				t.Errorf("err = %v, want ErrInspect", err)
			}
		})
	}
}
