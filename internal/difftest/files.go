package difftest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing/fstest"
)

// Placed is where a statement sits in the migration files.
type Placed struct {
	File      string
	Line, Col int
}

// Layout writes statements as migration files: one or two services, each a
// run of migrations of one to six statements, in `-- +up`/`-- +down` files
// or .up.sql/.down.sql pairs, with the separators and comments people
// write. Services replay in name order, so the statements keep their order.
// It returns the files and each statement's position.
func Layout(seed uint64, stmts []string) (fstest.MapFS, []Placed) {
	rnd := rand.New(rand.NewPCG(seed, 7))
	fsys := fstest.MapFS{}
	placed := make([]Placed, len(stmts))
	services := []string{"a"}
	split := len(stmts)
	if len(stmts) > 3 && rnd.IntN(3) == 0 {
		services = []string{"a", "b"}
		split = 1 + rnd.IntN(len(stmts)-1)
	}
	i := 0
	for si, svc := range services {
		end := split
		if si == 1 {
			end = len(stmts)
		}
		version := 1
		for i < end {
			n := 1 + rnd.IntN(6)
			if i+n > end {
				n = end - i
			}
			pair := rnd.IntN(4) == 0
			var b strings.Builder
			name := fmt.Sprintf("%s/%04d_m%d", svc, version, version)
			file := name + ".sql"
			if pair {
				file = name + ".up.sql"
			} else {
				b.WriteString(pickStr(rnd, "-- +up\n", "-- a migration\n-- +up\n", "\n-- +up\n"))
			}
			for j := i; j < i+n; j++ {
				line, col := lineCol(b.String())
				placed[j] = Placed{File: file, Line: line, Col: col}
				b.WriteString(escapeTemplate(stmts[j]))
				last := j == i+n-1
				switch {
				case last && rnd.IntN(5) == 0:
					b.WriteString("\n")
				case rnd.IntN(6) == 0:
					b.WriteString("; -- done\n")
				case rnd.IntN(8) == 0:
					b.WriteString(";\n/* next */\n")
				case rnd.IntN(5) == 0:
					b.WriteString(";\n\n")
				case rnd.IntN(10) == 0:
					b.WriteString("; ")
				default:
					b.WriteString(";\n")
				}
			}
			if pair {
				fsys[file] = &fstest.MapFile{Data: []byte(b.String())}
				fsys[name+".down.sql"] = &fstest.MapFile{Data: []byte("-- no-op\n")}
			} else {
				b.WriteString("\n-- +down\n-- no-op\n")
				fsys[file] = &fstest.MapFile{Data: []byte(b.String())}
			}
			i += n
			version++
		}
	}
	return fsys, placed
}

func pickStr(rnd *rand.Rand, xs ...string) string { return xs[rnd.IntN(len(xs))] }

// lineCol is the 1-based line and byte column after text.
func lineCol(text string) (int, int) {
	line := 1 + strings.Count(text, "\n")
	return line, len(text) - strings.LastIndex(text, "\n")
}

// escapeTemplate writes a `${` that is not one of the tester's placeholders
// as `$${`, the template syntax for a literal `${`.
func escapeTemplate(sql string) string {
	var b strings.Builder
	for i := 0; i < len(sql); i++ {
		if strings.HasPrefix(sql[i:], "${") && !strings.HasPrefix(sql[i:], DBVar) && !strings.HasPrefix(sql[i:], FnVar) {
			b.WriteString("$${")
			i++
			continue
		}
		b.WriteByte(sql[i])
	}
	return b.String()
}

// Substitute replaces the placeholders with a case's names, as the server
// sees the statement.
func Substitute(sql, db, fn string) string {
	return strings.NewReplacer(DBVar, db, FnVar, fn).Replace(sql)
}
