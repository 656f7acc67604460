package plan

import "testing"

// TestTemplateDatabases: database names with a variable become ${VAR} where
// they name a database, and nowhere else.
func TestTemplateDatabases(t *testing.T) {
	vars := map[string]string{"xapi": "XAPI_DB", "odd`name": "ODD_DB"}
	tests := []struct{ in, want string }{
		{"ALTER TABLE `xapi`.`events` ADD COLUMN `x` UInt8", "ALTER TABLE ${XAPI_DB}.`events` ADD COLUMN `x` UInt8"},
		{"CREATE DATABASE `xapi`", "CREATE DATABASE ${XAPI_DB}"},
		{"DROP DATABASE xapi", "DROP DATABASE ${XAPI_DB}"},
		{"CREATE VIEW xapi.v AS SELECT xapi.t.a FROM xapi.t", "CREATE VIEW ${XAPI_DB}.v AS SELECT ${XAPI_DB}.t.a FROM ${XAPI_DB}.t"},
		{"CREATE DICTIONARY `xapi`.`d` (`k` UInt64) PRIMARY KEY k SOURCE(CLICKHOUSE(DB 'xapi' TABLE 'src')) LAYOUT(FLAT()) LIFETIME(0)",
			"CREATE DICTIONARY ${XAPI_DB}.`d` (`k` UInt64) PRIMARY KEY k SOURCE(CLICKHOUSE(DB '${XAPI_DB}' TABLE 'src')) LAYOUT(FLAT()) LIFETIME(0)"},
		{"RENAME TABLE `odd``name`.`a` TO `odd``name`.`b`", "RENAME TABLE ${ODD_DB}.`a` TO ${ODD_DB}.`b`"},
		// Not database names: a column, a string, a table named like the
		// database, a comment, another database.
		{"ALTER TABLE other.xapi ADD COLUMN `xapi` String DEFAULT 'xapi.events' COMMENT 'xapi'", "ALTER TABLE other.xapi ADD COLUMN `xapi` String DEFAULT 'xapi.events' COMMENT 'xapi'"},
		{"SELECT 1 -- xapi.t", "SELECT 1 -- xapi.t"},
	}
	for _, tt := range tests {
		if got := templateDatabases(tt.in, vars); got != tt.want {
			t.Errorf("templateDatabases(%q)\n= %q\nwant %q", tt.in, got, tt.want)
		}
	}
	if got := templateDatabases("DROP DATABASE xapi", nil); got != "DROP DATABASE xapi" {
		t.Errorf("without variables: %q", got)
	}
}
