// Package schema is the model of a ClickHouse schema and what works on it.
//
//   - The model (schema.go): Schema → Database → Table, View, Dictionary,
//     and server-wide Functions; a pointer graph with back-pointers and
//     (T, bool) lookups. Values are held in the canonical form the server
//     prints in its system tables (types, default expressions, codecs, keys,
//     TTL, settings), so two models compare field by field. Objects that
//     statements the model cannot follow may have touched carry Uncertainty
//     records; comparisons must skip them.
//   - Changes (changes.go): typed changes, atlas-style (AddTable, DropObject,
//     ModifyTable{AddColumn, ModifyColumn, ...}, ...), which Apply replays
//     (apply.go) with the server's refusal rules, and which a diff can return.
//   - ReadLive (live.go): the live model, read from the system tables one
//     query each (concurrently), with a CreateParser (the parser package's
//     CreateReader) for what the system tables do not hold, a definition
//     cache, and notes for what older servers lack.
//   - Render (render.go): canonical SQL, one CREATE per object in dependency
//     order, in the form of system.tables.create_table_query.
//
// The package imports none of chschema's packages.
package schema
