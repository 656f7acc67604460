package parser

import (
	"fmt"

	"github.com/chschema/chschema/schema"
)

// CreateReader reads the CREATE statements the server prints
// (system.tables.create_table_query, system.functions.create_query) for
// schema.Inspect.
type CreateReader struct{}

var _ schema.CreateParser = CreateReader{}

// ParseCreate implements schema.CreateParser. The statement must create
// exactly one object and be fully modelled.
func (CreateReader) ParseCreate(query string) (schema.Change, error) {
	conv, err := Convert(query, "default")
	if err != nil {
		return nil, err
	}
	if len(conv.Unsupported) > 0 {
		return nil, fmt.Errorf("parser: %s: %s", firstLine(query), conv.Unsupported[0].Reason)
	}
	if len(conv.Changes) != 1 {
		return nil, fmt.Errorf("parser: %s: not one CREATE", firstLine(query))
	}
	switch c := conv.Changes[0].(type) {
	case *schema.AddTable, *schema.AddView, *schema.AddDictionary, *schema.AddFunction:
		return c, nil
	}
	return nil, fmt.Errorf("parser: %s: not a CREATE", firstLine(query))
}
