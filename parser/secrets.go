package parser

import (
	"strings"

	ch "github.com/AfterShip/clickhouse-sql-parser/parser"

	"github.com/chschema/chschema/schema"
)

// hiddenSecret is what the server prints instead of a secret argument.
const hiddenSecret = "'[HIDDEN]'"

// hideSecrets replaces the engine arguments that the server never shows
// (passwords, secret keys) with '[HIDDEN]', as the server prints them in
// system.tables: the rules of ClickHouse's FunctionSecretArgumentsFinder for
// table engines. args are the engine's arguments as written.
func hideSecrets(en *schema.Engine, args []ch.Expr) {
	if len(args) != len(en.Params) {
		return
	}
	args = append([]ch.Expr(nil), args...)
	for i := range args {
		args[i] = unparenKeep(args[i])
	}
	// A first argument that is a bare name is a named collection, whose
	// secrets are named arguments.
	named := len(args) > 0 && isBareIdent(args[0])
	mark := func(i int) {
		if i >= 0 && i < len(en.Params) {
			en.Params[i] = hiddenSecret
		}
	}
	switch en.Name {
	case "MySQL", "PostgreSQL", "MaterializedPostgreSQL":
		if named {
			markNamed(en, args, "password")
		} else {
			mark(4)
		}
	case "ExternalDistributed":
		mark(5)
	case "MongoDB":
		switch {
		case named:
			markNamed(en, args, "password")
		case len(args) == 2:
			en.Params[0] = schema.Expr(maskURIPassword(string(en.Params[0])))
		default:
			mark(4)
		}
	case "Redis":
		if named {
			markNamed(en, args, "password")
		} else {
			mark(2)
		}
	case "S3", "COSN", "OSS", "DeltaLake", "Hudi", "IcebergS3", "S3Queue", "Iceberg":
		if named {
			markNamed(en, args, "secret_access_key")
			return
		}
		n := len(args)
		for n > 0 {
			if f, ok := args[n-1].(*ch.FunctionExpr); !ok || (f.Name.Name != "headers" && f.Name.Name != "extra_credentials") {
				break
			}
			n--
		}
		if n >= 3 && n <= 4 {
			second := unquoteArg(en.Params[1])
			if strings.EqualFold(second, "NOSIGN") || n == 3 && (second == "auto" || formatNames[second]) {
				return
			}
		}
		if n > 2 {
			mark(2)
		}
	case "URL":
		if !named && len(en.Params) > 0 {
			en.Params[0] = schema.Expr(maskURIPassword(string(en.Params[0])))
		}
	case "AzureBlobStorage", "AzureQueue", "IcebergAzure":
		if named {
			markNamed(en, args, "account_key")
			return
		}
		if s := unquoteArg(en.Params[0]); !strings.HasPrefix(s, "http") && strings.Contains(s, "AccountKey=") {
			i := strings.Index(s, "AccountKey=") + len("AccountKey=")
			end := strings.IndexByte(s[i:], ';')
			if end < 0 {
				end = len(s) - i
			}
			en.Params[0] = schema.Expr(schema.QuoteString(s[:i] + "[HIDDEN]" + s[i+end:]))
			return
		}
		n := len(args)
		if n >= 4 && n <= 7 {
			if f := unquoteArg(en.Params[3]); f == "auto" || formatNames[f] {
				return
			}
		}
		if n > 4 {
			mark(4)
		}
	case "Remote", "RemoteSecure":
		if named {
			markNamed(en, args, "password")
			return
		}
		if len(args) < 3 {
			return
		}
		// Remote('addresses', 'db', 'table' | db.table | table_function(),
		// 'user', 'password', ...).
		i := 2
		if _, isFunc := args[1].(*ch.FunctionExpr); !isFunc {
			if s := unquoteArg(en.Params[1]); !strings.Contains(s, ".") {
				i = 3 // 'db', 'table'
			}
		}
		i++ // the user
		if i < len(args) && isStringLiteral(args[i]) {
			mark(i)
		}
	}
}

// markNamed hides the value of a named argument key = value.
func markNamed(en *schema.Engine, args []ch.Expr, key string) {
	for i, a := range args {
		b, ok := a.(*ch.BinaryOperation)
		if !ok || string(b.Operation) != "=" {
			continue
		}
		if id, ok := b.LeftExpr.(*ch.Ident); ok && id.Name == key {
			en.Params[i] = schema.Expr(key + " = " + hiddenSecret)
		}
	}
}

// maskURIPassword hides the password of a URI in a quoted string:
// 'http://user:secret@host/...' becomes 'http://user:[HIDDEN]@host/...'.
func maskURIPassword(quoted string) string {
	s := unquoteArg(schema.Expr(quoted))
	scheme := strings.Index(s, "://")
	if scheme < 0 {
		return quoted
	}
	rest := s[scheme+3:]
	at := strings.IndexByte(rest, '@')
	if at < 0 {
		return quoted
	}
	colon := strings.IndexByte(rest[:at], ':')
	if colon < 0 {
		return quoted
	}
	return schema.QuoteString(s[:scheme+3] + rest[:colon+1] + "[HIDDEN]" + rest[at:])
}

// unquoteArg is the value of a string literal argument, or its text.
func unquoteArg(e schema.Expr) string {
	s := string(e)
	if len(s) >= 2 && s[0] == '\'' {
		if _, v, err := unquoteAt(s, 0); err == nil {
			return v
		}
	}
	return s
}

func isBareIdent(e ch.Expr) bool {
	id, ok := e.(*ch.Ident)
	return ok && id.QuoteType == ch.Unquoted
}

func isStringLiteral(e ch.Expr) bool {
	_, ok := e.(*ch.StringLiteral)
	return ok
}
