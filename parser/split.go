package parser

import "errors"

// Statement is one SQL statement cut from a file. Text runs from the first
// byte of the statement's first token to the end of its last token, without
// the terminating ';' and without comments before or after it; comments
// inside it are kept.
type Statement struct {
	Text string
	// Pos is the file position of Text's first byte.
	Pos Pos
}

// End returns the file position just after the statement's last byte.
func (s Statement) End() Pos { return s.Pos.Advance(s.Text) }

// PosAt returns the file position of byte offset off within Text.
func (s Statement) PosAt(off int) Pos {
	if off < 0 {
		off = 0
	}
	if off > len(s.Text) {
		off = len(s.Text)
	}
	return s.Pos.Advance(s.Text[:off])
}

// Split cuts src into statements at the semicolons that are outside strings,
// quoted identifiers, heredocs and comments. start is the file position of
// src's first byte, so that statement positions are file positions.
// Statements made only of comments and space are dropped. On a lexical error
// Split returns the statements before it and a *SyntaxError at the
// unterminated construct's first byte.
func Split(src string, start Pos) ([]Statement, error) {
	var stmts []Statement
	lx := NewLexer(src)
	pos := start         // position of the next token
	first, last := -1, 0 // byte range of the current statement's significant tokens
	var firstPos Pos
	for {
		tok, err := lx.Next()
		if err != nil {
			var le *lexError
			if errors.As(err, &le) { // le.off is the failing token's start: pos
				return stmts, &SyntaxError{Pos: pos, Msg: le.msg, Err: ErrUnterminated}
			}
			return stmts, err
		}
		switch {
		case tok.Kind == TokenEOF, tok.Kind == TokenSemicolon:
			if first >= 0 {
				stmts = append(stmts, Statement{Text: src[first:last], Pos: firstPos})
			}
			if tok.Kind == TokenEOF {
				return stmts, nil
			}
			first = -1
		case tok.Kind.IsTrivia():
		default:
			if first < 0 {
				first, firstPos = tok.Off, pos
			}
			last = tok.End
		}
		pos = pos.Advance(src[tok.Off:tok.End])
	}
}
