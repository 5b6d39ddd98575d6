package exchange

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
)

// busyTenantText marks the per-tenant concurrency limit; it may come with 429 or 400.
const busyTenantText = "maximum number of concurrent requests per tenant"

const excerptRunes = 200

// errorBody is the Exchange error shape. Field matching is case-insensitive, so both
// "innererror" and "innerError" are read.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Details []struct {
			Message string `json:"message"`
		} `json:"details"`
		InnerError struct {
			InternalException struct {
				Message string `json:"message"`
			} `json:"internalException"`
		} `json:"innererror"`
	} `json:"error"`
}

// serviceFault is what an error answer says, before classification.
type serviceFault struct {
	code          string
	exceptionType string // e.g. Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException
	category      string // PowerShell error category, e.g. ObjectNotFound
	text          string
}

// decodeFailure turns a non-2xx answer into a classified failure.
func (c *Client) decodeFailure(cl *call, resp *http.Response, data []byte) *failure {
	fault := parseFault(data)
	if fault.text == "" {
		fault.text = fmt.Sprintf("HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
		if excerpt := shortExcerpt(data); excerpt != "" {
			fault.text += ", answer begins: " + excerpt
		}
	}
	kind, message := classify(cl, resp.StatusCode, fault)
	f := &failure{err: c.newError(cl, func(e *apierr.Error) {
		e.Kind = kind
		e.StatusCode = resp.StatusCode
		e.Code = fault.code
		if fault.exceptionType != "" {
			e.Code = fault.exceptionType
		}
		e.Message = message
		e.RequestID = requestID(resp.Header)
	})}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode == http.StatusServiceUnavailable,
		strings.Contains(strings.ToLower(fault.text), busyTenantText):
		f.retry = retrySafe
	case resp.StatusCode == http.StatusGatewayTimeout, resp.StatusCode == http.StatusRequestTimeout:
		f.retry = retryAmbiguous
	}
	f.retryAfter, f.hasAfter = parseRetryAfter(resp.Header.Get("Retry-After"), c.clock.Now())
	return f
}

// parseFault reads the message the way public clients do: details[].message first
// ("ExceptionType|Category|text"), then innererror.internalException.message, then message.
func parseFault(data []byte) serviceFault {
	var body errorBody
	if json.Unmarshal(data, &body) != nil {
		return serviceFault{}
	}
	fault := serviceFault{code: body.Error.Code}
	for _, d := range body.Error.Details {
		if strings.TrimSpace(d.Message) == "" {
			continue
		}
		parts := strings.SplitN(d.Message, "|", 3)
		if len(parts) == 3 {
			fault.exceptionType, fault.category, fault.text = strings.TrimSpace(parts[0]), strings.TrimSpace(parts[1]), strings.TrimSpace(parts[2])
		} else {
			fault.text = strings.TrimSpace(d.Message)
		}
		break
	}
	if fault.text == "" {
		fault.text = strings.TrimSpace(body.Error.InnerError.InternalException.Message)
	}
	if fault.text == "" {
		fault.text = strings.TrimSpace(body.Error.Message)
	}
	return fault
}

// classify sorts a failure narrowly: a kind other than Other is only given when the answer
// clearly says so, because resources act on it (NotFound drops an object from state).
//
//   - 401 Unauthorized, 403 Forbidden.
//   - 429 or the busy-tenant text: Throttled (returned only once retries ran out).
//   - CommandNotFoundException: Other. The cmdlet is not in the caller's session (missing role,
//     licence, or feature); it is never "not found" although its category is ObjectNotFound.
//   - *AlreadyExistsException or category ResourceExists: AlreadyExists.
//   - ManagementObjectNotFoundException or category ObjectNotFound: NotFound when the cmdlet
//     targets an object (Identity or RequestId) and the text does not quote another parameter's
//     value instead; a missing member, owner or approver group is InvalidInput.
//   - category PermissionDenied: Forbidden.
//   - categories InvalidArgument, InvalidData, InvalidOperation (rule refused: limit reached,
//     wrong group type), InvalidType, LimitsExceeded, or parameter binding and argument
//     exceptions: InvalidInput.
//   - anything else: Other.
func classify(cl *call, status int, fault serviceFault) (apierr.Kind, string) {
	shortType := fault.exceptionType[strings.LastIndex(fault.exceptionType, ".")+1:]
	category := strings.ToLower(fault.category)
	switch {
	case status == http.StatusUnauthorized:
		return apierr.KindUnauthorized, fault.text
	case status == http.StatusForbidden:
		return apierr.KindForbidden, fault.text
	case status == http.StatusTooManyRequests || strings.Contains(strings.ToLower(fault.text), busyTenantText):
		return apierr.KindThrottled, fault.text
	case shortType == "CommandNotFoundException":
		return apierr.KindOther, fmt.Sprintf("the cmdlet %s is not available to this caller "+
			"(the account or app lacks the Exchange role that grants it, or the organization does not offer it): %s",
			cl.cmdlet, fault.text)
	case strings.HasSuffix(shortType, "AlreadyExistsException") || category == "resourceexists":
		return apierr.KindAlreadyExists, fault.text
	case shortType == "ManagementObjectNotFoundException" || category == "objectnotfound":
		if namesTarget(cl.params, fault.text) {
			return apierr.KindNotFound, fault.text
		}
		return apierr.KindInvalidInput, fault.text
	case category == "permissiondenied":
		return apierr.KindForbidden, fault.text
	case category == "invalidargument", category == "invaliddata", category == "invalidoperation",
		category == "invalidtype", category == "limitsexceeded",
		strings.Contains(shortType, "ParameterBinding"), strings.HasSuffix(shortType, "ArgumentException"):
		return apierr.KindInvalidInput, fault.text
	default:
		return apierr.KindOther, fault.text
	}
}

// namesTarget decides whether an "object not found" text is about the cmdlet's target. The
// service quotes the value it could not find ('X' or "X"); when it quotes a value from another
// parameter (a member, an owner, a group) the target itself exists.
func namesTarget(params map[string]any, text string) bool {
	var target []string
	for _, name := range targetParams {
		if v, ok := params[name].(string); ok && v != "" {
			target = append(target, v)
		}
	}
	if len(target) == 0 {
		return false
	}
	if quotesAny(text, target) {
		return true
	}
	for name, value := range params {
		if isTargetParam(name) {
			continue
		}
		if quotesAny(text, stringValues(value)) {
			return false
		}
	}
	return true
}

func isTargetParam(name string) bool {
	for _, t := range targetParams {
		if t == name {
			return true
		}
	}
	return false
}

func stringValues(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []string:
		return v
	default:
		return nil
	}
}

func quotesAny(text string, values []string) bool {
	lower := strings.ToLower(text)
	for _, v := range values {
		if v == "" {
			continue
		}
		v = strings.ToLower(v)
		if strings.Contains(lower, "'"+v+"'") || strings.Contains(lower, `"`+v+`"`) {
			return true
		}
	}
	return false
}

// shortExcerpt is the start of a non-JSON answer (say a gateway's HTML page) on one line.
func shortExcerpt(data []byte) string {
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(data), "")), " ")
	if utf8.RuneCountInString(s) <= excerptRunes {
		return s
	}
	return string([]rune(s)[:excerptRunes]) + "…"
}
