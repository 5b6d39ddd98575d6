package emulator

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

type paramKind int

const (
	kindText paramKind = iota
	kindTextList
	kindSwitch
	kindInt
	kindEnum
)

// param declares one cmdlet parameter. Enum values are canonical spellings.
type param struct {
	name     string
	kind     paramKind
	required bool
	enum     []string
	enumType string // .NET type named in the binding error
}

// commonParams are PowerShell common parameters every cmdlet accepts.
var commonParams = []param{
	{name: "Confirm", kind: kindSwitch},
	{name: "ErrorAction", kind: kindText},
	{name: "WarningAction", kind: kindText},
}

// boundArgs are a cmdlet's arguments after binding, keyed by canonical parameter name.
// A parameter given as JSON null is bound to nil (PowerShell's $null).
type boundArgs map[string]any

// bindParams matches names case-insensitively, converts values and checks mandatory ones,
// answering PowerShell's binding errors.
func bindParams(spec *cmdletSpec, raw map[string]json.RawMessage) (boundArgs, *cmdletError) {
	args := boundArgs{}
	for name, value := range raw {
		p := spec.lookupParam(name)
		if p == nil {
			return nil, errBinding("A parameter cannot be found that matches parameter name '%s'.", name)
		}
		v, cerr := convertParam(p, value)
		if cerr != nil {
			return nil, cerr
		}
		args[p.name] = v
	}
	var missing []string
	for _, p := range spec.params {
		v, given := args[p.name]
		if p.required && !given {
			missing = append(missing, p.name)
			continue
		}
		if text, isText := v.(string); p.required && given && (v == nil || (isText && text == "")) {
			return nil, errBinding("Cannot validate argument on parameter '%s'. The argument is null or empty. Provide an argument that is not null or empty, and then try the command again.", p.name)
		}
	}
	if len(missing) > 0 {
		return nil, errBinding("Cannot process command because of one or more missing mandatory parameters: %s.", strings.Join(missing, " "))
	}
	return args, nil
}

func (spec *cmdletSpec) lookupParam(name string) *param {
	for _, list := range [][]param{spec.params, commonParams} {
		for i := range list {
			if strings.EqualFold(list[i].name, name) {
				return &list[i]
			}
		}
	}
	return nil
}

func convertParam(p *param, value json.RawMessage) (any, *cmdletError) {
	if string(value) == "null" {
		return nil, nil
	}
	var decoded any
	if err := json.Unmarshal(value, &decoded); err != nil {
		return nil, errBinding("Cannot bind parameter '%s': the value is not valid JSON.", p.name)
	}
	cannot := func(target string) *cmdletError {
		return errBinding("Cannot process argument transformation on parameter '%s'. Cannot convert value \"%v\" to type \"%s\".", p.name, decoded, target)
	}
	switch p.kind {
	case kindSwitch:
		b, isBool := decoded.(bool)
		if !isBool {
			return nil, cannot("System.Management.Automation.SwitchParameter")
		}
		return b, nil
	case kindInt:
		switch v := decoded.(type) {
		case float64:
			if v == float64(int(v)) {
				return int(v), nil
			}
		case string:
			if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
				return n, nil
			}
		}
		return nil, cannot("System.Int32")
	case kindTextList:
		switch v := decoded.(type) {
		case string:
			return []string{v}, nil
		case []any:
			out := make([]string, 0, len(v))
			for _, item := range v {
				s, isText := item.(string)
				if !isText {
					return nil, cannot("Microsoft.Exchange.Data.MultiValuedProperty")
				}
				out = append(out, s)
			}
			return out, nil
		}
		return nil, cannot("Microsoft.Exchange.Data.MultiValuedProperty")
	}
	text, isText := decoded.(string)
	if !isText {
		return nil, cannot("System.String")
	}
	if p.kind == kindEnum {
		for _, e := range p.enum {
			if strings.EqualFold(e, text) {
				return e, nil
			}
		}
		return nil, errBinding("Cannot process argument transformation on parameter '%s'. Cannot convert value \"%s\" to type \"%s\". Error: \"Unable to match the identifier name %s to a valid enumerator name. Specify one of the following enumerator names and try again: %s\"", p.name, text, p.enumType, text, strings.Join(p.enum, ", "))
	}
	return text, nil
}

// exchangeCall is one cmdlet run while the tenant lock is held.
type exchangeCall struct {
	t *Tenant // the tenant as this call sees it: without objects still replicating
	// store is the tenant itself; uniqueness and limits are checked against it.
	store    *Tenant
	p        *principal
	now      time.Time
	args     boundArgs
	idLag    time.Duration // Options.ObjectIDLag
	warnings []string      // answered as @adminapi.warnings
	// elevatedAccessShape is Options.ElevatedAccessControlShape.
	elevatedAccessShape string
}

// warn adds a warning to the answer, as a cmdlet's Write-Warning does.
func (c *exchangeCall) warn(format string, a ...any) {
	c.warnings = append(c.warnings, fmt.Sprintf(format, a...))
}

// text returns a text parameter and whether it was given (and not $null).
func (c *exchangeCall) text(name string) (string, bool) {
	v, ok := c.args[name].(string)
	return v, ok
}

// list returns a list parameter and whether it was given; $null counts as given and empty.
func (c *exchangeCall) list(name string) ([]string, bool) {
	v, given := c.args[name]
	list, _ := v.([]string)
	return list, given
}

func (c *exchangeCall) flag(name string) bool {
	v, _ := c.args[name].(bool)
	return v
}

func (c *exchangeCall) integer(name string) (int, bool) {
	v, ok := c.args[name].(int)
	return v, ok
}

// caller names the principal as Exchange records it: the UPN, or the app id for app-only.
// directoryPath names the caller as Exchange's directory does, as RevokedBy shows it (documented
// shape: <server>/Microsoft Exchange Hosted Organizations/<org>/<name>). A user's name is its
// recipient Name (its object id); an app's is its app id (chosen).
func (c *exchangeCall) directoryPath() string {
	name := c.p.appID
	if !c.p.appOnly() {
		name = c.p.userID
	}
	return "NAMPR01A001.prod.outlook.com/Microsoft Exchange Hosted Organizations/" + c.t.InitialDomain() + "/" + name
}

func (c *exchangeCall) caller() string {
	if c.p.appOnly() {
		return c.p.appID
	}
	return c.p.upn
}
