package parser

import (
	"fmt"
	"strings"

	"github.com/chschema/chschema/schema"
)

// readTTL formats a TTL clause as the server prints it: each rule's
// expression, then TO DISK/TO VOLUME/RECOMPRESS (DELETE is the default and
// is not printed), WHERE and GROUP BY.
func (c *converter) readTTL(items []sqlTok) (string, error) {
	var rules []string
	for _, seg := range splitTopLevel(items) {
		if len(seg) == 0 {
			continue
		}
		// Find the first top-level rule keyword.
		cut := len(seg)
		depth := 0
		for i, t := range seg {
			switch t.kind {
			case '(':
				depth++
			case ')':
				depth--
			case 'w':
				if depth == 0 && i > 0 {
					switch t.upper() {
					case "DELETE", "TO", "RECOMPRESS", "WHERE", "GROUP":
						if cut == len(seg) {
							cut = i
						}
					}
				}
			}
		}
		e, err := c.exprAt(seg[0].off, seg[cut-1].end)
		if err != nil {
			return "", &offsetError{Offset: seg[0].off, Err: fmt.Errorf("%w: TTL: %v", ErrSyntax, firstLine(err.Error()))}
		}
		rule := c.fmt.expr(e)
		rest := seg[cut:]
		for len(rest) > 0 {
			w := rest[0].upper()
			switch {
			case w == "DELETE":
				rest = rest[1:]
			case w == "TO" && len(rest) >= 3:
				rule += " TO " + strings.ToUpper(rest[1].text) + " " + schema.QuoteString(unquoteLiteral(rest[2].text))
				rest = rest[3:]
			case w == "RECOMPRESS" && len(rest) >= 2:
				end := len(rest)
				for k := 1; k < len(rest); k++ {
					if rest[k].kind == 'w' && (rest[k].upper() == "WHERE" || rest[k].upper() == "GROUP") {
						end = k
						break
					}
				}
				body := c.orig[rest[1].off:rest[end-1].end]
				body = strings.TrimSpace(body)
				if open := strings.IndexByte(body, '('); open >= 0 && strings.HasSuffix(body, ")") {
					body = body[open+1 : len(body)-1]
				}
				rule += " RECOMPRESS " + NormalizeCodec(body, "")
				rest = rest[end:]
			case w == "WHERE" || w == "GROUP":
				// WHERE cond [GROUP BY ...], as written: the expressions are
				// formatted, the rest kept.
				end := len(rest)
				if len(rest) < 2 {
					return "", &offsetError{Offset: rest[0].off, Err: fmt.Errorf("%w: TTL: %s without a condition", ErrSyntax, w)}
				}
				if w == "WHERE" {
					for k := 1; k < len(rest); k++ {
						if rest[k].kind == 'w' && rest[k].upper() == "GROUP" {
							end = k
							break
						}
					}
					if end < 2 {
						return "", c.syntax(rest[0].off, "TTL: expected a condition after WHERE")
					}
					we, err := c.exprAt(rest[1].off, rest[end-1].end)
					if err != nil {
						return "", &offsetError{Offset: rest[1].off, Err: fmt.Errorf("%w: TTL WHERE: %v", ErrSyntax, firstLine(err.Error()))}
					}
					rule += " WHERE " + c.fmt.expr(we)
				} else {
					g, err := c.ttlGroupBy(rest[:end])
					if err != nil {
						return "", err
					}
					rule += " " + g
				}
				rest = rest[end:]
			default:
				return "", c.syntax(rest[0].off, "TTL: unexpected %q", rest[0].text)
			}
		}
		rules = append(rules, rule)
	}
	return strings.Join(rules, ", "), nil
}

// ttlGroupBy formats a TTL rule's "GROUP BY keys [SET name = expr, ...]".
func (c *converter) ttlGroupBy(toks []sqlTok) (string, error) {
	if len(toks) < 3 || toks[1].upper() != "BY" {
		return "", c.syntax(toks[0].off, "TTL: expected GROUP BY")
	}
	setAt := len(toks)
	for i, t := range toks {
		if t.kind == 'w' && t.upper() == "SET" {
			setAt = i
			break
		}
	}
	var keys []string
	for _, seg := range splitTopLevel(toks[2:setAt]) {
		if len(seg) == 0 {
			continue
		}
		e, err := c.exprAt(seg[0].off, seg[len(seg)-1].end)
		if err != nil {
			return "", &offsetError{Offset: seg[0].off, Err: fmt.Errorf("%w: TTL GROUP BY: %v", ErrSyntax, firstLine(err.Error()))}
		}
		keys = append(keys, c.fmt.expr(e))
	}
	out := "GROUP BY " + strings.Join(keys, ", ")
	if setAt < len(toks) {
		var sets []string
		for _, seg := range splitTopLevel(toks[setAt+1:]) {
			if len(seg) < 3 || seg[1].kind != '=' {
				return "", c.syntax(toks[setAt].off, "TTL: expected SET name = expr")
			}
			e, err := c.exprAt(seg[2].off, seg[len(seg)-1].end)
			if err != nil {
				return "", &offsetError{Offset: seg[2].off, Err: fmt.Errorf("%w: TTL SET: %v", ErrSyntax, firstLine(err.Error()))}
			}
			sets = append(sets, schema.QuoteIdent(identText(seg[0]))+" = "+c.fmt.expr(e))
		}
		out += " SET " + strings.Join(sets, ", ")
	}
	return out, nil
}
