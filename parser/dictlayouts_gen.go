// Code generated from the server's catalog; DO NOT EDIT.
// SELECT upper(name) FROM system.dictionary_layouts WHERE NOT is_complex ORDER BY name
// Regenerate: CHSCHEMA_GENERATE=1 go test ./parser -run TestGeneratedFromServer

package parser

// simpleKeyLayouts are the dictionary layouts with a simple key, which the
// server stores as UInt64 whatever integer type is declared.
var simpleKeyLayouts = map[string]bool{
	"CACHE":         true,
	"DIRECT":        true,
	"FLAT":          true,
	"HASHED":        true,
	"HASHED_ARRAY":  true,
	"RANGE_HASHED":  true,
	"SPARSE_HASHED": true,
	"SSD_CACHE":     true,
}
