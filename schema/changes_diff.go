package schema

// Changes that only a diff produces: they have no single ALTER statement
// (an engine or a partition key cannot be altered in place) or they replace
// a whole object. Apply does not replay them yet; a declarative planner
// turns them into a rebuild.

// ChangePosition marks a ModifyColumn that moves a column (After/First).
const ChangePosition ColumnChangeKind = 1 << 8

// Table-level changes, inside ModifyTable, that the diff reports.
type (
	// ModifyEngine says the table engine or its parameters differ.
	ModifyEngine struct{ From, To Engine }
	// ModifyPartitionBy says the partition key differs.
	ModifyPartitionBy struct{ From, To PartitionBy }
	// ModifyPrimaryKey says the primary key differs.
	ModifyPrimaryKey struct{ From, To PrimaryKey }
	// ModifyViewTarget says a materialized view writes to another table
	// (To nil: into an inner table).
	ModifyViewTarget struct{ From, To *QualifiedName }
	// ModifyViewStorage says the inner table of a materialized view without
	// TO is stored differently.
	ModifyViewStorage struct{ From, To *Storage }
)

// ModifyDictionary says a dictionary's definition differs. Dictionaries have
// no ALTER: the change is a CREATE OR REPLACE DICTIONARY with To.
type ModifyDictionary struct {
	Name     QualifiedName
	From, To *Dictionary
}

// ModifyFunction says a SQL function's definition differs: a CREATE OR
// REPLACE FUNCTION with To.
type ModifyFunction struct{ From, To *Function }

func (*ModifyEngine) change()      {}
func (*ModifyPartitionBy) change() {}
func (*ModifyPrimaryKey) change()  {}
func (*ModifyViewTarget) change()  {}
func (*ModifyViewStorage) change() {}
func (*ModifyDictionary) change()  {}
func (*ModifyFunction) change()    {}
