package parser

// InterimStatement is a statement cut by the interim splitter, for tests.
type InterimStatement struct {
	Text string
	Line int
}

// SplitInterim exposes the interim statement splitter to the tests.
func SplitInterim(src string) []InterimStatement {
	var out []InterimStatement
	for _, sp := range splitStatementsInterim(src) {
		p := advance(startPos, src[:sp.off])
		out = append(out, InterimStatement{Text: src[sp.off:sp.end], Line: p.Line})
	}
	return out
}
