package parser

import (
	"errors"
	"fmt"

	"github.com/chschema/chschema/migrations"
)

// Pos is a position in a file: the migrations package's, so that lint and
// replay errors need no conversion.
type Pos = migrations.Pos

// FileStart is the position of a file's first byte.
var FileStart = migrations.FileStart

// TokenKind classifies a lexical token of ClickHouse SQL.
type TokenKind int

// The token kinds. Space and the comment kinds are returned too, so that a
// caller can reproduce the text exactly.
const (
	TokenEOF          TokenKind = iota
	TokenSpace                  // spaces, tabs, CR, LF, FF, VT
	TokenLineComment            // -- … or # … up to the end of the line
	TokenBlockComment           // /* … */, which may nest
	TokenString                 // '…' with backslash escapes and '' doubling
	TokenQuotedIdent            // `…` or "…"
	TokenHeredoc                // $tag$…$tag$
	TokenNumber                 // 1, 1.5, 1e-3, 0x1F
	TokenIdent                  // a bare word: identifier or keyword
	TokenSemicolon              // ;
	TokenPunct                  // any other single byte: ( ) , . = + - * / % $ { } …
)

var tokenKindNames = [...]string{"EOF", "space", "line comment", "block comment", "string",
	"quoted identifier", "heredoc", "number", "word", "';'", "punctuation"}

// String names the kind for messages.
func (k TokenKind) String() string {
	if int(k) < len(tokenKindNames) {
		return tokenKindNames[k]
	}
	return fmt.Sprintf("TokenKind(%d)", int(k))
}

// Token is one lexical token: src[Off:End].
type Token struct {
	Kind     TokenKind
	Off, End int
}

// ErrUnterminated is the sentinel for a string, quoted identifier, heredoc or
// block comment that runs to the end of the input.
var ErrUnterminated = errors.New("parser: unterminated")

// SyntaxError is a lexical error at a position in a file.
type SyntaxError struct {
	Pos Pos
	Msg string
	Err error // a sentinel such as ErrUnterminated, for errors.Is
}

// Error formats the error as line:col: message.
func (e *SyntaxError) Error() string { return fmt.Sprintf("%s: %s", e.Pos, e.Msg) }

// Unwrap returns the sentinel.
func (e *SyntaxError) Unwrap() error { return e.Err }

// Lexer splits ClickHouse SQL into tokens. It never panics on any input:
// invalid UTF-8 and control bytes come back as punctuation.
type Lexer struct {
	src string
	off int
}

// NewLexer returns a lexer over src.
func NewLexer(src string) *Lexer { return &Lexer{src: src} }

// lexError is an error at a byte offset of the lexer's input; callers turn the
// offset into a Pos.
type lexError struct {
	off int
	msg string
}

func (e *lexError) Error() string { return e.msg }

// Next returns the next token. At the end of input it returns a TokenEOF
// token. An unterminated construct is returned as an error at its first byte.
func (l *Lexer) Next() (Token, error) {
	src, i := l.src, l.off
	if i >= len(src) {
		return Token{Kind: TokenEOF, Off: i, End: i}, nil
	}
	start := i
	c := src[i]
	kind := TokenPunct
	switch {
	case isSpace(c):
		for i < len(src) && isSpace(src[i]) {
			i++
		}
		kind = TokenSpace
	case c == '-' && i+1 < len(src) && src[i+1] == '-', c == '#':
		for i < len(src) && src[i] != '\n' {
			i++
		}
		kind = TokenLineComment
	case c == '/' && i+1 < len(src) && src[i+1] == '*':
		depth := 0
		for {
			if i+1 >= len(src) {
				return Token{}, &lexError{start, "unterminated block comment"}
			}
			if src[i] == '/' && src[i+1] == '*' {
				depth++
				i += 2
			} else if src[i] == '*' && src[i+1] == '/' {
				depth--
				i += 2
				if depth == 0 {
					break
				}
			} else {
				i++
			}
		}
		kind = TokenBlockComment
	case c == '\'' || c == '`' || c == '"':
		j, ok := scanQuoted(src, i)
		if !ok {
			what := "string"
			if c != '\'' {
				what = "quoted identifier"
			}
			return Token{}, &lexError{start, fmt.Sprintf("unterminated %s starting with %c", what, c)}
		}
		i = j
		kind = TokenQuotedIdent
		if c == '\'' {
			kind = TokenString
		}
	case c == '$':
		if tagEnd, ok := heredocTag(src, i); ok {
			tag := src[i:tagEnd]
			j := indexFrom(src, tag, tagEnd)
			if j < 0 {
				return Token{}, &lexError{start, fmt.Sprintf("unterminated heredoc %s", tag)}
			}
			i = j + len(tag)
			kind = TokenHeredoc
		} else {
			i++
		}
	case c == ';':
		i++
		kind = TokenSemicolon
	case isDigit(c) || (c == '.' && i+1 < len(src) && isDigit(src[i+1])):
		i = scanNumber(src, i)
		kind = TokenNumber
	case isIdentStart(c):
		i++
		for i < len(src) && isIdentPart(src[i]) {
			i++
		}
		kind = TokenIdent
	default:
		i++
	}
	l.off = i
	return Token{Kind: kind, Off: start, End: i}, nil
}

// scanQuoted returns the offset after the quoted token starting at src[i],
// honouring backslash escapes and a doubled quote.
func scanQuoted(src string, i int) (int, bool) {
	q := src[i]
	i++
	for i < len(src) {
		switch src[i] {
		case '\\':
			i += 2
			continue
		case q:
			if i+1 < len(src) && src[i+1] == q {
				i += 2
				continue
			}
			return i + 1, true
		}
		i++
	}
	return len(src), false
}

// heredocTag reports whether src[i:] starts a heredoc tag $name$ (name may be
// empty) and returns the offset after it.
func heredocTag(src string, i int) (int, bool) {
	j := i + 1
	for j < len(src) && (isDigit(src[j]) || isLetter(src[j]) || src[j] == '_') {
		j++
	}
	if j < len(src) && src[j] == '$' {
		return j + 1, true
	}
	return 0, false
}

func indexFrom(s, sub string, from int) int {
	for i := from; i+len(sub) <= len(s); i++ {
		if s[i] == sub[0] && s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func scanNumber(src string, i int) int {
	for i < len(src) {
		c := src[i]
		switch {
		case isDigit(c) || isLetter(c) || c == '_' || c == '.':
			i++
		case (c == '+' || c == '-') && (src[i-1] == 'e' || src[i-1] == 'E') && !isHexPrefixed(src, i):
			i++
		case (c == '+' || c == '-') && (src[i-1] == 'p' || src[i-1] == 'P') && isHexPrefixed(src, i):
			i++ // a hexadecimal float's exponent: 0x1.8p-1
		default:
			return i
		}
	}
	return i
}

// isHexPrefixed reports whether the number ending just before i is a 0x
// literal, in which e/E is a digit, not an exponent.
func isHexPrefixed(src string, i int) bool {
	j := i - 1
	for j > 0 && (isDigit(src[j-1]) || isLetter(src[j-1]) || src[j-1] == '_' || src[j-1] == '.') {
		j--
	}
	return j+1 < len(src) && src[j] == '0' && (src[j+1] == 'x' || src[j+1] == 'X')
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}
func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isLetter(c byte) bool     { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isIdentStart(c byte) bool { return isLetter(c) || c == '_' || c >= 0x80 }
func isIdentPart(c byte) bool  { return isIdentStart(c) || isDigit(c) || c == '$' }

// IsTrivia reports whether the kind is space or a comment.
func (k TokenKind) IsTrivia() bool {
	return k == TokenSpace || k == TokenLineComment || k == TokenBlockComment
}
