// Package migrations finds and reads migration directories: services,
// sequential IDs, up and down sections, template variables, the init SQL,
// checksums and the sum file. It knows no SQL.
package migrations
