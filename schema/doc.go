// Package schema is the model of a ClickHouse schema: databases, tables,
// columns, views, materialized views, dictionaries and functions. It holds
// replay (model + change → model), reading the live schema from system
// tables, and canonical rendering back to SQL.
package schema
