package parser

// UseDatabase sets the session database for the unqualified names of the
// statements replayed next, as when a new file (a new session) starts.
func (r *Replayer) UseDatabase(db string) { r.database = db }
