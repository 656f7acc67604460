package difftest

import "slices"

// constructs are the statement kinds the generator draws from, with their
// weights. Adding a construct is adding one line here and one function.
var constructs = []Construct{
	{Name: "create-table", Weight: 30, Gen: genCreateTable},
	{Name: "create-view", Weight: 6, Gen: genCreateView},
	{Name: "create-mv", Weight: 5, Gen: genCreateMV},
	{Name: "create-refreshable-mv", Weight: 2, Gen: genRefreshableMV},
	{Name: "create-window-view", Weight: 1, Gen: genWindowView},
	{Name: "create-dictionary", Weight: 6, Gen: genCreateDictionary},
	{Name: "create-function", Weight: 3, Gen: genCreateFunction},
	{Name: "create-database", Weight: 2, Gen: genCreateDatabase},
	{Name: "create-table-as", Weight: 3, Gen: genCreateTableAs},
	{Name: "create-table-as-select", Weight: 1, Gen: genCreateTableAsSelect},
	{Name: "recreate", Weight: 2, Gen: genRecreate},
	{Name: "alter", Weight: 40, Gen: genAlter},
	{Name: "modify-query", Weight: 3, Gen: genModifyQuery},
	{Name: "modify-refresh", Weight: 2, Gen: genModifyRefresh},
	{Name: "rename", Weight: 4, Gen: genRename},
	{Name: "exchange", Weight: 2, Gen: genExchange},
	{Name: "drop", Weight: 5, Gen: genDrop},
	{Name: "drop-database", Weight: 1, Gen: genDropDatabase},
	{Name: "rename-database", Weight: 1, Gen: genRenameDatabase},
	{Name: "detach-database", Weight: 1, Gen: genDetachDatabase},
	{Name: "attach-database", Weight: 5, Gen: genAttachDatabase},
	{Name: "drop-function", Weight: 1, Gen: genDropFunction},
	{Name: "data", Weight: 5, Gen: genData},
	{Name: "statement-form", Weight: 8, Gen: genStatementForm},
}

// viewEngines are created by their own statements, not by ENGINE =.
var viewEngines = []string{"View", "MaterializedView", "WindowView"}

// bonusEngines need an outside system to work, so they are excluded from
// coverage, but the server creates them without connecting: the model must
// read them all the same.
var bonusEngines = []string{"URL", "S3", "MySQL", "PostgreSQL", "MongoDB", "Redis", "SQLite", "HDFS"}

// genCreateTable makes a table of an engine the catalog lists: a usable one
// mostly, one of the bonus engines now and then.
func genCreateTable(g *Gen) (Stmt, bool) {
	var mergeTrees, others []string
	for _, e := range g.cat.Usable(SurfaceEngine) {
		switch {
		case slices.Contains(viewEngines, e):
		case isMergeTree(e):
			mergeTrees = append(mergeTrees, e)
		default:
			others = append(others, e)
		}
	}
	var bonus []string
	for _, e := range bonusEngines {
		if g.cat.engine(e).Name != "" {
			bonus = append(bonus, e)
		}
	}
	// Real schemas are mostly MergeTree tables: half of the tables are.
	engines := others
	switch {
	case g.chance(0.05) && len(bonus) > 0:
		engines = bonus
	case g.chance(0.5) && len(mergeTrees) > 0:
		engines = mergeTrees
	}
	if len(engines) == 0 {
		return Stmt{}, false
	}
	return g.createTableWith(pick(g, engines))
}
