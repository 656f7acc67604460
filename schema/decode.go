package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
)

// ErrDecode wraps every failure of DecodeJSON.
var ErrDecode = errors.New("schema: decode JSON")

// DecodeJSON reads a schema saved as JSON (the encoding of Schema, as
// written by `chschema schema --format json`), either bare or as the
// "schema" member of an object, and restores the back-pointers that JSON
// does not carry. The result is sorted.
func DecodeJSON(r io.Reader) (*Schema, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDecode, err)
	}
	var wrapped struct {
		Schema *Schema `json:"schema"`
	}
	s := New()
	if err := json.Unmarshal(data, &wrapped); err == nil && wrapped.Schema != nil {
		s = wrapped.Schema
	} else {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(s); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrDecode, err)
		}
	}
	s.Link()
	s.Sort()
	return s, nil
}

// Link sets every back-pointer of the graph (object to database, database
// and function to schema), for a schema built by hand or decoded.
func (s *Schema) Link() {
	for _, d := range s.Databases {
		d.Schema = s
		for _, t := range d.Tables {
			t.Database = d
		}
		for _, v := range d.Views {
			v.Database = d
		}
		for _, x := range d.Dictionaries {
			x.Database = d
		}
	}
	for _, f := range s.Functions {
		f.Schema = s
	}
}

// KeepDatabases removes every database whose name is not in names.
func (s *Schema) KeepDatabases(names []string) {
	s.Databases = slices.DeleteFunc(s.Databases, func(d *Database) bool { return !slices.Contains(names, d.Name) })
}
