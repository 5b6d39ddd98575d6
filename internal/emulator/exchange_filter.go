package emulator

import (
	"strings"
	"unicode"
)

// opathFilter is the subset of Exchange's OPATH -Filter syntax the emulator evaluates:
// `Property -eq 'value'` clauses joined by -and and -or (-and binds tighter), with parentheses.
// A value is single-quoted, a quote inside it doubled. Anything else (other operators, $null,
// wildcards, unknown properties) is refused, as the service refuses what it cannot parse.
type opathFilter interface {
	matches(g *Group) bool
}

type opathClause struct{ property, value string }

type opathAll []opathFilter // -and

type opathAny []opathFilter // -or

func (a opathAll) matches(g *Group) bool {
	for _, f := range a {
		if !f.matches(g) {
			return false
		}
	}
	return true
}

func (a opathAny) matches(g *Group) bool {
	for _, f := range a {
		if f.matches(g) {
			return true
		}
	}
	return false
}

// groupFilterProperties are the filterable properties of a group the emulator knows, by lower-case
// name. EmailAddresses matches any address without its smtp: prefix; PrimarySmtpAddress searches
// EmailAddresses too, as Microsoft's filterable-properties page says.
var groupFilterProperties = map[string]func(g *Group, value string) bool{
	"guid":                      func(g *Group, v string) bool { return strings.EqualFold(g.GUID, v) },
	"externaldirectoryobjectid": func(g *Group, v string) bool { return strings.EqualFold(g.ID, v) },
	"name":                      func(g *Group, v string) bool { return strings.EqualFold(g.Name, v) },
	"alias":                     func(g *Group, v string) bool { return strings.EqualFold(g.Alias, v) },
	"displayname":               func(g *Group, v string) bool { return strings.EqualFold(g.DisplayName, v) },
	"emailaddresses":            func(g *Group, v string) bool { return hasAddress(g.EmailAddresses, stripSMTP(v)) },
	"primarysmtpaddress":        func(g *Group, v string) bool { return hasAddress(g.EmailAddresses, stripSMTP(v)) },
}

func (c opathClause) matches(g *Group) bool { return groupFilterProperties[c.property](g, c.value) }

// parseOPATH parses a group filter or says where it stops making sense.
func parseOPATH(filter string) (opathFilter, *cmdletError) {
	p := &opathParser{src: filter}
	f, cerr := p.or()
	if cerr != nil {
		return nil, cerr
	}
	if p.skipSpace(); p.pos < len(p.src) {
		return nil, p.syntaxError()
	}
	return f, nil
}

type opathParser struct {
	src string
	pos int
}

func (p *opathParser) or() (opathFilter, *cmdletError) {
	return p.joined("-or", p.and, func(fs []opathFilter) opathFilter { return opathAny(fs) })
}

func (p *opathParser) and() (opathFilter, *cmdletError) {
	return p.joined("-and", p.factor, func(fs []opathFilter) opathFilter { return opathAll(fs) })
}

// joined parses one or more operands, that next parses, separated by op; combine joins two or more.
func (p *opathParser) joined(op string, next func() (opathFilter, *cmdletError), combine func([]opathFilter) opathFilter) (opathFilter, *cmdletError) {
	var operands []opathFilter
	for {
		f, cerr := next()
		if cerr != nil {
			return nil, cerr
		}
		operands = append(operands, f)
		if !p.operator(op) {
			break
		}
	}
	if len(operands) == 1 {
		return operands[0], nil
	}
	return combine(operands), nil
}

func (p *opathParser) factor() (opathFilter, *cmdletError) {
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == '(' {
		p.pos++
		f, cerr := p.or()
		if cerr != nil {
			return nil, cerr
		}
		if p.skipSpace(); p.pos >= len(p.src) || p.src[p.pos] != ')' {
			return nil, p.syntaxError()
		}
		p.pos++
		return f, nil
	}
	start := p.pos
	for p.pos < len(p.src) && (unicode.IsLetter(rune(p.src[p.pos])) || unicode.IsDigit(rune(p.src[p.pos]))) {
		p.pos++
	}
	property := p.src[start:p.pos]
	if property == "" {
		return nil, p.syntaxError()
	}
	if _, known := groupFilterProperties[strings.ToLower(property)]; !known {
		return nil, errBinding("Cannot bind parameter 'Filter' to the target. Exception setting \"Filter\": \"'%s' is not a recognized filterable property. For a description of the filter parameter syntax see the command help.\"", property)
	}
	if !p.operator("-eq") {
		return nil, p.syntaxError()
	}
	value, ok := p.quoted()
	if !ok {
		return nil, p.syntaxError()
	}
	return opathClause{property: strings.ToLower(property), value: value}, nil
}

// operator consumes op (case-insensitive) when it comes next as a whole word.
func (p *opathParser) operator(op string) bool {
	p.skipSpace()
	end := p.pos + len(op)
	if end > len(p.src) || !strings.EqualFold(p.src[p.pos:end], op) {
		return false
	}
	if end < len(p.src) && !unicode.IsSpace(rune(p.src[end])) && p.src[end] != '(' && p.src[end] != '\'' {
		return false
	}
	p.pos = end
	return true
}

// quoted reads a single-quoted value; two quotes in a row stand for one.
func (p *opathParser) quoted() (string, bool) {
	p.skipSpace()
	if p.pos >= len(p.src) || p.src[p.pos] != '\'' {
		return "", false
	}
	var b strings.Builder
	for i := p.pos + 1; i < len(p.src); i++ {
		if p.src[i] != '\'' {
			b.WriteByte(p.src[i])
			continue
		}
		if i+1 < len(p.src) && p.src[i+1] == '\'' {
			b.WriteByte('\'')
			i++
			continue
		}
		p.pos = i + 1
		return b.String(), true
	}
	return "", false
}

func (p *opathParser) skipSpace() {
	for p.pos < len(p.src) && unicode.IsSpace(rune(p.src[p.pos])) {
		p.pos++
	}
}

func (p *opathParser) syntaxError() *cmdletError {
	return errBinding("Cannot bind parameter 'Filter' to the target. Exception setting \"Filter\": \"Invalid filter syntax. For a description of the filter parameter syntax see the command help.\n\"%s\" at position %d.\"", p.src, p.pos+1)
}
