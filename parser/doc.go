// Package parser turns SQL text into statements, and statements into schema
// changes, on top of AfterShip's clickhouse-sql-parser. It owns statement
// splitting and positions.
package parser
