package migrations

import (
	"sort"
	"strings"
)

// Rendered is a section with its template variables substituted. It maps
// offsets in Text back to positions in the raw file. It is not safe for
// concurrent use (FilePos builds a line index on first use).
type Rendered struct {
	// Text is the SQL after substitution.
	Text string
	// Section is the section it was rendered from.
	Section *Section
	// segs map Text back to Section.Text, in order of Out.
	segs []segment
	// lineStarts are the offsets in Section.Text where lines start.
	lineStarts []int
}

// segment is a run of Text: either a literal copy of Section.Text[In:In+N]
// (Subst false), or a variable's value that replaced the ${NAME} at In.
type segment struct {
	Out, In, N int
	Subst      bool
	Name       string // the variable, when Subst
}

// Substitution is one ${NAME} of a section, replaced by its value in a
// Rendered text.
type Substitution struct {
	// Name is the variable's name.
	Name string
	// Out and End delimit the value in Rendered.Text.
	Out, End int
	// In is the offset of the ${NAME}'s '$' in Section.Text.
	In int
}

// Substitutions returns the ${NAME}s replaced in r.Text, in order. Two
// renderings of one section with the same variables defined have the same
// substitutions (values apart), and the same literal text between them.
func (r *Rendered) Substitutions() []Substitution {
	var out []Substitution
	for _, s := range r.segs {
		if s.Subst {
			out = append(out, Substitution{Name: s.Name, Out: s.Out, End: s.Out + s.N, In: s.In})
		}
	}
	return out
}

// RawPos returns the file position of byte off of the raw section text
// (Section.Text), for example of a Substitution's In.
func (r *Rendered) RawPos(off int) Pos { return r.posIn(off) }

// FilePos returns the position in the raw file of byte off of r.Text. A
// byte inside a substituted value maps to the '$' of its ${NAME}.
func (r *Rendered) FilePos(off int) Pos {
	in := off
	if len(r.segs) > 0 {
		i := sort.Search(len(r.segs), func(i int) bool { return r.segs[i].Out > off }) - 1
		if i < 0 {
			i = 0
		}
		s := r.segs[i]
		in = s.In
		if !s.Subst {
			in += off - s.Out
		}
	}
	in = min(max(in, 0), len(r.Section.Text))
	if r.lineStarts == nil {
		r.lineStarts = []int{0}
		for i := 0; i < len(r.Section.Text); i++ {
			if r.Section.Text[i] == '\n' {
				r.lineStarts = append(r.lineStarts, i+1)
			}
		}
	}
	line := sort.Search(len(r.lineStarts), func(i int) bool { return r.lineStarts[i] > in }) - 1
	start := r.Section.Start
	if line == 0 {
		return Pos{Offset: start.Offset + in, Line: start.Line, Col: start.Col + in}
	}
	return Pos{Offset: start.Offset + in, Line: start.Line + line, Col: 1 + in - r.lineStarts[line]}
}

// Render substitutes ${NAME} with vars[NAME]; $${ stands for a literal ${.
// A NAME is a letter or '_' followed by letters, digits and '_'. Every
// undefined variable (ErrUndefinedVar) and malformed ${ (ErrBadTemplate) is
// reported, in an ErrorList, at its file position; the Rendered value is
// returned even then, with undefined variables left as written.
func (s *Section) Render(vars map[string]string) (*Rendered, error) {
	r := &Rendered{Section: s}
	text := s.Text
	if !strings.Contains(text, "${") {
		r.Text = text
		return r, nil
	}
	var b strings.Builder
	b.Grow(len(text))
	var errs ErrorList
	lit := 0 // start of the pending literal run in text
	flush := func(end int) {
		if end > lit {
			r.segs = append(r.segs, segment{Out: b.Len(), In: lit, N: end - lit})
			b.WriteString(text[lit:end])
		}
	}
	for i := 0; i < len(text); {
		j := strings.Index(text[i:], "${")
		if j < 0 {
			break
		}
		j += i
		if j > 0 && text[j-1] == '$' { // $${ → ${
			flush(j - 1)
			lit = j
			i = j + 2
			continue
		}
		name, ok := varName(text[j+2:])
		if !ok {
			errs = append(errs, &Error{File: s.File, Pos: r.posIn(j), Err: ErrBadTemplate,
				Msg: "malformed template variable: expected ${NAME} with NAME a letter or '_' then letters, digits or '_'; write $${ for a literal ${"})
			i = j + 2
			continue
		}
		end := j + 2 + len(name) + 1
		value, defined := vars[name]
		if !defined {
			errs = append(errs, &Error{File: s.File, Pos: r.posIn(j), Err: ErrUndefinedVar,
				Msg: "undefined template variable ${" + name + "}: set it with --var " + name + "=VALUE or CHSCHEMA_VAR_" + name})
			i = end
			continue
		}
		flush(j)
		r.segs = append(r.segs, segment{Out: b.Len(), In: j, N: len(value), Subst: true, Name: name})
		b.WriteString(value)
		lit = end
		i = end
	}
	flush(len(text))
	r.Text = b.String()
	return r, errs.Err()
}

// posIn is the file position of byte off of the raw section text.
func (r *Rendered) posIn(off int) Pos {
	saved := r.segs
	r.segs = nil
	p := r.FilePos(off)
	r.segs = saved
	return p
}

// varName returns the NAME of "NAME}…".
func varName(s string) (string, bool) {
	i := 0
	for i < len(s) && (s[i] == '_' || s[i]|0x20 >= 'a' && s[i]|0x20 <= 'z' || i > 0 && s[i] >= '0' && s[i] <= '9') {
		i++
	}
	if i == 0 || i >= len(s) || s[i] != '}' {
		return "", false
	}
	return s[:i], true
}
