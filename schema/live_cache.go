package schema

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
)

// DefinitionCache remembers the table definitions that the server formats
// for system.tables (engine_full, create_table_query and as_select), and the
// tables' columns. Formatting them is
// the costly part of reading system.tables: the server re-reads and
// re-formats every table's metadata. Entries are keyed by the table's name,
// UUID and metadata modification time and version, so a table that was
// altered, renamed or re-created is always read afresh.
type DefinitionCache interface {
	Get(DefinitionKey) (Definition, bool)
	Put(DefinitionKey, Definition)
}

// DefinitionKey identifies one version of a table's metadata.
type DefinitionKey struct {
	Database string `json:"database"`
	Name     string `json:"name"`
	UUID     string `json:"uuid"`
	// Modified is system.tables.metadata_modification_time, in Unix
	// seconds.
	Modified int64 `json:"modified"`
	// Version is system.tables.metadata_version.
	Version int32 `json:"version"`
}

// Definition is what the cache keeps for a table.
type Definition struct {
	EngineFull  string `json:"engine_full"`
	CreateQuery string `json:"create_table_query"`
	AsSelect    string `json:"as_select,omitempty"`
	// Parsed is what LiveOptions.Parser read from CreateQuery.
	Parsed *ParsedDefinition `json:"parsed,omitempty"`
	// Columns are the table's rows of system.columns, in position order,
	// when HasColumns.
	Columns    []LiveColumn `json:"columns,omitempty"`
	HasColumns bool         `json:"has_columns,omitempty"`
}

// LiveColumn is one row of system.columns as ReadLive reads it.
type LiveColumn struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	DefaultKind string `json:"default_kind,omitempty"`
	DefaultExpr string `json:"default_expr,omitempty"`
	Codec       string `json:"codec,omitempty"`
	Comment     string `json:"comment,omitempty"`
}

// ParsedDefinition is what a CreateParser read from a table's or a
// dictionary's create_table_query: the parts the system tables lack.
type ParsedDefinition struct {
	// Parser is the LiveOptions.ParserVersion that read it.
	Parser string `json:"parser"`
	// EngineName is the engine as the definition names it, which
	// system.tables.engine may not (Remote is listed as Distributed).
	EngineName         string   `json:"engine_name,omitempty"`
	EngineParams       []Expr   `json:"engine_params,omitempty"`
	TTL                TTL      `json:"ttl,omitempty"`
	Settings           Settings `json:"settings,omitempty"`
	PrimaryKeyExplicit bool     `json:"primary_key_explicit,omitempty"`
	// PrimaryKey is the PRIMARY KEY clause, for the engines whose
	// system.tables.primary_key is empty (Redis).
	PrimaryKey  PrimaryKey      `json:"primary_key,omitempty"`
	Constraints []*Constraint   `json:"constraints,omitempty"`
	ColumnTTL   map[string]Expr `json:"column_ttl,omitempty"`
	// ColumnSettings are the columns' own SETTINGS (…), which
	// system.columns lacks.
	ColumnSettings map[string]Settings `json:"column_settings,omitempty"`
	// IndexExprs are the skipping indexes' expressions as the definition
	// writes them: system.data_skipping_indices.expr has an ALIAS column
	// replaced by its expression.
	IndexExprs map[string]Expr `json:"index_exprs,omitempty"`
	Dictionary *Dictionary     `json:"dictionary,omitempty"`
	// Err says why the definition could not be read; the object is then
	// uncertain.
	Err string `json:"err,omitempty"`
}

// noCache is the cache of a ReadLive without one.
type noCache struct{}

func (noCache) Get(DefinitionKey) (Definition, bool) { return Definition{}, false }
func (noCache) Put(DefinitionKey, Definition)        {}

// MemoryCache is a DefinitionCache in memory, safe for concurrent use, that
// can be saved to and loaded from JSON.
type MemoryCache struct {
	mu      sync.Mutex
	entries map[DefinitionKey]Definition
	used    map[DefinitionKey]bool
}

var _ DefinitionCache = (*MemoryCache)(nil)

// NewMemoryCache returns an empty cache.
func NewMemoryCache() *MemoryCache {
	return &MemoryCache{entries: map[DefinitionKey]Definition{}, used: map[DefinitionKey]bool{}}
}

// Get implements DefinitionCache.
func (c *MemoryCache) Get(k DefinitionKey) (Definition, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d, ok := c.entries[k]
	if ok {
		c.used[k] = true
	}
	return d, ok
}

// Put implements DefinitionCache.
func (c *MemoryCache) Put(k DefinitionKey, d Definition) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries[k] = d
	c.used[k] = true
}

// Len returns the number of entries.
func (c *MemoryCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

type cacheEntry struct {
	Key DefinitionKey `json:"key"`
	Def Definition    `json:"def"`
}

// Save writes the entries that were read or written since the cache was
// created or loaded, so that definitions of dropped or altered tables do
// not pile up.
func (c *MemoryCache) Save(w io.Writer) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]cacheEntry, 0, len(c.used))
	for k := range c.used {
		out = append(out, cacheEntry{k, c.entries[k]})
	}
	return json.NewEncoder(w).Encode(out)
}

// LoadMemoryCache reads a cache written by Save.
func LoadMemoryCache(r io.Reader) (*MemoryCache, error) {
	var in []cacheEntry
	if err := json.NewDecoder(r).Decode(&in); err != nil {
		return nil, fmt.Errorf("schema: definition cache: %w", err)
	}
	c := NewMemoryCache()
	for _, e := range in {
		c.entries[e.Key] = e.Def
	}
	return c, nil
}
