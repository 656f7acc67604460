package parser

import (
	"fmt"
	"slices"
	"sort"

	"github.com/chschema/chschema/migrations"
)

// varPlaceholder stands for every variable when a section's structure is read
// from the text as written: one identifier byte, which cannot start a string,
// quoted identifier, heredoc, comment or ';', and has no inside.
const varPlaceholder = "x"

// SplitSection renders sec's template variables with vars and splits the
// result into statements. It is the one way every command (lint, schema,
// migrate, diff, ...) turns a section into the statements it runs.
//
// A value is spliced into the SQL as written, so a value could end a string
// early, start a comment, or add a ';' and with it a statement. SplitSection
// refuses that: the section's structure is read from the text as written,
// with each ${NAME} an opaque one-letter word, and the rendered text must
// lex to the same strings, quoted identifiers, heredocs, comments and
// semicolons, at the same places (moved only by the values' lengths). A
// value in open code may hold complete strings, quoted identifiers and
// comments of its own (ON CLUSTER '{cluster}'), but no ';' and nothing that
// runs past its end. A value that breaks this is an ErrUnsafeValue
// *migrations.Error at its ${NAME}'s file position, naming the variable.
//
// Statement positions are in the rendered text: map them to the file with the
// returned Rendered's FilePos. The error is a migrations.ErrorList
// (undefined variables, unsafe values; file positions), or a *SyntaxError at
// an unterminated construct of the text as written (its Pos in the rendered
// text, like Split's). The Rendered is nil only with an ErrorList.
func SplitSection(sec *migrations.Section, vars map[string]string) (*migrations.Rendered, []Statement, error) {
	r, err := sec.Render(vars)
	if err != nil {
		return r, nil, err
	}
	subs := r.Substitutions()
	if len(subs) > 0 {
		names := map[string]string{}
		for _, s := range subs {
			names[s.Name] = varPlaceholder
		}
		p, err := sec.Render(names)
		if err != nil {
			return r, nil, err
		}
		c := &structureCheck{sec: sec, p: p, r: r, psubs: p.Substitutions(), rsubs: subs}
		if bad, se := c.check(); se != nil {
			return r, statementsBefore(r.Text, se.Pos.Offset), se
		} else if bad != nil {
			return r, nil, migrations.ErrorList{bad}
		}
	}
	stmts, err := Split(r.Text, FileStart)
	return r, stmts, err
}

// statementsBefore returns the statements Split finds in src before byte
// off, where a lexical error is: those ended by a ';', as Split returns on an
// error.
func statementsBefore(src string, off int) []Statement {
	stmts, _ := Split(src[:off], FileStart)
	if n := len(stmts); n > 0 {
		tail, _ := structureOf(src[stmts[n-1].Pos.Offset+len(stmts[n-1].Text) : off])
		if !slices.ContainsFunc(tail, func(t Token) bool { return t.Kind == TokenSemicolon }) {
			stmts = stmts[:n-1]
		}
	}
	return stmts
}

// structureCheck compares the structure of a section rendered with
// placeholders (p) and with the real values (r).
type structureCheck struct {
	sec          *migrations.Section
	p, r         *migrations.Rendered
	psubs, rsubs []migrations.Substitution
	// code[k] is true when substitution k stands in open code, not inside
	// a string, quoted identifier, heredoc or comment.
	code []bool
}

// structural reports whether a token kind delimits text a value must not
// change: strings, quoted identifiers, heredocs, comments and ';'.
func structural(k TokenKind) bool {
	switch k {
	case TokenString, TokenQuotedIdent, TokenHeredoc, TokenLineComment, TokenBlockComment, TokenSemicolon:
		return true
	}
	return false
}

// structureOf lexes src and returns its structural tokens; on a lexical
// error, the tokens before it and the error.
func structureOf(src string) ([]Token, *lexError) {
	var out []Token
	lx := NewLexer(src)
	for {
		tok, err := lx.Next()
		if err != nil {
			le, _ := err.(*lexError)
			if le == nil {
				le = &lexError{off: lx.off, msg: err.Error()}
			}
			return out, le
		}
		if tok.Kind == TokenEOF {
			return out, nil
		}
		if structural(tok.Kind) {
			out = append(out, tok)
		}
	}
}

// check returns the first unsafe value, or a *SyntaxError (in r's
// coordinates) when the text as written does not lex.
func (c *structureCheck) check() (*migrations.Error, *SyntaxError) {
	ptoks, perr := structureOf(c.p.Text)
	if perr != nil {
		return nil, &SyntaxError{Pos: FileStart.Advance(c.r.Text[:c.toR(perr.off)]), Msg: perr.msg, Err: ErrUnterminated}
	}
	c.code = make([]bool, len(c.psubs))
	for k, s := range c.psubs {
		i := sort.Search(len(ptoks), func(i int) bool { return ptoks[i].End > s.Out })
		c.code[k] = i == len(ptoks) || ptoks[i].Off > s.Out
	}
	rtoks, rerr := structureOf(c.r.Text)
	pi := 0
	for _, t := range rtoks {
		if k := c.codeValueAt(t.Off); k >= 0 {
			switch {
			case t.Kind == TokenSemicolon:
				return c.unsafe(k, "it holds a ';', which would end the statement there"), nil
			case t.End > c.rsubs[k].End:
				return c.unsafe(k, fmt.Sprintf("it starts a %s that does not end within the value", t.Kind)), nil
			}
			continue
		}
		if pi == len(ptoks) {
			return c.unsafe(c.culprit(t.Off, -1), fmt.Sprintf("it would start a %s", t.Kind)), nil
		}
		p := ptoks[pi]
		pi++
		pOff, pEnd := c.toR(p.Off), c.toR(p.End)
		switch {
		case pOff == t.Off && pEnd == t.End && p.Kind == t.Kind:
		case pOff == t.Off:
			return c.unsafe(c.culprit(min(pEnd, t.End)-1, 1), fmt.Sprintf("it would change where the %s at %s ends", p.Kind, c.p.FilePos(p.Off))), nil
		case t.Off < pOff:
			return c.unsafe(c.culprit(t.Off, -1), fmt.Sprintf("it would start a %s before the %s at %s", t.Kind, p.Kind, c.p.FilePos(p.Off))), nil
		default:
			return c.unsafe(c.culprit(pOff, -1), fmt.Sprintf("it would swallow the %s at %s", p.Kind, c.p.FilePos(p.Off))), nil
		}
	}
	if rerr != nil {
		if k := c.codeValueAt(rerr.off); k >= 0 {
			return c.unsafe(k, "it starts an "+rerr.msg), nil
		}
		what := rerr.msg
		if pi < len(ptoks) && c.toR(ptoks[pi].Off) == rerr.off {
			p := ptoks[pi]
			return c.unsafe(c.culprit(c.toR(p.End)-1, 1), fmt.Sprintf("the %s at %s would not end where it does (%s)", p.Kind, c.p.FilePos(p.Off), what)), nil
		}
		return c.unsafe(c.culprit(rerr.off, -1), "it would leave an "+what), nil
	}
	if pi < len(ptoks) {
		p := ptoks[pi]
		return c.unsafe(c.culprit(c.toR(p.Off), -1), fmt.Sprintf("it would swallow the %s at %s", p.Kind, c.p.FilePos(p.Off))), nil
	}
	return nil, nil
}

// toR maps a token boundary of p's text to r's: the texts agree outside
// the substitutions, and a boundary is never inside a one-byte varPlaceholder.
func (c *structureCheck) toR(off int) int {
	j := sort.Search(len(c.psubs), func(i int) bool { return c.psubs[i].End > off }) - 1
	if j < 0 {
		return off
	}
	return c.rsubs[j].End + off - c.psubs[j].End
}

// codeValueAt returns the substitution in open code whose value holds byte
// off of r's text, or -1.
func (c *structureCheck) codeValueAt(off int) int {
	k := c.valueAt(off)
	if k >= 0 && c.code[k] {
		return k
	}
	return -1
}

// valueAt returns the substitution whose value holds byte off of r's text,
// or -1.
func (c *structureCheck) valueAt(off int) int {
	k := sort.Search(len(c.rsubs), func(i int) bool { return c.rsubs[i].End > off })
	if k < len(c.rsubs) && c.rsubs[k].Out <= off {
		return k
	}
	return -1
}

// culprit names the substitution most likely to have changed the structure
// at byte off of r's text: the one holding off, else the nearest one in the
// direction dir (1: at or before off, the end of a token that ended early;
// -1: after off, a token that started early), else the nearest the other
// way.
func (c *structureCheck) culprit(off, dir int) int {
	if k := c.valueAt(off); k >= 0 {
		return k
	}
	after := sort.Search(len(c.rsubs), func(i int) bool { return c.rsubs[i].Out > off })
	before := after - 1
	if dir < 0 && after < len(c.rsubs) || before < 0 {
		return min(after, len(c.rsubs)-1)
	}
	return before
}

// unsafe is the error for substitution k.
func (c *structureCheck) unsafe(k int, why string) *migrations.Error {
	s := c.rsubs[k]
	return &migrations.Error{File: c.sec.File, Pos: c.r.RawPos(s.In), Err: migrations.ErrUnsafeValue,
		Msg: fmt.Sprintf("the value of ${%s} cannot be spliced in here: %s; a value must not end or start a string, quoted identifier, heredoc, comment or statement of the SQL as written", s.Name, why)}
}
