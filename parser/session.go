package parser

// SessionKind is what a statement does to the ClickHouse session it runs
// in, beyond its own effect: the current database, the settings, the
// roles, the temporary tables, a transaction.
type SessionKind int

const (
	// SessionNone: the statement leaves its session as it found it (DDL,
	// INSERT, SELECT, GRANT, SYSTEM, ...; a query's own SETTINGS clause
	// ends with it).
	SessionNone SessionKind = iota
	// SessionUse: USE db changes the current database.
	SessionUse
	// SessionSet: SET name = value, ... or SET ROLE changes the session's
	// settings or roles. Running it again in a new session gives the same
	// session state.
	SessionSet
	// SessionTemporary: CREATE, DROP or TRUNCATE of a temporary table, which
	// lives in the session: its rows came from statements that ran before,
	// so a new session cannot simply get it back by running it again.
	SessionTemporary
	// SessionOther: a statement that may change the session in another way
	// (BEGIN, COMMIT, ROLLBACK, SET TRANSACTION SNAPSHOT) or one chschema
	// does not know.
	SessionOther
)

// String names the kind: none, use, set, temporary or other.
func (k SessionKind) String() string {
	switch k {
	case SessionUse:
		return "use"
	case SessionSet:
		return "set"
	case SessionTemporary:
		return "temporary"
	case SessionOther:
		return "other"
	}
	return "none"
}

// SessionEffect is what one statement does to its session.
type SessionEffect struct {
	Kind SessionKind
	// Use is the database of a USE.
	Use string
	// Settings are the settings of SET name = value, ..., values as the
	// server takes them (see SessionSettings); nil for SET ROLE and for a
	// SET whose settings chschema cannot read.
	Settings map[string]string
	// Temporary names the temporary table a CREATE TEMPORARY TABLE creates.
	Temporary string
	// Dropped names the table an unqualified DROP [TEMPORARY] TABLE drops:
	// in a session that has a temporary table of that name, that one.
	Dropped string
}

// sessionNeutral are the first words of statements that leave their
// session as they found it (unless they name a TEMPORARY table).
var sessionNeutral = map[string]bool{
	"CREATE": true, "ATTACH": true, "ALTER": true, "DROP": true, "DETACH": true, "RENAME": true,
	"EXCHANGE": true, "TRUNCATE": true, "UNDROP": true, "INSERT": true, "DELETE": true, "UPDATE": true,
	"OPTIMIZE": true, "SYSTEM": true, "KILL": true, "GRANT": true, "REVOKE": true, "SELECT": true,
	"WITH": true, "SHOW": true, "DESCRIBE": true, "DESC": true, "EXISTS": true, "CHECK": true,
	"EXPLAIN": true, "BACKUP": true, "RESTORE": true, "MOVE": true, "WATCH": true,
}

// SessionEffectOf reads what stmt does to its session (see SessionKind).
// It errs on the side of SessionOther: a statement it does not know may
// change the session.
func SessionEffectOf(stmt Statement) SessionEffect {
	toks := scanSQL(blankComments(stmt.Text))
	if len(toks) == 0 {
		return SessionEffect{}
	}
	word := func(i int) string {
		if i < len(toks) && toks[i].kind == 'w' {
			return toks[i].upper()
		}
		return ""
	}
	first := word(0)
	switch first {
	case "USE":
		if len(toks) >= 2 && toks[1].isName() {
			return SessionEffect{Kind: SessionUse, Use: identText(toks[1])}
		}
		return SessionEffect{Kind: SessionOther}
	case "SET":
		switch {
		case word(1) == "DEFAULT" && word(2) == "ROLE":
			return SessionEffect{} // a user's attribute, kept by the server
		case word(1) == "ROLE":
			return SessionEffect{Kind: SessionSet}
		case word(1) == "TRANSACTION":
			return SessionEffect{Kind: SessionOther}
		}
		set, _ := SessionSettings(stmt)
		return SessionEffect{Kind: SessionSet, Settings: set}
	}
	if !sessionNeutral[first] {
		return SessionEffect{Kind: SessionOther}
	}
	i := 1
	if word(i) == "OR" && word(i+1) == "REPLACE" {
		i += 2
	}
	temporary := word(i) == "TEMPORARY"
	if temporary {
		i++
	}
	switch first {
	case "CREATE", "ATTACH":
		if !temporary {
			return SessionEffect{}
		}
		e := SessionEffect{Kind: SessionTemporary}
		if word(i) == "TABLE" {
			j := i + 1
			if word(j) == "IF" && word(j+1) == "NOT" && word(j+2) == "EXISTS" {
				j += 3
			}
			if j < len(toks) && toks[j].isName() && (j+1 == len(toks) || toks[j+1].kind != '.') {
				e.Temporary = identText(toks[j])
			}
		}
		return e
	case "DROP":
		e := SessionEffect{}
		if temporary {
			e.Kind = SessionTemporary
		}
		if word(i) == "TABLE" {
			j := i + 1
			if word(j) == "IF" && word(j+1) == "EXISTS" {
				j += 2
			}
			if j < len(toks) && toks[j].isName() && (j+1 == len(toks) || toks[j+1].kind != '.') {
				e.Dropped = identText(toks[j])
			}
		}
		return e
	case "TRUNCATE":
		if temporary {
			return SessionEffect{Kind: SessionTemporary}
		}
	}
	return SessionEffect{}
}
